//! The single-use links mailed to people, by digest and purpose; checked and used up by
//! conditional statements, so of two concurrent uses only one gets the user back.

use portcullis_core::model::{LinkPurpose, UserId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::PasswordLinks;
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl PasswordLinks for SqlTx {
    async fn insert_password_link(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        purpose: LinkPurpose,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO password_links (digest, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest.0.as_str())
        .bind(user.as_str())
        .bind(purpose.as_str())
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn password_link_valid(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_links \
             WHERE digest = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(digest.0.as_str())
        .bind(purpose.as_str())
        .bind(now.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(n == 1)
    }

    async fn password_link_user(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> Result<Option<UserId>> {
        let user: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM password_links \
             WHERE digest = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(digest.0.as_str())
        .bind(purpose.as_str())
        .bind(now.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(user.map(UserId))
    }

    async fn consume_password_link(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> Result<Option<UserId>> {
        // One conditional write: of two concurrent uses, only one sees the row come back.
        let user: Option<String> = sqlx::query_scalar(
            "UPDATE password_links SET used_at = $1 \
             WHERE digest = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .bind(purpose.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(user.map(UserId))
    }

    async fn void_password_links(
        &mut self,
        user: &UserId,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
        )
        .bind(now.0)
        .bind(user.as_str())
        .bind(purpose.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
