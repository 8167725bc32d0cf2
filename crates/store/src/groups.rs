//! Groups and their members.

use portcullis_core::model::{ContractId, Group, GroupId, UserId};
use portcullis_core::store::Groups;
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

impl SqlTx {
    async fn members(&mut self, group: &GroupId) -> Result<Vec<UserId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id",
        )
        .bind(group.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(ids.into_iter().map(UserId).collect())
    }
}

impl Groups for SqlTx {
    async fn insert_group(&mut self, g: &Group, now: UnixTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO groups (id, contract_id, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(g.id.as_str())
        .bind(g.contract_id.as_str())
        .bind(g.name.as_str())
        .bind(now.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("a group with this name exists")
            } else {
                db_err(e)
            }
        })?;
        Ok(())
    }

    async fn groups_of_contract(&mut self, contract: &ContractId) -> Result<Vec<Group>> {
        let rows = sqlx::query("SELECT id, name FROM groups WHERE contract_id = $1 ORDER BY name")
            .bind(contract.as_str())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let mut groups = Vec::with_capacity(rows.len());
        for r in rows {
            let id = GroupId(r.try_get("id").map_err(db_err)?);
            let members = self.members(&id).await?;
            groups.push(Group {
                id,
                contract_id: contract.clone(),
                name: r.try_get("name").map_err(db_err)?,
                members,
            });
        }
        Ok(groups)
    }

    async fn group(&mut self, id: &GroupId) -> Result<Option<Group>> {
        let row = sqlx::query("SELECT contract_id, name FROM groups WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        let members = self.members(id).await?;
        Ok(Some(Group {
            id: id.clone(),
            contract_id: ContractId(r.try_get("contract_id").map_err(db_err)?),
            name: r.try_get("name").map_err(db_err)?,
            members,
        }))
    }

    async fn add_member(&mut self, group: &GroupId, user: &UserId) -> Result<()> {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group.as_str())
        .bind(user.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn remove_member(&mut self, group: &GroupId, user: &UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group.as_str())
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn groups_of_user(&mut self, user: &UserId) -> Result<Vec<GroupId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT group_id FROM group_members WHERE user_id = $1")
                .bind(user.as_str())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(ids.into_iter().map(GroupId).collect())
    }
}
