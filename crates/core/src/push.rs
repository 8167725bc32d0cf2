//! Push approval as pure rules (docs/push-protocol.md): the two-digit number shown on the login
//! screen (number matching against push fatigue), the message a device signs and its Ed25519
//! verification, the timestamp window, and the challenge's states
//! `Pending → Approved | Denied | Fraud | Superseded`, with "expired" derived from the clock rather
//! than stored.
//! No I/O and no clock reads: times come in as arguments.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::UnixTime;
use crate::secret::random_bytes;

/// The first line of every signed device request: binds a signature to this protocol and version.
pub const SIGNING_CONTEXT: &str = "portcullis-device-v1";
/// A device's clock may be off by this much; older or later requests are refused.
pub const TIMESTAMP_WINDOW_SECS: i64 = 60;
/// How long a used nonce is remembered: far longer than the timestamp window, so a replay within
/// the window always meets its nonce.
pub const NONCE_SECS: i64 = 10 * 60;
/// How long a pairing code works.
pub const PAIRING_SECS: i64 = 10 * 60;
/// The login screen may ask for the notification again at most this often.
pub const RESEND_SECS: i64 = 10;
/// Long-polls wait at most this long.
pub const MAX_WAIT_SECS: u64 = 60;
pub const DEFAULT_WAIT_SECS: u64 = 25;

/// A number from 10 to 99, uniformly: bytes at or above 180 (= 2 × 90) are drawn again, so no
/// number is likelier than another (a plain `% 90` would favour 10–85).
pub fn challenge_number() -> i64 {
    loop {
        let [b] = random_bytes::<1>();
        if b < 180 {
            return 10 + i64::from(b % 90);
        }
    }
}

/// The exact text a device signs (six lines, no trailing newline).
pub fn signed_message(
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    format!(
        "{SIGNING_CONTEXT}\n{}\n{path_and_query}\n{timestamp}\n{nonce}\n{body_hash}",
        method.to_ascii_uppercase()
    )
}

/// A device's public key as sent at pairing: 32 bytes, base64url, a valid curve point.
pub fn parse_public_key(b64: &str) -> Option<[u8; 32]> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(b64.trim()).ok()?.try_into().ok()?;
    let key = VerifyingKey::from_bytes(&bytes).ok()?;
    // A weak (small-order) key would let anyone forge signatures that verify.
    if key.is_weak() {
        return None;
    }
    Some(bytes)
}

/// Does `signature_b64` sign `message` under `public_key`? Strict verification: no malleable
/// signatures, no small-order keys.
pub fn verify_signature(public_key: &[u8], message: &[u8], signature_b64: &str) -> bool {
    let Ok(key_bytes) = <[u8; 32]>::try_from(public_key) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key_bytes) else {
        return false;
    };
    let Some(sig) = URL_SAFE_NO_PAD
        .decode(signature_b64.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
    else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .is_ok()
}

/// Is the request's timestamp within the window around `now`? `abs_diff`: a timestamp near
/// `i64::MIN` must neither overflow (a panic) nor wrap into the window (found by fuzzing).
pub fn timestamp_fresh(timestamp: &str, now: UnixTime) -> bool {
    timestamp
        .parse::<i64>()
        .is_ok_and(|t| t.abs_diff(now.0) <= TIMESTAMP_WINDOW_SECS.unsigned_abs())
}

/// A nonce is 16 bytes, base64url without padding (22 characters).
pub fn nonce_well_formed(nonce: &str) -> bool {
    nonce.len() == 22 && URL_SAFE_NO_PAD.decode(nonce).is_ok_and(|b| b.len() == 16)
}

/// A device name: 1–64 characters after trimming, no control characters.
pub fn parse_device_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err("the device name must be 1 to 64 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("the device name must not contain control characters");
    }
    Ok(name.to_owned())
}

/// A webhook address: `http://` or `https://`, at most 2,000 characters, no spaces.
pub fn parse_webhook_url(url: &str) -> Result<String, &'static str> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && url.len() <= 2000
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(url.to_owned())
        }
        _ => Err("the webhook must be an http:// or https:// address"),
    }
}

/// What is stored of a challenge's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeStatus {
    Pending,
    Approved,
    Denied,
    /// "This wasn't me": denied, and the account was locked.
    Fraud,
    /// Ended without an answer: a newer request of the account was sent, or this login went on
    /// with a code. Nobody can approve it any more, and it counts as no refusal.
    Superseded,
}

impl ChallengeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeStatus::Pending => "pending",
            ChallengeStatus::Approved => "approved",
            ChallengeStatus::Denied => "denied",
            ChallengeStatus::Fraud => "fraud",
            ChallengeStatus::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ChallengeStatus::Pending),
            "approved" => Some(ChallengeStatus::Approved),
            "denied" => Some(ChallengeStatus::Denied),
            "fraud" => Some(ChallengeStatus::Fraud),
            "superseded" => Some(ChallengeStatus::Superseded),
            _ => None,
        }
    }
}

/// A challenge as the login screen sees it: "expired" is a pending challenge past its time, and
/// "this wasn't me" shows as a plain denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    Pending,
    Approved,
    Denied,
    Expired,
    Superseded,
}

impl Observed {
    pub fn as_str(self) -> &'static str {
        match self {
            Observed::Pending => "pending",
            Observed::Approved => "approved",
            Observed::Denied => "denied",
            Observed::Expired => "expired",
            Observed::Superseded => "superseded",
        }
    }
}

pub fn observe(status: ChallengeStatus, expires_at: UnixTime, now: UnixTime) -> Observed {
    match status {
        ChallengeStatus::Pending if expires_at <= now => Observed::Expired,
        ChallengeStatus::Pending => Observed::Pending,
        ChallengeStatus::Approved => Observed::Approved,
        ChallengeStatus::Denied | ChallengeStatus::Fraud => Observed::Denied,
        ChallengeStatus::Superseded => Observed::Superseded,
    }
}

/// What the person chose in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Approve, with the number they typed from the login screen; `None` when they typed none,
    /// which is enough only for a request that shows no number (see [`number_required`]).
    Approve {
        number: Option<i64>,
    },
    Deny,
    Fraud,
}

/// Must whoever approves this request type its number? Only a sign-in page shows the number.
/// A request caused by a RADIUS client (`via`: a VPN, Wi-Fi or SSH prompt) has no screen to show
/// it on, so asking for it would make the request impossible to approve; push fatigue is held
/// off there by the pause after refusals and by a request ending the account's others.
pub fn number_required(via: Option<&str>) -> bool {
    via.is_none()
}

/// An approval that lacks the number its request needs: a malformed answer, not a denial (the
/// app forgot to ask, nobody typed a wrong number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberMissing;

/// The status a decision leads to. A wrong number is a denial: whoever approves without seeing
/// the login screen (push fatigue, a stranger's login) must not get in. Compared in constant time.
/// `required` is [`number_required`] of the request: when false, a number sent along is ignored
/// (there is none the person could have read).
pub fn decide(
    challenge_number: i64,
    required: bool,
    decision: Decision,
) -> Result<ChallengeStatus, NumberMissing> {
    match decision {
        Decision::Approve { .. } if !required => Ok(ChallengeStatus::Approved),
        Decision::Approve { number: None } => Err(NumberMissing),
        Decision::Approve {
            number: Some(number),
        } => {
            let same: bool = number
                .to_be_bytes()
                .ct_eq(&challenge_number.to_be_bytes())
                .into();
            Ok(if same {
                ChallengeStatus::Approved
            } else {
                ChallengeStatus::Denied
            })
        }
        Decision::Deny => Ok(ChallengeStatus::Denied),
        Decision::Fraud => Ok(ChallengeStatus::Fraud),
    }
}

/// Which of the pending requests (newest first) a typed number answers: the one whose number
/// it is, else the newest, which a wrong number then denies (the person at the login screen
/// just caused the newest; an older one was abandoned or is someone else's). Every number is
/// compared, in constant time, so the time taken tells nothing about the numbers.
///
/// A request that needs no number (`None`: from a RADIUS client, see [`number_required`]) is
/// never answered by one: a number typed from a sign-in page must not approve a VPN sign-in
/// nobody looked at, nor deny one that merely happens to be newer.
pub fn answered_by_number(numbers_newest_first: &[Option<i64>], typed: i64) -> Option<usize> {
    let mut matching = None;
    let mut newest = None;
    for (i, n) in numbers_newest_first.iter().enumerate() {
        let Some(n) = n else { continue };
        newest = newest.or(Some(i));
        let same: bool = n.to_be_bytes().ct_eq(&typed.to_be_bytes()).into();
        if same && matching.is_none() {
            matching = Some(i);
        }
    }
    matching.or(newest)
}

/// A short name of the browser behind a user agent, for the app's confirmation dialog.
pub fn browser_name(user_agent: &str) -> Option<&'static str> {
    let ua = user_agent;
    let name = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        return None;
    };
    Some(name)
}

/// `portcullis://pair?v=1&server=…&code=…&account=…&issuer=…`: what the QR code holds.
pub fn pairing_uri(server: &str, code: &str, account: &str, issuer: &str) -> String {
    format!(
        "portcullis://pair?v=1&server={}&code={}&account={}&issuer={}",
        percent_encode(server),
        percent_encode(code),
        percent_encode(account),
        percent_encode(issuer)
    )
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn numbers_are_two_digits_and_all_of_them_occur() {
        let mut seen = [false; 100];
        for _ in 0..20_000 {
            let n = challenge_number();
            assert!((10..=99).contains(&n));
            seen[n as usize] = true;
        }
        assert!(seen[10..].iter().all(|s| *s));
    }

    #[test]
    fn the_signed_message_is_six_lines_with_the_body_hash() {
        let m = signed_message(
            "get",
            "/api/v1/push/device/challenges?wait=25",
            "100",
            "n",
            b"",
        );
        assert_eq!(
            m,
            "portcullis-device-v1\nGET\n/api/v1/push/device/challenges?wait=25\n100\nn\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let k = key();
        let public = k.verifying_key().to_bytes();
        let msg = signed_message("POST", "/x", "1", "n", b"{}");
        let sig = URL_SAFE_NO_PAD.encode(k.sign(msg.as_bytes()).to_bytes());
        assert!(verify_signature(&public, msg.as_bytes(), &sig));
        let other = signed_message("POST", "/y", "1", "n", b"{}");
        assert!(!verify_signature(&public, other.as_bytes(), &sig));
        let stranger = SigningKey::from_bytes(&[8u8; 32])
            .verifying_key()
            .to_bytes();
        assert!(!verify_signature(&stranger, msg.as_bytes(), &sig));
        assert!(!verify_signature(&public, msg.as_bytes(), "not base64!"));
        assert!(!verify_signature(&public[..31], msg.as_bytes(), &sig));
    }

    #[test]
    fn public_keys_must_be_32_bytes_and_not_weak() {
        let k = URL_SAFE_NO_PAD.encode(key().verifying_key().to_bytes());
        assert!(parse_public_key(&k).is_some());
        assert!(parse_public_key("AAAA").is_none());
        // The identity point has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(parse_public_key(&URL_SAFE_NO_PAD.encode(identity)).is_none());
    }

    #[test]
    fn timestamps_outside_a_minute_are_stale() {
        let now = UnixTime(1_000);
        assert!(timestamp_fresh("1000", now));
        assert!(timestamp_fresh("940", now));
        assert!(timestamp_fresh("1060", now));
        assert!(!timestamp_fresh("939", now));
        assert!(!timestamp_fresh("1061", now));
        assert!(!timestamp_fresh("soon", now));
        // i64::MIN + now: `t - now` would be i64::MIN, whose `abs()` overflows (wrapping to a
        // negative number, "fresh", in a release build).
        assert!(!timestamp_fresh(&(i64::MIN + 1_000).to_string(), now));
        assert!(!timestamp_fresh(&i64::MIN.to_string(), now));
        assert!(!timestamp_fresh(&i64::MAX.to_string(), UnixTime(-1)));
    }

    #[test]
    fn nonces_are_sixteen_bytes_of_base64url() {
        assert!(nonce_well_formed(&URL_SAFE_NO_PAD.encode([1u8; 16])));
        assert!(!nonce_well_formed(&URL_SAFE_NO_PAD.encode([1u8; 15])));
        assert!(!nonce_well_formed("+++++++++++++++++++++/"));
    }

    #[test]
    fn a_wrong_number_is_a_denial_and_expiry_comes_from_the_clock() {
        let approve = |n| Decision::Approve { number: Some(n) };
        assert_eq!(decide(42, true, approve(42)), Ok(ChallengeStatus::Approved));
        assert_eq!(decide(42, true, approve(24)), Ok(ChallengeStatus::Denied));
        assert_eq!(
            decide(42, true, Decision::Fraud),
            Ok(ChallengeStatus::Fraud)
        );
        let t = UnixTime(100);
        assert_eq!(
            observe(ChallengeStatus::Pending, t, UnixTime(99)),
            Observed::Pending
        );
        assert_eq!(observe(ChallengeStatus::Pending, t, t), Observed::Expired);
        assert_eq!(observe(ChallengeStatus::Fraud, t, t), Observed::Denied);
        assert_eq!(
            observe(ChallengeStatus::Approved, t, UnixTime(500)),
            Observed::Approved
        );
    }

    #[test]
    fn only_a_request_from_a_sign_in_page_needs_its_number() {
        assert!(number_required(None));
        assert!(!number_required(Some("vpn-gateway")));
    }

    #[test]
    fn a_request_without_a_number_is_approved_without_one_and_a_number_sent_along_is_ignored() {
        let required = number_required(Some("vpn-gateway"));
        for number in [None, Some(42), Some(24)] {
            assert_eq!(
                decide(42, required, Decision::Approve { number }),
                Ok(ChallengeStatus::Approved),
                "{number:?}"
            );
        }
        assert_eq!(
            decide(42, required, Decision::Deny),
            Ok(ChallengeStatus::Denied)
        );
        assert_eq!(
            decide(42, required, Decision::Fraud),
            Ok(ChallengeStatus::Fraud)
        );
    }

    #[test]
    fn approving_a_numbered_request_without_its_number_is_malformed_not_a_denial() {
        assert_eq!(
            decide(42, true, Decision::Approve { number: None }),
            Err(NumberMissing)
        );
        assert_eq!(
            decide(42, true, Decision::Deny),
            Ok(ChallengeStatus::Denied)
        );
    }

    #[test]
    fn a_number_answers_its_own_request_and_a_wrong_one_the_newest() {
        assert_eq!(answered_by_number(&[Some(42), Some(17)], 17), Some(1));
        assert_eq!(answered_by_number(&[Some(42), Some(17)], 42), Some(0));
        assert_eq!(answered_by_number(&[Some(42), Some(17)], 55), Some(0));
        assert_eq!(answered_by_number(&[], 42), None);
        assert_eq!(
            observe(ChallengeStatus::Superseded, UnixTime(100), UnixTime(1)),
            Observed::Superseded
        );
        assert_eq!(
            ChallengeStatus::parse("superseded"),
            Some(ChallengeStatus::Superseded)
        );
    }

    #[test]
    fn a_typed_number_never_answers_a_request_that_needs_none() {
        // Its own number typed: still not this request.
        assert_eq!(answered_by_number(&[None], 42), None);
        // A wrong number denies the newest numbered request, not a newer RADIUS one.
        assert_eq!(answered_by_number(&[None, Some(17)], 55), Some(1));
        assert_eq!(answered_by_number(&[None, Some(17)], 17), Some(1));
        assert_eq!(answered_by_number(&[Some(42), None, Some(17)], 17), Some(2));
    }

    #[test]
    fn the_pairing_uri_encodes_every_value() {
        assert_eq!(
            pairing_uri("http://h:1/", "ab-_", "a+b@x.y", "My Co"),
            "portcullis://pair?v=1&server=http%3A%2F%2Fh%3A1%2F&code=ab-_&account=a%2Bb%40x.y&issuer=My%20Co"
        );
    }

    #[test]
    fn names_and_webhooks_are_checked() {
        assert_eq!(parse_device_name("  Pixel "), Ok("Pixel".into()));
        assert!(parse_device_name("").is_err());
        assert!(parse_device_name(&"x".repeat(65)).is_err());
        assert!(parse_webhook_url("https://ntfy.sh/topic").is_ok());
        assert!(parse_webhook_url("ftp://x").is_err());
        assert!(parse_webhook_url("https://").is_err());
        assert_eq!(
            browser_name("Mozilla/5.0 (X11) Gecko/20100101 Firefox/120.0"),
            Some("Firefox")
        );
    }
}
