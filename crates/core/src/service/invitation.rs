//! Accepting an invitation: a person an administrator created without a password follows the
//! single-use link from their invitation and chooses one. The link is consumed in the same
//! transaction that sets the password, so of two uses only one can win; a used, expired or
//! unknown link is refused without saying which.

use crate::audit::{AuditEvent, InvitationAccepted, Outcome};
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta, SessionKind, UserId};
use crate::password::{Password, check_policy};
use crate::secret::Token;
use crate::store::{AuditLog, PasswordLinks, Store, Transaction, Users};

use super::Services;
use super::login::LoginResult;

impl<S: Store> Services<S> {
    /// `GET /invite?token=…`: may this link still set a password? Does not consume it.
    pub async fn invitation_valid(&self, token: &Token) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        tx.password_link_valid(&token.digest(), LinkPurpose::Invite, self.now())
            .await
    }

    /// `POST /invite`: uses the link up and gives its user `password`. Fails with
    /// `InvalidSetupToken` when the link is used, expired or unknown.
    pub async fn accept_invitation(
        &self,
        token: &Token,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.take_invitation(token, password, meta)
            .await
            .map(|_| ())
    }

    /// The browser's `POST /invite`: the password set, then signed in with it (a second factor
    /// the administrator requires leads into the forced setup, as at any sign-in).
    pub async fn accept_invitation_and_sign_in(
        &self,
        token: &Token,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let user_id = self.take_invitation(token, password, meta).await?;
        self.sign_in_created(&user_id, kind, meta).await
    }

    async fn take_invitation(
        &self,
        token: &Token,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<UserId> {
        let digest = token.digest();
        // A dead link is refused before paying for a hash, and so is a password that breaks
        // the policy: every rule at once, the comparison with the link's user's email included.
        {
            let mut tx = self.store.begin_read().await?;
            let user = match tx
                .password_link_user(&digest, LinkPurpose::Invite, self.now())
                .await?
            {
                Some(id) => tx.user_by_id(&id).await?,
                None => None,
            }
            .ok_or(Error::InvalidSetupToken)?;
            check_policy(password, Some(&user.email)).map_err(Error::WeakPassword)?;
        }
        let phc = self.hasher.hash(password).await?;

        let now = self.now();
        let mut tx = self.store.begin().await?;
        // The single-use guarantee: only the transaction whose conditional write took the link
        // goes on. Returning early drops the transaction, which gives the link back.
        let user_id = tx
            .consume_password_link(&digest, LinkPurpose::Invite, now)
            .await?
            .ok_or(Error::InvalidSetupToken)?;
        let user = tx
            .user_by_id(&user_id)
            .await?
            .ok_or(Error::InvalidSetupToken)?;
        check_policy(password, Some(&user.email)).map_err(Error::WeakPassword)?;
        tx.set_password_hash(&user.id, &phc).await?;
        let event = AuditEvent::new(InvitationAccepted, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(user.id)
    }
}
