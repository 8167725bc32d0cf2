//! Storage of remembered browsers (the public halves of their key pairs) and of the challenge a
//! login ticket's browser signs.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{RememberedBrowser, RememberedBrowserId, TicketId, UserId};

pub trait RememberedBrowsers {
    /// Records a browser; the same key registered again (same id) replaces its dates.
    fn insert_remembered_browser(
        &mut self,
        browser: &RememberedBrowser,
    ) -> impl Future<Output = Result<()>> + Send;
    /// One browser by its id, whoever it belongs to, expired or not.
    fn remembered_browser(
        &mut self,
        id: &RememberedBrowserId,
    ) -> impl Future<Output = Result<Option<RememberedBrowser>>> + Send;
    /// The user's browsers whose date is after `now`, newest first.
    fn remembered_browsers_of_user(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<RememberedBrowser>>> + Send;
    /// Records a use: when and from where.
    fn touch_remembered_browser(
        &mut self,
        id: &RememberedBrowserId,
        at: UnixTime,
        ip: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Forgets one of the user's browsers; false when the user has none with this id.
    fn forget_remembered_browser(
        &mut self,
        user: &UserId,
        id: &RememberedBrowserId,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Forgets every browser of the user; how many there were.
    fn forget_remembered_browsers_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Sets the challenge a browser must sign for this ticket (replacing an earlier one).
    fn set_browser_challenge(
        &mut self,
        ticket: &TicketId,
        challenge: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes the ticket's challenge if it is this one: a conditional update that clears it, so
    /// a signature over it counts once. False when it was not (or no longer) the challenge.
    fn take_browser_challenge(
        &mut self,
        ticket: &TicketId,
        challenge: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
}
