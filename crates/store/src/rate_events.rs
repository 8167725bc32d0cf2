//! Sliding-window counters: one row per event, counted by scope and subject over a window.

use portcullis_core::store::{RateEvents, RateWindow};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

use crate::db_err;
use crate::tx::SqlTx;

impl RateEvents for SqlTx {
    async fn hold_rate_key(&mut self, scope: &str, subject: &str) -> Result<()> {
        // DO UPDATE, not DO NOTHING: only an update takes the row lock on PostgreSQL.
        sqlx::query(
            "INSERT INTO rate_keys (scope, subject) VALUES ($1, $2) \
             ON CONFLICT (scope, subject) DO UPDATE SET subject = EXCLUDED.subject",
        )
        .bind(scope)
        .bind(subject)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_rate_event(&mut self, scope: &str, subject: &str, at: UnixTime) -> Result<()> {
        sqlx::query("INSERT INTO rate_events (scope, subject, at) VALUES ($1, $2, $3)")
            .bind(scope)
            .bind(subject)
            .bind(at.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn rate_window(
        &mut self,
        scope: &str,
        subject: &str,
        since: UnixTime,
    ) -> Result<RateWindow> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_events \
             WHERE scope = $1 AND subject = $2 AND at > $3",
        )
        .bind(scope)
        .bind(subject)
        .bind(since.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(RateWindow {
            count: row.try_get("n").map_err(db_err)?,
            oldest: row
                .try_get::<Option<i64>, _>("oldest")
                .map_err(db_err)?
                .map(UnixTime),
        })
    }

    async fn prune_rate_events(
        &mut self,
        scope: &str,
        subject: &str,
        before: UnixTime,
    ) -> Result<()> {
        sqlx::query("DELETE FROM rate_events WHERE scope = $1 AND subject = $2 AND at <= $3")
            .bind(scope)
            .bind(subject)
            .bind(before.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
