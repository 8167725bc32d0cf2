//! Changing one's password: the old password is required, the new one must meet the
//! policy, and every other session of the user ends (the change is "effective with the next
//! login"). Also home of [`Services::confirm_password`], the re-entry of the current password
//! that guards every sensitive change; a wrong one counts as a guess against the account throttle.

use crate::audit::{AuditDetail, AuditEvent, Outcome, PasswordChangeFailed, PasswordChanged};
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::notice::SecurityEvent;
use crate::password::{Password, PolicyViolation, policy_violations};
use crate::store::{AuditLog, LoginTickets, Sessions, Store, Throttle, Transaction, Users};

use super::login::throttle_key;
use super::{Authenticated, Services};

impl<S: Store> Services<S> {
    /// [`Services::confirm_password`] for a change whose form always has the field: an empty
    /// password is a form left incomplete ("enter your current password to `action`"), not a
    /// guess, so it is refused without being counted.
    pub(crate) async fn confirm_entered_password(
        &self,
        auth: &Authenticated,
        password: &Password,
        action: &str,
        failure: impl Into<AuditDetail>,
        meta: &RequestMeta,
    ) -> Result<()> {
        if password.expose().is_empty() {
            return Err(Error::Validation(format!(
                "enter your current password to {action}"
            )));
        }
        self.confirm_password(auth, password, failure, meta).await
    }

    /// Checks the signed-in person's current password before a sensitive change. A wrong password
    /// is audited as `failure` (its kind's `invalid_password`) and counted against the account.
    pub(crate) async fn confirm_password(
        &self,
        auth: &Authenticated,
        password: &Password,
        failure: impl Into<AuditDetail>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let key = throttle_key(user.email.as_str());
        {
            let mut tx = self.store.begin_read().await?;
            let counter = tx.account_counter(&key).await?;
            if let Some(retry_after_secs) = self
                .settings
                .throttle
                .account_retry_after(&counter, self.now())
            {
                return Err(Error::TooManyAttempts { retry_after_secs });
            }
        }
        if self
            .hasher
            .verify(password, user.password_hash.as_deref())
            .await?
        {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.count_guess_failure(&mut tx, &key, meta, now, crate::throttle::Guess::Password)
            .await?;
        let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::InvalidPassword)
    }

    pub async fn change_password(
        &self,
        auth: &Authenticated,
        old: &Password,
        new: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        self.confirm_password(auth, old, PasswordChangeFailed::InvalidPassword, meta)
            .await?;
        let mut broken = policy_violations(new, Some(&user.email));
        // `old` was just verified against the stored hash: a new password equal to it would
        // change nothing while the person believes it changed.
        if new.expose() == old.expose() {
            broken.push(PolicyViolation::SameAsCurrent);
        }
        broken.into_result().map_err(Error::WeakPassword)?;
        let phc = self.hasher.hash(new).await?;

        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(&user.id, &phc).await?;
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        let revoked = tx
            .revoke_other_sessions(&user.id, Some(&auth.session.id), now)
            .await?;
        tx.void_tickets_of_user(&user.id, now).await?;
        let changed = PasswordChanged {
            other_sessions_revoked: revoked,
        };
        let event = AuditEvent::new(changed, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(&mut tx, user, SecurityEvent::PasswordChanged, meta, now)
            .await?;
        tx.commit().await
    }
}
