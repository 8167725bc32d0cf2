//! Passwords: the policy (at least eight characters, upper and lower case, a special
//! character; plus a list of the most common breached passwords) and Argon2id hashing.
//!
//! - This file: [`Password`] and the policy.
//! - `argon2id`: the hashing parameters and the computation, in working memory the caller
//!   keeps; plain functions that run on the calling thread.
//! - `hasher`: [`PasswordHasher`], what use cases call. Hashing costs ~20 MiB and tens of
//!   milliseconds by design, so it runs away from the async runtime on a [`HashRunner`]: the
//!   server's is a pool of low-priority threads with a bounded queue that refuses work at once
//!   with [`Error::Overloaded`](crate::Error::Overloaded) when full (`portcullis-server`'s
//!   `hashing` module). Core starts no thread itself. Unknown users are verified against a dummy
//!   hash so that timing does not reveal whether an account exists.

mod argon2id;
mod hasher;

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::email::Email;
use crate::error::Result;

pub use argon2id::{HashMemory, hash_in, verify_in};
pub use hasher::{
    BlockingPoolRunner, HashJob, HashRun, HashRunner, OVERLOADED_RETRY_AFTER_SECS, PasswordHasher,
};

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
}
