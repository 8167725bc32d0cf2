//! Verified numbers and pending SMS codes. Attempts and use are conditional updates, so the
//! database, not a lock in memory, decides which of several racing guesses count.

use portcullis_core::model::UserId;
use portcullis_core::phone::{CodePurpose, PhoneNumber};
use portcullis_core::store::{PendingCode, Phones, VerifiedPhone};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

fn code_from_row(row: &AnyRow) -> Result<PendingCode> {
    Ok(PendingCode {
        number: PhoneNumber::from_stored(row.try_get("number").map_err(db_err)?),
        digest: row.try_get("digest").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        expires_at: UnixTime(row.try_get("expires_at").map_err(db_err)?),
        attempts: row.try_get("attempts").map_err(db_err)?,
        used_at: row
            .try_get::<Option<i64>, _>("used_at")
            .map_err(db_err)?
            .map(UnixTime),
    })
}

impl Phones for SqlTx {
    async fn verified_phone(&mut self, user: &UserId) -> Result<Option<VerifiedPhone>> {
        let row = sqlx::query("SELECT number, verified_at FROM phones WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(VerifiedPhone {
                number: PhoneNumber::from_stored(r.try_get("number").map_err(db_err)?),
                verified_at: UnixTime(r.try_get("verified_at").map_err(db_err)?),
            })
        })
        .transpose()
    }

    async fn set_verified_phone(
        &mut self,
        user: &UserId,
        number: &PhoneNumber,
        at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO phones (user_id, number, verified_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET number = $2, verified_at = $3",
        )
        .bind(user.as_str())
        .bind(number.as_str())
        .bind(at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn put_phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        number: &PhoneNumber,
        digest: &str,
        created_at: UnixTime,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO phone_codes (user_id, purpose, number, digest, created_at, expires_at, attempts, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, NULL) \
             ON CONFLICT (user_id, purpose) DO UPDATE SET number = $3, digest = $4, \
             created_at = $5, expires_at = $6, attempts = 0, used_at = NULL",
        )
        .bind(user.as_str())
        .bind(purpose.as_str())
        .bind(number.as_str())
        .bind(digest)
        .bind(created_at.0)
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
    ) -> Result<Option<PendingCode>> {
        let row = sqlx::query(
            "SELECT number, digest, created_at, expires_at, attempts, used_at \
             FROM phone_codes WHERE user_id = $1 AND purpose = $2",
        )
        .bind(user.as_str())
        .bind(purpose.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(code_from_row).transpose()
    }

    async fn take_phone_code_attempt(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        max_attempts: i64,
        now: UnixTime,
    ) -> Result<Option<PendingCode>> {
        let row = sqlx::query(
            "UPDATE phone_codes SET attempts = attempts + 1 \
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
             AND attempts < $4 RETURNING number, digest, created_at, expires_at, attempts, used_at",
        )
        .bind(user.as_str())
        .bind(purpose.as_str())
        .bind(now.0)
        .bind(max_attempts)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(code_from_row).transpose()
    }

    async fn consume_phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        digest: &str,
        now: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE phone_codes SET used_at = $1 \
             WHERE user_id = $2 AND purpose = $3 AND digest = $4 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now.0)
        .bind(user.as_str())
        .bind(purpose.as_str())
        .bind(digest)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_phone_code(&mut self, user: &UserId, purpose: CodePurpose) -> Result<()> {
        sqlx::query("DELETE FROM phone_codes WHERE user_id = $1 AND purpose = $2")
            .bind(user.as_str())
            .bind(purpose.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
