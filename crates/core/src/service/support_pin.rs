//! The account holder's support PIN: set or changed at will, shown afterwards only as
//! "set on <date>", never in clear. The PIN is hashed (Argon2id) before the write transaction
//! opens; the change is audited and the holder is told by email, with a "this wasn't me" link,
//! because whoever knows the PIN can talk their way past support.

use crate::audit::{AuditEvent, Outcome, SupportPinChanged};
use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{RequestMeta, User};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::pin::SupportPin;
use crate::store::{AuditLog, Store, SupportPins, Transaction};

use super::{Authenticated, Services};

impl<S: Store> Services<S> {
    pub async fn set_support_pin(
        &self,
        auth: &Authenticated,
        pin: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        let pin = SupportPin::parse(pin)?;
        // Whoever knows the PIN can talk their way past support: a session left open must not
        // be enough to choose it.
        self.confirm_entered_password(
            auth,
            password,
            "set the support PIN",
            SupportPinChanged::InvalidPassword,
            meta,
        )
        .await?;
        let phc = self.hasher.hash(&pin.as_password()).await?;
        let user = &auth.user;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let first = tx.support_pin(&user.id).await?.is_none();
        tx.put_support_pin(&user.id, &phc, now).await?;
        let event = AuditEvent::new(
            SupportPinChanged::Set { first },
            Outcome::Success,
            now,
            meta,
        )
        .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(&mut tx, user, SecurityEvent::SupportPinChanged, meta, now)
            .await?;
        tx.commit().await
    }

    /// When the user's support PIN was last set, or `None` if they have none.
    pub async fn support_pin_changed_at(&self, user: &User) -> Result<Option<UnixTime>> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.support_pin(&user.id).await?.map(|p| p.changed_at))
    }
}
