//! Access rules in the store, on SQLite and on PostgreSQL: a host belongs to one contract even
//! when two contracts claim it at the same moment (on PostgreSQL through separate connections,
//! as two nodes would), and the last rule removed frees it.

use std::sync::Arc;

use portcullis_core::access::AccessPolicy;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::model::RequestMeta;
use portcullis_core::password::{Password, PasswordHasher};
use portcullis_core::service::{
    AccessCheck, AdminSession, NewAccessRule, ServiceKeys, Services, Settings,
};
use portcullis_core::{Error, FixedClock};
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

async fn owner(s: &Services<SqlStore>, email: &str) -> AdminSession {
    s.create_owner_from_shell(email, &Password::new("Correct-Horse-7"))
        .await
        .unwrap();
    s.operator_session(email).await.unwrap().0
}

fn rule<'a>(host: &'a str, prefix: &'a str) -> NewAccessRule<'a> {
    NewAccessRule {
        host,
        path_prefix: Some(prefix),
        policy: AccessPolicy::Public,
        groups: &[],
    }
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
    async fn two_contracts_claiming_a_host_at_once_get_it_once(url: String) {
        // Two use-case stacks on one database: two nodes.
        let (a, b) = (services(&url).await, services(&url).await);
        let alice = owner(&a, "alice@example.com").await;
        let bob = owner(&a, "bob@example.net").await;
        let meta = RequestMeta::default();
        for round in 0..10 {
            let host = format!("app{round}.example.com");
            let (first, second) = tokio::join!(
                a.create_access_rule(&alice, rule(&host, "/a"), &meta),
                b.create_access_rule(&bob, rule(&host, "/b"), &meta),
            );
            let won = [first.is_ok(), second.is_ok()];
            assert_eq!(won.iter().filter(|w| **w).count(), 1, "round {round}: {first:?} {second:?}");
            for lost in [first, second].into_iter().filter_map(Result::err) {
                assert!(matches!(lost, Error::Conflict(_)), "{lost:?}");
            }
        }
    }

    async fn the_last_rule_removed_frees_the_host_for_another_contract(url: String) {
        let s = services(&url).await;
        let alice = owner(&s, "alice@example.com").await;
        let bob = owner(&s, "bob@example.net").await;
        let meta = RequestMeta::default();
        let root = s.create_access_rule(&alice, rule("app.example.com", "/"), &meta).await.unwrap();
        let port = s.create_access_rule(&alice, rule("app.example.com:8443", "/"), &meta).await.unwrap();
        s.remove_access_rule(&alice, &root.rule.id, &meta).await.unwrap();
        // One rule (on one port) still holds the host.
        let taken = s.create_access_rule(&bob, rule("app.example.com", "/"), &meta).await;
        assert!(matches!(taken, Err(Error::Conflict(_))), "{taken:?}");
        // Bob cannot remove Alice's rule, nor see it.
        let theirs = s.remove_access_rule(&bob, &port.rule.id, &meta).await;
        assert!(matches!(theirs, Err(Error::NotFound(_))), "{theirs:?}");
        assert!(s.list_access_rules(&bob).await.unwrap().is_empty());
        s.remove_access_rule(&alice, &port.rule.id, &meta).await.unwrap();
        s.create_access_rule(&bob, rule("app.example.com", "/"), &meta).await.unwrap();
        let check = s.check_access(None, "app.example.com", "/").await.unwrap();
        assert_eq!(check, AccessCheck::Allow(None));
    }
}
