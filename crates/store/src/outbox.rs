//! The durable outbox and its delivery state.
//!
//! Delivery is claimed with a lease in one statement per batch ([`claim_statement`]): on
//! PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so nodes claiming at once take
//! different rows instead of waiting for each other; SQLite's write lock (a writing transaction
//! begins `IMMEDIATE`) serialises claims by itself. Every later mark is conditional on the claim.

use portcullis_core::crypto::Sealed;
use portcullis_core::notice::Channel;
use portcullis_core::store::{
    NodeId, Outbox, OutboxBacklog, OutboxDelivery, OutboxMessage, OutboxMessageId, QueuedMessage,
    QueuedPayload,
};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Backend;
use crate::db_err;
use crate::tx::SqlTx;

impl Outbox for SqlTx {
    async fn enqueue(&mut self, m: &OutboxMessage) -> Result<()> {
        // `body` stays empty: the notice is sealed and rendered only when it is delivered.
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, body, kind, key_id, sealed, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, '', $4, $5, $6, $7, $7)",
        )
        .bind(m.id.as_str())
        .bind(m.channel.as_str())
        .bind(m.recipient.as_str())
        .bind(m.kind)
        .bind(m.sealed.key_id.as_str())
        .bind(m.sealed.data.as_slice())
        .bind(m.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}

/// The claim, both variants side by side: identical but for PostgreSQL's locking clause.
/// `$1` node, `$2` lease end, `$3` now, `$4` batch size.
fn claim_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 AND claimed_until <= $3 \
                 ORDER BY next_attempt_at, created_at LIMIT $4) \
             RETURNING id, channel, recipient, subject, body, kind, key_id, sealed, attempts, created_at"
        }
        Backend::Postgres => {
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 AND claimed_until <= $3 \
                 ORDER BY next_attempt_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, channel, recipient, subject, body, kind, key_id, sealed, attempts, created_at"
        }
    }
}

/// The backend behind a connection of the `Any` driver, by the name its driver gives.
fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn queued(row: &AnyRow) -> Result<QueuedMessage> {
    let channel: String = row.try_get("channel").map_err(db_err)?;
    let channel = Channel::parse(&channel)
        .ok_or_else(|| Error::internal_msg(format!("unknown outbox channel {channel:?}")))?;
    let key_id: Option<String> = row.try_get("key_id").map_err(db_err)?;
    let sealed: Option<Vec<u8>> = row.try_get("sealed").map_err(db_err)?;
    let payload = match (key_id, sealed) {
        (Some(key_id), Some(data)) => QueuedPayload::Sealed(Sealed { key_id, data }),
        _ => QueuedPayload::Plain {
            subject: row.try_get("subject").map_err(db_err)?,
            body: row.try_get("body").map_err(db_err)?,
        },
    };
    Ok(QueuedMessage {
        id: OutboxMessageId(row.try_get("id").map_err(db_err)?),
        channel,
        recipient: row.try_get("recipient").map_err(db_err)?,
        kind: row.try_get("kind").map_err(db_err)?,
        payload,
        attempts: row.try_get("attempts").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
    })
}

impl OutboxDelivery for SqlTx {
    async fn claim_due(
        &mut self,
        node: &NodeId,
        now: UnixTime,
        lease_until: UnixTime,
        limit: i64,
    ) -> Result<Vec<QueuedMessage>> {
        let statement = claim_statement(backend_of(&self.tx));
        let rows = sqlx::query(statement)
            .bind(node.as_str())
            .bind(lease_until.0)
            .bind(now.0)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let mut claimed = rows.iter().map(queued).collect::<Result<Vec<_>>>()?;
        // RETURNING gives no order; deliver the oldest first.
        claimed.sort_by_key(|m| m.created_at.0);
        Ok(claimed)
    }

    async fn mark_sent(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
        now: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $1, sealed = NULL, body = '', claimed_by = NULL, \
             claimed_until = 0, last_error = NULL \
             WHERE id = $2 AND claimed_by = $3 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(now.0)
        .bind(id.as_str())
        .bind(node.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_retry(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
        next_attempt_at: UnixTime,
        error: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1, last_error = $2, claimed_by = NULL, claimed_until = 0 \
             WHERE id = $3 AND claimed_by = $4 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(next_attempt_at.0)
        .bind(error)
        .bind(id.as_str())
        .bind(node.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_failed(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
        now: UnixTime,
        error: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET failed_at = $1, last_error = $2, sealed = NULL, body = '', \
             claimed_by = NULL, claimed_until = 0 \
             WHERE id = $3 AND claimed_by = $4 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(now.0)
        .bind(error)
        .bind(id.as_str())
        .bind(node.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn outbox_backlog(&mut self) -> Result<OutboxBacklog> {
        let row = sqlx::query(
            "SELECT COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END) AS waiting, \
                    COUNT(failed_at) AS failed \
             FROM outbox",
        )
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(OutboxBacklog {
            waiting: row.try_get("waiting").map_err(db_err)?,
            failed: row.try_get("failed").map_err(db_err)?,
        })
    }
}
