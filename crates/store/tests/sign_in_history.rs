//! The sign-in history in the store, on SQLite and on PostgreSQL: one row per browser family and
//! network, a later sighting moves it forward and an earlier one never back, "seen since" counts
//! a sighting at the boundary, and the rows go with their user.

use std::sync::Arc;

use portcullis_core::FixedClock;
use portcullis_core::UnixTime;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::model::UserId;
use portcullis_core::password::{Password, PasswordHasher};
use portcullis_core::service::{ServiceKeys, Services, Settings};
use portcullis_core::store::{SignInHistory, Store, Transaction, Users};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};

async fn services(url: &str) -> Services<SqlStore> {
    let store = SqlStore::connect(url, 8).await.expect("connect");
    store.migrate().await.expect("migrate");
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&[9; 32]), vec![]),
        recovery: [8; 32],
    };
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    let clock = Arc::new(FixedClock::at(1_800_000_000));
    Services::new(store, clock, hasher, keys, Settings::default())
}

/// A user made at the shell; its id.
async fn user(s: &Services<SqlStore>, email: &str) -> UserId {
    let (id, _) = s
        .create_owner_from_shell(email, &Password::new("Correct-Horse-7"))
        .await
        .unwrap();
    id
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
    async fn a_sighting_moves_forward_never_back_and_is_seen_from_its_own_second(url: String) {
        let s = services(&url).await;
        let ann = user(&s, "ann@example.com").await;
        let bob = user(&s, "bob@example.com").await;
        let (ff, home, away) = ("Firefox on Linux", "192.0.2.0/24", "198.51.100.0/24");
        let mut tx = s.store.begin().await.unwrap();
        assert!(!tx.has_sign_in_history(&ann).await.unwrap());
        tx.record_sign_in(&ann, ff, home, UnixTime(1_000)).await.unwrap();
        tx.record_sign_in(&ann, ff, home, UnixTime(2_000)).await.unwrap();
        // A node that recorded an older sighting late does not move the row back.
        tx.record_sign_in(&ann, ff, home, UnixTime(1_500)).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = s.store.begin_read().await.unwrap();
        assert!(tx.has_sign_in_history(&ann).await.unwrap());
        assert!(!tx.has_sign_in_history(&bob).await.unwrap(), "another user's rows are not hers");
        assert!(tx.family_seen_since(&ann, ff, UnixTime(2_000)).await.unwrap());
        assert!(!tx.family_seen_since(&ann, ff, UnixTime(2_001)).await.unwrap());
        assert!(tx.network_seen_since(&ann, home, UnixTime(2_000)).await.unwrap());
        assert!(!tx.network_seen_since(&ann, away, UnixTime(0)).await.unwrap());
        assert!(!tx.family_seen_since(&ann, "Chrome on Windows", UnixTime(0)).await.unwrap());
        assert!(!tx.family_seen_since(&bob, ff, UnixTime(0)).await.unwrap());
        drop(tx);

        // A family is known from any network, a network with any family.
        let mut tx = s.store.begin().await.unwrap();
        tx.record_sign_in(&ann, "curl", away, UnixTime(3_000)).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.store.begin_read().await.unwrap();
        assert!(tx.network_seen_since(&ann, away, UnixTime(3_000)).await.unwrap());
        assert!(tx.family_seen_since(&ann, "curl", UnixTime(3_000)).await.unwrap());
        assert!(!tx.family_seen_since(&ann, ff, UnixTime(3_000)).await.unwrap());
        drop(tx);

        // The rows go with their user.
        let mut tx = s.store.begin().await.unwrap();
        assert!(tx.delete_user(&ann).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = s.store.begin_read().await.unwrap();
        assert!(!tx.has_sign_in_history(&ann).await.unwrap());
    }
}
