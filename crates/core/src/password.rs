//! Passwords: the policy (seed 001: at least eight characters, upper and lower case, a special
//! character; plus a list of the most common breached passwords) and Argon2id hashing.
//!
//! Hashing costs ~20 MiB and tens of milliseconds by design. [`PasswordHasher`] runs it on the
//! blocking pool behind a semaphore sized to the cores, so a burst of logins queues there instead
//! of stalling the async runtime that serves cheap requests. Unknown users are verified against a
//! dummy hash so that timing does not reveal whether an account exists.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use tokio::sync::Semaphore;
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

/// Which rule a refused password broke; the message tells the user what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort,
    TooLong,
    NoLowercase,
    NoUppercase,
    NoSpecial,
    Common,
    SameAsEmail,
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match self {
            PolicyViolation::TooShort => "The password must be at least 8 characters long.",
            PolicyViolation::TooLong => "The password must be at most 256 characters long.",
            PolicyViolation::NoLowercase => "The password must contain a lower-case letter.",
            PolicyViolation::NoUppercase => "The password must contain an upper-case letter.",
            PolicyViolation::NoSpecial => {
                "The password must contain a special character (not a letter or digit)."
            }
            PolicyViolation::Common => {
                "This password is among the most common breached passwords; choose another."
            }
            PolicyViolation::SameAsEmail => "The password must not be your email address.",
        };
        f.write_str(msg)
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

/// Checks a new password against the policy. The list is lower-case, so the comparison is
/// case-insensitive: `PASSWORD` is as weak as `password`.
pub fn check_policy(password: &Password, email: Option<&Email>) -> Result<(), PolicyViolation> {
    let p = password.expose();
    let len = p.chars().count();
    if len < MIN_LENGTH {
        return Err(PolicyViolation::TooShort);
    }
    if len > MAX_LENGTH {
        return Err(PolicyViolation::TooLong);
    }
    if !p.chars().any(char::is_lowercase) {
        return Err(PolicyViolation::NoLowercase);
    }
    if !p.chars().any(char::is_uppercase) {
        return Err(PolicyViolation::NoUppercase);
    }
    if p.chars().all(char::is_alphanumeric) {
        return Err(PolicyViolation::NoSpecial);
    }
    let lower = p.to_lowercase();
    if common_passwords().contains(lower.as_str()) || common_skeletons().contains(&skeleton(p)) {
        return Err(PolicyViolation::Common);
    }
    if let Some(email) = email {
        let key = email.key();
        let local = key.split('@').next().unwrap_or_default();
        if lower == key || lower == local {
            return Err(PolicyViolation::SameAsEmail);
        }
    }
    Ok(())
}

/// Argon2id with the OWASP parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &[u8]) -> Result<String> {
    argon2()
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal_msg(format!("argon2 hash failed: {e}")))
}

fn verify_blocking(password: &[u8], phc: &str) -> bool {
    match PasswordHash::new(phc) {
        // Verify with the parameters recorded in the hash, so old hashes keep working after a
        // parameter change.
        Ok(parsed) => argon2().verify_password(password, &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Hashes and verifies passwords on the blocking pool, at most `permits` at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher").finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// `permits`: how many hashes may run at once; the number of cores is right for a server.
    pub fn new(permits: usize) -> Result<Self> {
        let dummy = hash_blocking(b"portcullis dummy password, never valid")?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        let pw = password.clone();
        tokio::task::spawn_blocking(move || hash_blocking(pw.expose().as_bytes()))
            .await
            .map_err(Error::internal)?
    }

    /// Verifies `password` against `phc`, or against the dummy hash when there is no user, so
    /// both paths cost the same. Returns false for the dummy path whatever was typed.
    pub async fn verify(&self, password: &Password, phc: Option<&str>) -> Result<bool> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        let pw = password.clone();
        let real = phc.is_some();
        let phc: String = phc
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || verify_blocking(pw.expose().as_bytes(), &phc))
            .await
            .map_err(Error::internal)?;
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str) -> Result<(), PolicyViolation> {
        check_policy(
            &Password::new(p),
            Email::parse("alice@example.com").ok().as_ref(),
        )
    }

    #[test]
    fn accepts_a_password_that_meets_every_rule() {
        assert_eq!(check("Correct-Horse-7"), Ok(()));
    }

    #[test]
    fn names_the_rule_a_password_breaks() {
        assert_eq!(check("Ab-1"), Err(PolicyViolation::TooShort));
        assert_eq!(check("alllower-case"), Err(PolicyViolation::NoUppercase));
        assert_eq!(check("ALLUPPER-CASE"), Err(PolicyViolation::NoLowercase));
        assert_eq!(check("NoSpecialChars1"), Err(PolicyViolation::NoSpecial));
        assert_eq!(check(&"Aa-".repeat(100)), Err(PolicyViolation::TooLong));
        assert_eq!(
            check("Alice@Example.com"),
            Err(PolicyViolation::SameAsEmail)
        );
    }

    #[test]
    fn refuses_common_passwords_whatever_their_case() {
        // Both are on the shipped list in lower case and meet every other rule.
        assert!(common_passwords().contains("p@ssw0rd"));
        assert_eq!(check("P@ssw0rd"), Err(PolicyViolation::Common));
        assert_eq!(check("p@SSW0RD"), Err(PolicyViolation::Common));
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
            assert_eq!(
                check(disguised),
                Err(PolicyViolation::Common),
                "{disguised}"
            );
        }
        // A passphrase that merely contains a common word is fine.
        assert_eq!(check("Purple-Monkey-Dishwasher-7"), Ok(()));
        assert!(common_passwords().len() >= 10_000);
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Seven characters, more than eight bytes.
        assert_eq!(check("Äöü-ßéÉ"), Err(PolicyViolation::TooShort));
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = PasswordHasher::new(2).unwrap();
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
}
