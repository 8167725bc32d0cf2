//! Tests of `jose`: RFC 8037's Ed25519 vector, and RS256/ES256 signatures checked with the
//! verifying keys rebuilt from the published JWK (what a relying party does).

use super::*;

fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn parts(jws: &str) -> (Value, Value, Vec<u8>, String) {
    let mut it = jws.split('.');
    let (h, p, s) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    assert!(it.next().is_none(), "a compact JWS has three parts");
    (
        serde_json::from_slice(&unb64(h)).unwrap(),
        serde_json::from_slice(&unb64(p)).unwrap(),
        unb64(s),
        format!("{h}.{p}"),
    )
}

fn jwk_str<'a>(jwk: &'a Value, name: &str) -> &'a str {
    jwk[name].as_str().unwrap()
}

#[test]
fn ed25519_signing_matches_rfc_8037_appendix_a4() {
    // RFC 8037 A.1 (the key), A.3 (its thumbprint) and A.4 (the JWS).
    let seed = unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    let key = SigningKey::from_pkcs8(Alg::EdDsa, &der).unwrap();
    let jwk = key.public_jwk();
    assert_eq!(
        jwk_str(&jwk, "x"),
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    );
    assert_eq!(key.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    let jws = key
        .sign_compact(br#"{"alg":"EdDSA"}"#, b"Example of Ed25519 signing")
        .unwrap();
    assert_eq!(
        jws,
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

#[test]
fn a_token_carries_alg_kid_and_typ_and_the_claims_unchanged() {
    let key = SigningKey::generate(Alg::EdDsa).unwrap();
    let claims = json!({ "iss": "https://id.example.com", "sub": "u1", "aud": "c1", "exp": 60 });
    let (header, payload, _, _) = parts(&key.sign(&claims).unwrap());
    assert_eq!(
        header,
        json!({ "alg": "EdDSA", "kid": key.kid(), "typ": "JWT" })
    );
    assert_eq!(payload, claims);
}

#[test]
fn es256_tokens_verify_with_the_published_jwk_and_not_after_tampering() {
    use p256::ecdsa::signature::Verifier;
    let key = SigningKey::generate(Alg::Es256).unwrap();
    let jwk = key.public_jwk();
    assert_eq!(
        (jwk_str(&jwk, "kty"), jwk_str(&jwk, "crv")),
        ("EC", "P-256")
    );
    assert_eq!(
        (jwk_str(&jwk, "alg"), jwk_str(&jwk, "use")),
        ("ES256", "sig")
    );
    let mut sec1 = vec![4u8];
    sec1.extend(unb64(jwk_str(&jwk, "x")));
    sec1.extend(unb64(jwk_str(&jwk, "y")));
    let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    let (_, _, sig, input) = parts(&key.sign(&json!({ "sub": "u1" })).unwrap());
    assert_eq!(
        sig.len(),
        64,
        "ES256 signatures are r ‖ s (RFC 7518 §3.4), not DER"
    );
    let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
    assert!(verifying.verify(input.as_bytes(), &sig).is_ok());
    assert!(verifying.verify(b"x.y", &sig).is_err());
}

#[test]
fn rs256_tokens_verify_with_the_published_jwk_and_not_after_tampering() {
    use rsa::signature::Verifier;
    let key = SigningKey::generate(Alg::Rs256).unwrap();
    let jwk = key.public_jwk();
    assert_eq!(jwk_str(&jwk, "kty"), "RSA");
    assert_eq!(jwk_str(&jwk, "e"), "AQAB");
    assert_eq!(unb64(jwk_str(&jwk, "n")).len(), 256, "2048-bit modulus");
    let public = rsa::RsaPublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(&unb64(jwk_str(&jwk, "n"))),
        rsa::BoxedUint::from_be_slice_vartime(&unb64(jwk_str(&jwk, "e"))),
    )
    .unwrap();
    let verifying = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
    let (_, _, sig, input) = parts(&key.sign(&json!({ "sub": "u1" })).unwrap());
    let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
    assert!(verifying.verify(input.as_bytes(), &sig).is_ok());
    assert!(verifying.verify(b"x.y", &sig).is_err());
}

#[test]
fn every_key_survives_pkcs8_and_keeps_its_kid_and_public_jwk() {
    for alg in Alg::ALL {
        let key = SigningKey::generate(alg).unwrap();
        let der = key.to_pkcs8().unwrap();
        let back = SigningKey::from_pkcs8(alg, &der).unwrap();
        assert_eq!(back.kid(), key.kid(), "{alg}");
        assert_eq!(back.public_jwk(), key.public_jwk(), "{alg}");
        assert_eq!(back.alg(), alg);
        assert!(SigningKey::from_pkcs8(alg, &der[1..]).is_err(), "{alg}");
    }
}

#[test]
fn keys_are_fresh_and_redact_in_debug_output() {
    let a = SigningKey::generate(Alg::EdDsa).unwrap();
    let b = SigningKey::generate(Alg::EdDsa).unwrap();
    assert_ne!(a.kid(), b.kid());
    let der = a.to_pkcs8().unwrap();
    let debug = format!("{a:?}");
    assert!(debug.contains("redacted") && !debug.contains(&b64(&der[16..])));
}

#[test]
fn alg_names_parse_exactly() {
    for alg in Alg::ALL {
        assert_eq!(Alg::parse(alg.as_str()), Some(alg));
    }
    assert_eq!(Alg::parse("rs256"), None);
    assert_eq!(Alg::parse("none"), None);
}

/// ID-token signing cost per algorithm, for BENCHMARKS.md:
/// `cargo test -p portcullis-core --release oidc::jose::tests::signing_cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn signing_cost_per_algorithm() {
    let claims = json!({
        "iss": "https://id.example.com", "sub": "0b6f6d2c-7a59-4d5e-9a57-1f2a3b4c5d6e",
        "aud": "grafana", "exp": 1_800_000_600, "iat": 1_800_000_000, "auth_time": 1_800_000_000,
        "nonce": "n-0S6_WzA2Mj", "acr": "mfa", "amr": ["pwd", "otp"],
        "email": "ada@example.com", "email_verified": true, "groups": ["ops", "dc-admins"],
    });
    for alg in Alg::ALL {
        let started = std::time::Instant::now();
        let key = SigningKey::generate(alg).unwrap();
        let generated = started.elapsed();
        let rounds = 200;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(key.sign(&claims).unwrap());
        }
        let each = started.elapsed() / rounds;
        println!("{alg}: sign {each:?} per ID token; key generation {generated:?}");
    }
}
