//! The second page of a two-page login (seed 004): `GET|POST /login/code` asks for the code the
//! authenticator app shows, `GET /login/code?recovery=1` and `POST /login/recovery` take one of
//! the recovery codes instead. The ticket from the password step travels in the
//! `portcullis_ticket` cookie, never in a form or a URL. Whether a code is right, how often one
//! may guess and when the ticket dies are `Services::login_with_totp`'s and
//! `login_with_recovery_code`'s to decide.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::cookies::{self, SameSite};
use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, render};
use super::session::{self, SignedIn};
use crate::api::extract::Meta;
use crate::config::Config;
use crate::state::AppState;

/// Only the login pages need the ticket, so no other page ever receives it.
const TICKET_PATH: &str = "/login";

/// Strict: the ticket only ever moves between our own login pages, never by a link from
/// elsewhere. It lives no longer than the ticket itself.
pub fn set_ticket(config: &Config, ticket: &Token, max_age_secs: i64) -> HeaderValue {
    set_ticket_cookie(config, cookies::TICKET, ticket, max_age_secs)
}

pub fn clear_ticket(config: &Config) -> HeaderValue {
    clear_ticket_cookie(config, cookies::TICKET)
}

/// A login ticket in cookie `name` ([`cookies::TICKET`] or the setup wizard's
/// [`cookies::ENROL`]), with the attributes every ticket cookie shares.
pub fn set_ticket_cookie(
    config: &Config,
    name: &str,
    ticket: &Token,
    max_age_secs: i64,
) -> HeaderValue {
    cookies::set_scoped(
        name,
        ticket.expose(),
        TICKET_PATH,
        max_age_secs,
        SameSite::Strict,
        config.secure_cookies(),
    )
}

pub fn clear_ticket_cookie(config: &Config, name: &str) -> HeaderValue {
    cookies::clear_at(name, TICKET_PATH, SameSite::Strict, config.secure_cookies())
}

/// The ticket of a sign-in that passed the password step. Without one there is no second step to
/// take, so the person goes back to the password.
pub struct Ticket(Token);

impl<S: Send + Sync> FromRequestParts<S> for Ticket {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        cookies::get(&parts.headers, cookies::TICKET)
            .map(|t| Ticket(Token::from_client(t)))
            .ok_or_else(|| Redirect::to("/login"))
    }
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    /// The recovery-code form instead of the authenticator-code form.
    recovery: bool,
    error: Option<String>,
}

impl CodePage {
    fn new(csrf: &CsrfToken, recovery: bool) -> Self {
        let title = if recovery {
            "Use a recovery code"
        } else {
            "Enter your code"
        };
        CodePage {
            layout: Layout::signed_out(title),
            csrf: csrf.value().to_owned(),
            recovery,
            error: None,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    recovery: String,
}

/// `GET /login/code`, and `?recovery=1` for the recovery-code form.
pub async fn form(
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    query: Result<Query<CodeQuery>, QueryRejection>,
    _ticket: Ticket,
) -> Result<Response, WebError> {
    if signed_in.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let recovery = query.map(|q| q.0).unwrap_or_default().recovery == "1";
    let page = CodePage::new(&csrf, recovery);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/code`
pub async fn submit_code(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    if form.code.trim().is_empty() {
        // Nothing typed is not a guess; it costs the ticket nothing.
        let message = "Enter the code your authenticator app shows.";
        return retry(
            csrf,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
            message.into(),
        );
    }
    let result = state
        .services
        .login_with_totp(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    finish(&state, csrf, false, result)
}

/// `POST /login/recovery`
pub async fn submit_recovery(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    if form.code.trim().is_empty() {
        let message = "Enter one of your recovery codes.";
        return retry(csrf, true, StatusCode::UNPROCESSABLE_ENTITY, message.into());
    }
    let result = state
        .services
        .login_with_recovery_code(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    finish(&state, csrf, true, result)
}

/// "Try the next code" is advice for the app's codes; a recovery code has no next one.
pub const WRONG_RECOVERY_CODE: &str =
    "That recovery code is not right, or was already used. Each code works once.";

fn finish(
    state: &AppState,
    csrf: CsrfToken,
    recovery: bool,
    result: Result<LoginResult, Error>,
) -> Result<Response, WebError> {
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            return Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session::set_cookie(&state.config, &token),
                    ),
                    (header::SET_COOKIE, clear_ticket(&state.config)),
                ]),
                Redirect::to("/account"),
            )
                .into_response());
        }
        Ok(LoginResult::SecondFactor { .. } | LoginResult::EnrollmentRequired { .. }) => {
            return Err(WebError::Internal(Error::internal_msg(
                "a second step asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => {
            return Ok((
                [(header::SET_COOKIE, clear_ticket(&state.config))],
                Redirect::to("/login?done=sign_in_expired"),
            )
                .into_response());
        }
        Err(e) => e,
    };
    let retry_after = match &e {
        Error::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    let Some((status, mut message)) = explain(&e) else {
        return Err(e.into());
    };
    if recovery && matches!(e, Error::SecondFactorFailed) {
        WRONG_RECOVERY_CODE.clone_into(&mut message);
    }
    let mut response = retry(csrf, recovery, status, message)?;
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    Ok(response)
}

/// The same form again, with what went wrong.
fn retry(
    csrf: CsrfToken,
    recovery: bool,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = CodePage {
        error: Some(message),
        ..CodePage::new(&csrf, recovery)
    };
    Ok((csrf, render(status, &page)?).into_response())
}
