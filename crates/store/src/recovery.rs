//! Recovery codes by keyed digest; a code is burnt by one conditional update.

use portcullis_core::model::UserId;
use portcullis_core::store::RecoveryCodes;
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl RecoveryCodes for SqlTx {
    async fn replace_recovery_codes(
        &mut self,
        user: &UserId,
        digests: &[String],
        now: UnixTime,
    ) -> Result<()> {
        self.delete_recovery_codes(user).await?;
        for digest in digests {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, digest, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user.as_str())
            .bind(digest.as_str())
            .bind(now.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn consume_recovery_code(
        &mut self,
        user: &UserId,
        digest: &str,
        now: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND digest = $3 AND used_at IS NULL",
        )
        .bind(now.0)
        .bind(user.as_str())
        .bind(digest)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&mut self, user: &UserId) -> Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.as_str())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn delete_recovery_codes(&mut self, user: &UserId) -> Result<()> {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
