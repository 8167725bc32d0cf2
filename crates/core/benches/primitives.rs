//! Micro-benchmarks of the pure functions on the login hot paths (issue 7): TOTP verification,
//! recovery-code digests, token digests and opening a sealed TOTP secret.
//!
//! Each benchmark calls what a service in `portcullis_core::service` calls for one request, with
//! the same inputs (a typed code, a client's token, the `totp:<user id>` associated data), so the
//! figures add up to the CPU a login spends outside the database. Argon2 is measured elsewhere
//! and deliberately left out. Recovery codes are not compared here: the service burns one by a
//! conditional update on its keyed digest, so the digest is the whole of the CPU work.
//!
//! Run with `cargo bench -p portcullis-core --bench primitives`; measurement times are short so
//! the whole suite finishes in about a minute on two cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use portcullis_core::UnixTime;
use portcullis_core::app_password::AppPassword;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::recovery::RecoveryCode;
use portcullis_core::secret::Token;
use portcullis_core::totp::{self, Algorithm, TotpParams, TotpSecret};

/// 15 s into a 30-second step, so the previous, current and next steps are all real candidates.
const NOW: UnixTime = UnixTime(1_800_000_015);
/// A recovery code as a person types it from the printed kit.
const TYPED_RECOVERY_CODE: &str = "4821-0937-5562-1048";
/// An app password as a mail client sends it.
const TYPED_APP_PASSWORD: &str = "qwer-tyui-opas-dfgh";
/// The associated data the TOTP enrolment seals a secret under (`totp:<user id>`).
const TOTP_AAD: &[u8] = b"totp:0b6f2c1e-8d4a-4f3b-9c7e-5a1d2e3f4b6c";

fn short(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// A six-digit code that matches none of the three steps `verify` checks at `NOW`, so every
/// candidate is computed and compared and none is accepted.
fn wrong_code(secret: &TotpSecret, params: &TotpParams) -> String {
    let step = params.step(NOW);
    let window: Vec<String> = (step - 1..=step + 1)
        .map(|s| totp::code_at(secret, params, s))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !window.contains(c))
        .expect("three steps cannot cover every code")
}

fn bench_totp(c: &mut Criterion) {
    let mut group = c.benchmark_group("totp_verify");
    short(&mut group);
    let secret = TotpSecret::generate();
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256] {
        let params = TotpParams::new(algorithm, 6, 30).expect("valid parameters");
        let valid = totp::code_at(&secret, &params, params.step(NOW));
        let wrong = wrong_code(&secret, &params);
        assert!(totp::verify(&secret, &params, &valid, NOW, None).is_some());
        assert!(totp::verify(&secret, &params, &wrong, NOW, None).is_none());
        let name = algorithm.as_str().to_ascii_lowercase();
        group.bench_function(format!("{name}_valid"), |b| {
            b.iter(|| {
                totp::verify(
                    black_box(&secret),
                    black_box(&params),
                    black_box(&valid),
                    black_box(NOW),
                    black_box(None),
                )
            })
        });
        group.bench_function(format!("{name}_wrong"), |b| {
            b.iter(|| {
                totp::verify(
                    black_box(&secret),
                    black_box(&params),
                    black_box(&wrong),
                    black_box(NOW),
                    black_box(None),
                )
            })
        });
    }
    group.finish();
}

fn bench_sealed_totp_secret(c: &mut Criterion) {
    let mut group = c.benchmark_group("sealed_totp_secret");
    short(&mut group);
    let secret = TotpSecret::generate();
    let current = Keyring::new(SealingKey::new(&[1; 32]), vec![]);
    let sealed = current.seal(secret.expose(), TOTP_AAD).expect("seals");
    // After a key rotation the secret was sealed by an older key, so `open` walks the list.
    let rotated = Keyring::new(SealingKey::new(&[2; 32]), vec![SealingKey::new(&[1; 32])]);
    assert_eq!(
        rotated.open(&sealed, TOTP_AAD).expect("opens").as_slice(),
        secret.expose()
    );

    group.bench_function("open", |b| {
        b.iter(|| current.open(black_box(&sealed), black_box(TOTP_AAD)))
    });
    group.bench_function("open_with_older_key", |b| {
        b.iter(|| rotated.open(black_box(&sealed), black_box(TOTP_AAD)))
    });
    // What `login_with_totp` spends in CPU: unseal, then check the code over the window.
    let params = TotpParams::default();
    let valid = totp::code_at(&secret, &params, params.step(NOW));
    group.bench_function("open_and_verify_sha1", |b| {
        b.iter(|| {
            let bytes = current
                .open(black_box(&sealed), black_box(TOTP_AAD))
                .expect("opens");
            let secret = TotpSecret::from_bytes(bytes.to_vec());
            totp::verify(&secret, &params, black_box(&valid), NOW, None)
        })
    });
    group.finish();
}

fn bench_recovery_code(c: &mut Criterion) {
    let mut group = c.benchmark_group("recovery_code");
    short(&mut group);
    let key = [7u8; 32];
    let code = RecoveryCode::parse(TYPED_RECOVERY_CODE).expect("a well-formed code");
    group.bench_function("parse", |b| {
        b.iter(|| RecoveryCode::parse(black_box(TYPED_RECOVERY_CODE)))
    });
    group.bench_function("digest", |b| {
        b.iter(|| black_box(&code).digest(black_box(&key)))
    });
    // What `login_with_recovery_code` computes before the conditional update that burns the code.
    group.bench_function("parse_and_digest", |b| {
        b.iter(|| {
            RecoveryCode::parse(black_box(TYPED_RECOVERY_CODE))
                .map(|code| code.digest(black_box(&key)))
        })
    });
    group.finish();
}

fn bench_tokens(c: &mut Criterion) {
    let mut group = c.benchmark_group("token");
    short(&mut group);
    let token = Token::generate();
    let presented = token.expose().to_owned();
    group.bench_function("generate", |b| b.iter(Token::generate));
    group.bench_function("digest", |b| b.iter(|| black_box(&token).digest()));
    // A session cookie, login ticket or service bearer token as each request presents it.
    group.bench_function("from_client_and_digest", |b| {
        b.iter(|| Token::from_client(black_box(&presented)).digest())
    });
    // What `app_auth` computes before looking the password up by (user, digest).
    group.bench_function("app_password_parse_and_digest", |b| {
        b.iter(|| AppPassword::parse(black_box(TYPED_APP_PASSWORD)).map(|p| p.digest()))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_totp,
    bench_sealed_totp_secret,
    bench_recovery_code,
    bench_tokens
);
criterion_main!(benches);
