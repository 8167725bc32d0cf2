//! Storage of sessions: found by the digest of their token, which itself is never stored.
//! Whether a session is still alive is the caller's policy, not the store's.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{Session, SessionId, UserId};
use crate::secret::TokenDigest;

/// Sessions are found by the digest of their token; the token itself is never stored.
pub trait Sessions {
    fn insert_session(
        &mut self,
        session: &Session,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The unrevoked session with this digest, alive or not: the caller applies the policy.
    fn session_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;
    fn touch_session(
        &mut self,
        id: &SessionId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Unrevoked sessions of a user that have not reached their absolute end, newest first.
    fn sessions_of_user(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;
    /// Revokes one session of this user; false if there was none to revoke.
    fn revoke_session(
        &mut self,
        user: &UserId,
        id: &SessionId,
        at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes every session of the user except `keep`; returns how many were revoked.
    fn revoke_other_sessions(
        &mut self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: UnixTime,
    ) -> impl Future<Output = Result<u64>> + Send;
}
