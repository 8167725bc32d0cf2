//! Groups of users (resources are granted to groups).

use crate::audit::{GroupCreated, GroupMemberAdded, GroupMemberRemoved};
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
        let created = GroupCreated {
            group_id: group.id.clone(),
            name: group.name.clone(),
        };
        let e = admin.event(created, now, meta);
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
        let added = GroupMemberAdded {
            group_id: group.clone(),
        };
        let mut e = admin.event(added, now, meta);
        e.subject = Some(user.clone());
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
        let removed = GroupMemberRemoved {
            group_id: group.clone(),
        };
        let mut e = admin.event(removed, now, meta);
        e.subject = Some(user.clone());
        tx.append_audit(&e).await?;
        tx.commit().await
    }
}
