//! The outbox's delivery side on SQLite and PostgreSQL, on explicit times: claims with a lease,
//! conditional marks, retries that wait, a claim that runs out when its node died, payloads
//! wiped once sent or given up, rows from before sealing, and concurrent claims that never
//! share a row.

use std::collections::BTreeSet;

use portcullis_core::UnixTime;
use portcullis_core::crypto::Sealed;
use portcullis_core::notice::Channel;
use portcullis_core::store::{
    NodeId, Outbox, OutboxBacklog, OutboxDelivery, OutboxMessage, OutboxMessageId, QueuedPayload,
    Store, Transaction,
};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};
use sqlx::Row;

const T: i64 = 1_800_000_000;

async fn store(url: &str) -> SqlStore {
    let store = SqlStore::connect(url, 16).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

async fn enqueue(store: &SqlStore, id: &str, created_at: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&OutboxMessage {
        id: message(id),
        channel: Channel::Sms,
        recipient: "+4915112345678".to_owned(),
        kind: "phone_code",
        sealed: Sealed {
            key_id: "k1".to_owned(),
            data: format!("sealed-{id}").into_bytes(),
        },
        created_at: UnixTime(created_at),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn message(id: &str) -> OutboxMessageId {
    OutboxMessageId(id.to_owned())
}

fn node_named(name: &str) -> NodeId {
    NodeId(name.to_owned())
}

/// Claims as `node` at `now` with a 60-second lease; returns `(id, attempts)`.
async fn claim(store: &SqlStore, node: &str, now: i64, limit: i64) -> Vec<(String, i64)> {
    let mut tx = store.begin().await.unwrap();
    let got = tx
        .claim_due(&node_named(node), UnixTime(now), UnixTime(now + 60), limit)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    got.into_iter().map(|m| (m.id.0, m.attempts)).collect()
}

async fn with_tx<R>(store: &SqlStore, f: impl AsyncFnOnce(&mut <SqlStore as Store>::Tx) -> R) -> R {
    let mut tx = store.begin().await.unwrap();
    let r = f(&mut tx).await;
    tx.commit().await.unwrap();
    r
}

/// `(sealed is set, body, sent, failed, last_error)`.
async fn row(store: &SqlStore, id: &str) -> (bool, String, bool, bool, Option<String>) {
    let r = sqlx::query(
        "SELECT sealed, body, sent_at, failed_at, last_error FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(store.raw_pool())
    .await
    .unwrap();
    (
        r.get::<Option<Vec<u8>>, _>("sealed").is_some(),
        r.get("body"),
        r.get::<Option<i64>, _>("sent_at").is_some(),
        r.get::<Option<i64>, _>("failed_at").is_some(),
        r.get("last_error"),
    )
}

fn ids(claimed: &[(String, i64)]) -> Vec<&str> {
    claimed.iter().map(|(id, _)| id.as_str()).collect()
}

async fn claims_lease_and_marks(url: String) {
    let s = store(&url).await;
    for (i, id) in ["m1", "m2", "m3"].iter().enumerate() {
        enqueue(&s, id, T + i as i64).await;
    }
    assert_eq!(
        claim(&s, "a", T - 1, 10).await,
        vec![],
        "nothing is due before it was made"
    );
    let a = claim(&s, "a", T + 5, 2).await;
    assert_eq!(
        a,
        vec![("m1".into(), 1), ("m2".into(), 1)],
        "oldest first, one attempt each"
    );
    assert_eq!(
        ids(&claim(&s, "b", T + 5, 10).await),
        ["m3"],
        "leased rows are skipped"
    );
    assert!(claim(&s, "b", T + 6, 10).await.is_empty());

    // Marks hold only for the node that has the claim.
    assert!(
        !with_tx(&s, async |tx| tx
            .mark_sent(&message("m1"), &node_named("b"), UnixTime(T + 6))
            .await
            .unwrap())
        .await
    );
    assert!(
        with_tx(&s, async |tx| tx
            .mark_sent(&message("m1"), &node_named("a"), UnixTime(T + 6))
            .await
            .unwrap())
        .await
    );
    assert_eq!(
        row(&s, "m1").await,
        (false, String::new(), true, false, None),
        "sent and wiped"
    );
    assert!(
        !with_tx(&s, async |tx| tx
            .mark_sent(&message("m1"), &node_named("a"), UnixTime(T + 7))
            .await
            .unwrap())
        .await,
        "once"
    );

    // A retry waits for its time (below), then counts another attempt.
    assert!(
        with_tx(&s, async |tx| tx
            .mark_retry(
                &message("m2"),
                &node_named("a"),
                UnixTime(T + 100),
                "HTTP 500"
            )
            .await
            .unwrap())
        .await
    );
    assert_eq!(
        row(&s, "m2").await,
        (true, String::new(), false, false, Some("HTTP 500".into()))
    );
    // b died holding m3: its claim runs out and someone else sends it; b's late mark is refused.
    assert!(
        claim(&s, "a", T + 64, 10).await.is_empty(),
        "m3 is leased, m2 waits"
    );
    assert_eq!(claim(&s, "a", T + 65, 10).await, vec![("m3".into(), 2)]);
    assert!(
        !with_tx(&s, async |tx| tx
            .mark_sent(&message("m3"), &node_named("b"), UnixTime(T + 66))
            .await
            .unwrap())
        .await
    );
    assert!(
        claim(&s, "c", T + 99, 10).await.is_empty(),
        "the retry waits for its time"
    );
    assert_eq!(claim(&s, "c", T + 100, 10).await, vec![("m2".into(), 2)]);

    // Given up: wiped, never claimed again.
    assert!(
        with_tx(&s, async |tx| tx
            .mark_failed(
                &message("m2"),
                &node_named("c"),
                UnixTime(T + 101),
                "gave up"
            )
            .await
            .unwrap())
        .await
    );
    assert_eq!(
        row(&s, "m2").await,
        (false, String::new(), false, true, Some("gave up".into()))
    );
    assert!(
        claim(&s, "c", T + 10_000, 10)
            .await
            .iter()
            .all(|(id, _)| id != "m2")
    );
    let backlog = with_tx(&s, async |tx| tx.outbox_backlog().await.unwrap()).await;
    assert_eq!(
        backlog,
        OutboxBacklog {
            waiting: 1,
            failed: 1
        }
    );
    s.close().await;
}

async fn rows_from_before_sealing_come_back_as_plain_text(url: String) {
    let s = store(&url).await;
    sqlx::query("INSERT INTO outbox (id, channel, recipient, subject, body, created_at) VALUES ('old', 'email', 'a@example.com', 'Hi', 'Plain text', $1)")
        .bind(T)
        .execute(s.raw_pool())
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    let got = tx
        .claim_due(&node_named("a"), UnixTime(T), UnixTime(T + 60), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].channel, got[0].kind.as_deref()),
        (Channel::Email, None)
    );
    match &got[0].payload {
        QueuedPayload::Plain { subject, body } => {
            assert_eq!(
                (subject.as_deref(), body.as_str()),
                (Some("Hi"), "Plain text")
            );
        }
        QueuedPayload::Sealed(_) => panic!("a row from before sealing has no sealed notice"),
    }
    assert!(
        !format!("{:?}", got[0]).contains("Plain text"),
        "Debug shows no text"
    );
    s.close().await;
}

async fn concurrent_claims_never_share_a_row(url: String) {
    let s = store(&url).await;
    let all: BTreeSet<String> = (0..120).map(|i| format!("c{i:03}")).collect();
    for id in &all {
        enqueue(&s, id, T).await;
    }
    let mut nodes = tokio::task::JoinSet::new();
    for n in 0..8 {
        let s = s.clone();
        nodes.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = claim(&s, &format!("node{n}"), T + 1, 5).await;
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|(id, _)| id));
            }
        });
    }
    let mut seen = Vec::new();
    while let Some(mine) = nodes.join_next().await {
        seen.extend(mine.unwrap());
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), all.len(), "no row claimed twice");
    assert_eq!(unique, all, "every row claimed");
    s.close().await;
}

macro_rules! on_both {
    ($($name:ident),*) => {$(
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
    claims_lease_and_marks,
    rows_from_before_sealing_come_back_as_plain_text,
    concurrent_claims_never_share_a_row
);
