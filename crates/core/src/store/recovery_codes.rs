//! Storage of recovery codes: only their keyed digests, each burnt by one conditional write.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::UserId;

/// Recovery codes by their keyed digest.
pub trait RecoveryCodes {
    /// Voids every code of the user and stores the new set.
    fn replace_recovery_codes(
        &mut self,
        user: &UserId,
        digests: &[String],
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Burns one unused code in one conditional write; false if unknown or already used.
    fn consume_recovery_code(
        &mut self,
        user: &UserId,
        digest: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn recovery_codes_left(&mut self, user: &UserId) -> impl Future<Output = Result<i64>> + Send;
    fn delete_recovery_codes(&mut self, user: &UserId) -> impl Future<Output = Result<()>> + Send;
}
