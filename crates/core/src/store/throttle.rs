//! Storage of the login throttles: per-account counters and per-address failure windows. The
//! arithmetic is [`crate::throttle`]'s; the store makes every count atomic across nodes.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::throttle::{AccountCounter, AddressWindow};

/// Failure counters shared by every node (see [`crate::throttle`]).
pub trait Throttle {
    fn account_counter(&mut self, key: &str)
    -> impl Future<Output = Result<AccountCounter>> + Send;
    /// Adds one failure atomically and returns the counter after it.
    fn count_account_failure(
        &mut self,
        key: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<AccountCounter>> + Send;
    /// Starts a lockout: sets `locked_until`, adds one to `lockouts`, clears `failures`.
    fn lock_account(
        &mut self,
        key: &str,
        until: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn clear_account(&mut self, key: &str) -> impl Future<Output = Result<()>> + Send;
    /// Records a failure of this address and forgets its failures older than `forget_before`.
    fn count_address_failure(
        &mut self,
        ip: &str,
        now: UnixTime,
        forget_before: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Failures of this address strictly after `since`.
    fn address_window(
        &mut self,
        ip: &str,
        since: UnixTime,
    ) -> impl Future<Output = Result<AddressWindow>> + Send;
}
