//! Accepting an invitation: a person an administrator created without a password follows the
//! single-use link from their invitation and chooses one. The link is consumed in the same
//! transaction that sets the password, so of two uses only one can win; a used, expired or
//! unknown link is refused without saying which.

use crate::audit::{AuditEvent, AuditKind, Outcome};
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta};
use crate::password::{Password, check_policy};
use crate::secret::Token;
use crate::store::{AuditLog, Outbox, Store, Transaction, Users};

use super::Services;

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
        let digest = token.digest();
        // A dead link is refused before paying for a hash; the rest of the policy is checked
        // before it too, except the comparison with the email, which needs the link's user.
        {
            let mut tx = self.store.begin_read().await?;
            if !tx
                .password_link_valid(&digest, LinkPurpose::Invite, self.now())
                .await?
            {
                return Err(Error::InvalidSetupToken);
            }
        }
        check_policy(password, None).map_err(Error::WeakPassword)?;
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
        let event = AuditEvent::new(AuditKind::InvitationAccepted, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
