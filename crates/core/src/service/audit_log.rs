//! Reading one's own audit trail, newest first, a page at a time.

use crate::audit::StoredAuditEvent;
use crate::error::{Error, Result};
use crate::store::{AuditLog, Store};

use super::{Authenticated, Services};

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
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Error::Validation(format!(
                "limit must be between 1 and {MAX_PAGE}"
            )));
        }
        let mut tx = self.store.begin_read().await?;
        tx.audit_of_user(&auth.user.id, before, limit).await
    }
}
