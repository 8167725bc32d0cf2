//! The sweep on SQLite and PostgreSQL, on a pinned clock: in every swept table, a row expired
//! exactly at its cutoff goes and a row one second younger stays (and what hangs on a live row
//! is untouched); more rows than one batch all go, in batches; and the lease lets one holder at
//! a time sweep until it runs out or is given up.

use std::sync::{Arc, Mutex};

use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::password::PasswordHasher;
use portcullis_core::service::sweep::{
    BATCH, GRACE_SECS, LEASE_NAME, LEASE_SECS, SIGN_IN_HISTORY_SECS, SweepOutcome,
};
use portcullis_core::service::{ServiceKeys, Services, Settings};
use portcullis_core::store::{LONGEST_WINDOW_SECS, Leases, Store, Swept, Transaction};
use portcullis_core::{FixedClock, UnixTime};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};

const NOW: i64 = 1_800_000_000;
/// Settings::default(): 30 minutes idle, a 10-minute address window; the test's retention.
const IDLE: i64 = 1800;
const ADDRESS_WINDOW: i64 = 600;
const RETENTION_DAYS: u32 = 30;

async fn services(url: &str) -> (Services<SqlStore>, FixedClock) {
    let store = SqlStore::connect(url, 8).await.expect("connect");
    store.migrate().await.expect("migrate");
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&[9; 32]), vec![]),
        recovery: [8; 32],
    };
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    let clock = FixedClock::at(NOW);
    let services = Services::new(
        store,
        Arc::new(clock.clone()),
        hasher,
        keys,
        Settings::default(),
    );
    (services, clock)
}

async fn exec(s: &Services<SqlStore>, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(s.store.raw_pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn column(s: &Services<SqlStore>, table: &str, col: &str) -> Vec<String> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {col} FROM {table} ORDER BY {col}"
    )))
    .fetch_all(s.store.raw_pool())
    .await
    .unwrap()
}

/// Runs one pass as `holder` and returns what it reported batch by batch.
async fn sweep(s: &Services<SqlStore>, holder: &str) -> (SweepOutcome, Vec<(Swept, u64)>) {
    let batches = Arc::new(Mutex::new(Vec::new()));
    let seen = batches.clone();
    let rules = s.sweep_rules(RETENTION_DAYS);
    let outcome = s
        .sweep(holder, &rules, &mut move |kind, n| {
            seen.lock().unwrap().push((kind, n))
        })
        .await
        .unwrap();
    let batches = batches.lock().unwrap().clone();
    (outcome, batches)
}

/// Rows on both sides of every cutoff. `old…` rows are due (their time is exactly the
/// cutoff), `new…` rows are one second short of it, `live…` rows are what the others hang on.
async fn seed(s: &Services<SqlStore>) {
    let gone = NOW - GRACE_SECS;
    let kept = gone + 1;
    let idle_gone = NOW - IDLE - GRACE_SECS;
    let far = NOW + 3600;
    let retention_gone = NOW - i64::from(RETENTION_DAYS) * 86_400;
    let rate_gone = NOW - LONGEST_WINDOW_SECS;
    let history_gone = NOW - SIGN_IN_HISTORY_SECS;
    let address_gone = NOW - ADDRESS_WINDOW;
    exec(s, &format!("
        INSERT INTO contracts (id, name, created_at) VALUES ('c', 'C', 1);
        INSERT INTO users (id, contract_id, email, email_key, role, created_at)
            VALUES ('u', 'c', 'a@example.com', 'a@example.com', 'owner', 1),
                   ('idle', 'c', 'b@example.com', 'b@example.com', 'user', 1);
        INSERT INTO sessions (id, user_id, token_digest, kind, created_at, last_seen_at, expires_at, revoked_at) VALUES
            ('live', 'u', 't0', 'web', 1, {NOW}, {far}, NULL),
            ('live2', 'u', 't1', 'web', 1, {NOW}, {far}, NULL),
            ('old-expired', 'u', 't2', 'web', 1, {NOW}, {gone}, NULL),
            ('new-expired', 'u', 't3', 'web', 1, {NOW}, {kept}, NULL),
            ('old-revoked', 'u', 't4', 'api', 1, {NOW}, {far}, {gone}),
            ('new-revoked', 'u', 't5', 'api', 1, {NOW}, {far}, {kept}),
            ('old-idle', 'u', 't6', 'web', 1, {idle_gone}, {far}, NULL),
            ('new-idle', 'u', 't7', 'web', 1, {}, {far}, NULL);
        INSERT INTO held (id, session_id, purpose, expires_at) VALUES
            ('old', 'live', 'p', {gone}), ('new', 'live', 'p', {kept}),
            ('cascaded', 'old-revoked', 'p', {far});
        INSERT INTO emergency_kits (session_id, key_id, sealed, expires_at) VALUES
            ('live', 'k', 'x', {gone}), ('live2', 'k', 'x', {kept});
        INSERT INTO login_tickets (id, digest, user_id, purpose, created_at, expires_at) VALUES
            ('live', 'd0', 'u', 'second_factor', 1, {far}),
            ('old', 'd1', 'u', 'second_factor', 1, {gone}),
            ('new', 'd2', 'u', 'second_factor', 1, {kept});
        INSERT INTO password_links (digest, user_id, expires_at, purpose) VALUES
            ('old', 'u', {gone}, 'invite'), ('new', 'u', {kept}, 'reset');
        INSERT INTO webauthn_ceremonies (digest, purpose, user_id, ticket_id, state, created_at, expires_at) VALUES
            ('old', 'second_step', 'u', 'live', '{{}}', 1, {gone}),
            ('new', 'second_step', 'u', 'live', '{{}}', 1, {kept});
        INSERT INTO push_pairings (digest, user_id, created_at, expires_at) VALUES
            ('old', 'u', 1, {gone}), ('new', 'u', 1, {kept});
        INSERT INTO push_devices (id, user_id, name, public_key, created_at)
            VALUES ('dev', 'u', 'Phone', 'x', 1);
        INSERT INTO push_challenges (id, user_id, ticket_id, number, created_at, expires_at, last_sent_at) VALUES
            ('old', 'u', 'live', 1, 1, {gone}, 1), ('new', 'u', 'live', 2, 1, {kept}, 1),
            ('cascaded', 'u', 'old', 3, 1, {far}, 1);
        INSERT INTO device_nonces (device_id, nonce, expires_at) VALUES
            ('dev', 'old', {gone}), ('dev', 'new', {kept});
        INSERT INTO phone_codes (user_id, purpose, number, digest, created_at, expires_at) VALUES
            ('u', 'verify', 'old', 'x', 1, {gone}), ('u', 'reset', 'new', 'x', 1, {kept});
        INSERT INTO setup_tokens (digest, expires_at) VALUES ('old', {gone}), ('new', {kept});
        INSERT INTO rate_events (scope, subject, at) VALUES
            ('sms', 'old', {rate_gone}), ('sms', 'new', {rate_gone} + 1), ('sms', 'new', {rate_gone});
        INSERT INTO rate_keys (scope, subject) VALUES ('sms', 'old'), ('sms', 'new');
        INSERT INTO address_failures (ip, at) VALUES
            ('old', {address_gone}), ('new', {address_gone} + 1);
        INSERT INTO oidc_clients (id, client_id, contract_id, name, secret_digest, public, first_party,
            require_2fa, redirect_uris, created_at, updated_at)
            VALUES ('oc', 'app', 'c', 'App', NULL, 1, 0, 0, 'https://app.example/cb', 1, 1);
        INSERT INTO oidc_pending_authorizations (id, client_id, request, created_at, expires_at) VALUES
            ('old', 'app', '{{}}', 1, {gone}), ('new', 'app', '{{}}', 1, {kept});
        INSERT INTO oidc_codes (digest, client_id, user_id, redirect_uri, scope, auth_time, amr, acr, created_at, expires_at) VALUES
            ('old', 'app', 'u', 'https://app.example/cb', 'openid', 1, 'pwd', 'pwd', 1, {gone}),
            ('new', 'app', 'u', 'https://app.example/cb', 'openid', 1, 'pwd', 'pwd', 1, {kept});
        INSERT INTO oidc_tokens (digest, kind, family_id, client_id, user_id, scope, code_digest, auth_time, amr, acr, created_at, expires_at) VALUES
            ('old', 'refresh', 'f', 'app', 'u', 'openid', 'old', 1, 'pwd', 'pwd', 1, {gone}),
            ('new', 'access', 'f', 'app', 'u', 'openid', 'old', 1, 'pwd', 'pwd', 1, {kept});
        INSERT INTO remembered_browsers (id, user_id, public_key, created_at, expires_at) VALUES
            ('old', 'u', 'k', 1, {gone}), ('new', 'u', 'k', 1, {kept});
        INSERT INTO sign_in_history (user_id, family, network, last_seen_at) VALUES
            ('u', 'old', '192.0.2.0/24', {history_gone}), ('u', 'new', '192.0.2.0/24', {history_gone} + 1),
            ('idle', 'newest of an idle account', '192.0.2.0/24', {history_gone} - 1);
        INSERT INTO outbox (id, channel, recipient, body, created_at, sent_at, failed_at) VALUES
            ('old-sent', 'email', 'a@example.com', '', 1, {retention_gone}, NULL),
            ('old-failed', 'email', 'a@example.com', '', 1, NULL, {retention_gone}),
            ('new-sent', 'email', 'a@example.com', '', 1, {retention_gone} + 1, NULL),
            ('new-failed', 'email', 'a@example.com', '', 1, NULL, {retention_gone} + 1),
            ('new-queued', 'email', 'a@example.com', '', 1, NULL, NULL);
        INSERT INTO audit_events (at, type, outcome) VALUES (1, 'user.created', 'success');
        ", NOW - IDLE - GRACE_SECS + 1)).await;
}

async fn every_expired_row_goes_and_every_other_stays(url: String) {
    let (s, _clock) = services(&url).await;
    seed(&s).await;
    let (outcome, _) = sweep(&s, "node-a").await;
    let SweepOutcome::Swept(removed) = outcome else {
        panic!("the only node is refused the lease: {outcome:?}");
    };

    let kept = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        column(&s, "sessions", "id").await,
        kept(&["live", "live2", "new-expired", "new-idle", "new-revoked"])
    );
    // A session's held secrets go with it; the held rule removes the expired one of a live one.
    assert_eq!(column(&s, "held", "id").await, kept(&["new"]));
    assert_eq!(
        column(&s, "emergency_kits", "session_id").await,
        kept(&["live2"])
    );
    assert_eq!(
        column(&s, "login_tickets", "id").await,
        kept(&["live", "new"])
    );
    assert_eq!(column(&s, "password_links", "digest").await, kept(&["new"]));
    assert_eq!(
        column(&s, "webauthn_ceremonies", "digest").await,
        kept(&["new"])
    );
    assert_eq!(column(&s, "push_pairings", "digest").await, kept(&["new"]));
    // The expired ticket took its (still pending) challenge along.
    assert_eq!(column(&s, "push_challenges", "id").await, kept(&["new"]));
    assert_eq!(column(&s, "device_nonces", "nonce").await, kept(&["new"]));
    assert_eq!(column(&s, "phone_codes", "number").await, kept(&["new"]));
    assert_eq!(column(&s, "setup_tokens", "digest").await, kept(&["new"]));
    assert_eq!(
        column(&s, "rate_events", "subject").await,
        kept(&["new"]),
        "only the event inside the longest window stays"
    );
    assert_eq!(column(&s, "rate_keys", "subject").await, kept(&["new"]));
    assert_eq!(column(&s, "address_failures", "ip").await, kept(&["new"]));
    assert_eq!(
        column(&s, "oidc_pending_authorizations", "id").await,
        kept(&["new"])
    );
    assert_eq!(column(&s, "oidc_codes", "digest").await, kept(&["new"]));
    assert_eq!(column(&s, "oidc_tokens", "digest").await, kept(&["new"]));
    assert_eq!(
        column(&s, "remembered_browsers", "id").await,
        kept(&["new"])
    );
    assert_eq!(
        column(&s, "sign_in_history", "family").await,
        // An account that has not signed in for 90 days keeps its newest row: with none it
        // would read as never signed in, and its next sign-in would go untold.
        kept(&["new", "newest of an idle account"])
    );
    assert_eq!(
        column(&s, "outbox", "id").await,
        kept(&["new-failed", "new-queued", "new-sent"])
    );
    // Never swept: the audit log, the users, the devices.
    assert_eq!(column(&s, "audit_events", "type").await.len(), 1);
    assert_eq!(column(&s, "users", "id").await, kept(&["idle", "u"]));
    assert_eq!(column(&s, "push_devices", "id").await, kept(&["dev"]));

    // The report counts the rows each kind deleted itself (cascades are not counted).
    let count = |kind| {
        removed
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(count(Swept::EndedSessions), 2);
    assert_eq!(count(Swept::IdleSessions), 1);
    assert_eq!(count(Swept::Outbox), 2);
    assert_eq!(count(Swept::RateEvents), 2);
    assert_eq!(count(Swept::RateKeys), 1);
    assert_eq!(count(Swept::PushChallenges), 1);
    assert_eq!(count(Swept::SignInHistory), 1);

    // A second pass at the same moment finds nothing.
    let (again, batches) = sweep(&s, "node-a").await;
    assert_eq!(again, SweepOutcome::Swept(vec![]));
    assert!(batches.is_empty());
    s.store.close().await;
}

async fn more_rows_than_a_batch_all_go_in_batches(url: String) {
    let (s, _clock) = services(&url).await;
    let due = BATCH * 2 + 37;
    let old = NOW - LONGEST_WINDOW_SECS;
    let mut tx = s.store.begin().await.unwrap();
    use portcullis_core::store::RateEvents;
    for _ in 0..due {
        tx.record_rate_event("reset", "someone", UnixTime(old))
            .await
            .unwrap();
    }
    tx.record_rate_event("reset", "someone", UnixTime(NOW))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (outcome, batches) = sweep(&s, "node-a").await;
    let events: Vec<u64> = batches
        .iter()
        .filter(|(k, _)| *k == Swept::RateEvents)
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(events, [BATCH as u64, BATCH as u64, 37]);
    assert_eq!(
        outcome,
        SweepOutcome::Swept(vec![(Swept::RateEvents, due as u64)])
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_events")
        .fetch_one(s.store.raw_pool())
        .await
        .unwrap();
    assert_eq!(left, 1, "the event inside the window stays");
    s.store.close().await;
}

async fn take(s: &Services<SqlStore>, holder: &str, now: i64) -> bool {
    let mut tx = s.store.begin().await.unwrap();
    let held = tx
        .take_lease(
            LEASE_NAME,
            holder,
            UnixTime(now),
            UnixTime(now + LEASE_SECS),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    held
}

async fn one_holder_at_a_time_until_the_lease_runs_out(url: String) {
    let (s, clock) = services(&url).await;
    assert!(take(&s, "node-a", NOW).await, "a free lease is taken");
    assert!(!take(&s, "node-b", NOW + 1).await, "a held lease is not");
    assert!(take(&s, "node-a", NOW + 60).await, "its holder renews it");
    assert!(
        !take(&s, "node-b", NOW + 60 + LEASE_SECS - 1).await,
        "the renewal counts from when it was made"
    );
    // Node a dies: its lease runs out and b takes over; a is refused now.
    assert!(take(&s, "node-b", NOW + 60 + LEASE_SECS).await);
    assert!(!take(&s, "node-a", NOW + 60 + LEASE_SECS + 1).await);

    // Through the use case: b holds it, so a's pass does nothing, even with rows due.
    clock.set(NOW + 60 + LEASE_SECS + 1);
    exec(
        &s,
        "INSERT INTO setup_tokens (digest, expires_at) VALUES ('due', 1)",
    )
    .await;
    let (outcome, _) = sweep(&s, "node-a").await;
    assert_eq!(outcome, SweepOutcome::Busy);
    assert_eq!(column(&s, "setup_tokens", "digest").await, ["due"]);
    // A node that stops gives the lease up; the other sweeps at once.
    s.release_sweep_lease("node-a").await.unwrap();
    assert_eq!(
        sweep(&s, "node-a").await.0,
        SweepOutcome::Busy,
        "not a's to give"
    );
    s.release_sweep_lease("node-b").await.unwrap();
    let (outcome, _) = sweep(&s, "node-a").await;
    assert_eq!(outcome, SweepOutcome::Swept(vec![(Swept::SetupTokens, 1)]));
    let holders = column(&s, "leases", "holder").await;
    assert_eq!(holders, ["node-a"], "one row per lease name");
    s.store.close().await;
}

/// Two nodes on one PostgreSQL database (two pools) take the lease at the same moment: exactly
/// one gets it. On SQLite the one writer makes this the sequential case above.
async fn concurrent_takers_get_it_once(url: String) {
    let (a, _) = services(&url).await;
    let (b, _) = services(&url).await;
    for round in 0..10 {
        let now = NOW + round * (LEASE_SECS + 1);
        let (x, y) = tokio::join!(take(&a, "node-a", now), take(&b, "node-b", now));
        assert!(x ^ y, "round {round}: a {x}, b {y}");
    }
    a.store.close().await;
    b.store.close().await;
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::with_database_on(super::Backend::Sqlite, |url, _, _| super::$name(url)).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                super::with_database_on(super::Backend::Postgres, |url, _, _| super::$name(url)).await
            }
        }
    )*};
}

on_both!(
    every_expired_row_goes_and_every_other_stays,
    more_rows_than_a_batch_all_go_in_batches,
    one_holder_at_a_time_until_the_lease_runs_out,
    concurrent_takers_get_it_once,
);
