//! Property tests of the rules (issue 8): the TOTP window and replay refusal against an
//! independent RFC 6238 computation, the throttle arithmetic, and the access decisions of
//! `policy` and `login` composed the way the use cases compose them.
//!
//! Each block states a rule as it is written in the module docs and lets proptest look for a
//! counterexample. The case counts are fixed so the whole file runs in a few seconds; a failure
//! prints the shrunk input (nothing is persisted into the repository).

use std::collections::{BTreeMap, BTreeSet};

use portcullis_core::UnixTime;
use portcullis_core::login::{Method, NextStep, SecondStepState, after_password};
use portcullis_core::model::{ContractId, GroupId, Resource, ResourceId, ResourceKind, Role};
use portcullis_core::policy::{self, Viewer};
use portcullis_core::service::retry_after_with;
use portcullis_core::store::Throttle;
use portcullis_core::throttle::{AccountCounter, AddressWindow, Guess, ThrottlePolicy};
use portcullis_core::totp::{self, Algorithm, TotpParams, TotpSecret};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// An independent RFC 6238 computation: HMAC written out from RFC 2104 over the bare hash
// functions, and the dynamic truncation of RFC 4226 §5.3 spelled out with shifts.

fn hash(algorithm: Algorithm, data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    match algorithm {
        Algorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        Algorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        Algorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}

fn reference_hmac(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    let block = match algorithm {
        Algorithm::Sha1 | Algorithm::Sha256 => 64,
        Algorithm::Sha512 => 128,
    };
    let mut k = if key.len() > block {
        hash(algorithm, key)
    } else {
        key.to_vec()
    };
    k.resize(block, 0);
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(message.iter().copied())
        .collect();
    let inner = hash(algorithm, &inner);
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(inner).collect();
    hash(algorithm, &outer)
}

/// The code for time step `step`, or `None` for a step before T0 (RFC 6238 defines none).
fn reference_code(key: &[u8], params: &TotpParams, step: i64) -> Option<String> {
    let counter = u64::try_from(step).ok()?;
    let mac = reference_hmac(params.algorithm, key, &counter.to_be_bytes());
    let offset = usize::from(mac[mac.len() - 1] & 0xf);
    let binary = (u64::from(mac[offset] & 0x7f) << 24)
        | (u64::from(mac[offset + 1]) << 16)
        | (u64::from(mac[offset + 2]) << 8)
        | u64::from(mac[offset + 3]);
    let modulus = 10u64.pow(params.digits);
    let text = (binary % modulus).to_string();
    Some("0".repeat(params.digits as usize - text.len()) + &text)
}

/// RFC 6238 §4.2 with T0 = 0: floor(t / X), also for times before the epoch.
fn reference_step(t: i64, period: i64) -> i64 {
    let q = t / period;
    if t % period < 0 { q - 1 } else { q }
}

/// What `verify` must answer, by brute force over the rule in `totp.rs`: of the steps within
/// one of the current one and after the last accepted one, the latest whose code is `code`.
fn expected_acceptance(
    key: &[u8],
    params: &TotpParams,
    code: &str,
    now: i64,
    last: Option<i64>,
) -> Option<i64> {
    let current = reference_step(now, params.period);
    (current - 1..=current + 1)
        .filter(|s| last.is_none_or(|l| *s > l))
        .filter(|s| reference_code(key, params, *s).as_deref() == Some(code))
        .max()
}

fn params_strategy() -> impl Strategy<Value = TotpParams> {
    (
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        prop_oneof![Just(6u32), Just(8u32)],
        prop_oneof![Just(30i64), Just(60i64)],
    )
        .prop_map(|(a, d, p)| TotpParams::new(a, d, p).unwrap())
}

/// Shared secrets of every length services hand out, and keys longer than a hash block.
fn key_strategy() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 10..160)
}

/// Times from the epoch to the year 2500, with extra weight just around step boundaries.
fn time_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        0i64..16_725_225_600,
        (0i64..500_000_000, -2i64..=2).prop_map(|(s, d)| (s * 60 + d).max(0)),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    /// `code_at` is RFC 6238: the same digits as the reference for every key, hash, length and
    /// period, and `step` is floor(t / period).
    #[test]
    fn codes_equal_the_rfc_6238_reference(
        key in key_strategy(), params in params_strategy(), t in time_strategy(),
    ) {
        let secret = TotpSecret::from_bytes(key.clone());
        let step = params.step(UnixTime(t));
        prop_assert_eq!(step, reference_step(t, params.period));
        let code = totp::code_at(&secret, &params, step);
        prop_assert_eq!(Some(code.clone()), reference_code(&key, &params, step));
        prop_assert_eq!(code.len(), params.digits as usize);
    }

    /// A code for step s is accepted at time t iff |step(t) − s| ≤ 1 and s is after the last
    /// accepted step (up to an accidental equal code of a neighbouring step, which the
    /// brute-force expectation includes).
    #[test]
    fn the_window_and_the_last_step_decide_acceptance(
        key in key_strategy(), params in params_strategy(), t in time_strategy(),
        offset in -3i64..=3, last_offset in proptest::option::of(-3i64..=3),
    ) {
        let secret = TotpSecret::from_bytes(key.clone());
        let current = reference_step(t, params.period);
        let s = (current + offset).max(0);
        let last = last_offset.map(|o| current + o);
        let code = reference_code(&key, &params, s).unwrap();
        let got = totp::verify(&secret, &params, &code, UnixTime(t), last);
        prop_assert_eq!(got, expected_acceptance(&key, &params, &code, t, last));
        let in_window = (current - s).abs() <= 1;
        let fresh = last.is_none_or(|l| s > l);
        if in_window && fresh {
            // s itself matches, so the latest matching step is s or later.
            prop_assert!(got.is_some_and(|a| a >= s), "{got:?} for step {s}");
        }
        if let Some(a) = got {
            prop_assert!((a - current).abs() <= 1);
            prop_assert!(last.is_none_or(|l| a > l), "accepted {a} at or before {last:?}");
        }
    }

    /// Spaces a person types inside a code change nothing; anything that is not exactly
    /// `digits` ASCII digits after removing them is refused whatever the time.
    #[test]
    fn typed_spaces_are_ignored_and_malformed_codes_refused(
        key in key_strategy(), params in params_strategy(), t in time_strategy(),
        split in 0usize..9, junk in "\\PC{0,12}",
    ) {
        let secret = TotpSecret::from_bytes(key.clone());
        let step = params.step(UnixTime(t));
        let code = reference_code(&key, &params, step).unwrap();
        let at = split.min(code.len());
        let spaced = format!(" {} {}\t", &code[..at], &code[at..]);
        prop_assert_eq!(
            totp::verify(&secret, &params, &spaced, UnixTime(t), None),
            totp::verify(&secret, &params, &code, UnixTime(t), None)
        );
        let cleaned: String = junk.chars().filter(|c| !c.is_whitespace()).collect();
        let well_formed = cleaned.len() == params.digits as usize
            && cleaned.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            prop_assert_eq!(totp::verify(&secret, &params, &junk, UnixTime(t), None), None);
        }
    }

    /// Storing each accepted step as the last one (as `advance_totp_step` does) means no step
    /// is ever accepted twice and accepted steps only grow, whatever codes arrive when.
    #[test]
    fn an_accepted_step_is_never_accepted_again(
        key in key_strategy(), params in params_strategy(), start in time_strategy(),
        attempts in proptest::collection::vec((0i64..90, -2i64..=2), 1..24),
    ) {
        let secret = TotpSecret::from_bytes(key.clone());
        let mut now = start;
        let mut last: Option<i64> = None;
        let mut accepted = BTreeSet::new();
        for (wait, offset) in attempts {
            now += wait;
            let s = (params.step(UnixTime(now)) + offset).max(0);
            let code = reference_code(&key, &params, s).unwrap();
            if let Some(a) = totp::verify(&secret, &params, &code, UnixTime(now), last) {
                prop_assert!(accepted.insert(a), "step {a} accepted twice");
                prop_assert!(last.is_none_or(|l| a > l));
                // The same code again, at once: refused unless a later step shares the code.
                let again = totp::verify(&secret, &params, &code, UnixTime(now), Some(a));
                prop_assert!(again.is_none_or(|b| b > a));
                prop_assert_eq!(again, expected_acceptance(&key, &params, &code, now, Some(a)));
                last = Some(a);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Throttling arithmetic (`throttle.rs`, `sign_in::retry_after_with`).

fn policy_strategy() -> impl Strategy<Value = ThrottlePolicy> {
    (
        1i64..=50,
        1i64..=3_600,
        0i64..=86_400,
        0i64..=200_000,
        0i64..=500,
        1i64..=7_200,
    )
        .prop_map(
            |(account_max_failures, base, extra, code_cap, ip_max_failures, ip_window_secs)| {
                ThrottlePolicy {
                    account_max_failures,
                    base_lockout_secs: base,
                    max_lockout_secs: base + extra,
                    // Usually above the password's cap, as configured; sometimes below it.
                    max_code_lockout_secs: code_cap,
                    ip_max_failures,
                    ip_window_secs,
                }
            },
        )
}

/// Times the server can see: the epoch to the year 2500.
fn now_strategy() -> impl Strategy<Value = i64> {
    0i64..16_725_225_600
}

/// The in-memory counterpart of `store/src/throttle.rs`, for `retry_after_with`: an account's
/// counter is given, an address's failures are a list of times.
struct MemoryThrottle {
    address_failures: BTreeMap<String, Vec<i64>>,
}

impl Throttle for MemoryThrottle {
    async fn account_counter(&mut self, _key: &str) -> portcullis_core::Result<AccountCounter> {
        unreachable!("retry_after_with is handed the counter")
    }
    async fn count_account_failure(
        &mut self,
        _key: &str,
        _now: UnixTime,
    ) -> portcullis_core::Result<AccountCounter> {
        unreachable!("retry_after_with only reads")
    }
    async fn lock_account(&mut self, _key: &str, _until: UnixTime) -> portcullis_core::Result<()> {
        unreachable!("retry_after_with only reads")
    }
    async fn clear_account(&mut self, _key: &str) -> portcullis_core::Result<()> {
        unreachable!("retry_after_with only reads")
    }
    async fn count_address_failure(
        &mut self,
        _ip: &str,
        _now: UnixTime,
        _forget_before: UnixTime,
    ) -> portcullis_core::Result<()> {
        unreachable!("retry_after_with only reads")
    }
    async fn address_window(
        &mut self,
        ip: &str,
        since: UnixTime,
    ) -> portcullis_core::Result<AddressWindow> {
        let inside: Vec<i64> = self
            .address_failures
            .get(ip)
            .map(|times| times.iter().copied().filter(|t| *t > since.0).collect())
            .unwrap_or_default();
        Ok(AddressWindow {
            failures: inside.len() as i64,
            oldest: inside.iter().copied().min().map(UnixTime),
        })
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

proptest! {
    #![proptest_config(config(512))]

    /// A lockout is base × 2^lockouts (negative counts as none, at most 2^30), capped: exactly
    /// that value, never zero, never shorter than the one before.
    #[test]
    fn lockouts_double_up_to_the_cap(p in policy_strategy(), n in -5i64..200) {
        let exact = (i128::from(p.base_lockout_secs) << n.clamp(0, 30))
            .min(i128::from(p.max_lockout_secs));
        let got = p.lockout_secs(n);
        prop_assert_eq!(i128::from(got), exact);
        prop_assert!(got >= p.base_lockout_secs.min(p.max_lockout_secs) && got > 0);
        prop_assert!(got <= p.max_lockout_secs);
        prop_assert!(p.lockout_secs(n + 1) >= got);

        // After a wrong code: the same ladder up to the higher of the two caps, never shorter
        // than after a wrong password.
        let cap = p.max_code_lockout_secs.max(p.max_lockout_secs);
        let code = p.lockout_secs_for(Guess::Code, n);
        prop_assert_eq!(
            i128::from(code),
            (i128::from(p.base_lockout_secs) << n.clamp(0, 30)).min(i128::from(cap))
        );
        prop_assert!(code >= got && code > 0 && code <= cap);
        prop_assert!(p.lockout_secs_for(Guess::Code, n + 1) >= code);
    }

    /// The failure that reaches the limit locks, the ones before do not, and the lock lasts
    /// exactly the next lockout's length.
    #[test]
    fn the_limit_th_failure_locks_for_the_next_lockout(
        p in policy_strategy(), failures in 0i64..100, lockouts in 0i64..40, now in now_strategy(),
    ) {
        let c = AccountCounter { failures, lockouts, locked_until: None };
        let lock = p.lock_after_failure(&c, UnixTime(now));
        let code_lock = p.lock_after(Guess::Code, &c, UnixTime(now));
        if failures >= p.account_max_failures {
            prop_assert_eq!(lock, Some(UnixTime(now + p.lockout_secs(lockouts))));
            prop_assert_eq!(code_lock, Some(UnixTime(now + p.lockout_secs_for(Guess::Code, lockouts))));
        } else {
            prop_assert_eq!(lock, None);
            prop_assert_eq!(code_lock, None);
        }
    }

    /// A locked account waits exactly until the lock ends: the wait is positive while locked,
    /// one second in the lock's last second, none from its end on, and it only shrinks as time
    /// passes; a lock made at or before now never asks for more than the longest lockout.
    #[test]
    fn a_locked_account_waits_exactly_until_the_lock_ends(
        p in policy_strategy(), lockouts in 0i64..40, locked_at in now_strategy(),
        elapsed in 0i64..200_000, later in 0i64..200_000,
    ) {
        let until = UnixTime(locked_at).plus_secs(p.lockout_secs(lockouts));
        let c = AccountCounter { failures: 0, lockouts: lockouts + 1, locked_until: Some(until) };
        let now = UnixTime(locked_at + elapsed);
        let wait = p.account_retry_after(&c, now);
        if now < until {
            prop_assert_eq!(wait, Some(until.0 - now.0));
        } else {
            prop_assert_eq!(wait, None);
        }
        prop_assert!(wait.is_none_or(|w| (1..=p.max_lockout_secs).contains(&w)));
        prop_assert_eq!(p.account_retry_after(&c, UnixTime(until.0 - 1)), Some(1));
        prop_assert_eq!(p.account_retry_after(&c, until), None);
        let wait_later = p.account_retry_after(&c, UnixTime(now.0 + later));
        prop_assert!(wait_later.unwrap_or(0) <= wait.unwrap_or(0));
    }

    /// An address is refused only past the limit within the window, then until its oldest
    /// counted failure leaves the window: at least one second, at most the window, shrinking.
    #[test]
    fn an_address_waits_until_its_oldest_failure_leaves_the_window(
        p in policy_strategy(), extra in -50i64..50, age in 0i64..7_200, now in now_strategy(),
        later in 0i64..7_200,
    ) {
        let failures = (p.ip_max_failures + extra).max(0);
        // The store counts failures strictly inside (now − window, now].
        let age = age % p.ip_window_secs;
        let w = AddressWindow { failures, oldest: Some(UnixTime(now - age)) };
        let wait = p.address_retry_after(&w, UnixTime(now));
        if failures <= p.ip_max_failures {
            prop_assert_eq!(wait, None);
        } else {
            prop_assert_eq!(wait, Some(p.ip_window_secs - age));
            let wait = wait.unwrap();
            prop_assert!((1..=p.ip_window_secs).contains(&wait));
            let later = p.address_retry_after(&w, UnixTime(now + later)).unwrap();
            prop_assert!((1..=wait).contains(&later), "later {later}, before {wait}");
        }
        prop_assert_eq!(p.address_window_start(UnixTime(now)), UnixTime(now - p.ip_window_secs));
    }

    /// `retry_after_with` answers the longer of the two waits, ignores the address when it is
    /// unknown, and never answers a zero wait.
    #[test]
    fn the_login_waits_for_the_longer_of_account_and_address(
        p in policy_strategy(), now in now_strategy(), locked_for in -100i64..5_000,
        ages in proptest::collection::vec(0i64..10_000, 0..40), with_ip in any::<bool>(),
    ) {
        let p = ThrottlePolicy { ip_max_failures: p.ip_max_failures % 30, ..p };
        let counter = AccountCounter {
            failures: 0,
            lockouts: 1,
            locked_until: (locked_for != 0).then(|| UnixTime(now + locked_for)),
        };
        let times: Vec<i64> = ages.iter().map(|a| now - a).collect();
        let mut store = MemoryThrottle {
            address_failures: BTreeMap::from([("192.0.2.1".to_owned(), times.clone())]),
        };
        let ip = with_ip.then_some("192.0.2.1");
        let got = block_on(retry_after_with(&mut store, &p, &counter, ip, UnixTime(now))).unwrap();

        let account_wait = (locked_for > 0).then_some(locked_for);
        let inside: Vec<i64> = times.iter().copied().filter(|t| *t > now - p.ip_window_secs).collect();
        let address_wait = (with_ip && inside.len() as i64 > p.ip_max_failures)
            .then(|| (inside.iter().min().unwrap() + p.ip_window_secs - now).max(1));
        let expected = match (account_wait, address_wait) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        prop_assert_eq!(got, expected);
        prop_assert!(got.is_none_or(|w| w > 0));
    }

    /// Failing again and again (wrong passwords, or wrong codes): every lockout is at least as
    /// long as the one before, the wait while locked is never zero and never more than the
    /// cap, and the account is locked exactly once every `account_max_failures` failures.
    #[test]
    fn repeated_failures_lock_on_a_growing_ladder(
        p in policy_strategy(), start in now_strategy(), codes in any::<bool>(),
        gaps in proptest::collection::vec(0i64..4_000, 1..120),
    ) {
        let cap = if codes { p.max_code_lockout_secs.max(p.max_lockout_secs) } else { p.max_lockout_secs };
        let mut c = AccountCounter::default();
        let mut now = start;
        let (mut counted, mut locks, mut previous_length) = (0i64, 0i64, 0i64);
        for gap in gaps {
            now += gap;
            if let Some(wait) = p.account_retry_after(&c, UnixTime(now)) {
                // Refused before the password is checked: nothing is counted.
                prop_assert!((1..=cap).contains(&wait));
                continue;
            }
            // count_account_failure, then lock_account as check_password does.
            c.failures += 1;
            counted += 1;
            let lock = if codes {
                p.lock_after(Guess::Code, &c, UnixTime(now))
            } else {
                p.lock_after_failure(&c, UnixTime(now))
            };
            if let Some(until) = lock {
                let length = until.0 - now;
                prop_assert!(length >= previous_length && length > 0);
                previous_length = length;
                c = AccountCounter { failures: 0, lockouts: c.lockouts + 1, locked_until: Some(until) };
                locks += 1;
            }
        }
        prop_assert_eq!(locks, counted / p.account_max_failures);
    }
}

// ---------------------------------------------------------------------------------------------
// Access decisions: `login::after_password` then `policy::sees_resource`, composed the way
// `sign_in`, `second_step` and `service/resources.rs` compose them.

#[derive(Debug, Clone)]
struct Person {
    role: Role,
    force_flag: bool,
    contract_requires: bool,
    methods: Vec<Method>,
    groups: Vec<usize>,
}

fn method_strategy() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Totp),
        Just(Method::Push),
        Just(Method::Webauthn),
        Just(Method::RecoveryCode)
    ]
}

fn person_strategy() -> impl Strategy<Value = Person> {
    (
        prop_oneof![
            Just(Role::Owner),
            Just(Role::Administrator),
            Just(Role::User)
        ],
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(method_strategy(), 0..4),
        proptest::collection::vec(0usize..6, 0..5),
    )
        .prop_map(
            |(role, force_flag, contract_requires, methods, groups)| Person {
                role,
                force_flag,
                contract_requires,
                methods,
                groups,
            },
        )
}

/// (requires_2fa, granted groups) of each resource of the contract.
fn resources_strategy() -> impl Strategy<Value = Vec<(bool, Vec<usize>)>> {
    proptest::collection::vec(
        (any::<bool>(), proptest::collection::vec(0usize..6, 0..4)),
        1..8,
    )
}

fn build_resources(specs: &[(bool, Vec<usize>)], group_ids: &[GroupId]) -> Vec<Resource> {
    specs
        .iter()
        .enumerate()
        .map(|(i, (requires_2fa, groups))| Resource {
            id: ResourceId(format!("r{i}")),
            contract_id: ContractId("c".into()),
            kind: ResourceKind::Datacenter,
            name: format!("dc{i}"),
            requires_2fa: *requires_2fa,
            groups: groups.iter().map(|g| group_ids[*g].clone()).collect(),
            created_at: UnixTime(0),
        })
        .collect()
}

/// The resources a person sees after logging in as far as they can: `None` when the password
/// alone leads to the setup wizard (no session at all).
fn reachable(person: &Person, resources: &[Resource], group_ids: &[GroupId]) -> Option<Vec<bool>> {
    let state = SecondStepState {
        active_methods: person.methods.clone(),
        two_factor_forced: policy::two_factor_forced(person.force_flag, person.contract_requires),
        phishing_resistant_required: false,
    };
    let second_factor_session = match after_password(&state) {
        NextStep::EnrollmentRequired => return None,
        NextStep::Complete => false,
        NextStep::SecondFactor { .. } => true,
    };
    let viewer = Viewer {
        role: person.role,
        second_factor_session,
    };
    let mine: Vec<GroupId> = person
        .groups
        .iter()
        .map(|g| group_ids[*g].clone())
        .collect();
    Some(
        resources
            .iter()
            .map(|r| policy::sees_resource(viewer, r, r.groups.iter().any(|g| mine.contains(g))))
            .collect(),
    )
}

fn group_ids() -> Vec<GroupId> {
    (0..6).map(|i| GroupId(format!("g{i}"))).collect()
}

/// Is everything `a` grants also granted by `b`?
fn at_most(a: &Option<Vec<bool>>, b: &Option<Vec<bool>>) -> bool {
    match (a, b) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a.iter().zip(b).all(|(x, y)| !x || *y),
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Without an authenticator or a paired device (recovery codes only stand in for one), a
    /// protected resource never exists for the person, whatever their role, groups or flags;
    /// when 2FA is forced on them they get no session at all.
    #[test]
    fn without_a_factor_protected_resources_stay_hidden(
        mut person in person_strategy(), specs in resources_strategy(),
    ) {
        person.methods.retain(|m| *m == Method::RecoveryCode);
        let ids = group_ids();
        let resources = build_resources(&specs, &ids);
        let seen = reachable(&person, &resources, &ids);
        if person.force_flag || person.contract_requires {
            prop_assert_eq!(seen, None);
        } else {
            let seen = seen.unwrap();
            for (r, s) in resources.iter().zip(&seen) {
                prop_assert!(!(r.requires_2fa && *s), "{} seen without 2FA", r.name);
            }
        }
    }

    /// Adding a factor never takes access away: what was visible stays visible.
    #[test]
    fn adding_a_factor_never_reduces_access(
        person in person_strategy(), specs in resources_strategy(), added in method_strategy(),
    ) {
        let ids = group_ids();
        let resources = build_resources(&specs, &ids);
        let before = reachable(&person, &resources, &ids);
        let mut more = person.clone();
        more.methods.push(added);
        let after = reachable(&more, &resources, &ids);
        prop_assert!(at_most(&before, &after), "{before:?} then {after:?}");
    }

    /// Forcing 2FA (by the flag or the contract) never grants anything, and joining a group
    /// never hides anything.
    #[test]
    fn forcing_never_grants_and_joining_never_hides(
        person in person_strategy(), specs in resources_strategy(), group in 0usize..6,
    ) {
        let ids = group_ids();
        let resources = build_resources(&specs, &ids);
        let base = reachable(&person, &resources, &ids);
        let forced = Person { force_flag: true, ..person.clone() };
        prop_assert!(at_most(&reachable(&forced, &resources, &ids), &base));
        let required = Person { contract_requires: true, ..person.clone() };
        prop_assert!(at_most(&reachable(&required, &resources, &ids), &base));
        let mut joined = person.clone();
        joined.groups.push(group);
        prop_assert!(at_most(&base, &reachable(&joined, &resources, &ids)));
    }

    /// The order of a person's groups, of a resource's grants and of the factors changes
    /// nothing; neither do repeated entries.
    #[test]
    fn order_and_repetition_do_not_matter(
        person in person_strategy(), specs in resources_strategy(), seed in any::<u64>(),
    ) {
        let ids = group_ids();
        let resources = build_resources(&specs, &ids);
        let base = reachable(&person, &resources, &ids);
        let mut shuffled = person.clone();
        rotate_and_repeat(&mut shuffled.groups, seed);
        rotate_and_repeat(&mut shuffled.methods, seed >> 8);
        let mut specs2 = specs.clone();
        for (i, (_, groups)) in specs2.iter_mut().enumerate() {
            rotate_and_repeat(groups, seed >> (16 + i % 40));
        }
        let resources2 = build_resources(&specs2, &ids);
        prop_assert_eq!(reachable(&shuffled, &resources2, &ids), base);
    }

    /// Administrators and the owner see every unprotected resource without a grant; a plain
    /// user sees exactly the granted ones; protected ones need a second-factor session for all.
    #[test]
    fn roles_and_grants_decide_as_documented(
        role in prop_oneof![Just(Role::Owner), Just(Role::Administrator), Just(Role::User)],
        second_factor_session in any::<bool>(), requires_2fa in any::<bool>(),
        in_granted_group in any::<bool>(),
    ) {
        let r = &build_resources(&[(requires_2fa, vec![])], &group_ids())[0];
        let seen = policy::sees_resource(Viewer { role, second_factor_session }, r, in_granted_group);
        let expected = (role != Role::User || in_granted_group)
            && (!requires_2fa || second_factor_session);
        prop_assert_eq!(seen, expected);
        let may_mark = policy::may_mark_requires_2fa(Viewer {
            role,
            second_factor_session,
        });
        prop_assert!(!may_mark || second_factor_session);
    }
}

/// A deterministic reordering with repeats, driven by `seed`.
fn rotate_and_repeat<T: Clone>(items: &mut Vec<T>, seed: u64) {
    if items.is_empty() {
        return;
    }
    let n = items.len();
    items.rotate_left((seed as usize) % n);
    if seed & 1 == 1 {
        items.reverse();
    }
    if seed & 2 == 2 {
        let first = items[0].clone();
        items.push(first);
    }
}
