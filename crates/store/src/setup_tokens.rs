//! One-time setup links, stored by digest and consumed by one conditional update.

use portcullis_core::secret::TokenDigest;
use portcullis_core::store::SetupTokens;
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl SetupTokens for SqlTx {
    async fn insert_setup_token(
        &mut self,
        digest: &TokenDigest,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query("DELETE FROM setup_tokens WHERE used_at IS NULL")
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query("INSERT INTO setup_tokens (digest, expires_at) VALUES ($1, $2)")
            .bind(digest.0.as_str())
            .bind(expires_at.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn setup_token_valid(&mut self, digest: &TokenDigest, now: UnixTime) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM setup_tokens WHERE digest = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(digest.0.as_str())
        .bind(now.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(n == 1)
    }

    async fn consume_setup_token(&mut self, digest: &TokenDigest, now: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE setup_tokens SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
