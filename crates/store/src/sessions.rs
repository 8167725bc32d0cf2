//! Sessions, stored by the SHA-256 digest of their token.

use portcullis_core::login::{Acr, Assurance};
use portcullis_core::model::{Session, SessionId, SessionKind, UserId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::Sessions;
use portcullis_core::{Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

fn session_from_row(row: &AnyRow) -> Result<Session> {
    let kind: String = row.try_get("kind").map_err(db_err)?;
    let second_factor = row.try_get::<i64, _>("second_factor").map_err(db_err)? != 0;
    let assurance = assurance_from_row(row, second_factor)?;
    Ok(Session {
        id: SessionId(row.try_get("id").map_err(db_err)?),
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        kind: SessionKind::parse(&kind),
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        last_seen_at: UnixTime(row.try_get("last_seen_at").map_err(db_err)?),
        expires_at: UnixTime(row.try_get("expires_at").map_err(db_err)?),
        ip: row.try_get("ip").map_err(db_err)?,
        user_agent: row.try_get("user_agent").map_err(db_err)?,
        second_factor,
        assurance,
    })
}

/// The stored `amr` and `acr` of a session; a row from before they were recorded (both null)
/// reads as its `second_factor` flag says.
fn assurance_from_row(row: &AnyRow, second_factor: bool) -> Result<Assurance> {
    let amr: Option<String> = row.try_get("amr").map_err(db_err)?;
    let acr: Option<String> = row.try_get("acr").map_err(db_err)?;
    let methods: Option<String> = row.try_get("methods").map_err(db_err)?;
    let words = |s: &str| -> Vec<String> {
        s.split(' ')
            .filter(|m| !m.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(match (amr, acr.as_deref().and_then(Acr::parse)) {
        (Some(amr), Some(acr)) => {
            let amr = words(&amr);
            let methods = match methods {
                Some(m) => words(&m),
                None => Assurance::methods_from_amr(&amr, acr),
            };
            Assurance { amr, acr, methods }
        }
        _ => Assurance::legacy(second_factor),
    })
}

impl Sessions for SqlTx {
    async fn insert_session(&mut self, s: &Session, digest: &TokenDigest) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_digest, kind, created_at, last_seen_at, expires_at, ip, user_agent, second_factor, amr, acr, methods) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(s.id.as_str())
        .bind(s.user_id.as_str())
        .bind(digest.0.as_str())
        .bind(s.kind.as_str())
        .bind(s.created_at.0)
        .bind(s.last_seen_at.0)
        .bind(s.expires_at.0)
        .bind(s.ip.as_deref())
        .bind(s.user_agent.as_deref())
        .bind(i64::from(s.second_factor))
        .bind(s.assurance.amr.join(" "))
        .bind(s.assurance.acr.as_str())
        .bind(s.assurance.methods.join(" "))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session_by_digest(&mut self, digest: &TokenDigest) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT id, user_id, kind, created_at, last_seen_at, expires_at, ip, user_agent, second_factor, amr, acr, methods \
             FROM sessions WHERE token_digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn touch_session(&mut self, id: &SessionId, at: UnixTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(at.0)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn sessions_of_user(&mut self, user: &UserId, now: UnixTime) -> Result<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, created_at, last_seen_at, expires_at, ip, user_agent, second_factor, amr, acr, methods \
             FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(user.as_str())
        .bind(now.0)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(session_from_row).collect()
    }

    async fn revoke_session(
        &mut self,
        user: &UserId,
        id: &SessionId,
        at: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(id.as_str())
        .bind(user.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_other_sessions(
        &mut self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: UnixTime,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
        )
        .bind(at.0)
        .bind(user.as_str())
        .bind(keep.map(|k| k.as_str()).unwrap_or(""))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
