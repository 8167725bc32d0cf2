//! Groups of users (resources are granted to groups).

use crate::audit::AuditKind;
use crate::error::{Error, Result};
use crate::model::{Group, GroupId, RequestMeta, UserId};
use crate::store::{AuditLog, Groups, Store, Transaction, Users};

use super::{AdminSession, Services};

impl<S: Store> Services<S> {
    pub async fn create_group(
        &self,
        admin: &AdminSession,
        name: &str,
        meta: &RequestMeta,
    ) -> Result<Group> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::Validation(
                "a group name has 1 to 100 characters".into(),
            ));
        }
        let group = Group {
            id: GroupId::generate(),
            contract_id: admin.contract().clone(),
            name: name.to_owned(),
            members: vec![],
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.insert_group(&group, now).await?;
        let mut e = admin.event(AuditKind::GroupCreated, now, meta);
        e.detail = serde_json::json!({ "group_id": group.id.as_str(), "name": group.name });
        tx.append_audit(&e).await?;
        tx.commit().await?;
        Ok(group)
    }

    pub async fn list_groups(&self, admin: &AdminSession) -> Result<Vec<Group>> {
        let mut tx = self.store.begin_read().await?;
        tx.groups_of_contract(admin.contract()).await
    }

    /// The group and the user, both of the admin's contract, or `NotFound`.
    async fn group_and_member(
        &self,
        tx: &mut S::Tx,
        admin: &AdminSession,
        group: &GroupId,
        user: &UserId,
    ) -> Result<()> {
        tx.group(group)
            .await?
            .filter(|g| &g.contract_id == admin.contract())
            .ok_or(Error::NotFound("group"))?;
        tx.user_by_id(user)
            .await?
            .filter(|u| &u.contract_id == admin.contract())
            .ok_or(Error::NotFound("user"))?;
        Ok(())
    }

    pub async fn add_group_member(
        &self,
        admin: &AdminSession,
        group: &GroupId,
        user: &UserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.group_and_member(&mut tx, admin, group, user).await?;
        tx.add_member(group, user).await?;
        let mut e = admin.event(AuditKind::GroupMemberAdded, now, meta);
        e.subject = Some(user.clone());
        e.detail = serde_json::json!({ "group_id": group.as_str() });
        tx.append_audit(&e).await?;
        tx.commit().await
    }

    pub async fn remove_group_member(
        &self,
        admin: &AdminSession,
        group: &GroupId,
        user: &UserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.group_and_member(&mut tx, admin, group, user).await?;
        if !tx.remove_member(group, user).await? {
            return Err(Error::NotFound("membership"));
        }
        let mut e = admin.event(AuditKind::GroupMemberRemoved, now, meta);
        e.subject = Some(user.clone());
        e.detail = serde_json::json!({ "group_id": group.as_str() });
        tx.append_audit(&e).await?;
        tx.commit().await
    }
}
