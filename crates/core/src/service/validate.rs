//! `POST /api/v1/validate`: a gateway (VPN, SSH, RADIUS, PAM) holding a service token checks one
//! second-factor code of a user in one request, as privacyIDEA's `/validate/check` does.
//!
//! The rules are the login's second step without the ticket and without a session: a TOTP step
//! is accepted at most once (the same conditional advance of the last step, so a code checked
//! here no longer works at a login and the other way round), a recovery code burns, wrong codes
//! count against the account throttle (and against the client's address when the gateway names
//! it), a throttled account answers `TooManyAttempts`, and every check is audited with the
//! service's name. A locked account, an unknown user or a user without a factor is a plain "no".

use crate::audit::{AuditDetail, AuditEvent, Outcome, ValidateFailure, ValidateSuccess};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{RequestMeta, User};
use crate::store::{
    AuditLog, GatewayLookup, Store, StoredTotp, Throttle, TotpFactors, Transaction,
};
use crate::throttle::AccountCounter;

use super::login::{retry_after_with, throttle_key};
use super::{AuthenticatedService, Services};

impl<S: Store> Services<S> {
    /// Is `code` a valid second factor of `username` right now? `client.ip` is the address of
    /// the person at the gateway, if the gateway says; `Ok(false)` for every wrong answer.
    pub async fn validate_code(
        &self,
        service: &AuthenticatedService,
        username: &str,
        code: &str,
        client: &RequestMeta,
    ) -> Result<bool> {
        let now = self.now();
        let policy = self.settings.throttle;
        let key = throttle_key(username);
        // Everything happens in one write transaction: the user, their factor and the counter
        // come in one read, then a good code is used up with its audit row, or a wrong one is
        // counted with its audit row.
        let mut tx = self.store.begin().await?;
        let email_key = Email::parse(username).map(|e| e.key()).unwrap_or_default();
        let GatewayLookup {
            user,
            totp,
            counter,
        } = tx.gateway_lookup(&email_key, &key).await?;
        let retry = retry_after_with(&mut tx, &policy, &counter, client.ip.as_deref(), now).await?;
        let counted = counter != AccountCounter::default();
        let event = |detail: AuditDetail, outcome: Outcome| {
            let mut event = AuditEvent::new(detail, outcome, now, client);
            if let Some(u) = &user {
                event = event.by_self(&u.id, &u.contract_id);
            }
            event
        };
        if let Some(retry_after_secs) = retry {
            let detail = ValidateFailure {
                service: service.name.clone(),
                reason: "throttled",
            };
            tx.append_audit(&event(detail.into(), Outcome::Denied))
                .await?;
            tx.commit().await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        if let Some(user) = user.as_ref().filter(|u| u.locked_at.is_none())
            && self
                .accept_code(&mut tx, user, totp, service, code, client, counted)
                .await?
        {
            tx.commit().await?;
            return Ok(true);
        }
        let reason = match &user {
            Some(u) if u.locked_at.is_some() => "account_locked",
            _ => "invalid_code",
        };
        self.count_guess_failure(&mut tx, &key, client, now, crate::throttle::Guess::Code)
            .await?;
        let detail = ValidateFailure {
            service: service.name.clone(),
            reason,
        };
        tx.append_audit(&event(detail.into(), Outcome::Failure))
            .await?;
        tx.commit().await?;
        Ok(false)
    }

    /// Uses the code up in `tx` if it is good (the current TOTP step, else one recovery code),
    /// with its audit row; false, with nothing written, when it is not. The caller commits.
    #[allow(clippy::too_many_arguments)]
    async fn accept_code(
        &self,
        tx: &mut S::Tx,
        user: &User,
        totp: Option<StoredTotp>,
        service: &AuthenticatedService,
        code: &str,
        client: &RequestMeta,
        counted: bool,
    ) -> Result<bool> {
        let now = self.now();
        let method = self.use_gateway_code(tx, user, totp, code, client).await?;
        let Some(method) = method else {
            return Ok(false);
        };
        // A success clears the account's failures; with none counted there is nothing to clear.
        if counted {
            tx.clear_account(&throttle_key(user.email.as_str())).await?;
        }
        let success = ValidateSuccess {
            service: service.name.clone(),
            method,
        };
        let ok = AuditEvent::new(success, Outcome::Success, now, client)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&ok).await?;
        Ok(true)
    }
}
