//! Changing one's password (seed 001): the old password is required, the new one must meet the
//! policy, and every other session of the user ends (the change is "effective with the next
//! login"). A wrong old password counts as a failed guess against the account throttle.

use crate::audit::{AuditEvent, AuditKind, Outcome};
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::password::{Password, check_policy};
use crate::store::{AuditLog, Sessions, Store, Throttle, Transaction, Users};

use super::Services;
use super::sessions::Authenticated;

impl<S: Store> Services<S> {
    pub async fn change_password(
        &self,
        auth: &Authenticated,
        old: &Password,
        new: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let key = format!("login:{}", user.email.key());
        let policy = self.settings.throttle;
        {
            let mut tx = self.store.begin_read().await?;
            let counter = tx.account_counter(&key).await?;
            if let Some(retry_after_secs) = policy.account_retry_after(&counter, self.now()) {
                return Err(Error::TooManyAttempts { retry_after_secs });
            }
        }
        if !self
            .hasher
            .verify(old, user.password_hash.as_deref())
            .await?
        {
            let now = self.now();
            let mut tx = self.store.begin().await?;
            let counted = tx.count_account_failure(&key, now).await?;
            if let Some(until) = policy.lock_after_failure(&counted, now) {
                tx.lock_account(&key, until).await?;
            }
            let event =
                AuditEvent::new(AuditKind::PasswordChangeFailed, Outcome::Failure, now, meta)
                    .by_self(&user.id, &user.contract_id)
                    .detail(serde_json::json!({ "reason": "invalid_password" }));
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidPassword);
        }
        check_policy(new, Some(&user.email)).map_err(Error::WeakPassword)?;
        let phc = self.hasher.hash(new).await?;

        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(&user.id, &phc).await?;
        tx.clear_account(&key).await?;
        let revoked = tx
            .revoke_other_sessions(&user.id, Some(&auth.session.id), now)
            .await?;
        let event = AuditEvent::new(AuditKind::PasswordChanged, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id)
            .detail(serde_json::json!({ "other_sessions_revoked": revoked }));
        tx.append_audit(&event).await?;
        tx.commit().await
    }
}
