//! The ticket between the password and the second step: what the second step needs
//! ([`second_step_state`]), where a ticket stands, the live ticket a code is checked against, and
//! the end of the second step, right or wrong; either end also ends the ticket's pending push
//! requests, since the person has moved on. Each factor checks its own code (`service::totp`,
//! `service::recovery`, `service::push`) and comes here to finish; nothing here checks a code.
//!
//! A ticket lives five minutes, serves one login, and dies after five wrong codes; every wrong
//! code also counts against the account throttle. Success is one transaction: the code is used
//! up by a conditional write (the TOTP step advances, or the recovery code is burnt), the ticket
//! is used up the same way, and the session is opened; a concurrent duplicate loses at the first
//! conditional write and changes nothing.

use crate::audit::{AuditDetail, AuditEvent, Outcome, SecondFactorFailure, SecondFactorSuccess};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::{Factor, Method, SecondStepState};
use crate::model::{
    LoginTicket, PushChallengeId, RequestMeta, SessionKind, TicketId, TicketPurpose, User, UserId,
};
use crate::secret::Token;
use crate::store::{
    AuditLog, Contracts, LoginTickets, PushStore, Store, Throttle, TotpFactors, Transaction, Users,
    WebauthnStore,
};

use super::guesses::throttle_key;
use super::session::LoginResult;
use crate::service::Services;

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
    if !tx.webauthn_credentials_of_user(&user.id).await?.is_empty() {
        active_methods.push(Method::Webauthn);
    }
    if tx.recovery_codes_left(&user.id).await? > 0 {
        active_methods.push(Method::RecoveryCode);
    }
    let contract = tx.contract(&user.contract_id).await?;
    let contract_requires = contract.as_ref().is_some_and(|c| c.require_2fa);
    Ok(SecondStepState {
        active_methods,
        two_factor_forced: crate::policy::two_factor_forced(user.force_2fa, contract_requires),
        phishing_resistant_required: contract.is_some_and(|c| c.require_phishing_resistant),
    })
}

/// Where a login ticket stands, so a page can say why a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketLife {
    Live {
        expires_at: UnixTime,
    },
    /// Its time ran out and nothing else happened to it: the person was too slow.
    TimedOut,
    /// Used, killed by wrong codes, voided by a password change, unknown, or for another step.
    Ended,
}

impl<S: Store> Services<S> {
    /// What became of `ticket` for the step `purpose`; writes nothing.
    pub async fn ticket_life(&self, ticket: &Token, purpose: TicketPurpose) -> Result<TicketLife> {
        let mut tx = self.store.begin_read().await?;
        let found = tx.ticket_by_digest(&ticket.digest()).await?;
        Ok(found.map_or(TicketLife::Ended, |t| self.life_of(&t, purpose, self.now())))
    }

    pub(crate) fn life_of(
        &self,
        t: &LoginTicket,
        purpose: TicketPurpose,
        now: UnixTime,
    ) -> TicketLife {
        if t.purpose != purpose || t.used || t.failures >= self.settings.ticket_max_failures {
            TicketLife::Ended
        } else if t.expires_at <= now {
            TicketLife::TimedOut
        } else {
            TicketLife::Live {
                expires_at: t.expires_at,
            }
        }
    }

    /// Does the account have a factor (authenticator app, companion app or key)? Recovery codes
    /// only stand in for one.
    pub(crate) async fn has_factor_in(&self, tx: &mut S::Tx, user: &UserId) -> Result<bool> {
        Ok(tx.active_totp(user).await?.is_some()
            || !tx.push_devices_of_user(user).await?.is_empty()
            || !tx.webauthn_credentials_of_user(user).await?.is_empty())
    }

    /// Refuses a code or a push when the person's contract accepts only a passkey or security
    /// key ("phishing-resistant only"): a page that relays codes could otherwise still sign in.
    pub(crate) async fn refuse_unless_phishing_resistant_optional(
        &self,
        user: &User,
    ) -> Result<()> {
        let mut tx = self.store.begin_read().await?;
        let required = tx
            .contract(&user.contract_id)
            .await?
            .is_some_and(|c| c.require_phishing_resistant);
        if required {
            return Err(Error::PhishingResistantRequired);
        }
        Ok(())
    }

    /// The live ticket and its user, or `InvalidTicket`; `TooManyAttempts` while the account is locked.
    pub(crate) async fn live_ticket(
        &self,
        ticket: &Token,
        purpose: TicketPurpose,
    ) -> Result<(LoginTicket, User)> {
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let t = tx
            .ticket_by_digest(&ticket.digest())
            .await?
            .ok_or(Error::InvalidTicket)?;
        if t.purpose != purpose
            || t.used
            || t.expires_at <= now
            || t.failures >= self.settings.ticket_max_failures
        {
            return Err(Error::InvalidTicket);
        }
        let user = tx
            .user_by_id(&t.user_id)
            .await?
            .ok_or(Error::InvalidTicket)?;
        let counter = tx
            .account_counter(&throttle_key(user.email.as_str()))
            .await?;
        if let Some(retry_after_secs) = self.settings.throttle.account_retry_after(&counter, now) {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
        Ok((t, user))
    }

    pub(crate) async fn finish_second_step(
        &self,
        tx: S::Tx,
        ticket: &LoginTicket,
        user: User,
        factor: Factor,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let method = factor.method().ok_or(Error::InvalidTicket)?;
        let success = SecondFactorSuccess { method };
        self.finish_ticket(tx, ticket, user, factor, success, kind, meta)
            .await
    }

    /// Finishes a login ticket that `factor` passed, audited as `success`: the ticket is used
    /// up (conditionally: of two requests, one finishes), its push requests end, the account's
    /// counter clears, and the session opens with the ticket's methods and this factor. The
    /// one ending of every second step (a code, a push, a key, a remembered browser).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn finish_ticket(
        &self,
        mut tx: S::Tx,
        ticket: &LoginTicket,
        user: User,
        factor: Factor,
        success: impl Into<AuditDetail> + Send,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let now = self.now();
        if !tx.consume_ticket(&ticket.id, now).await? {
            // Another request finished this login first; this one changes nothing.
            return Err(Error::InvalidTicket);
        }
        // The login is finished: its push requests must not stay on the phone.
        self.end_push_of_ticket_in(&mut tx, &ticket.id).await?;
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        let event = AuditEvent::new(success, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        let assurance = self.assurance_of_ticket(&mut tx, ticket, &[factor]).await?;
        let (token, session) = self
            .open_session(&mut tx, &user, kind, meta, assurance, factor.method_name())
            .await?;
        self.retire_stepped_up(&mut tx, ticket, &user).await?;
        tx.commit().await?;
        Ok(LoginResult::Complete {
            token,
            session,
            user,
        })
    }

    /// Counts a wrong code; in `looked`, the transaction that found it wrong (it wrote
    /// nothing), when there is one, so the failure costs no second `BEGIN`.
    pub(crate) async fn second_step_failed(
        &self,
        looked: Option<S::Tx>,
        ticket: &LoginTicket,
        user: &User,
        method: Method,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let now = self.now();
        let mut tx = match looked {
            Some(tx) => tx,
            None => self.store.begin().await?,
        };
        let failures = tx.count_ticket_failure(&ticket.id).await?;
        // Whoever types a code has left the push page: its request is no longer the question.
        self.end_push_of_ticket_in(&mut tx, &ticket.id).await?;
        self.count_guess_failure(
            &mut tx,
            &throttle_key(user.email.as_str()),
            meta,
            now,
            crate::throttle::Guess::Code,
        )
        .await?;
        // A wrong code after a right password: the third within the hour tells the holder
        // that someone knows it. A security key's refusal is no code (a cancelled prompt).
        if matches!(method, Method::Totp | Method::RecoveryCode) {
            self.note_second_factor_failure(&mut tx, user, meta, now)
                .await?;
        }
        let failure = SecondFactorFailure::Login {
            method,
            ticket_failures: failures,
        };
        let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::SecondFactorFailed)
    }

    /// Ends the pending requests of a login ticket inside `tx` and announces each: called
    /// wherever a code is tried for that ticket, right or wrong (the person has left push).
    pub(crate) async fn end_push_of_ticket_in(
        &self,
        tx: &mut S::Tx,
        ticket: &TicketId,
    ) -> Result<Vec<PushChallengeId>> {
        let ended = tx
            .supersede_push_challenges_of_ticket(ticket, self.now())
            .await?;
        for id in &ended {
            tx.announce_push(id.as_str()).await?;
        }
        Ok(ended)
    }
}
