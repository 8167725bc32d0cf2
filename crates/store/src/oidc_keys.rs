//! The provider's signing keys. One current key per algorithm is enforced by a partial unique
//! index (`retired_at IS NULL`); inserting a current key is `ON CONFLICT DO NOTHING`, so nodes
//! that start together keep the first one. A rotation retires and inserts in the caller's
//! transaction.

use portcullis_core::crypto::Sealed;
use portcullis_core::oidc::jose::Alg;
use portcullis_core::store::{OidcSigningKeys, StoredSigningKey};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

fn from_row(row: &AnyRow) -> Result<StoredSigningKey> {
    let time = |column: &str| -> Result<Option<UnixTime>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)
            .map_err(db_err)?
            .map(UnixTime))
    };
    let alg: String = row.try_get("alg").map_err(db_err)?;
    Ok(StoredSigningKey {
        kid: row.try_get("kid").map_err(db_err)?,
        alg: Alg::parse(&alg)
            .ok_or_else(|| Error::internal_msg(format!("unknown signing algorithm {alg}")))?,
        sealed: Sealed {
            key_id: row.try_get("key_id").map_err(db_err)?,
            data: row.try_get("sealed").map_err(db_err)?,
        },
        public_jwk: row.try_get("public_jwk").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        retired_at: time("retired_at")?,
        publish_until: time("publish_until")?,
    })
}

impl OidcSigningKeys for SqlTx {
    async fn insert_current_signing_key(&mut self, key: &StoredSigningKey) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO oidc_signing_keys (kid, alg, key_id, sealed, public_jwk, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(key.kid.as_str())
        .bind(key.alg.as_str())
        .bind(key.sealed.key_id.as_str())
        .bind(key.sealed.data.as_slice())
        .bind(key.public_jwk.as_str())
        .bind(key.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn retire_signing_key(
        &mut self,
        alg: Alg,
        at: UnixTime,
        publish_until: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oidc_signing_keys SET retired_at = $1, publish_until = $2 \
             WHERE alg = $3 AND retired_at IS NULL",
        )
        .bind(at.0)
        .bind(publish_until.0)
        .bind(alg.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() >= 1)
    }

    async fn published_signing_keys(&mut self, now: UnixTime) -> Result<Vec<StoredSigningKey>> {
        let rows = sqlx::query(
            "SELECT kid, alg, key_id, sealed, public_jwk, created_at, retired_at, publish_until \
             FROM oidc_signing_keys WHERE retired_at IS NULL OR publish_until > $1 \
             ORDER BY created_at DESC, kid",
        )
        .bind(now.0)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }
}
