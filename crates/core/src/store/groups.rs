//! Storage of groups: named sets of users within one contract.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{ContractId, Group, GroupId, UserId};

/// Groups of users within a contract.
pub trait Groups {
    /// Fails with `Conflict` when the contract already has a group of that name.
    fn insert_group(
        &mut self,
        group: &Group,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn groups_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<Group>>> + Send;
    fn group(&mut self, id: &GroupId) -> impl Future<Output = Result<Option<Group>>> + Send;
    /// Adds a member; adding one twice is harmless.
    fn add_member(
        &mut self,
        group: &GroupId,
        user: &UserId,
    ) -> impl Future<Output = Result<()>> + Send;
    fn remove_member(
        &mut self,
        group: &GroupId,
        user: &UserId,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The groups a user belongs to.
    fn groups_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<GroupId>>> + Send;
}
