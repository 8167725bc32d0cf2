//! RADIUS clients and the States of their Access-Challenges. A State is taken by one
//! conditional update (unused, unexpired, this client's), so it answers one code on every node.

use portcullis_core::crypto::Sealed;
use portcullis_core::model::{ContractId, RadiusClientId, UserId};
use portcullis_core::radius::{Network, RadiusClient, RadiusMode};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{RadiusStore, StoredRadiusClient};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

const COLUMNS: &str =
    "id, contract_id, name, network, mode, push_timeout_secs, key_id, secret, created_at";

fn client_from_row(row: &AnyRow) -> Result<StoredRadiusClient> {
    let network: String = row.try_get("network").map_err(db_err)?;
    let mode: String = row.try_get("mode").map_err(db_err)?;
    let timeout: i64 = row.try_get("push_timeout_secs").map_err(db_err)?;
    Ok(StoredRadiusClient {
        client: RadiusClient {
            id: RadiusClientId(row.try_get("id").map_err(db_err)?),
            contract_id: ContractId(row.try_get("contract_id").map_err(db_err)?),
            name: row.try_get("name").map_err(db_err)?,
            network: Network::parse(&network)
                .map_err(|_| Error::internal_msg("a stored RADIUS network does not parse"))?,
            mode: RadiusMode::parse(&mode)
                .map_err(|_| Error::internal_msg("a stored RADIUS mode does not parse"))?,
            push_timeout_secs: u32::try_from(timeout)
                .map_err(|_| Error::internal_msg("a stored push timeout is out of range"))?,
            created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        },
        secret: Sealed {
            key_id: row.try_get("key_id").map_err(db_err)?,
            data: row.try_get("secret").map_err(db_err)?,
        },
    })
}

impl RadiusStore for SqlTx {
    async fn insert_radius_client(&mut self, client: &RadiusClient, secret: &Sealed) -> Result<()> {
        sqlx::query(
            "INSERT INTO radius_clients (id, contract_id, name, network, mode, push_timeout_secs, \
             key_id, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(client.id.as_str())
        .bind(client.contract_id.as_str())
        .bind(client.name.as_str())
        .bind(client.network.to_string())
        .bind(client.mode.as_str())
        .bind(i64::from(client.push_timeout_secs))
        .bind(secret.key_id.as_str())
        .bind(secret.data.as_slice())
        .bind(client.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("a RADIUS client with this name exists")
            } else {
                db_err(e)
            }
        })?;
        Ok(())
    }

    async fn radius_clients(
        &mut self,
        contract: Option<&ContractId>,
    ) -> Result<Vec<StoredRadiusClient>> {
        let rows = match contract {
            Some(c) => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM radius_clients WHERE contract_id = $1 ORDER BY name"
                )))
                .bind(c.as_str())
                .fetch_all(&mut *self.tx)
                .await
            }
            None => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM radius_clients ORDER BY name"
                )))
                .fetch_all(&mut *self.tx)
                .await
            }
        }
        .map_err(db_err)?;
        rows.iter().map(client_from_row).collect()
    }

    async fn radius_client_by_name(&mut self, name: &str) -> Result<Option<StoredRadiusClient>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM radius_clients WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(client_from_row).transpose()
    }

    async fn radius_client(&mut self, id: &RadiusClientId) -> Result<Option<StoredRadiusClient>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM radius_clients WHERE id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(client_from_row).transpose()
    }

    async fn delete_radius_client(&mut self, id: &RadiusClientId) -> Result<bool> {
        // SQLite enforces the cascade only with foreign keys on; delete the States explicitly.
        sqlx::query("DELETE FROM radius_states WHERE client_id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let done = sqlx::query("DELETE FROM radius_clients WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_radius_state(
        &mut self,
        digest: &TokenDigest,
        client: &RadiusClientId,
        user: &UserId,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO radius_states (digest, client_id, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest.0.as_str())
        .bind(client.as_str())
        .bind(user.as_str())
        .bind(now.0)
        .bind(expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_radius_state(
        &mut self,
        digest: &TokenDigest,
        client: &RadiusClientId,
        now: UnixTime,
    ) -> Result<Option<UserId>> {
        let row = sqlx::query(
            "UPDATE radius_states SET used_at = $1 \
             WHERE digest = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
        )
        .bind(now.0)
        .bind(digest.0.as_str())
        .bind(client.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| r.try_get::<String, _>("user_id").map(UserId))
            .transpose()
            .map_err(db_err)
    }
}
