//! Adding a key in the forced setup at sign-in (2FA required and no factor yet, or
//! "phishing-resistant only" and no key yet). The enrolment ticket allows exactly this: start a
//! ceremony, answer it, and only then receive a session, with a new set of recovery codes shown
//! once, as the authenticator app's setup ends.
//!
//! A person who already has a factor (an authenticator app, a companion app or recovery codes)
//! and is sent here by "phishing-resistant only" proves it once with a code from the app or a
//! recovery code: otherwise the password alone would be enough to add an attacker's key and
//! walk past the factor the person already has.

use serde_json::Value;

use crate::audit::{AuditEvent, Outcome, TotpActivated, Wizard};
use crate::error::{Error, Result};
use crate::model::{RequestMeta, SessionKind, TicketPurpose, User};
use crate::recovery::RecoveryCode;
use crate::secret::Token;
use crate::store::{
    AuditLog, CeremonyPurpose, LoginTickets, RecoveryCodes, Store, Throttle, TotpFactors,
    Transaction, WebauthnStore,
};
use crate::throttle::Guess;
use crate::totp;

use super::CeremonyStart;
use crate::login::Factor;
use crate::service::Services;
use crate::service::held::CodesOccasion;
use crate::service::login::{LoginResult, throttle_key};

impl<S: Store> Services<S> {
    /// Options to add a key in the forced setup.
    pub async fn start_webauthn_enrolment(
        &self,
        ticket: &Token,
        _meta: &RequestMeta,
    ) -> Result<CeremonyStart> {
        let (t, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        let mut tx = self.store.begin().await?;
        let (public_key, state) = self.registration_options(&mut tx, &user).await?;
        let ceremony = self
            .keep_ceremony(
                &mut tx,
                CeremonyPurpose::Enrolment,
                Some(&user.id),
                Some(&t.id),
                &state,
            )
            .await?;
        tx.commit().await?;
        Ok(CeremonyStart {
            ceremony,
            public_key,
        })
    }

    /// Whether the forced setup must ask for a code of the factor the person already has.
    pub async fn enrolment_needs_code(&self, ticket: &Token) -> Result<bool> {
        let (_, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        let mut tx = self.store.begin_read().await?;
        self.needs_code_in(&mut tx, &user).await
    }

    async fn needs_code_in(&self, tx: &mut S::Tx, user: &User) -> Result<bool> {
        Ok(self.has_factor_in(tx, &user.id).await? || tx.recovery_codes_left(&user.id).await? > 0)
    }

    /// Verifies the new key, adds it and completes the sign-in. `code` proves the factor the
    /// person already has, when they have one.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_webauthn_enrolment(
        &self,
        ticket: &Token,
        ceremony: &Token,
        name: &str,
        answer: &Value,
        code: Option<&str>,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<(LoginResult, Vec<RecoveryCode>)> {
        let (t, user) = self.live_ticket(ticket, TicketPurpose::Enrollment).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let taken = tx
            .take_webauthn_ceremony(&ceremony.digest(), CeremonyPurpose::Enrolment, now)
            .await?
            .filter(|c| c.ticket.as_ref() == Some(&t.id))
            .ok_or(Error::InvalidCeremony)?;
        // A person who already had a factor proves it first (a code), so the session counts it.
        let proved_code = self.needs_code_in(&mut tx, &user).await?;
        if proved_code {
            let code = code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Error::Validation(
                        "this account already has two-factor authentication: enter a code from \
                     your authenticator app or a recovery code to add a security key"
                            .into(),
                    )
                })?;
            if !self.prove_factor_in(&mut tx, &user, code).await? {
                let failures = tx.count_ticket_failure(&t.id).await?;
                let key = throttle_key(user.email.as_str());
                self.count_guess_failure(&mut tx, &key, meta, now, Guess::Code)
                    .await?;
                let failure = TotpActivated::InvalidCode {
                    ticket_failures: failures,
                };
                let event = AuditEvent::new(failure, Outcome::Failure, now, meta)
                    .by_self(&user.id, &user.contract_id);
                tx.append_audit(&event).await?;
                tx.commit().await?;
                return Err(Error::InvalidCode);
            }
        }
        let registered = match self
            .register_key_in(
                &mut tx,
                &user,
                &taken.state,
                name,
                answer,
                Some(Wizard::Forced),
                meta,
            )
            .await
        {
            Ok(registered) => registered,
            Err(e) => {
                drop(tx);
                self.use_up_ceremony(ceremony, CeremonyPurpose::Enrolment)
                    .await?;
                return Err(e);
            }
        };
        if !tx.consume_ticket(&t.id, now).await? {
            return Err(Error::InvalidTicket);
        }
        tx.clear_account(&throttle_key(user.email.as_str())).await?;
        let key = Factor::Key {
            synced: registered.credential.backup_eligible,
        };
        let proven: &[Factor] = if proved_code {
            &[Factor::Totp, key]
        } else {
            &[key]
        };
        let assurance = self.assurance_of_ticket(&mut tx, &t, proven).await?;
        let (token, session) = self
            .open_session(&mut tx, &user, kind, meta, assurance, "webauthn_enrolment")
            .await?;
        self.retire_stepped_up(&mut tx, &t, &user).await?;
        let codes = registered.recovery_codes;
        self.store_kit(&mut tx, &session.id, &codes, None, CodesOccasion::Enrolled)
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

    /// A code of the factor the person already has: the authenticator app's (its step used up)
    /// or a recovery code (burnt). False when it is neither.
    async fn prove_factor_in(&self, tx: &mut S::Tx, user: &User, code: &str) -> Result<bool> {
        if let Some(active) = tx.active_totp(&user.id).await? {
            let secret = self.unseal_totp(&user.id, &active)?;
            if let Some(step) =
                totp::verify(&secret, &active.params, code, self.now(), active.last_step)
                && tx.advance_totp_step(&user.id, step).await?
            {
                return Ok(true);
            }
        }
        match RecoveryCode::parse(code) {
            Some(code) => {
                tx.consume_recovery_code(&user.id, &code.digest(&self.keys.recovery), self.now())
                    .await
            }
            None => Ok(false),
        }
    }
}
