//! The setup wizard at sign-in with a security key or passkey instead of an authenticator app:
//! `GET /login/setup/key` starts a ceremony for the enrolment ticket and shows the name field
//! and the button (`static/webauthn.js` asks the browser and sends the answer); `POST` of the
//! same path adds the key, signs the person in and shows the recovery codes once, as the app's
//! setup ends. Under "phishing-resistant only" the wizard (`setup_wizard`) sends people here
//! with `?only=1`, and this is the only way through: the page says why. A person who already
//! has a factor (sent here by that setting) proves it with a code from the app or a recovery
//! code: the services say when (`enrolment_needs_code`) and check it.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{RequestMeta, SessionKind};
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::{keep_alive, number_step, setup_expired, with_ticket_cookie};
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::ceremony::{self, Ceremony};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::form::FormError;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::paths;
use crate::web::kit::session;
use crate::web::kit::sign_in::{self, AppAsks, EnrolTicket, Settled};

/// A message id: a wrong code from an account that already has a factor.
const WRONG_CODE: &str = "sign-in-setup-key-wrong-code";

#[derive(Template)]
#[template(path = "login_setup_key.html")]
struct KeyWizardPage {
    layout: Layout,
    csrf: String,
    ceremony: Ceremony,
    /// "Phishing-resistant only": a key is the only way through, and the page says why.
    only: bool,
    /// An application asked for this (a step-up), not an administrator.
    app_asks: bool,
    /// The account already has a factor: the form asks for one of its codes.
    needs_code: bool,
    name: String,
    error: Option<FormError>,
}

impl KeyWizardPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct KeyQuery {
    #[serde(default)]
    only: String,
}

fn only(query: Result<Query<KeyQuery>, QueryRejection>) -> bool {
    query.map(|q| q.0).unwrap_or_default().only == "1"
}

/// The page with a fresh ceremony (a ceremony answers once, so every refusal needs a new one).
async fn wizard_page(
    state: &AppState,
    meta: &RequestMeta,
    csrf: CsrfToken,
    ticket: &Token,
    (only, app_asks): (bool, bool),
    name: String,
    refusal: Option<(StatusCode, FormError)>,
) -> Result<Response, WebError> {
    let start = match state.services.start_webauthn_enrolment(ticket, meta).await {
        Ok(start) => start,
        Err(Error::InvalidTicket) => return Ok(setup_expired(state)),
        Err(e) => return Err(e.into()),
    };
    let needs_code = state.services.enrolment_needs_code(ticket).await?;
    let (status, error) = refusal.map_or((StatusCode::OK, None), |(s, e)| (s, Some(e)));
    let page = KeyWizardPage {
        layout: Layout::signed_out("sign-in-setup-key-window-title"),
        csrf: csrf.value().to_owned(),
        ceremony: Ceremony::started(&start),
        only,
        app_asks,
        needs_code,
        name,
        error,
    };
    Ok((csrf, render(status, &page)?).into_response())
}

/// `GET /login/setup/key`
pub async fn form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    settled: Settled,
    csrf: CsrfToken,
    query: Result<Query<KeyQuery>, QueryRejection>,
    ticket: Result<EnrolTicket, Redirect>,
    AppAsks(asks): AppAsks,
) -> Result<Response, WebError> {
    if settled.0 {
        // Done already (a reload after the codes, the back button): the wizard moves on.
        return Ok(Redirect::to(paths::SETUP_WIZARD).into_response());
    }
    let ticket = match ticket {
        Ok(EnrolTicket(ticket)) => ticket,
        Err(back) => return Ok(back.into_response()),
    };
    let alive = match keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    if let Some(step) = number_step(&state, &ticket, &csrf).await? {
        return Ok(with_ticket_cookie((csrf, step).into_response(), alive));
    }
    let response = wizard_page(
        &state,
        &meta,
        csrf,
        &ticket,
        (only(query), asks.is_some()),
        String::new(),
        None,
    )
    .await?;
    Ok(with_ticket_cookie(response, alive))
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    credential: String,
    #[serde(default)]
    code: String,
}

/// `POST /login/setup/key`: on success the session, and a redirect to the recovery codes, held
/// for that session and shown once.
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    query: Result<Query<KeyQuery>, QueryRejection>,
    EnrolTicket(ticket): EnrolTicket,
    AppAsks(asks): AppAsks,
    VerifiedForm(form): VerifiedForm<KeyForm>,
) -> Result<Response, WebError> {
    let only = only(query);
    let alive = match keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let refused = |field, message: String, status| {
        let error = FormError { field, message };
        Some((status, error))
    };
    let answer = match ceremony::answer(&form.credential) {
        Ok(answer) => answer,
        Err(message) => {
            let refusal = refused("", tr(message), StatusCode::UNPROCESSABLE_ENTITY);
            let response = wizard_page(
                &state,
                &meta,
                csrf,
                &ticket,
                (only, asks.is_some()),
                form.name,
                refusal,
            )
            .await?;
            return Ok(with_ticket_cookie(response, alive));
        }
    };
    let code = Some(form.code.trim()).filter(|c| !c.is_empty());
    let result = state
        .services
        .finish_webauthn_enrolment(
            &ticket,
            &Token::from_client(&form.ceremony),
            &form.name,
            &answer,
            code,
            SessionKind::Web,
            &meta,
        )
        .await;
    let e = match result {
        Ok((LoginResult::Complete { token, .. }, _codes)) => {
            state.metrics.record_login("success");
            // The codes were held for the new session with the key itself; the redirect's `GET`
            // shows them once, so a reload there sends nothing again.
            return Ok((
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        session::set_cookie(&state.config, &token),
                    ),
                    (
                        header::SET_COOKIE,
                        sign_in::clear_enrol_ticket(&state.config),
                    ),
                ]),
                Redirect::to(paths::RECOVERY_CODES_AFTER_KEY),
            )
                .into_response());
        }
        Ok(_) => {
            return Err(WebError::Internal(Error::internal_msg(
                "the setup wizard asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => return Ok(setup_expired(&state)),
        // Without the required mobile number, the wizard shows that step first.
        Err(Error::PhoneNotVerified) => {
            return Ok(Redirect::to(paths::SETUP_WIZARD).into_response());
        }
        Err(e) => e,
    };
    let refusal = match &e {
        Error::InvalidCeremony => refused("", tr(ceremony::TOO_LATE), StatusCode::BAD_REQUEST),
        Error::InvalidCode => refused("code", tr(WRONG_CODE), StatusCode::UNPROCESSABLE_ENTITY),
        _ => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            let field = match &e {
                // The name, or the code an account with a factor must give (the core's words
                // say which, in English, whatever the page's language).
                Error::Validation(why) if code.is_none() && why.contains("code") => "code",
                Error::Validation(_) => "name",
                _ => "",
            };
            refused(field, message, status)
        }
    };
    let response = wizard_page(
        &state,
        &meta,
        csrf,
        &ticket,
        (only, asks.is_some()),
        form.name,
        refusal,
    )
    .await?;
    Ok(with_ticket_cookie(with_retry_after(response, &e), alive))
}
