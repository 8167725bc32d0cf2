//! Login tickets, stored by digest; failures counted, lifetimes extended and use-up done by
//! conditional updates.

use portcullis_core::login::Acr;
use portcullis_core::model::{LoginTicket, SessionId, TicketId, TicketPurpose, UserId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::LoginTickets;
use portcullis_core::{Result, UnixTime};
use sqlx::Row;

use crate::db_err;
use crate::tx::SqlTx;

impl LoginTickets for SqlTx {
    async fn insert_ticket(&mut self, t: &LoginTicket, digest: &TokenDigest) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_tickets (id, digest, user_id, purpose, created_at, expires_at, failures, acr, step_up_of) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
        )
        .bind(t.id.as_str())
        .bind(digest.0.as_str())
        .bind(t.user_id.as_str())
        .bind(t.purpose.as_str())
        .bind(t.created_at.0)
        .bind(t.expires_at.0)
        .bind(t.acr.as_str())
        .bind(t.step_up_of.as_ref().map(|s| s.as_str()))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn ticket_by_digest(&mut self, digest: &TokenDigest) -> Result<Option<LoginTicket>> {
        let row = sqlx::query(
            "SELECT id, user_id, purpose, created_at, expires_at, failures, used_at, acr, step_up_of \
             FROM login_tickets WHERE digest = $1",
        )
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose").map_err(db_err)?;
        Ok(Some(LoginTicket {
            id: TicketId(row.try_get("id").map_err(db_err)?),
            user_id: UserId(row.try_get("user_id").map_err(db_err)?),
            purpose: TicketPurpose::parse(&purpose),
            created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
            expires_at: UnixTime(row.try_get("expires_at").map_err(db_err)?),
            failures: row.try_get("failures").map_err(db_err)?,
            used: row
                .try_get::<Option<i64>, _>("used_at")
                .map_err(db_err)?
                .is_some(),
            // Tickets from before step-up asked for nothing more than the password.
            acr: row
                .try_get::<Option<String>, _>("acr")
                .map_err(db_err)?
                .as_deref()
                .and_then(Acr::parse)
                .unwrap_or(Acr::Pwd),
            step_up_of: row
                .try_get::<Option<String>, _>("step_up_of")
                .map_err(db_err)?
                .map(SessionId),
        }))
    }

    async fn count_ticket_failure(&mut self, id: &TicketId) -> Result<i64> {
        sqlx::query_scalar(
            "UPDATE login_tickets SET failures = failures + 1 WHERE id = $1 RETURNING failures",
        )
        .bind(id.as_str())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn consume_ticket(&mut self, id: &TicketId, now: UnixTime) -> Result<bool> {
        let done =
            sqlx::query("UPDATE login_tickets SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now.0)
                .bind(id.as_str())
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn extend_ticket(
        &mut self,
        id: &TicketId,
        until: UnixTime,
        now: UnixTime,
    ) -> Result<bool> {
        // Live and not moved back: two requests racing each other both end at the later time.
        let done = sqlx::query(
            "UPDATE login_tickets SET expires_at = $1 \
             WHERE id = $2 AND used_at IS NULL AND expires_at > $3 AND expires_at <= $1",
        )
        .bind(until.0)
        .bind(id.as_str())
        .bind(now.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn void_tickets_of_user(&mut self, user: &UserId, now: UnixTime) -> Result<()> {
        sqlx::query("UPDATE login_tickets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now.0)
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
