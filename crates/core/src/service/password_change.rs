//! Changing one's password: the old password is required, the new one must meet the
//! policy, and every other session of the user ends (the change is "effective with the next
//! login"). The old password is checked by the shared re-entry step,
//! [`Services::confirm_password`] in `login/confirm.rs`.

use crate::audit::{AuditEvent, Outcome, PasswordChangeFailed, PasswordChanged};
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::notice::SecurityEvent;
use crate::password::{Password, PolicyViolation, policy_violations};
use crate::store::{
    AuditLog, LoginTickets, RememberedBrowsers, Sessions, Store, Throttle, Transaction, Users,
};

use super::login::throttle_key;
use super::{Authenticated, Services};

impl<S: Store> Services<S> {
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
        // A remembered browser skips the second step: it ends with the password it followed.
        tx.forget_remembered_browsers_of_user(&user.id).await?;
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
