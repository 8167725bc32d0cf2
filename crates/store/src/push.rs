//! Push approval's rows: pairing codes by digest, devices, nonces keyed by (device, nonce), and
//! challenges. Each single-use step is one conditional `UPDATE` (or an insert that a primary key
//! refuses), so two nodes racing get one winner. `announce_push` is the one statement that
//! differs between the backends: `pg_notify` on PostgreSQL, nothing on SQLite.

use portcullis_core::model::{PushChallengeId, PushDeviceId, TicketId, UserId};
use portcullis_core::push::ChallengeStatus;
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{PushChallenge, PushDevice, PushStore, StoredDevice};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::db_err;
use crate::tx::SqlTx;

/// The channel every node LISTENs on.
pub const PUSH_CHANNEL: &str = "portcullis_push";

const DEVICE_COLUMNS: &str = "id, user_id, name, public_key, webhook_url, created_at, last_seen_at";
const CHALLENGE_COLUMNS: &str = "id, user_id, ticket_id, number, status, created_at, expires_at, \
     last_sent_at, decided_at, decided_by, ip, user_agent, token_issued_at, via";

fn opt_time(row: &AnyRow, col: &str) -> Result<Option<UnixTime>> {
    Ok(row
        .try_get::<Option<i64>, _>(col)
        .map_err(db_err)?
        .map(UnixTime))
}

fn device_from_row(row: &AnyRow) -> Result<StoredDevice> {
    Ok(StoredDevice {
        device: PushDevice {
            id: PushDeviceId(row.try_get("id").map_err(db_err)?),
            user_id: UserId(row.try_get("user_id").map_err(db_err)?),
            name: row.try_get("name").map_err(db_err)?,
            created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
            last_seen_at: opt_time(row, "last_seen_at")?,
        },
        public_key: row.try_get("public_key").map_err(db_err)?,
        webhook_url: row.try_get("webhook_url").map_err(db_err)?,
    })
}

fn challenge_from_row(row: &AnyRow) -> Result<PushChallenge> {
    let status: String = row.try_get("status").map_err(db_err)?;
    Ok(PushChallenge {
        id: PushChallengeId(row.try_get("id").map_err(db_err)?),
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        ticket_id: TicketId(row.try_get("ticket_id").map_err(db_err)?),
        number: row.try_get("number").map_err(db_err)?,
        status: ChallengeStatus::parse(&status)
            .ok_or_else(|| Error::internal_msg(format!("unknown challenge status {status}")))?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        expires_at: UnixTime(row.try_get("expires_at").map_err(db_err)?),
        last_sent_at: UnixTime(row.try_get("last_sent_at").map_err(db_err)?),
        decided_at: opt_time(row, "decided_at")?,
        decided_by: row
            .try_get::<Option<String>, _>("decided_by")
            .map_err(db_err)?
            .map(PushDeviceId),
        ip: row.try_get("ip").map_err(db_err)?,
        user_agent: row.try_get("user_agent").map_err(db_err)?,
        token_issued_at: opt_time(row, "token_issued_at")?,
        via: row.try_get("via").map_err(db_err)?,
    })
}

fn challenge_ids(ids: Vec<String>) -> Vec<PushChallengeId> {
    ids.into_iter().map(PushChallengeId).collect()
}

impl PushStore for SqlTx {
    async fn insert_push_pairing(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        name: Option<&str>,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO push_pairings (digest, user_id, name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest.0.as_str())
        .bind(user.as_str())
        .bind(name)
        .bind(now.0)
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn consume_push_pairing(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> Result<Option<(UserId, Option<String>)>> {
        let row = sqlx::query(
            "UPDATE push_pairings SET used_at = $1 \
             WHERE digest = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id, name",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok((
                UserId(r.try_get("user_id").map_err(db_err)?),
                r.try_get("name").map_err(db_err)?,
            ))
        })
        .transpose()
    }

    async fn insert_push_device(
        &mut self,
        device: &PushDevice,
        public_key: &[u8],
        webhook_url: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO push_devices (id, user_id, name, public_key, webhook_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(device.id.as_str())
        .bind(device.user_id.as_str())
        .bind(device.name.as_str())
        .bind(public_key.to_vec())
        .bind(webhook_url)
        .bind(device.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn push_devices_of_user(&mut self, user: &UserId) -> Result<Vec<StoredDevice>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEVICE_COLUMNS} FROM push_devices WHERE user_id = $1 ORDER BY created_at, id"
        )))
        .bind(user.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(device_from_row).collect()
    }

    async fn push_device(&mut self, id: &PushDeviceId) -> Result<Option<StoredDevice>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEVICE_COLUMNS} FROM push_devices WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(device_from_row).transpose()
    }

    async fn rename_push_device(
        &mut self,
        user: &UserId,
        id: &PushDeviceId,
        name: &str,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE push_devices SET name = $1 WHERE user_id = $2 AND id = $3")
            .bind(name)
            .bind(user.as_str())
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_push_device(
        &mut self,
        user: &UserId,
        id: &PushDeviceId,
    ) -> Result<Option<String>> {
        sqlx::query_scalar("DELETE FROM push_devices WHERE user_id = $1 AND id = $2 RETURNING name")
            .bind(user.as_str())
            .bind(id.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn delete_push_devices_of_user(&mut self, user: &UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM push_devices WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn touch_push_device(&mut self, id: &PushDeviceId, at: UnixTime) -> Result<()> {
        sqlx::query("UPDATE push_devices SET last_seen_at = $1 WHERE id = $2")
            .bind(at.0)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_push_webhook(&mut self, id: &PushDeviceId, url: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE push_devices SET webhook_url = $1 WHERE id = $2")
            .bind(url)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn take_device_nonce(
        &mut self,
        device: &PushDeviceId,
        nonce: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<bool> {
        sqlx::query("DELETE FROM device_nonces WHERE device_id = $1 AND expires_at <= $2")
            .bind(device.as_str())
            .bind(now.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
        // failed statement would abort the whole transaction.
        let done = sqlx::query(
            "INSERT INTO device_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (device_id, nonce) DO NOTHING",
        )
        .bind(device.as_str())
        .bind(nonce)
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_push_challenge(&mut self, c: &PushChallenge) -> Result<()> {
        sqlx::query(
            "INSERT INTO push_challenges (id, user_id, ticket_id, number, status, created_at, \
             expires_at, last_sent_at, ip, user_agent, via) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(c.id.as_str())
        .bind(c.user_id.as_str())
        .bind(c.ticket_id.as_str())
        .bind(c.number)
        .bind(c.status.as_str())
        .bind(c.created_at.0)
        .bind(c.expires_at.0)
        .bind(c.last_sent_at.0)
        .bind(c.ip.as_deref())
        .bind(c.user_agent.as_deref())
        .bind(c.via.as_deref())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn push_challenge(&mut self, id: &PushChallengeId) -> Result<Option<PushChallenge>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHALLENGE_COLUMNS} FROM push_challenges WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(challenge_from_row).transpose()
    }

    async fn push_challenge_of_ticket(
        &mut self,
        ticket: &TicketId,
    ) -> Result<Option<PushChallenge>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHALLENGE_COLUMNS} FROM push_challenges WHERE ticket_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        )))
        .bind(ticket.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(challenge_from_row).transpose()
    }

    async fn pending_push_challenges(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> Result<Vec<PushChallenge>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CHALLENGE_COLUMNS} FROM push_challenges \
             WHERE user_id = $1 AND status = 'pending' AND expires_at > $2 \
             ORDER BY created_at DESC, id DESC"
        )))
        .bind(user.as_str())
        .bind(now.0)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(challenge_from_row).collect()
    }

    async fn mark_push_resent(
        &mut self,
        id: &PushChallengeId,
        now: UnixTime,
        resend_secs: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE push_challenges SET last_sent_at = $1 \
             WHERE id = $2 AND status = 'pending' AND expires_at > $1 AND last_sent_at <= $3",
        )
        .bind(now.0)
        .bind(id.as_str())
        .bind(now.0 - resend_secs)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn decide_push_challenge(
        &mut self,
        id: &PushChallengeId,
        status: ChallengeStatus,
        device: &PushDeviceId,
        now: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE push_challenges SET status = $1, decided_at = $2, decided_by = $3 \
             WHERE id = $4 AND status = 'pending' AND expires_at > $2",
        )
        .bind(status.as_str())
        .bind(now.0)
        .bind(device.as_str())
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn supersede_push_challenges(
        &mut self,
        user: &UserId,
        keep: &PushChallengeId,
        now: UnixTime,
    ) -> Result<Vec<PushChallengeId>> {
        // Expired ones are left alone: their expiry is still to be counted (push fatigue).
        sqlx::query_scalar(
            "UPDATE push_challenges SET status = 'superseded', decided_at = $1 \
             WHERE user_id = $2 AND id <> $3 AND status = 'pending' AND expires_at > $1 \
             RETURNING id",
        )
        .bind(now.0)
        .bind(user.as_str())
        .bind(keep.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map(challenge_ids)
        .map_err(db_err)
    }

    async fn supersede_push_challenges_of_ticket(
        &mut self,
        ticket: &TicketId,
        now: UnixTime,
    ) -> Result<Vec<PushChallengeId>> {
        sqlx::query_scalar(
            "UPDATE push_challenges SET status = 'superseded', decided_at = $1 \
             WHERE ticket_id = $2 AND status = 'pending' AND expires_at > $1 \
             RETURNING id",
        )
        .bind(now.0)
        .bind(ticket.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map(challenge_ids)
        .map_err(db_err)
    }

    async fn observe_push_expiry(&mut self, id: &PushChallengeId, now: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE push_challenges SET decided_at = $1 \
             WHERE id = $2 AND status = 'pending' AND expires_at <= $1 AND decided_at IS NULL",
        )
        .bind(now.0)
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn take_push_token(&mut self, id: &PushChallengeId, now: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE push_challenges SET token_issued_at = $1 \
             WHERE id = $2 AND status = 'approved' AND token_issued_at IS NULL",
        )
        .bind(now.0)
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn announce_push(&mut self, key: &str) -> Result<()> {
        // The one backend difference: PostgreSQL delivers the notification to every LISTENing
        // node when this transaction commits (and never if it rolls back); SQLite serves one
        // process, whose server wakes its own waiters.
        if self.tx.backend_name().eq_ignore_ascii_case("postgresql") {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(PUSH_CHANNEL)
                .bind(key)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }
}
