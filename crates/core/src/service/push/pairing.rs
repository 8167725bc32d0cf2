//! Pairing the companion app by a single-use code, and the owner's list of devices (rename,
//! remove). A paired device approves every sign-in on its own, so pairing and removal ask for the
//! current password. What a paired device then sends is [`super::device`]'s.

use crate::audit::{AuditEvent, Outcome, PushDevicePaired, PushDeviceRemoved};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::{NextStep, after_password};
use crate::model::{PushDeviceId, RequestMeta};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::push;
use crate::secret::Token;
use crate::store::{AuditLog, PushDevice, PushStore, Store, Transaction, Users};

use crate::service::held::{HeldPairing, Reveal};
use crate::service::login::second_step_state;
use crate::service::{Authenticated, Services};

/// A pairing code waiting for the app: `uri` is what the QR code holds. The code is shown once
/// and kept only as a digest. The URI carries the code, so neither shows in `Debug`.
pub struct PushPairing {
    pub uri: String,
    pub code: Token,
    pub expires_at: UnixTime,
}

impl std::fmt::Debug for PushPairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushPairing")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What the app learns when pairing succeeds.
#[derive(Debug, Clone)]
pub struct PushPaired {
    pub device_id: String,
    pub account: String,
    pub server: String,
    /// The name the device is listed under: the one given on the security page, else the app's.
    pub name: String,
}

impl<S: Store> Services<S> {
    /// A single-use pairing code for the caller, valid 10 minutes; `name` names the device.
    /// The current password is required: a paired device approves every sign-in.
    pub async fn start_push_pairing(
        &self,
        auth: &Authenticated,
        name: Option<&str>,
        password: &Password,
        reveal: Reveal<'_>,
        meta: &RequestMeta,
    ) -> Result<PushPairing> {
        let name = name
            .filter(|n| !n.trim().is_empty())
            .map(push::parse_device_name)
            .transpose()
            .map_err(|e| Error::Validation(e.to_owned()))?;
        // A paired device approves every sign-in on its own: a session left open must not be
        // enough to add one.
        self.confirm_entered_password(
            auth,
            password,
            "pair a device",
            PushDevicePaired::InvalidPassword,
            meta,
        )
        .await?;
        let now = self.now();
        let code = Token::generate();
        let expires_at = now.plus_secs(push::PAIRING_SECS);
        let mut tx = self.store.begin().await?;
        tx.insert_push_pairing(
            &code.digest(),
            &auth.user.id,
            name.as_deref(),
            now,
            expires_at,
        )
        .await?;
        let uri = push::pairing_uri(
            &self.settings.public_url,
            code.expose(),
            auth.user.email.as_str(),
            &self.settings.totp_issuer,
        );
        if let Reveal::OnNextPage(session) = reveal {
            let held = HeldPairing {
                name: name.clone().unwrap_or_default(),
                uri: uri.clone(),
                expires_at: expires_at.0,
            };
            self.hold_in(&mut tx, session, &held).await?;
        }
        tx.commit().await?;
        Ok(PushPairing {
            uri,
            code,
            expires_at,
        })
    }

    /// The app's half of pairing: uses the code up (one conditional write) and stores the device
    /// key. A used, expired or unknown code is `InvalidLink`.
    pub async fn complete_push_pairing(
        &self,
        code: &Token,
        public_key: &str,
        name: &str,
        webhook_url: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<PushPaired> {
        let key = push::parse_public_key(public_key).ok_or_else(|| {
            Error::Validation("public_key must be a 32-byte Ed25519 key, base64url".into())
        })?;
        let app_name = push::parse_device_name(name).map_err(|e| Error::Validation(e.into()))?;
        let webhook = webhook_url
            .map(push::parse_webhook_url)
            .transpose()
            .map_err(|e| Error::Validation(e.into()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (user_id, given_name) = tx
            .consume_push_pairing(&code.digest(), now)
            .await?
            .ok_or(Error::InvalidLink)?;
        let user = tx.user_by_id(&user_id).await?.ok_or(Error::InvalidLink)?;
        if user.locked_at.is_some() {
            return Err(Error::AccountLocked);
        }
        let device = PushDevice {
            id: PushDeviceId::generate(),
            user_id: user.id.clone(),
            name: given_name.unwrap_or(app_name),
            created_at: now,
            last_seen_at: None,
        };
        tx.insert_push_device(&device, &key, webhook.as_deref())
            .await?;
        let paired = PushDevicePaired::Paired {
            device_id: device.id.clone(),
            name: device.name.clone(),
        };
        let event = AuditEvent::new(paired, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        let paired = SecurityEvent::PushDevicePaired {
            name: device.name.clone(),
        };
        self.notify_security(&mut tx, &user, paired, meta, now)
            .await?;
        tx.commit().await?;
        Ok(PushPaired {
            device_id: device.id.0,
            account: user.email.to_string(),
            server: self.settings.public_url.clone(),
            name: device.name,
        })
    }

    /// The caller's paired devices, oldest first.
    pub async fn push_devices(&self, auth: &Authenticated) -> Result<Vec<PushDevice>> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx
            .push_devices_of_user(&auth.user.id)
            .await?
            .into_iter()
            .map(|d| d.device)
            .collect())
    }

    /// Renames one of the caller's devices; another person's id is `NotFound`.
    pub async fn rename_push_device(
        &self,
        auth: &Authenticated,
        id: &str,
        name: &str,
        _meta: &RequestMeta,
    ) -> Result<PushDevice> {
        let name = push::parse_device_name(name).map_err(|e| Error::Validation(e.into()))?;
        let mut tx = self.store.begin().await?;
        let id = PushDeviceId(id.to_owned());
        if !tx.rename_push_device(&auth.user.id, &id, &name).await? {
            return Err(Error::NotFound("device"));
        }
        let device = tx
            .push_device(&id)
            .await?
            .ok_or(Error::NotFound("device"))?
            .device;
        tx.commit().await?;
        Ok(device)
    }

    /// Removes one of the caller's devices (the current password is required); another
    /// person's id is `NotFound`. A person whose 2FA is forced cannot remove their last factor
    /// this way.
    pub async fn remove_push_device(
        &self,
        auth: &Authenticated,
        id: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        // Removing the last device switches two-factor authentication off: a session left open
        // must not be enough to do it.
        self.confirm_entered_password(
            auth,
            password,
            "remove a device",
            PushDeviceRemoved::InvalidPassword,
            meta,
        )
        .await?;
        let user = &auth.user;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = PushDeviceId(id.to_owned());
        let name = tx
            .delete_push_device(&user.id, &id)
            .await?
            .ok_or(Error::NotFound("device"))?;
        if after_password(&second_step_state(&mut tx, user).await?) == NextStep::EnrollmentRequired
        {
            return Err(Error::TwoFactorEnforced);
        }
        let removed = PushDeviceRemoved::Removed {
            device_id: id,
            name: name.clone(),
        };
        let event = AuditEvent::new(removed, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(
            &mut tx,
            user,
            SecurityEvent::PushDeviceRemoved { name },
            meta,
            now,
        )
        .await?;
        tx.commit().await
    }
}
