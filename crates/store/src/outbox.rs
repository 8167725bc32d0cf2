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
}
