//! The database as the test reads it, behind the server's back: what the API cannot show
//! (digests of recovery codes, sealed secrets, outbox rows) and the invariants over whole
//! tables. It holds the node's master key, so it can open sealed secrets and make the keyed
//! digests of recovery codes the way the server does (derivations as in `server/src/keys.rs`).

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use portcullis_core::crypto::{Keyring, Sealed, SealingKey};
use portcullis_core::recovery::RecoveryCode;
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, AnyRow};

/// HMAC-SHA256 of a purpose's name under the master key, as the server derives its keys.
fn derive(root: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(root).expect("any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

pub struct Db {
    pool: AnyPool,
    pub sqlite: bool,
    sealing: Keyring,
    digests: [u8; 32],
}

/// One recovery code row.
#[derive(Debug, Clone)]
pub struct CodeRow {
    pub digest: String,
    pub used: bool,
}

/// One outbox row, with whether its sealed notice still opens.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub attempts: i64,
    pub claimed_until: i64,
    pub sent: bool,
    pub failed: bool,
    /// `None`: no payload (wiped after sending); else whether it opens under the key.
    pub opens: Option<bool>,
}

impl Db {
    /// `url`: the node's PostgreSQL database, or `None` for the SQLite file in `data`.
    pub async fn open(url: Option<&str>, data: &std::path::Path, master_key: &[u8; 32]) -> Db {
        sqlx::any::install_default_drivers();
        let url = match url {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}?mode=rw", data.join("portcullis.db").display()),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("the test reads the database at {url}: {e}"));
        Db {
            pool,
            sqlite: url.starts_with("sqlite:"),
            sealing: Keyring::new(
                SealingKey::new(&derive(master_key, "portcullis sealing v1")),
                vec![],
            ),
            digests: derive(master_key, "portcullis recovery codes v1"),
        }
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The keyed digest the server stores for a recovery code.
    pub fn digest(&self, code: &str) -> String {
        RecoveryCode::parse(code)
            .expect("a recovery code as the server shows it")
            .digest(&self.digests)
    }

    /// Opens a sealed value; `None` when it does not open (torn, or sealed for something else).
    pub fn unseal(&self, key_id: String, data: Vec<u8>, aad: &[u8]) -> Option<Vec<u8>> {
        self.sealing
            .open(&Sealed { key_id, data }, aad)
            .ok()
            .map(|plain| plain.to_vec())
    }

    pub async fn rows(&self, sql: &'static str, binds: &[&str]) -> Vec<AnyRow> {
        let mut query = sqlx::query(sql);
        for bind in binds {
            query = query.bind(bind.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A single number (`SELECT COUNT(*) …`).
    pub async fn number(&self, sql: &'static str, binds: &[&str]) -> i64 {
        let rows = self.rows(sql, binds).await;
        rows[0].try_get::<i64, _>(0).expect("a number")
    }

    /// `SELECT key, COUNT(*) … GROUP BY key` as a map.
    pub async fn counts(&self, sql: &'static str) -> BTreeMap<String, i64> {
        self.rows(sql, &[])
            .await
            .iter()
            .map(|r| {
                (
                    r.try_get::<String, _>(0).expect("a key"),
                    r.try_get::<i64, _>(1).expect("a count"),
                )
            })
            .collect()
    }

    /// The id of the user with `email`, if there is one.
    pub async fn user_id(&self, email: &str) -> Option<String> {
        self.rows("SELECT id FROM users WHERE email = $1", &[email])
            .await
            .first()
            .map(|r| r.try_get::<String, _>("id").expect("id"))
    }

    /// The unsealed secret of the user's active authenticator (`totp_factors`) or of the pending
    /// enrolment (`totp_pending`); `Some(None)` when the row is there but does not open.
    pub async fn totp_secret(&self, user: &str, pending: bool) -> Option<Option<Vec<u8>>> {
        let sql = if pending {
            "SELECT key_id, secret FROM totp_pending WHERE user_id = $1"
        } else {
            "SELECT key_id, secret FROM totp_factors WHERE user_id = $1"
        };
        let rows = self.rows(sql, &[user]).await;
        let row = rows.first()?;
        let key_id: String = row.try_get("key_id").expect("key_id");
        let data: Vec<u8> = row.try_get("secret").expect("secret");
        Some(self.unseal(key_id, data, format!("totp:{user}").as_bytes()))
    }

    pub async fn recovery_codes(&self, user: &str) -> Vec<CodeRow> {
        self.rows(
            "SELECT digest, used_at FROM recovery_codes WHERE user_id = $1",
            &[user],
        )
        .await
        .iter()
        .map(|r| CodeRow {
            digest: r.try_get("digest").expect("digest"),
            used: r
                .try_get::<Option<i64>, _>("used_at")
                .expect("used_at")
                .is_some(),
        })
        .collect()
    }

    pub async fn outbox(&self) -> Vec<OutboxRow> {
        let sql = "SELECT id, channel, recipient, kind, key_id, sealed, attempts, claimed_until, \
                   sent_at, failed_at FROM outbox";
        self.rows(sql, &[])
            .await
            .iter()
            .map(|r| {
                let id: String = r.try_get("id").expect("id");
                let key_id: Option<String> = r.try_get("key_id").expect("key_id");
                let sealed: Option<Vec<u8>> = r.try_get("sealed").expect("sealed");
                let opens = match (key_id, sealed) {
                    (Some(key_id), Some(data)) => {
                        Some(self.unseal(key_id, data, id.as_bytes()).is_some())
                    }
                    _ => None,
                };
                OutboxRow {
                    channel: r.try_get("channel").expect("channel"),
                    recipient: r.try_get("recipient").expect("recipient"),
                    kind: r
                        .try_get::<Option<String>, _>("kind")
                        .expect("kind")
                        .unwrap_or_default(),
                    attempts: r.try_get("attempts").expect("attempts"),
                    claimed_until: r.try_get("claimed_until").expect("claimed_until"),
                    sent: r
                        .try_get::<Option<i64>, _>("sent_at")
                        .expect("sent_at")
                        .is_some(),
                    failed: r
                        .try_get::<Option<i64>, _>("failed_at")
                        .expect("failed_at")
                        .is_some(),
                    opens,
                    id,
                }
            })
            .collect()
    }

    /// SQLite's own verdict on the file: `PRAGMA integrity_check` and `foreign_key_check`.
    pub async fn sqlite_integrity(&self) -> (String, usize) {
        let integrity: String = self.rows("PRAGMA integrity_check", &[]).await[0]
            .try_get(0)
            .expect("a verdict");
        let broken = self.rows("PRAGMA foreign_key_check", &[]).await.len();
        (integrity, broken)
    }
}
