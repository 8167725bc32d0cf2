//! Contracts (organisations).

use portcullis_core::model::ContractId;
use portcullis_core::store::Contracts;
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl Contracts for SqlTx {
    async fn insert_contract(&mut self, id: &ContractId, name: &str, now: UnixTime) -> Result<()> {
        sqlx::query("INSERT INTO contracts (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id.as_str())
            .bind(name)
            .bind(now.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
