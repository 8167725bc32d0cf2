//! The companion app's side of push approval: pairing by a single-use code, the
//! owner's list of devices (rename, remove), and the device's signed requests: verifying them
//! (signature, timestamp window, nonce taken once), listing pending challenges, answering one
//! ("this wasn't me" locks the account as a security notice's link does), setting a webhook.
//! Wake-ups are announced in the deciding transaction; waiting for them is the server's.

use crate::audit::{
    AuditDetail, AuditEvent, Outcome, PushDecision, PushDevicePaired, PushDeviceRemoved,
};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::{NextStep, after_password};
use crate::model::{PushDeviceId, RequestMeta, User};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::push::{self, ChallengeStatus, Decision};
use crate::secret::Token;
use crate::store::{AuditLog, PushChallenge, PushDevice, PushStore, Store, Transaction, Users};

use super::Services;
use super::held::{HeldPairing, Reveal};
use super::sessions::Authenticated;
use super::sign_in::second_step_state;

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

/// A device request as received, before anything in it is trusted.
#[derive(Debug, Clone, Copy)]
pub struct DeviceRequest<'a> {
    pub device_id: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
    pub method: &'a str,
    /// The path and query exactly as sent.
    pub path_and_query: &'a str,
    pub body: &'a [u8],
}

/// A device whose request was signed by its key, fresh, and not a replay.
#[derive(Debug, Clone)]
pub struct VerifiedDevice {
    pub device: PushDevice,
    pub user: User,
}

/// A pending challenge as the app shows it (no number: the person types it from the screen).
#[derive(Debug, Clone)]
pub struct DeviceChallenge {
    pub id: String,
    pub account: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub browser: Option<&'static str>,
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

    /// Checks a device request: known device, fresh timestamp, well-formed nonce, a signature by
    /// the device's key over exactly what was sent, and a nonce never used before (taken in one
    /// write, so a replay fails on every node). Every failure is the same `InvalidSignature`.
    pub async fn verify_device_request(&self, req: &DeviceRequest<'_>) -> Result<VerifiedDevice> {
        let now = self.now();
        let stored = {
            let mut tx = self.store.begin_read().await?;
            tx.push_device(&PushDeviceId(req.device_id.to_owned()))
                .await?
        };
        let stored = stored.ok_or(Error::InvalidSignature)?;
        let message = push::signed_message(
            req.method,
            req.path_and_query,
            req.timestamp,
            req.nonce,
            req.body,
        );
        if !push::timestamp_fresh(req.timestamp, now)
            || !push::nonce_well_formed(req.nonce)
            || !push::verify_signature(&stored.public_key, message.as_bytes(), req.signature)
        {
            return Err(Error::InvalidSignature);
        }
        let mut tx = self.store.begin().await?;
        let fresh = tx
            .take_device_nonce(
                &stored.device.id,
                req.nonce,
                now,
                now.plus_secs(push::NONCE_SECS),
            )
            .await?;
        if !fresh {
            return Err(Error::InvalidSignature);
        }
        let user = tx
            .user_by_id(&stored.device.user_id)
            .await?
            .ok_or(Error::InvalidSignature)?;
        tx.commit().await?;
        Ok(VerifiedDevice {
            device: stored.device,
            user,
        })
    }

    /// The pending, unexpired challenges of the device's account, newest first; records that
    /// the device was seen. A locked account has none to answer.
    pub async fn device_challenges(&self, dev: &VerifiedDevice) -> Result<Vec<DeviceChallenge>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.touch_push_device(&dev.device.id, now).await?;
        let locked = tx
            .user_by_id(&dev.user.id)
            .await?
            .is_none_or(|u| u.locked_at.is_some());
        let pending = if locked {
            Vec::new()
        } else {
            tx.pending_push_challenges(&dev.user.id, now).await?
        };
        tx.commit().await?;
        Ok(pending
            .into_iter()
            .map(|c| device_challenge(dev, c))
            .collect())
    }

    /// Sets (`Some`) or clears the device's webhook.
    pub async fn set_push_webhook(&self, dev: &VerifiedDevice, url: Option<&str>) -> Result<()> {
        let url = url
            .map(push::parse_webhook_url)
            .transpose()
            .map_err(|e| Error::Validation(e.into()))?;
        let mut tx = self.store.begin().await?;
        tx.set_push_webhook(&dev.device.id, url.as_deref()).await?;
        tx.commit().await
    }

    /// The device answers a challenge of its account. One conditional write decides it; a
    /// challenge decided or expired before is `ChallengeClosed`. A wrong number is a denial;
    /// "this wasn't me" also locks the account.
    pub async fn answer_push(
        &self,
        dev: &VerifiedDevice,
        challenge_id: &str,
        decision: Decision,
        meta: &RequestMeta,
    ) -> Result<ChallengeStatus> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = tx
            .push_challenge(challenge_id)
            .await?
            .filter(|c| c.user_id == dev.user.id)
            .ok_or(Error::NotFound("challenge"))?;
        let user = tx
            .user_by_id(&dev.user.id)
            .await?
            .ok_or(Error::NotFound("challenge"))?;
        if c.status == ChallengeStatus::Pending && c.expires_at <= now {
            self.observe_expiry_in(&mut tx, &c.id, &user, meta, now)
                .await?;
            tx.commit().await?;
            return Err(Error::ChallengeClosed);
        }
        if c.status != ChallengeStatus::Pending || user.locked_at.is_some() {
            return Err(Error::ChallengeClosed);
        }
        self.decide_in(tx, dev, &user, &c, decision, meta).await
    }

    /// The device approves with the number the person typed, without naming a request: the
    /// pending request of its account whose number it is, or, when none has it, the newest,
    /// which the wrong number then denies. The number stays unknown to the app (number
    /// matching): it learns only the verdict and which request it applied to. No pending
    /// request (or a locked account) is `ChallengeClosed`.
    pub async fn approve_push_by_number(
        &self,
        dev: &VerifiedDevice,
        number: i64,
        meta: &RequestMeta,
    ) -> Result<(ChallengeStatus, DeviceChallenge)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = tx
            .user_by_id(&dev.user.id)
            .await?
            .filter(|u| u.locked_at.is_none())
            .ok_or(Error::ChallengeClosed)?;
        let mut pending = tx.pending_push_challenges(&user.id, now).await?;
        let numbers: Vec<i64> = pending.iter().map(|c| c.number).collect();
        let i = push::answered_by_number(&numbers, number).ok_or(Error::ChallengeClosed)?;
        let c = pending.swap_remove(i);
        let status = self
            .decide_in(tx, dev, &user, &c, Decision::Approve { number }, meta)
            .await?;
        Ok((status, device_challenge(dev, c)))
    }

    /// Decides a pending challenge (one conditional write), audits it, counts a refusal and
    /// locks for "this wasn't me", and announces it; commits `tx`.
    async fn decide_in(
        &self,
        mut tx: S::Tx,
        dev: &VerifiedDevice,
        user: &User,
        c: &PushChallenge,
        decision: Decision,
        meta: &RequestMeta,
    ) -> Result<ChallengeStatus> {
        let now = self.now();
        let status = push::decide(c.number, decision);
        if !tx
            .decide_push_challenge(&c.id, status, &dev.device.id, now)
            .await?
        {
            return Err(Error::ChallengeClosed);
        }
        let (kind, outcome): (fn(PushDecision) -> AuditDetail, _) = match status {
            ChallengeStatus::Approved => (AuditDetail::PushApproved, Outcome::Success),
            ChallengeStatus::Fraud => (AuditDetail::PushReportedFraud, Outcome::Denied),
            _ => (AuditDetail::PushDenied, Outcome::Denied),
        };
        let wrong_number =
            matches!(decision, Decision::Approve { .. }) && status == ChallengeStatus::Denied;
        let decided = PushDecision {
            challenge_id: c.id.clone(),
            device_id: dev.device.id.clone(),
            wrong_number,
        };
        let event =
            AuditEvent::new(kind(decided), outcome, now, meta).by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        if status != ChallengeStatus::Approved {
            self.count_push_refusal(&mut tx, user, now).await?;
        }
        if status == ChallengeStatus::Fraud {
            self.lock_user_in(&mut tx, user, meta, "companion_app", now)
                .await?;
        }
        tx.announce_push(&c.id).await?;
        tx.commit().await?;
        Ok(status)
    }
}

fn device_challenge(dev: &VerifiedDevice, c: PushChallenge) -> DeviceChallenge {
    DeviceChallenge {
        browser: c.user_agent.as_deref().and_then(push::browser_name),
        id: c.id,
        account: dev.user.email.to_string(),
        created_at: c.created_at,
        expires_at: c.expires_at,
        ip: c.ip,
        user_agent: c.user_agent,
    }
}
