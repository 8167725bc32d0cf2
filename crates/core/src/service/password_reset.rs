//! Forgot password. A request mails a single-use link (30 minutes, stored as a digest)
//! and, when the account has a verified mobile number, also texts a six-digit code; either one
//! with a new password sets it. The request answers the same whether or not the account exists:
//! [`Services::request_password_reset`] does its work in a task of its own after the caller has
//! answered, so neither the answer nor its timing depends on the lookup.
//!
//! A reset sets the password and nothing else: every session ends, but factors stay, so the next
//! login still asks for the second factor. The link or code is used up in the transaction that
//! sets the password, and wrong codes count against the account like wrong passwords.

use crate::audit::{
    AuditEvent, Outcome, PasswordReset, PasswordResetFailed, PasswordResetRequested, ResetMethod,
};
use crate::clock::UnixTime;
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{LinkPurpose, RequestMeta, User};
use crate::notice::{Channel, Notice, SecurityEvent};
use crate::password::{Password, PolicyViolation, check_policy, policy_violations};
use crate::phone::{CodePurpose, SmsCode};
use crate::secret::Token;
use crate::store::{
    AuditLog, LoginTickets, OidcGrants, PasswordLinks, Phones, RateEvents, RateLimit,
    RememberedBrowsers, Sessions, Store, Throttle, Transaction, Users,
};

use super::Services;
use super::login::throttle_key;

const RESET_SCOPE: &str = "password.reset";
/// Beyond this, requests are dropped without a word: a mailbox or phone is not to be flooded.
const RESET_LIMIT: RateLimit = RateLimit::new(5, 3600);

impl<S: Store> Services<S> {
    /// `POST /api/v1/password-reset`: starts the work and returns at once. Failures are logged;
    /// the caller learns nothing, by design.
    pub fn request_password_reset(&self, username: &str, meta: &RequestMeta) {
        let services = self.clone();
        let username = username.to_owned();
        let meta = meta.clone();
        tokio::spawn(async move {
            if let Err(e) = services.send_password_reset(&username, &meta).await {
                tracing::error!(error = %e, "a password reset request failed");
            }
        });
    }

    /// The work of a reset request: a new link (older ones die), a code by SMS when there is a
    /// verified number, and the email; nothing for an unknown account or beyond the limit.
    pub(crate) async fn send_password_reset(
        &self,
        username: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let Ok(email) = Email::parse(username) else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        let Some(user) = tx.user_by_email_key(&email.key()).await? else {
            let event = AuditEvent::new(
                PasswordResetRequested::UnknownAccount,
                Outcome::Failure,
                now,
                meta,
            );
            tx.append_audit(&event).await?;
            return tx.commit().await;
        };
        let subject = user.id.as_str();
        tx.hold_rate_key(RESET_SCOPE, subject).await?;
        let window = tx
            .rate_window(RESET_SCOPE, subject, RESET_LIMIT.since(now))
            .await?;
        if RESET_LIMIT.retry_after(&window, now).is_some() {
            let event = self.reset_event(
                PasswordResetRequested::TooManyRequests,
                Outcome::Denied,
                &user,
                now,
                meta,
            );
            tx.append_audit(&event).await?;
            return tx.commit().await;
        }
        tx.record_rate_event(RESET_SCOPE, subject, now).await?;
        tx.prune_rate_events(RESET_SCOPE, subject, RESET_LIMIT.since(now))
            .await?;

        let expires_at = now.plus_secs(self.settings.reset_secs);
        let valid_minutes = self.settings.reset_secs / 60;
        let token = Token::generate();
        tx.void_password_links(&user.id, LinkPurpose::Reset, now)
            .await?;
        tx.insert_password_link(&token.digest(), &user.id, LinkPurpose::Reset, expires_at)
            .await?;
        let sms_code_sent = match tx.verified_phone(&user.id).await? {
            Some(phone) => {
                let code = SmsCode::generate();
                let digest = code.digest(
                    &self.keys.recovery,
                    &user.id,
                    CodePurpose::Reset,
                    &phone.number,
                );
                tx.put_phone_code(
                    &user.id,
                    CodePurpose::Reset,
                    &phone.number,
                    &digest,
                    now,
                    expires_at,
                )
                .await?;
                let notice = Notice::ResetCode {
                    code: code.expose().to_owned(),
                    valid_minutes,
                };
                self.enqueue_notice(
                    &mut tx,
                    Channel::Sms,
                    phone.number.as_str(),
                    &user,
                    &notice,
                    now,
                )
                .await?;
                true
            }
            None => {
                tx.delete_phone_code(&user.id, CodePurpose::Reset).await?;
                false
            }
        };
        let notice = Notice::PasswordReset {
            email: user.email.to_string(),
            token: token.expose().to_owned(),
            valid_minutes,
            sms_code_sent,
        };
        self.enqueue_notice(
            &mut tx,
            Channel::Email,
            user.email.as_str(),
            &user,
            &notice,
            now,
        )
        .await?;
        let event = self.reset_event(
            PasswordResetRequested::Sent { sms_code_sent },
            Outcome::Success,
            &user,
            now,
            meta,
        );
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    /// `GET /reset?token=…`: may this link still set a password? Does not use it up.
    pub async fn reset_link_valid(&self, token: &Token) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        tx.password_link_valid(&token.digest(), LinkPurpose::Reset, self.now())
            .await
    }

    /// Sets a new password with the emailed link. A used, expired or unknown link is
    /// `InvalidLink`, without saying which.
    pub async fn reset_password_with_link(
        &self,
        token: &Token,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        let digest = token.digest();
        // A dead link is refused before any Argon2 work; a password that breaks the policy is
        // refused before the new hash, with every rule at once: the email of the link's user
        // and the current password (one verify) included.
        let user = {
            let mut tx = self.store.begin_read().await?;
            match tx
                .password_link_user(&digest, LinkPurpose::Reset, self.now())
                .await?
            {
                Some(id) => tx.user_by_id(&id).await?,
                None => None,
            }
        };
        let Some(user) = user else {
            let now = self.now();
            let mut tx = self.store.begin().await?;
            let failure = PasswordResetFailed::InvalidLink {
                method: ResetMethod::Link,
            };
            let event = AuditEvent::new(failure, Outcome::Failure, now, meta);
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidLink);
        };
        self.check_new_password(password, &user).await?;
        let phc = self.hasher.hash(password).await?;

        let now = self.now();
        let mut tx = self.store.begin().await?;
        // Only the transaction whose conditional write took the link goes on; returning early
        // drops the transaction, which gives the link back.
        let user_id = tx
            .consume_password_link(&digest, LinkPurpose::Reset, now)
            .await?
            .ok_or(Error::InvalidLink)?;
        let user = tx.user_by_id(&user_id).await?.ok_or(Error::InvalidLink)?;
        self.finish_reset(&mut tx, &user, &phc, ResetMethod::Link, meta, now)
            .await?;
        tx.commit().await
    }

    /// Sets a new password with the code texted to the account's verified number. A wrong code,
    /// an unknown username or no code at all are the same `InvalidCode`, and each counts
    /// against the account throttle like a wrong password.
    pub async fn reset_password_with_code(
        &self,
        username: &str,
        code: &str,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        // Every rule but the reuse of the current password, before the code is looked at and
        // whether or not the account exists: the username is the email it is compared with.
        let email = Email::parse(username).ok();
        check_policy(password, email.as_ref()).map_err(Error::WeakPassword)?;
        let now = self.now();
        let key = throttle_key(username);
        let email_key = email.as_ref().map(Email::key);
        let (user, counter) = {
            let mut tx = self.store.begin_read().await?;
            let user = match &email_key {
                Some(k) => tx.user_by_email_key(k).await?,
                None => None,
            };
            (user, tx.account_counter(&key).await?)
        };
        if let Some(retry_after_secs) = self.settings.throttle.account_retry_after(&counter, now) {
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        // The attempt is taken before the code is compared and committed either way: racing
        // guesses cannot get more comparisons than the code allows.
        let mut tx = self.store.begin().await?;
        let max = self.settings.phone_code_attempts;
        let attempt = match &user {
            Some(u) => {
                tx.take_phone_code_attempt(&u.id, CodePurpose::Reset, max, now)
                    .await?
            }
            None => None,
        };
        let matched = user.zip(attempt).filter(|(u, c)| {
            SmsCode::parse(code).is_some_and(|code| {
                code.matches(
                    &c.digest,
                    &self.keys.recovery,
                    &u.id,
                    CodePurpose::Reset,
                    &c.number,
                )
            })
        });
        let Some((user, pending)) = matched else {
            // A 6-digit code: its lockouts grow like a second factor's (docs/threat-model.md).
            self.count_guess_failure(&mut tx, &key, meta, now, crate::throttle::Guess::Code)
                .await?;
            let failure = PasswordResetFailed::InvalidCode {
                method: ResetMethod::SmsCode,
            };
            let mut event = AuditEvent::new(failure, Outcome::Failure, now, meta);
            if let Some(k) = &email_key
                && let Some(u) = tx.user_by_email_key(k).await?
            {
                event.subject = Some(u.id);
                event.contract = Some(u.contract_id);
            }
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidCode);
        };
        tx.commit().await?;

        // Only now that the code matched may the answer tell whether this is the current
        // password. The code is not used up by this refusal: another password may follow.
        self.check_new_password(password, &user).await?;
        let phc = self.hasher.hash(password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx
            .consume_phone_code(&user.id, CodePurpose::Reset, &pending.digest, now)
            .await?
        {
            return Err(Error::InvalidCode);
        }
        self.finish_reset(&mut tx, &user, &phc, ResetMethod::SmsCode, meta, now)
            .await?;
        tx.commit().await
    }

    /// Every rule `password` breaks as `user`'s new password, including being the current one
    /// (one Argon2 verify on the hashing pool). Only for whoever proved they may set it (a live
    /// link, a matching code): the answer says whether a guess is the current password.
    async fn check_new_password(&self, password: &Password, user: &User) -> Result<()> {
        let mut broken = policy_violations(password, Some(&user.email));
        if !broken.contains(PolicyViolation::TooLong)
            && let Some(current) = &user.password_hash
            && self.hasher.verify(password, Some(current)).await?
        {
            broken.push(PolicyViolation::SameAsCurrent);
        }
        broken.into_result().map_err(Error::WeakPassword)
    }

    /// The writes of every successful reset, in the caller's transaction: the password, the end
    /// of every other way to set it and of every session, the audit row and the notice.
    async fn finish_reset(
        &self,
        tx: &mut S::Tx,
        user: &User,
        phc: &str,
        method: ResetMethod,
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        tx.set_password_hash(&user.id, phc).await?;
        tx.void_password_links(&user.id, LinkPurpose::Reset, now)
            .await?;
        // An invitation still open would set the password again.
        tx.void_password_links(&user.id, LinkPurpose::Invite, now)
            .await?;
        tx.delete_phone_code(&user.id, CodePurpose::Reset).await?;
        let revoked = tx.revoke_other_sessions(&user.id, None, now).await?;
        // Applications' tokens end with the sessions: whoever took the account over keeps none.
        tx.revoke_tokens_of_user(&user.id, None, now).await?;
        tx.void_tickets_of_user(&user.id, now).await?;
        // A remembered browser skips the second step: it ends with the password it followed.
        tx.forget_remembered_browsers_of_user(&user.id).await?;
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        // Whoever held the link or code acted as the account holder.
        let reset = PasswordReset {
            method,
            sessions_revoked: revoked,
        };
        let event = AuditEvent::new(reset, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(tx, user, SecurityEvent::PasswordReset, meta, now)
            .await
    }

    /// About the account, which shows it in its own log, but by nobody signed in: anyone may
    /// ask for a reset.
    fn reset_event(
        &self,
        detail: PasswordResetRequested,
        outcome: Outcome,
        user: &User,
        now: UnixTime,
        meta: &RequestMeta,
    ) -> AuditEvent {
        let mut event = AuditEvent::new(detail, outcome, now, meta);
        event.subject = Some(user.id.clone());
        event.contract = Some(user.contract_id.clone());
        event
    }
}
