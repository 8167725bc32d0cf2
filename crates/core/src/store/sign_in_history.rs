//! Storage of where an account signed in from: one row per browser family and network, with
//! when it was last seen. The "new sign-in" notice asks it whether a sign-in is news.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::UserId;

pub trait SignInHistory {
    /// Records that the user signed in with `family` from `network` at `at` (a later time
    /// replaces an earlier one).
    fn record_sign_in(
        &mut self,
        user: &UserId,
        family: &str,
        network: &str,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Has the user any recorded sign-in at all?
    fn has_sign_in_history(&mut self, user: &UserId) -> impl Future<Output = Result<bool>> + Send;
    /// Was `family` seen for the user (from any network) at or after `since`?
    fn family_seen_since(
        &mut self,
        user: &UserId,
        family: &str,
        since: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Was `network` seen for the user (with any family) at or after `since`?
    fn network_seen_since(
        &mut self,
        user: &UserId,
        network: &str,
        since: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
}
