//! The mobile number from the browser, without JavaScript: `GET /account/phone` shows
//! the number and the step it is at; `POST /account/phone` sends a code to a (new) number (with
//! the password when it replaces a verified one), `POST /account/phone/verify` takes the code and
//! `POST /account/phone/resend` asks for another one, the wait shown when it is too early.
//!
//! The same page is the first step of both setup assistants when the deployment requires a
//! verified number before two-factor authentication: the one on the security page (`?next=totp`
//! leads back to it) and the forced wizard at sign-in (`phone_wizard`), which reaches it with its
//! enrolment ticket. Limits, codes and whether a step is allowed are the services'.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::phone::PhoneNumber;
use portcullis_core::service::PhoneStatus;
use serde::Deserialize;

use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain, with_retry_after};
use super::page::{FormProblem, Layout, Notice, problem_for, render};
use super::session::SignedIn;
use crate::http::Meta;
use crate::state::AppState;

const PAGE: &str = "/account/phone";
const TOTP_SETUP: &str = "/account/security/totp";

#[derive(Template)]
#[template(path = "phone.html")]
pub(super) struct PhonePage {
    layout: Layout,
    csrf: String,
    /// Where the forms post: `/account/phone` or, in the wizard at sign-in, `/login/setup/phone`.
    action: &'static str,
    wizard: bool,
    /// `totp` when the authenticator assistant sent the person here first; else empty.
    next: &'static str,
    /// For the hidden username field that tells password managers whose password is asked for.
    email: String,
    verified: Option<String>,
    pending: Option<String>,
    /// "45 seconds" until another code may be sent.
    resend_wait: Option<String>,
    valid_minutes: i64,
    /// An SMS gateway is configured; without one, codes land in the server's outbox folder.
    sms_configured: bool,
    required_for_2fa: bool,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    /// The number as typed, after a problem with it.
    number: String,
}

impl PhonePage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }

    fn field_problem(&self, form: &str, field: &str) -> Option<&str> {
        self.problem(form)
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// What the page needs besides the number's state.
pub(super) struct View {
    pub(super) wizard: bool,
    pub(super) next: &'static str,
    pub(super) email: String,
    pub(super) notice: Option<Notice>,
    pub(super) problem: Option<FormProblem>,
    pub(super) number: String,
}

/// "45 seconds", or minutes for longer waits.
fn wait_words(secs: i64) -> String {
    match secs.max(1) {
        1 => "1 second".to_owned(),
        s @ 2..120 => format!("{s} seconds"),
        s => format!("{} minutes", (s + 59) / 60),
    }
}

pub(super) fn page(
    state: &AppState,
    csrf: &CsrfToken,
    layout: Layout,
    status: &PhoneStatus,
    view: View,
) -> PhonePage {
    PhonePage {
        layout,
        csrf: csrf.value().to_owned(),
        action: if view.wizard {
            "/login/setup/phone"
        } else {
            PAGE
        },
        wizard: view.wizard,
        next: view.next,
        email: view.email,
        verified: status.verified.as_ref().map(PhoneNumber::masked),
        pending: status.pending.as_ref().map(PhoneNumber::masked),
        resend_wait: status.resend_after_secs.map(wait_words),
        valid_minutes: state.services.settings.phone_code_secs / 60,
        sms_configured: state.config.delivery.sms.is_some(),
        required_for_2fa: status.required_for_2fa,
        notice: view.notice,
        problem: view.problem,
        number: view.number,
    }
}

/// The sentence for a failure on one of the page's forms, the field it belongs to, and the
/// status; `None` for failures that are not the person's to fix.
pub(super) fn problem(form: &'static str, e: &Error) -> Option<(StatusCode, FormProblem)> {
    let (status, mut message) = explain(e)?;
    let field = match (form, e) {
        ("number", Error::InvalidPhone | Error::Conflict(_)) => "number",
        ("number", Error::InvalidPassword | Error::Validation(_)) => "password",
        ("code", Error::InvalidCode) => "code",
        _ => "",
    };
    if let Error::TooManyAttempts { retry_after_secs } = e {
        // The core's sentence speaks of failed attempts; here it is texts sent too often.
        message = format!(
            "A code was sent a moment ago. You can ask for another one in {}.",
            wait_words(*retry_after_secs)
        );
    }
    if matches!(e, Error::InvalidCode) {
        // The core's sentence speaks of the authenticator app.
        message = "That code is not right, has expired or was already used. Enter the 6 digits \
                   from the newest text, or ask for a new code."
            .to_owned();
    }
    Some((status, FormProblem::new(form, field, message)))
}

// ---------------------------------------------------------------------------------------------
// On the account

/// Only the authenticator assistant may be returned to; nothing else a link says is followed.
fn next_of(next: &str) -> &'static str {
    if next == "totp" { "totp" } else { "" }
}

#[derive(Deserialize, Default)]
pub struct PhoneQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    next: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "code_sent" => Some(Notice::success(
            "A new code was issued. Enter it below to verify the number.",
        )),
        "verified" => Some(Notice::success("Your mobile number is verified.")),
        _ => None,
    }
}

async fn account_page(
    state: &AppState,
    auth: &portcullis_core::service::Authenticated,
    csrf: &CsrfToken,
    view: View,
    status_code: StatusCode,
) -> Result<Response, WebError> {
    let status = state.services.phone_status(&auth.user).await?;
    let layout = Layout::signed_in("Mobile number", "security", csrf.value(), auth.user.role);
    render(status_code, &page(state, csrf, layout, &status, view))
}

fn account_view(auth: &portcullis_core::service::Authenticated, next: &'static str) -> View {
    View {
        wizard: false,
        next,
        email: auth.user.email.to_string(),
        notice: None,
        problem: None,
        number: String::new(),
    }
}

/// `GET /account/phone`
pub async fn overview(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<PhoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|q| q.0).unwrap_or_default();
    let view = View {
        notice: notice(&query.done),
        ..account_view(&auth, next_of(&query.next))
    };
    let response = account_page(&state, &auth, &csrf, view, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

fn back_to_page(done: &str, next: &str) -> Response {
    let next = match next_of(next) {
        "" => String::new(),
        n => format!("&next={n}"),
    };
    Redirect::to(&format!("{PAGE}?done={done}{next}")).into_response()
}

#[derive(Deserialize)]
pub struct NumberForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /account/phone`
pub async fn set_number(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<NumberForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let result = match PhoneNumber::parse(&form.number) {
        Some(number) => {
            state
                .services
                .set_phone(&auth, &number, Some(&password), &meta)
                .await
        }
        None => Err(Error::InvalidPhone),
    };
    let e = match result {
        Ok(()) => return Ok(back_to_page("code_sent", &form.next)),
        Err(e) => e,
    };
    let Some((status, problem)) = problem("number", &e) else {
        return Err(e.into());
    };
    let view = View {
        problem: Some(problem),
        number: form.number,
        ..account_view(&auth, next_of(&form.next))
    };
    let response = account_page(&state, &auth, &csrf, view, status).await?;
    Ok(with_retry_after((csrf, response).into_response(), &e))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    next: String,
}

/// `POST /account/phone/verify`: back to the authenticator assistant when it sent the person.
pub async fn verify(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    let e = match state.services.verify_phone(&auth, &form.code, &meta).await {
        Ok(()) if next_of(&form.next) == "totp" => {
            return Ok(Redirect::to(TOTP_SETUP).into_response());
        }
        Ok(()) => return Ok(back_to_page("verified", "")),
        Err(e) => e,
    };
    let Some((status, problem)) = problem("code", &e) else {
        return Err(e.into());
    };
    let view = View {
        problem: Some(problem),
        ..account_view(&auth, next_of(&form.next))
    };
    let response = account_page(&state, &auth, &csrf, view, status).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    next: String,
}

/// `POST /account/phone/resend`
pub async fn resend(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<ResendForm>,
) -> Result<Response, WebError> {
    let e = match state.services.resend_phone_code(&auth, &meta).await {
        Ok(_) => return Ok(back_to_page("code_sent", &form.next)),
        Err(e) => e,
    };
    let Some((status, problem)) = problem("resend", &e) else {
        return Err(e.into());
    };
    let view = View {
        problem: Some(problem),
        ..account_view(&auth, next_of(&form.next))
    };
    let response = account_page(&state, &auth, &csrf, view, status).await?;
    Ok(with_retry_after((csrf, response).into_response(), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_seconds_then_minutes() {
        assert_eq!(wait_words(0), "1 second");
        assert_eq!(wait_words(45), "45 seconds");
        assert_eq!(wait_words(3000), "50 minutes");
    }

    #[test]
    fn only_the_authenticator_assistant_can_be_returned_to() {
        assert_eq!(next_of("totp"), "totp");
        assert_eq!(next_of("https://evil.example"), "");
        assert_eq!(next_of(""), "");
    }
}
