//! The requests that carry a code: the second request of a challenge (its State names whose
//! password was right), `password+code` (the code typed after the password) and `code-only`.
//! A code is checked as a gateway checks it (`service::login::code`): the current TOTP step of the
//! authenticator, else a recovery code, each used up by a conditional write, so a code used here
//! no longer works anywhere else. A wrong code counts as a code guess against the account and the
//! person's address.

use crate::audit::Outcome;
use crate::error::Result;
use crate::model::User;
use crate::password::Password;
use crate::radius::{RadiusClient, split_password_and_code};
use crate::secret::Token;
use crate::store::{RadiusStore, Store, StoredTotp, TotpFactors, Transaction};
use crate::throttle::Guess;

use super::access::{accept_in, record, reject_detail};
use super::{RadiusAnswer, RadiusOutcome, RadiusRefusal, RadiusRequest};
use crate::service::Services;
use crate::service::login::second_step_state;

impl<S: Store> Services<S> {
    /// The second request of a challenge: the State names whose password was right; the
    /// request carries the code. The State is used up whatever the code, on every node.
    pub(super) async fn radius_answer_challenge(
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
                record(
                    &mut tx,
                    client,
                    named.as_ref(),
                    detail,
                    Outcome::Failure,
                    now,
                    req.meta,
                )
                .await?;
                tx.commit().await?;
                return Ok(self.answer(RadiusOutcome::Reject(refusal), None));
            }
        };
        if let Some(retry_after_secs) = self.radius_retry(&mut tx, &req).await? {
            let refusal = RadiusRefusal::Throttled { retry_after_secs };
            let detail = reject_detail(client, refusal);
            record(
                &mut tx,
                client,
                Some(&user),
                detail,
                Outcome::Denied,
                now,
                req.meta,
            )
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
                accept_in(&mut tx, client, user, method, now, req.meta).await?;
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
    pub(super) async fn radius_password_and_code(
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
        accept_in(&mut tx, client, user, "password", now, req.meta).await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Accept, Some(user)))
    }

    /// `code-only`: the request carries the code alone (no password, no hash), as `/validate`.
    pub(super) async fn radius_code_only(
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
