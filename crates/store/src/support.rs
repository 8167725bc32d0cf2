//! Support PINs (one row per user, replaced on change) and the support agents' marks.

use portcullis_core::model::UserId;
use portcullis_core::store::{StoredPin, SupportAgents, SupportPins};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

use crate::db_err;
use crate::tx::SqlTx;

impl SupportPins for SqlTx {
    async fn put_support_pin(&mut self, user: &UserId, phc: &str, at: UnixTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO support_pins (user_id, pin_hash, changed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET pin_hash = $2, changed_at = $3",
        )
        .bind(user.as_str())
        .bind(phc)
        .bind(at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn support_pin(&mut self, user: &UserId) -> Result<Option<StoredPin>> {
        let row = sqlx::query("SELECT pin_hash, changed_at FROM support_pins WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(StoredPin {
                phc: r.try_get("pin_hash").map_err(db_err)?,
                changed_at: UnixTime(r.try_get("changed_at").map_err(db_err)?),
            })
        })
        .transpose()
    }
}

impl SupportAgents for SqlTx {
    async fn insert_support_agent(&mut self, user: &UserId, at: UnixTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO support_agents (user_id, created_at) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user.as_str())
        .bind(at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn is_support_agent(&mut self, user: &UserId) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM support_agents WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(n > 0)
    }

    async fn support_agents(&mut self) -> Result<Vec<UserId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM support_agents ORDER BY created_at, user_id")
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(ids.into_iter().map(UserId).collect())
    }
}
