//! The support PIN: a short number the account holder sets so that a support agent can
//! tell them from an impostor on the phone. The rules of its shape live here; hashing reuses the
//! slow [`crate::password::PasswordHasher`], because a PIN has so few possible values that a fast
//! hash would fall to an offline search at once. Checking a caller's PIN, and the throttle that
//! keeps agents from being used to guess one, are in `service::support`.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};
use crate::password::Password;

pub const MIN_DIGITS: usize = 5;
pub const MAX_DIGITS: usize = 10;

/// Wrong checks per customer that lock further checks, and the sliding window they count in.
pub const CHECK_LIMIT: i64 = 5;
pub const CHECK_WINDOW_SECS: i64 = 3600;

/// A PIN as typed. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SupportPin(String);

impl SupportPin {
    /// A PIN someone wants to set: 5–10 digits, not one digit repeated, not a run like 12345 or
    /// 98765 (the first guesses of anyone trying).
    pub fn parse(input: &str) -> Result<SupportPin> {
        let pin = SupportPin::parse_shape(input)?;
        let digits = pin.0.as_bytes();
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(Error::InvalidPin(
                "the support PIN must not be one digit repeated",
            ));
        }
        let steps: Vec<i16> = digits
            .windows(2)
            .map(|w| i16::from(w[1]) - i16::from(w[0]))
            .collect();
        if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
            return Err(Error::InvalidPin(
                "the support PIN must not be a run of digits like 12345 or 98765",
            ));
        }
        Ok(pin)
    }

    /// What a support agent types in: only the shape is checked (5–10 digits), because a weak
    /// guess is still a guess and must count as one.
    pub fn parse_shape(input: &str) -> Result<SupportPin> {
        let trimmed = input.trim();
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&trimmed.len())
            || !trimmed.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::InvalidPin("a support PIN is 5 to 10 digits"));
        }
        Ok(SupportPin(trimmed.to_owned()))
    }

    /// The PIN as the password hasher takes it.
    pub fn as_password(&self) -> Password {
        Password::new(self.0.clone())
    }
}

impl fmt::Debug for SupportPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SupportPin(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &str) -> &'static str {
        match SupportPin::parse(input) {
            Err(Error::InvalidPin(why)) => why,
            other => panic!("{input}: expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn accepts_five_to_ten_digits_without_an_obvious_pattern() {
        for ok in ["48213", "730519", "0192837465", " 55128 ", "11112"] {
            assert!(SupportPin::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_the_wrong_length_and_anything_but_digits() {
        for bad in [
            "",
            "4821",
            "12345678901",
            "4821a",
            "48 213",
            "٤٨٢١٣",
            "+4821",
        ] {
            assert_eq!(reason(bad), "a support PIN is 5 to 10 digits", "{bad:?}");
        }
    }

    #[test]
    fn refuses_one_digit_repeated() {
        for bad in ["00000", "7777777", "9999999999"] {
            assert!(reason(bad).contains("repeated"), "{bad}");
        }
    }

    #[test]
    fn refuses_ascending_and_descending_runs() {
        for bad in [
            "12345",
            "01234",
            "56789",
            "0123456789",
            "98765",
            "43210",
            "9876543210",
        ] {
            assert!(reason(bad).contains("run of digits"), "{bad}");
        }
        // A run that wraps or breaks is not one.
        for ok in ["78901", "12346", "13579"] {
            assert!(SupportPin::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn an_agent_may_type_a_weak_pin_as_a_guess() {
        assert!(SupportPin::parse_shape("12345").is_ok());
        assert!(SupportPin::parse_shape("1234").is_err());
    }

    #[test]
    fn debug_output_hides_the_pin() {
        let pin = SupportPin::parse("48213").unwrap();
        assert_eq!(format!("{pin:?}"), "SupportPin(<redacted>)");
        assert_eq!(pin.as_password().expose(), "48213");
    }
}
