//! What a page shows once, sealed per session and purpose; taken by a conditional update in the
//! caller's write transaction, so that of two concurrent requests only one gets it.

use portcullis_core::crypto::Sealed;
use portcullis_core::model::SessionId;
use portcullis_core::store::{Held, Taken, held_id};
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

use crate::db_err;
use crate::tx::SqlTx;

impl Held for SqlTx {
    async fn put_held(
        &mut self,
        session: &SessionId,
        purpose: &str,
        sealed: &Sealed,
        expires_at: UnixTime,
    ) -> Result<()> {
        let id = held_id(session, purpose);
        sqlx::query("DELETE FROM held WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO held (id, session_id, purpose, key_id, sealed, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(session.as_str())
        .bind(purpose)
        .bind(sealed.key_id.as_str())
        .bind(sealed.data.as_slice())
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_held(
        &mut self,
        session: &SessionId,
        purpose: &str,
        now: UnixTime,
    ) -> Result<Taken> {
        let id = held_id(session, purpose);
        let row = sqlx::query(
            "SELECT key_id, sealed, taken_at FROM held WHERE id = $1 AND expires_at > $2",
        )
        .bind(id.as_str())
        .bind(now.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let Some(row) = row else {
            return Ok(Taken::Nothing);
        };
        let key_id: Option<String> = row.try_get("key_id").map_err(db_err)?;
        let data: Option<Vec<u8>> = row.try_get("sealed").map_err(db_err)?;
        let taken: Option<i64> = row.try_get("taken_at").map_err(db_err)?;
        let (Some(key_id), Some(data), None) = (key_id, data, taken) else {
            return Ok(Taken::AlreadyShown);
        };
        // The read above is only what to hand out; this update decides who gets it. A request
        // that read the same row concurrently finds `taken_at` set and changes nothing.
        let done = sqlx::query(
            "UPDATE held SET key_id = NULL, sealed = NULL, taken_at = $1 \
             WHERE id = $2 AND taken_at IS NULL",
        )
        .bind(now.0)
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 1 {
            Ok(Taken::Sealed(Sealed { key_id, data }))
        } else {
            Ok(Taken::AlreadyShown)
        }
    }
}
