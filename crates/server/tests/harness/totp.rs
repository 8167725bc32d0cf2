//! What a person's authenticator app shows: codes of a base32 secret (SHA-1, six digits, 30 s,
//! the defaults every enrolment uses) computed with core's RFC 6238 code on the wall clock the
//! server reads too. The tests that check TOTP itself ask `oathtool` instead (see `browser` and
//! `api/totp.rs`); this module is for tests that only need a valid code to get on.

#![allow(dead_code)]

use portcullis_core::UnixTime;
use portcullis_core::totp::{self, TotpParams, TotpSecret};

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The time step of now.
pub fn current_step() -> i64 {
    TotpParams::default().step(UnixTime(unix_now()))
}

/// The code of `secret` (base32) at time step `step`.
pub fn code_at_step(secret: &str, step: i64) -> String {
    let secret = TotpSecret::from_bytes(totp::base32_decode(secret).expect("a base32 secret"));
    totp::code_at(&secret, &TotpParams::default(), step)
}

/// The code of `secret` (base32) `offset` steps from now: 0 is the current code; the server also
/// accepts the steps next to its own.
pub fn code(secret: &str, offset: i64) -> String {
    code_at_step(secret, current_step() + offset)
}

/// The current code of `secret` (base32).
pub fn code_now(secret: &str) -> String {
    code(secret, 0)
}

/// The code the app shows `offset_secs` seconds from now.
pub fn code_in_secs(secret: &str, offset_secs: i64) -> String {
    code_at_step(
        secret,
        TotpParams::default().step(UnixTime(unix_now() + offset_secs)),
    )
}
