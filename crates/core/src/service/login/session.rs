//! The end of every login: what a login attempt leads to ([`LoginResult`]) and the session a
//! person who passed every required step gets. It checks no secret: its callers did.

use crate::audit::{AuditEvent, LoginSuccess, Outcome};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::{Assurance, Method};
use crate::model::{RequestMeta, Session, SessionId, SessionKind, User};
use crate::secret::Token;
use crate::service::Services;
use crate::store::{AuditLog, Sessions, Store, Users};

/// What a login attempt with a correct password leads to. Short-lived, so the size difference
/// between the variants does not matter.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum LoginResult {
    /// Logged in: the token is shown to the client once and stored only as a digest.
    Complete {
        token: Token,
        session: Session,
        user: User,
    },
    /// The password was right, but 2FA is forced and the user has no factor: the ticket allows
    /// only the setup wizard, which may add one of `methods`.
    EnrollmentRequired {
        ticket: Token,
        methods: Vec<Method>,
        expires_at: UnixTime,
    },
    /// The password was right; a second factor must follow, with this ticket.
    SecondFactor {
        ticket: Token,
        methods: Vec<Method>,
        expires_at: UnixTime,
    },
}

impl<S: Store> Services<S> {
    /// Opens a session for a user who passed every required step, inside the caller's
    /// transaction, and records `login.success`; a sign-in from a browser or network new to the
    /// account queues "New sign-in to your account" ([`Services::note_sign_in`]).
    pub(crate) async fn open_session(
        &self,
        tx: &mut S::Tx,
        user: &User,
        kind: SessionKind,
        meta: &RequestMeta,
        assurance: Assurance,
        method: &'static str,
    ) -> Result<(Token, Session)> {
        // The user may have locked the account since the password step (a ticket is still
        // alive): read the flag again inside this transaction.
        let current = tx.user_by_id(&user.id).await?;
        if current.is_none_or(|u| u.locked_at.is_some()) {
            return Err(Error::AccountLocked);
        }
        let now = self.now();
        let token = Token::generate();
        let session = Session {
            id: SessionId::generate(),
            user_id: user.id.clone(),
            kind,
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus_secs(self.settings.sessions.absolute_secs),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            second_factor: assurance.second_factor(),
            assurance,
        };
        tx.insert_session(&session, &token.digest()).await?;
        tx.set_last_login(&user.id, now).await?;
        self.note_sign_in(tx, user, meta, &session.assurance, now)
            .await?;
        let success = LoginSuccess {
            method,
            session_id: session.id.clone(),
            kind,
        };
        let event = AuditEvent::new(success, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        Ok((token, session))
    }
}
