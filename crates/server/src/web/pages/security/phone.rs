//! The mobile number from the browser, without JavaScript: `GET /account/phone` shows
//! the number and the step it is at; `POST /account/phone` sends a code to a (new) number (with
//! the password when it replaces a verified one), `POST /account/phone/verify` takes the code and
//! `POST /account/phone/resend` asks for another one, the wait shown when it is too early.
//!
//! The same page (`kit::phone_page`) is the first step of both setup assistants when the
//! deployment requires a verified number before two-factor authentication: the one on the
//! security page (`?next=totp` leads back to it) and the forced wizard at sign-in
//! (`sign_in::phone_wizard`), which reaches it with its enrolment ticket. Limits, codes and
//! whether a step is allowed are the services'.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::phone::PhoneNumber;
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, with_retry_after};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::paths;
use crate::web::kit::phone_page::{self, View};
use crate::web::kit::session::SignedIn;

const PAGE: &str = paths::PHONE;
const TOTP_SETUP: &str = "/account/security/totp";

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
        "code_sent" => Some(Notice::success("security-phone-code-issued")),
        "verified" => Some(Notice::success("security-phone-is-verified")),
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
    let layout = Layout::signed_in(
        "security-phone-title",
        "security",
        csrf.value(),
        auth.user.role,
    );
    render(
        status_code,
        &phone_page::page(state, csrf, layout, &status, view),
    )
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
    let Some((status, problem)) = phone_page::problem("number", &e) else {
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
    code: String,
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
    let Some((status, problem)) = phone_page::problem("code", &e) else {
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
    let Some((status, problem)) = phone_page::problem("resend", &e) else {
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
    fn only_the_authenticator_assistant_can_be_returned_to() {
        assert_eq!(next_of("totp"), "totp");
        assert_eq!(next_of("https://evil.example"), "");
        assert_eq!(next_of(""), "");
    }
}
