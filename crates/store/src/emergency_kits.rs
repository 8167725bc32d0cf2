//! Emergency kits: one sealed row per session, replaced on a new activation and readable only
//! until it expires.

use portcullis_core::crypto::Sealed;
use portcullis_core::model::SessionId;
use portcullis_core::store::EmergencyKits;
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

use crate::db_err;
use crate::tx::SqlTx;

impl EmergencyKits for SqlTx {
    async fn put_kit(
        &mut self,
        session: &SessionId,
        sealed: &Sealed,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query("DELETE FROM emergency_kits WHERE session_id = $1")
            .bind(session.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query("INSERT INTO emergency_kits (session_id, key_id, sealed, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(session.as_str())
            .bind(sealed.key_id.as_str())
            .bind(sealed.data.clone())
            .bind(expires_at.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn kit(&mut self, session: &SessionId, now: UnixTime) -> Result<Option<Sealed>> {
        let row = sqlx::query(
            "SELECT key_id, sealed FROM emergency_kits WHERE session_id = $1 AND expires_at > $2",
        )
        .bind(session.as_str())
        .bind(now.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(Sealed {
                key_id: r.try_get("key_id").map_err(db_err)?,
                data: r.try_get("sealed").map_err(db_err)?,
            })
        })
        .transpose()
    }
}
