//! `otpauth://` key URIs as the companion app imports them (`portcullis_app::otpauth`), from a
//! QR code or pasted text.
//!
//! Beyond "no panic": whatever parses is within the documented limits and gives codes of the
//! right shape; written back out (by the server's own `otpauth_uri` where its parameters allow,
//! otherwise by the plain Key URI Format) it parses to the very same authenticator.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_app::otpauth::Authenticator;
use portcullis_core::totp::{self, Algorithm, TotpParams, TotpSecret};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(a) = Authenticator::parse(text) else {
        return;
    };
    assert!((6..=8).contains(&a.digits), "{} digits", a.digits);
    assert!((1..=3600).contains(&a.period), "period {}", a.period);
    assert!((10..=128).contains(&a.secret.expose().len()));
    let algorithm = Algorithm::parse(&a.algorithm).expect("a known algorithm");
    assert!(!a.account.is_empty() && a.account.len() <= 256);
    assert_eq!(a.account.trim(), a.account);
    if let Some(issuer) = &a.issuer {
        assert!(!issuer.is_empty() && issuer.len() <= 256 && issuer.trim() == issuer);
    }
    assert!(!a.label().is_empty());
    for now in [0, 59, 1_700_000_000, u64::from(u32::MAX), u64::MAX / 2] {
        let c = a.code_at(now);
        assert_eq!(c.code.len(), a.digits as usize);
        assert!(c.code.bytes().all(|b| b.is_ascii_digit()));
        assert!((1..=a.period).contains(&c.seconds_left));
    }

    let again = Authenticator::parse(&key_uri(&a)).expect("a written-out URI parses");
    assert_eq!(again, a, "the written-out URI reads back differently");

    // What the server hands out reads back the same in the app.
    if let (Some(issuer), Ok(params)) = (
        &a.issuer,
        TotpParams::new(algorithm, a.digits, a.period as i64),
    ) {
        let secret = TotpSecret::from_bytes(a.secret.expose().to_vec());
        let uri = totp::otpauth_uri(issuer, &a.account, &secret, &params);
        let from_server = Authenticator::parse(&uri).expect("the server's URI parses");
        assert_eq!(from_server, a);
    }
});

/// The Key URI Format, every value percent-encoded. Without an issuer, an empty label prefix
/// keeps a `:` inside the account from being read as one.
fn key_uri(a: &Authenticator) -> String {
    let label = match &a.issuer {
        Some(issuer) => format!("{}:{}", encode(issuer), encode(&a.account)),
        None => format!(":{}", encode(&a.account)),
    };
    let mut uri = format!(
        "OTPAUTH://totp/{label}?secret={}&algorithm={}&digits={}&period={}",
        totp::base32_encode(a.secret.expose()),
        a.algorithm.to_ascii_lowercase(),
        a.digits,
        a.period
    );
    if let Some(issuer) = &a.issuer {
        uri.push_str(&format!("&issuer={}", encode(issuer)));
    }
    uri
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}
