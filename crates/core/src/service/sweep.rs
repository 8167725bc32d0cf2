//! The sweep: removes rows that have stopped mattering, so tables of one-time things (tickets,
//! links, codes, nonces, events) do not grow for ever. This file holds the rules: what is
//! expired when ([`SweepRules::cutoff`]), how much one transaction deletes ([`BATCH`]), and the
//! lease that keeps it to one node at a time ([`LEASE_NAME`]). The server runs a pass every
//! `--sweep-interval`; `portcullis sweep` runs one from the shell.
//!
//! Rules:
//! - Short-lived things (sessions, tickets, links, kits, ceremonies, held secrets, pairings,
//!   challenges, nonces, phone codes, the setup link, OIDC requests, codes and tokens, remembered
//!   browsers) go [`GRACE_SECS`] after they stopped working, not at once: until then a late
//!   click or a replay still gets "expired" or "already used" instead of "unknown", as the OIDC
//!   flow's own pruning has always allowed. A session has stopped working at its absolute end,
//!   at sign-out or revocation, or once it was idle too long.
//! - Rate events go once they are older than any window counts ([`LONGEST_WINDOW_SECS`]); a
//!   window's key goes with its last event. Failed sign-ins per address go after the address
//!   throttle's window.
//! - The sign-in history keeps 90 days ([`SIGN_IN_HISTORY_SECS`]): "a new browser" means one
//!   not seen for that long. Each account keeps its newest row however old, so an account
//!   idle for longer still has a history and its next sign-in is told.
//! - Outbox rows sent or given up are kept for the retention (`--retention-days`, 30 by
//!   default), so an operator can still see that a message went; their text was wiped at send.
//! - Never swept: the audit log (append-only, the database refuses), the account throttle (its
//!   consecutive-failure count must not reset by waiting), users, factors and anything else
//!   that is not expiring.
//!
//! The sweep is not audited: it removes only what no rule reads any more, every few minutes,
//! and the audit log would fill with it. It reports what it removed to the caller (metrics).
//!
//! Each batch is its own short transaction: on SQLite the one writer is held for one small
//! `DELETE` at a time, and other requests go between batches.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::clock::UnixTime;
use crate::error::Result;
use crate::store::{LONGEST_WINDOW_SECS, Leases, Store, Sweep, Swept, Transaction};

use super::Services;

/// Rows deleted per statement and transaction at most.
pub const BATCH: i64 = 500;
/// How long a short-lived thing is kept after it stopped working.
pub const GRACE_SECS: i64 = 24 * 3600;
/// How far back the sign-in history reaches.
pub const SIGN_IN_HISTORY_SECS: i64 = 90 * 24 * 3600;
/// The outbox retention when none is configured.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// The longest retention accepted: ten years.
pub const MAX_RETENTION_DAYS: u32 = 3650;
/// The name of the sweep's row in `leases`.
pub const LEASE_NAME: &str = "sweep";
/// How long the lease holds without renewal. The holder renews it at every pass and, during a
/// long pass, whenever half of it is gone; a node that dies lets it run out, and another node
/// takes over at its next pass.
pub const LEASE_SECS: i64 = 120;

/// The settings a sweep's cutoffs depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepRules {
    /// How long outbox rows are kept after they were sent or given up.
    pub retention_secs: i64,
    /// The sessions' idle limit.
    pub session_idle_secs: i64,
    /// The address throttle's window.
    pub address_window_secs: i64,
}

impl SweepRules {
    /// Rows of `kind` whose time is at or before the answer are removed by a sweep at `now`.
    pub fn cutoff(&self, kind: Swept, now: UnixTime) -> UnixTime {
        match kind {
            Swept::EndedSessions
            | Swept::LoginTickets
            | Swept::PasswordLinks
            | Swept::EmergencyKits
            | Swept::WebauthnCeremonies
            | Swept::Held
            | Swept::PushPairings
            | Swept::PushChallenges
            | Swept::RadiusStates
            | Swept::DeviceNonces
            | Swept::PhoneCodes
            | Swept::SetupTokens
            | Swept::OidcPendingAuthorizations
            | Swept::OidcCodes
            | Swept::OidcTokens
            | Swept::RememberedBrowsers => now.plus_secs(-GRACE_SECS),
            Swept::IdleSessions => now.plus_secs(-self.session_idle_secs - GRACE_SECS),
            Swept::RateEvents => now.plus_secs(-LONGEST_WINDOW_SECS),
            // Keys go when no event is left; the time plays no part.
            Swept::RateKeys => now,
            Swept::AddressFailures => now.plus_secs(-self.address_window_secs),
            Swept::SignInHistory => now.plus_secs(-SIGN_IN_HISTORY_SECS),
            Swept::Outbox => now.plus_secs(-self.retention_secs),
        }
    }
}

/// What a pass came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepOutcome {
    /// This node held the lease and swept; rows removed per kind (kinds with none left out).
    Swept(Vec<(Swept, u64)>),
    /// Another node holds the lease; nothing was done.
    Busy,
    /// The lease was lost during the pass (it ran out before a renewal); the rest is left to
    /// the node that has it now. What was removed until then.
    Interrupted(Vec<(Swept, u64)>),
}

impl<S: Store> Services<S> {
    /// The cutoffs of this server's settings with an outbox retention of `retention_days`.
    pub fn sweep_rules(&self, retention_days: u32) -> SweepRules {
        SweepRules {
            retention_secs: i64::from(retention_days) * 86_400,
            session_idle_secs: self.settings.sessions.idle_secs,
            address_window_secs: self.settings.throttle.ip_window_secs,
        }
    }

    /// One pass over every kind, as `holder` (a name unique among the nodes), when it gets the
    /// lease. `removed` hears of every batch as it commits, so a pass cut short is still
    /// counted.
    pub async fn sweep(
        &self,
        holder: &str,
        rules: &SweepRules,
        removed: &mut (dyn FnMut(Swept, u64) + Send),
    ) -> Result<SweepOutcome> {
        let mut lease_until = match self.renew_sweep_lease(holder).await? {
            Some(until) => until,
            None => return Ok(SweepOutcome::Busy),
        };
        let mut totals: Vec<(Swept, u64)> = Vec::new();
        for kind in Swept::ALL {
            loop {
                let now = self.clock.now();
                if now.secs_until(lease_until) < LEASE_SECS / 2 {
                    match self.renew_sweep_lease(holder).await? {
                        Some(until) => lease_until = until,
                        None => return Ok(SweepOutcome::Interrupted(totals)),
                    }
                }
                let mut tx = self.store.begin().await?;
                let n = tx.sweep_batch(kind, rules.cutoff(kind, now), BATCH).await?;
                tx.commit().await?;
                if n > 0 {
                    removed(kind, n);
                    match totals.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, total)) => *total += n,
                        None => totals.push((kind, n)),
                    }
                }
                if n < BATCH as u64 {
                    break;
                }
                // Let the requests waiting for the database (on SQLite: for the one writer)
                // go before the next batch.
                YieldNow(false).await;
            }
        }
        Ok(SweepOutcome::Swept(totals))
    }

    /// Gives the sweep's lease up when `holder` has it (a node that stops), so another node
    /// need not wait for it to run out.
    pub async fn release_sweep_lease(&self, holder: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.release_lease(LEASE_NAME, holder).await?;
        tx.commit().await
    }

    /// Takes or renews the lease; the moment it runs out, or `None` when another node has it.
    async fn renew_sweep_lease(&self, holder: &str) -> Result<Option<UnixTime>> {
        let now = self.clock.now();
        let until = now.plus_secs(LEASE_SECS);
        let mut tx = self.store.begin().await?;
        let held = tx.take_lease(LEASE_NAME, holder, now, until).await?;
        tx.commit().await?;
        Ok(held.then_some(until))
    }
}

/// Returns to the executor once, so other tasks run between two batches (the core has no
/// runtime to ask for this).
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: SweepRules = SweepRules {
        retention_secs: 30 * 86_400,
        session_idle_secs: 1800,
        address_window_secs: 600,
    };

    #[test]
    fn each_kind_is_kept_as_long_as_its_rule_says() {
        let now = UnixTime(1_800_000_000);
        let kept = |kind| now.0 - RULES.cutoff(kind, now).0;
        assert_eq!(kept(Swept::LoginTickets), GRACE_SECS);
        assert_eq!(kept(Swept::EndedSessions), 86_400);
        assert_eq!(kept(Swept::IdleSessions), 1800 + 86_400);
        assert_eq!(kept(Swept::RateEvents), 86_400);
        assert_eq!(kept(Swept::AddressFailures), 600);
        assert_eq!(kept(Swept::SignInHistory), 90 * 86_400);
        assert_eq!(kept(Swept::Outbox), 30 * 86_400);
        assert_eq!(kept(Swept::RateKeys), 0);
    }

    #[test]
    fn every_kind_is_swept_once_and_rate_events_before_their_keys() {
        let position = |kind| Swept::ALL.iter().position(|k| *k == kind).unwrap();
        assert!(position(Swept::RateEvents) < position(Swept::RateKeys));
        for (i, kind) in Swept::ALL.iter().enumerate() {
            assert_eq!(position(*kind), i, "{kind:?} twice");
        }
    }
}
