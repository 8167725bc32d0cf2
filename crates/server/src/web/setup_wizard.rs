//! The setup wizard at sign-in (when an administrator forces two-factor authentication,
//! "the user will be guided through the setup wizard the next time they log in to complete the
//! activation. Otherwise a log-in is not possible."). After a correct password the enrolment
//! ticket travels in the `portcullis_enrol` cookie; `GET /login/setup` shows a new key (QR code and
//! text) and `POST /login/setup` takes the code the app shows, switches the app on, signs the
//! person in and shows the recovery codes once. No password is asked: it was checked a moment ago.
//! What the ticket allows, how often one may guess and when it dies are the services' to decide.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::cookies;
use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, render};
use super::recovery_codes::{CodesPage, Occasion};
use super::second_step::{clear_ticket_cookie, set_ticket_cookie};
use super::session::{self, SignedIn};
use super::totp::AppKey;
use crate::api::extract::Meta;
use crate::config::Config;
use crate::state::AppState;

pub const PATH: &str = "/login/setup";

/// The enrolment ticket's cookie: like the second step's, Strict and only for `/login/…`.
pub fn set_ticket(config: &Config, ticket: &Token, max_age_secs: i64) -> HeaderValue {
    set_ticket_cookie(config, cookies::ENROL, ticket, max_age_secs)
}

pub fn clear_ticket(config: &Config) -> HeaderValue {
    clear_ticket_cookie(config, cookies::ENROL)
}

/// The ticket of a sign-in that passed the password and must set up an app before it may
/// finish. Without one there is nothing to set up, so the person goes back to the password.
pub struct EnrolTicket(Token);

impl<S: Send + Sync> FromRequestParts<S> for EnrolTicket {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        cookies::get(&parts.headers, cookies::ENROL)
            .map(|t| EnrolTicket(Token::from_client(t)))
            .ok_or_else(|| Redirect::to("/login"))
    }
}

#[derive(Template)]
#[template(path = "login_setup.html")]
struct WizardPage {
    layout: Layout,
    csrf: String,
    /// The new key to add to the app; `None` after a wrong code, when the key already in the
    /// app is still the right one and only the code is asked again.
    app: Option<AppKey>,
    /// How long the sign-in waits for the setup, in whole minutes.
    minutes: i64,
    error: Option<String>,
}

fn minutes(state: &AppState) -> i64 {
    (state.services.settings.ticket_secs / 60).max(1)
}

/// Back to the password, for a ticket that expired or had too many wrong codes.
fn expired(state: &AppState) -> Response {
    (
        [(header::SET_COOKIE, clear_ticket(&state.config))],
        Redirect::to("/login?done=sign_in_expired"),
    )
        .into_response()
}

/// `GET /login/setup`: a fresh key each time the page is opened, so a key someone glimpsed on an
/// abandoned page is worth nothing.
pub async fn form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    EnrolTicket(ticket): EnrolTicket,
) -> Result<Response, WebError> {
    if signed_in.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    // Seed 003's assistant: a mobile number first, when the deployment requires one.
    if let Some(step) = super::phone_wizard::wizard_step(&state, &ticket, &csrf).await? {
        return Ok((csrf, step).into_response());
    }
    let (enrolment, email) = match state.services.enrol_with_ticket(&ticket, &meta).await {
        Ok(found) => found,
        // Finished in another window meanwhile, or simply too late: sign in again either way.
        Err(Error::InvalidTicket | Error::TotpAlreadyActive) => return Ok(expired(&state)),
        Err(e) => return Err(e.into()),
    };
    let email = email.to_string();
    let page = WizardPage {
        layout: Layout::signed_out("Set up two-factor authentication"),
        csrf: csrf.value().to_owned(),
        app: Some(AppKey::new(&state, &email, &enrolment)?),
        minutes: minutes(&state),
        error: None,
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/setup`: on success the recovery codes, in this response only, and the session.
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    EnrolTicket(ticket): EnrolTicket,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    if form.code.trim().is_empty() {
        // Nothing typed is not a guess; it costs the ticket nothing.
        let message = "Enter the code your authenticator app shows.";
        return retry(
            &state,
            csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            message.into(),
        );
    }
    let result = state
        .services
        .activate_with_ticket(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    let e = match result {
        Ok((LoginResult::Complete { token, user, .. }, codes)) => {
            state.metrics.record_login("success");
            let page = CodesPage::new(&csrf, user.role, Occasion::Enrolled, &codes);
            return Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session::set_cookie(&state.config, &token),
                    ),
                    (header::SET_COOKIE, clear_ticket(&state.config)),
                ]),
                csrf,
                render(StatusCode::OK, &page)?,
            )
                .into_response());
        }
        Ok(_) => {
            return Err(WebError::Internal(Error::internal_msg(
                "the setup wizard asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => return Ok(expired(&state)),
        // The key was replaced or never made (another window): show a new one. Without the
        // required mobile number, the wizard shows that step again.
        Err(Error::EnrollmentNotStarted | Error::PhoneNotVerified) => {
            return Ok(Redirect::to(PATH).into_response());
        }
        Err(e) => e,
    };
    let retry_after = match &e {
        Error::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let mut response = retry(&state, csrf, status, message)?;
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    Ok(response)
}

/// The code step again, with what went wrong. The key is not shown again: the one in the app is
/// still the right one, and showing a new key would make the person scan again for a typo.
fn retry(
    state: &AppState,
    csrf: CsrfToken,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = WizardPage {
        layout: Layout::signed_out("Set up two-factor authentication"),
        csrf: csrf.value().to_owned(),
        app: None,
        minutes: minutes(state),
        error: Some(message),
    };
    Ok((csrf, render(status, &page)?).into_response())
}
