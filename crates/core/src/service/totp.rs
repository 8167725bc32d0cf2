//! The authenticator app (TOTP), one file for the factor: the setup assistant (start an
//! enrolment, a new secret shown as a QR code and as text; activate it with the current password
//! and a code; deactivate it with the password) and the login step that checks its code. A
//! pending enrolment changes nothing until it is activated. The code's arithmetic is
//! [`crate::totp`]'s; the ticket, the guess counting and the session are [`super::login`]'s.

use crate::audit::{AuditEvent, Outcome, TotpActivated, TotpDeactivated, TotpEnrolled};
use crate::error::{Error, Result};
use crate::login::{Factor, Method};
use crate::model::{RequestMeta, SessionKind, TicketPurpose};
use crate::notice::SecurityEvent;
use crate::password::Password;
use crate::recovery::{self, RecoveryCode};
use crate::secret::Token;
use crate::store::{
    AuditLog, RecoveryCodes, Sessions, Store, StoredTotp, TotpFactors, Transaction,
};
use crate::totp::{self, TotpParams, TotpSecret};

use super::held::CodesOccasion;
use super::login::LoginResult;
use super::{Authenticated, Services};

/// What the person needs to set up their app: shown once, never stored in clear. The URI holds
/// the secret, so both are redacted in `Debug` and zeroized on drop.
#[derive(zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct TotpEnrolment {
    pub secret: TotpSecret,
    pub otpauth_uri: String,
    #[zeroize(skip)]
    pub params: TotpParams,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn sealing_context(user: &crate::model::UserId) -> Vec<u8> {
    format!("totp:{user}").into_bytes()
}

impl<S: Store> Services<S> {
    /// Opens a stored authenticator secret; the user id is bound in as associated data.
    pub(crate) fn unseal_totp(
        &self,
        user: &crate::model::UserId,
        stored: &StoredTotp,
    ) -> Result<TotpSecret> {
        let bytes = self
            .keys
            .sealing
            .open(&stored.sealed, &sealing_context(user))?;
        Ok(TotpSecret::from_bytes(bytes.to_vec()))
    }

    /// The enrolment view of a stored secret: the secret and its key URI.
    pub(crate) fn enrolment_of(
        &self,
        user: &crate::model::User,
        stored: &StoredTotp,
    ) -> Result<TotpEnrolment> {
        let secret = self.unseal_totp(&user.id, stored)?;
        let otpauth_uri = totp::otpauth_uri(
            &self.settings.totp_issuer,
            user.email.as_str(),
            &secret,
            &stored.params,
        );
        Ok(TotpEnrolment {
            secret,
            otpauth_uri,
            params: stored.params,
        })
    }
}

impl<S: Store> Services<S> {
    /// Starts (or restarts) an enrolment with a fresh secret.
    pub async fn start_totp(
        &self,
        auth: &Authenticated,
        params: TotpParams,
        meta: &RequestMeta,
    ) -> Result<TotpEnrolment> {
        self.start_totp_for(&auth.user, params, meta).await
    }

    /// The start of an enrolment for `user`, from the account page or from the forced wizard.
    pub(crate) async fn start_totp_for(
        &self,
        user: &crate::model::User,
        params: TotpParams,
        meta: &RequestMeta,
    ) -> Result<TotpEnrolment> {
        let now = self.now();
        let secret = TotpSecret::generate();
        let sealed = self
            .keys
            .sealing
            .seal(secret.expose(), &sealing_context(&user.id))?;
        let mut tx = self.store.begin().await?;
        if tx.active_totp(&user.id).await?.is_some() {
            return Err(Error::TotpAlreadyActive);
        }
        tx.put_pending_totp(
            &user.id,
            &StoredTotp {
                sealed,
                params,
                created_at: now,
                last_step: None,
            },
        )
        .await?;
        let enrolled = TotpEnrolled {
            algorithm: params.algorithm,
            digits: params.digits,
            period: params.period,
        };
        let event = AuditEvent::new(enrolled, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        let otpauth_uri = totp::otpauth_uri(
            &self.settings.totp_issuer,
            user.email.as_str(),
            &secret,
            &params,
        );
        Ok(TotpEnrolment {
            secret,
            otpauth_uri,
            params,
        })
    }

    /// The pending enrolment again (for the QR code image), or `EnrollmentNotStarted`.
    pub async fn pending_totp(&self, auth: &Authenticated) -> Result<TotpEnrolment> {
        let user = &auth.user;
        let mut tx = self.store.begin_read().await?;
        let pending = tx
            .pending_totp(&user.id)
            .await?
            .ok_or(Error::EnrollmentNotStarted)?;
        self.enrolment_of(user, &pending)
    }

    /// Activates the pending enrolment (current password and a code). Returns the
    /// recovery codes, shown once; every other session of the user ends.
    pub async fn activate_totp(
        &self,
        auth: &Authenticated,
        password: &Password,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<RecoveryCode>> {
        let user = &auth.user;
        self.confirm_password(auth, password, TotpActivated::InvalidPassword, meta)
            .await?;
        let pending = self.pending_totp(auth).await?;
        let now = self.now();
        let step = totp::verify(&pending.secret, &pending.params, code, now, None)
            .ok_or(Error::InvalidCode)?;
        let mut tx = self.store.begin().await?;
        let codes = self
            .activate_pending_in(&mut tx, user, &pending, step)
            .await?;
        let revoked = tx
            .revoke_other_sessions(&user.id, Some(&auth.session.id), now)
            .await?;
        self.store_kit(
            &mut tx,
            &auth.session.id,
            &codes,
            Some(&pending),
            CodesOccasion::Activated,
        )
        .await?;
        let activated = TotpActivated::Confirmed {
            other_sessions_revoked: revoked,
        };
        let event = AuditEvent::new(activated, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(&mut tx, user, SecurityEvent::TwoFactorActivated, meta, now)
            .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Makes the verified pending enrolment the active factor with a fresh set of recovery codes,
    /// inside the caller's transaction.
    pub(crate) async fn activate_pending_in(
        &self,
        tx: &mut S::Tx,
        user: &crate::model::User,
        pending: &TotpEnrolment,
        step: i64,
    ) -> Result<Vec<RecoveryCode>> {
        let now = self.now();
        let codes = recovery::generate_set();
        let digests: Vec<String> = codes
            .iter()
            .map(|c| c.digest(&self.keys.recovery))
            .collect();
        let sealed = self
            .keys
            .sealing
            .seal(pending.secret.expose(), &sealing_context(&user.id))?;
        if tx.active_totp(&user.id).await?.is_some() {
            return Err(Error::TotpAlreadyActive);
        }
        // With this policy, 2FA needs a verified mobile number first.
        if self.settings.require_phone_for_2fa
            && crate::store::Phones::verified_phone(tx, &user.id)
                .await?
                .is_none()
        {
            return Err(Error::PhoneNotVerified);
        }
        if tx.pending_totp(&user.id).await?.is_none() {
            // Restarted or activated concurrently: this code belonged to a secret that is gone.
            return Err(Error::EnrollmentNotStarted);
        }
        tx.delete_pending_totp(&user.id).await?;
        let active = StoredTotp {
            sealed,
            params: pending.params,
            created_at: now,
            last_step: Some(step),
        };
        tx.insert_active_totp(&user.id, &active).await?;
        tx.replace_recovery_codes(&user.id, &digests, now).await?;
        Ok(codes)
    }

    /// Removes the authenticator app (the current password is required). Refused when
    /// an administrator forces 2FA on the user.
    pub async fn deactivate_totp(
        &self,
        auth: &Authenticated,
        password: &Password,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = &auth.user;
        let summary = self.two_factor_summary(user).await?;
        if summary.forced {
            return Err(Error::TwoFactorEnforced);
        }
        self.confirm_password(auth, password, TotpDeactivated::InvalidPassword, meta)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.delete_totp(&user.id).await? {
            return Err(Error::TwoFactorNotEnabled);
        }
        // Recovery codes stand in for a factor; with none left they would be a second password.
        // A key or a companion app still there keeps them.
        if !self.has_factor_in(&mut tx, &user.id).await? {
            tx.delete_recovery_codes(&user.id).await?;
        }
        let revoked = tx
            .revoke_other_sessions(&user.id, Some(&auth.session.id), now)
            .await?;
        let deactivated = TotpDeactivated::Confirmed {
            other_sessions_revoked: revoked,
        };
        let event = AuditEvent::new(deactivated, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        self.notify_security(
            &mut tx,
            user,
            SecurityEvent::TwoFactorDeactivated,
            meta,
            now,
        )
        .await?;
        tx.commit().await
    }
}

impl<S: Store> Services<S> {
    /// The second step with a code from the authenticator app; the step it matched is used up
    /// (a replayed code fails) in the transaction that finishes the login.
    pub async fn login_with_totp(
        &self,
        ticket: &Token,
        code: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        self.refuse_unless_phishing_resistant_optional(&user)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(active) = tx.active_totp(&user.id).await? {
            let secret = self.unseal_totp(&user.id, &active)?;
            if let Some(step) = totp::verify(&secret, &active.params, code, now, active.last_step)
                && tx.advance_totp_step(&user.id, step).await?
            {
                return self
                    .finish_second_step(tx, &t, user, Factor::Totp, kind, meta)
                    .await;
            }
        }
        self.second_step_failed(Some(tx), &t, &user, Method::Totp, meta)
            .await
    }
}
