//! Checking a person's credentials for a mail server or another service that speaks an old
//! protocol ("mail clients must log in again once after activation").
//!
//! The service proves itself with a service token ([`AuthenticatedService`]); the person's
//! username and password come from their mail client. Without 2FA the account password and app
//! passwords are accepted; once a second factor is active only app passwords are, because the
//! account password alone must no longer open anything. The account throttle is the login's own
//! (same key, same counters, same lockouts), and the address counted is the mail client's, as the
//! service reports it, not the service's. An unknown user costs the same hash as a known one.
//!
//! A right account password that is refused (2FA on, or the account locked by "this wasn't me")
//! is not counted as a guess: a mail client that keeps retrying its stored password after the
//! holder turned on 2FA must not lock them out of the web sign-in. It tells an attacker nothing
//! the login's own second step does not.

use crate::app_password::AppPassword;
use crate::audit::{AppAuthFailure, AppAuthSuccess, AuditDetail, AuditEvent, Outcome};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::login::Method;
use crate::model::{AppPasswordId, RequestMeta, User};
use crate::password::Password;
use crate::store::{AppPasswords, AuditLog, Store, Throttle, Transaction, Users};

use super::login::{guess_retry_after, second_step_state, throttle_key};
use super::{AuthenticatedService, Services};

/// How a check ended.
enum Verdict {
    /// Accepted, by the app password with this id or (`None`) by the account password.
    Accepted(Option<AppPasswordId>),
    /// Refused; `guess` when it counts against the throttles.
    Refused { reason: &'static str, guess: bool },
}

impl<S: Store> Services<S> {
    /// Are `username` and `password` good for signing in to `service`? `client.ip` is the mail
    /// client's address. `Ok(false)` for every wrong answer; `TooManyAttempts` when throttled.
    pub async fn app_auth(
        &self,
        service: &AuthenticatedService,
        username: &str,
        password: &Password,
        client: &RequestMeta,
    ) -> Result<bool> {
        let now = self.now();
        let policy = self.settings.throttle;
        let key = throttle_key(username);
        let (user, retry, app_password_id, two_factor) = {
            let mut tx = self.store.begin_read().await?;
            let user = match Email::parse(username) {
                Ok(email) => tx.user_by_email_key(&email.key()).await?,
                Err(_) => None,
            };
            let retry =
                guess_retry_after(&mut tx, &policy, &key, client.ip.as_deref(), now).await?;
            let (app_password_id, two_factor) = match &user {
                Some(u) => {
                    let id = match AppPassword::parse(password.expose()) {
                        Some(p) => tx.app_password_by_digest(&u.id, &p.digest()).await?,
                        None => None,
                    };
                    let state = second_step_state(&mut tx, u).await?;
                    let factor = state
                        .active_methods
                        .iter()
                        .any(|m| *m != Method::RecoveryCode);
                    (id, factor)
                }
                None => (None, false),
            };
            (user, retry, app_password_id, two_factor)
        };
        let event = |detail: AuditDetail, outcome: Outcome| {
            let mut event = AuditEvent::new(detail, outcome, now, client);
            if let Some(u) = &user {
                event = event.by_self(&u.id, &u.contract_id);
            }
            event
        };

        if let Some(retry_after_secs) = retry {
            let mut tx = self.store.begin().await?;
            let detail = AppAuthFailure {
                service: service.name.clone(),
                reason: "throttled",
            };
            tx.append_audit(&event(detail.into(), Outcome::Denied))
                .await?;
            tx.commit().await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        let verdict = self
            .judge(user.as_ref(), password, app_password_id, two_factor)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        match verdict {
            Verdict::Accepted(app_password_id) => {
                if let Some(id) = &app_password_id {
                    tx.touch_app_password(id, now, client.ip.as_deref()).await?;
                }
                tx.clear_account(&key).await?;
                let method = if app_password_id.is_some() {
                    "app_password"
                } else {
                    "password"
                };
                let detail = AppAuthSuccess {
                    service: service.name.clone(),
                    method,
                    app_password_id,
                };
                tx.append_audit(&event(detail.into(), Outcome::Success))
                    .await?;
                tx.commit().await?;
                Ok(true)
            }
            Verdict::Refused { reason, guess } => {
                if guess {
                    self.count_guess_failure(
                        &mut tx,
                        &key,
                        client,
                        now,
                        crate::throttle::Guess::Password,
                    )
                    .await?;
                }
                let detail = AppAuthFailure {
                    service: service.name.clone(),
                    reason,
                };
                tx.append_audit(&event(detail.into(), Outcome::Failure))
                    .await?;
                tx.commit().await?;
                Ok(false)
            }
        }
    }

    /// The decision, costing one password hash on every path but a matching app password.
    async fn judge(
        &self,
        user: Option<&User>,
        password: &Password,
        app_password_id: Option<AppPasswordId>,
        two_factor: bool,
    ) -> Result<Verdict> {
        let locked = user.is_some_and(|u| u.locked_at.is_some());
        if let Some(id) = app_password_id {
            if !locked {
                return Ok(Verdict::Accepted(Some(id)));
            }
            self.hasher.verify(password, None).await?;
            return Ok(Verdict::Refused {
                reason: "account_locked",
                guess: false,
            });
        }
        let phc = user.and_then(|u| u.password_hash.as_deref());
        let right = self.hasher.verify(password, phc).await?;
        Ok(match (right, locked, two_factor) {
            (false, _, _) => Verdict::Refused {
                reason: "invalid_credentials",
                guess: true,
            },
            (true, true, _) => Verdict::Refused {
                reason: "account_locked",
                guess: false,
            },
            (true, false, true) => Verdict::Refused {
                reason: "app_password_required",
                guess: false,
            },
            (true, false, false) => Verdict::Accepted(None),
        })
    }
}
