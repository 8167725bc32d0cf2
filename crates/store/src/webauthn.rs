//! Passkeys, security keys and their ceremonies. Taking a ceremony and recording a key's use are
//! each one conditional `UPDATE`, so two nodes answering the same challenge get one winner; a
//! credential id that is already registered is refused by its unique index.

use portcullis_core::model::{TicketId, UserId, WebauthnCredential, WebauthnCredentialId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{
    CeremonyPurpose, NewCeremony, StoredCredential, TakenCeremony, WebauthnStore,
};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

const COLUMNS: &str = "id, user_id, credential_id, name, record, sign_count, user_verified, \
     backup_eligible, backup_state, transports, aaguid, created_at, last_used_at";

fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(col).map_err(db_err)? != 0)
}

fn credential_from_row(row: &AnyRow) -> Result<StoredCredential> {
    let transports: String = row.try_get("transports").map_err(db_err)?;
    let sign_count: i64 = row.try_get("sign_count").map_err(db_err)?;
    Ok(StoredCredential {
        credential: WebauthnCredential {
            id: WebauthnCredentialId(row.try_get("id").map_err(db_err)?),
            user_id: UserId(row.try_get("user_id").map_err(db_err)?),
            name: row.try_get("name").map_err(db_err)?,
            created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
            last_used_at: row
                .try_get::<Option<i64>, _>("last_used_at")
                .map_err(db_err)?
                .map(UnixTime),
            passkey: flag(row, "user_verified")?,
            backup_eligible: flag(row, "backup_eligible")?,
            backup_state: flag(row, "backup_state")?,
            transports: serde_json::from_str(&transports).map_err(Error::internal)?,
            aaguid: row.try_get("aaguid").map_err(db_err)?,
        },
        credential_id: row.try_get("credential_id").map_err(db_err)?,
        record: row.try_get("record").map_err(db_err)?,
        sign_count: u32::try_from(sign_count).map_err(Error::internal)?,
    })
}

fn taken_from_row(row: &AnyRow) -> Result<TakenCeremony> {
    Ok(TakenCeremony {
        user: row
            .try_get::<Option<String>, _>("user_id")
            .map_err(db_err)?
            .map(UserId),
        ticket: row
            .try_get::<Option<String>, _>("ticket_id")
            .map_err(db_err)?
            .map(TicketId),
        state: row.try_get("state").map_err(db_err)?,
    })
}

impl WebauthnStore for SqlTx {
    async fn insert_webauthn_credential(&mut self, stored: &StoredCredential) -> Result<()> {
        let c = &stored.credential;
        let transports = serde_json::to_string(&c.transports).map_err(Error::internal)?;
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO webauthn_credentials ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(c.id.as_str())
        .bind(c.user_id.as_str())
        .bind(stored.credential_id.as_str())
        .bind(c.name.as_str())
        .bind(stored.record.as_str())
        .bind(i64::from(stored.sign_count))
        .bind(i64::from(c.passkey))
        .bind(i64::from(c.backup_eligible))
        .bind(i64::from(c.backup_state))
        .bind(transports)
        .bind(c.aaguid.as_deref())
        .bind(c.created_at.0)
        .bind(c.last_used_at.map(|t| t.0))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::CredentialExists
            } else {
                db_err(e)
            }
        })?;
        Ok(())
    }

    async fn webauthn_credentials_of_user(
        &mut self,
        user: &UserId,
    ) -> Result<Vec<StoredCredential>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id"
        )))
        .bind(user.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(credential_from_row).collect()
    }

    async fn webauthn_credential_by_credential_id(
        &mut self,
        credential_id: &str,
    ) -> Result<Option<StoredCredential>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE credential_id = $1"
        )))
        .bind(credential_id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(credential_from_row).transpose()
    }

    async fn rename_webauthn_credential(
        &mut self,
        user: &UserId,
        id: &WebauthnCredentialId,
        name: &str,
    ) -> Result<bool> {
        let done =
            sqlx::query("UPDATE webauthn_credentials SET name = $1 WHERE user_id = $2 AND id = $3")
                .bind(name)
                .bind(user.as_str())
                .bind(id.as_str())
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_webauthn_credential(
        &mut self,
        user: &UserId,
        id: &WebauthnCredentialId,
    ) -> Result<Option<String>> {
        sqlx::query_scalar(
            "DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2 RETURNING name",
        )
        .bind(user.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn delete_webauthn_credentials_of_user(&mut self, user: &UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM webauthn_credentials WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn record_webauthn_use(
        &mut self,
        id: &WebauthnCredentialId,
        verified_count: u32,
        new_count: u32,
        backup_state: bool,
        now: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webauthn_credentials \
             SET sign_count = $1, backup_state = $2, last_used_at = $3 \
             WHERE id = $4 AND sign_count = $5",
        )
        .bind(i64::from(new_count))
        .bind(i64::from(backup_state))
        .bind(now.0)
        .bind(id.as_str())
        .bind(i64::from(verified_count))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_webauthn_ceremony(&mut self, c: &NewCeremony<'_>) -> Result<()> {
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at < $1")
            .bind(c.now.0 - 3600)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        if let (CeremonyPurpose::SecondStep, Some(ticket)) = (c.purpose, c.ticket) {
            sqlx::query(
                "UPDATE webauthn_ceremonies SET used_at = $1 \
                 WHERE ticket_id = $2 AND purpose = 'second_step' AND used_at IS NULL",
            )
            .bind(c.now.0)
            .bind(ticket.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query(
            "INSERT INTO webauthn_ceremonies \
             (digest, purpose, user_id, ticket_id, state, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.digest.0.as_str())
        .bind(c.purpose.as_str())
        .bind(c.user.map(UserId::as_str))
        .bind(c.ticket.map(TicketId::as_str))
        .bind(c.state)
        .bind(c.now.0)
        .bind(c.expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_webauthn_ceremony(
        &mut self,
        digest: &TokenDigest,
        purpose: CeremonyPurpose,
        now: UnixTime,
    ) -> Result<Option<TakenCeremony>> {
        let row = sqlx::query(
            "UPDATE webauthn_ceremonies SET used_at = $1 \
             WHERE digest = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id, ticket_id, state",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .bind(purpose.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(taken_from_row).transpose()
    }

    async fn take_webauthn_ceremony_of_ticket(
        &mut self,
        ticket: &TicketId,
        now: UnixTime,
    ) -> Result<Option<TakenCeremony>> {
        let row = sqlx::query(
            "UPDATE webauthn_ceremonies SET used_at = $1 \
             WHERE ticket_id = $2 AND purpose = 'second_step' AND used_at IS NULL \
             AND expires_at > $1 \
             RETURNING user_id, ticket_id, state",
        )
        .bind(now.0)
        .bind(ticket.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(taken_from_row).transpose()
    }
}
