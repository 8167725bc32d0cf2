//! The number step of the forced setup wizard at sign-in (the setup assistant that asks for a number first), when the
//! deployment requires a verified mobile number before two-factor authentication:
//! `GET /login/setup` shows it first ([`wizard_step`]), and `POST /login/setup/phone`,
//! `/login/setup/phone/verify` and `/login/setup/phone/resend` take the number, the code and a
//! request for another code with the enrolment ticket from the `portcullis_enrol` cookie. The page
//! is `phone.html`, as on the account; the rules are the services'.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::phone::PhoneNumber;
use portcullis_core::secret::Token;
use serde::Deserialize;

use super::cookies;
use super::csrf::{CsrfToken, NoFields, VerifiedForm};
use super::error::{WebError, with_retry_after};
use super::page::{FormProblem, Layout, render};
use super::phone::{CodeForm, View, page, problem};
use super::setup_wizard;
use crate::http::Meta;
use crate::state::AppState;

/// The step before the authenticator in the wizard, when the deployment requires a verified
/// number and there is none yet; `None` when the wizard goes straight to the authenticator.
pub async fn wizard_step(
    state: &AppState,
    ticket: &Token,
    csrf: &CsrfToken,
) -> Result<Option<Response>, WebError> {
    if !state.services.settings.require_phone_for_2fa {
        return Ok(None);
    }
    let status = match state.services.phone_status_with_ticket(ticket).await {
        Ok(status) => status,
        Err(e) => return wizard_exit(state, &e).map(Some).ok_or_else(|| e.into()),
    };
    if !status.required_for_2fa {
        return Ok(None);
    }
    let page = page(
        state,
        csrf,
        wizard_layout(),
        &status,
        wizard_view(None, String::new()),
    );
    render(StatusCode::OK, &page).map(Some)
}

fn wizard_layout() -> Layout {
    Layout::signed_out("Set up two-factor authentication")
}

fn wizard_view(problem: Option<FormProblem>, number: String) -> View {
    View {
        wizard: true,
        next: "",
        email: String::new(),
        notice: None,
        problem,
        number,
    }
}

/// The enrolment ticket's cookie; without one there is nothing to set up.
fn wizard_ticket(headers: &HeaderMap) -> Option<Token> {
    cookies::get(headers, cookies::ENROL).map(Token::from_client)
}

/// Failures the wizard answers by moving on: an ended sign-in goes back to the password; a
/// number verified meanwhile (or none to resend to, or no number step at all) back to the wizard,
/// which shows what comes next.
fn wizard_exit(state: &AppState, e: &Error) -> Option<Response> {
    match e {
        Error::InvalidTicket => Some(
            (
                [(
                    header::SET_COOKIE,
                    setup_wizard::clear_ticket(&state.config),
                )],
                Redirect::to("/login?done=sign_in_expired"),
            )
                .into_response(),
        ),
        Error::Forbidden(_) | Error::Conflict(_) => {
            Some(Redirect::to(setup_wizard::PATH).into_response())
        }
        _ => None,
    }
}

/// The wizard after one of its phone forms: on to the next step, or this one again with what
/// went wrong.
async fn wizard_reply(
    state: &AppState,
    csrf: CsrfToken,
    ticket: &Token,
    result: Result<(), Error>,
    form: &'static str,
    number: String,
) -> Result<Response, WebError> {
    let e = match result {
        Ok(()) => return Ok(Redirect::to(setup_wizard::PATH).into_response()),
        Err(e) => e,
    };
    if let Some(response) = wizard_exit(state, &e) {
        return Ok(response);
    }
    let Some((status_code, problem)) = problem(form, &e) else {
        return Err(e.into());
    };
    let status = match state.services.phone_status_with_ticket(ticket).await {
        Ok(status) => status,
        Err(e) => return wizard_exit(state, &e).ok_or_else(|| e.into()),
    };
    let view = wizard_view(Some(problem), number);
    let response = render(
        status_code,
        &page(state, &csrf, wizard_layout(), &status, view),
    )?;
    Ok(with_retry_after((csrf, response).into_response(), &e))
}

#[derive(Deserialize)]
pub struct WizardNumberForm {
    #[serde(default)]
    number: String,
}

/// `POST /login/setup/phone`
pub async fn wizard_number(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<WizardNumberForm>,
) -> Result<Response, WebError> {
    let Some(ticket) = wizard_ticket(&headers) else {
        return Ok(super::login::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`setup_wizard::keep_alive`).
    let alive = match setup_wizard::keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let result = match PhoneNumber::parse(&form.number) {
        Some(number) => {
            state
                .services
                .set_phone_with_ticket(&ticket, &number, &meta)
                .await
        }
        None => Err(Error::InvalidPhone),
    };
    wizard_reply(&state, csrf, &ticket, result, "number", form.number)
        .await
        .map(|r| setup_wizard::with_ticket_cookie(r, alive))
}

/// `POST /login/setup/phone/verify`
pub async fn wizard_verify(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    let Some(ticket) = wizard_ticket(&headers) else {
        return Ok(super::login::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`setup_wizard::keep_alive`).
    let alive = match setup_wizard::keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let result = state
        .services
        .verify_phone_with_ticket(&ticket, &form.code, &meta)
        .await;
    wizard_reply(&state, csrf, &ticket, result, "code", String::new())
        .await
        .map(|r| setup_wizard::with_ticket_cookie(r, alive))
}

/// `POST /login/setup/phone/resend`
pub async fn wizard_resend(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    csrf: CsrfToken,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let Some(ticket) = wizard_ticket(&headers) else {
        return Ok(super::login::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`setup_wizard::keep_alive`).
    let alive = match setup_wizard::keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let result = state
        .services
        .resend_phone_code_with_ticket(&ticket, &meta)
        .await
        .map(|_| ());
    wizard_reply(&state, csrf, &ticket, result, "resend", String::new())
        .await
        .map(|r| setup_wizard::with_ticket_cookie(r, alive))
}
