//! "This wasn't me": every security notice carries a single-use link that locks the account. A
//! lock revokes every session and refuses every login (423) until an administrator of the
//! contract or the operator unlocks it; the contract's owner is alerted by email. Unlocking lives
//! with the other administrator acts in `admin.rs`.

use crate::audit::{AccountLocked, AuditEvent, Outcome};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta, Role, User};
use crate::notice::{Channel, Notice};
use crate::secret::Token;
use crate::store::{
    AuditLog, LoginTickets, OidcGrants, PasswordLinks, RememberedBrowsers, Sessions, Store,
    Transaction, Users,
};

use super::Services;

impl<S: Store> Services<S> {
    /// `GET /lock?token=…`: does this link still lock an account? Does not consume it.
    pub async fn lock_link_valid(&self, token: &Token) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        tx.password_link_valid(&token.digest(), LinkPurpose::Lock, self.now())
            .await
    }

    /// Uses the link up and locks its account. A used, expired or unknown link is
    /// `InvalidLink`. Locking an account that is already locked changes nothing but the link.
    pub async fn lock_account(&self, token: &Token, meta: &RequestMeta) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user_id = tx
            .consume_password_link(&token.digest(), LinkPurpose::Lock, now)
            .await?
            .ok_or(Error::InvalidLink)?;
        let user = tx.user_by_id(&user_id).await?.ok_or(Error::InvalidLink)?;
        if user.locked_at.is_some() {
            tx.commit().await?;
            return Ok(());
        }
        self.lock_user_in(&mut tx, &user, meta, "security_notice", now)
            .await?;
        tx.commit().await
    }

    /// Locks `user` inside the caller's transaction: the flag, every session and half-done
    /// login ends, the audit row, and an alert to the contract's owners. Shared by the lock link
    /// and the companion app's "this wasn't me".
    pub(crate) async fn lock_user_in(
        &self,
        tx: &mut S::Tx,
        user: &User,
        meta: &RequestMeta,
        via: &'static str,
        now: UnixTime,
    ) -> Result<()> {
        tx.set_locked(&user.id, Some(now)).await?;
        let revoked = tx.revoke_other_sessions(&user.id, None, now).await?;
        // Applications' tokens end with the sessions: whoever took the account over keeps none.
        tx.revoke_tokens_of_user(&user.id, None, now).await?;
        tx.void_tickets_of_user(&user.id, now).await?;
        // Whoever took the account over keeps no browser that skips the second step.
        tx.forget_remembered_browsers_of_user(&user.id).await?;
        let locked = AccountLocked {
            sessions_revoked: revoked,
            via,
        };
        let event = AuditEvent::new(locked, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        let alert = Notice::AccountLocked {
            user_email: user.email.to_string(),
            at: now.0,
            ip: meta.ip.clone(),
        };
        for owner in tx
            .users_of_contract(&user.contract_id)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Owner)
        {
            self.enqueue_notice(
                tx,
                Channel::Email,
                owner.email.as_str(),
                &owner,
                &alert,
                now,
            )
            .await?;
        }
        Ok(())
    }
}
