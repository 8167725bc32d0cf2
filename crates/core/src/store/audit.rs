//! Storage of the audit trail: append and read back, never change. What an event says is
//! [`crate::audit`]'s; the store only writes the row it is given.

use std::future::Future;

use crate::audit::{AuditEvent, StoredAuditEvent};
use crate::error::Result;
use crate::model::{ContractId, UserId};

pub trait AuditLog {
    fn append_audit(&mut self, event: &AuditEvent) -> impl Future<Output = Result<()>> + Send;
    /// Events where the user is actor or subject, newest first, older than `before` if given.
    fn audit_of_user(
        &mut self,
        user: &UserId,
        before: Option<i64>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<StoredAuditEvent>>> + Send;
    /// Events of the contract (what its people did and what was done to them or at its
    /// gateways), newest first, older than `before` if given.
    fn audit_of_contract(
        &mut self,
        contract: &ContractId,
        before: Option<i64>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<StoredAuditEvent>>> + Send;
}
