//! The setup wizard at sign-in (when an administrator forces two-factor authentication,
//! "the user will be guided through the setup wizard the next time they log in to complete the
//! activation. Otherwise a log-in is not possible."). After a correct password the enrolment
//! ticket travels in the `portcullis_enrol` cookie; `GET /login/setup` shows a new key (QR code and
//! text) and `POST /login/setup` takes the code the app shows, switches the app on, signs the
//! person in and shows the recovery codes once. No password is asked: it was checked a moment ago.
//! The page also offers a security key or passkey instead (`setup_key`); under
//! "phishing-resistant only" it sends the person there, as the only way through.
//! What the ticket allows, how often one may guess and when it dies are the services' to decide.

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::{keep_alive, number_step, setup_expired, with_ticket_cookie};
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::authenticator_key::AppKey;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::paths;
use crate::web::kit::return_to::ReturnTo;
use crate::web::kit::session;
use crate::web::kit::sign_in::{self, AppAsks, EnrolTicket, Settled};

/// The wizard's address; `kit::paths` names it for the pages that send people here.
pub const PATH: &str = paths::SETUP_WIZARD;

#[derive(Template)]
#[template(path = "login_setup.html")]
struct WizardPage {
    layout: Layout,
    csrf: String,
    /// The new key to add to the app; `None` after a wrong code, when the key already in the
    /// app is still the right one and only the code is asked again.
    app: Option<AppKey>,
    /// How long the sign-in waits for the next step of the setup, in whole minutes.
    minutes: i64,
    /// The greeting for an account created a moment ago (`?welcome=1`).
    notice: Option<Notice>,
    error: Option<String>,
    /// An application asked for two-factor authentication (a step-up), not an administrator.
    app_asks: bool,
}

/// The setup waits this long for each step (the ticket slides with every request).
fn minutes(state: &AppState) -> i64 {
    (state.services.settings.enrolment_idle_secs / 60).max(1)
}

/// What a person who has just created their account reads above the wizard.
const WELCOME: Notice = Notice::success("sign-in-setup-welcome");

#[derive(Deserialize, Default)]
pub struct WizardQuery {
    #[serde(default)]
    welcome: String,
}

/// `GET /login/setup`: the key of the setup under way (the one already in the app after a
/// reload or a new sign-in), or a new one. Signed in (the setup is done), it goes on to the page
/// the sign-in was for.
// Each argument is an extractor axum fills; grouping them would hide what the page reads.
#[allow(clippy::too_many_arguments)]
pub async fn form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    settled: Settled,
    csrf: CsrfToken,
    return_to: ReturnTo,
    query: Result<axum::extract::Query<WizardQuery>, axum::extract::rejection::QueryRejection>,
    ticket: Result<EnrolTicket, Redirect>,
    AppAsks(asks): AppAsks,
) -> Result<Response, WebError> {
    if settled.0 {
        let [next, step] = sign_in::finished_cookies(&state.config);
        return Ok((
            AppendHeaders([(header::SET_COOKIE, next), (header::SET_COOKIE, step)]),
            Redirect::to(return_to.path()),
        )
            .into_response());
    }
    let ticket = match ticket {
        Ok(EnrolTicket(ticket)) => ticket,
        Err(back) => return Ok(back.into_response()),
    };
    let alive = match keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    let welcome = query.map(|q| q.0).unwrap_or_default().welcome == "1";
    // With `require_phone_for_2fa` the assistant asks for a verified mobile number first.
    if let Some(step) = number_step(&state, &ticket, &csrf).await? {
        return Ok(with_ticket_cookie((csrf, step).into_response(), alive));
    }
    let (enrolment, email) = match state.services.enrol_with_ticket(&ticket, &meta).await {
        Ok(found) => found,
        // Finished in another window meanwhile, or simply too late: sign in again either way.
        Err(Error::InvalidTicket | Error::TotpAlreadyActive) => return Ok(setup_expired(&state)),
        // "Phishing-resistant only": the setup offers only a key (`setup_key`), and says why.
        Err(Error::PhishingResistantRequired) => {
            let only = format!("{}?only=1", paths::SETUP_KEY);
            return Ok(with_ticket_cookie(
                Redirect::to(&only).into_response(),
                alive,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let email = email.to_string();
    let page = WizardPage {
        layout: Layout::signed_out("sign-in-setup-title"),
        csrf: csrf.value().to_owned(),
        app: Some(AppKey::new(&state, &email, &enrolment)?),
        minutes: minutes(&state),
        notice: welcome.then_some(WELCOME),
        error: None,
        app_asks: asks.is_some(),
    };
    let response = (csrf, render(StatusCode::OK, &page)?).into_response();
    Ok(with_ticket_cookie(response, alive))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/setup`: on success the session, and a redirect to the recovery codes, which are
/// held for that session and shown once (`kit::paths::RECOVERY_CODES`).
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    EnrolTicket(ticket): EnrolTicket,
    AppAsks(asks): AppAsks,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    let alive = match keep_alive(&state, &ticket).await? {
        Ok(cookie) => cookie,
        Err(ended) => return Ok(ended),
    };
    if form.code.trim().is_empty() {
        // Nothing typed is not a guess; it costs the ticket nothing.
        let message = crate::i18n::tr("sign-in-code-missing");
        let response = retry(
            &state,
            csrf,
            asks.is_some(),
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )?;
        return Ok(with_ticket_cookie(response, alive));
    }
    let result = state
        .services
        .activate_with_ticket(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    let e = match result {
        Ok((LoginResult::Complete { token, .. }, _held)) => {
            state.metrics.record_login("success");
            // The codes were held for the new session in the activation's transaction and are
            // shown once by the redirect's `GET`: a reload there says they were shown instead
            // of posting the code again.
            let redirect = Redirect::to(paths::RECOVERY_CODES);
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
                redirect,
            )
                .into_response());
        }
        Ok(_) => {
            return Err(WebError::Internal(Error::internal_msg(
                "the setup wizard asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => return Ok(setup_expired(&state)),
        Err(Error::PhishingResistantRequired) => {
            let only = format!("{}?only=1", paths::SETUP_KEY);
            return Ok(Redirect::to(&only).into_response());
        }
        // The key was replaced or never made (another window): show a new one. Without the
        // required mobile number, the wizard shows that step again.
        Err(Error::EnrollmentNotStarted | Error::PhoneNotVerified) => {
            return Ok(Redirect::to(paths::SETUP_WIZARD).into_response());
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let response = retry(&state, csrf, asks.is_some(), status, message)?;
    Ok(with_ticket_cookie(with_retry_after(response, &e), alive))
}

/// The code step again, with what went wrong. The key is not shown again: the one in the app is
/// still the right one, and showing a new key would make the person scan again for a typo.
fn retry(
    state: &AppState,
    csrf: CsrfToken,
    app_asks: bool,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = WizardPage {
        layout: Layout::signed_out("sign-in-setup-title"),
        csrf: csrf.value().to_owned(),
        app: None,
        minutes: minutes(state),
        notice: None,
        error: Some(message),
        app_asks,
    };
    Ok((csrf, render(status, &page)?).into_response())
}
