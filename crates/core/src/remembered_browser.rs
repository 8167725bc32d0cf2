//! The pure rules of a remembered browser: the public key a browser registers, the id it is
//! known by, the per-account handle the page keys its IndexedDB entry with, and the signature
//! over a login's challenge that stands in for the second step.
//!
//! The browser makes an ECDSA P-256 key pair with WebCrypto, **non-extractable**, so script on
//! our own origin can ask it to sign but nobody can read the private half out of the browser. It
//! sends the public half as the raw uncompressed point (`0x04 || X || Y`, 65 bytes,
//! base64url without padding). At a later sign-in it signs
//!
//! ```text
//! UTF-8 "portcullis-remembered-browser\n" || challenge
//! ```
//!
//! where `challenge` is the base64url text the server stored on the login ticket, with
//! SHA-256, and sends the signature as WebCrypto makes it: IEEE P1363 `r || s`, 64 bytes,
//! base64url without padding. The prefix keeps the signature useless for any other protocol; the
//! challenge is random per ticket and single use, so a recorded signature is never worth
//! anything twice. The origin is not in the message: the key lives in our origin's IndexedDB
//! and only our pages can ask it to sign.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::model::{RememberedBrowserId, UserId};

/// What every signed message starts with.
pub const MESSAGE_PREFIX: &str = "portcullis-remembered-browser\n";

/// How many browsers an account may have remembered at once; a new one beyond forgets the
/// oldest (people who tick the box on every shared computer do not grow the table forever).
pub const MAX_PER_USER: usize = 20;

/// A browser's public key, checked to be a point on P-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserKey {
    point: Vec<u8>,
}

impl BrowserKey {
    /// Parses the form's `remember_key`: base64url (no padding) of the 65-byte uncompressed
    /// point. `None` for anything else, including a point not on the curve.
    pub fn parse(text: &str) -> Option<BrowserKey> {
        let point = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        if point.len() != 65 || point[0] != 0x04 {
            return None;
        }
        p256::PublicKey::from_sec1_bytes(&point).ok()?;
        Some(BrowserKey { point })
    }

    /// The key as stored: base64url of the point.
    pub fn encoded(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.point)
    }

    /// The browser's id: base64url (no padding) of SHA-256 over the raw point.
    pub fn id(&self) -> RememberedBrowserId {
        RememberedBrowserId(URL_SAFE_NO_PAD.encode(Sha256::digest(&self.point)))
    }

    /// Does `signature` (base64url of WebCrypto's 64-byte `r || s`) sign `challenge` under this
    /// key? Anything malformed is simply `false`.
    pub fn verifies(&self, challenge: &str, signature: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(signature.trim()) else {
            return false;
        };
        if sig.len() != 64 {
            return false;
        }
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            &self.point,
        );
        key.verify(&message(challenge), &sig).is_ok()
    }
}

/// Is `text` shaped like a browser's id or a challenge: 32 bytes in base64url without padding
/// (43 characters)? Anything else is refused before it reaches the database (PostgreSQL refuses
/// a NUL byte in text with an error, not a miss).
pub fn well_formed(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The exact bytes a browser signs for `challenge`.
pub fn message(challenge: &str) -> Vec<u8> {
    [MESSAGE_PREFIX.as_bytes(), challenge.as_bytes()].concat()
}

/// The name the sign-in page gives the browser's IndexedDB entry for this account, so several
/// accounts on one browser each keep their own key. Not a secret (whoever sees it already knows
/// the password), but not the account's id either: a digest of it, cut short.
pub fn handle(user: &UserId) -> String {
    let digest = Sha256::digest(
        [
            b"portcullis-remembered-browser-handle\n",
            user.as_str().as_bytes(),
        ]
        .concat(),
    );
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};

    fn key_pair() -> (SigningKey, String) {
        let signing = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = signing.verifying_key().to_sec1_point(false);
        (signing, URL_SAFE_NO_PAD.encode(point.as_bytes()))
    }

    fn sign(signing: &SigningKey, challenge: &str) -> String {
        let sig: Signature = signing.sign(&message(challenge));
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    }

    #[test]
    fn a_webcrypto_signature_over_the_challenge_verifies() {
        let (signing, public) = key_pair();
        let key = BrowserKey::parse(&public).unwrap();
        assert_eq!(key.encoded(), public);
        assert!(key.verifies("abc", &sign(&signing, "abc")));
    }

    #[test]
    fn a_signature_over_another_challenge_or_by_another_key_is_refused() {
        let (signing, public) = key_pair();
        let key = BrowserKey::parse(&public).unwrap();
        assert!(!key.verifies("abd", &sign(&signing, "abc")));
        let other = SigningKey::from_slice(&[9u8; 32]).unwrap();
        assert!(!key.verifies("abc", &sign(&other, "abc")));
        assert!(!key.verifies("abc", "not base64!"));
        assert!(!key.verifies("abc", &URL_SAFE_NO_PAD.encode([0u8; 64])));
        assert!(!key.verifies("abc", ""));
    }

    #[test]
    fn only_an_uncompressed_point_on_the_curve_is_a_key() {
        let (_, public) = key_pair();
        let mut point = URL_SAFE_NO_PAD.decode(&public).unwrap();
        assert!(BrowserKey::parse("garbage").is_none());
        assert!(BrowserKey::parse("").is_none());
        assert!(BrowserKey::parse(&URL_SAFE_NO_PAD.encode(&point[..33])).is_none());
        point[64] ^= 1; // off the curve
        assert!(BrowserKey::parse(&URL_SAFE_NO_PAD.encode(&point)).is_none());
    }

    #[test]
    fn the_id_is_the_digest_of_the_point() {
        let (_, public) = key_pair();
        let point = URL_SAFE_NO_PAD.decode(&public).unwrap();
        let id = BrowserKey::parse(&public).unwrap().id();
        assert_eq!(id.0, URL_SAFE_NO_PAD.encode(Sha256::digest(&point)));
        assert_eq!(id.0.len(), 43);
    }

    #[test]
    fn ids_and_challenges_are_43_characters_of_base64url() {
        let (_, public) = key_pair();
        assert!(well_formed(
            BrowserKey::parse(&public).unwrap().id().as_str()
        ));
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(42)));
        assert!(!well_formed(&format!("{}\0", "a".repeat(42))));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
    }

    #[test]
    fn each_account_has_its_own_handle() {
        let a = handle(&UserId("a".into()));
        assert_ne!(a, handle(&UserId("b".into())));
        assert_eq!(a.len(), 22);
    }
}
