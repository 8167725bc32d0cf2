//! Remembered browsers and the challenge a login ticket's browser signs.

use portcullis_core::model::{RememberedBrowser, RememberedBrowserId, TicketId, UserId};
use portcullis_core::store::RememberedBrowsers;
use portcullis_core::{Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::db_err;
use crate::tx::SqlTx;

const COLUMNS: &str =
    "id, user_id, public_key, created_at, expires_at, last_used_at, user_agent, ip";

fn browser_from_row(row: &AnyRow) -> Result<RememberedBrowser> {
    Ok(RememberedBrowser {
        id: RememberedBrowserId(row.try_get("id").map_err(db_err)?),
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        public_key: row.try_get("public_key").map_err(db_err)?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        expires_at: UnixTime(row.try_get("expires_at").map_err(db_err)?),
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")
            .map_err(db_err)?
            .map(UnixTime),
        user_agent: row.try_get("user_agent").map_err(db_err)?,
        ip: row.try_get("ip").map_err(db_err)?,
    })
}

impl RememberedBrowsers for SqlTx {
    async fn insert_remembered_browser(&mut self, b: &RememberedBrowser) -> Result<()> {
        // The id is the key's digest: the same key again (a second account, or a re-tick) keeps
        // its row for the user it was first registered to, and only renews its dates.
        sqlx::query(
            "INSERT INTO remembered_browsers (id, user_id, public_key, created_at, expires_at, last_used_at, user_agent, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, \
             expires_at = excluded.expires_at, user_agent = excluded.user_agent, ip = excluded.ip \
             WHERE remembered_browsers.user_id = excluded.user_id",
        )
        .bind(b.id.as_str())
        .bind(b.user_id.as_str())
        .bind(b.public_key.as_str())
        .bind(b.created_at.0)
        .bind(b.expires_at.0)
        .bind(b.last_used_at.map(|t| t.0))
        .bind(b.user_agent.as_deref())
        .bind(b.ip.as_deref())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn remembered_browser(
        &mut self,
        id: &RememberedBrowserId,
    ) -> Result<Option<RememberedBrowser>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM remembered_browsers WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(browser_from_row).transpose()
    }

    async fn remembered_browsers_of_user(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> Result<Vec<RememberedBrowser>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM remembered_browsers WHERE user_id = $1 AND expires_at > $2 \
             ORDER BY created_at DESC, id"
        )))
        .bind(user.as_str())
        .bind(now.0)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(browser_from_row).collect()
    }

    async fn touch_remembered_browser(
        &mut self,
        id: &RememberedBrowserId,
        at: UnixTime,
        ip: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE remembered_browsers SET last_used_at = $1, ip = $2 WHERE id = $3")
            .bind(at.0)
            .bind(ip)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn forget_remembered_browser(
        &mut self,
        user: &UserId,
        id: &RememberedBrowserId,
    ) -> Result<bool> {
        let done = sqlx::query("DELETE FROM remembered_browsers WHERE id = $1 AND user_id = $2")
            .bind(id.as_str())
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn forget_remembered_browsers_of_user(&mut self, user: &UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM remembered_browsers WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn set_browser_challenge(&mut self, ticket: &TicketId, challenge: &str) -> Result<()> {
        sqlx::query(
            "UPDATE login_tickets SET browser_challenge = $1 WHERE id = $2 AND used_at IS NULL",
        )
        .bind(challenge)
        .bind(ticket.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_browser_challenge(&mut self, ticket: &TicketId, challenge: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE login_tickets SET browser_challenge = NULL \
             WHERE id = $1 AND browser_challenge = $2 AND used_at IS NULL",
        )
        .bind(ticket.as_str())
        .bind(challenge)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
