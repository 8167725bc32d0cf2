//! Renewing an invitation: an administrator gives a person who has not chosen a password yet a
//! new link, either emailed again ("Send again") or handed over by the administrator ("Copy
//! invitation link"), for a lost or expired email or a server without a mail transport. A person
//! has one working invitation link at a time: the new one voids every older one, so a link that
//! went astray stops working. The link exists in clear only in the queued (sealed) email or in
//! the answer to the administrator; the database keeps its digest.

use crate::UnixTime;
use crate::audit::InvitationRenewed;
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta, SessionId, User, UserId};
use crate::notice::{Channel, Notice};
use crate::secret::Token;
use crate::store::{AuditLog, PasswordLinks, Store, Transaction};

use super::held::HeldInvitation;
use super::{AdminSession, Services};

/// What happens to a renewed invitation link besides voiding the older ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationDelivery<'a> {
    /// Queued as an invitation email, like the first one.
    Email,
    /// For the administrator to copy and give to the person: held for the administrator's
    /// session, in this transaction, for the user page the form redirects to.
    CopyOnPage(&'a SessionId),
}

impl<S: Store> Services<S> {
    /// A new invitation link for `id`, who must not have chosen a password yet; every older
    /// invitation link of theirs stops working. The link is emailed, or held for the
    /// administrator's page; it is never returned, so it cannot end up anywhere else.
    pub async fn renew_invitation(
        &self,
        admin: &AdminSession,
        id: &UserId,
        delivery: InvitationDelivery<'_>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = self.managed_target(&mut tx, admin, id).await?;
        if user.password_hash.is_some() {
            return Err(Error::Conflict(
                "this person has already accepted the invitation and chosen a password",
            ));
        }
        tx.void_password_links(&user.id, LinkPurpose::Invite, now)
            .await?;
        let emailed = delivery == InvitationDelivery::Email;
        let token = self.issue_invitation(&mut tx, &user, emailed, now).await?;
        if let InvitationDelivery::CopyOnPage(session) = delivery {
            let held = HeldInvitation {
                user: user.id.0.clone(),
                token: token.expose().to_owned(),
            };
            self.hold_in(&mut tx, session, &held).await?;
        }
        let mut event = admin.event(InvitationRenewed { emailed }, now, meta);
        event.subject = Some(user.id.clone());
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    /// Stores a new single-use invitation link for `user` and, when `email`, queues the
    /// invitation that carries it (delivered by the outbox worker).
    pub(super) async fn issue_invitation(
        &self,
        tx: &mut S::Tx,
        user: &User,
        email: bool,
        now: UnixTime,
    ) -> Result<Token> {
        let link = Token::generate();
        tx.insert_password_link(
            &link.digest(),
            &user.id,
            LinkPurpose::Invite,
            now.plus_secs(self.settings.invitation_secs),
        )
        .await?;
        if email {
            let notice = Notice::Invitation {
                email: user.email.to_string(),
                token: link.expose().to_owned(),
                valid_days: self.settings.invitation_secs / (24 * 3600),
            };
            self.enqueue_notice(tx, Channel::Email, user.email.as_str(), user, &notice, now)
                .await?;
        }
        Ok(link)
    }
}
