//! Passwords: the policy (at least eight characters, upper and lower case, a special
//! character; plus a list of the most common breached passwords) and Argon2id hashing.
//!
//! Hashing costs ~20 MiB and tens of milliseconds by design. [`PasswordHasher`] runs it on a pool
//! of its own: a fixed number of low-priority threads and a bounded queue. A burst of logins
//! neither stalls the async runtime that serves cheap requests nor queues without bound: when
//! the queue is full the call fails at once with [`Error::Overloaded`] (the server answers 503
//! with `Retry-After`). Unknown users are verified against a dummy hash so that timing does not
//! reveal whether an account exists.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, mpsc};
use std::thread::JoinHandle;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::oneshot;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::email::Email;
use crate::error::{Error, Result};

pub const MIN_LENGTH: usize = 8;
/// Long enough for any passphrase, short enough that nobody hashes megabytes on our time.
pub const MAX_LENGTH: usize = 256;

/// A password as typed. Redacted in `Debug`, zeroized on drop; never serialised back out.
#[derive(Clone, Zeroize, ZeroizeOnDrop, serde::Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Password {
        Password(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A rule a refused password broke. Each has a stable snake_case [`code`](Self::code) that the
/// API sends in `violations` and a sentence that tells the person what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort,
    TooLong,
    NoLowercase,
    NoUppercase,
    NoSpecial,
    /// On the list of common breached passwords, as typed or in disguise (see [`skeleton`]).
    Common,
    /// Contains a part of the account's email address (see [`email_parts`]).
    ContainsEmail,
    /// The account's current password again (checked by the change and reset use cases, which
    /// know it; a "new" password that is the old one changes nothing).
    SameAsCurrent,
}

impl PolicyViolation {
    /// Stable, snake_case: what a program matches on.
    pub fn code(self) -> &'static str {
        match self {
            PolicyViolation::TooShort => "too_short",
            PolicyViolation::TooLong => "too_long",
            PolicyViolation::NoLowercase => "no_lowercase",
            PolicyViolation::NoUppercase => "no_uppercase",
            PolicyViolation::NoSpecial => "no_special",
            PolicyViolation::Common => "common",
            PolicyViolation::ContainsEmail => "contains_email",
            PolicyViolation::SameAsCurrent => "same_as_current",
        }
    }

    /// What the password must do or not do, to follow "The password must ".
    fn requirement(self) -> &'static str {
        match self {
            PolicyViolation::TooShort => "be at least 8 characters long",
            PolicyViolation::TooLong => "be at most 256 characters long",
            PolicyViolation::NoLowercase => "contain a lower-case letter",
            PolicyViolation::NoUppercase => "contain an upper-case letter",
            PolicyViolation::NoSpecial => "contain a special character (not a letter or digit)",
            PolicyViolation::Common => {
                "not be one of the most common breached passwords, even disguised"
            }
            PolicyViolation::ContainsEmail => {
                "not contain the name or the domain of your email address"
            }
            PolicyViolation::SameAsCurrent => "differ from your current password",
        }
    }
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "The password must {}.", self.requirement())
    }
}

/// Every rule a refused password broke, in the order the rules are listed, so that one attempt
/// tells the person everything to fix. Never empty when it is an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyViolations(Vec<PolicyViolation>);

impl PolicyViolations {
    pub fn iter(&self) -> impl Iterator<Item = PolicyViolation> + '_ {
        self.0.iter().copied()
    }
    pub fn contains(&self, v: PolicyViolation) -> bool {
        self.0.contains(&v)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn push(&mut self, v: PolicyViolation) {
        if !self.0.contains(&v) {
            self.0.push(v);
        }
    }
    /// `Ok` when no rule was broken.
    pub fn into_result(self) -> Result<(), PolicyViolations> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl From<PolicyViolation> for PolicyViolations {
    fn from(v: PolicyViolation) -> Self {
        PolicyViolations(vec![v])
    }
}

/// All broken rules in one sentence: "The password must be at least 8 characters long, contain
/// an upper-case letter and differ from your current password."
impl fmt::Display for PolicyViolations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("The password must ")?;
        let n = self.0.len();
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " and " } else { ", " })?;
            }
            f.write_str(v.requirement())?;
        }
        f.write_str(".")
    }
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .collect()
    })
}

/// The list's entries reduced to their [`skeleton`].
fn common_skeletons() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        common_passwords()
            .iter()
            .map(|p| skeleton(p))
            .filter(|s| s.chars().count() >= 4)
            .collect()
    })
}

/// What is left of a password once the usual disguises are undone: lower case, common
/// substitutions (`@`→a, `0`→o, `$`→s, ...) reversed inside, digits and symbols stripped from
/// both ends. The policy forces a capital and a symbol, so `Password1!` and `P@ssw0rd` are what people
/// type when a list entry is refused; their skeleton `password` is on the list.
fn skeleton(password: &str) -> String {
    let not_letter = |c: char| !c.is_alphabetic();
    let mapped: String = password
        .trim_matches(not_letter)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            other => other,
        })
        .collect();
    mapped.trim_matches(not_letter).to_owned()
}

/// Second-level labels under which organisations register their names (`example.co.uk`,
/// `example.com.au`): never the part of a domain that names the organisation.
const GENERIC_LABELS: [&str; 8] = ["com", "net", "org", "gov", "edu", "mil", "ac", "co"];

/// The parts of an email address a password must not contain, lower case:
///
/// - the whole address;
/// - the local part (before the `@`) and each of its pieces split at `.`, `_`, `-` and `+`
///   (`ann.smith+work` gives `ann.smith+work`, `ann`, `smith`, `work`);
/// - each label of the domain except the last one (the top-level domain) and the
///   [`GENERIC_LABELS`] (`mail.example.co.uk` gives `mail` and `example`);
///
/// each only when at least 3 characters long: shorter ones occur in too many good passwords.
/// `Ann@example.com1` contains `ann` and `example`, so it is refused for ann@example.com.
fn email_parts(email: &Email) -> Vec<String> {
    const MIN_PART: usize = 3;
    let key = email.key();
    let (local, domain) = key.split_once('@').unwrap_or((key.as_str(), ""));
    let mut parts = vec![key.clone(), local.to_owned()];
    parts.extend(local.split(['.', '_', '-', '+']).map(str::to_owned));
    let labels: Vec<&str> = domain.split('.').collect();
    parts.extend(
        labels[..labels.len().saturating_sub(1)]
            .iter()
            .filter(|l| !GENERIC_LABELS.contains(l))
            .map(|l| (*l).to_owned()),
    );
    parts.retain(|p| p.chars().count() >= MIN_PART);
    parts.sort();
    parts.dedup();
    parts
}

/// Every rule of the policy `password` breaks, in the order they are listed; empty when it
/// meets them all. The list is lower-case, so the comparison is case-insensitive: `PASSWORD` is
/// as weak as `password`; so is the comparison with the email's parts. Whether it is the
/// current password is for the caller that knows the hash ([`PolicyViolation::SameAsCurrent`]).
pub fn policy_violations(password: &Password, email: Option<&Email>) -> PolicyViolations {
    let p = password.expose();
    let len = p.chars().count();
    let mut out = PolicyViolations::default();
    if len < MIN_LENGTH {
        out.push(PolicyViolation::TooShort);
    }
    if len > MAX_LENGTH {
        out.push(PolicyViolation::TooLong);
    }
    if !p.chars().any(char::is_lowercase) {
        out.push(PolicyViolation::NoLowercase);
    }
    if !p.chars().any(char::is_uppercase) {
        out.push(PolicyViolation::NoUppercase);
    }
    if p.chars().all(char::is_alphanumeric) {
        out.push(PolicyViolation::NoSpecial);
    }
    let lower = p.to_lowercase();
    // A password beyond the maximum is not looked up: nobody hashes or scans megabytes.
    if len <= MAX_LENGTH
        && (common_passwords().contains(lower.as_str())
            || common_skeletons().contains(&skeleton(p)))
    {
        out.push(PolicyViolation::Common);
    }
    if let Some(email) = email
        && len <= MAX_LENGTH
        && email_parts(email).iter().any(|part| lower.contains(part))
    {
        out.push(PolicyViolation::ContainsEmail);
    }
    out
}

/// Checks a new password against the policy: `Err` with every rule it breaks.
pub fn check_policy(password: &Password, email: Option<&Email>) -> Result<(), PolicyViolations> {
    policy_violations(password, email).into_result()
}

/// Argon2id with the OWASP parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Each hashing thread's Argon2 working memory (19 MiB of blocks), allocated on its first hash
/// and reused for every later one. Allocating it per hash let the C allocator keep several
/// freed 19 MiB blocks per thread arena (glibc raises its mmap threshold after the first free),
/// which took the resident size from ~22 MB to ~245 MB after a few logins; reused, it stays at
/// one block per hashing thread (kept from its first hash on). Hashes with bigger parameters
/// (older settings) and the start-up dummy hash get their own, freed at once.
const MAX_KEPT_BLOCKS: usize = 64 * 1024;

thread_local! {
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 with `params` in this thread's kept memory.
fn argon2_into(
    keep: bool,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> std::result::Result<(), argon2::Error> {
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    if count > MAX_KEPT_BLOCKS || !keep {
        let mut own = vec![Block::default(); count];
        return argon2.hash_password_into_with_memory(password, salt, out, &mut own[..]);
    }
    BLOCKS.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.len() < count {
            kept.resize(count, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut kept[..count])
    })
}

/// Argon2id with the server's parameters and a fresh 16-byte salt, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`, the format the `argon2` crate writes and reads).
fn hash_blocking(password: &[u8]) -> Result<String> {
    hash_with(password, true)
}

/// `keep`: use (and keep) this thread's working area; false allocates one for this hash only.
fn hash_with(password: &[u8], keep: bool) -> Result<String> {
    let failed = |e: &dyn fmt::Display| Error::internal_msg(format!("argon2 hash failed: {e}"));
    let params = argon2().params().clone();
    let salt = crate::secret::random_bytes::<16>();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(
        keep,
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        &salt,
        &mut out,
    )
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// One Argon2id hash with the server's parameters, on the calling thread; for benchmarks that
/// measure what one hashing thread can do. The server itself hashes only through
/// [`PasswordHasher`].
pub fn hash_blocking_once(password: &[u8]) -> Result<String> {
    hash_blocking(password)
}

/// Recomputes the hash with the algorithm, version, parameters and salt recorded in `phc` (so
/// old hashes keep working after a parameter change) and compares in constant time.
fn verify_blocking(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    argon2_into(
        true,
        algorithm,
        version,
        params,
        password,
        salt.as_ref(),
        &mut out,
    )
    .is_ok()
        && crate::secret::constant_time_eq(&out, expected.as_bytes())
}

/// What a refused caller is told to wait: a hash takes tens of milliseconds, so a full queue
/// drains within a second.
pub const OVERLOADED_RETRY_AFTER_SECS: i64 = 1;

/// Work for a hashing thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of OS threads fed by one queue, with admission control: at most `threads` jobs
/// run and at most `queue` wait; one more is refused at once with [`Error::Overloaded`]. Nothing
/// waits without bound, and a burst of logins cannot take the threads that serve cheap requests.
///
/// Admission is a counter of jobs admitted and not yet finished, so the bound is exact whatever
/// the threads are doing at that moment. Dropping the pool closes the queue: the threads finish
/// what is queued and end.
struct HashPool {
    jobs: mpsc::Sender<Job>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// One admitted job; released when the job has run (or was never run).
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    /// Starts `threads` (at least one) threads named `portcullis-hash`; returns their handles
    /// too, for tests that watch them end.
    fn new(threads: usize, queue: usize) -> Result<(HashPool, Vec<JoinHandle<()>>)> {
        let threads = threads.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let handles = (0..threads)
            .map(|_| {
                let receiver = receiver.clone();
                std::thread::Builder::new()
                    .name("portcullis-hash".to_owned())
                    .spawn(move || work(&receiver))
                    .map_err(Error::internal)
            })
            .collect::<Result<Vec<_>>>()?;
        let pool = HashPool {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: threads.saturating_add(queue),
        };
        Ok((pool, handles))
    }

    /// Queues `job`, or refuses it at once when the threads are busy and the queue is full.
    fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>> {
        let capacity = self.capacity;
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < capacity).then_some(n + 1)
            })
            .map_err(|_| Error::Overloaded {
                retry_after_secs: OVERLOADED_RETRY_AFTER_SECS,
            })?;
        let admission = Admission(self.admitted.clone());
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A panicking job loses its answer (the caller gets an internal error), not the thread.
            let out = std::panic::catch_unwind(AssertUnwindSafe(job));
            // Released before the answer is sent, so whoever receives it finds the room free.
            drop(admission);
            if let Ok(out) = out {
                let _ = done.send(out);
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| Error::internal_msg("the hashing threads have stopped"))?;
        Ok(result)
    }

    /// Runs `job` on a hashing thread and waits for its result.
    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        self.submit(job)?
            .await
            .map_err(|_| Error::internal_msg("a hashing job ended without an answer"))
    }
}

/// A hashing thread: lowers its priority, then runs jobs until the queue is closed.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    loop {
        // One idle thread waits on the queue while holding the lock; the others wait for the lock.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job(),
            Err(mpsc::RecvError) => return,
        }
    }
}

/// Hashing is deliberately expensive CPU work; a request for `/me` is a few microseconds of CPU
/// and a database read. At equal priority the scheduler shares the cores evenly between them, so
/// with every core hashing a cheap request waits behind whole Argon2 time slices. Raising the
/// hashing threads' nice value to 10 (Linux keeps it per thread) makes the scheduler give the
/// tokio workers and SQLite's threads the CPU as soon as they are runnable, while hashing still
/// gets every cycle nobody else wants. Failure (a sandbox that forbids it) changes nothing else.
#[cfg(target_os = "linux")]
fn lower_priority() {
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Hashes and verifies passwords on a [`HashPool`] of low-priority threads. A call that finds
/// every thread busy and the queue full fails at once with [`Error::Overloaded`]; the server
/// answers 503 with `Retry-After`.
#[derive(Clone)]
pub struct PasswordHasher {
    pool: Arc<HashPool>,
    dummy_hash: Arc<str>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("capacity", &self.pool.capacity)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// `threads`: hashes that run at once (the number of cores is right for a server);
    /// `queue`: hashes that may wait for a thread before more are refused.
    pub fn new(threads: usize, queue: usize) -> Result<Self> {
        // With working memory of its own, freed at once: an idle server keeps no 19 MiB area.
        let dummy = hash_with(b"portcullis dummy password, never valid", false)?;
        let (pool, _threads) = HashPool::new(threads, queue)?;
        Ok(PasswordHasher {
            pool: Arc::new(pool),
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String> {
        let pw = password.clone();
        self.pool
            .run(move || hash_blocking(pw.expose().as_bytes()))
            .await?
    }

    /// Verifies `password` against `phc`, or against the dummy hash when there is no user, so
    /// both paths cost the same. Returns false for the dummy path whatever was typed.
    pub async fn verify(&self, password: &Password, phc: Option<&str>) -> Result<bool> {
        let pw = password.clone();
        let real = phc.is_some();
        let phc: String = phc
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = self
            .pool
            .run(move || verify_blocking(pw.expose().as_bytes(), &phc))
            .await?;
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The broken rules of `p` for alice@example.com; `Ok` when there are none.
    fn check(p: &str) -> Result<(), Vec<PolicyViolation>> {
        check_policy(
            &Password::new(p),
            Email::parse("alice@example.com").ok().as_ref(),
        )
        .map_err(|v| v.iter().collect())
    }

    use PolicyViolation::*;

    #[test]
    fn accepts_a_password_that_meets_every_rule() {
        assert_eq!(check("Correct-Horse-7"), Ok(()));
    }

    #[test]
    fn names_the_rule_a_password_breaks() {
        assert_eq!(check("Ab-1"), Err(vec![TooShort]));
        assert_eq!(check("alllower-case"), Err(vec![NoUppercase]));
        assert_eq!(check("ALLUPPER-CASE"), Err(vec![NoLowercase]));
        assert_eq!(check("NoSpecialChars1"), Err(vec![NoSpecial]));
        assert_eq!(check(&"Aa-".repeat(100)), Err(vec![TooLong]));
        assert_eq!(check("Alice@Example.com"), Err(vec![ContainsEmail]));
    }

    #[test]
    fn names_every_rule_a_password_breaks_at_once_in_one_sentence_and_one_by_one() {
        let broken = check_policy(
            &Password::new("xalice9"),
            Email::parse("alice@example.com").ok().as_ref(),
        )
        .unwrap_err();
        assert_eq!(
            broken.iter().collect::<Vec<_>>(),
            [TooShort, NoUppercase, NoSpecial, ContainsEmail]
        );
        assert_eq!(
            broken.to_string(),
            "The password must be at least 8 characters long, contain an upper-case letter, \
             contain a special character (not a letter or digit) and not contain the name or \
             the domain of your email address."
        );
        assert_eq!(
            TooShort.to_string(),
            "The password must be at least 8 characters long."
        );
        assert_eq!(
            PolicyViolations::from(TooShort).to_string(),
            TooShort.to_string()
        );
        let codes: Vec<_> = [
            TooShort,
            TooLong,
            NoLowercase,
            NoUppercase,
            NoSpecial,
            Common,
            ContainsEmail,
            SameAsCurrent,
        ]
        .iter()
        .map(|v| v.code())
        .collect();
        assert_eq!(
            codes,
            [
                "too_short",
                "too_long",
                "no_lowercase",
                "no_uppercase",
                "no_special",
                "common",
                "contains_email",
                "same_as_current"
            ]
        );
    }

    #[test]
    fn refuses_the_name_or_domain_of_the_email_whatever_their_case() {
        let ann = Email::parse("ann@example.com").unwrap();
        let for_ann = |p: &str| policy_violations(&Password::new(p), Some(&ann));
        for p in [
            "Ann@example.com1",
            "ANN-likes-tea-7",
            "Banner-Flag-9",
            "My-EXAMPLE-pass-7",
        ] {
            assert_eq!(
                for_ann(p).iter().collect::<Vec<_>>(),
                [ContainsEmail],
                "{p}"
            );
        }
        assert!(for_ann("Correct-Horse-7").is_empty());
        // ".com" is not the organisation's name; neither is the "co" of co.uk.
        assert!(for_ann("Come-Along-Now-7").is_empty());
        let smith = Email::parse("ann.smith+work@mail.example.co.uk").unwrap();
        assert_eq!(
            email_parts(&smith),
            [
                "ann",
                "ann.smith+work",
                "ann.smith+work@mail.example.co.uk",
                "example",
                "mail",
                "smith",
                "work"
            ]
        );
        // Parts shorter than three characters are not held against a password.
        let short = Email::parse("al@ab.io").unwrap();
        assert_eq!(email_parts(&short), ["al@ab.io"]);
        assert!(policy_violations(&Password::new("Always-Able-7"), Some(&short)).is_empty());
        // Without an email there is nothing to compare.
        assert!(policy_violations(&Password::new("Ann@example.com1"), None).is_empty());
    }

    #[test]
    fn refuses_common_passwords_whatever_their_case() {
        // Both are on the shipped list in lower case and meet every other rule.
        assert!(common_passwords().contains("p@ssw0rd"));
        assert_eq!(check("P@ssw0rd"), Err(vec![Common]));
        assert_eq!(check("p@SSW0RD"), Err(vec![Common]));
        assert!(common_passwords().len() >= 10_000);
    }

    #[test]
    fn refuses_list_entries_in_disguise() {
        for disguised in [
            "Password1!",
            "pA$$w0rD",
            "!Qwerty2024",
            "Monkey-123",
            "Dr4g0n!!",
        ] {
            assert_eq!(check(disguised), Err(vec![Common]), "{disguised}");
        }
        // A passphrase that merely contains a common word is fine.
        assert_eq!(check("Purple-Monkey-Dishwasher-7"), Ok(()));
        assert!(common_passwords().len() >= 10_000);
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Seven characters, more than eight bytes.
        assert_eq!(check("Äöü-ßéÉ"), Err(vec![TooShort]));
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // A hash written by the crate's own API (what earlier versions stored) verifies here...
        let theirs = argon2()
            .hash_password(b"Correct-Horse-7")
            .unwrap()
            .to_string();
        assert!(verify_blocking(b"Correct-Horse-7", &theirs));
        assert!(!verify_blocking(b"Correct-Horse-8", &theirs));
        // ...and ours verifies with the crate's own verifier.
        let ours = hash_blocking(b"Correct-Horse-7").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2()
                .verify_password(b"Correct-Horse-7", &parsed)
                .is_ok()
        );
        assert!(
            argon2()
                .verify_password(b"Correct-Horse-8", &parsed)
                .is_err()
        );
        // Other parameters (an older setting) are read from the hash itself.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).unwrap(),
        );
        let old = small.hash_password(b"Correct-Horse-7").unwrap().to_string();
        assert!(verify_blocking(b"Correct-Horse-7", &old));
        assert!(!verify_blocking(
            b"Correct-Horse-7",
            "$argon2id$v=19$garbage"
        ));
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = PasswordHasher::new(2, 8).unwrap();
        let pw = Password::new("Correct-Horse-7");
        let phc = h.hash(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify(&pw, Some(&phc)).await.unwrap());
        assert!(
            !h.verify(&Password::new("correct-horse-7"), Some(&phc))
                .await
                .unwrap()
        );
        assert!(!h.verify(&pw, None).await.unwrap());
        assert!(!h.verify(&pw, Some("not a hash")).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_makes_room_when_the_work_is_done() {
        let (pool, _threads) = HashPool::new(1, 1).unwrap();
        // The one thread is held by a job that waits for the test; one more job may wait.
        let (release, held) = mpsc::channel::<()>();
        let running = pool
            .submit(move || {
                held.recv().unwrap();
                "ran"
            })
            .unwrap();
        let queued = pool.submit(|| "queued").unwrap();
        for _ in 0..3 {
            assert!(matches!(
                pool.submit(|| "shed"),
                Err(Error::Overloaded {
                    retry_after_secs: OVERLOADED_RETRY_AFTER_SECS
                })
            ));
        }
        release.send(()).unwrap();
        assert_eq!(running.await.unwrap(), "ran");
        assert_eq!(queued.await.unwrap(), "queued");
        // Both are finished: the thread and the queue slot are free again.
        let again = [pool.submit(|| 1).unwrap(), pool.submit(|| 2).unwrap()];
        let mut sum = 0;
        for r in again {
            sum += r.await.unwrap();
        }
        assert_eq!(sum, 3);
    }

    #[tokio::test]
    async fn a_hasher_whose_threads_are_busy_sheds_hashes_and_verifications_alike() {
        let h = PasswordHasher::new(1, 0).unwrap();
        let (release, held) = mpsc::channel::<()>();
        let busy = h.pool.submit(move || held.recv().unwrap()).unwrap();
        let pw = Password::new("Correct-Horse-7");
        assert!(matches!(h.hash(&pw).await, Err(Error::Overloaded { .. })));
        assert!(matches!(
            h.verify(&pw, None).await,
            Err(Error::Overloaded { .. })
        ));
        release.send(()).unwrap();
        busy.await.unwrap();
        let phc = h.hash(&pw).await.unwrap();
        assert!(h.verify(&pw, Some(&phc)).await.unwrap());
    }

    #[tokio::test]
    async fn jobs_run_on_the_named_hashing_threads_at_low_priority() {
        let (pool, _threads) = HashPool::new(2, 4).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("portcullis-hash"));
        #[cfg(target_os = "linux")]
        {
            let nice = pool
                .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
                .await
                .unwrap()
                .unwrap();
            let ours =
                rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
            // 10, or already lower (a test run under `nice -n 15` cannot go back up to 10).
            assert!(
                nice >= 10 && nice >= ours,
                "hashing thread nice {nice}, ours {ours}"
            );
        }
    }

    #[test]
    fn a_panicking_job_loses_its_answer_but_not_the_thread() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (pool, _threads) = HashPool::new(1, 0).unwrap();
        let lost = rt.block_on(pool.run(|| -> u8 { panic!("a job failed") }));
        assert!(matches!(lost, Err(Error::Internal(_))));
        assert_eq!(rt.block_on(pool.run(|| 7)).unwrap(), 7);
    }

    #[test]
    fn the_threads_end_when_the_pool_is_dropped() {
        let (pool, threads) = HashPool::new(3, 2).unwrap();
        assert_eq!(threads.len(), 3);
        drop(pool);
        // A generous deadline: this asserts that the threads end, not how fast.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while threads.iter().any(|t| !t.is_finished()) {
            assert!(
                std::time::Instant::now() < deadline,
                "hashing threads still running"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        for t in threads {
            t.join().unwrap();
        }
    }
}
