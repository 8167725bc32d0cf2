//! The number step of the forced setup wizard at sign-in (the setup assistant that asks for a number first), when the
//! deployment requires a verified mobile number before two-factor authentication:
//! `GET /login/setup` shows it first (the group's `number_step`), and `POST /login/setup/phone`,
//! `/login/setup/phone/verify` and `/login/setup/phone/resend` take the number, the code and a
//! request for another code with the enrolment ticket from the `portcullis_enrol` cookie. The page
//! is `phone.html`, as on the account (`kit::phone_page`); the rules are the services'.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::phone::PhoneNumber;
use portcullis_core::secret::Token;
use serde::Deserialize;

use super::{keep_alive, with_ticket_cookie, wizard_exit, wizard_layout, wizard_view};
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, with_retry_after};
use crate::web::kit::page::render;
use crate::web::kit::{cookies, paths, phone_page, sign_in};

/// The enrolment ticket's cookie; without one there is nothing to set up.
fn wizard_ticket(headers: &HeaderMap) -> Option<Token> {
    cookies::get(headers, cookies::ENROL).map(Token::from_client)
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
        Ok(()) => return Ok(Redirect::to(paths::SETUP_WIZARD).into_response()),
        Err(e) => e,
    };
    if let Some(response) = wizard_exit(state, &e) {
        return Ok(response);
    }
    let Some((status_code, problem)) = phone_page::problem(form, &e) else {
        return Err(e.into());
    };
    let status = match state.services.phone_status_with_ticket(ticket).await {
        Ok(status) => status,
        Err(e) => return wizard_exit(state, &e).ok_or_else(|| e.into()),
    };
    let view = wizard_view(Some(problem), number);
    let response = render(
        status_code,
        &phone_page::page(state, &csrf, wizard_layout(), &status, view),
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
        return Ok(sign_in::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`keep_alive`).
    let alive = match keep_alive(&state, &ticket).await? {
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
        .map(|r| with_ticket_cookie(r, alive))
}

#[derive(Deserialize)]
pub struct WizardCodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/setup/phone/verify`
pub async fn wizard_verify(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<WizardCodeForm>,
) -> Result<Response, WebError> {
    let Some(ticket) = wizard_ticket(&headers) else {
        return Ok(sign_in::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`keep_alive`).
    let alive = match keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let result = state
        .services
        .verify_phone_with_ticket(&ticket, &form.code, &meta)
        .await;
    wizard_reply(&state, csrf, &ticket, result, "code", String::new())
        .await
        .map(|r| with_ticket_cookie(r, alive))
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
        return Ok(sign_in::without_ticket(&headers).into_response());
    };
    // Each step of the setup keeps it alive (`keep_alive`).
    let alive = match keep_alive(&state, &ticket).await? {
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
        .map(|r| with_ticket_cookie(r, alive))
}
