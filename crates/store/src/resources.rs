//! Resources and their grants to groups.

use portcullis_core::model::{ContractId, GroupId, Resource, ResourceId, ResourceKind};
use portcullis_core::store::Resources;
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_err;
use crate::tx::SqlTx;

impl SqlTx {
    async fn resource_from_row(&mut self, r: &AnyRow) -> Result<Resource> {
        let id = ResourceId(r.try_get("id").map_err(db_err)?);
        let kind: String = r.try_get("kind").map_err(db_err)?;
        let groups: Vec<String> = sqlx::query_scalar(
            "SELECT group_id FROM resource_grants WHERE resource_id = $1 ORDER BY group_id",
        )
        .bind(id.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(Resource {
            id,
            contract_id: ContractId(r.try_get("contract_id").map_err(db_err)?),
            kind: ResourceKind::parse(&kind)
                .ok_or_else(|| Error::internal_msg("stored resource kind unknown"))?,
            name: r.try_get("name").map_err(db_err)?,
            requires_2fa: r.try_get::<i64, _>("requires_2fa").map_err(db_err)? != 0,
            groups: groups.into_iter().map(GroupId).collect(),
            created_at: UnixTime(r.try_get("created_at").map_err(db_err)?),
        })
    }
}

impl Resources for SqlTx {
    async fn insert_resource(&mut self, r: &Resource) -> Result<()> {
        sqlx::query(
            "INSERT INTO resources (id, contract_id, kind, name, requires_2fa, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.id.as_str())
        .bind(r.contract_id.as_str())
        .bind(r.kind.as_str())
        .bind(r.name.as_str())
        .bind(i64::from(r.requires_2fa))
        .bind(r.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn resources_of_contract(&mut self, contract: &ContractId) -> Result<Vec<Resource>> {
        let rows = sqlx::query(
            "SELECT id, contract_id, kind, name, requires_2fa, created_at FROM resources \
             WHERE contract_id = $1 ORDER BY name, id",
        )
        .bind(contract.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.resource_from_row(r).await?);
        }
        Ok(out)
    }

    async fn resource(&mut self, id: &ResourceId) -> Result<Option<Resource>> {
        let row = sqlx::query("SELECT id, contract_id, kind, name, requires_2fa, created_at FROM resources WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(self.resource_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    async fn update_resource(
        &mut self,
        id: &ResourceId,
        name: &str,
        requires_2fa: bool,
    ) -> Result<()> {
        sqlx::query("UPDATE resources SET name = $1, requires_2fa = $2 WHERE id = $3")
            .bind(name)
            .bind(i64::from(requires_2fa))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_resource(&mut self, id: &ResourceId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM resources WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn grant(&mut self, resource: &ResourceId, group: &GroupId) -> Result<()> {
        sqlx::query("INSERT INTO resource_grants (resource_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(resource.as_str())
            .bind(group.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn revoke_grant(&mut self, resource: &ResourceId, group: &GroupId) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM resource_grants WHERE resource_id = $1 AND group_id = $2")
                .bind(resource.as_str())
                .bind(group.as_str())
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
