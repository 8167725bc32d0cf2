//! Storage of access rules for forward authentication. A host belongs to one contract at a time
//! (the store enforces it, across nodes); within it, one rule per path prefix.

use std::future::Future;

use crate::access::AccessRule;
use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{AccessRuleId, ContractId, GroupId, UserId};

pub trait AccessRules {
    /// Claims the rule's host for its contract if nobody holds it, and inserts the rule with its
    /// groups. Fails with `Conflict` when another contract holds the host or the host already has
    /// a rule for this prefix.
    fn insert_access_rule(
        &mut self,
        rule: &AccessRule,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The rules of a contract, by host and prefix.
    fn access_rules_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<AccessRule>>> + Send;
    /// Every rule of every contract, by contract, host and prefix (the operator's list).
    fn all_access_rules(&mut self) -> impl Future<Output = Result<Vec<AccessRule>>> + Send;
    fn access_rule(
        &mut self,
        id: &AccessRuleId,
    ) -> impl Future<Output = Result<Option<AccessRule>>> + Send;
    /// Deletes a rule; the host is freed with its last rule. False if there was none.
    fn delete_access_rule(
        &mut self,
        id: &AccessRuleId,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Every rule whose host is one of `hosts` (exact, lower-case strings), in one statement:
    /// forward authentication asks this on every request.
    fn access_rules_for_hosts(
        &mut self,
        hosts: &[&str],
    ) -> impl Future<Output = Result<Vec<AccessRule>>> + Send;
    /// The groups a user belongs to, with their names, in one statement.
    fn group_names_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<(GroupId, String)>>> + Send;
}
