//! Guessing must not pay (principle 4). Two counters, both kept in the database so that every
//! node shares them:
//! - per account: after `account_max_failures` consecutive failures the account refuses every
//!   attempt, right or wrong, for a lockout that starts at one minute and doubles on each repeat
//!   (capped), until a successful login resets it. Unknown usernames are counted the same way, so
//!   the throttle does not reveal which accounts exist.
//! - per source address: more than `ip_max_failures` failures within `ip_window_secs`.
//!
//! A lockout that a wrong code triggers (a second factor, which only someone with the password
//! can try, or a 6-digit password-reset code by SMS) grows further (`max_code_lockout_secs`, a
//! day) than one a wrong password triggers (an hour): it bounds the guesses at a 6-digit code to
//! about 3,750 a year, see docs/threat-model.md.

use crate::clock::UnixTime;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub account_max_failures: i64,
    pub base_lockout_secs: i64,
    pub max_lockout_secs: i64,
    /// The cap when the failure that locks was a wrong second-factor code.
    pub max_code_lockout_secs: i64,
    pub ip_max_failures: i64,
    pub ip_window_secs: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            account_max_failures: 10,
            base_lockout_secs: 60,
            max_lockout_secs: 3600,
            max_code_lockout_secs: 86_400,
            ip_max_failures: 100,
            ip_window_secs: 600,
        }
    }
}

/// What a failed guess was: a password (or another long-lived credential), or a short code
/// (TOTP, recovery or SMS code), whose lockouts grow further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    Password,
    Code,
}

/// The stored state of one account's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountCounter {
    /// Consecutive failures since the last lockout or success.
    pub failures: i64,
    /// How many lockouts happened since the last success; sets the next lockout's length.
    pub lockouts: i64,
    pub locked_until: Option<UnixTime>,
}

/// Failures of one source address inside the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressWindow {
    pub failures: i64,
    pub oldest: Option<UnixTime>,
}

impl ThrottlePolicy {
    /// The length of the next lockout after a wrong password: base × 2^lockouts, capped.
    pub fn lockout_secs(&self, lockouts_so_far: i64) -> i64 {
        self.lockout_secs_for(Guess::Password, lockouts_so_far)
    }

    /// The length of the next lockout after a wrong `guess`: base × 2^lockouts, capped at
    /// `max_lockout_secs`, or for a code at `max_code_lockout_secs` (never below the other).
    pub fn lockout_secs_for(&self, guess: Guess, lockouts_so_far: i64) -> i64 {
        let cap = match guess {
            Guess::Password => self.max_lockout_secs,
            Guess::Code => self.max_code_lockout_secs.max(self.max_lockout_secs),
        };
        let shift = lockouts_so_far.clamp(0, 30) as u32;
        self.base_lockout_secs
            .saturating_mul(1i64 << shift)
            .min(cap)
    }

    /// Seconds the account must still wait, if it is locked.
    pub fn account_retry_after(&self, c: &AccountCounter, now: UnixTime) -> Option<i64> {
        c.locked_until
            .filter(|until| *until > now)
            .map(|until| now.secs_until(until))
    }

    /// After a wrong password has been counted: the moment the account is locked until, if this
    /// failure reached the limit.
    pub fn lock_after_failure(&self, c: &AccountCounter, now: UnixTime) -> Option<UnixTime> {
        self.lock_after(Guess::Password, c, now)
    }

    /// After a wrong `guess` has been counted: the moment the account is locked until, if this
    /// failure reached the limit.
    pub fn lock_after(&self, guess: Guess, c: &AccountCounter, now: UnixTime) -> Option<UnixTime> {
        (c.failures >= self.account_max_failures)
            .then(|| now.plus_secs(self.lockout_secs_for(guess, c.lockouts)))
    }

    /// Seconds the address must still wait, if it failed too often inside the window.
    pub fn address_retry_after(&self, w: &AddressWindow, now: UnixTime) -> Option<i64> {
        if w.failures <= self.ip_max_failures {
            return None;
        }
        let oldest = w.oldest.unwrap_or(now);
        Some(now.secs_until(oldest.plus_secs(self.ip_window_secs)).max(1))
    }

    pub fn address_window_start(&self, now: UnixTime) -> UnixTime {
        now.plus_secs(-self.ip_window_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_start_at_a_minute_and_double_up_to_the_cap() {
        let p = ThrottlePolicy::default();
        let lengths: Vec<i64> = (0..8).map(|n| p.lockout_secs(n)).collect();
        assert_eq!(lengths, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(p.lockout_secs(1_000), 3600);
    }

    #[test]
    fn code_lockouts_double_up_to_a_day() {
        let p = ThrottlePolicy::default();
        let lengths: Vec<i64> = (0..13)
            .map(|n| p.lockout_secs_for(Guess::Code, n))
            .collect();
        assert_eq!(
            lengths,
            [
                60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 86400, 86400
            ]
        );
        let ten = AccountCounter {
            failures: 10,
            lockouts: 7,
            locked_until: None,
        };
        assert_eq!(
            p.lock_after_failure(&ten, UnixTime(0)),
            Some(UnixTime(3600))
        );
        assert_eq!(
            p.lock_after(Guess::Code, &ten, UnixTime(0)),
            Some(UnixTime(7680))
        );
    }

    /// The arithmetic of docs/threat-model.md: an attacker who knows the password and guesses
    /// 6-digit codes as fast as the throttle allows, for a year, on one account.
    #[test]
    fn a_year_of_code_guessing_gets_about_one_percent() {
        let p = ThrottlePolicy::default();
        let year = 365 * 24 * 3600;
        let (mut t, mut guesses, mut lockouts) = (0i64, 0i64, 0i64);
        while t < year {
            // A burst of failures up to the limit, then the lockout.
            guesses += p.account_max_failures;
            t += p.lockout_secs_for(Guess::Code, lockouts);
            lockouts += 1;
        }
        assert!((3_700..3_800).contains(&guesses), "{guesses}");
        // Three codes are valid at any moment (the current step and one either side).
        let chance = 1.0 - (1.0 - 3e-6f64).powi(guesses as i32);
        assert!(chance < 0.012, "{chance}");
        // With the password's one-hour cap it would have been about 23 %.
        let (mut t, mut hourly) = (0i64, 0i64);
        let mut n = 0;
        while t < year {
            hourly += p.account_max_failures;
            t += p.lockout_secs(n);
            n += 1;
        }
        let chance_hourly = 1.0 - (1.0 - 3e-6f64).powi(hourly as i32);
        assert!((0.2..0.25).contains(&chance_hourly), "{chance_hourly}");
    }

    #[test]
    fn the_tenth_consecutive_failure_locks_the_account() {
        let p = ThrottlePolicy::default();
        let now = UnixTime(1000);
        let nine = AccountCounter {
            failures: 9,
            lockouts: 0,
            locked_until: None,
        };
        assert_eq!(p.lock_after_failure(&nine, now), None);
        let ten = AccountCounter {
            failures: 10,
            ..nine
        };
        assert_eq!(p.lock_after_failure(&ten, now), Some(UnixTime(1060)));
        let ten_again = AccountCounter {
            failures: 10,
            lockouts: 1,
            locked_until: None,
        };
        assert_eq!(p.lock_after_failure(&ten_again, now), Some(UnixTime(1120)));
    }

    #[test]
    fn a_locked_account_waits_until_the_lock_ends() {
        let p = ThrottlePolicy::default();
        let c = AccountCounter {
            failures: 0,
            lockouts: 1,
            locked_until: Some(UnixTime(1060)),
        };
        assert_eq!(p.account_retry_after(&c, UnixTime(1000)), Some(60));
        assert_eq!(p.account_retry_after(&c, UnixTime(1059)), Some(1));
        assert_eq!(p.account_retry_after(&c, UnixTime(1060)), None);
    }

    #[test]
    fn an_address_is_refused_only_past_a_hundred_failures_in_ten_minutes() {
        let p = ThrottlePolicy::default();
        let now = UnixTime(10_000);
        let w = |n| AddressWindow {
            failures: n,
            oldest: Some(UnixTime(9_700)),
        };
        assert_eq!(p.address_retry_after(&w(100), now), None);
        assert_eq!(p.address_retry_after(&w(101), now), Some(300));
        assert_eq!(p.address_window_start(now), UnixTime(9_400));
    }
}
