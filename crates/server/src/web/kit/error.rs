//! The one place where failures become pages: each domain error gets the sentence a person reads
//! and the status the page answers with. Internal errors are logged with their cause and shown
//! as a generic apology, never with database text.

use crate::i18n::filters;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use portcullis_core::Error;

use super::page::Layout;
use super::return_to::sign_in_then;
use crate::http::failure::{Failure, Wait};
use crate::i18n::{tr, tr_with};

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
        /// A message id.
        title: &'static str,
        message: PageMessage,
        /// When to come back, for a server too busy to serve the page.
        busy: Option<Wait>,
    },
    /// 500, with the cause logged.
    Internal(Error),
}

/// What an error page says: a message id, or words already in the page's language.
#[derive(Debug)]
pub enum PageMessage {
    Id(&'static str),
    Text(String),
}

impl PageMessage {
    fn into_text(self) -> String {
        match self {
            PageMessage::Id(id) => tr(id),
            PageMessage::Text(text) => text,
        }
    }
}

impl WebError {
    /// A page titled and worded by two message ids.
    pub fn page(status: StatusCode, title: &'static str, message: &'static str) -> Self {
        WebError::Page {
            status,
            title,
            message: PageMessage::Id(message),
            busy: None,
        }
    }

    /// A page titled by a message id, saying `text` (already in the page's language).
    pub fn page_text(status: StatusCode, title: &'static str, text: String) -> Self {
        WebError::Page {
            status,
            title,
            message: PageMessage::Text(text),
            busy: None,
        }
    }

    pub fn not_found() -> Self {
        WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-not-found",
            "error-not-found",
        )
    }
}

/// Each rule a refused password broke, as sentences for the list under the password field (the
/// message of [`explain`] says them all in one); empty for any other failure.
pub fn password_rules(e: &Error) -> Vec<String> {
    match e {
        Error::WeakPassword(broken) => broken
            .iter()
            .map(|v| tr(&format!("password-rule-{}", v.code().replace('_', "-"))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The sentence a person reads about a domain failure, in the page's language, and the status
/// it answers with (the server's one table, [`Failure`]); `None` for failures that are not
/// theirs to fix (a lost session, an internal error).
pub fn explain(e: &Error) -> Option<(StatusCode, String)> {
    let id = match e {
        Error::InvalidCredentials => "error-invalid-credentials",
        Error::InvalidPassword => "error-invalid-password",
        Error::TooManyAttempts { retry_after_secs } => {
            return Some((
                Failure::of(e).status,
                tr_with(
                    "error-too-many-attempts",
                    &[("wait", wait_phrase(*retry_after_secs).into())],
                ),
            ));
        }
        Error::WeakPassword(violation) => {
            return Some((Failure::of(e).status, password_rule_text(violation)));
        }
        Error::InvalidEmail(why) => return Some((Failure::of(e).status, fragment(why))),
        Error::EmailTaken => "error-email-taken",
        Error::RegistrationClosed => "error-registration-closed",
        Error::InvalidSetupToken => "error-invalid-setup-token",
        Error::NotFound(what) => {
            return Some((
                Failure::of(e).status,
                fragment(&format!("{what} not found")),
            ));
        }
        Error::Validation(why) => return Some((Failure::of(e).status, fragment(why))),
        Error::Conflict(why) | Error::Forbidden(why) => {
            return Some((Failure::of(e).status, fragment(why)));
        }
        Error::InvalidPin(why) => return Some((Failure::of(e).status, fragment(why))),
        Error::InvalidClient => "error-invalid-client",
        Error::InvalidCode => "error-invalid-code",
        Error::SecondFactorFailed => "error-second-factor-failed",
        Error::InvalidTicket => "error-invalid-ticket",
        Error::TwoFactorEnforced => "error-two-factor-enforced",
        Error::TotpAlreadyActive => "error-totp-already-active",
        Error::EnrollmentNotStarted => "error-enrollment-not-started",
        Error::TwoFactorNotEnabled => "error-two-factor-not-enabled",
        Error::KitUnavailable => "error-kit-unavailable",
        Error::AccountLocked => "error-account-locked",
        Error::InvalidPhone => "error-invalid-phone",
        Error::PhoneNotVerified => "error-phone-not-verified",
        Error::InvalidCeremony => "error-invalid-ceremony",
        Error::InvalidWebauthn(_) => "error-invalid-webauthn",
        Error::CredentialExists => "error-credential-exists",
        Error::PasskeyFailed => "error-passkey-failed",
        Error::PhishingResistantRequired => "error-phishing-resistant-required",
        Error::InvalidLink => "error-invalid-link",
        Error::InvalidSignature => "error-invalid-signature",
        Error::ChallengeClosed => "error-challenge-closed",
        Error::PushPaused { retry_after_secs } => {
            return Some((
                Failure::of(e).status,
                tr_with(
                    "error-push-paused",
                    &[("wait", wait_phrase(*retry_after_secs).into())],
                ),
            ));
        }
        Error::Overloaded { retry_after_secs } => {
            return Some((
                Failure::of(e).status,
                tr_with(
                    "error-overloaded",
                    &[("wait", wait_phrase(*retry_after_secs).into())],
                ),
            ));
        }
        Error::Unauthenticated | Error::Internal(_) => return None,
    };
    Some((Failure::of(e).status, tr(id)))
}

/// A refused password's broken rules as one sentence each, joined.
fn password_rule_text(violation: &portcullis_core::password::PolicyViolations) -> String {
    violation
        .iter()
        .map(|v| tr(&format!("password-rule-{}", v.code().replace('_', "-"))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "47 seconds", or minutes once seconds stop being a useful unit.
fn wait_phrase(secs: i64) -> String {
    let secs = secs.max(1);
    if secs < 120 {
        tr_with("wait-seconds", &[("seconds", secs.into())])
    } else {
        tr_with(
            "wait-minutes",
            &[
                ("minutes", ((secs + 59) / 60).into()),
                ("seconds", secs.into()),
            ],
        )
    }
}

/// The message id a core fragment ("email is required") is translated under:
/// `core-email-is-required`, letters and digits only, lower case, joined by `-`.
pub fn fragment_id(fragment: &str) -> String {
    let mut id = String::from("core");
    let mut gap = true;
    for c in fragment.trim().chars() {
        if c.is_ascii_alphanumeric() {
            if gap {
                id.push('-');
            }
            id.push(c.to_ascii_lowercase());
            gap = false;
        } else {
            gap = true;
        }
    }
    id
}

/// A core message as a sentence in the page's language: its translation where one exists (every
/// fixed fragment has one; the tests check), else the English fragment as a sentence (one
/// carrying a value, such as a name an administrator typed).
fn fragment(fragment: &str) -> String {
    let id = fragment_id(fragment);
    if crate::i18n::has(crate::i18n::language(), &id) {
        return tr(&id);
    }
    sentence(fragment)
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
        StatusCode::NOT_FOUND => "error-title-not-found",
        StatusCode::FORBIDDEN => "error-title-forbidden",
        StatusCode::TOO_MANY_REQUESTS => "error-title-too-many",
        StatusCode::UNAUTHORIZED => "error-title-unauthorized",
        StatusCode::SERVICE_UNAVAILABLE => "error-title-busy",
        _ => "error-title-failed",
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
                message: PageMessage::Text(message),
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
                "error-title-form-expired",
                tr("error-form-expired"),
                None,
            ),
            WebError::Page {
                status,
                title,
                message,
                busy,
            } => (status, title, message.into_text(), busy),
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
                    "error-title-internal",
                    tr("error-internal"),
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
