//! Devices and sessions in one place: a person's remembered browsers (list, forget), "sign out
//! everywhere else", and an administrator's view of a user's sessions (list, end one, end all).
//! Listing and ending one of one's own sessions is `sessions.rs`; remembering a browser and
//! signing in with it is the login's. Who may act on whom is asked of `admin.rs`
//! (`managed_target`, which asks `crate::policy`).

use crate::audit::{AuditEvent, BrowserForgotten, Outcome, SessionRevoked, SessionsRevoked};
use crate::error::{Error, Result};
use crate::model::{
    RememberedBrowser, RememberedBrowserId, RequestMeta, Session, SessionId, UserId,
};
use crate::store::{AuditLog, RememberedBrowsers, Sessions, Store, Transaction};

use super::{AdminSession, Authenticated, Services};

impl<S: Store> Services<S> {
    /// The caller's remembered browsers that have not reached their date, newest first.
    pub async fn remembered_browsers(
        &self,
        auth: &Authenticated,
    ) -> Result<Vec<RememberedBrowser>> {
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        tx.remembered_browsers_of_user(&auth.user.id, now).await
    }

    /// Forgets one of the caller's remembered browsers: its next sign-in asks for the second
    /// step again. Another person's id (or an unknown one) answers `NotFound`, alike.
    pub async fn forget_remembered_browser(
        &self,
        auth: &Authenticated,
        id: &RememberedBrowserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        // The delete is conditional on the owner, so no read can race it.
        if !tx.forget_remembered_browser(&auth.user.id, id).await? {
            return Err(Error::NotFound("remembered browser"));
        }
        let forgotten = BrowserForgotten {
            browser_id: id.clone(),
        };
        let event = AuditEvent::new(forgotten, Outcome::Success, now, meta)
            .by_self(&auth.user.id, &auth.user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    /// "Sign out everywhere else": ends every session of the caller but the one asking, and
    /// says how many ended. Remembered browsers stay: forgetting them is a separate choice.
    pub async fn end_other_sessions(
        &self,
        auth: &Authenticated,
        meta: &RequestMeta,
    ) -> Result<u64> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let count = tx
            .revoke_other_sessions(&auth.user.id, Some(&auth.session.id), now)
            .await?;
        let revoked = SessionsRevoked {
            count,
            kept: Some(auth.session.id.clone()),
        };
        let event = AuditEvent::new(revoked, Outcome::Success, now, meta)
            .by_self(&auth.user.id, &auth.user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(count)
    }

    /// The live sessions of a user the administrator may manage, newest first.
    pub async fn user_sessions(&self, admin: &AdminSession, id: &UserId) -> Result<Vec<Session>> {
        let mut tx = self.store.begin_read().await?;
        self.managed_target(&mut tx, admin, id).await?;
        self.live_sessions_of(&mut tx, id).await
    }

    /// An administrator ends one session of a user they may manage; a session that is not that
    /// user's (or already ended) answers `NotFound`. Audited with the administrator as actor and
    /// the user as subject.
    pub async fn end_user_session(
        &self,
        admin: &AdminSession,
        id: &UserId,
        session: &SessionId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.managed_target(&mut tx, admin, id).await?;
        if !tx.revoke_session(id, session, now).await? {
            return Err(Error::NotFound("session"));
        }
        let revoked = SessionRevoked {
            session_id: session.clone(),
        };
        let mut e = admin.event(revoked, now, meta);
        e.subject = Some(id.clone());
        tx.append_audit(&e).await?;
        tx.commit().await
    }

    /// An administrator signs a user out everywhere: every session ends, and every remembered
    /// browser is forgotten too, because an administrator who ends them all usually suspects
    /// someone else holds one, and a remembered browser would spare that someone the second
    /// step at the next sign-in. Returns how many sessions ended.
    pub async fn end_user_sessions(
        &self,
        admin: &AdminSession,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<u64> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.managed_target(&mut tx, admin, id).await?;
        let browsers = tx.remembered_browsers_of_user(id, now).await?;
        tx.forget_remembered_browsers_of_user(id).await?;
        let count = tx.revoke_other_sessions(id, None, now).await?;
        let revoked = SessionsRevoked { count, kept: None };
        let mut e = admin.event(revoked, now, meta);
        e.subject = Some(id.clone());
        tx.append_audit(&e).await?;
        for b in browsers {
            let forgotten = BrowserForgotten { browser_id: b.id };
            let mut e = admin.event(forgotten, now, meta);
            e.subject = Some(id.clone());
            tx.append_audit(&e).await?;
        }
        tx.commit().await?;
        Ok(count)
    }
}
