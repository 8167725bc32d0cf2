//! The `otpauth://totp/…` key URI every authenticator app reads (Google Authenticator's "Key Uri
//! Format"), and the codes of an imported authenticator.
//!
//! `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`.
//! The parser is strict about what matters (a secret that decodes, 6–8 digits, a sane period, a
//! known algorithm) and lenient where apps differ (unknown parameters such as `image` are
//! ignored; the `issuer` parameter wins over the label's prefix). It never panics; it is fuzzed.
//! Codes come from `portcullis_core::totp::hotp`, the same RFC 4226/6238 code the server checks.

use std::fmt;

use portcullis_core::totp::{Algorithm, base32_decode, hotp};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::uri::{UriError, invalid, percent_decode, query_params, strip_scheme};

/// The shared secret of an imported authenticator. Zeroized on drop, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct OtpSecret(Vec<u8>);

impl OtpSecret {
    pub fn from_bytes(bytes: Vec<u8>) -> OtpSecret {
        OtpSecret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for OtpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpSecret(<redacted>)")
    }
}

/// An imported authenticator as the state file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    pub issuer: Option<String>,
    pub account: String,
    #[serde(with = "crate::state::b64_secret")]
    pub secret: OtpSecret,
    pub algorithm: String,
    pub digits: u32,
    pub period: u64,
}

/// A code and how many seconds it stays current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentCode {
    pub code: String,
    pub seconds_left: u64,
}

impl Authenticator {
    pub fn parse(text: &str) -> Result<Authenticator, UriError> {
        let rest = strip_scheme(text, "otpauth")?;
        let (kind, rest) = rest
            .split_once('/')
            .ok_or_else(|| invalid("an otpauth URI needs a type and a label: otpauth://totp/…"))?;
        match kind.to_ascii_lowercase().as_str() {
            "totp" => {}
            "hotp" => return Err(invalid("counter-based (HOTP) codes are not supported")),
            other => return Err(invalid(format!("unknown OTP type `{other}`"))),
        }
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let label = percent_decode(label, false)?;
        let mut params = query_params(query)?;

        let issuer_param = params.remove("issuer");
        // A label that starts with the issuer parameter ends the issuer there, so an issuer
        // with a colon ("ACME: Mail", as a server may be configured) keeps the account whole;
        // otherwise the first colon separates them (found by fuzzing).
        let after_issuer = issuer_param
            .as_deref()
            .and_then(|i| label.strip_prefix(i))
            .and_then(|rest| rest.strip_prefix(':'));
        let (label_issuer, account) = match (after_issuer, label.split_once(':')) {
            (Some(account), _) => (None, account.trim()),
            (None, Some((issuer, account))) => (Some(issuer.trim()), account.trim()),
            (None, None) => (None, label.trim()),
        };
        if account.is_empty() {
            return Err(invalid("the label names no account"));
        }
        let issuer = issuer_param
            .or(label_issuer.map(str::to_owned))
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty());
        if account.len() > 256 || issuer.as_ref().is_some_and(|i| i.len() > 256) {
            return Err(invalid("the account or issuer is too long"));
        }

        let secret_text = params
            .remove("secret")
            .ok_or_else(|| invalid("the URI has no `secret`"))?;
        let secret = base32_decode(&secret_text)
            .ok_or_else(|| invalid("the secret is not base32 (letters A–Z and digits 2–7)"))?;
        // RFC 4226 §4 asks for 128 bits and recommends 160; 80 bits is the shortest secret
        // services still hand out.
        if secret.len() < 10 || secret.len() > 128 {
            return Err(invalid("the secret must be 16 to 204 base32 characters"));
        }

        let algorithm = match params.remove("algorithm") {
            None => Algorithm::Sha1,
            Some(a) => Algorithm::parse(&a.to_ascii_uppercase()).ok_or_else(|| {
                invalid(format!("unknown algorithm `{a}` (SHA1, SHA256 or SHA512)"))
            })?,
        };
        let digits = number_param(params.remove("digits"), 6, "digits")?;
        if !(6..=8).contains(&digits) {
            return Err(invalid("codes must have 6, 7 or 8 digits"));
        }
        let period = number_param(params.remove("period"), 30, "period")?;
        if !(1..=3600).contains(&period) {
            return Err(invalid("the period must be 1 to 3600 seconds"));
        }
        Ok(Authenticator {
            issuer,
            account: account.to_owned(),
            secret: OtpSecret::from_bytes(secret),
            algorithm: algorithm.as_str().to_owned(),
            digits: digits as u32,
            period,
        })
    }

    /// "Issuer (account)" or just the account.
    pub fn label(&self) -> String {
        match &self.issuer {
            Some(i) => format!("{i} ({})", self.account),
            None => self.account.clone(),
        }
    }

    /// The code at Unix time `now` (RFC 6238 with T0 = 0).
    pub fn code_at(&self, now: u64) -> CurrentCode {
        let algorithm = Algorithm::parse(&self.algorithm).unwrap_or(Algorithm::Sha1);
        let period = self.period.max(1);
        let digits = self.digits.clamp(6, 8);
        CurrentCode {
            code: hotp(self.secret.expose(), now / period, digits, algorithm),
            seconds_left: period - now % period,
        }
    }
}

fn number_param(value: Option<String>, default: u64, name: &str) -> Result<u64, UriError> {
    match value {
        None => Ok(default),
        Some(v) if !v.is_empty() && v.len() <= 6 && v.bytes().all(|b| b.is_ascii_digit()) => v
            .parse()
            .map_err(|_| invalid(format!("`{name}` is not a number"))),
        Some(_) => Err(invalid(format!("`{name}` is not a number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA1 seed, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_vectors() {
        let a = Authenticator::parse(&format!(
            "otpauth://totp/ACME%20Co:ann@example.com?secret={RFC_SECRET}&digits=8"
        ))
        .unwrap();
        assert_eq!(a.issuer.as_deref(), Some("ACME Co"));
        assert_eq!(a.account, "ann@example.com");
        for (t, code) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(a.code_at(t).code, code);
        }
        assert_eq!(a.code_at(59).seconds_left, 1);
        assert_eq!(a.code_at(60).seconds_left, 30);
    }

    #[test]
    fn the_server_s_own_uris_parse() {
        let secret = portcullis_core::totp::TotpSecret::generate();
        let params = portcullis_core::totp::TotpParams::new(Algorithm::Sha256, 8, 60).unwrap();
        let uri =
            portcullis_core::totp::otpauth_uri("Example Hosting", "b@x.org", &secret, &params);
        let a = Authenticator::parse(&uri).unwrap();
        assert_eq!(a.secret.expose(), secret.expose());
        assert_eq!(
            (a.algorithm.as_str(), a.digits, a.period),
            ("SHA256", 8, 60)
        );
        assert_eq!(a.label(), "Example Hosting (b@x.org)");
        let step = 1_700_000_000 / 60;
        assert_eq!(
            a.code_at(1_700_000_000).code,
            portcullis_core::totp::code_at(&secret, &params, step)
        );
    }

    #[test]
    fn an_issuer_with_a_colon_keeps_the_account_whole() {
        let secret = portcullis_core::totp::TotpSecret::generate();
        let uri = portcullis_core::totp::otpauth_uri(
            "ACME: Mail",
            "b@x.org",
            &secret,
            &portcullis_core::totp::TotpParams::default(),
        );
        let a = Authenticator::parse(&uri).unwrap();
        assert_eq!(a.issuer.as_deref(), Some("ACME: Mail"));
        assert_eq!(a.account, "b@x.org");
    }

    #[test]
    fn the_issuer_parameter_wins_and_unknown_parameters_are_ignored() {
        let a = Authenticator::parse(&format!(
            "otpauth://TOTP/Old:me?secret={RFC_SECRET}&issuer=New&image=https%3A%2F%2Fx"
        ))
        .unwrap();
        assert_eq!(a.issuer.as_deref(), Some("New"));
        assert_eq!((a.algorithm.as_str(), a.digits, a.period), ("SHA1", 6, 30));
        assert!(!format!("{a:?}").contains(&format!("{:?}", a.secret.expose())));
    }

    #[test]
    fn malformed_uris_are_refused_with_a_reason() {
        let s = RFC_SECRET;
        for (uri, says) in [
            ("https://x", "otpauth://"),
            ("otpauth://totp", "type and a label"),
            (
                &format!("otpauth://hotp/a?secret={s}&counter=1") as &str,
                "HOTP",
            ),
            (&format!("otpauth://motp/a?secret={s}"), "unknown OTP type"),
            (&format!("otpauth://totp/?secret={s}"), "no account"),
            (&format!("otpauth://totp/Issuer:?secret={s}"), "no account"),
            ("otpauth://totp/a", "no `secret`"),
            ("otpauth://totp/a?secret=ABC1", "not base32"),
            ("otpauth://totp/a?secret=GEZDGNBV", "16 to 204"),
            (
                &format!("otpauth://totp/a?secret={s}&algorithm=MD5"),
                "unknown algorithm",
            ),
            (
                &format!("otpauth://totp/a?secret={s}&digits=5"),
                "6, 7 or 8",
            ),
            (
                &format!("otpauth://totp/a?secret={s}&digits=-6"),
                "not a number",
            ),
            (
                &format!("otpauth://totp/a?secret={s}&digits=99999999999999"),
                "not a number",
            ),
            (&format!("otpauth://totp/a?secret={s}&period=0"), "period"),
            (&format!("otpauth://totp/a?secret={s}&secret={s}"), "twice"),
            (&format!("otpauth://totp/a%?secret={s}"), "escape"),
        ] {
            let e = Authenticator::parse(uri).unwrap_err().to_string();
            assert!(e.contains(says), "{uri}: {e}");
        }
    }

    #[test]
    fn no_input_makes_the_parser_panic() {
        let pieces = [
            "otpauth://",
            "totp/",
            "%",
            "?",
            "&",
            "=",
            ":",
            "secret",
            "é",
            "\u{0}",
            "/",
        ];
        let mut text = String::new();
        for i in 0..2000usize {
            text.push_str(pieces[(i * 7 + i / 3) % pieces.len()]);
            let _ = Authenticator::parse(&text);
            if text.len() > 64 {
                text.clear();
            }
        }
    }
}
