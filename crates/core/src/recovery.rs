//! Recovery codes: ten codes of 16 digits from the operating system's
//! CSPRNG, shown once as `1234-5678-9012-3456` and stored only as a keyed hash.
//!
//! A code carries 53 bits, too few to survive an offline search if the database alone leaked, so
//! the hash is an HMAC under a key derived from the master key, which is not in the database.
//! Being deterministic, the digest also lets the database find and burn a code in one conditional
//! update, which is what makes each code single-use under concurrency.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::secret::random_bytes;

pub const CODES_PER_SET: usize = 10;
const DIGITS: usize = 16;

#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn generate() -> RecoveryCode {
        let mut digits = String::with_capacity(DIGITS);
        while digits.len() < DIGITS {
            for b in random_bytes::<32>() {
                // Rejection sampling keeps every digit equally likely (250 = 25 × 10).
                if b < 250 && digits.len() < DIGITS {
                    digits.push(char::from(b'0' + b % 10));
                }
            }
        }
        RecoveryCode(digits)
    }

    /// Reads a code as a person types it: dashes and spaces ignored; exactly 16 digits.
    pub fn parse(input: &str) -> Option<RecoveryCode> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t'))
            .collect();
        (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(RecoveryCode(digits))
    }

    /// `1234-5678-9012-3456`
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What the database keeps: hex HMAC-SHA256 under the recovery key.
    pub fn digest(&self, key: &[u8; 32]) -> String {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

/// A fresh set of codes.
pub fn generate_set() -> Vec<RecoveryCode> {
    (0..CODES_PER_SET)
        .map(|_| RecoveryCode::generate())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_has_ten_distinct_sixteen_digit_codes() {
        let set = generate_set();
        assert_eq!(set.len(), 10);
        for code in &set {
            let shown = code.display();
            assert_eq!(shown.len(), 19);
            assert_eq!(shown.matches('-').count(), 3);
            assert_eq!(RecoveryCode::parse(&shown).as_ref(), Some(code));
        }
        let mut shown: Vec<String> = set.iter().map(RecoveryCode::display).collect();
        shown.dedup();
        assert_eq!(shown.len(), 10);
    }

    #[test]
    fn digits_are_spread_evenly() {
        let mut counts = [0u32; 10];
        for _ in 0..500 {
            for b in RecoveryCode::generate()
                .display()
                .bytes()
                .filter(u8::is_ascii_digit)
            {
                counts[(b - b'0') as usize] += 1;
            }
        }
        // 8000 digits: each should appear ~800 times; 600..1000 is far outside chance.
        assert!(counts.iter().all(|n| (600..1000).contains(n)), "{counts:?}");
    }

    #[test]
    fn parsing_ignores_dashes_and_spaces_and_nothing_else() {
        assert!(RecoveryCode::parse("1234 5678-9012 3456").is_some());
        for bad in [
            "",
            "1234-5678-9012-345",
            "1234-5678-9012-34567",
            "1234-5678-9012-345a",
        ] {
            assert!(RecoveryCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_digest_depends_on_the_key_and_hides_the_code() {
        let code = RecoveryCode::parse("1234-5678-9012-3456").unwrap();
        let a = code.digest(&[1; 32]);
        assert_eq!(a.len(), 64);
        assert_ne!(a, code.digest(&[2; 32]));
        assert!(!a.contains("1234567890123456"));
        assert!(!format!("{code:?}").contains("1234"));
    }
}
