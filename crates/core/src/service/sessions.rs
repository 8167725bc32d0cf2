//! Sessions after login: authenticating a request by its token, listing and revoking sessions,
//! logging out.

use crate::audit::{AuditEvent, Logout, Outcome, SessionRevoked};
use crate::error::{Error, Result};
use crate::model::{RequestMeta, Session, SessionId, User, UserId};
use crate::secret::Token;
use crate::store::{AuditLog, Sessions, Store, Transaction, Users};

use super::Services;

/// A request whose token belongs to a live session. Only [`Services::authenticate`] makes one.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session: Session,
    pub user: User,
}

/// Recording every request's activity would turn each read into a write; a minute's precision is
/// plenty for an idle timeout measured in tens of minutes.
const TOUCH_AFTER_SECS: i64 = 60;

impl<S: Store> Services<S> {
    pub async fn authenticate(&self, token: &Token) -> Result<Authenticated> {
        let now = self.now();
        let (session, user) = {
            let mut tx = self.store.begin_read().await?;
            let session = tx
                .session_by_digest(&token.digest())
                .await?
                .ok_or(Error::Unauthenticated)?;
            if !self.settings.sessions.is_alive(&session, now) {
                return Err(Error::Unauthenticated);
            }
            let user = tx
                .user_by_id(&session.user_id)
                .await?
                .ok_or(Error::Unauthenticated)?;
            // Locking revokes the sessions too; this also covers one opened in a race with it.
            if user.locked_at.is_some() {
                return Err(Error::Unauthenticated);
            }
            (session, user)
        };
        if now.0 - session.last_seen_at.0 >= TOUCH_AFTER_SECS {
            let mut tx = self.store.begin().await?;
            tx.touch_session(&session.id, now).await?;
            tx.commit().await?;
        }
        Ok(Authenticated { session, user })
    }

    pub async fn list_sessions(&self, auth: &Authenticated) -> Result<Vec<Session>> {
        let mut tx = self.store.begin_read().await?;
        self.live_sessions_of(&mut tx, &auth.user.id).await
    }

    /// A user's sessions that are still alive (neither revoked, past their end, nor idle too
    /// long), newest first: the person's own list and an administrator's.
    pub(crate) async fn live_sessions_of(
        &self,
        tx: &mut S::Tx,
        user: &UserId,
    ) -> Result<Vec<Session>> {
        let now = self.now();
        let all = tx.sessions_of_user(user, now).await?;
        Ok(all
            .into_iter()
            .filter(|s| self.settings.sessions.is_alive(s, now))
            .collect())
    }

    /// Revokes one of the caller's own sessions; another user's id answers `NotFound`.
    pub async fn revoke_session(
        &self,
        auth: &Authenticated,
        id: &SessionId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_session(&auth.user.id, id, now).await? {
            return Err(Error::NotFound("session"));
        }
        let revoked = SessionRevoked {
            session_id: id.clone(),
        };
        let event = AuditEvent::new(revoked, Outcome::Success, now, meta)
            .by_self(&auth.user.id, &auth.user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    pub async fn logout(&self, auth: &Authenticated, meta: &RequestMeta) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.revoke_session(&auth.user.id, &auth.session.id, now)
            .await?;
        let logout = Logout {
            session_id: auth.session.id.clone(),
        };
        let event = AuditEvent::new(logout, Outcome::Success, now, meta)
            .by_self(&auth.user.id, &auth.user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }
}
