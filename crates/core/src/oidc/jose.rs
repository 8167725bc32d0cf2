//! The provider's signing keys and compact JWS (RFC 7515), pure: key generation for RS256
//! (RSA 2048, PKCS #1 v1.5), ES256 (P-256) and EdDSA (Ed25519, RFC 8037); a key to and from
//! PKCS #8 DER, which is what the store seals under the master key; the public JWK (RFC 7517)
//! that JWKS publishes; and `sign`, which makes a JWT's compact serialisation. The key id is the
//! public key's RFC 7638 thumbprint, so it is stable and says nothing but which key it is.
//!
//! No clock and no store here: which key is current, and for how long a retired one is
//! published, is `service::oidc::keys`'s. Private keys redact in `Debug` and are wiped on drop
//! by their crates (`rsa`, `p256`, `ed25519-dalek` with `zeroize`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use getrandom::rand_core::UnwrapErr;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::random_bytes;

/// A JWS signature algorithm the provider signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256: OpenID Connect's default, the one every client accepts.
    Rs256,
    /// ECDSA on P-256 with SHA-256; the signature is r ‖ s, 64 bytes (RFC 7518 §3.4).
    Es256,
    /// Ed25519 (RFC 8037).
    EdDsa,
}

impl Alg {
    pub const ALL: [Alg; 3] = [Alg::Rs256, Alg::Es256, Alg::EdDsa];

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// The registered name, exactly (JOSE names are case-sensitive).
    pub fn parse(s: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for Alg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RSA modulus size: 2048 bits is what RFC 7518 §3.3 asks as the minimum and what every relying
/// party accepts; signing with larger keys costs several times more for no gain here.
const RSA_BITS: usize = 2048;

/// PKCS #8 (RFC 8410 §7) of an Ed25519 key is this fixed prefix and the 32-byte seed.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An RSA key twice over: the `rsa` crate's, which generates keys, writes PKCS #8 and gives the
/// public numbers, and ring's, which signs. ring's private-key operation is constant-time and
/// blinded and about three times faster than the `rsa` crate's (1.6 ms for a 2048-bit
/// signature here), and an RS256 signature is most of what a token exchange costs.
struct RsaKey {
    key: rsa::pkcs1v15::SigningKey<Sha256>,
    signer: ring::signature::RsaKeyPair,
}

impl RsaKey {
    fn new(key: rsa::pkcs1v15::SigningKey<Sha256>) -> Result<RsaKey> {
        let der = Zeroizing::new(
            key.to_pkcs8_der()
                .map_err(Error::internal)?
                .as_bytes()
                .to_vec(),
        );
        let signer = ring::signature::RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| Error::internal_msg(format!("ring refused the RSA key: {e}")))?;
        Ok(RsaKey { key, signer })
    }
}

enum Private {
    Rsa(Box<RsaKey>),
    Es(p256::ecdsa::SigningKey),
    Ed(ed25519_dalek::SigningKey),
}

/// A private signing key with its key id.
pub struct SigningKey {
    kid: String,
    private: Private,
}

/// Every variant's key type wipes itself on drop (`rsa`, `p256` and `ed25519-dalek` with
/// `zeroize`); the kid is public.
impl zeroize::ZeroizeOnDrop for SigningKey {}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({} {}, <redacted>)", self.alg(), self.kid)
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A big-endian integer without leading zero bytes, as JWK's `n` and `e` want it (RFC 7518 §6.3.1).
fn unsigned(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn bad_key(alg: Alg) -> Error {
    Error::internal_msg(format!("the stored {alg} signing key could not be read"))
}

impl SigningKey {
    /// A new random key. RSA generation takes a noticeable fraction of a second (more in an
    /// unoptimised build): call it off the request path.
    pub fn generate(alg: Alg) -> Result<SigningKey> {
        let private = match alg {
            Alg::Rs256 => {
                let mut rng = UnwrapErr(getrandom::SysRng);
                let key = rsa::RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(Error::internal)?;
                Private::Rsa(Box::new(RsaKey::new(rsa::pkcs1v15::SigningKey::new(key))?))
            }
            Alg::Es256 => {
                // A uniformly random 32-byte string is a valid scalar but with negligible
                // probability (zero or ≥ n); draw again then.
                loop {
                    let seed = Zeroizing::new(random_bytes::<32>());
                    if let Ok(key) = p256::ecdsa::SigningKey::from_slice(seed.as_slice()) {
                        break Private::Es(key);
                    }
                }
            }
            Alg::EdDsa => {
                let seed = Zeroizing::new(random_bytes::<32>());
                Private::Ed(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
        };
        Ok(SigningKey::with_thumbprint(private))
    }

    fn with_thumbprint(private: Private) -> SigningKey {
        let mut key = SigningKey {
            kid: String::new(),
            private,
        };
        key.kid = thumbprint(&key.public_members());
        key
    }

    /// The key as sealed at rest: PKCS #8 DER.
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        match &self.private {
            Private::Rsa(k) => Ok(Zeroizing::new(
                k.key
                    .to_pkcs8_der()
                    .map_err(Error::internal)?
                    .as_bytes()
                    .to_vec(),
            )),
            Private::Es(k) => Ok(Zeroizing::new(
                k.to_pkcs8_der()
                    .map_err(Error::internal)?
                    .as_bytes()
                    .to_vec(),
            )),
            Private::Ed(k) => {
                let mut der = Zeroizing::new(ED25519_PKCS8_PREFIX.to_vec());
                der.extend_from_slice(k.as_bytes());
                Ok(der)
            }
        }
    }

    /// A key read back from its PKCS #8 DER; its kid is computed again from the public key.
    pub fn from_pkcs8(alg: Alg, der: &[u8]) -> Result<SigningKey> {
        let private = match alg {
            Alg::Rs256 => Private::Rsa(Box::new(RsaKey::new(
                rsa::pkcs1v15::SigningKey::from_pkcs8_der(der).map_err(|_| bad_key(alg))?,
            )?)),
            Alg::Es256 => {
                Private::Es(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| bad_key(alg))?)
            }
            Alg::EdDsa => {
                let seed: &[u8; 32] = der
                    .strip_prefix(&ED25519_PKCS8_PREFIX[..])
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(|| bad_key(alg))?;
                Private::Ed(ed25519_dalek::SigningKey::from_bytes(seed))
            }
        };
        Ok(SigningKey::with_thumbprint(private))
    }

    pub fn alg(&self) -> Alg {
        match self.private {
            Private::Rsa(_) => Alg::Rs256,
            Private::Es(_) => Alg::Es256,
            Private::Ed(_) => Alg::EdDsa,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The members RFC 7638 hashes for the thumbprint (the required ones of each key type).
    fn public_members(&self) -> Vec<(&'static str, String)> {
        match &self.private {
            Private::Rsa(k) => {
                let key: &rsa::RsaPrivateKey = k.key.as_ref();
                vec![
                    ("kty", "RSA".to_owned()),
                    ("n", b64(unsigned(&key.n().to_be_bytes()))),
                    ("e", b64(unsigned(&key.e().to_be_bytes()))),
                ]
            }
            Private::Es(k) => {
                let point = k.verifying_key().to_sec1_point(false);
                vec![
                    ("kty", "EC".to_owned()),
                    ("crv", "P-256".to_owned()),
                    ("x", point.x().map(|x| b64(x)).unwrap_or_default()),
                    ("y", point.y().map(|y| b64(y)).unwrap_or_default()),
                ]
            }
            Private::Ed(k) => vec![
                ("kty", "OKP".to_owned()),
                ("crv", "Ed25519".to_owned()),
                ("x", b64(k.verifying_key().as_bytes())),
            ],
        }
    }

    /// The public JWK as JWKS publishes it.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = serde_json::Map::new();
        for (name, value) in self.public_members() {
            jwk.insert(name.into(), value.into());
        }
        jwk.insert("kid".into(), self.kid.clone().into());
        jwk.insert("alg".into(), self.alg().as_str().into());
        jwk.insert("use".into(), "sig".into());
        Value::Object(jwk)
    }

    /// A compact JWS over `claims` with the header `alg`, `kid` and `typ: "JWT"`.
    pub fn sign(&self, claims: &Value) -> Result<String> {
        let header = json!({ "alg": self.alg().as_str(), "kid": self.kid, "typ": "JWT" });
        let payload = serde_json::to_vec(claims).map_err(Error::internal)?;
        self.sign_compact(header.to_string().as_bytes(), &payload)
    }

    /// The compact serialisation of `payload` under the protected header given as its bytes.
    fn sign_compact(&self, header: &[u8], payload: &[u8]) -> Result<String> {
        let signing_input = format!("{}.{}", b64(header), b64(payload));
        let signature = match &self.private {
            Private::Rsa(k) => {
                // ring, not the `rsa` crate, makes the signature: its private-key operation is
                // constant-time and blinded (the `rsa` crate's timing is what RUSTSEC-2023-0071,
                // the Marvin attack, warns about).
                let mut signature = vec![0; k.signer.public().modulus_len()];
                k.signer
                    .sign(
                        &ring::signature::RSA_PKCS1_SHA256,
                        &ring::rand::SystemRandom::new(),
                        signing_input.as_bytes(),
                        &mut signature,
                    )
                    .map_err(|_| Error::internal_msg("the RS256 signature failed"))?;
                signature
            }
            Private::Es(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = k
                    .try_sign(signing_input.as_bytes())
                    .map_err(Error::internal)?;
                sig.to_bytes().to_vec()
            }
            Private::Ed(k) => {
                use ed25519_dalek::Signer;
                k.sign(signing_input.as_bytes()).to_bytes().to_vec()
            }
        };
        Ok(format!("{signing_input}.{}", b64(&signature)))
    }
}

/// The RFC 7638 thumbprint of a JWK's required members: SHA-256 of their JSON with the names
/// sorted and no whitespace. The values are base64url or fixed names: nothing to escape.
pub fn thumbprint(members: &[(&str, String)]) -> String {
    let mut members = members.to_vec();
    members.sort_by(|a, b| a.0.cmp(b.0));
    let fields: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("\"{name}\":\"{value}\""))
        .collect();
    b64(&Sha256::digest(
        format!("{{{}}}", fields.join(",")).as_bytes(),
    ))
}

/// A JWKS document (RFC 7517 §5) of these public keys.
pub fn jwks(public_jwks: impl IntoIterator<Item = Value>) -> Value {
    json!({ "keys": public_jwks.into_iter().collect::<Vec<_>>() })
}

#[cfg(test)]
#[path = "jose_tests.rs"]
mod tests;
