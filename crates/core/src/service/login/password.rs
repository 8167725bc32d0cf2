//! The password step, the first of a login ([`crate::login`]): `sign_in`, the password check
//! every path that takes a password shares, and what a correct password leads to.
//!
//! The order matters: throttles are checked before the password is verified, so a locked account
//! refuses the right password too; an unknown user costs a dummy hash and the same writes as a
//! known one, so neither the answer nor its timing reveals whether the account exists. This step
//! issues tickets but never checks a code: the second step is [`super::second_step`]'s.

use crate::audit::{AuditEvent, LoginFailure, LoginThrottled, Outcome};
use crate::clock::UnixTime;
use crate::email::Email;
use crate::error::{Error, Result};
use crate::login::{Acr, Assurance, NextStep, after_password, setup_methods};
use crate::model::{
    LoginTicket, RequestMeta, SessionId, SessionKind, TicketId, TicketPurpose, User,
};
use crate::password::Password;
use crate::secret::Token;
use crate::store::{AuditLog, LoginTickets, Store, Throttle, Transaction, Users};
use crate::throttle::Guess;

use super::guesses::{guess_retry_after, throttle_key};
use super::second_step::second_step_state;
use super::session::LoginResult;
use crate::service::Services;

impl<S: Store> Services<S> {
    pub async fn sign_in(
        &self,
        username: &str,
        password: &Password,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        self.sign_in_for(username, password, Acr::Pwd, kind, meta)
            .await
    }

    /// A sign-in that must end at `required` (a relying application asked for `acr`): a person
    /// whose factors cannot reach it is led to the setup, as if an administrator required it.
    pub async fn sign_in_for(
        &self,
        username: &str,
        password: &Password,
        required: Acr,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let user = self.check_password(username, password, meta).await?;
        self.after_correct_password(user, required, kind, meta, "password")
            .await
    }

    /// What follows a password known to be right (just checked, or just chosen by the person
    /// creating the account): a session, or a ticket for the second step or the forced setup.
    /// `method` is what the audit row says the password came from.
    pub(crate) async fn after_correct_password(
        &self,
        user: User,
        required: Acr,
        kind: SessionKind,
        meta: &RequestMeta,
        method: &'static str,
    ) -> Result<LoginResult> {
        let mut tx = self.store.begin().await?;
        let state = second_step_state(&mut tx, &user).await?.requiring(required);
        match after_password(&state) {
            NextStep::Complete => {
                let (token, session) = self
                    .open_session(&mut tx, &user, kind, meta, Assurance::password(), method)
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
                    .issue_ticket(&mut tx, &user, TicketPurpose::SecondFactor, required, None)
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
                    .issue_ticket(&mut tx, &user, TicketPurpose::Enrollment, required, None)
                    .await?;
                tx.commit().await?;
                Ok(LoginResult::EnrollmentRequired {
                    ticket,
                    methods: setup_methods(&state),
                    expires_at,
                })
            }
        }
    }

    /// A login ticket for the step after the password: random, stored only as a digest,
    /// short-lived. The forced setup's ticket starts with the longer idle time installing an app
    /// needs, and [`Services::slide_enrolment`] keeps it alive while the person works.
    pub(crate) async fn issue_ticket(
        &self,
        tx: &mut S::Tx,
        user: &User,
        purpose: TicketPurpose,
        acr: Acr,
        step_up_of: Option<SessionId>,
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
            acr,
            step_up_of,
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
}
