//! One Access-Request, by the client's mode: the password first (`challenge`, `push`), and the
//! helpers every mode shares; the requests that carry a code are [`super::codes`]'s.
//!
//! The order is the login's: the account and address throttles first (a throttled account
//! refuses the right password too), then one password hash (a dummy one for an unknown user or
//! a user of another contract, so neither the answer nor its timing tells them apart), then the
//! account's state. What a right password leads to is the login state machine's: no factor and
//! nothing requiring one lets the person in; two-factor required without a factor is refused;
//! otherwise a code or a push approval is needed. Wrong passwords count as password guesses,
//! wrong codes as code guesses, against the account and the person's address.

use crate::audit::{AuditDetail, AuditEvent, Outcome, RadiusAccept, RadiusChallenge, RadiusReject};
use crate::email::Email;
use crate::error::Result;
use crate::login::Method;
use crate::model::User;
use crate::radius::{RadiusClient, RadiusMode, STATE_SECS};
use crate::secret::Token;
use crate::store::{AuditLog, Contracts, RadiusStore, Store, Throttle, Transaction, Users};
use crate::throttle::Guess;

use super::{RadiusAnswer, RadiusOutcome, RadiusPrompt, RadiusRefusal, RadiusRequest};
use crate::service::Services;
use crate::service::login::{guess_retry_after, second_step_state, throttle_key};

/// Appends the audit row of a decision: in the client's contract's log, naming the person when
/// known.
pub(super) async fn record<T: AuditLog>(
    tx: &mut T,
    client: &RadiusClient,
    user: Option<&User>,
    detail: AuditDetail,
    outcome: Outcome,
    now: crate::UnixTime,
    meta: &crate::model::RequestMeta,
) -> Result<()> {
    tx.append_audit(&decision_event(client, user, detail, outcome, now, meta))
        .await
}

fn decision_event(
    client: &RadiusClient,
    user: Option<&User>,
    detail: AuditDetail,
    outcome: Outcome,
    now: crate::UnixTime,
    meta: &crate::model::RequestMeta,
) -> AuditEvent {
    let mut event = AuditEvent::new(detail, outcome, now, meta);
    if let Some(u) = user {
        event = event.by_self(&u.id, &u.contract_id);
    }
    event.contract = Some(client.contract_id.clone());
    event
}

pub(super) fn reject_detail(client: &RadiusClient, refusal: RadiusRefusal) -> AuditDetail {
    RadiusReject {
        client: client.name.clone(),
        mode: client.mode.as_str(),
        reason: refusal.reason(),
    }
    .into()
}

/// A sign-in let through, in `tx`: the account's failures cleared (as any successful sign-in
/// clears them) and the `radius.accept` row naming what proved the person. The caller commits.
pub(super) async fn accept_in<T: AuditLog + Throttle>(
    tx: &mut T,
    client: &RadiusClient,
    user: &User,
    method: &'static str,
    now: crate::UnixTime,
    meta: &crate::model::RequestMeta,
) -> Result<()> {
    tx.clear_account(&throttle_key(user.email.as_str())).await?;
    let detail = RadiusAccept {
        client: client.name.clone(),
        mode: client.mode.as_str(),
        method,
    };
    record(
        tx,
        client,
        Some(user),
        detail.into(),
        Outcome::Success,
        now,
        meta,
    )
    .await
}

/// Where a right password leads, by the account's factors and the client's mode.
enum AfterPassword {
    Accept,
    Refuse(RadiusRefusal),
    Challenge(RadiusPrompt),
    Push,
}

impl<S: Store> Services<S> {
    /// Decides one Access-Request of `client`.
    pub async fn radius_access(
        &self,
        client: &RadiusClient,
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        // The contract accepts only passkeys and security keys: RADIUS carries neither, and this
        // is the same for every account of the client's contract, so saying so reveals nothing.
        let phishing_resistant_only = {
            let mut read = self.store.begin_read().await?;
            read.contract(&client.contract_id)
                .await?
                .is_some_and(|c| c.require_phishing_resistant)
        };
        if phishing_resistant_only {
            let refusal = RadiusRefusal::PhishingResistantRequired;
            return self.refuse(client, None, refusal, &req, false).await;
        }
        if let Some(state) = req.state {
            return self.radius_answer_challenge(client, state, req).await;
        }
        match client.mode {
            RadiusMode::CodeOnly => self.radius_code_only(client, req).await,
            RadiusMode::PasswordAndCode => self.radius_password_and_code(client, req).await,
            RadiusMode::Challenge | RadiusMode::Push => {
                self.radius_password_first(client, req).await
            }
        }
    }

    /// The account called `username` if it belongs to the client's contract.
    pub(super) async fn radius_user(
        &self,
        tx: &mut S::Tx,
        client: &RadiusClient,
        username: &str,
    ) -> Result<Option<User>> {
        let Ok(email) = Email::parse(username) else {
            return Ok(None);
        };
        Ok(tx
            .user_by_email_key(&email.key())
            .await?
            .filter(|u| u.contract_id == client.contract_id))
    }

    /// Writes the refusal's audit row (and counts a guess when `guess` says which), answers it.
    pub(super) async fn refuse(
        &self,
        client: &RadiusClient,
        user: Option<&User>,
        refusal: RadiusRefusal,
        req: &RadiusRequest<'_>,
        tell_person: bool,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let detail = reject_detail(client, refusal);
        let outcome = match refusal {
            RadiusRefusal::Throttled { .. } | RadiusRefusal::PhishingResistantRequired => {
                Outcome::Denied
            }
            _ => Outcome::Failure,
        };
        record(&mut tx, client, user, detail, outcome, now, req.meta).await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Reject(refusal), user.filter(|_| tell_person)))
    }

    /// A wrong guess: counted against the account and the person's address, audited.
    pub(super) async fn refuse_guess(
        &self,
        tx: &mut S::Tx,
        client: &RadiusClient,
        user: Option<&User>,
        refusal: RadiusRefusal,
        guess: Guess,
        req: &RadiusRequest<'_>,
    ) -> Result<()> {
        let now = self.now();
        let key = throttle_key(req.username);
        self.count_guess_failure(tx, &key, req.meta, now, guess)
            .await?;
        let detail = reject_detail(client, refusal);
        record(tx, client, user, detail, Outcome::Failure, now, req.meta).await
    }

    pub(super) fn answer(&self, outcome: RadiusOutcome, person: Option<&User>) -> RadiusAnswer {
        RadiusAnswer {
            outcome,
            locale: person.map(|u| u.locale(self.settings.default_language)),
        }
    }

    /// How long this account and address must wait, if they must.
    pub(super) async fn radius_retry(
        &self,
        tx: &mut S::Tx,
        req: &RadiusRequest<'_>,
    ) -> Result<Option<i64>> {
        let policy = self.settings.throttle;
        let key = throttle_key(req.username);
        guess_retry_after(tx, &policy, &key, req.meta.ip.as_deref(), self.now()).await
    }

    /// `challenge` and `push`: the password alone comes first.
    async fn radius_password_first(
        &self,
        client: &RadiusClient,
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let (user, retry) = {
            let mut read = self.store.begin_read().await?;
            let user = self.radius_user(&mut read, client, req.username).await?;
            (user, self.radius_retry(&mut read, &req).await?)
        };
        if let Some(retry_after_secs) = retry {
            let refusal = RadiusRefusal::Throttled { retry_after_secs };
            return self
                .refuse(client, user.as_ref(), refusal, &req, false)
                .await;
        }
        let phc = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let right = self.hasher.verify(req.password, phc).await?;
        let Some(user) = user.filter(|_| right) else {
            return self.refuse_wrong_password(client, req).await;
        };
        self.after_radius_password(client, &user, &req).await
    }

    /// The password was wrong (or the account is not the client's): one password guess.
    pub(super) async fn refuse_wrong_password(
        &self,
        client: &RadiusClient,
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let mut tx = self.store.begin().await?;
        // Only a person's own failed sign-ins show in their log; unknown names stay anonymous.
        let user = self.radius_user(&mut tx, client, req.username).await?;
        let refusal = RadiusRefusal::WrongCredentials;
        self.refuse_guess(
            &mut tx,
            client,
            user.as_ref(),
            refusal,
            Guess::Password,
            &req,
        )
        .await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Reject(refusal), None))
    }

    /// What a right password leads to at a `challenge` or `push` client.
    async fn after_radius_password(
        &self,
        client: &RadiusClient,
        user: &User,
        req: &RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        if user.locked_at.is_some() {
            return self
                .refuse(client, Some(user), RadiusRefusal::AccountLocked, req, true)
                .await;
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let state = second_step_state(&mut tx, user).await?;
        let has = |m: Method| state.active_methods.contains(&m);
        let next = if state.active_methods.is_empty() {
            if state.two_factor_forced {
                AfterPassword::Refuse(RadiusRefusal::EnrolmentRequired)
            } else {
                AfterPassword::Accept
            }
        } else if client.mode == RadiusMode::Push && has(Method::Push) {
            AfterPassword::Push
        } else if has(Method::Totp) {
            AfterPassword::Challenge(RadiusPrompt::AuthenticatorCode)
        } else if has(Method::RecoveryCode) {
            AfterPassword::Challenge(RadiusPrompt::RecoveryCode)
        } else {
            AfterPassword::Refuse(RadiusRefusal::NoUsableFactor)
        };
        match next {
            AfterPassword::Accept => {
                accept_in(&mut tx, client, user, "password", now, req.meta).await?;
                tx.commit().await?;
                Ok(self.answer(RadiusOutcome::Accept, Some(user)))
            }
            AfterPassword::Refuse(refusal) => {
                drop(tx);
                self.refuse(client, Some(user), refusal, req, true).await
            }
            AfterPassword::Challenge(prompt) => {
                let state = Token::generate();
                tx.insert_radius_state(
                    &state.digest(),
                    &client.id,
                    &user.id,
                    now,
                    now.plus_secs(STATE_SECS),
                )
                .await?;
                let detail = RadiusChallenge {
                    client: client.name.clone(),
                    mode: client.mode.as_str(),
                    prompt: prompt.as_str(),
                };
                record(
                    &mut tx,
                    client,
                    Some(user),
                    detail.into(),
                    Outcome::Success,
                    now,
                    req.meta,
                )
                .await?;
                tx.commit().await?;
                Ok(self.answer(RadiusOutcome::Challenge { state, prompt }, Some(user)))
            }
            AfterPassword::Push => self.start_radius_push(tx, client, user, req).await,
        }
    }
}
