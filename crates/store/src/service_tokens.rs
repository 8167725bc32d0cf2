//! Service tokens by SHA-256 digest; revocation is one conditional update.

use portcullis_core::model::ServiceTokenId;
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{ServiceTokenInfo, ServiceTokens};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

fn info_from_row(row: &AnyRow) -> Result<ServiceTokenInfo> {
    let time = |column: &str| -> Result<Option<UnixTime>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)
            .map_err(db_err)?
            .map(UnixTime))
    };
    Ok(ServiceTokenInfo {
        id: ServiceTokenId(row.try_get("id").map_err(db_err)?),
        name: row.try_get("name").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        last_used_at: time("last_used_at")?,
        revoked_at: time("revoked_at")?,
    })
}

impl ServiceTokens for SqlTx {
    async fn insert_service_token(
        &mut self,
        info: &ServiceTokenInfo,
        digest: &TokenDigest,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_tokens (id, name, digest, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(info.id.as_str())
        .bind(info.name.as_str())
        .bind(digest.0.as_str())
        .bind(info.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn service_token_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> Result<Option<ServiceTokenInfo>> {
        let row = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM service_tokens \
             WHERE digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(info_from_row).transpose()
    }

    async fn service_tokens(&mut self) -> Result<Vec<ServiceTokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM service_tokens \
             ORDER BY created_at, id",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(info_from_row).collect()
    }

    async fn revoke_service_token(&mut self, id: &ServiceTokenId, at: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE service_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_service_token(&mut self, id: &ServiceTokenId, at: UnixTime) -> Result<()> {
        sqlx::query("UPDATE service_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at.0)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
