//! Recovery codes, one file for the factor: a code as the second step of a login (one code used
//! up), a new set on request (password required; the old set is void), and recovery from a lost
//! phone: username, password and one recovery code remove two-factor authentication from the
//! account entirely and log in. The ticket, the guess counting and the session are
//! [`super::login`]'s.

use crate::audit::{
    AuditDetail, AuditEvent, Outcome, RecoveryRegenerated, RecoveryUsed, SecondFactorFailure,
    TwoFactorRemovedByRecovery,
};
use crate::error::{Error, Result};
use crate::login::{Assurance, Factor, Method};
use crate::model::{RequestMeta, SessionKind, TicketPurpose};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::recovery::{self, RecoveryCode};
use crate::secret::Token;
use crate::store::{
    AuditLog, OidcGrants, PushStore, RecoveryCodes, RememberedBrowsers, Sessions, Store, Throttle,
    TotpFactors, Transaction, WebauthnStore,
};

use super::held::CodesOccasion;
use super::login::{LoginResult, throttle_key};
use super::{Authenticated, Services};

impl<S: Store> Services<S> {
    pub async fn login_with_recovery_code(
        &self,
        ticket: &Token,
        code: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let mut looked = None;
        if let Some(code) = RecoveryCode::parse(code) {
            let mut tx = self.store.begin().await?;
            if tx
                .consume_recovery_code(&user.id, &code.digest(&self.keys.recovery), self.now())
                .await?
            {
                let now = self.now();
                let left = tx.recovery_codes_left(&user.id).await?;
                let event =
                    AuditEvent::new(RecoveryUsed::Login { left }, Outcome::Success, now, meta)
                        .by_self(&user.id, &user.contract_id);
                tx.append_audit(&event).await?;
                self.notify_security(
                    &mut tx,
                    &user,
                    SecurityEvent::RecoveryCodeUsed { left },
                    meta,
                    now,
                )
                .await?;
                return self
                    .finish_second_step(tx, &t, user, Factor::RecoveryCode, kind, meta)
                    .await;
            }
            looked = Some(tx);
        }
        self.second_step_failed(looked, &t, &user, Method::RecoveryCode, meta)
            .await
    }
}

impl<S: Store> Services<S> {
    pub async fn regenerate_recovery_codes(
        &self,
        auth: &Authenticated,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<Vec<RecoveryCode>> {
        let user = &auth.user;
        if !self.two_factor_summary(user).await?.enabled {
            return Err(Error::TwoFactorNotEnabled);
        }
        self.confirm_password(auth, password, RecoveryRegenerated::InvalidPassword, meta)
            .await?;
        let codes = recovery::generate_set();
        let digests: Vec<String> = codes
            .iter()
            .map(|c| c.digest(&self.keys.recovery))
            .collect();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let enrolment = match tx.active_totp(&user.id).await? {
            Some(active) => Some(self.enrolment_of(user, &active)?),
            None => None,
        };
        tx.replace_recovery_codes(&user.id, &digests, now).await?;
        self.store_kit(
            &mut tx,
            &auth.session.id,
            &codes,
            enrolment.as_ref(),
            CodesOccasion::Regenerated,
        )
        .await?;
        let event = AuditEvent::new(
            RecoveryRegenerated::Regenerated,
            Outcome::Success,
            now,
            meta,
        )
        .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(
            &mut tx,
            user,
            SecurityEvent::RecoveryCodesRegenerated,
            meta,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// A recovery code removes two-factor authentication from the account (the way back after a
    /// lost phone).
    /// Every factor, every recovery code and every other session go; a new session opens.
    pub async fn recover_account(
        &self,
        username: &str,
        password: &Password,
        code: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let user = self.check_password(username, password, meta).await?;
        let now = self.now();
        let key = throttle_key(user.email.as_str());
        if let Some(code) = RecoveryCode::parse(code) {
            let mut tx = self.store.begin().await?;
            if tx
                .consume_recovery_code(&user.id, &code.digest(&self.keys.recovery), now)
                .await?
            {
                tx.delete_totp(&user.id).await?;
                tx.delete_push_devices_of_user(&user.id).await?;
                tx.delete_webauthn_credentials_of_user(&user.id).await?;
                tx.delete_recovery_codes(&user.id).await?;
                // A remembered browser stands in for a factor: it goes with them.
                tx.forget_remembered_browsers_of_user(&user.id).await?;
                let revoked = tx.revoke_other_sessions(&user.id, None, now).await?;
                // Applications' tokens end with the sessions: whoever took the account over keeps none.
                tx.revoke_tokens_of_user(&user.id, None, now).await?;
                tx.clear_account(&key).await?;
                for detail in [
                    AuditDetail::from(RecoveryUsed::RemovedTwoFactor {
                        sessions_revoked: revoked,
                    }),
                    AuditDetail::from(TwoFactorRemovedByRecovery {
                        sessions_revoked: revoked,
                    }),
                ] {
                    let event = AuditEvent::new(detail, Outcome::Success, now, meta)
                        .by_self(&user.id, &user.contract_id);
                    tx.append_audit(&event).await?;
                }
                self.notify_security(
                    &mut tx,
                    &user,
                    SecurityEvent::TwoFactorRemovedByRecovery,
                    meta,
                    now,
                )
                .await?;
                let (token, session) = self
                    .open_session(
                        &mut tx,
                        &user,
                        kind,
                        meta,
                        Assurance::recovered(),
                        "recovery",
                    )
                    .await?;
                tx.commit().await?;
                return Ok(LoginResult::Complete {
                    token,
                    session,
                    user,
                });
            }
        }
        let mut tx = self.store.begin().await?;
        self.count_guess_failure(&mut tx, &key, meta, now, crate::throttle::Guess::Code)
            .await?;
        let failure = SecondFactorFailure::Recover {
            method: Method::RecoveryCode,
        };
        let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::SecondFactorFailed)
    }
}
