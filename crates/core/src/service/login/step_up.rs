//! The step-up: a signed-in person whose session proved less than a relying application asks
//! for (`/login?acr=mfa|phr`) takes only the missing step. The password is not asked again: a
//! ticket for the second step (or, when no factor of theirs reaches the level, for the setup)
//! is made from the session ([`Services::start_step_up`], audited `login.step_up`), and the
//! ordinary second-step and setup pages take it from there. The session that finishes such a
//! ticket carries the old session's methods plus the new factor, and the old session is revoked
//! in the same transaction ([`Services::assurance_of_ticket`], [`Services::retire_stepped_up`]),
//! so one browser never holds two sessions of different strength.
//!
//! The same two functions serve every ticket: an ordinary sign-in's starts from the password,
//! and both check that the factors proven reach the ticket's `acr` (a code cannot finish a
//! ticket that asked for a key, whichever page it was sent from).

use crate::audit::{AuditEvent, LoginStepUp, Outcome};
use crate::error::{Error, Result};
use crate::login::{Acr, Assurance, Factor, NextStep, after_password, setup_methods};
use crate::model::{LoginTicket, RequestMeta, TicketPurpose, User};
use crate::service::{Authenticated, Services};
use crate::store::{AuditLog, Sessions, Store, Transaction};

use super::second_step::second_step_state;
use super::session::LoginResult;

impl<S: Store> Services<S> {
    /// What a signed-in person must do to reach `required`: `None` when their session already
    /// does (go straight on), else a ticket for the second step, offering only the factors that
    /// reach it, or for the setup of one (`LoginResult::SecondFactor` or `EnrollmentRequired`).
    pub async fn start_step_up(
        &self,
        auth: &Authenticated,
        required: Acr,
        meta: &RequestMeta,
    ) -> Result<Option<LoginResult>> {
        if auth.session.acr() >= required {
            return Ok(None);
        }
        let user = &auth.user;
        let mut tx = self.store.begin().await?;
        let state = second_step_state(&mut tx, user).await?.requiring(required);
        let (purpose, methods) = match after_password(&state) {
            // `requiring` a level above the session's always asks for something.
            NextStep::Complete => return Ok(None),
            NextStep::SecondFactor { methods } => (TicketPurpose::SecondFactor, methods),
            NextStep::EnrollmentRequired => (TicketPurpose::Enrollment, setup_methods(&state)),
        };
        let (ticket, expires_at) = self
            .issue_ticket(
                &mut tx,
                user,
                purpose,
                required,
                Some(auth.session.id.clone()),
            )
            .await?;
        let detail = LoginStepUp {
            session_id: auth.session.id.clone(),
            from: auth.session.acr(),
            to: required,
            step: purpose,
        };
        let event = AuditEvent::new(detail, Outcome::Success, self.now(), meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(Some(match purpose {
            TicketPurpose::SecondFactor => LoginResult::SecondFactor {
                ticket,
                methods,
                expires_at,
            },
            TicketPurpose::Enrollment => LoginResult::EnrollmentRequired {
                ticket,
                methods,
                expires_at,
            },
        }))
    }

    /// The methods of the session ticket `t` opens, now that `proven` passed: added to the
    /// password, or for a step-up to the session it started from (which must still be live:
    /// signed out meanwhile, the step-up has nothing to add to). Refused with
    /// `PhishingResistantRequired` when they fall short of the level the ticket asked for.
    pub(crate) async fn assurance_of_ticket(
        &self,
        tx: &mut S::Tx,
        t: &LoginTicket,
        proven: &[Factor],
    ) -> Result<Assurance> {
        let before = match &t.step_up_of {
            None => Assurance::password(),
            Some(id) => tx
                .sessions_of_user(&t.user_id, self.now())
                .await?
                .into_iter()
                .find(|s| &s.id == id && self.settings.sessions.is_alive(s, self.now()))
                .map(|s| s.assurance)
                .ok_or(Error::InvalidTicket)?,
        };
        let reached = proven.iter().fold(before, |a, f| a.with(*f));
        if reached.acr < t.acr {
            return Err(Error::PhishingResistantRequired);
        }
        Ok(reached)
    }

    /// Revokes the session a step-up started from, once its stronger successor is open.
    pub(crate) async fn retire_stepped_up(
        &self,
        tx: &mut S::Tx,
        t: &LoginTicket,
        user: &User,
    ) -> Result<()> {
        if let Some(id) = &t.step_up_of {
            tx.revoke_session(&user.id, id, self.now()).await?;
        }
        Ok(())
    }

    /// Refuses to finish a ticket that asked for a key with anything else (the setup of an
    /// authenticator app, a code): checked before any work, beside the contract's own rule.
    pub(crate) fn refuse_below(&self, t: &LoginTicket, reaches: Acr) -> Result<()> {
        if reaches < t.acr {
            return Err(Error::PhishingResistantRequired);
        }
        Ok(())
    }
}
