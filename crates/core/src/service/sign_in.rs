//! Password login, the first step of the login state machine ([`crate::login`]).
//!
//! The order matters: throttles are checked before the password is verified, so a locked account
//! refuses the right password too; an unknown user costs a dummy hash and the same writes as a
//! known one, so neither the answer nor its timing reveals whether the account exists.

use crate::audit::{AuditEvent, LoginFailure, LoginSuccess, LoginThrottled, Outcome};
use crate::clock::UnixTime;
use crate::email::Email;
use crate::error::{Error, Result};
use crate::login::{Method, NextStep, SecondStepState, after_password};
use crate::model::{
    LoginTicket, RequestMeta, Session, SessionId, SessionKind, TicketId, TicketPurpose, User,
};
use crate::password::Password;
use crate::secret::Token;
use crate::store::{AuditLog, LoginTickets, Sessions, Store, Throttle, Transaction, Users};
use crate::throttle::{AccountCounter, Guess, ThrottlePolicy};

use super::Services;

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
    /// only the setup wizard.
    EnrollmentRequired { ticket: Token, expires_at: UnixTime },
    /// The password was right; a second factor must follow, with this ticket.
    SecondFactor {
        ticket: Token,
        methods: Vec<Method>,
        expires_at: UnixTime,
    },
}

/// The key the account throttle counts under: the email key, or the raw name lower-cased when it
/// is not an email (it then matches no account, but is throttled all the same).
pub(crate) fn throttle_key(username: &str) -> String {
    let key = Email::parse(username)
        .map(|e| e.key())
        .unwrap_or_else(|_| username.trim().to_lowercase());
    format!("login:{key}")
}

/// What stands between a correct password and a session for this user.
pub(crate) async fn second_step_state<T: Transaction>(
    tx: &mut T,
    user: &User,
) -> Result<SecondStepState> {
    let mut active_methods = Vec::new();
    if tx.active_totp(&user.id).await?.is_some() {
        active_methods.push(Method::Totp);
    }
    if !tx.push_devices_of_user(&user.id).await?.is_empty() {
        active_methods.push(Method::Push);
    }
    if tx.recovery_codes_left(&user.id).await? > 0 {
        active_methods.push(Method::RecoveryCode);
    }
    let contract_requires = tx
        .contract(&user.contract_id)
        .await?
        .is_some_and(|c| c.require_2fa);
    Ok(SecondStepState {
        active_methods,
        two_factor_forced: crate::policy::two_factor_forced(user.force_2fa, contract_requires),
    })
}

/// How long guesses for the account `key` (and from `ip`, if known) must wait, if either is
/// locked out: every path that checks a secret against the login's throttle asks this first.
pub async fn guess_retry_after<T: Throttle>(
    tx: &mut T,
    policy: &ThrottlePolicy,
    key: &str,
    ip: Option<&str>,
    now: UnixTime,
) -> Result<Option<i64>> {
    let counter = tx.account_counter(key).await?;
    retry_after_with(tx, policy, &counter, ip, now).await
}

/// [`guess_retry_after`] for an account counter already read.
pub async fn retry_after_with<T: Throttle>(
    tx: &mut T,
    policy: &ThrottlePolicy,
    counter: &AccountCounter,
    ip: Option<&str>,
    now: UnixTime,
) -> Result<Option<i64>> {
    let window = match ip {
        Some(ip) => Some(
            tx.address_window(ip, policy.address_window_start(now))
                .await?,
        ),
        None => None,
    };
    Ok(policy
        .account_retry_after(counter, now)
        .into_iter()
        .chain(window.and_then(|w| policy.address_retry_after(&w, now)))
        .max())
}

impl<S: Store> Services<S> {
    pub async fn sign_in(
        &self,
        username: &str,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let user = self.check_password(username, password, meta).await?;
        self.after_correct_password(user, kind, meta, "password")
            .await
    }

    /// What follows a password known to be right (just checked, or just chosen by the person
    /// creating the account): a session, or a ticket for the second step or the forced setup.
    /// `method` is what the audit row says the password came from.
    pub(crate) async fn after_correct_password(
        &self,
        user: User,
        kind: SessionKind,
        meta: &RequestMeta,
        method: &'static str,
    ) -> Result<LoginResult> {
        let mut tx = self.store.begin().await?;
        match after_password(&second_step_state(&mut tx, &user).await?) {
            NextStep::Complete => {
                let (token, session) = self
                    .open_session(&mut tx, &user, kind, meta, false, method)
                    .await?;
                tx.clear_account(&throttle_key(user.email.as_str())).await?;
                tx.commit().await?;
                Ok(LoginResult::Complete {
                    token,
                    session,
                    user,
                })
            }
            NextStep::SecondFactor { methods } => {
                let (ticket, expires_at) = self
                    .issue_ticket(&mut tx, &user, TicketPurpose::SecondFactor)
                    .await?;
                tx.commit().await?;
                Ok(LoginResult::SecondFactor {
                    ticket,
                    methods,
                    expires_at,
                })
            }
            // A forced user without a factor is led through the setup wizard; the
            // ticket allows nothing else.
            NextStep::EnrollmentRequired => {
                let (ticket, expires_at) = self
                    .issue_ticket(&mut tx, &user, TicketPurpose::Enrollment)
                    .await?;
                tx.commit().await?;
                Ok(LoginResult::EnrollmentRequired { ticket, expires_at })
            }
        }
    }

    /// A login ticket for the step after the password: random, stored only as a digest,
    /// short-lived. The forced setup's ticket starts with the longer idle time installing an app
    /// needs, and [`Services::slide_enrolment`] keeps it alive while the person works.
    async fn issue_ticket(
        &self,
        tx: &mut S::Tx,
        user: &User,
        purpose: TicketPurpose,
    ) -> Result<(Token, UnixTime)> {
        let now = self.now();
        let ticket = Token::generate();
        let record = LoginTicket {
            id: TicketId::generate(),
            user_id: user.id.clone(),
            purpose,
            created_at: now,
            expires_at: now.plus_secs(match purpose {
                TicketPurpose::SecondFactor => self.settings.ticket_secs,
                TicketPurpose::Enrollment => self
                    .settings
                    .enrolment_idle_secs
                    .min(self.settings.enrolment_max_secs),
            }),
            failures: 0,
            used: false,
        };
        tx.insert_ticket(&record, &ticket.digest()).await?;
        Ok((ticket, record.expires_at))
    }

    /// The password step shared by every login path: throttles, verification (against a dummy
    /// hash for unknown users), and on failure the counters and the audit row.
    pub(crate) async fn check_password(
        &self,
        username: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<User> {
        let now = self.now();
        let policy = self.settings.throttle;
        let key = throttle_key(username);
        let email_key = Email::parse(username).map(|e| e.key()).ok();

        let (user, retry) = {
            let mut tx = self.store.begin_read().await?;
            let user = match &email_key {
                Some(k) => tx.user_by_email_key(k).await?,
                None => None,
            };
            let retry = guess_retry_after(&mut tx, &policy, &key, meta.ip.as_deref(), now).await?;
            (user, retry)
        };

        if let Some(retry_after_secs) = retry {
            let mut tx = self.store.begin().await?;
            let mut event = AuditEvent::new(LoginThrottled, Outcome::Denied, now, meta);
            event.subject = user.as_ref().map(|u| u.id.clone());
            event.contract = user.as_ref().map(|u| u.contract_id.clone());
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        let phc = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let ok = self.hasher.verify(password, phc).await?;
        if let Some(user) = user.filter(|_| ok) {
            // "This wasn't me" locked the account: only the right password learns that, so a
            // stranger cannot probe which accounts are locked.
            if user.locked_at.is_some() {
                let mut tx = self.store.begin().await?;
                let event =
                    AuditEvent::new(LoginFailure::AccountLocked, Outcome::Denied, now, meta)
                        .by_self(&user.id, &user.contract_id);
                tx.append_audit(&event).await?;
                tx.commit().await?;
                return Err(Error::AccountLocked);
            }
            return Ok(user);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.count_guess_failure(&mut tx, &key, meta, now, Guess::Password)
            .await?;
        let mut event = AuditEvent::new(
            LoginFailure::InvalidCredentials,
            Outcome::Failure,
            now,
            meta,
        );
        if let Some(k) = &email_key {
            // Only a person's own failed logins show in their log; unknown names stay anonymous.
            if let Some(u) = tx.user_by_email_key(k).await? {
                event.subject = Some(u.id);
                event.contract = Some(u.contract_id);
            }
        }
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::InvalidCredentials)
    }

    /// Counts one wrong `guess` against the account and the source address. A wrong code's
    /// lockouts grow to a day, not an hour (it came from someone who knew the password, or it is
    /// a 6-digit SMS code; docs/threat-model.md).
    pub(crate) async fn count_guess_failure(
        &self,
        tx: &mut S::Tx,
        key: &str,
        meta: &RequestMeta,
        now: UnixTime,
        guess: Guess,
    ) -> Result<()> {
        let policy = self.settings.throttle;
        let counted = tx.count_account_failure(key, now).await?;
        if let Some(until) = policy.lock_after(guess, &counted, now) {
            tx.lock_account(key, until).await?;
        }
        if let Some(ip) = &meta.ip {
            tx.count_address_failure(ip, now, policy.address_window_start(now))
                .await?;
        }
        Ok(())
    }

    /// Opens a session for a user who passed every required step, inside the caller's
    /// transaction, and records `login.success`.
    pub(crate) async fn open_session(
        &self,
        tx: &mut S::Tx,
        user: &User,
        kind: SessionKind,
        meta: &RequestMeta,
        second_factor: bool,
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
            second_factor,
        };
        tx.insert_session(&session, &token.digest()).await?;
        tx.set_last_login(&user.id, now).await?;
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
