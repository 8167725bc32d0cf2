//! OpenID Connect clients and the groups that may sign in to them. A client's groups are
//! replaced whole on update, in the caller's transaction; deleting a client deletes them by
//! cascade. The secret digest never leaves this file except to the service's constant-time check.

use portcullis_core::model::{ContractId, GroupId, OidcClientId};
use portcullis_core::oidc::jose::Alg;
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{OidcClient, OidcClients, StoredOidcClient};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

const COLUMNS: &str = "id, client_id, contract_id, name, secret_digest, public, first_party, \
     require_2fa, redirect_uris, id_token_signed_response_alg, created_at, updated_at";

fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(col).map_err(db_err)? != 0)
}

fn from_row(row: &AnyRow) -> Result<StoredOidcClient> {
    let uris: String = row.try_get("redirect_uris").map_err(db_err)?;
    let alg: String = row
        .try_get("id_token_signed_response_alg")
        .map_err(db_err)?;
    // The CHECK allows only our three names; anything else is a damaged row.
    let alg = Alg::parse(&alg).ok_or_else(|| {
        Error::internal_msg(format!(
            "OIDC client with an unknown ID token algorithm {alg}"
        ))
    })?;
    Ok(StoredOidcClient {
        client: OidcClient {
            id: OidcClientId(row.try_get("id").map_err(db_err)?),
            client_id: row.try_get("client_id").map_err(db_err)?,
            contract_id: ContractId(row.try_get("contract_id").map_err(db_err)?),
            name: row.try_get("name").map_err(db_err)?,
            public: flag(row, "public")?,
            first_party: flag(row, "first_party")?,
            require_2fa: flag(row, "require_2fa")?,
            redirect_uris: serde_json::from_str(&uris).map_err(Error::internal)?,
            id_token_signed_response_alg: alg,
            groups: Vec::new(),
            created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
            updated_at: UnixTime(row.try_get("updated_at").map_err(db_err)?),
        },
        secret_digest: row
            .try_get::<Option<String>, _>("secret_digest")
            .map_err(db_err)?
            .map(TokenDigest),
    })
}

fn uris_json(client: &OidcClient) -> Result<String> {
    serde_json::to_string(&client.redirect_uris).map_err(Error::internal)
}

impl SqlTx {
    async fn client_groups(&mut self, id: &OidcClientId) -> Result<Vec<GroupId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT group_id FROM oidc_client_groups WHERE client_id = $1 ORDER BY group_id",
        )
        .bind(id.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(GroupId).collect())
    }

    async fn insert_client_groups(&mut self, client: &OidcClient) -> Result<()> {
        for group in &client.groups {
            sqlx::query(
                "INSERT INTO oidc_client_groups (client_id, group_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(client.id.as_str())
            .bind(group.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }
}

impl OidcClients for SqlTx {
    async fn insert_oidc_client(
        &mut self,
        client: &OidcClient,
        secret: Option<&TokenDigest>,
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO oidc_clients ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(client.id.as_str())
        .bind(client.client_id.as_str())
        .bind(client.contract_id.as_str())
        .bind(client.name.as_str())
        .bind(secret.map(|d| d.0.clone()))
        .bind(i64::from(client.public))
        .bind(i64::from(client.first_party))
        .bind(i64::from(client.require_2fa))
        .bind(uris_json(client)?)
        .bind(client.id_token_signed_response_alg.as_str())
        .bind(client.created_at.0)
        .bind(client.updated_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("a client with this id exists")
            } else {
                db_err(e)
            }
        })?;
        self.insert_client_groups(client).await
    }

    async fn oidc_client_by_client_id(
        &mut self,
        client_id: &str,
    ) -> Result<Option<StoredOidcClient>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM oidc_clients WHERE client_id = $1"
        )))
        .bind(client_id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let mut stored = from_row(&row)?;
        stored.client.groups = self.client_groups(&stored.client.id).await?;
        Ok(Some(stored))
    }

    async fn oidc_clients(&mut self, contract: Option<&ContractId>) -> Result<Vec<OidcClient>> {
        // `$1 IS NULL` would need a typed null on PostgreSQL; two statements are clearer.
        let rows = match contract {
            Some(contract) => sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM oidc_clients WHERE contract_id = $1 ORDER BY name, client_id"
            )))
            .bind(contract.as_str())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?,
            None => sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM oidc_clients ORDER BY name, client_id"
            )))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?,
        };
        let mut clients = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut client = from_row(row)?.client;
            client.groups = self.client_groups(&client.id).await?;
            clients.push(client);
        }
        Ok(clients)
    }

    async fn update_oidc_client(&mut self, client: &OidcClient) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oidc_clients SET name = $1, first_party = $2, require_2fa = $3, \
             redirect_uris = $4, id_token_signed_response_alg = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(client.name.as_str())
        .bind(i64::from(client.first_party))
        .bind(i64::from(client.require_2fa))
        .bind(uris_json(client)?)
        .bind(client.id_token_signed_response_alg.as_str())
        .bind(client.updated_at.0)
        .bind(client.id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM oidc_client_groups WHERE client_id = $1")
            .bind(client.id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        self.insert_client_groups(client).await?;
        Ok(true)
    }

    async fn set_oidc_client_secret(
        &mut self,
        id: &OidcClientId,
        digest: &TokenDigest,
        at: UnixTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oidc_clients SET secret_digest = $1, updated_at = $2 \
             WHERE id = $3 AND public = 0",
        )
        .bind(digest.0.as_str())
        .bind(at.0)
        .bind(id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_oidc_client(&mut self, id: &OidcClientId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM oidc_clients WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
