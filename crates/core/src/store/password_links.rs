//! Storage of the single-use links mailed to people (invitations, password resets, "this wasn't
//! me"): only their digests, each made for one purpose and used up by one conditional write. The
//! message that carries a link is the outbox's; the link itself is stored here.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{LinkPurpose, UserId};
use crate::secret::TokenDigest;

/// Single-use links by digest and purpose; a link made for one purpose never works for another.
pub trait PasswordLinks {
    fn insert_password_link(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        purpose: LinkPurpose,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Is this link unused, unexpired and made for `purpose`? Does not consume it.
    fn password_link_valid(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Whose is this link, if it is unused, unexpired and made for `purpose`? Does not consume
    /// it (so the whole password policy, which needs the user, is checked before a hash).
    fn password_link_user(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<UserId>>> + Send;
    /// Uses the link up in one conditional write and returns whose it was; `None` if it was
    /// used, expired, unknown or made for another purpose.
    fn consume_password_link(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<UserId>>> + Send;
    /// Kills every unused link of this user for `purpose` (a new reset link voids older ones).
    fn void_password_links(
        &mut self,
        user: &UserId,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}
