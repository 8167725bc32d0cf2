//! Storage of setup links: the one-time links printed at the shell that let the first owner
//! register while registration is closed. Found by digest; used up by one conditional write.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::secret::TokenDigest;

/// One-time links that let the first owner register when registration is closed.
pub trait SetupTokens {
    /// Stores a new link and voids every unused older one: only the link printed last works.
    fn insert_setup_token(
        &mut self,
        digest: &TokenDigest,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Is this token unused and unexpired? Does not consume it.
    fn setup_token_valid(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Consumes the token in one conditional write; false if it was used, expired or unknown.
    fn consume_setup_token(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
}
