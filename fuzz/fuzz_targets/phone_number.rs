//! Mobile numbers as people type them (`portcullis_core::phone::PhoneNumber`).
//!
//! Beyond "no panic": a parsed number is E.164 (`+`, 8 to 15 ASCII digits, no leading 0), made
//! of exactly the digits that were typed (less one "(0)" trunk prefix), parses to itself, and
//! its masked form shows only the country and the last digits.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_core::phone::PhoneNumber;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(n) = PhoneNumber::parse(text) else {
        return;
    };
    let e164 = n.as_str();
    let digits = e164.strip_prefix('+').expect("starts with +");
    assert!((8..=15).contains(&digits.len()), "{e164}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{e164}");
    assert!(!digits.starts_with('0'), "{e164}");

    let typed: String = text
        .trim()
        .replacen("(0)", "", 1)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(typed, digits, "digits were added or lost");

    assert_eq!(PhoneNumber::parse(e164).as_ref(), Some(&n));
    let masked = n.masked();
    let tail = if digits.len() >= 10 { 4 } else { 2 };
    let hidden = digits.len() - 2 - tail;
    let expected = format!(
        "+{}{}{}",
        &digits[..2],
        "•".repeat(hidden),
        &digits[digits.len() - tail..]
    );
    assert_eq!(masked, expected);
    // At least four digits stay hidden, whatever the length.
    assert!(hidden >= 4, "{masked}");
    assert!(!format!("{n:?}").contains(digits));
});
