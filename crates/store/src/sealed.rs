//! Sealed secrets across their tables, for key rotation; and the key material table. Table and
//! column names come from [`SealedTable`] alone, never from input.

use portcullis_core::crypto::Sealed;
use portcullis_core::store::{SealedRow, SealedSecrets, SealedTable};
use portcullis_core::{Result, UnixTime};
use sqlx::{AssertSqlSafe, Row};

use crate::db_err;
use crate::tx::SqlTx;

/// The row key and the column of the ciphertext in each table.
fn columns(table: SealedTable) -> (&'static str, &'static str) {
    match table {
        SealedTable::TotpPending | SealedTable::TotpFactors => ("user_id", "secret"),
        SealedTable::EmergencyKits => ("session_id", "sealed"),
        SealedTable::Held => ("id", "sealed"),
        SealedTable::Outbox => ("id", "sealed"),
        SealedTable::KeyMaterial => ("name", "sealed"),
        SealedTable::OidcSigningKeys => ("kid", "sealed"),
        SealedTable::RadiusClients => ("id", "secret"),
    }
}

impl SealedSecrets for SqlTx {
    async fn sealed_not_under(
        &mut self,
        table: SealedTable,
        key_id: &str,
        limit: u32,
    ) -> Result<Vec<SealedRow>> {
        let (id, data) = columns(table);
        // Outbox rows from before sealing (no key id) hold nothing sealed.
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {id} AS id, key_id, {data} AS data FROM {name} \
             WHERE key_id IS NOT NULL AND key_id <> $1 AND {data} IS NOT NULL ORDER BY {id} LIMIT $2",
            name = table.name()
        )))
        .bind(key_id)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(SealedRow {
                    table,
                    id: row.try_get("id").map_err(db_err)?,
                    sealed: Sealed {
                        key_id: row.try_get("key_id").map_err(db_err)?,
                        data: row.try_get("data").map_err(db_err)?,
                    },
                })
            })
            .collect()
    }

    async fn count_sealed_not_under(&mut self, table: SealedTable, key_id: &str) -> Result<u64> {
        let (_, data) = columns(table);
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {name} WHERE key_id IS NOT NULL AND key_id <> $1 AND {data} IS NOT NULL",
            name = table.name()
        )))
        .bind(key_id)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(count.max(0) as u64)
    }

    async fn reseal(&mut self, row: &SealedRow, resealed: &Sealed) -> Result<bool> {
        let (id, data) = columns(row.table);
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {name} SET key_id = $1, {data} = $2 WHERE {id} = $3 AND key_id = $4 AND {data} = $5",
            name = row.table.name()
        )))
        .bind(resealed.key_id.as_str())
        .bind(resealed.data.as_slice())
        .bind(row.id.as_str())
        .bind(row.sealed.key_id.as_str())
        .bind(row.sealed.data.as_slice())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn key_material(&mut self, name: &str) -> Result<Option<Sealed>> {
        let row = sqlx::query("SELECT key_id, sealed FROM key_material WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|row| {
            Ok(Sealed {
                key_id: row.try_get("key_id").map_err(db_err)?,
                data: row.try_get("sealed").map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn insert_key_material(
        &mut self,
        name: &str,
        sealed: &Sealed,
        at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO key_material (name, key_id, sealed, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(sealed.key_id.as_str())
        .bind(sealed.data.as_slice())
        .bind(at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
