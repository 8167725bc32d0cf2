//! Re-entering the current password before a sensitive change (activating or removing a factor,
//! pairing a device, a new app password or support PIN, a new password): the step every
//! factor's enrolment shares. A wrong password is a guess like one at the sign-in: it is refused
//! while the account is throttled, and counted and audited when wrong.

use crate::audit::{AuditDetail, AuditEvent, Outcome};
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::password::Password;
use crate::store::{AuditLog, Store, Throttle, Transaction};

use super::guesses::throttle_key;
use crate::service::{Authenticated, Services};

impl<S: Store> Services<S> {
    /// [`Services::confirm_password`] for a change whose form always has the field: an empty
    /// password is a form left incomplete ("enter your current password to `action`"), not a
    /// guess, so it is refused without being counted.
    pub(crate) async fn confirm_entered_password(
        &self,
        auth: &Authenticated,
        password: &Password,
        action: &str,
        failure: impl Into<AuditDetail>,
        meta: &RequestMeta,
    ) -> Result<()> {
        if password.expose().is_empty() {
            return Err(Error::Validation(format!(
                "enter your current password to {action}"
            )));
        }
        self.confirm_password(auth, password, failure, meta).await
    }

    /// Checks the signed-in person's current password before a sensitive change. A wrong password
    /// is audited as `failure` (its kind's `invalid_password`) and counted against the account.
    pub(crate) async fn confirm_password(
        &self,
        auth: &Authenticated,
        password: &Password,
        failure: impl Into<AuditDetail>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let key = throttle_key(user.email.as_str());
        {
            let mut tx = self.store.begin_read().await?;
            let counter = tx.account_counter(&key).await?;
            if let Some(retry_after_secs) = self
                .settings
                .throttle
                .account_retry_after(&counter, self.now())
            {
                return Err(Error::TooManyAttempts { retry_after_secs });
            }
        }
        if self
            .hasher
            .verify(password, user.password_hash.as_deref())
            .await?
        {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.count_guess_failure(&mut tx, &key, meta, now, crate::throttle::Guess::Password)
            .await?;
        let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::InvalidPassword)
    }
}
