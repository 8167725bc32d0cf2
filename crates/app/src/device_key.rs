//! The device's Ed25519 key and the signature every device request carries
//! (docs/push-protocol.md, "Device requests (signed)").
//!
//! The secret key never leaves this type except sealed in the state file: it is zeroized on drop
//! and redacted in `Debug`. The signed message binds the method, the exact path and query, the
//! time, a fresh nonce and the body's digest, so a captured request cannot be replayed later, on
//! another path, or with another body.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The first line of every signed message: names the scheme, so a signature made for something
/// else can never pass as a device request.
pub const SIGNATURE_CONTEXT: &str = "portcullis-device-v1";

/// A paired device's signing key.
#[derive(Clone)]
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> DeviceKey {
        let seed = Zeroizing::new(portcullis_core::secret::random_bytes::<32>());
        DeviceKey(SigningKey::from_bytes(&seed))
    }

    pub fn from_secret(seed: &[u8; 32]) -> DeviceKey {
        DeviceKey(SigningKey::from_bytes(seed))
    }

    /// The 32-byte secret, for sealing into the state file only.
    pub fn secret(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public key as the pairing request sends it: 32 bytes, base64url without padding.
    pub fn public_key_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.verifying_key().to_bytes())
    }

    /// The four headers of a signed request, in order: device, timestamp, nonce, signature.
    pub fn sign_request(
        &self,
        device_id: &str,
        method: &str,
        path_and_query: &str,
        timestamp: i64,
        body: &[u8],
    ) -> SignedHeaders {
        let nonce = URL_SAFE_NO_PAD.encode(portcullis_core::secret::random_bytes::<16>());
        let message = signed_message(method, path_and_query, timestamp, &nonce, body);
        let signature = URL_SAFE_NO_PAD.encode(self.0.sign(message.as_bytes()).to_bytes());
        SignedHeaders {
            device: device_id.to_owned(),
            timestamp: timestamp.to_string(),
            nonce,
            signature,
        }
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DeviceKey(public {}, secret <redacted>)",
            self.public_key_b64()
        )
    }
}

/// The values of `X-Portcullis-Device`, `-Timestamp`, `-Nonce` and `-Signature`.
#[derive(Debug, Clone)]
pub struct SignedHeaders {
    pub device: String,
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
}

impl SignedHeaders {
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("X-Portcullis-Device", &self.device),
            ("X-Portcullis-Timestamp", &self.timestamp),
            ("X-Portcullis-Nonce", &self.nonce),
            ("X-Portcullis-Signature", &self.signature),
        ]
    }
}

/// The six lines the signature covers, joined with `\n`, no trailing newline.
pub fn signed_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    format!(
        "{SIGNATURE_CONTEXT}\n{}\n{path_and_query}\n{timestamp}\n{nonce}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    #[test]
    fn the_signed_message_has_the_six_lines_of_the_protocol() {
        let m = signed_message(
            "get",
            "/api/v1/push/device/challenges?wait=25",
            1_700_000_000,
            "AAAAAAAAAAAAAAAAAAAAAA",
            b"",
        );
        assert_eq!(
            m,
            "portcullis-device-v1\nGET\n/api/v1/push/device/challenges?wait=25\n1700000000\n\
             AAAAAAAAAAAAAAAAAAAAAA\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_signature_verifies_only_for_the_request_it_was_made_for() {
        let key = DeviceKey::generate();
        let body = br#"{"decision":"approve","number":42}"#;
        let h = key.sign_request(
            "dev-1",
            "POST",
            "/api/v1/push/device/challenges/c1",
            100,
            body,
        );
        assert_eq!(h.nonce.len(), 22);
        let public = key.0.verifying_key();
        let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD
            .decode(&h.signature)
            .unwrap()
            .try_into()
            .unwrap();
        let sig = Signature::from_bytes(&sig_bytes);
        let good = signed_message(
            "POST",
            "/api/v1/push/device/challenges/c1",
            100,
            &h.nonce,
            body,
        );
        assert!(public.verify(good.as_bytes(), &sig).is_ok());
        for bad in [
            signed_message(
                "POST",
                "/api/v1/push/device/challenges/c2",
                100,
                &h.nonce,
                body,
            ),
            signed_message(
                "POST",
                "/api/v1/push/device/challenges/c1",
                101,
                &h.nonce,
                body,
            ),
            signed_message(
                "POST",
                "/api/v1/push/device/challenges/c1",
                100,
                &h.nonce,
                b"{}",
            ),
        ] {
            assert!(public.verify(bad.as_bytes(), &sig).is_err());
        }
    }

    #[test]
    fn every_request_gets_a_fresh_nonce() {
        let key = DeviceKey::generate();
        let a = key.sign_request("d", "GET", "/x", 1, b"");
        let b = key.sign_request("d", "GET", "/x", 1, b"");
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.signature, b.signature);
    }

    #[test]
    fn the_key_survives_a_round_trip_and_never_shows_in_debug() {
        let key = DeviceKey::generate();
        let again = DeviceKey::from_secret(&key.secret());
        assert_eq!(key.public_key_b64(), again.public_key_b64());
        let secret_b64 = URL_SAFE_NO_PAD.encode(*key.secret());
        assert!(!format!("{key:?}").contains(&secret_b64));
        assert_eq!(
            URL_SAFE_NO_PAD.decode(key.public_key_b64()).unwrap().len(),
            32
        );
    }
}
