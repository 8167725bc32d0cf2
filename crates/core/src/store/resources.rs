//! Storage of resources (data centres, snapshots) and the groups they are granted to. Who may see
//! one is [`crate::policy`]'s, not the store's.

use std::future::Future;

use crate::error::Result;
use crate::model::{ContractId, GroupId, Resource, ResourceId};

/// Resources (data centres, snapshots) and the groups they are granted to.
pub trait Resources {
    fn insert_resource(&mut self, resource: &Resource) -> impl Future<Output = Result<()>> + Send;
    fn resources_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<Resource>>> + Send;
    fn resource(
        &mut self,
        id: &ResourceId,
    ) -> impl Future<Output = Result<Option<Resource>>> + Send;
    fn update_resource(
        &mut self,
        id: &ResourceId,
        name: &str,
        requires_2fa: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    fn delete_resource(&mut self, id: &ResourceId) -> impl Future<Output = Result<bool>> + Send;
    /// Grants the resource to a group; granting twice is harmless.
    fn grant(
        &mut self,
        resource: &ResourceId,
        group: &GroupId,
    ) -> impl Future<Output = Result<()>> + Send;
    fn revoke_grant(
        &mut self,
        resource: &ResourceId,
        group: &GroupId,
    ) -> impl Future<Output = Result<bool>> + Send;
}
