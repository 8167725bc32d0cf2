//! Contracts (organisations).

use portcullis_core::model::{Contract, ContractId};
use portcullis_core::store::Contracts;
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

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

    async fn contract(&mut self, id: &ContractId) -> Result<Option<Contract>> {
        let row = sqlx::query(
            "SELECT id, name, require_2fa, require_phishing_resistant, remember_browser_days, new_sign_in_notice \
             FROM contracts WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(Contract {
                id: ContractId(r.try_get("id").map_err(db_err)?),
                name: r.try_get("name").map_err(db_err)?,
                require_2fa: r.try_get::<i64, _>("require_2fa").map_err(db_err)? != 0,
                require_phishing_resistant: r
                    .try_get::<i64, _>("require_phishing_resistant")
                    .map_err(db_err)?
                    != 0,
                remember_browser_days: u32::try_from(
                    r.try_get::<i64, _>("remember_browser_days")
                        .map_err(db_err)?,
                )
                .unwrap_or(0),
                new_sign_in_notice: r.try_get::<i64, _>("new_sign_in_notice").map_err(db_err)? != 0,
            })
        })
        .transpose()
    }

    async fn set_require_2fa(&mut self, id: &ContractId, on: bool) -> Result<()> {
        sqlx::query("UPDATE contracts SET require_2fa = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_require_phishing_resistant(&mut self, id: &ContractId, on: bool) -> Result<()> {
        sqlx::query("UPDATE contracts SET require_phishing_resistant = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_remember_browser_days(&mut self, id: &ContractId, days: u32) -> Result<()> {
        sqlx::query("UPDATE contracts SET remember_browser_days = $1 WHERE id = $2")
            .bind(i64::from(days))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_new_sign_in_notice(&mut self, id: &ContractId, on: bool) -> Result<()> {
        sqlx::query("UPDATE contracts SET new_sign_in_notice = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
