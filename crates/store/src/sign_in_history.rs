//! Where each account signed in from: browser family and network, last seen when.

use portcullis_core::model::UserId;
use portcullis_core::store::SignInHistory;
use portcullis_core::{Result, UnixTime};

use crate::db_err;
use crate::tx::SqlTx;

impl SignInHistory for SqlTx {
    async fn record_sign_in(
        &mut self,
        user: &UserId,
        family: &str,
        network: &str,
        at: UnixTime,
    ) -> Result<()> {
        // The conditional update keeps the later time when two nodes record one pair at once.
        sqlx::query(
            "INSERT INTO sign_in_history (user_id, family, network, last_seen_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, family, network) DO UPDATE SET last_seen_at = excluded.last_seen_at \
             WHERE sign_in_history.last_seen_at < excluded.last_seen_at",
        )
        .bind(user.as_str())
        .bind(family)
        .bind(network)
        .bind(at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn has_sign_in_history(&mut self, user: &UserId) -> Result<bool> {
        let found = sqlx::query("SELECT 1 FROM sign_in_history WHERE user_id = $1 LIMIT 1")
            .bind(user.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(found.is_some())
    }

    async fn family_seen_since(
        &mut self,
        user: &UserId,
        family: &str,
        since: UnixTime,
    ) -> Result<bool> {
        let found = sqlx::query(
            "SELECT 1 FROM sign_in_history \
             WHERE user_id = $1 AND family = $2 AND last_seen_at >= $3 LIMIT 1",
        )
        .bind(user.as_str())
        .bind(family)
        .bind(since.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(found.is_some())
    }

    async fn network_seen_since(
        &mut self,
        user: &UserId,
        network: &str,
        since: UnixTime,
    ) -> Result<bool> {
        let found = sqlx::query(
            "SELECT 1 FROM sign_in_history \
             WHERE user_id = $1 AND network = $2 AND last_seen_at >= $3 LIMIT 1",
        )
        .bind(user.as_str())
        .bind(network)
        .bind(since.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(found.is_some())
    }
}
