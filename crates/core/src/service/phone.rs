//! Verifying a mobile number: a person enters a number, receives a six-digit code by
//! SMS and types it back; only then is the number theirs. A verified number is replaced the same
//! way, and the change needs the current password, so a session left open cannot redirect the
//! codes. Sends are limited per account (one a minute, five an hour, across every node), each code
//! dies after a few wrong guesses or ten minutes, and works once.
//!
//! The forced setup wizard (`forced_enrolment.rs`) reaches the same steps with its enrolment
//! ticket when the deployment requires a verified number before two-factor authentication.

use crate::audit::{AuditEvent, Outcome, PhoneCodeSent, PhoneVerified, PhoneVerifyFailed};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::{RequestMeta, TicketPurpose, User, UserId};
use crate::notice::{Channel, Notice, SecurityEvent};
use crate::password::Password;
use crate::phone::{CodePurpose, PhoneNumber, SmsCode};
use crate::secret::Token;
use crate::store::{AuditLog, Phones, RateEvents, RateLimit, Store, Transaction};

use super::{Authenticated, Services};

/// The rate scope of verification texts, counted per user.
const SMS_SCOPE: &str = "sms.verify";
/// Issue 5: "more than one per 60 s or 5 per hour → 429".
const SMS_LIMITS: [RateLimit; 2] = [RateLimit::new(1, 60), RateLimit::new(5, 3600)];

/// A person's mobile number as their account shows it.
#[derive(Debug, Clone, Default)]
pub struct PhoneStatus {
    pub verified: Option<PhoneNumber>,
    /// A number waiting for its code (a first one, or the replacement of the verified one).
    pub pending: Option<PhoneNumber>,
    /// Seconds until another code may be sent; `None` when one may be sent now.
    pub resend_after_secs: Option<i64>,
    /// The deployment requires a verified number before 2FA, and there is none yet.
    pub required_for_2fa: bool,
}

impl PhoneStatus {
    /// What `GET /api/v1/me` shows: the verified number, else the pending one, and which it is.
    pub fn shown(&self) -> Option<(&PhoneNumber, bool)> {
        match (&self.verified, &self.pending) {
            (Some(n), _) => Some((n, true)),
            (None, Some(n)) => Some((n, false)),
            (None, None) => None,
        }
    }
}

/// Seconds until the limits allow another send for `user`, read inside `tx`.
async fn sms_retry_after<T: RateEvents + Send>(
    tx: &mut T,
    user: &UserId,
    now: UnixTime,
) -> Result<Option<i64>> {
    let mut wait = None;
    for limit in SMS_LIMITS {
        let window = tx
            .rate_window(SMS_SCOPE, user.as_str(), limit.since(now))
            .await?;
        wait = wait.max(limit.retry_after(&window, now));
    }
    Ok(wait)
}

impl<S: Store> Services<S> {
    /// The signed-in person's number, verified or waiting.
    pub async fn phone_status(&self, user: &User) -> Result<PhoneStatus> {
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let verified = tx.verified_phone(&user.id).await?.map(|p| p.number);
        let pending = tx
            .phone_code(&user.id, CodePurpose::Verify)
            .await?
            .filter(|c| c.used_at.is_none())
            .map(|c| c.number);
        Ok(PhoneStatus {
            required_for_2fa: self.settings.require_phone_for_2fa && verified.is_none(),
            resend_after_secs: sms_retry_after(&mut tx, &user.id, now).await?,
            verified,
            pending,
        })
    }

    /// `PUT /api/v1/me/phone`: sends a code to `number`. Replacing a verified number needs the
    /// current password; the old number stays until the new one is verified.
    pub async fn set_phone(
        &self,
        auth: &Authenticated,
        number: &PhoneNumber,
        password: Option<&Password>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let verified = {
            let mut tx = self.store.begin_read().await?;
            tx.verified_phone(&user.id).await?
        };
        if let Some(current) = verified {
            if &current.number == number {
                return Err(Error::Conflict("this number is already verified"));
            }
            let password = password.filter(|p| !p.expose().is_empty()).ok_or_else(|| {
                Error::Validation("enter your current password to replace a verified number".into())
            })?;
            self.confirm_password(auth, password, PhoneCodeSent::InvalidPassword, meta)
                .await?;
        }
        self.send_verify_code(user, number, false, meta).await
    }

    /// `POST /api/v1/me/phone/resend`: a new code for the number waiting for one.
    pub async fn resend_phone_code(
        &self,
        auth: &Authenticated,
        meta: &RequestMeta,
    ) -> Result<PhoneNumber> {
        self.resend_for(&auth.user, meta).await
    }

    /// `POST /api/v1/me/phone/verify`: the code from the SMS makes the number the verified one.
    pub async fn verify_phone(
        &self,
        auth: &Authenticated,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.verify_for(&auth.user, code, meta).await
    }

    /// The wizard's view of the ticket's user's number.
    pub async fn phone_status_with_ticket(&self, ticket: &Token) -> Result<PhoneStatus> {
        let user = self.wizard_phone_user(ticket).await?;
        self.phone_status(&user).await
    }

    /// The wizard's first number. Without a session there is no password to re-enter, so a
    /// verified number cannot be replaced this way.
    pub async fn set_phone_with_ticket(
        &self,
        ticket: &Token,
        number: &PhoneNumber,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.wizard_phone_user(ticket).await?;
        let verified = {
            let mut tx = self.store.begin_read().await?;
            tx.verified_phone(&user.id).await?
        };
        if verified.is_some() {
            return Err(Error::Conflict("a mobile number is already verified"));
        }
        self.send_verify_code(&user, number, false, meta).await
    }

    pub async fn resend_phone_code_with_ticket(
        &self,
        ticket: &Token,
        meta: &RequestMeta,
    ) -> Result<PhoneNumber> {
        let user = self.wizard_phone_user(ticket).await?;
        self.resend_for(&user, meta).await
    }

    pub async fn verify_phone_with_ticket(
        &self,
        ticket: &Token,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.wizard_phone_user(ticket).await?;
        self.verify_for(&user, code, meta).await
    }

    /// The user of a live enrolment ticket, when the deployment makes a number part of the
    /// wizard; the ticket allows nothing else.
    async fn wizard_phone_user(&self, ticket: &Token) -> Result<User> {
        let (_, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        if !self.settings.require_phone_for_2fa {
            return Err(Error::Forbidden(
                "a mobile number is not part of this setup",
            ));
        }
        Ok(user)
    }

    /// A new code for the number waiting for one; returns that number.
    async fn resend_for(&self, user: &User, meta: &RequestMeta) -> Result<PhoneNumber> {
        let pending = {
            let mut tx = self.store.begin_read().await?;
            tx.phone_code(&user.id, CodePurpose::Verify).await?
        };
        let number = pending
            .filter(|c| c.used_at.is_none())
            .map(|c| c.number)
            .ok_or(Error::Conflict(
                "no mobile number is waiting for a code; enter the number first",
            ))?;
        self.send_verify_code(user, &number, true, meta).await?;
        Ok(number)
    }

    /// A new code for `number`, replacing any earlier one, queued by SMS in the transaction that
    /// stores its digest. Refused with the wait when the limits are reached.
    async fn send_verify_code(
        &self,
        user: &User,
        number: &PhoneNumber,
        resend: bool,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let code = SmsCode::generate();
        let digest = code.digest(&self.keys.recovery, &user.id, CodePurpose::Verify, number);
        let mut tx = self.store.begin().await?;
        // Racing sends for one user take turns here, so the second counts the first.
        tx.hold_rate_key(SMS_SCOPE, user.id.as_str()).await?;
        if let Some(retry_after_secs) = sms_retry_after(&mut tx, &user.id, now).await? {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }
        tx.put_phone_code(
            &user.id,
            CodePurpose::Verify,
            number,
            &digest,
            now,
            now.plus_secs(self.settings.phone_code_secs),
        )
        .await?;
        tx.record_rate_event(SMS_SCOPE, user.id.as_str(), now)
            .await?;
        tx.prune_rate_events(SMS_SCOPE, user.id.as_str(), now.plus_secs(-3600))
            .await?;
        let notice = Notice::PhoneCode {
            code: code.expose().to_owned(),
            valid_minutes: self.settings.phone_code_secs / 60,
        };
        self.enqueue_notice(&mut tx, Channel::Sms, number.as_str(), user, &notice, now)
            .await?;
        let sent = PhoneCodeSent::Sent {
            number: number.masked(),
            resend,
        };
        let event =
            AuditEvent::new(sent, Outcome::Success, now, meta).by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    async fn verify_for(&self, user: &User, code: &str, meta: &RequestMeta) -> Result<()> {
        let now = self.now();
        let max = self.settings.phone_code_attempts;
        let key = &self.keys.recovery;
        let mut tx = self.store.begin().await?;
        // The attempt is taken before the code is compared: racing guesses cannot get more than
        // `max` comparisons between them.
        let attempt = tx
            .take_phone_code_attempt(&user.id, CodePurpose::Verify, max, now)
            .await?;
        let right = attempt.as_ref().is_some_and(|c| {
            SmsCode::parse(code).is_some_and(|code| {
                code.matches(&c.digest, key, &user.id, CodePurpose::Verify, &c.number)
            })
        });
        let consumed = match &attempt {
            Some(c) if right => {
                tx.consume_phone_code(&user.id, CodePurpose::Verify, &c.digest, now)
                    .await?
            }
            _ => false,
        };
        let Some(pending) = attempt.clone().filter(|_| consumed) else {
            let detail = match &attempt {
                Some(c) => PhoneVerifyFailed::InvalidCode {
                    attempts_left: max - c.attempts,
                },
                None => PhoneVerifyFailed::NoLiveCode,
            };
            let event = AuditEvent::new(detail, Outcome::Failure, now, meta)
                .by_self(&user.id, &user.contract_id);
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidCode);
        };
        let previous = tx.verified_phone(&user.id).await?;
        tx.set_verified_phone(&user.id, &pending.number, now)
            .await?;
        let verified = PhoneVerified {
            number: pending.number.masked(),
            replaced: previous.is_some(),
        };
        let event = AuditEvent::new(verified, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(&mut tx, user, SecurityEvent::PhoneChanged, meta, now)
            .await?;
        tx.commit().await
    }
}
