//! App passwords for mail clients: made with a name, shown once, listed with their
//! last use, revoked by deleting them. Creating one is audited and the holder is told by email
//! (with a "this wasn't me" link), because an app password opens the mailbox without a second
//! factor. Checking one is `app_auth`.

use crate::app_password::{self, AppPassword, AppPasswordInfo, MAX_PER_USER};
use crate::audit::{AppPasswordCreated, AppPasswordRevoked, AuditEvent, Outcome};
use crate::error::{Error, Result};
use crate::model::{AppPasswordId, RequestMeta};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::store::{AppPasswords, AuditLog, Store, Transaction};

use super::held::{HeldAppPassword, Reveal};
use super::{Authenticated, Services};

impl<S: Store> Services<S> {
    /// A new app password called `name`; the password is returned once and kept only as a digest.
    pub async fn create_app_password(
        &self,
        auth: &Authenticated,
        name: &str,
        password: &Password,
        reveal: Reveal<'_>,
        meta: &RequestMeta,
    ) -> Result<(AppPasswordInfo, AppPassword)> {
        let name = app_password::parse_name(name).map_err(|e| Error::Validation(e.to_owned()))?;
        // An app password opens the mailbox without a second factor: a session left open must
        // not be enough to make one.
        self.confirm_entered_password(
            auth,
            password,
            "create an app password",
            AppPasswordCreated::InvalidPassword,
            meta,
        )
        .await?;
        let user = &auth.user;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if tx.count_app_passwords(&user.id).await? >= MAX_PER_USER {
            return Err(Error::Conflict(
                "you have 50 app passwords, the most there may be; revoke one you no longer use",
            ));
        }
        let password = AppPassword::generate();
        let info = AppPasswordInfo {
            id: AppPasswordId::generate(),
            user_id: user.id.clone(),
            name: name.clone(),
            created_at: now,
            last_used_at: None,
            last_used_ip: None,
        };
        tx.insert_app_password(&info, &password.digest()).await?;
        if let Reveal::OnNextPage(session) = reveal {
            let held = HeldAppPassword {
                name: info.name.clone(),
                password: password.display(),
            };
            self.hold_in(&mut tx, session, &held).await?;
        }
        let created = AppPasswordCreated::Created {
            app_password_id: info.id.clone(),
            name: name.clone(),
        };
        let event = AuditEvent::new(created, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(
            &mut tx,
            user,
            SecurityEvent::AppPasswordCreated { name },
            meta,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((info, password))
    }

    /// The caller's app passwords, newest first.
    pub async fn list_app_passwords(&self, auth: &Authenticated) -> Result<Vec<AppPasswordInfo>> {
        let mut tx = self.store.begin_read().await?;
        tx.app_passwords_of_user(&auth.user.id).await
    }

    /// Revokes one of the caller's app passwords; another person's id answers `NotFound`.
    pub async fn revoke_app_password(
        &self,
        auth: &Authenticated,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = AppPasswordId(id.to_owned());
        let name = tx
            .delete_app_password(&user.id, &id)
            .await?
            .ok_or(Error::NotFound("app password"))?;
        let revoked = AppPasswordRevoked {
            app_password_id: id,
            name,
        };
        let event = AuditEvent::new(revoked, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }
}
