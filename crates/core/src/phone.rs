//! Mobile numbers and the codes sent to them by SMS (verifying a number in the 2FA setup
//! assistant, and the forgot-password code).
//!
//! [`PhoneNumber`] is E.164 (principle 7): `+`, a country code that does not start with 0, and 8 to
//! 15 digits in all. It accepts what a person types around those digits (spaces, dashes, dots,
//! parentheses, the German-style "(0)" trunk prefix) and refuses anything else rather than guess.
//!
//! [`SmsCode`] is six random digits. Six digits are a million guesses, too few to survive an
//! offline search, so like recovery codes the database keeps only an HMAC under a key derived from
//! the master key; the digest is bound to the user, the purpose and the number, so a code made for
//! one of them proves nothing for another. This module decides nothing about attempts or expiry:
//! that is the services' and the database's.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::model::UserId;
use crate::secret::{constant_time_eq, random_bytes};

const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;
/// Longer input is not a phone number however it is spaced; refusing it early bounds the work.
const MAX_INPUT: usize = 40;
const CODE_DIGITS: usize = 6;

/// A mobile number in E.164 form, e.g. `+4915112345678`.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a number as a person types it. `None` for anything that is not E.164 after removing
    /// spaces, dashes, dots and parentheses: letters, a missing `+`, a `00` prefix, a country code
    /// starting with 0, too few or too many digits.
    pub fn parse(input: &str) -> Option<PhoneNumber> {
        let input = input.trim();
        if input.len() > MAX_INPUT {
            return None;
        }
        // "+49 (0)151 …": the 0 in brackets is dialled only inside the country; keeping it would
        // make a different, wrong number.
        let input = input.replacen("(0)", "", 1);
        let mut chars = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\t' | '-' | '.' | '(' | ')' | '/'));
        if chars.next() != Some('+') {
            return None;
        }
        let digits: String = chars.collect();
        let valid = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        valid.then(|| PhoneNumber(format!("+{digits}")))
    }

    /// A number read back from the database, where only parsed numbers are written.
    pub fn from_stored(s: String) -> PhoneNumber {
        PhoneNumber(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+49•••••••4567`: the `+`, the first two digits (enough to recognise the country) and the
    /// last four (enough to recognise one's own number); the rest hidden. Short numbers keep only
    /// two at the end, so that more is hidden than shown.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let tail = if digits.len() >= 10 { 4 } else { 2 };
        let hidden = digits.len() - 2 - tail;
        format!(
            "+{}{}{}",
            &digits[..2],
            "•".repeat(hidden),
            &digits[digits.len() - tail..]
        )
    }
}

/// Shows the masked form: a full number is personal data that logs do not need.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

/// What an SMS code is for; a code made for one purpose never works for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Proves the person holds the number they entered.
    Verify,
    /// Forgot password: stands in for the emailed link.
    Reset,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Verify => "verify",
            CodePurpose::Reset => "reset",
        }
    }
}

/// Six digits sent by SMS. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SmsCode(String);

impl SmsCode {
    pub fn generate() -> SmsCode {
        let mut digits = String::with_capacity(CODE_DIGITS);
        while digits.len() < CODE_DIGITS {
            for b in random_bytes::<16>() {
                // Rejection sampling keeps every digit equally likely (250 = 25 × 10).
                if b < 250 && digits.len() < CODE_DIGITS {
                    digits.push(char::from(b'0' + b % 10));
                }
            }
        }
        SmsCode(digits)
    }

    /// Reads a code as a person types it: spaces and dashes ignored; exactly six digits.
    pub fn parse(input: &str) -> Option<SmsCode> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .collect();
        (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(SmsCode(digits))
    }

    /// For the message that carries it, and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps: hex HMAC-SHA256 under `key` of the code bound to its user,
    /// purpose and number, with a prefix that keeps these digests apart from any other use of
    /// the key.
    pub fn digest(
        &self,
        key: &[u8; 32],
        user: &UserId,
        purpose: CodePurpose,
        number: &PhoneNumber,
    ) -> String {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
        for part in [
            "portcullis/sms-code/v1",
            user.as_str(),
            purpose.as_str(),
            number.as_str(),
            &self.0,
        ] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Does this code match the stored `digest`? Compared in constant time.
    pub fn matches(
        &self,
        stored: &str,
        key: &[u8; 32],
        user: &UserId,
        purpose: CodePurpose,
        number: &PhoneNumber,
    ) -> bool {
        let mine = self.digest(key, user, purpose, number);
        constant_time_eq(mine.as_bytes(), stored.as_bytes())
    }
}

impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<String> {
        PhoneNumber::parse(s).map(|n| n.as_str().to_owned())
    }

    #[test]
    fn what_people_type_around_the_digits_is_ignored() {
        for typed in [
            "+4915112344567",
            " +49 151 1234 4567 ",
            "+49-151-1234-4567",
            "+49.151.1234.4567",
            "+49 (151) 1234 4567",
            "+49 (0)151 12344567",
            "+49/151/12344567",
        ] {
            assert_eq!(num(typed).as_deref(), Some("+4915112344567"), "{typed}");
        }
        assert_eq!(num("+1 (415) 555-0100").as_deref(), Some("+14155550100"));
    }

    #[test]
    fn anything_that_is_not_e164_is_refused() {
        for bad in [
            "",
            "+",
            "4915112344567",         // no +
            "004915112344567",       // 00 instead of +
            "+04915112344567",       // country codes never start with 0
            "+49151123445a7",        // a letter
            "+49 151 CALL ME",       // words
            "+1234567",              // 7 digits
            "+1234567890123456",     // 16 digits
            "++4915112344567",       // two plus signs
            "+49+15112344567",       // a plus inside
            "+49 151 1234 4567 ext", // extensions are not numbers
            "+٤٩١٥١١٢٣٤٤٥٦٧",        // digits of another script
            &format!("+49{}", " ".repeat(60)),
        ] {
            assert_eq!(num(bad), None, "{bad:?}");
        }
        assert_eq!(num("+12345678").as_deref(), Some("+12345678"));
        assert_eq!(num("+123456789012345").as_deref(), Some("+123456789012345"));
    }

    #[test]
    fn the_masked_number_shows_the_country_and_the_last_digits_only() {
        let n = PhoneNumber::parse("+4915112344567").unwrap();
        assert_eq!(n.masked(), "+49•••••••4567");
        assert_eq!(format!("{n:?}"), "PhoneNumber(+49•••••••4567)");
        assert_eq!(
            PhoneNumber::parse("+14155550100").unwrap().masked(),
            "+14•••••0100"
        );
        // Eight digits: two at each end, four hidden.
        assert_eq!(
            PhoneNumber::parse("+12345678").unwrap().masked(),
            "+12••••78"
        );
    }

    #[test]
    fn codes_are_six_evenly_spread_digits() {
        let mut counts = [0u32; 10];
        for _ in 0..2000 {
            let code = SmsCode::generate();
            assert_eq!(code.expose().len(), 6);
            assert_eq!(SmsCode::parse(code.expose()).as_ref(), Some(&code));
            for b in code.expose().bytes() {
                counts[(b - b'0') as usize] += 1;
            }
        }
        // 12000 digits: each should appear ~1200 times; 1000..1400 is far outside chance.
        assert!(
            counts.iter().all(|n| (1000..1400).contains(n)),
            "{counts:?}"
        );
    }

    #[test]
    fn code_parsing_ignores_spaces_and_dashes_and_nothing_else() {
        assert_eq!(SmsCode::parse("123 456").unwrap().expose(), "123456");
        assert_eq!(SmsCode::parse("123-456").unwrap().expose(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert!(SmsCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_digest_is_keyed_and_bound_to_user_purpose_and_number() {
        let code = SmsCode::parse("123456").unwrap();
        let user = UserId("u1".into());
        let number = PhoneNumber::parse("+4915112344567").unwrap();
        let d = code.digest(&[1; 32], &user, CodePurpose::Verify, &number);
        assert_eq!(d.len(), 64);
        assert!(!d.contains("123456"));
        assert!(code.matches(&d, &[1; 32], &user, CodePurpose::Verify, &number));
        assert!(!code.matches(&d, &[2; 32], &user, CodePurpose::Verify, &number));
        assert!(!code.matches(
            &d,
            &[1; 32],
            &UserId("u2".into()),
            CodePurpose::Verify,
            &number
        ));
        assert!(!code.matches(&d, &[1; 32], &user, CodePurpose::Reset, &number));
        let other = PhoneNumber::parse("+4915112344568").unwrap();
        assert!(!code.matches(&d, &[1; 32], &user, CodePurpose::Verify, &other));
        let wrong = SmsCode::parse("123457").unwrap();
        assert!(!wrong.matches(&d, &[1; 32], &user, CodePurpose::Verify, &number));
        assert!(!format!("{code:?}").contains("123456"));
    }
}
