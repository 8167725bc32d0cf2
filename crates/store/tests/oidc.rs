//! The OpenID Connect signing keys on SQLite and PostgreSQL, through the use cases on a pinned
//! clock: nodes starting together keep one current key per algorithm, a retired key leaves JWKS
//! when its tokens have expired, and a master key rotation reseals the private keys.

use std::sync::Arc;

use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::oidc::jose::Alg;
use portcullis_core::oidc::{KEY_CACHE_SECS, TOKEN_SECS};
use portcullis_core::password::PasswordHasher;
use portcullis_core::service::{ServiceKeys, Services, Settings};
use portcullis_core::store::{OidcSigningKeys, SealedTable, Store};
use portcullis_core::{FixedClock, UnixTime};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};
use serde_json::{Value, json};

const START: i64 = 1_800_000_000;

async fn node(url: &str, clock: &FixedClock, sealing: Keyring) -> Services<SqlStore> {
    let store = SqlStore::connect(url, 4).await.expect("connect");
    store.migrate().await.expect("migrate");
    let keys = ServiceKeys {
        sealing,
        recovery: [8; 32],
    };
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    Services::new(
        store,
        Arc::new(clock.clone()),
        hasher,
        keys,
        Settings::default(),
    )
}

fn key(byte: u8) -> SealingKey {
    SealingKey::new(&[byte; 32])
}

fn kids(jwks: &Value, alg: &str) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["alg"] == alg)
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

macro_rules! on_both_backends {
    ($(async fn $name:ident($url:ident: String) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn scenario($url: String, _folder: std::path::PathBuf, _backend: Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() { with_database_on(Backend::Sqlite, scenario).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() { with_database_on(Backend::Postgres, scenario).await }
        }
    )*};
}

on_both_backends! {
    async fn nodes_starting_together_keep_one_current_key_per_algorithm(url: String) {
        let clock = FixedClock::at(START);
        let a = node(&url, &clock, Keyring::new(key(1), vec![])).await;
        let b = node(&url, &clock, Keyring::new(key(1), vec![])).await;
        let (ra, rb) = tokio::join!(a.ensure_oidc_signing_keys(), b.ensure_oidc_signing_keys());
        ra.unwrap();
        rb.unwrap();
        let mut read = a.store.begin_read().await.unwrap();
        let keys = read.published_signing_keys(UnixTime(START)).await.unwrap();
        let mut algs: Vec<&str> = keys.iter().map(|k| k.alg.as_str()).collect();
        algs.sort();
        assert_eq!(algs, ["ES256", "EdDSA", "RS256"], "one key each, whoever stored first");
        assert!(keys.iter().all(|k| k.retired_at.is_none()));
        let (ja, jb) = (a.oidc_jwks().await.unwrap(), b.oidc_jwks().await.unwrap());
        assert_eq!(ja, jb);
        // Both nodes sign with the same key.
        let header = |t: String| t.split('.').next().unwrap().to_owned();
        assert_eq!(
            header(a.oidc_sign(&json!({})).await.unwrap()),
            header(b.oidc_sign(&json!({})).await.unwrap())
        );
    }

    async fn a_retired_key_leaves_jwks_once_its_tokens_have_expired(url: String) {
        let clock = FixedClock::at(START);
        let a = node(&url, &clock, Keyring::new(key(1), vec![])).await;
        let b = node(&url, &clock, Keyring::new(key(1), vec![])).await;
        a.ensure_oidc_signing_keys().await.unwrap();
        let old = kids(&b.oidc_jwks().await.unwrap(), "ES256");
        let rotated = a.rotate_oidc_signing_key(Alg::Es256).await.unwrap();
        assert_eq!(rotated.old_published_until, Some(UnixTime(START + TOKEN_SECS)));

        // The other node still has the old keys in its cache, for a few seconds at most.
        assert_eq!(kids(&b.oidc_jwks().await.unwrap(), "ES256"), old);
        clock.advance(KEY_CACHE_SECS);
        let both = kids(&b.oidc_jwks().await.unwrap(), "ES256");
        assert_eq!(both.len(), 2);
        assert!(both.contains(&old[0]) && both.contains(&rotated.kid));
        let header = |t: String| t.split('.').next().unwrap().to_owned();
        assert_eq!(
            header(b.oidc_sign_with(Alg::Es256, &json!({})).await.unwrap()),
            header(a.oidc_sign_with(Alg::Es256, &json!({})).await.unwrap()),
            "the other node signs with the new key too"
        );

        clock.set(START + TOKEN_SECS - 1);
        assert_eq!(kids(&a.oidc_jwks().await.unwrap(), "ES256").len(), 2, "still published");
        // Gone from the database's answer at `publish_until`; a node's cache may show it a few
        // seconds more (harmless: publishing longer, never shorter).
        clock.set(START + TOKEN_SECS + KEY_CACHE_SECS);
        assert_eq!(kids(&a.oidc_jwks().await.unwrap(), "ES256"), vec![rotated.kid]);
        assert_eq!(kids(&a.oidc_jwks().await.unwrap(), "RS256").len(), 1, "other algorithms untouched");
    }

    async fn a_master_key_rotation_reseals_the_signing_keys(url: String) {
        let clock = FixedClock::at(START);
        let before = node(&url, &clock, Keyring::new(key(1), vec![])).await;
        before.ensure_oidc_signing_keys().await.unwrap();
        let token = before.oidc_sign(&json!({ "sub": "u1" })).await.unwrap();

        let during = node(&url, &clock, Keyring::new(key(2), vec![key(1)])).await;
        while during.reseal_batch(100).await.unwrap() > 0 {}
        let left = during.sealed_remaining().await.unwrap();
        assert!(left.0.contains(&(SealedTable::OidcSigningKeys, 0)), "{left:?}");

        let after = node(&url, &clock, Keyring::new(key(2), vec![])).await;
        let again = after.oidc_sign(&json!({ "sub": "u1" })).await.unwrap();
        assert_eq!(again, token, "the same key, opened under the new master key (RS256 is deterministic)");
    }
}
