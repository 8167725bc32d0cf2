//! One Access-Request, by the client's mode, and the second request of a challenge.
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
use crate::password::Password;
use crate::radius::{RadiusClient, RadiusMode, STATE_SECS, split_password_and_code};
use crate::secret::Token;
use crate::store::{
    AuditLog, Contracts, RadiusStore, Store, StoredTotp, Throttle, TotpFactors, Transaction, Users,
};
use crate::throttle::Guess;

use super::{RadiusAnswer, RadiusOutcome, RadiusPrompt, RadiusRefusal, RadiusRequest};
use crate::service::Services;
use crate::service::login::{guess_retry_after, second_step_state, throttle_key};

/// The audit row of a decision: in the client's contract's log, naming the person when known.
pub(super) fn decision_event(
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

pub(super) fn accept_detail(client: &RadiusClient, method: &'static str) -> AuditDetail {
    RadiusAccept {
        client: client.name.clone(),
        mode: client.mode.as_str(),
        method,
    }
    .into()
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
    async fn radius_user(
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
    async fn refuse(
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
        tx.append_audit(&decision_event(
            client, user, detail, outcome, now, req.meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Reject(refusal), user.filter(|_| tell_person)))
    }

    /// A wrong guess: counted against the account and the person's address, audited.
    async fn refuse_guess(
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
        tx.append_audit(&decision_event(
            client,
            user,
            detail,
            Outcome::Failure,
            now,
            req.meta,
        ))
        .await
    }

    pub(super) fn answer(&self, outcome: RadiusOutcome, person: Option<&User>) -> RadiusAnswer {
        RadiusAnswer {
            outcome,
            locale: person.map(|u| u.locale(self.settings.default_language)),
        }
    }

    /// How long this account and address must wait, if they must.
    async fn radius_retry(&self, tx: &mut S::Tx, req: &RadiusRequest<'_>) -> Result<Option<i64>> {
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
    async fn refuse_wrong_password(
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
                tx.clear_account(&throttle_key(user.email.as_str())).await?;
                let detail = accept_detail(client, "password");
                tx.append_audit(&decision_event(
                    client,
                    Some(user),
                    detail,
                    Outcome::Success,
                    now,
                    req.meta,
                ))
                .await?;
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
                tx.append_audit(&decision_event(
                    client,
                    Some(user),
                    detail.into(),
                    Outcome::Success,
                    now,
                    req.meta,
                ))
                .await?;
                tx.commit().await?;
                Ok(self.answer(RadiusOutcome::Challenge { state, prompt }, Some(user)))
            }
            AfterPassword::Push => self.start_radius_push(tx, client, user, req).await,
        }
    }

    /// The second request of a challenge: the State names whose password was right; the
    /// request carries the code. The State is used up whatever the code, on every node.
    async fn radius_answer_challenge(
        &self,
        client: &RadiusClient,
        state: &[u8],
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let taken = match std::str::from_utf8(state) {
            Ok(s) => {
                tx.take_radius_state(&Token::from_client(s).digest(), &client.id, now)
                    .await?
            }
            Err(_) => None,
        };
        let named = self.radius_user(&mut tx, client, req.username).await?;
        let user = match (taken, named) {
            (Some(id), Some(user)) if user.id == id => user,
            // Unknown, used, expired, another client's, or another person's State.
            (_, named) => {
                let refusal = RadiusRefusal::StateInvalid;
                let detail = reject_detail(client, refusal);
                tx.append_audit(&decision_event(
                    client,
                    named.as_ref(),
                    detail,
                    Outcome::Failure,
                    now,
                    req.meta,
                ))
                .await?;
                tx.commit().await?;
                return Ok(self.answer(RadiusOutcome::Reject(refusal), None));
            }
        };
        if let Some(retry_after_secs) = self.radius_retry(&mut tx, &req).await? {
            let refusal = RadiusRefusal::Throttled { retry_after_secs };
            let detail = reject_detail(client, refusal);
            tx.append_audit(&decision_event(
                client,
                Some(&user),
                detail,
                Outcome::Denied,
                now,
                req.meta,
            ))
            .await?;
            tx.commit().await?;
            return Ok(self.answer(RadiusOutcome::Reject(refusal), Some(&user)));
        }
        if user.locked_at.is_some() {
            drop(tx);
            return self
                .refuse(
                    client,
                    Some(&user),
                    RadiusRefusal::AccountLocked,
                    &req,
                    true,
                )
                .await;
        }
        let totp = tx.active_totp(&user.id).await?;
        let code = req.password.expose().trim();
        self.finish_with_code(
            tx,
            client,
            &user,
            totp,
            code,
            RadiusRefusal::WrongCode,
            &req,
        )
        .await
    }

    /// Checks `code` and answers: accepted (the account's failures cleared), or `refusal` with
    /// one code guess counted. Commits `tx`.
    #[allow(clippy::too_many_arguments)]
    async fn finish_with_code(
        &self,
        mut tx: S::Tx,
        client: &RadiusClient,
        user: &User,
        totp: Option<StoredTotp>,
        code: &str,
        refusal: RadiusRefusal,
        req: &RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        match self
            .use_gateway_code(&mut tx, user, totp, code, req.meta)
            .await?
        {
            Some(method) => {
                tx.clear_account(&throttle_key(user.email.as_str())).await?;
                let detail = accept_detail(client, method);
                tx.append_audit(&decision_event(
                    client,
                    Some(user),
                    detail,
                    Outcome::Success,
                    now,
                    req.meta,
                ))
                .await?;
                tx.commit().await?;
                Ok(self.answer(RadiusOutcome::Accept, Some(user)))
            }
            None => {
                self.refuse_guess(&mut tx, client, Some(user), refusal, Guess::Code, req)
                    .await?;
                tx.commit().await?;
                let person = (refusal == RadiusRefusal::WrongCode).then_some(user);
                Ok(self.answer(RadiusOutcome::Reject(refusal), person))
            }
        }
    }

    /// `password+code`: one request; the last 6 digits (8 for an 8-digit authenticator) are
    /// the code and the rest is the password. An account without a factor, where nothing
    /// requires one, signs in with its password alone.
    async fn radius_password_and_code(
        &self,
        client: &RadiusClient,
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let (user, totp, state, retry) = {
            let mut read = self.store.begin_read().await?;
            let user = self.radius_user(&mut read, client, req.username).await?;
            let (totp, state) = match &user {
                Some(u) => (
                    read.active_totp(&u.id).await?,
                    Some(second_step_state(&mut read, u).await?),
                ),
                None => (None, None),
            };
            (user, totp, state, self.radius_retry(&mut read, &req).await?)
        };
        if let Some(retry_after_secs) = retry {
            let refusal = RadiusRefusal::Throttled { retry_after_secs };
            return self
                .refuse(client, user.as_ref(), refusal, &req, false)
                .await;
        }
        let typed = req.password.expose();
        let no_factor = state.as_ref().is_some_and(|s| s.active_methods.is_empty());
        let digits = totp.as_ref().map_or(6, |t| t.params.digits as usize);
        // Without a factor the whole input is the password; otherwise the code is split off
        // (for an unknown user too, so the hash costs the same).
        let (password, code) = match split_password_and_code(typed, digits) {
            Some((p, c)) if !no_factor => (p, Some(c)),
            _ => (typed, None),
        };
        let phc = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let right = self.hasher.verify(&Password::new(password), phc).await?;
        let Some(user) = user.filter(|_| right) else {
            return self.refuse_wrong_password(client, req).await;
        };
        if user.locked_at.is_some() {
            return self
                .refuse(
                    client,
                    Some(&user),
                    RadiusRefusal::AccountLocked,
                    &req,
                    true,
                )
                .await;
        }
        let state = state.unwrap_or_default();
        if state.active_methods.is_empty() {
            let refusal = if state.two_factor_forced {
                RadiusRefusal::EnrolmentRequired
            } else {
                return self.accept_password_alone(client, &user, &req).await;
            };
            return self.refuse(client, Some(&user), refusal, &req, true).await;
        }
        if totp.is_none() {
            let refusal = RadiusRefusal::NoUsableFactor;
            return self.refuse(client, Some(&user), refusal, &req, true).await;
        }
        let tx = self.store.begin().await?;
        let refusal = RadiusRefusal::WrongCredentials;
        self.finish_with_code(tx, client, &user, totp, code.unwrap_or(""), refusal, &req)
            .await
    }

    async fn accept_password_alone(
        &self,
        client: &RadiusClient,
        user: &User,
        req: &RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        let detail = accept_detail(client, "password");
        tx.append_audit(&decision_event(
            client,
            Some(user),
            detail,
            Outcome::Success,
            now,
            req.meta,
        ))
        .await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Accept, Some(user)))
    }

    /// `code-only`: the request carries the code alone (no password, no hash), as `/validate`.
    async fn radius_code_only(
        &self,
        client: &RadiusClient,
        req: RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let mut tx = self.store.begin().await?;
        let user = self.radius_user(&mut tx, client, req.username).await?;
        if let Some(retry_after_secs) = self.radius_retry(&mut tx, &req).await? {
            drop(tx);
            let refusal = RadiusRefusal::Throttled { retry_after_secs };
            return self
                .refuse(client, user.as_ref(), refusal, &req, false)
                .await;
        }
        let refusal = RadiusRefusal::WrongCredentials;
        let code = req.password.expose().trim();
        match user.filter(|u| u.locked_at.is_none()) {
            Some(user) => {
                let totp = tx.active_totp(&user.id).await?;
                self.finish_with_code(tx, client, &user, totp, code, refusal, &req)
                    .await
            }
            None => {
                let user = self.radius_user(&mut tx, client, req.username).await?;
                self.refuse_guess(&mut tx, client, user.as_ref(), refusal, Guess::Code, &req)
                    .await?;
                tx.commit().await?;
                Ok(RadiusAnswer::anonymous(RadiusOutcome::Reject(refusal)))
            }
        }
    }
}
