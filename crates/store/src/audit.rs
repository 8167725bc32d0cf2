//! The append-only audit log. The table refuses updates and deletes by trigger.

use portcullis_core::audit::{AuditEvent, StoredAuditEvent};
use portcullis_core::model::{ContractId, UserId};
use portcullis_core::store::AuditLog;
use portcullis_core::{Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::db_err;
use crate::tx::SqlTx;

impl AuditLog for SqlTx {
    async fn append_audit(&mut self, e: &AuditEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, type, actor_id, subject_id, contract_id, outcome, ip, user_agent, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.at.0)
        .bind(e.kind().as_str())
        .bind(e.actor.as_ref().map(|u| u.as_str()))
        .bind(e.subject.as_ref().map(|u| u.as_str()))
        .bind(e.contract.as_ref().map(|c| c.as_str()))
        .bind(e.outcome.as_str())
        .bind(e.ip.as_deref())
        .bind(e.user_agent.as_deref())
        .bind(e.detail_json().to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn audit_of_user(
        &mut self,
        user: &UserId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events \
             WHERE (subject_id = $1 OR actor_id = $1) AND id < $2 ORDER BY id DESC LIMIT $3"
        )))
        .bind(user.as_str())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(event_from_row).collect()
    }

    async fn audit_of_contract(
        &mut self,
        contract: &ContractId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events \
             WHERE contract_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        )))
        .bind(contract.as_str())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(event_from_row).collect()
    }
}

const COLUMNS: &str =
    "id, at, type, actor_id, subject_id, contract_id, outcome, ip, user_agent, detail";

fn event_from_row(row: &AnyRow) -> Result<StoredAuditEvent> {
    let detail: String = row.try_get("detail").map_err(db_err)?;
    let user = |column: &str| -> Result<Option<UserId>> {
        Ok(row
            .try_get::<Option<String>, _>(column)
            .map_err(db_err)?
            .map(UserId))
    };
    Ok(StoredAuditEvent {
        id: row.try_get("id").map_err(db_err)?,
        kind: row.try_get("type").map_err(db_err)?,
        at: UnixTime(row.try_get("at").map_err(db_err)?),
        actor: user("actor_id")?,
        subject: user("subject_id")?,
        contract: row
            .try_get::<Option<String>, _>("contract_id")
            .map_err(db_err)?
            .map(ContractId),
        outcome: row.try_get("outcome").map_err(db_err)?,
        ip: row.try_get("ip").map_err(db_err)?,
        user_agent: row.try_get("user_agent").map_err(db_err)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
    })
}
