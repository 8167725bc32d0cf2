//! A sign-in with a passkey and no password. The options name no user and no key (the browser
//! offers the site's discoverable passkeys, or fills one in from the username field); the
//! answer names the key and, in its user handle, the account. Only a key registered with user
//! verification, presenting user verification now, completes the sign-in: it is both factors,
//! so the session counts as 2FA-complete. A security key without a PIN stays a second step.
//!
//! Failures give one answer whatever failed (`PasskeyFailed`), are audited with the reason,
//! and count against the source address and, once the account is known, the account — as
//! wrong passwords do; a locked account or address is refused before anything is checked.

use serde_json::Value;

use crate::audit::{AuditEvent, Outcome, PasskeyFailure};
use crate::error::{Error, Result};
use crate::model::{RequestMeta, SessionKind, User};
use crate::secret::Token;
use crate::store::{
    AuditLog, CeremonyPurpose, Store, StoredCredential, Throttle, Transaction, Users, WebauthnStore,
};
use crate::throttle::Guess;
use crate::webauthn::{self, Refusal, Verification};

use super::{CeremonyStart, user_handle};
use crate::login::Assurance;
use crate::service::Services;
use crate::service::login::{LoginResult, guess_retry_after, throttle_key};

impl<S: Store> Services<S> {
    /// Options for a sign-in with a discoverable passkey.
    pub async fn start_passkey_login(&self, _meta: &RequestMeta) -> Result<CeremonyStart> {
        let (public_key, state) = self
            .relying_party()?
            .start_authentication(&[], Verification::Required)
            .map_err(|r| Error::internal_msg(format!("{r:?}")))?;
        let mut tx = self.store.begin().await?;
        let ceremony = self
            .keep_ceremony(&mut tx, CeremonyPurpose::Passkey, None, None, &state)
            .await?;
        tx.commit().await?;
        Ok(CeremonyStart {
            ceremony,
            public_key,
        })
    }

    /// Signs in with a passkey's assertion: a complete session, or `PasskeyFailed`.
    pub async fn login_with_passkey(
        &self,
        ceremony: &Token,
        answer: &Value,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let now = self.now();
        let policy = self.settings.throttle;
        {
            let mut tx = self.store.begin_read().await?;
            if let Some(ip) = meta.ip.as_deref()
                && let Some(retry_after_secs) =
                    guess_retry_after(&mut tx, &policy, "passkey:", Some(ip), now).await?
            {
                return Err(Error::TooManyAttempts { retry_after_secs });
            }
        }
        let mut tx = self.store.begin().await?;
        let taken = tx
            .take_webauthn_ceremony(&ceremony.digest(), CeremonyPurpose::Passkey, now)
            .await?
            .ok_or(Error::InvalidCeremony)?;
        let Ok(assertion) = webauthn::parse_assertion(answer) else {
            return self
                .passkey_failed(tx, None, PasskeyFailure::InvalidAssertion, meta)
                .await;
        };
        let named = webauthn::encode_id(&assertion.raw_id);
        let key = tx.webauthn_credential_by_credential_id(&named).await?;
        // The user handle must name the key's owner: a key cannot speak for another account.
        let owner = key.as_ref().filter(|k| {
            assertion.response.user_handle.as_deref()
                == Some(user_handle(&k.credential.user_id).as_slice())
        });
        let (Some(key), Some(user)) = (owner, self.owner_of(&mut tx, owner).await?) else {
            return self
                .passkey_failed(tx, None, PasskeyFailure::UnknownCredential, meta)
                .await;
        };
        if user.locked_at.is_some() {
            return Err(Error::AccountLocked);
        }
        let account = throttle_key(user.email.as_str());
        if let Some(retry_after_secs) =
            guess_retry_after(&mut tx, &policy, &account, None, now).await?
        {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
        if !key.credential.passkey {
            return self
                .passkey_failed(tx, Some(&user), PasskeyFailure::NotAPasskey, meta)
                .await;
        }
        let verified = match self.relying_party()?.finish_authentication(
            &taken.state,
            &assertion,
            &key.record,
            key.sign_count,
        ) {
            Ok(verified) if verified.user_verified => verified,
            Err(Refusal::CounterWentBack) => {
                let presented = webauthn::presented_count(&assertion).unwrap_or(0);
                self.audit_clone_suspected(&mut tx, key, presented, &user, meta)
                    .await?;
                return self
                    .passkey_failed(tx, Some(&user), PasskeyFailure::CounterWentBack, meta)
                    .await;
            }
            _ => {
                return self
                    .passkey_failed(tx, Some(&user), PasskeyFailure::InvalidAssertion, meta)
                    .await;
            }
        };
        if !tx
            .record_webauthn_use(
                &key.credential.id,
                key.sign_count,
                verified.sign_count,
                verified.backup_state,
                now,
            )
            .await?
        {
            return self
                .passkey_failed(tx, Some(&user), PasskeyFailure::InvalidAssertion, meta)
                .await;
        }
        tx.clear_account(&account).await?;
        let (token, session) = self
            .open_session(
                &mut tx,
                &user,
                kind,
                meta,
                Assurance::passkey(verified.backup_eligible),
                "passkey",
            )
            .await?;
        tx.commit().await?;
        Ok(LoginResult::Complete {
            token,
            session,
            user,
        })
    }

    async fn owner_of(
        &self,
        tx: &mut S::Tx,
        key: Option<&StoredCredential>,
    ) -> Result<Option<User>> {
        match key {
            Some(k) => tx.user_by_id(&k.credential.user_id).await,
            None => Ok(None),
        }
    }

    /// Counts and audits a failed passkey sign-in in the transaction that took its ceremony.
    async fn passkey_failed(
        &self,
        mut tx: S::Tx,
        user: Option<&User>,
        reason: PasskeyFailure,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let now = self.now();
        let policy = self.settings.throttle;
        match user {
            Some(user) => {
                let key = throttle_key(user.email.as_str());
                self.count_guess_failure(&mut tx, &key, meta, now, Guess::Code)
                    .await?;
            }
            None => {
                if let Some(ip) = &meta.ip {
                    tx.count_address_failure(ip, now, policy.address_window_start(now))
                        .await?;
                }
            }
        }
        let mut event = AuditEvent::new(reason, Outcome::Failure, now, meta);
        if let Some(user) = user {
            event = event.by_self(&user.id, &user.contract_id);
        }
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::PasskeyFailed)
    }
}
