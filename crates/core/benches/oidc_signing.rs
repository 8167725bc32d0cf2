//! ID-token signing cost per algorithm (issue 17): what `Services::oidc_sign_with` spends in CPU
//! for one token, key already opened (the service keeps opened keys for a few seconds), over a
//! claim set of the size the token endpoint issues. Also opening a key from its PKCS #8 form,
//! which a node does when its key cache is refreshed.
//!
//! Run with `cargo bench -p portcullis-core --bench oidc_signing`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_core::oidc::jose::{Alg, SigningKey};
use serde_json::json;

fn bench_signing(c: &mut Criterion) {
    let claims = json!({
        "iss": "https://id.example.com", "sub": "0b6f6d2c-7a59-4d5e-9a57-1f2a3b4c5d6e",
        "aud": "grafana", "exp": 1_800_000_600, "iat": 1_800_000_000,
        "auth_time": 1_800_000_000, "nonce": "n-0S6_WzA2Mj", "acr": "mfa",
        "amr": ["pwd", "otp"], "email": "ada@example.com", "email_verified": true,
        "groups": ["ops", "dc-admins"],
    });
    let mut group = c.benchmark_group("id_token_sign");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for alg in Alg::ALL {
        let key = SigningKey::generate(alg).expect("a key");
        group.bench_function(alg.as_str(), |b| {
            b.iter(|| black_box(key.sign(black_box(&claims)).unwrap()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("signing_key_open");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for alg in Alg::ALL {
        let der = SigningKey::generate(alg).unwrap().to_pkcs8().unwrap();
        group.bench_function(alg.as_str(), |b| {
            b.iter(|| black_box(SigningKey::from_pkcs8(alg, black_box(&der)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_signing);
criterion_main!(benches);
