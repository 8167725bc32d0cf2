//! The small part of RFC 3986 the app's two URI kinds need: splitting off the scheme, strict
//! percent-decoding, and a query string read into unique parameters.
//!
//! Both kinds arrive from QR codes and pasted text, so anything odd is refused with a message
//! rather than guessed at: a broken escape, text that is not UTF-8, a control character, a
//! repeated parameter. Nothing here panics on any input (the parsers are fuzzed).

use std::collections::BTreeMap;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UriError {
    #[error("{0}")]
    Invalid(String),
}

pub fn invalid(message: impl Into<String>) -> UriError {
    UriError::Invalid(message.into())
}

/// Decodes `%XX` escapes (and, in a query, `+` as a space). The result must be UTF-8 without
/// control characters.
pub fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, UriError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid("a broken %-escape"))?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8(out).map_err(|_| invalid("text that is not UTF-8"))?;
    if decoded.chars().any(char::is_control) {
        return Err(invalid("a control character"));
    }
    Ok(decoded)
}

/// `key=value&…` into a map; every key once. Empty pieces (`a=1&&b=2`) are skipped.
pub fn query_params(query: &str) -> Result<BTreeMap<String, String>, UriError> {
    let mut params = BTreeMap::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        let key = percent_decode(key, true)?.to_ascii_lowercase();
        let value = percent_decode(value, true)?;
        if params.insert(key.clone(), value).is_some() {
            return Err(invalid(format!("the parameter `{key}` appears twice")));
        }
    }
    Ok(params)
}

/// Splits `scheme://rest` and checks the scheme, ignoring case as RFC 3986 §3.1 says.
pub fn strip_scheme<'a>(uri: &'a str, scheme: &str) -> Result<&'a str, UriError> {
    let uri = uri.trim();
    let (given, rest) = uri
        .split_once("://")
        .ok_or_else(|| invalid(format!("expected a URI starting with {scheme}://")))?;
    if !given.eq_ignore_ascii_case(scheme) {
        return Err(invalid(format!("expected a URI starting with {scheme}://")));
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_strictly() {
        assert_eq!(percent_decode("a%40b.c", false).unwrap(), "a@b.c");
        assert_eq!(percent_decode("a+b", true).unwrap(), "a b");
        assert_eq!(percent_decode("a+b", false).unwrap(), "a+b");
        assert_eq!(percent_decode("%C3%A9", false).unwrap(), "é");
        for bad in ["%", "%4", "%zz", "%+9", "%FF", "a%0Ab", "%E9"] {
            assert!(percent_decode(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn query_parameters_are_unique() {
        let p = query_params("A=1&&b=x%20y").unwrap();
        assert_eq!(p["a"], "1");
        assert_eq!(p["b"], "x y");
        assert!(query_params("a=1&A=2").is_err());
    }

    #[test]
    fn schemes_compare_without_case() {
        assert_eq!(
            strip_scheme(" OTPAUTH://totp/x ", "otpauth").unwrap(),
            "totp/x"
        );
        assert!(strip_scheme("https://x", "otpauth").is_err());
        assert!(strip_scheme("otpauth:totp", "otpauth").is_err());
    }
}
