//! Checking a compact JWS against a JWKS: how the provider recognises an ID token it signed
//! when one comes back (the `id_token_hint` of RP-initiated logout), with the current keys or a
//! retired one still published. Only our three algorithms, and only the key the header's `kid`
//! names; `none` and anything else are refused. Claims are returned, not judged: expiry and
//! audience are the caller's rules.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

fn b64(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

fn member(jwk: &Value, name: &str) -> Option<Vec<u8>> {
    b64(jwk.get(name)?.as_str()?)
}

fn signature_holds(alg: &str, jwk: &Value, input: &[u8], sig: &[u8]) -> Option<bool> {
    match alg {
        "RS256" => {
            use rsa::signature::Verifier;
            let n = rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "n")?);
            let e = rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "e")?);
            let key = rsa::RsaPublicKey::new(n, e).ok()?;
            let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
            let sig = rsa::pkcs1v15::Signature::try_from(sig).ok()?;
            Some(key.verify(input, &sig).is_ok())
        }
        "ES256" => {
            use p256::ecdsa::signature::Verifier;
            let mut point = vec![4u8];
            point.extend(member(jwk, "x")?);
            point.extend(member(jwk, "y")?);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).ok()?;
            let sig = p256::ecdsa::Signature::from_slice(sig).ok()?;
            Some(key.verify(input, &sig).is_ok())
        }
        "EdDSA" => {
            let x: [u8; 32] = member(jwk, "x")?.try_into().ok()?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&x).ok()?;
            let sig = ed25519_dalek::Signature::from_slice(sig).ok()?;
            Some(key.verify_strict(input, &sig).is_ok())
        }
        _ => None,
    }
}

/// The claims of `token` if a key of `jwks` (by `kid` and `alg`) signed it.
pub fn verified_claims(token: &str, jwks: &Value) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let head: Value = serde_json::from_slice(&b64(header)?).ok()?;
    let alg = head.get("alg")?.as_str()?;
    let kid = head.get("kid")?.as_str()?;
    let jwk = jwks.get("keys")?.as_array()?.iter().find(|k| {
        k.get("kid").and_then(Value::as_str) == Some(kid)
            && k.get("alg").and_then(Value::as_str) == Some(alg)
    })?;
    let input = format!("{header}.{payload}");
    if !signature_holds(alg, jwk, input.as_bytes(), &b64(sig)?)? {
        return None;
    }
    serde_json::from_slice(&b64(payload)?).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oidc::jose::{Alg, SigningKey, jwks};

    #[test]
    fn a_token_we_signed_verifies_and_a_changed_one_does_not() {
        for alg in [Alg::EdDsa, Alg::Es256] {
            let key = SigningKey::generate(alg).unwrap();
            let set = jwks([key.public_jwk()]);
            let token = key.sign(&json!({"sub": "u1"})).unwrap();
            assert_eq!(verified_claims(&token, &set).unwrap()["sub"], "u1");
            let mut parts: Vec<&str> = token.split('.').collect();
            let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"u2"}"#);
            parts[1] = &forged;
            assert!(verified_claims(&parts.join("."), &set).is_none());
            let other = jwks([SigningKey::generate(alg).unwrap().public_jwk()]);
            assert!(verified_claims(&token, &other).is_none());
        }
    }
}
