//! The one table from a domain failure (`portcullis_core::Error`) to what HTTP says about it: the
//! status, the stable error code, and whether (and how long) the client should wait before trying
//! again. The JSON API (`api::error`) and the pages (`web::kit::error`) both read it, so one
//! failure cannot answer one status in the API and another on a page. The words (the API's
//! message, a page's sentence) are each side's own: no text for people and no body is made here.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use portcullis_core::Error;

/// How HTTP answers one domain failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub status: StatusCode,
    /// Stable, snake_case: what a program matches on (the API's `error.code`).
    pub code: &'static str,
    /// The failure passes with time: the answer may say when to try again.
    pub wait: Option<Wait>,
}

/// Why a client is told to wait (`Retry-After`), and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// This client's own attempts are being counted: wrong guesses, sign-in requests sent too
    /// often or denied too often. Seconds, at least 1.
    Throttled(i64),
    /// The server is too busy (the password-hashing queue is full); it says nothing about this
    /// client. Seconds, at least 1.
    Busy(i64),
}

impl Wait {
    /// Seconds to wait, never less than one: `Retry-After: 0` would invite an instant retry.
    pub fn secs(self) -> i64 {
        match self {
            Wait::Throttled(secs) | Wait::Busy(secs) => secs.max(1),
        }
    }

    /// Sets `Retry-After` to this wait.
    pub fn set_header(self, headers: &mut HeaderMap) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(self.secs()));
    }
}

impl Failure {
    /// The status, code and wait of `e`.
    pub fn of(e: &Error) -> Failure {
        let (status, code) = match e {
            Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            Error::InvalidPassword => (StatusCode::FORBIDDEN, "invalid_password"),
            Error::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            Error::WeakPassword(_) => (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"),
            Error::InvalidEmail(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"),
            Error::EmailTaken => (StatusCode::CONFLICT, "email_taken"),
            Error::RegistrationClosed => (StatusCode::FORBIDDEN, "registration_closed"),
            Error::InvalidSetupToken => (StatusCode::FORBIDDEN, "invalid_setup_token"),
            Error::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Error::InvalidCode => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"),
            // The second step of a sign-in: the code is refused like a password, with 401.
            Error::SecondFactorFailed => (StatusCode::UNAUTHORIZED, "invalid_code"),
            Error::InvalidTicket => (StatusCode::UNAUTHORIZED, "invalid_ticket"),
            Error::TwoFactorEnforced => (StatusCode::FORBIDDEN, "two_factor_enforced"),
            Error::TotpAlreadyActive => (StatusCode::CONFLICT, "totp_already_active"),
            Error::EnrollmentNotStarted => (StatusCode::CONFLICT, "enrollment_not_started"),
            Error::TwoFactorNotEnabled => (StatusCode::CONFLICT, "two_factor_not_enabled"),
            Error::KitUnavailable => (StatusCode::NOT_FOUND, "emergency_kit_unavailable"),
            Error::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Error::AccountLocked => (StatusCode::LOCKED, "account_locked"),
            Error::InvalidPhone => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone"),
            Error::PhoneNotVerified => (StatusCode::CONFLICT, "phone_not_verified"),
            Error::InvalidPin(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_pin"),
            Error::InvalidLink => (StatusCode::BAD_REQUEST, "invalid_token"),
            Error::InvalidSignature => (StatusCode::UNAUTHORIZED, "invalid_signature"),
            Error::ChallengeClosed => (StatusCode::CONFLICT, "challenge_closed"),
            Error::PushPaused { .. } => (StatusCode::TOO_MANY_REQUESTS, "push_paused"),
            // The hashing pool is full: refused at once, nothing was checked or changed. 503
            // (not 429): it says nothing about this client, only that the server is busy.
            Error::Overloaded { .. } => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            Error::InvalidCeremony => (StatusCode::BAD_REQUEST, "invalid_ceremony"),
            Error::InvalidWebauthn(_) => (StatusCode::BAD_REQUEST, "invalid_webauthn_response"),
            Error::CredentialExists => (StatusCode::CONFLICT, "credential_exists"),
            Error::PasskeyFailed => (StatusCode::UNAUTHORIZED, "invalid_passkey"),
            Error::PhishingResistantRequired => {
                (StatusCode::FORBIDDEN, "phishing_resistant_required")
            }
            // OAuth's `invalid_client` (RFC 6749 §5.2): 401.
            Error::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        };
        let wait = match *e {
            Error::TooManyAttempts { retry_after_secs }
            | Error::PushPaused { retry_after_secs } => Some(Wait::Throttled(retry_after_secs)),
            Error::Overloaded { retry_after_secs } => Some(Wait::Busy(retry_after_secs)),
            _ => None,
        };
        Failure { status, code, wait }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_that_pass_with_time_say_how_long_at_least_a_second() {
        let throttled = Failure::of(&Error::TooManyAttempts {
            retry_after_secs: 0,
        });
        assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(throttled.wait, Some(Wait::Throttled(0)));
        let mut headers = HeaderMap::new();
        throttled.wait.unwrap().set_header(&mut headers);
        assert_eq!(headers[header::RETRY_AFTER], "1");
        let busy = Failure::of(&Error::Overloaded {
            retry_after_secs: 3,
        });
        assert_eq!(
            (busy.status, busy.code, busy.wait),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                Some(Wait::Busy(3))
            )
        );
        assert_eq!(Failure::of(&Error::InvalidCode).wait, None);
    }

    #[test]
    fn a_wrong_second_step_code_is_refused_like_a_password() {
        let failure = Failure::of(&Error::SecondFactorFailed);
        assert_eq!(
            (failure.status, failure.code),
            (StatusCode::UNAUTHORIZED, "invalid_code")
        );
    }
}
