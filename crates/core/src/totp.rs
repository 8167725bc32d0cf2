//! RFC 6238 time-based one-time passwords as pure functions: no clock reads, no storage.
//!
//! [`verify`] accepts the current time step and one step either side (RFC 6238 §5.2 recommends at
//! most one step of network delay and drift) and never a step at or before the last accepted one,
//! which the caller stores and updates in the same conditional write: a code works once.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::clock::UnixTime;
use crate::secret::{constant_time_eq, random_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s {
            "SHA1" => Some(Algorithm::Sha1),
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// How codes are made. The defaults (SHA1, 6 digits, 30 s) are what every authenticator app reads;
/// 60 s is allowed ("valid for 30 or 60 seconds"), and 8 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParams {
    pub algorithm: Algorithm,
    pub digits: u32,
    pub period: i64,
}

impl Default for TotpParams {
    fn default() -> Self {
        TotpParams {
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

impl TotpParams {
    pub fn new(algorithm: Algorithm, digits: u32, period: i64) -> Result<TotpParams, &'static str> {
        if digits != 6 && digits != 8 {
            return Err("digits must be 6 or 8");
        }
        if period != 30 && period != 60 {
            return Err("period must be 30 or 60 seconds");
        }
        Ok(TotpParams {
            algorithm,
            digits,
            period,
        })
    }

    /// The time step `now` falls in (RFC 6238 §4.2, T0 = 0).
    pub fn step(&self, now: UnixTime) -> i64 {
        now.0.div_euclid(self.period)
    }
}

/// A shared secret: 160 random bits (RFC 4226 §4 recommends at least that). Zeroized on drop,
/// redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        TotpSecret(random_bytes::<20>().to_vec())
    }
    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    /// RFC 4648 base32 without padding, as authenticator apps take it.
    pub fn base32(&self) -> String {
        base32_encode(&self.0)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

fn hmac_digest(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
    match algorithm {
        Algorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, message),
        Algorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
        Algorithm::Sha512 => run::<Hmac<sha2::Sha512>>(key, message),
    }
}

/// RFC 4226 HOTP with dynamic truncation (§5.3), zero-padded to `digits`.
pub fn hotp(key: &[u8], counter: u64, digits: u32, algorithm: Algorithm) -> String {
    let digest = hmac_digest(algorithm, key, &counter.to_be_bytes());
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    let code = binary % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The code for one time step.
pub fn code_at(secret: &TotpSecret, params: &TotpParams, step: i64) -> String {
    hotp(
        secret.expose(),
        step.max(0) as u64,
        params.digits,
        params.algorithm,
    )
}

/// Checks `code` at `now`: returns the step it is accepted for, or `None`. Steps at or before
/// `last_step` are refused (replay); of the current step and one either side, the latest match
/// wins. Every candidate is compared in constant time.
pub fn verify(
    secret: &TotpSecret,
    params: &TotpParams,
    code: &str,
    now: UnixTime,
    last_step: Option<i64>,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != params.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = params.step(now);
    let mut accepted = None;
    for step in [current - 1, current, current + 1] {
        let fresh = last_step.is_none_or(|last| step > last);
        let matches = constant_time_eq(code_at(secret, params, step).as_bytes(), code.as_bytes());
        if fresh && matches {
            accepted = Some(step);
        }
    }
    accepted
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 as people type it: any case, spaces, dashes and padding ignored.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = BASE32
            .iter()
            .position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Key URI Format that Google Authenticator, Aegis, FreeOTP and 1Password read:
/// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=ISSUER&algorithm=…&digits=…&period=…`.
pub fn otpauth_uri(
    issuer: &str,
    account: &str,
    secret: &TotpSecret,
    params: &TotpParams,
) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm={}&digits={}&period={}",
        percent_encode(issuer),
        percent_encode(account),
        secret.base32(),
        percent_encode(issuer),
        params.algorithm.as_str(),
        params.digits,
        params.period
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the seeds are the ASCII strings "1234567890" repeated to the hash's
    /// key length, codes have 8 digits, the period is 30 s.
    #[test]
    fn matches_the_rfc_6238_appendix_b_vectors() {
        let sha1 = b"12345678901234567890".to_vec();
        let sha256 = b"12345678901234567890123456789012".to_vec();
        let sha512 = b"1234567890123456789012345678901234567890123456789012345678901234".to_vec();
        let vectors: [(i64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (time, c1, c256, c512) in vectors {
            for (key, algorithm, expected) in [
                (&sha1, Algorithm::Sha1, c1),
                (&sha256, Algorithm::Sha256, c256),
                (&sha512, Algorithm::Sha512, c512),
            ] {
                let params = TotpParams::new(algorithm, 8, 30).unwrap();
                let secret = TotpSecret::from_bytes(key.clone());
                let step = params.step(UnixTime(time));
                assert_eq!(
                    code_at(&secret, &params, step),
                    expected,
                    "{algorithm:?} at {time}"
                );
                assert_eq!(
                    verify(&secret, &params, expected, UnixTime(time), None),
                    Some(step)
                );
            }
        }
    }

    #[test]
    fn matches_the_rfc_4226_hotp_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp(b"12345678901234567890", counter as u64, 6, Algorithm::Sha1),
                *code
            );
        }
    }

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn accepts_one_step_either_side_and_no_further() {
        let p = TotpParams::default();
        let now = UnixTime(1_800_000_015); // step 60_000_000, 15 s in
        let step = p.step(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(&secret(), &p, step + offset);
            assert_eq!(
                verify(&secret(), &p, &code, now, None).is_some(),
                accepted,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn the_window_edges_follow_the_clock() {
        let p = TotpParams::default();
        let code = code_at(&secret(), &p, 100);
        // Step 100 is 3000..3029; accepted while the clock is in steps 99..=101.
        assert!(verify(&secret(), &p, &code, UnixTime(2970), None).is_some());
        assert!(verify(&secret(), &p, &code, UnixTime(2969), None).is_none());
        assert!(verify(&secret(), &p, &code, UnixTime(3059), None).is_some());
        assert!(verify(&secret(), &p, &code, UnixTime(3060), None).is_none());
    }

    #[test]
    fn a_step_is_never_accepted_twice_nor_an_older_one() {
        let p = TotpParams::default();
        let now = UnixTime(3015);
        let current = code_at(&secret(), &p, 100);
        assert_eq!(verify(&secret(), &p, &current, now, None), Some(100));
        assert_eq!(verify(&secret(), &p, &current, now, Some(100)), None);
        let previous = code_at(&secret(), &p, 99);
        assert_eq!(verify(&secret(), &p, &previous, now, Some(100)), None);
        let next = code_at(&secret(), &p, 101);
        assert_eq!(verify(&secret(), &p, &next, now, Some(100)), Some(101));
    }

    #[test]
    fn sixty_second_codes_and_eight_digits_work() {
        let p = TotpParams::new(Algorithm::Sha256, 8, 60).unwrap();
        let code = code_at(&secret(), &p, p.step(UnixTime(6000)));
        assert_eq!(code.len(), 8);
        assert!(verify(&secret(), &p, &code, UnixTime(6059), None).is_some());
        assert!(TotpParams::new(Algorithm::Sha1, 7, 30).is_err());
        assert!(TotpParams::new(Algorithm::Sha1, 6, 45).is_err());
    }

    #[test]
    fn malformed_codes_are_refused_and_spaces_ignored() {
        let p = TotpParams::default();
        let now = UnixTime(3015);
        let code = code_at(&secret(), &p, 100);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(verify(&secret(), &p, &spaced, now, None).is_some());
        for bad in ["", "12345", "1234567", "abcdef", "12345a"] {
            assert!(verify(&secret(), &p, bad, now, None).is_none(), "{bad}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb-oi======").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
        let s = TotpSecret::generate();
        assert_eq!(s.base32().len(), 32);
        assert_eq!(base32_decode(&s.base32()).unwrap(), s.expose());
        assert_ne!(TotpSecret::generate(), s);
    }

    #[test]
    fn the_key_uri_follows_the_format_apps_read() {
        let s = TotpSecret::from_bytes(b"foobar".to_vec());
        let uri = otpauth_uri(
            "Portcullis",
            "alice@example.com",
            &s,
            &TotpParams::default(),
        );
        assert_eq!(
            uri,
            "otpauth://totp/Portcullis:alice%40example.com?secret=MZXW6YTBOI&issuer=Portcullis&algorithm=SHA1&digits=6&period=30"
        );
        let uri = otpauth_uri("My Corp", "a b@x.com", &s, &TotpParams::default());
        assert!(uri.starts_with("otpauth://totp/My%20Corp:a%20b%40x.com?"));
        assert!(!format!("{s:?}").contains("foobar"));
    }
}
