//! App passwords: random passwords for mail clients and other programs that speak an
//! old protocol (IMAP, POP3, SMTP) and cannot ask for a second factor. Each is sixteen lower-case
//! letters shown once as `abcd-efgh-ijkl-mnop` (about 75 bits: easy to type on a phone, far too
//! many to guess), and kept only as a SHA-256 digest. Being random rather than chosen by a person,
//! a fast hash is enough, and it lets the database find the password by (user, digest).
//!
//! The records and the use cases (create, list, revoke, check) are in `service::app_passwords`
//! and `service::app_auth`; this file owns only the secret's shape.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::clock::UnixTime;
use crate::model::{AppPasswordId, UserId};
use crate::secret::{Token, TokenDigest, random_bytes};

const LETTERS: usize = 16;
/// How many app passwords one person may have at once.
pub const MAX_PER_USER: i64 = 50;
/// Longest name, in characters ("Thunderbird on the office laptop").
pub const MAX_NAME_CHARS: usize = 64;

/// An app password as the client holds it. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct AppPassword(String);

impl AppPassword {
    pub fn generate() -> AppPassword {
        let mut letters = String::with_capacity(LETTERS);
        while letters.len() < LETTERS {
            for b in random_bytes::<32>() {
                // Rejection sampling: 234 = 9 × 26, so every letter is equally likely.
                if b < 234 && letters.len() < LETTERS {
                    letters.push(char::from(b'a' + b % 26));
                }
            }
        }
        AppPassword(letters)
    }

    /// Reads what a mail client sends: dashes and spaces ignored, case ignored; `None` unless
    /// exactly sixteen letters remain (then it cannot be an app password, only an account one).
    pub fn parse(input: &str) -> Option<AppPassword> {
        let letters: String = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        (letters.len() == LETTERS && letters.bytes().all(|b| b.is_ascii_lowercase()))
            .then_some(AppPassword(letters))
    }

    /// `abcd-efgh-ijkl-mnop`
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What the database keeps.
    pub fn digest(&self) -> TokenDigest {
        Token::from_client(&self.0).digest()
    }
}

impl fmt::Debug for AppPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppPassword(<redacted>)")
    }
}

/// An app password as its owner sees it in the list: never the password itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPasswordInfo {
    pub id: AppPasswordId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    /// The address of the mail client, as the mail server reported it.
    pub last_used_ip: Option<String>,
}

/// A name for the list: trimmed, 1 to 64 characters, no control characters.
pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("give the app password a name, such as the app or device it is for");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("the name must be at most 64 characters long");
    }
    if name.chars().any(char::is_control) {
        return Err("the name must not contain control characters");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_sixteen_random_letters_in_groups_of_four() {
        let a = AppPassword::generate();
        let shown = a.display();
        assert_eq!(shown.len(), 19);
        let groups: Vec<&str> = shown.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(
            groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_lowercase()))
        );
        assert_ne!(a, AppPassword::generate());
        assert!(!format!("{a:?}").contains(&shown[..4]));
    }

    #[test]
    fn every_letter_turns_up() {
        let mut seen = [false; 26];
        for _ in 0..200 {
            for b in AppPassword::generate().0.bytes() {
                seen[usize::from(b - b'a')] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn what_a_client_sends_is_read_with_or_without_dashes_and_in_any_case() {
        let a = AppPassword::generate();
        let shown = a.display();
        for typed in [
            shown.clone(),
            shown.replace('-', ""),
            shown.replace('-', " "),
            shown.to_uppercase(),
        ] {
            let parsed = AppPassword::parse(&typed).expect("parses");
            assert_eq!(parsed.digest(), a.digest(), "{typed}");
        }
        assert!(AppPassword::parse("Correct-Horse-7").is_none());
        assert!(AppPassword::parse("abcd-efgh-ijkl-mno").is_none());
        assert!(AppPassword::parse("abcd-efgh-ijkl-mnop-q").is_none());
        assert!(AppPassword::parse("abcd-efgh-ijkl-mnö1").is_none());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Thunderbird ").unwrap(), "Thunderbird");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(65)).is_err());
        assert!(parse_name(&"é".repeat(64)).is_ok());
        assert!(parse_name("a\u{7}b").is_err());
    }
}
