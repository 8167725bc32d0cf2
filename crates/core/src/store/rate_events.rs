//! Sliding-window rate limits shared by every node: one row per event (an SMS sent, a reset
//! requested), counted over a window. The arithmetic of a limit is [`RateLimit`]; the rows are the
//! store's.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;

/// The events of one scope and subject since some moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateWindow {
    pub count: i64,
    pub oldest: Option<UnixTime>,
}

/// At most `max` events per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: i64,
    pub window_secs: i64,
}

/// The longest window a [`RateLimit`] may have: the sweep deletes events older than this, so a
/// longer window would count too few. [`RateLimit::new`] refuses a longer one (at compile time
/// for a `const` limit).
pub const LONGEST_WINDOW_SECS: i64 = 24 * 3600;

impl RateLimit {
    pub const fn new(max: i64, window_secs: i64) -> Self {
        assert!(
            window_secs <= LONGEST_WINDOW_SECS,
            "a rate window longer than the sweep keeps events"
        );
        RateLimit { max, window_secs }
    }

    /// Where the window to read for this limit starts.
    pub fn since(&self, now: UnixTime) -> UnixTime {
        now.plus_secs(-self.window_secs)
    }

    /// Seconds until one more event is allowed, given the window read since [`Self::since`];
    /// `None` when it is allowed now.
    pub fn retry_after(&self, window: &RateWindow, now: UnixTime) -> Option<i64> {
        if window.count < self.max {
            return None;
        }
        // The oldest event leaving the window frees a place.
        let oldest = window.oldest.unwrap_or(now);
        Some(now.secs_until(oldest.plus_secs(self.window_secs)).max(1))
    }
}

/// A limit is checked by [`RateEvents::hold_rate_key`], then [`RateEvents::rate_window`], then
/// [`RateEvents::record_rate_event`], in one transaction: holding the key first makes concurrent
/// checks of one window take turns, so none of them counts a window that another is about to
/// fill.
pub trait RateEvents {
    /// Writes the window's key, which on PostgreSQL holds it until commit.
    fn hold_rate_key(
        &mut self,
        scope: &str,
        subject: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    fn record_rate_event(
        &mut self,
        scope: &str,
        subject: &str,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The events of `scope` and `subject` strictly after `since`.
    fn rate_window(
        &mut self,
        scope: &str,
        subject: &str,
        since: UnixTime,
    ) -> impl Future<Output = Result<RateWindow>> + Send;
    /// Forgets the events of `scope` and `subject` at or before `before`.
    fn prune_rate_events(
        &mut self,
        scope: &str,
        subject: &str,
        before: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_waits_for_its_oldest_event_to_leave() {
        let limit = RateLimit::new(5, 3600);
        let now = UnixTime(10_000);
        assert_eq!(limit.since(now), UnixTime(6_400));
        let four = RateWindow {
            count: 4,
            oldest: Some(UnixTime(7_000)),
        };
        assert_eq!(limit.retry_after(&four, now), None);
        let five = RateWindow { count: 5, ..four };
        assert_eq!(limit.retry_after(&five, now), Some(600));
        let one_a_minute = RateLimit::new(1, 60);
        let just_sent = RateWindow {
            count: 1,
            oldest: Some(UnixTime(9_990)),
        };
        assert_eq!(one_a_minute.retry_after(&just_sent, now), Some(50));
        assert_eq!(one_a_minute.retry_after(&RateWindow::default(), now), None);
    }
}
