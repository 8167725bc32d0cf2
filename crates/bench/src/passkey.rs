//! The passkey phase's client: a software authenticator with one ES256 key per bench user,
//! registered through the real API (`/me/webauthn/registrations/…`, after a password sign-in),
//! and the sign-in workload (`/login/passkey/start`, sign the challenge, `/login/passkey/finish`).
//!
//! The authenticator answers as a platform passkey does: attestation "none", user present and
//! user verified, a discoverable key whose assertion carries the user handle, and a sign count
//! that moves up by one per assertion. Keys and credential ids are derived from the user's
//! number, like the TOTP keys in `seed`. The signature cannot be made ahead of time (the
//! challenge comes from `start`), so each sign-in's ECDSA signing runs on the load generator,
//! which shares the machine's cores with the server: server CPU from /proc is the figure to read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::load::{self, Flow, Http, Req, Step, Verdict};
use crate::server::Running;

/// One user's passkey: what the authenticator keeps.
pub struct SoftKey {
    signing: SigningKey,
    credential_id: Vec<u8>,
    /// `publicKey.user.id` of the registration: the account, as the server named it.
    user_handle: Vec<u8>,
    /// The last sign count presented; every assertion presents one more.
    count: AtomicU32,
}

impl SoftKey {
    /// User `i`'s key, before registration names its account.
    pub fn new(i: u64) -> SoftKey {
        SoftKey {
            signing: signing_key(i),
            credential_id: derive(b"credential", i)[..16].to_vec(),
            user_handle: Vec::new(),
            count: AtomicU32::new(0),
        }
    }
}

/// A software authenticator for one relying party (the server's public URL).
pub struct Authenticator {
    origin: String,
    rp_id_hash: [u8; 32],
}

/// authenticatorData flags (WebAuthn §6.1): user present, user verified, attested data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

impl Authenticator {
    /// For the server whose public URL is `public_url` (`http://localhost:PORT`): the origin is
    /// the URL, the relying-party id its host.
    pub fn new(public_url: &str) -> anyhow::Result<Authenticator> {
        let origin = public_url.trim_end_matches('/').to_owned();
        let host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split([':', '/']).next())
            .filter(|h| !h.is_empty())
            .with_context(|| format!("no host in {public_url}"))?;
        Ok(Authenticator {
            rp_id_hash: Sha256::digest(host.as_bytes()).into(),
            origin,
        })
    }

    /// Registers user `i`'s key on the account `token` signs in to; the server must call it a
    /// passkey (registered with user verification).
    pub async fn register(
        &self,
        http: &Http,
        running: &Running,
        token: &str,
        i: u64,
    ) -> anyhow::Result<SoftKey> {
        let (status, start) = load::call(
            http,
            &Req::json(
                running.url("/api/v1/me/webauthn/registrations/start"),
                &json!({}),
                Some(token),
            ),
        )
        .await?;
        let options = &start["publicKey"];
        let (Some(ceremony), Some(challenge), Some(user_id)) = (
            start["ceremony"].as_str(),
            options["challenge"].as_str(),
            options["user"]["id"].as_str(),
        ) else {
            bail!("registration start answered {status}: {start}");
        };
        let mut key = SoftKey::new(i);
        key.user_handle = B64.decode(user_id).context("the user id is base64url")?;
        let credential = self.attest(&key, challenge);
        let (status, body) = load::call(
            http,
            &Req::json(
                running.url("/api/v1/me/webauthn/registrations/finish"),
                &json!({"ceremony": ceremony, "name": "bench passkey", "credential": credential}),
                Some(token),
            ),
        )
        .await?;
        if status != 201 || body["passkey"] != true {
            bail!("registration of user {i} answered {status}: {body}");
        }
        Ok(key)
    }

    /// `navigator.credentials.create()` with `key`: the answer for `challenge`, as
    /// `PublicKeyCredential.toJSON()` writes it.
    pub fn attest(&self, key: &SoftKey, challenge: &str) -> Value {
        let client_data = self.client_data("webauthn.create", challenge);
        let auth_data = [
            &self.rp_id_hash[..],
            &[UP | UV | AT],
            &0u32.to_be_bytes(),
            &[0u8; 16], // AAGUID: none, as attestation "none" gives
            &(key.credential_id.len() as u16).to_be_bytes(),
            &key.credential_id,
            &cose_es256(&key.signing),
        ]
        .concat();
        json!({
            "id": B64.encode(&key.credential_id),
            "rawId": B64.encode(&key.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(&client_data),
                "attestationObject": B64.encode(attestation_none(&auth_data)),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// `navigator.credentials.get()` with `key`: the assertion for `challenge`, as
    /// `PublicKeyCredential.toJSON()` writes it.
    pub fn assert(&self, key: &SoftKey, challenge: &str) -> Value {
        let count = key.count.fetch_add(1, Ordering::Relaxed) + 1;
        let auth_data = [&self.rp_id_hash[..], &[UP | UV], &count.to_be_bytes()].concat();
        let client_data = self.client_data("webauthn.get", challenge);
        let signed = [&auth_data[..], &Sha256::digest(&client_data)].concat();
        let signature: DerSignature = key.signing.sign(&signed);
        json!({
            "id": B64.encode(&key.credential_id),
            "rawId": B64.encode(&key.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": B64.encode(&auth_data),
                "clientDataJSON": B64.encode(&client_data),
                "signature": B64.encode(signature.as_bytes()),
                "userHandle": B64.encode(&key.user_handle),
            },
            "clientExtensionResults": {},
        })
    }

    /// The browser's clientDataJSON: the challenge echoed as given, the page's origin.
    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .expect("JSON")
    }
}

/// The sign-in workload: unit `n` is user `n mod keys` signing in, `start` then `finish`. One
/// user's sign-ins never overlap while there are more keys than workers, so the sign counts
/// reach the server in order.
pub fn sign_in_flow(
    running: &Running,
    authenticator: Arc<Authenticator>,
    keys: Arc<[SoftKey]>,
) -> Flow {
    let start_url = running.url("/api/v1/login/passkey/start");
    let finish_url = running.url("/api/v1/login/passkey/finish");
    Arc::new(move |http: Http, n| {
        let (start_url, finish_url) = (start_url.clone(), finish_url.clone());
        let (authenticator, keys) = (authenticator.clone(), keys.clone());
        Some(Box::pin(async move {
            let (status, body) =
                load::send(&http, Req::json(start_url, &json!({}), None).build()).await?;
            let start: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let (Some(ceremony), Some(challenge)) = (
                start["ceremony"].as_str(),
                start["publicKey"]["challenge"].as_str(),
            ) else {
                return Ok((status, Verdict::Unexpected));
            };
            let key = &keys[(n % keys.len() as u64) as usize];
            let credential = authenticator.assert(key, challenge);
            let finish = Req::json(
                finish_url,
                &json!({"ceremony": ceremony, "credential": credential}),
                None,
            );
            let (status, body) = load::send(&http, finish.build()).await?;
            let signed_in = status == 200
                && serde_json::from_slice::<Value>(&body).is_ok_and(|b| {
                    b["status"] == "ok" && b["token"].as_str().is_some_and(|t| !t.is_empty())
                });
            Ok((
                status,
                if signed_in {
                    Verdict::Expected
                } else {
                    Verdict::Unexpected
                },
            ))
        }) as Step)
    })
}

fn derive(label: &[u8], i: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"portcullis-bench passkey ");
    h.update(label);
    h.update(i.to_be_bytes());
    h.finalize().into()
}

/// User `i`'s private key: a hash of `i` (rehashed in the negligible case it is no scalar).
fn signing_key(i: u64) -> SigningKey {
    let mut bytes = derive(b"key", i);
    loop {
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return key;
        }
        bytes = Sha256::digest(bytes).into();
    }
}

/// The public key as a COSE_Key (RFC 9053 §7.1.1: EC2, ES256, P-256, x, y), CTAP2's canonical
/// CBOR order.
fn cose_es256(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    let xy = &point.as_bytes()[1..]; // after the 0x04 of an uncompressed point
    let mut out = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01];
    for (label, coordinate) in [(0x21, &xy[..32]), (0x22, &xy[32..])] {
        out.push(label);
        cbor_head(&mut out, 2, coordinate.len());
        out.extend_from_slice(coordinate);
    }
    out
}

/// The attestation object of a "none" attestation: `{"fmt": "none", "attStmt": {}, "authData"}`.
fn attestation_none(auth_data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xa3];
    let text = |out: &mut Vec<u8>, t: &str| {
        cbor_head(out, 3, t.len());
        out.extend_from_slice(t.as_bytes());
    };
    text(&mut out, "fmt");
    text(&mut out, "none");
    text(&mut out, "attStmt");
    out.push(0xa0);
    text(&mut out, "authData");
    cbor_head(&mut out, 2, auth_data.len());
    out.extend_from_slice(auth_data);
    out
}

/// A CBOR item head (RFC 8949 §3): major type and length.
fn cbor_head(out: &mut Vec<u8>, major: u8, len: usize) {
    let m = major << 5;
    match len {
        0..=23 => out.push(m | len as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, len as u8]),
        _ => {
            out.push(m | 25);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_heads_use_the_shortest_length() {
        let mut v = Vec::new();
        cbor_head(&mut v, 2, 5);
        cbor_head(&mut v, 2, 32);
        cbor_head(&mut v, 3, 300);
        assert_eq!(v, [0x45, 0x58, 0x20, 0x79, 0x01, 0x2c]);
    }

    #[test]
    fn the_relying_party_is_the_public_urls_host() {
        let a = Authenticator::new("http://localhost:8080").unwrap();
        assert_eq!(a.rp_id_hash, <[u8; 32]>::from(Sha256::digest(b"localhost")));
        assert_eq!(a.origin, "http://localhost:8080");
    }

    /// The server's own relying party (webauthn-rs) accepts what this authenticator makes: a
    /// registration with user verification, then a discoverable sign-in naming the account.
    #[test]
    fn the_servers_relying_party_accepts_the_registration_and_the_assertion() {
        use portcullis_core::webauthn::{RelyingParty, Verification};

        let rp = RelyingParty::for_public_url("http://localhost:8080", "Portcullis").unwrap();
        let authenticator = Authenticator::new("http://localhost:8080").unwrap();
        let (options, state) = rp
            .start_registration(b"user-1", "u1@bench.example", vec![])
            .unwrap();
        let mut key = SoftKey::new(1);
        key.user_handle = B64.decode(options["user"]["id"].as_str().unwrap()).unwrap();
        assert_eq!(key.user_handle, b"user-1");
        let made = authenticator.attest(&key, options["challenge"].as_str().unwrap());
        let registered = rp.finish_registration(&state, &made).unwrap();
        assert!(registered.user_verified);
        assert_eq!(registered.credential_id, key.credential_id);

        let mut count = registered.sign_count;
        for _ in 0..2 {
            let (options, state) = rp
                .start_authentication(&[], Verification::Required)
                .unwrap();
            let answer = authenticator.assert(&key, options["challenge"].as_str().unwrap());
            let assertion = portcullis_core::webauthn::parse_assertion(&answer).unwrap();
            assert_eq!(
                assertion.response.user_handle.as_deref(),
                Some(&b"user-1"[..])
            );
            let used = rp
                .finish_authentication(&state, &assertion, &registered.record, count)
                .unwrap();
            assert!(used.user_verified);
            assert!(used.sign_count > count);
            count = used.sign_count;
        }
    }

    #[test]
    fn the_cose_key_is_es256_on_p256_with_both_coordinates() {
        let cose = cose_es256(&signing_key(1));
        assert_eq!(cose.len(), 7 + 2 * (3 + 32));
        assert_eq!(&cose[..7], &[0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01]);
    }
}
