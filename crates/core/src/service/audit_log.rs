//! Reading audit trails, newest first, a page at a time: one's own, and (owners and
//! administrators) the contract's, which holds what its gateways (RADIUS clients) were told.

use crate::audit::StoredAuditEvent;
use crate::error::{Error, Result};
use crate::store::{AuditLog, Store};

use super::{AdminSession, Authenticated, Services};

pub const MAX_PAGE: i64 = 200;

impl<S: Store> Services<S> {
    /// Events where the caller is actor or subject. `before` is the id of the last event of the
    /// previous page.
    pub async fn my_audit(
        &self,
        auth: &Authenticated,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        check_page(limit)?;
        let mut tx = self.store.begin_read().await?;
        tx.audit_of_user(&auth.user.id, before, limit).await
    }

    /// Events of the admin's contract.
    pub async fn contract_audit(
        &self,
        admin: &AdminSession,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        check_page(limit)?;
        let mut tx = self.store.begin_read().await?;
        tx.audit_of_contract(admin.contract(), before, limit).await
    }
}

fn check_page(limit: i64) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::Validation(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    Ok(())
}
