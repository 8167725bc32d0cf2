//! The one place where failures become pages: each domain error gets the sentence a person reads
//! and the status the page answers with. Internal errors are logged with their cause and shown
//! as a generic apology, never with database text.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use portcullis_core::Error;

use super::page::Layout;
use super::return_to::sign_in_then;
use crate::http::failure::{Failure, Wait};

/// Why a web request could not be served as asked.
#[derive(Debug)]
pub enum WebError {
    /// 303 to `/login`: nobody is signed in, or the session has ended.
    SignIn,
    /// 303 to `/login`, which returns to this path (and query) once signed in: a signed-in page
    /// opened without a session. The path is checked again where the link is made.
    SignInThen(String),
    /// 403: the form's CSRF token is missing or does not match the cookie.
    FormExpired,
    /// A page that explains what went wrong, answered with `status`.
    Page {
        status: StatusCode,
        title: &'static str,
        message: String,
        /// When to come back, for a server too busy to serve the page.
        busy: Option<Wait>,
    },
    /// 500, with the cause logged.
    Internal(Error),
}

impl WebError {
    pub fn page(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        WebError::Page {
            status,
            title,
            message: message.into(),
            busy: None,
        }
    }

    pub fn not_found() -> Self {
        WebError::page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is nothing at this address. Check the link, or start again from the sign-in page.",
        )
    }
}

/// Each rule a refused password broke, as sentences for the list under the password field (the
/// message of [`explain`] says them all in one); empty for any other failure.
pub fn password_rules(e: &Error) -> Vec<String> {
    match e {
        Error::WeakPassword(broken) => broken.iter().map(|v| v.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The sentence a person reads about a domain failure and the status it answers with (the
/// server's one table, [`Failure`]); `None` for failures that are not theirs to fix (a lost
/// session, an internal error).
pub fn explain(e: &Error) -> Option<(StatusCode, String)> {
    let message: String = match e {
        Error::InvalidCredentials => "Wrong email or password.".into(),
        Error::InvalidPassword => "Your current password is not correct.".into(),
        Error::TooManyAttempts { retry_after_secs } => format!(
            "Too many failed attempts. Wait {}, then try again.",
            wait_phrase(*retry_after_secs)
        ),
        Error::WeakPassword(violation) => violation.to_string(),
        Error::InvalidEmail(why) => sentence(why),
        Error::EmailTaken => "An account with this email already exists.".into(),
        Error::RegistrationClosed => "Registration is closed on this server.".into(),
        Error::InvalidSetupToken => {
            "This setup link is invalid or has expired. While the server has no account yet, \
             restarting it prints a new link; the operator can also create the owner with the \
             command portcullis user create-owner."
                .into()
        }
        Error::NotFound(what) => sentence(&format!("{what} not found")),
        Error::Validation(why) => sentence(why),
        Error::Conflict(why) => sentence(why),
        Error::InvalidClient => {
            "This application is not registered here, or its registration has changed. Tell \
             the application's administrator."
                .into()
        }
        Error::Forbidden(why) => sentence(why),
        Error::InvalidCode => {
            "That code is not right. Enter the 6-digit code your authenticator app shows now; \
             check that the phone's time is set automatically."
                .into()
        }
        Error::SecondFactorFailed => {
            "That code is not right, or was already used. Try the next code.".into()
        }
        Error::InvalidTicket => {
            "This sign-in has expired or had too many wrong codes. Sign in again.".into()
        }
        Error::TwoFactorEnforced => {
            "Your administrator requires two-factor authentication for your account, so you \
             cannot turn it off."
                .into()
        }
        Error::TotpAlreadyActive => {
            "An authenticator app is already active. Deactivate it first to set up another.".into()
        }
        Error::EnrollmentNotStarted => {
            "Start the authenticator setup first; it may have been restarted in another window."
                .into()
        }
        Error::TwoFactorNotEnabled => "Two-factor authentication is not enabled.".into(),
        Error::KitUnavailable => {
            "The emergency kit can only be downloaded in the 15 minutes after activation, in the \
             same session. Create new recovery codes to get a new kit."
                .into()
        }
        Error::AccountLocked => {
            "This account is locked because someone reported a change they did not make. Ask \
             your administrator to unlock it."
                .into()
        }
        Error::InvalidPhone => {
            "Enter the mobile number in international format, starting with + and the country \
             code, e.g. +4915112345678."
                .into()
        }
        Error::PhoneNotVerified => {
            "Verify a mobile number first, then activate two-factor authentication.".into()
        }
        Error::InvalidCeremony => {
            "This request to your security key or passkey has expired (it is valid for 5 minutes) \
             or was already answered. Try again."
                .into()
        }
        Error::InvalidWebauthn(_) => {
            "Your security key's answer could not be checked. Try again, or use another key.".into()
        }
        Error::CredentialExists => "This security key or passkey is already registered.".into(),
        Error::PasskeyFailed => {
            "That passkey could not sign you in. Sign in with your email and password instead."
                .into()
        }
        Error::PhishingResistantRequired => {
            "Your organisation requires a security key or passkey to sign in. Codes from an \
             authenticator app and approvals in the companion app are not accepted."
                .into()
        }
        Error::InvalidPin(why) => sentence(why),
        Error::InvalidLink => "This link is invalid, has expired or has already been used.".into(),
        Error::InvalidSignature => "The device's signature is invalid.".into(),
        Error::ChallengeClosed => {
            "This sign-in request was already answered or has expired.".into()
        }
        Error::PushPaused { retry_after_secs } => format!(
            "Too many sign-in requests to your app were denied or not answered. Wait {}, or use a code instead.",
            wait_phrase(*retry_after_secs)
        ),
        Error::Overloaded { retry_after_secs } => format!(
            "The server is very busy right now. Wait {}, then try again.",
            wait_phrase(*retry_after_secs)
        ),
        Error::Unauthenticated | Error::Internal(_) => return None,
    };
    Some((Failure::of(e).status, message))
}

/// "47 seconds", or minutes once seconds stop being a useful unit.
fn wait_phrase(secs: i64) -> String {
    let secs = secs.max(1);
    match secs {
        1 => "1 second".to_owned(),
        2..120 => format!("{secs} seconds"),
        _ => format!("{} minutes ({secs} seconds)", (secs + 59) / 60),
    }
}

/// Core messages are lower-case fragments ("email is required"); pages show sentences.
fn sentence(fragment: &str) -> String {
    let mut chars = fragment.trim().chars();
    let mut s: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// `response` (a form shown again after `e`) with `Retry-After` when `e` is this client's own
/// attempts being throttled, as the API answers them.
pub fn with_retry_after(mut response: Response, e: &Error) -> Response {
    if let Some(wait @ Wait::Throttled(_)) = Failure::of(e).wait {
        wait.set_header(response.headers_mut());
    }
    response
}

fn title_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::UNAUTHORIZED => "Not signed in",
        StatusCode::SERVICE_UNAVAILABLE => "Server busy",
        _ => "That did not work",
    }
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        match explain(&e) {
            // Only a busy server's page says when to come back; a throttled form says it
            // itself, beside the form shown again ([`with_retry_after`]).
            Some((status, message)) => WebError::Page {
                status,
                title: title_for(status),
                message,
                busy: Failure::of(&e)
                    .wait
                    .filter(|wait| matches!(wait, Wait::Busy(_))),
            },
            None if matches!(e, Error::Unauthenticated) => WebError::SignIn,
            None => WebError::Internal(e),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message, busy) = match self {
            WebError::SignIn => return Redirect::to("/login").into_response(),
            WebError::SignInThen(next) => {
                return Redirect::to(&sign_in_then(&next)).into_response();
            }
            WebError::FormExpired => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "Your form expired; reload the page and try again.".to_owned(),
                None,
            ),
            WebError::Page {
                status,
                title,
                message,
                busy,
            } => (status, title, message, busy),
            WebError::Internal(e) => {
                match &e {
                    Error::Internal(cause) => tracing::error!(
                        error = %cause,
                        source = ?std::error::Error::source(cause.as_ref()),
                        "internal error on a web page"
                    ),
                    other => tracing::error!(error = %other, "internal error on a web page"),
                }
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side. Try again in a moment.".to_owned(),
                    None,
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::signed_out(title),
            message: &message,
        };
        let mut response = match page.render() {
            Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "cannot render the error page");
                (status, message).into_response()
            }
        };
        if let Some(wait) = busy {
            wait.set_header(response.headers_mut());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::password::PolicyViolation;

    #[test]
    fn people_read_sentences_not_fragments() {
        let (status, msg) = explain(&Error::InvalidEmail(
            "email must look like name@example.com",
        ))
        .unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(msg, "Email must look like name@example.com.");
        let (_, msg) = explain(&Error::WeakPassword(PolicyViolation::TooShort.into())).unwrap();
        assert_eq!(msg, "The password must be at least 8 characters long.");
    }

    #[test]
    fn a_wait_is_said_in_seconds_then_in_minutes() {
        assert_eq!(wait_phrase(0), "1 second");
        assert_eq!(wait_phrase(47), "47 seconds");
        assert_eq!(wait_phrase(900), "15 minutes (900 seconds)");
        let (status, msg) = explain(&Error::TooManyAttempts {
            retry_after_secs: 30,
        })
        .unwrap();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(msg.contains("Wait 30 seconds"));
    }

    #[tokio::test]
    async fn an_overloaded_server_asks_people_to_try_again_in_a_moment() {
        let e = Error::Overloaded {
            retry_after_secs: 1,
        };
        let (status, msg) = explain(&e).unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(msg.contains("Wait 1 second, then try again"), "{msg}");
        let res = WebError::from(e).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    }

    #[test]
    fn internal_errors_and_lost_sessions_are_not_explained_to_the_user() {
        assert!(explain(&Error::internal_msg("db down")).is_none());
        assert!(matches!(
            WebError::from(Error::Unauthenticated),
            WebError::SignIn
        ));
        assert!(matches!(
            WebError::from(Error::internal_msg("db down")),
            WebError::Internal(_)
        ));
    }

    #[tokio::test]
    async fn an_internal_error_page_says_nothing_of_the_cause() {
        let res = WebError::from(Error::internal_msg("secret table name")).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("Something went wrong on our side"));
        assert!(!body.contains("secret table name"));
    }
}
