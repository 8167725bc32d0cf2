//! App passwords by (user, SHA-256 digest).

use portcullis_core::app_password::AppPasswordInfo;
use portcullis_core::model::{AppPasswordId, UserId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::AppPasswords;
use portcullis_core::{Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

fn info_from_row(row: &AnyRow) -> Result<AppPasswordInfo> {
    Ok(AppPasswordInfo {
        id: AppPasswordId(row.try_get("id").map_err(db_err)?),
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        name: row.try_get("name").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")
            .map_err(db_err)?
            .map(UnixTime),
        last_used_ip: row.try_get("last_used_ip").map_err(db_err)?,
    })
}

impl AppPasswords for SqlTx {
    async fn insert_app_password(
        &mut self,
        info: &AppPasswordInfo,
        digest: &TokenDigest,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO app_passwords (id, user_id, name, digest, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(info.id.as_str())
        .bind(info.user_id.as_str())
        .bind(info.name.as_str())
        .bind(digest.0.as_str())
        .bind(info.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn app_passwords_of_user(&mut self, user: &UserId) -> Result<Vec<AppPasswordInfo>> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at, last_used_ip \
             FROM app_passwords WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(info_from_row).collect()
    }

    async fn count_app_passwords(&mut self, user: &UserId) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn app_password_by_digest(
        &mut self,
        user: &UserId,
        digest: &TokenDigest,
    ) -> Result<Option<AppPasswordId>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM app_passwords WHERE user_id = $1 AND digest = $2")
                .bind(user.as_str())
                .bind(digest.0.as_str())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(id.map(AppPasswordId))
    }

    async fn touch_app_password(
        &mut self,
        id: &AppPasswordId,
        at: UnixTime,
        ip: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE app_passwords SET last_used_at = $1, last_used_ip = $2 WHERE id = $3")
            .bind(at.0)
            .bind(ip)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_app_password(
        &mut self,
        user: &UserId,
        id: &AppPasswordId,
    ) -> Result<Option<String>> {
        sqlx::query_scalar(
            "DELETE FROM app_passwords WHERE user_id = $1 AND id = $2 RETURNING name",
        )
        .bind(user.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)
    }
}
