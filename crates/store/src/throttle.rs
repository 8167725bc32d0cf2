//! Failure counters. Each change is a single statement that the database applies atomically, so
//! concurrent failures on several nodes are all counted.

use portcullis_core::store::Throttle;
use portcullis_core::throttle::{AccountCounter, AddressWindow};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

pub(crate) fn counter_from_row(row: &AnyRow) -> Result<AccountCounter> {
    Ok(AccountCounter {
        failures: row.try_get("failures").map_err(db_err)?,
        lockouts: row.try_get("lockouts").map_err(db_err)?,
        locked_until: row
            .try_get::<Option<i64>, _>("locked_until")
            .map_err(db_err)?
            .map(UnixTime),
    })
}

impl Throttle for SqlTx {
    async fn account_counter(&mut self, key: &str) -> Result<AccountCounter> {
        let row = sqlx::query(
            "SELECT failures, lockouts, locked_until FROM account_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(row
            .as_ref()
            .map(counter_from_row)
            .transpose()?
            .unwrap_or_default())
    }

    async fn count_account_failure(&mut self, key: &str, now: UnixTime) -> Result<AccountCounter> {
        let row = sqlx::query(
            "INSERT INTO account_throttle (key, failures, lockouts, locked_until, updated_at) \
             VALUES ($1, 1, 0, NULL, $2) \
             ON CONFLICT (key) DO UPDATE SET failures = account_throttle.failures + 1, updated_at = $2 \
             RETURNING failures, lockouts, locked_until",
        )
        .bind(key)
        .bind(now.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        counter_from_row(&row)
    }

    async fn lock_account(&mut self, key: &str, until: UnixTime) -> Result<()> {
        sqlx::query(
            "UPDATE account_throttle SET locked_until = $1, lockouts = lockouts + 1, failures = 0 WHERE key = $2",
        )
        .bind(until.0)
        .bind(key)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn clear_account(&mut self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM account_throttle WHERE key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn count_address_failure(
        &mut self,
        ip: &str,
        now: UnixTime,
        forget_before: UnixTime,
    ) -> Result<()> {
        sqlx::query("DELETE FROM address_failures WHERE ip = $1 AND at < $2")
            .bind(ip)
            .bind(forget_before.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query("INSERT INTO address_failures (ip, at) VALUES ($1, $2)")
            .bind(ip)
            .bind(now.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn address_window(&mut self, ip: &str, since: UnixTime) -> Result<AddressWindow> {
        let row = sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM address_failures WHERE ip = $1 AND at > $2")
            .bind(ip)
            .bind(since.0)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(AddressWindow {
            failures: row.try_get("n").map_err(db_err)?,
            oldest: row
                .try_get::<Option<i64>, _>("oldest")
                .map_err(db_err)?
                .map(UnixTime),
        })
    }
}
