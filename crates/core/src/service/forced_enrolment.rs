//! The login-time setup wizard ("The user will be guided through the setup wizard the
//! next time they log in to complete the activation. Otherwise a log-in is not possible."). The
//! enrolment ticket from the password step allows exactly this: start an authenticator, activate
//! it with a code, and only then receive a session.

use crate::audit::{AuditEvent, Outcome, TotpActivated, Wizard};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{RequestMeta, SessionKind, TicketPurpose};
use crate::notice::SecurityEvent;
use crate::recovery::RecoveryCode;
use crate::secret::Token;
use crate::store::{AuditLog, LoginTickets, Store, Throttle, TotpFactors, Transaction};
use crate::totp::{self, TotpParams};

use super::held::CodesOccasion;
use super::login::{LoginResult, TicketLife, throttle_key};
use super::{Services, TotpEnrolment};
use crate::login::{Acr, Factor};

impl<S: Store> Services<S> {
    /// Keeps the setup's ticket alive while the person works on it: each request moves its end
    /// `enrolment_idle_secs` ahead, but never past `enrolment_max_secs` after the password step,
    /// so an abandoned setup still ends. The move is one conditional write (live, unused, only
    /// forward); a second factor's ticket never slides.
    pub async fn slide_enrolment(&self, ticket: &Token) -> Result<TicketLife> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let Some(t) = tx.ticket_by_digest(&ticket.digest()).await? else {
            return Ok(TicketLife::Ended);
        };
        let life = self.life_of(&t, TicketPurpose::Enrollment, now);
        let TicketLife::Live { expires_at } = life else {
            return Ok(life);
        };
        let until = now
            .plus_secs(self.settings.enrolment_idle_secs)
            .min(t.created_at.plus_secs(self.settings.enrolment_max_secs));
        if until <= expires_at {
            return Ok(life);
        }
        if tx.extend_ticket(&t.id, until, now).await? {
            tx.commit().await?;
            return Ok(TicketLife::Live { expires_at: until });
        }
        // Another request moved it meanwhile (or used it up): say where it stands now.
        let now_found = tx.ticket_by_digest(&ticket.digest()).await?;
        Ok(now_found.map_or(TicketLife::Ended, |t| {
            self.life_of(&t, TicketPurpose::Enrollment, now)
        }))
    }

    /// The wizard's authenticator for the ticket's user, with the account it is for: the one
    /// already started if there is one (a reload shows the same QR code), else a new one.
    pub async fn enrol_with_ticket(
        &self,
        ticket: &Token,
        meta: &RequestMeta,
    ) -> Result<(TotpEnrolment, Email)> {
        let (t, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        // Under "phishing-resistant only", or for an application that asked for a key, the
        // setup offers a key, never an authenticator app.
        self.refuse_below(&t, Acr::Mfa)?;
        self.refuse_unless_phishing_resistant_optional(&user)
            .await?;
        let pending = {
            let mut tx = self.store.begin_read().await?;
            tx.pending_totp(&user.id).await?
        };
        let enrolment = match pending {
            Some(stored) => self.enrolment_of(&user, &stored)?,
            None => {
                self.start_totp_for(&user, TotpParams::default(), meta)
                    .await?
            }
        };
        Ok((enrolment, user.email))
    }

    /// Activates the wizard's authenticator with a code and completes the login.
    pub async fn activate_with_ticket(
        &self,
        ticket: &Token,
        code: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<(LoginResult, Vec<RecoveryCode>)> {
        let (t, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        self.refuse_below(&t, Acr::Mfa)?;
        self.refuse_unless_phishing_resistant_optional(&user)
            .await?;
        let pending = {
            let mut tx = self.store.begin_read().await?;
            let stored = tx
                .pending_totp(&user.id)
                .await?
                .ok_or(Error::EnrollmentNotStarted)?;
            self.enrolment_of(&user, &stored)?
        };
        let now = self.now();
        let Some(step) = totp::verify(&pending.secret, &pending.params, code, now, None) else {
            let mut tx = self.store.begin().await?;
            let failures = tx.count_ticket_failure(&t.id).await?;
            self.count_guess_failure(
                &mut tx,
                &throttle_key(user.email.as_str()),
                meta,
                now,
                crate::throttle::Guess::Password,
            )
            .await?;
            let failure = TotpActivated::InvalidCode {
                ticket_failures: failures,
            };
            let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
                .by_self(&user.id, &user.contract_id);
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(Error::InvalidCode);
        };
        let mut tx = self.store.begin().await?;
        if !tx.consume_ticket(&t.id, now).await? {
            return Err(Error::InvalidTicket);
        }
        let codes = self
            .activate_pending_in(&mut tx, &user, &pending, step)
            .await?;
        let activated = TotpActivated::InWizard {
            wizard: Wizard::Forced,
        };
        let event = AuditEvent::new(activated, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(&mut tx, &user, SecurityEvent::TwoFactorActivated, meta, now)
            .await?;
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        let assurance = self
            .assurance_of_ticket(&mut tx, &t, &[Factor::Totp])
            .await?;
        let (token, session) = self
            .open_session(&mut tx, &user, kind, meta, assurance, "totp_enrolment")
            .await?;
        self.retire_stepped_up(&mut tx, &t, &user).await?;
        self.store_kit(
            &mut tx,
            &session.id,
            &codes,
            Some(&pending),
            CodesOccasion::Enrolled,
        )
        .await?;
        tx.commit().await?;
        Ok((
            LoginResult::Complete {
                token,
                session,
                user,
            },
            codes,
        ))
    }
}
