//! The durable outbox and invitation links.

use portcullis_core::model::UserId;
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{Outbox, OutboxMessage};
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl Outbox for SqlTx {
    async fn enqueue(&mut self, m: &OutboxMessage) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(m.id.as_str())
        .bind(m.channel)
        .bind(m.recipient.as_str())
        .bind(m.subject.as_deref())
        .bind(m.body.as_str())
        .bind(m.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn insert_password_link(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO password_links (digest, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(digest.0.as_str())
            .bind(user.as_str())
            .bind(expires_at.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn password_link_valid(&mut self, digest: &TokenDigest, now: UnixTime) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_links WHERE digest = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(digest.0.as_str())
        .bind(now.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(n == 1)
    }

    async fn consume_password_link(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> Result<Option<UserId>> {
        // One conditional write: of two concurrent uses, only one sees the row come back.
        let user: Option<String> = sqlx::query_scalar(
            "UPDATE password_links SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(user.map(UserId))
    }
}
