//! Password login, the first step of the login state machine ([`crate::login`]).
//!
//! The order matters: throttles are checked before the password is verified, so a locked account
//! refuses the right password too; an unknown user costs a dummy hash and the same writes as a
//! known one, so neither the answer nor its timing reveals whether the account exists.

use crate::audit::{AuditEvent, AuditKind, Outcome};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::login::{NextStep, SecondStepState, after_password};
use crate::model::{RequestMeta, Session, SessionId, SessionKind, User};
use crate::password::Password;
use crate::secret::Token;
use crate::store::{AuditLog, Sessions, Store, Throttle, Transaction, Users};

use super::Services;

/// What a login attempt with a correct password leads to.
#[derive(Debug)]
pub enum LoginResult {
    /// Logged in: the token is shown to the client once and stored only as a digest.
    Complete {
        token: Token,
        session: Session,
        user: User,
    },
}

/// The key the account throttle counts under: the email key, or the raw name lower-cased when it
/// is not an email (it then matches no account, but is throttled all the same).
fn throttle_key(username: &str) -> String {
    let key = Email::parse(username)
        .map(|e| e.key())
        .unwrap_or_else(|_| username.trim().to_lowercase());
    format!("login:{key}")
}

impl<S: Store> Services<S> {
    pub async fn sign_in(
        &self,
        username: &str,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let now = self.now();
        let policy = self.settings.throttle;
        let key = throttle_key(username);
        let email_key = Email::parse(username).map(|e| e.key()).ok();

        let (user, counter, window) = {
            let mut tx = self.store.begin_read().await?;
            let user = match &email_key {
                Some(k) => tx.user_by_email_key(k).await?,
                None => None,
            };
            let counter = tx.account_counter(&key).await?;
            let window = match &meta.ip {
                Some(ip) => Some(
                    tx.address_window(ip, policy.address_window_start(now))
                        .await?,
                ),
                None => None,
            };
            (user, counter, window)
        };

        let retry = policy
            .account_retry_after(&counter, now)
            .into_iter()
            .chain(window.and_then(|w| policy.address_retry_after(&w, now)))
            .max();
        if let Some(retry_after_secs) = retry {
            let mut tx = self.store.begin().await?;
            let mut event = AuditEvent::new(AuditKind::LoginThrottled, Outcome::Denied, now, meta);
            event.subject = user.as_ref().map(|u| u.id.clone());
            event.contract = user.as_ref().map(|u| u.contract_id.clone());
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        let phc = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let ok = self.hasher.verify(password, phc).await?;
        let now = self.now();

        let Some(user) = user.filter(|_| ok) else {
            let mut tx = self.store.begin().await?;
            let counted = tx.count_account_failure(&key, now).await?;
            if let Some(until) = policy.lock_after_failure(&counted, now) {
                tx.lock_account(&key, until).await?;
            }
            if let Some(ip) = &meta.ip {
                tx.count_address_failure(ip, now, policy.address_window_start(now))
                    .await?;
            }
            let mut event = AuditEvent::new(AuditKind::LoginFailure, Outcome::Failure, now, meta)
                .detail(serde_json::json!({ "reason": "invalid_credentials" }));
            if let Some(k) = &email_key {
                // Only a person's own failed logins show in their log; unknown names stay anonymous.
                if let Some(u) = tx.user_by_email_key(k).await? {
                    event.subject = Some(u.id);
                    event.contract = Some(u.contract_id);
                }
            }
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidCredentials);
        };

        match after_password(&SecondStepState::default()) {
            NextStep::Complete => self.complete_login(user, &key, kind, meta).await,
            // Factors come with later issues; until then nobody has one.
            NextStep::SecondFactor { .. } | NextStep::EnrollmentRequired => {
                Err(Error::internal_msg("second factors are not available yet"))
            }
        }
    }

    /// Opens a session for a user who passed every required step.
    async fn complete_login(
        &self,
        user: User,
        throttle_key: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
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
        };
        let mut tx = self.store.begin().await?;
        tx.clear_account(throttle_key).await?;
        tx.insert_session(&session, &token.digest()).await?;
        tx.set_last_login(&user.id, now).await?;
        let event = AuditEvent::new(AuditKind::LoginSuccess, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id)
            .detail(
                serde_json::json!({ "session_id": session.id.as_str(), "kind": kind.as_str() }),
            );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(LoginResult::Complete {
            token,
            session,
            user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::throttle_key;

    #[test]
    fn the_throttle_counts_one_account_whatever_the_spelling() {
        assert_eq!(
            throttle_key(" Alice@Example.com"),
            throttle_key("alice@example.COM")
        );
        assert_eq!(throttle_key("NotAnEmail"), "login:notanemail");
    }
}
