//! Queueing what people are told. Every message goes through here: the notice is sealed under
//! the sealing key (associated data: the outbox row's id) and written to the outbox in the
//! caller's transaction, so it is sent if and only if the change that causes it commits.

use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta, User};
use crate::notice::{AddressedNotice, ChangedBy, Channel, Notice, SecurityEvent};
use crate::secret::Token;
use crate::store::{Outbox, OutboxMessage, OutboxMessageId, PasswordLinks, Store};

use super::Services;

impl<S: Store> Services<S> {
    /// Seals `notice` and queues it for `recipient` (an address of `person`, whose language and
    /// time zone it is written in) in `tx`.
    pub(crate) async fn enqueue_notice<T: Outbox + Send>(
        &self,
        tx: &mut T,
        channel: Channel,
        recipient: &str,
        person: &User,
        notice: &Notice,
        now: UnixTime,
    ) -> Result<()> {
        let id = OutboxMessageId::generate();
        let addressed = AddressedNotice {
            notice,
            locale: person.locale(self.settings.default_language),
        };
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(&addressed).map_err(Error::internal)?);
        let sealed = self.keys.sealing.seal(&plain, id.as_str().as_bytes())?;
        tx.enqueue(&OutboxMessage {
            id,
            channel,
            recipient: recipient.to_owned(),
            kind: notice.kind(),
            sealed,
            created_at: now,
        })
        .await
    }

    /// Tells the account holder by email that `event` happened, made with their own
    /// credentials (their password, session, a factor, a recovery code, a link or code sent to
    /// them): the message carries a single-use "this wasn't me" link that locks the account.
    pub(crate) async fn notify_security<T: Outbox + PasswordLinks + Send>(
        &self,
        tx: &mut T,
        user: &User,
        event: SecurityEvent,
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        self.notify_security_by(tx, user, event, ChangedBy::Holder, meta, now)
            .await
    }

    /// A single-use "this wasn't me" token that locks `user`'s account, stored as a digest; the
    /// token itself goes only into the notice.
    pub(crate) async fn issue_lock_token<T: PasswordLinks + Send>(
        &self,
        tx: &mut T,
        user: &User,
        now: UnixTime,
    ) -> Result<String> {
        let lock = Token::generate();
        tx.insert_password_link(
            &lock.digest(),
            &user.id,
            LinkPurpose::Lock,
            now.plus_secs(self.settings.lock_link_secs),
        )
        .await?;
        Ok(lock.expose().to_owned())
    }

    /// Tells the account holder by email that `event` happened, made by `by`. Only a change
    /// made with the holder's own credentials gets a lock link; for anyone else's change no lock
    /// token is even issued, so no link exists that could lock the account over it.
    pub(crate) async fn notify_security_by<T: Outbox + PasswordLinks + Send>(
        &self,
        tx: &mut T,
        user: &User,
        event: SecurityEvent,
        by: ChangedBy,
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        let lock_token = if by.offers_lock() {
            Some(self.issue_lock_token(tx, user, now).await?)
        } else {
            None
        };
        let notice = Notice::Security {
            email: user.email.to_string(),
            event,
            at: now.0,
            ip: meta.ip.clone(),
            by,
            lock_token,
        };
        self.enqueue_notice(tx, Channel::Email, user.email.as_str(), user, &notice, now)
            .await
    }
}
