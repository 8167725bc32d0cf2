//! A code checked outside a login's ticket, by a gateway (`/validate`, RADIUS): the current
//! TOTP step of the account's authenticator, else one of its recovery codes. The same
//! conditional writes as the login's second step use the code up (the step advances, the
//! recovery code burns), so a code used at a gateway no longer works at a login and the other
//! way round. The caller audits its own decision and commits.

use crate::audit::{AuditEvent, Outcome, RecoveryUsed};
use crate::error::Result;
use crate::model::{RequestMeta, User};
use crate::notice::SecurityEvent;
use crate::recovery::RecoveryCode;
use crate::store::{AuditLog, RecoveryCodes, Store, StoredTotp, TotpFactors};
use crate::totp;

use crate::service::Services;

impl<S: Store> Services<S> {
    /// Uses `code` up in `tx` if it is good: `totp` or `recovery_code` (with the recovery code's
    /// own audit row and notice); `None`, with nothing written, when it is not.
    pub(crate) async fn use_gateway_code(
        &self,
        tx: &mut S::Tx,
        user: &User,
        totp: Option<StoredTotp>,
        code: &str,
        client: &RequestMeta,
    ) -> Result<Option<&'static str>> {
        let now = self.now();
        if let Some(active) = totp {
            let secret = self.unseal_totp(&user.id, &active)?;
            if let Some(step) = totp::verify(&secret, &active.params, code, now, active.last_step)
                && tx.advance_totp_step(&user.id, step).await?
            {
                return Ok(Some("totp"));
            }
        }
        if let Some(rc) = RecoveryCode::parse(code)
            && tx
                .consume_recovery_code(&user.id, &rc.digest(&self.keys.recovery), now)
                .await?
        {
            let left = tx.recovery_codes_left(&user.id).await?;
            let used = AuditEvent::new(
                RecoveryUsed::Validate { left },
                Outcome::Success,
                now,
                client,
            )
            .by_self(&user.id, &user.contract_id);
            tx.append_audit(&used).await?;
            self.notify_security(
                tx,
                user,
                SecurityEvent::RecoveryCodeUsed { left },
                client,
                now,
            )
            .await?;
            return Ok(Some("recovery_code"));
        }
        Ok(None)
    }
}
