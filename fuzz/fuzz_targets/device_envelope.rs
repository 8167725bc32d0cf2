//! The envelope of the companion app's signed requests, as the server checks it
//! (`portcullis_core::push`, called by `SignedDevice` in `server/src/api/push_device.rs`): the
//! timestamp, nonce and signature headers, the six-line signed message, and the public key sent
//! at pairing.
//!
//! Input: lines `method`, `path and query`, `timestamp`, `nonce`, `signature`, `public key`,
//! then the body (the rest, any bytes). Beyond "no panic": the timestamp window is exactly ±60 s
//! (no overflow at the ends of i64), a nonce that passes is 16 bytes, a key that passes is a
//! canonical 32-byte encoding, the app and the server build the same message, a real signature
//! verifies and stops verifying when any signed part changes, and no other signature verifies.

#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use portcullis_core::UnixTime;
use portcullis_core::push::{
    TIMESTAMP_WINDOW_SECS, nonce_well_formed, parse_public_key, signed_message, timestamp_fresh,
    verify_signature,
};

const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(7, |b| *b == b'\n');
    let mut field = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (method, path, timestamp, nonce, signature, public_key) =
        (field(), field(), field(), field(), field(), field());
    let body = parts.next().unwrap_or_default();

    // The window, computed without any chance of overflow.
    let fresh = timestamp_fresh(&timestamp, UnixTime(NOW));
    let expected = timestamp.parse::<i64>().is_ok_and(|t| {
        (i128::from(t) - i128::from(NOW)).abs() <= i128::from(TIMESTAMP_WINDOW_SECS)
    });
    assert_eq!(fresh, expected, "timestamp {timestamp:?}");
    for now in [i64::MIN, -1, 0, i64::MAX] {
        let _ = timestamp_fresh(&timestamp, UnixTime(now));
    }

    if nonce_well_formed(&nonce) {
        assert_eq!(nonce.len(), 22);
        assert_eq!(URL_SAFE_NO_PAD.decode(&nonce).unwrap().len(), 16);
    }

    if let Some(key) = parse_public_key(&public_key) {
        assert_eq!(URL_SAFE_NO_PAD.encode(key), public_key.trim());
    }

    // The app signs what the server checks.
    let message = signed_message(&method, &path, &timestamp, &nonce, body);
    if let Ok(t) = timestamp.parse::<i64>() {
        let from_app = portcullis_app::device_key::signed_message(&method, &path, t, &nonce, body);
        if t.to_string() == timestamp {
            assert_eq!(from_app, message);
        }
    }

    let device = SigningKey::from_bytes(&[42; 32]);
    let public = device.verifying_key().to_bytes();
    let real = device.sign(message.as_bytes()).to_bytes();
    let real_b64 = URL_SAFE_NO_PAD.encode(real);
    assert!(verify_signature(&public, message.as_bytes(), &real_b64));

    // Only our signature verifies: the fuzzer holds no key.
    if verify_signature(&public, message.as_bytes(), &signature) {
        assert_eq!(
            URL_SAFE_NO_PAD.decode(signature.trim()).ok().as_deref(),
            Some(&real[..]),
            "a signature the device never made verified"
        );
    }
    if let Some(key) = parse_public_key(&public_key) {
        if key != public {
            assert!(!verify_signature(&key, message.as_bytes(), &real_b64));
        }
    }

    // Changing any signed part breaks the signature.
    let mut longer = body.to_vec();
    longer.push(b'x');
    for other in [
        signed_message(&method, &path, &timestamp, &nonce, &longer),
        signed_message(&method, &format!("{path}/"), &timestamp, &nonce, body),
        signed_message(&format!("{method}X"), &path, &timestamp, &nonce, body),
        signed_message(&method, &path, &format!("{timestamp}0"), &nonce, body),
        signed_message(&method, &path, &timestamp, &format!("{nonce}A"), body),
    ] {
        assert_ne!(other, message);
        assert!(!verify_signature(&public, other.as_bytes(), &real_b64));
    }
});
