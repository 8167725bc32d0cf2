//! Duplicate detection (RFC 5080 §2.2.2): a client that heard no answer sends the same request
//! again (same source, identifier and Request Authenticator). It must get the same answer, not a
//! second decision: a second evaluation would spend a one-time code twice (and be refused as a
//! replay), send a second push, or count a wrong password twice.
//!
//! While the first copy is being decided, copies are dropped (the client will try again); once
//! it is answered, copies get the same bytes for [`KEEP`]. The cache is bounded: past
//! [`CAPACITY`] the oldest answers are forgotten first. Time is passed in, so tests need no
//! sleeping.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an answer is kept for retransmissions: longer than a client's retries last (RFC
/// 5080 suggests a few seconds; NAS defaults retry 3 times 5 s apart).
pub const KEEP: Duration = Duration::from_secs(30);
/// Requests remembered at most (answered and being decided).
pub const CAPACITY: usize = 16_384;

/// One request as its client sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestKey {
    pub from: SocketAddr,
    pub identifier: u8,
    pub authenticator: [u8; 16],
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// The first copy: decide it, then [`Duplicates::answered`] or [`Duplicates::forget`].
    New,
    /// A copy of a request still being decided (or no room to track another): drop it.
    InProgress,
    /// A copy of a request answered lately: send these bytes again.
    Answered(Arc<[u8]>),
}

enum Entry {
    Deciding,
    Answered { bytes: Arc<[u8]>, until: Instant },
}

#[derive(Default)]
struct Inner {
    entries: HashMap<RequestKey, Entry>,
    /// Answered keys, oldest first, with the moment each stops counting.
    answered: VecDeque<(Instant, RequestKey)>,
}

#[derive(Default)]
pub struct Duplicates(Mutex<Inner>);

impl Duplicates {
    pub fn seen(&self, key: RequestKey, now: Instant) -> Seen {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        inner.expire(now);
        match inner.entries.get(&key) {
            Some(Entry::Deciding) => return Seen::InProgress,
            Some(Entry::Answered { bytes, .. }) => return Seen::Answered(bytes.clone()),
            None => {}
        }
        if inner.entries.len() >= CAPACITY && !inner.evict_oldest_answer() {
            // Every slot is a request being decided: a flood, not retransmissions.
            return Seen::InProgress;
        }
        inner.entries.insert(key, Entry::Deciding);
        Seen::New
    }

    /// The first copy was answered with `bytes`.
    pub fn answered(&self, key: RequestKey, bytes: Arc<[u8]>, now: Instant) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let until = now + KEEP;
        inner.entries.insert(key, Entry::Answered { bytes, until });
        inner.answered.push_back((until, key));
    }

    /// The first copy got no answer (the decision failed, or the server stops): a copy is
    /// decided anew.
    pub fn forget(&self, key: RequestKey) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(inner.entries.get(&key), Some(Entry::Deciding)) {
            inner.entries.remove(&key);
        }
    }
}

impl Inner {
    fn expire(&mut self, now: Instant) {
        while let Some(&(until, key)) = self.answered.front() {
            if until > now {
                break;
            }
            self.answered.pop_front();
            self.remove_answer(key, until);
        }
    }

    fn evict_oldest_answer(&mut self) -> bool {
        while let Some((until, key)) = self.answered.pop_front() {
            if self.remove_answer(key, until) {
                return true;
            }
        }
        false
    }

    /// Removes `key`'s answer if it is the one queued until `until`.
    fn remove_answer(&mut self, key: RequestKey, until: Instant) -> bool {
        let current = matches!(
            self.entries.get(&key),
            Some(Entry::Answered { until: u, .. }) if *u == until
        );
        if current {
            self.entries.remove(&key);
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u32) -> RequestKey {
        let mut authenticator = [0; 16];
        authenticator[..4].copy_from_slice(&n.to_be_bytes());
        RequestKey {
            from: "192.0.2.1:1812".parse().unwrap(),
            identifier: 7,
            authenticator,
        }
    }

    #[test]
    fn a_copy_is_dropped_while_deciding_and_answered_alike_afterwards() {
        let d = Duplicates::default();
        let t = Instant::now();
        assert_eq!(d.seen(key(1), t), Seen::New);
        assert_eq!(d.seen(key(1), t), Seen::InProgress);
        assert_eq!(d.seen(key(2), t), Seen::New);
        let bytes: Arc<[u8]> = Arc::from(&b"answer"[..]);
        d.answered(key(1), bytes.clone(), t);
        assert_eq!(d.seen(key(1), t + KEEP / 2), Seen::Answered(bytes));
        // After KEEP the request is new again (the code inside it is spent by then).
        assert_eq!(d.seen(key(1), t + KEEP), Seen::New);
    }

    #[test]
    fn a_forgotten_request_is_decided_again() {
        let d = Duplicates::default();
        let t = Instant::now();
        assert_eq!(d.seen(key(1), t), Seen::New);
        d.forget(key(1));
        assert_eq!(d.seen(key(1), t), Seen::New);
    }

    #[test]
    fn a_full_cache_forgets_its_oldest_answers_and_never_grows_past_its_bound() {
        let d = Duplicates::default();
        let t = Instant::now();
        for n in 0..CAPACITY as u32 {
            assert_eq!(d.seen(key(n), t), Seen::New);
            d.answered(key(n), Arc::from(&b"a"[..]), t);
        }
        assert_eq!(d.seen(key(u32::MAX), t), Seen::New);
        // The oldest answer made room.
        assert_eq!(d.seen(key(0), t), Seen::New);
        assert!(matches!(d.seen(key(5), t), Seen::Answered(_)));
        assert!(d.0.lock().unwrap().entries.len() <= CAPACITY);
    }

    #[test]
    fn a_flood_of_undecided_requests_is_refused_past_the_bound() {
        let d = Duplicates::default();
        let t = Instant::now();
        for n in 0..CAPACITY as u32 {
            assert_eq!(d.seen(key(n), t), Seen::New);
        }
        assert_eq!(d.seen(key(u32::MAX), t), Seen::InProgress);
    }
}
