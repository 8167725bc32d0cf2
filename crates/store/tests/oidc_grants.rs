//! The OpenID Connect flow's records on SQLite and PostgreSQL: a code and a refresh token are
//! used once, also by two connections at the same moment; revocation reaches a family, the
//! tokens of a code and a person's tokens of one client; expired records are pruned; a deleted
//! client takes its grants with it.

use std::sync::Arc;

use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::model::{ContractId, OidcClientId, UserId};
use portcullis_core::oidc::jose::Alg;
use portcullis_core::password::{Password, PasswordHasher};
use portcullis_core::secret::{Token, TokenDigest};
use portcullis_core::service::{ServiceKeys, Services, Settings};
use portcullis_core::store::{
    CodeRecord, CodeUse, Consent, OidcClient, OidcClients, OidcGrants, SignInFacts, Store,
    TokenKind, TokenRecord, Transaction,
};
use portcullis_core::{FixedClock, UnixTime};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};

const START: i64 = 1_800_000_000;

async fn node(url: &str) -> Services<SqlStore> {
    let store = SqlStore::connect(url, 4).await.expect("connect");
    store.migrate().await.expect("migrate");
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&[1; 32]), vec![]),
        recovery: [8; 32],
    };
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    let clock = FixedClock::at(START);
    Services::new(store, Arc::new(clock), hasher, keys, Settings::default())
}

/// An owner and a public client of their contract: (user, client_id).
async fn owner_and_client(s: &Services<SqlStore>) -> (UserId, String) {
    let (user, contract): (UserId, ContractId) = s
        .create_owner_from_shell("owner@example.com", &Password::new("Correct-Horse-7"))
        .await
        .unwrap();
    let client = OidcClient {
        id: OidcClientId::generate(),
        client_id: "client-1".into(),
        contract_id: contract,
        name: "Panel".into(),
        public: true,
        first_party: true,
        require_2fa: false,
        redirect_uris: vec!["https://rp.example/cb".into()],
        id_token_signed_response_alg: Alg::EdDsa,
        groups: vec![],
        created_at: UnixTime(START),
        updated_at: UnixTime(START),
    };
    let mut tx = s.store.begin().await.unwrap();
    tx.insert_oidc_client(&client, None).await.unwrap();
    tx.commit().await.unwrap();
    (user, client.client_id)
}

fn facts() -> SignInFacts {
    SignInFacts {
        auth_time: UnixTime(START),
        amr: vec!["pwd".into(), "otp".into(), "mfa".into()],
        acr: "mfa".into(),
    }
}

fn code(user: &UserId, client: &str, digest: &TokenDigest) -> CodeRecord {
    CodeRecord {
        digest: digest.clone(),
        client_id: client.into(),
        user_id: user.clone(),
        session_id: None,
        redirect_uri: "https://rp.example/cb".into(),
        code_challenge: Some("c".repeat(43)),
        scope: "openid offline_access".into(),
        nonce: Some("n".into()),
        facts: facts(),
        created_at: UnixTime(START),
        expires_at: UnixTime(START + 60),
    }
}

fn token(
    user: &UserId,
    client: &str,
    kind: TokenKind,
    family: &str,
    code: &TokenDigest,
) -> (Token, TokenRecord) {
    let t = Token::generate();
    let record = TokenRecord {
        digest: t.digest(),
        kind,
        family_id: family.into(),
        client_id: client.into(),
        user_id: user.clone(),
        scope: "openid offline_access".into(),
        code_digest: code.clone(),
        facts: facts(),
        created_at: UnixTime(START),
        expires_at: UnixTime(START + 600),
        used_at: None,
        revoked_at: None,
    };
    (t, record)
}

/// Presents `digest` as a code in a transaction of its own.
async fn take(s: &Services<SqlStore>, digest: &TokenDigest) -> CodeUse {
    let mut tx = s.store.begin().await.unwrap();
    let used = tx.take_code(digest, UnixTime(START + 1)).await.unwrap();
    tx.commit().await.unwrap();
    used
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
    async fn a_code_is_taken_once_even_by_two_nodes_at_the_same_moment(url: String) {
        let a = node(&url).await;
        let b = node(&url).await;
        let (user, client) = owner_and_client(&a).await;
        let digest = Token::generate().digest();
        let mut tx = a.store.begin().await.unwrap();
        tx.insert_code(&code(&user, &client, &digest)).await.unwrap();
        tx.commit().await.unwrap();

        let (x, y) = tokio::join!(take(&a, &digest), take(&b, &digest));
        let taken = [&x, &y].iter().filter(|u| matches!(u, CodeUse::Taken(_))).count();
        let replays = [&x, &y].iter().filter(|u| matches!(u, CodeUse::AlreadyUsed(_))).count();
        assert_eq!((taken, replays), (1, 1), "{x:?} {y:?}");
        let CodeUse::Taken(record) = (if matches!(x, CodeUse::Taken(_)) { x } else { y }) else { unreachable!() };
        assert_eq!(record, code(&user, &client, &digest), "every field comes back as stored");
        assert_eq!(take(&a, &Token::generate().digest()).await, CodeUse::Unknown);
    }

    async fn a_refresh_token_is_used_once_and_revocation_reaches_its_family_and_code(url: String) {
        let s = node(&url).await;
        let (user, client) = owner_and_client(&s).await;
        let code_digest = Token::generate().digest();
        let (refresh, r) = token(&user, &client, TokenKind::Refresh, "f1", &code_digest);
        let (_, access) = token(&user, &client, TokenKind::Access, "f1", &code_digest);
        let (_, other) = token(&user, &client, TokenKind::Access, "f2", &Token::generate().digest());
        let mut tx = s.store.begin().await.unwrap();
        for t in [&r, &access, &other] {
            tx.insert_token(t).await.unwrap();
        }
        assert!(tx.use_refresh_token(&refresh.digest(), UnixTime(START + 5)).await.unwrap());
        assert!(!tx.use_refresh_token(&refresh.digest(), UnixTime(START + 6)).await.unwrap(), "used once");
        assert!(!tx.use_refresh_token(&access.digest, UnixTime(START + 6)).await.unwrap(), "not a refresh token");
        let stored = tx.token_by_digest(&refresh.digest()).await.unwrap().unwrap();
        assert_eq!(stored.used_at, Some(UnixTime(START + 5)));
        assert_eq!(stored.facts, facts());

        assert_eq!(tx.revoke_token_family("f1", UnixTime(START + 7)).await.unwrap(), 2);
        assert_eq!(tx.revoke_token_family("f1", UnixTime(START + 8)).await.unwrap(), 0, "once");
        assert_eq!(tx.revoke_tokens_of_code(&code_digest, UnixTime(START + 8)).await.unwrap(), 0);
        assert!(tx.token_by_digest(&other.digest).await.unwrap().unwrap().revoked_at.is_none(), "other families stay");
        assert_eq!(tx.revoke_tokens_of_user(&user, Some("another-client"), UnixTime(START + 9)).await.unwrap(), 0);
        assert_eq!(tx.revoke_tokens_of_user(&user, Some(&client), UnixTime(START + 9)).await.unwrap(), 1);
        tx.commit().await.unwrap();
    }

    async fn expired_grants_are_pruned_and_a_deleted_client_takes_its_grants_along(url: String) {
        let s = node(&url).await;
        let (user, client) = owner_and_client(&s).await;
        let old = Token::generate().digest();
        let (_, t) = token(&user, &client, TokenKind::Access, "f1", &old);
        let mut tx = s.store.begin().await.unwrap();
        tx.insert_code(&code(&user, &client, &old)).await.unwrap();
        tx.insert_token(&t).await.unwrap();
        tx.put_consent(&Consent { user_id: user.clone(), client_id: client.clone(), scope: "openid".into(), granted_at: UnixTime(START) }).await.unwrap();
        tx.put_consent(&Consent { user_id: user.clone(), client_id: client.clone(), scope: "openid email".into(), granted_at: UnixTime(START + 1) }).await.unwrap();
        assert_eq!(tx.consent(&user, &client).await.unwrap().unwrap().scope, "openid email", "widened in place");
        // Before the code's end nothing goes; after the token's end both go.
        tx.prune_oidc_grants(UnixTime(START + 60)).await.unwrap();
        assert!(tx.token_by_digest(&t.digest).await.unwrap().is_some());
        tx.prune_oidc_grants(UnixTime(START + 601)).await.unwrap();
        assert!(tx.token_by_digest(&t.digest).await.unwrap().is_none());
        tx.commit().await.unwrap();
        assert_eq!(take(&s, &old).await, CodeUse::Unknown);

        let fresh = Token::generate().digest();
        let (_, t) = token(&user, &client, TokenKind::Access, "f2", &fresh);
        let mut tx = s.store.begin().await.unwrap();
        tx.insert_token(&t).await.unwrap();
        let row = tx.oidc_client_by_client_id(&client).await.unwrap().unwrap();
        assert!(tx.delete_oidc_client(&row.client.id).await.unwrap());
        assert!(tx.token_by_digest(&t.digest).await.unwrap().is_none(), "cascaded");
        assert!(tx.consents_of_user(&user).await.unwrap().is_empty());
        tx.commit().await.unwrap();
    }
}
