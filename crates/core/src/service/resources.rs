//! Resources (data centres and snapshots) and who sees them. Visibility is decided by
//! [`policy::sees_resource`]: a resource that does not exist for the viewer answers `NotFound`,
//! exactly like one that does not exist at all.

use crate::audit::{AuditDetail, Grant, ResourceCreated, ResourceDeleted, ResourceUpdated};
use crate::error::{Error, Result};
use crate::model::{GroupId, RequestMeta, Resource, ResourceId, ResourceKind};
use crate::policy::{self, Viewer};
use crate::store::{AuditLog, Groups, Resources, Store, Transaction};

use super::{AdminSession, Authenticated, Services};

fn viewer(auth: &Authenticated) -> Viewer {
    Viewer {
        role: auth.user.role,
        second_factor_session: auth.session.second_factor,
    }
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::Validation(
            "a resource name has 1 to 200 characters".into(),
        ));
    }
    Ok(name.to_owned())
}

impl<S: Store> Services<S> {
    pub async fn list_resources(&self, auth: &Authenticated) -> Result<Vec<Resource>> {
        let mut tx = self.store.begin_read().await?;
        let mine = tx.groups_of_user(&auth.user.id).await?;
        let all = tx.resources_of_contract(&auth.user.contract_id).await?;
        Ok(all
            .into_iter()
            .filter(|r| {
                policy::sees_resource(viewer(auth), r, r.groups.iter().any(|g| mine.contains(g)))
            })
            .collect())
    }

    pub async fn get_resource(&self, auth: &Authenticated, id: &ResourceId) -> Result<Resource> {
        let mut tx = self.store.begin_read().await?;
        let mine = tx.groups_of_user(&auth.user.id).await?;
        tx.resource(id)
            .await?
            .filter(|r| r.contract_id == auth.user.contract_id)
            .filter(|r| {
                policy::sees_resource(viewer(auth), r, r.groups.iter().any(|g| mine.contains(g)))
            })
            .ok_or(Error::NotFound("resource"))
    }

    /// A resource of the admin's contract that exists for the admin.
    async fn administered(
        &self,
        tx: &mut S::Tx,
        admin: &AdminSession,
        id: &ResourceId,
    ) -> Result<Resource> {
        tx.resource(id)
            .await?
            .filter(|r| r.contract_id == *admin.contract())
            .filter(|r| policy::sees_resource(admin.viewer(), r, false))
            .ok_or(Error::NotFound("resource"))
    }

    pub async fn create_resource(
        &self,
        admin: &AdminSession,
        kind: ResourceKind,
        name: &str,
        requires_2fa: bool,
        meta: &RequestMeta,
    ) -> Result<Resource> {
        if requires_2fa && !policy::may_mark_requires_2fa(admin.viewer()) {
            return Err(Error::Forbidden(
                "protecting a resource needs a session signed in with a second factor",
            ));
        }
        let now = self.now();
        let resource = Resource {
            id: ResourceId::generate(),
            contract_id: admin.contract().clone(),
            kind,
            name: check_name(name)?,
            requires_2fa,
            groups: vec![],
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_resource(&resource).await?;
        let created = ResourceCreated {
            resource_id: resource.id.clone(),
            kind,
            requires_2fa,
        };
        let e = admin.event(created, now, meta);
        tx.append_audit(&e).await?;
        tx.commit().await?;
        Ok(resource)
    }

    pub async fn update_resource(
        &self,
        admin: &AdminSession,
        id: &ResourceId,
        name: Option<&str>,
        requires_2fa: Option<bool>,
        meta: &RequestMeta,
    ) -> Result<Resource> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut r = self.administered(&mut tx, admin, id).await?;
        if requires_2fa == Some(true)
            && !r.requires_2fa
            && !policy::may_mark_requires_2fa(admin.viewer())
        {
            return Err(Error::Forbidden(
                "protecting a resource needs a session signed in with a second factor",
            ));
        }
        if let Some(name) = name {
            r.name = check_name(name)?;
        }
        if let Some(flag) = requires_2fa {
            r.requires_2fa = flag;
        }
        tx.update_resource(id, &r.name, r.requires_2fa).await?;
        let updated = ResourceUpdated {
            resource_id: id.clone(),
            requires_2fa: r.requires_2fa,
        };
        let e = admin.event(updated, now, meta);
        tx.append_audit(&e).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn delete_resource(
        &self,
        admin: &AdminSession,
        id: &ResourceId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.administered(&mut tx, admin, id).await?;
        tx.delete_resource(id).await?;
        let deleted = ResourceDeleted {
            resource_id: id.clone(),
        };
        let e = admin.event(deleted, now, meta);
        tx.append_audit(&e).await?;
        tx.commit().await
    }

    /// Grants (`on`) or withdraws a resource from a group of the same contract.
    pub async fn set_grant(
        &self,
        admin: &AdminSession,
        id: &ResourceId,
        group: &GroupId,
        on: bool,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.administered(&mut tx, admin, id).await?;
        tx.group(group)
            .await?
            .filter(|g| &g.contract_id == admin.contract())
            .ok_or(Error::NotFound("group"))?;
        let kind: fn(Grant) -> AuditDetail = if on {
            tx.grant(id, group).await?;
            AuditDetail::ResourceGranted
        } else {
            if !tx.revoke_grant(id, group).await? {
                return Err(Error::NotFound("grant"));
            }
            AuditDetail::ResourceGrantRevoked
        };
        let grant = Grant {
            resource_id: id.clone(),
            group_id: group.clone(),
        };
        let e = admin.event(kind(grant), now, meta);
        tx.append_audit(&e).await?;
        tx.commit().await
    }
}
