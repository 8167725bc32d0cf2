//! Keys on the security page: adding one (a ceremony in two calls), the list, renaming, and
//! removing one with the current password. Removing the last factor of a person whose 2FA is
//! required is refused, as for every other factor.

use serde_json::Value;

use crate::audit::{AuditEvent, Outcome, WebauthnRemoved};
use crate::error::{Error, Result};
use crate::login::{NextStep, after_password};
use crate::model::{RequestMeta, WebauthnCredential, WebauthnCredentialId};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::secret::Token;
use crate::store::{
    AuditLog, CeremonyPurpose, RecoveryCodes, Sessions, Store, Transaction, WebauthnStore,
};
use crate::webauthn;

use super::{CeremonyStart, WebauthnRegistered};
use crate::service::held::CodesOccasion;
use crate::service::login::second_step_state;
use crate::service::{Authenticated, Services};

impl<S: Store> Services<S> {
    /// Options to add a key to the signed-in person's account.
    pub async fn start_webauthn_registration(
        &self,
        auth: &Authenticated,
        _meta: &RequestMeta,
    ) -> Result<CeremonyStart> {
        let mut tx = self.store.begin().await?;
        let (public_key, state) = self.registration_options(&mut tx, &auth.user).await?;
        let ceremony = self
            .keep_ceremony(
                &mut tx,
                CeremonyPurpose::Registration,
                Some(&auth.user.id),
                None,
                &state,
            )
            .await?;
        tx.commit().await?;
        Ok(CeremonyStart {
            ceremony,
            public_key,
        })
    }

    /// Verifies the new key and adds it. As the account's first factor it switches 2FA on: new
    /// recovery codes (also held for the page that shows them once) and every other session
    /// ends, as when an authenticator app is activated.
    pub async fn finish_webauthn_registration(
        &self,
        auth: &Authenticated,
        ceremony: &Token,
        name: &str,
        answer: &Value,
        meta: &RequestMeta,
    ) -> Result<WebauthnRegistered> {
        let user = &auth.user;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let taken = tx
            .take_webauthn_ceremony(&ceremony.digest(), CeremonyPurpose::Registration, now)
            .await?
            .filter(|c| c.user.as_ref() == Some(&user.id))
            .ok_or(Error::InvalidCeremony)?;
        let registered = match self
            .register_key_in(&mut tx, user, &taken.state, name, answer, None, meta)
            .await
        {
            Ok(registered) => registered,
            Err(e) => {
                // The ceremony is used up either way: an answer is tried once.
                drop(tx);
                self.use_up_ceremony(ceremony, CeremonyPurpose::Registration)
                    .await?;
                return Err(e);
            }
        };
        if !registered.recovery_codes.is_empty() {
            tx.revoke_other_sessions(&user.id, Some(&auth.session.id), now)
                .await?;
            self.store_kit(
                &mut tx,
                &auth.session.id,
                &registered.recovery_codes,
                None,
                CodesOccasion::Activated,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(registered)
    }

    /// The signed-in person's keys, oldest first.
    pub async fn webauthn_credentials(
        &self,
        auth: &Authenticated,
    ) -> Result<Vec<WebauthnCredential>> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx
            .webauthn_credentials_of_user(&auth.user.id)
            .await?
            .into_iter()
            .map(|c| c.credential)
            .collect())
    }

    /// Renames one of the caller's keys; another person's id is `NotFound`.
    pub async fn rename_webauthn_credential(
        &self,
        auth: &Authenticated,
        id: &str,
        name: &str,
        _meta: &RequestMeta,
    ) -> Result<WebauthnCredential> {
        let name =
            webauthn::parse_credential_name(name).map_err(|e| Error::Validation(e.into()))?;
        let id = WebauthnCredentialId(id.to_owned());
        let mut tx = self.store.begin().await?;
        if !tx
            .rename_webauthn_credential(&auth.user.id, &id, &name)
            .await?
        {
            return Err(Error::NotFound("security key"));
        }
        let renamed = tx
            .webauthn_credentials_of_user(&auth.user.id)
            .await?
            .into_iter()
            .map(|c| c.credential)
            .find(|c| c.id == id)
            .ok_or(Error::NotFound("security key"))?;
        tx.commit().await?;
        Ok(renamed)
    }

    /// Removes one of the caller's keys (the current password is required); another person's
    /// id is `NotFound`. With the last factor gone, the recovery codes go too (they would be a
    /// second password), and the other sessions end.
    pub async fn remove_webauthn_credential(
        &self,
        auth: &Authenticated,
        id: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.confirm_entered_password(
            auth,
            password,
            "remove a security key",
            WebauthnRemoved::InvalidPassword,
            meta,
        )
        .await?;
        let user = &auth.user;
        let now = self.now();
        let id = WebauthnCredentialId(id.to_owned());
        let mut tx = self.store.begin().await?;
        let name = tx
            .delete_webauthn_credential(&user.id, &id)
            .await?
            .ok_or(Error::NotFound("security key"))?;
        if after_password(&second_step_state(&mut tx, user).await?) == NextStep::EnrollmentRequired
        {
            return Err(Error::TwoFactorEnforced);
        }
        if !self.has_factor_in(&mut tx, &user.id).await? {
            tx.delete_recovery_codes(&user.id).await?;
            tx.revoke_other_sessions(&user.id, Some(&auth.session.id), now)
                .await?;
        }
        let removed = WebauthnRemoved::Removed {
            credential_id: id,
            name: name.clone(),
        };
        let event = AuditEvent::new(removed, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(
            &mut tx,
            user,
            SecurityEvent::WebauthnRemoved { name },
            meta,
            now,
        )
        .await?;
        tx.commit().await
    }
}
