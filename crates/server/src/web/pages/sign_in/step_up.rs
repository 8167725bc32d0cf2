//! The step-up of a signed-in person: an application asked for more than their session proved
//! (`/login?acr=mfa|phr`, which sends them here). `GET /login/step-up` says what the application
//! asks for and offers to go on; `POST /login/step-up` makes the ticket for the missing step from
//! the session (`Services::start_step_up`) and hands over to the ordinary second-step and setup
//! pages, which end with a stronger session and the way on to `next`.
//!
//! Why a page with a button rather than a redirect straight to the code page: the ticket's
//! cookies are `SameSite=Strict`, and a browser withholds them for the whole redirect chain of a
//! navigation another site started (a relying party's link). The `POST` from this page is our
//! own, so the pages after it see their ticket. It also keeps the `GET` free of writes.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::login::Acr;
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::return_to::{self, safe_next};
use crate::web::kit::session::SignedIn;
use crate::web::kit::sign_in;

#[derive(Template)]
#[template(path = "login_step_up.html")]
struct StepUpPage {
    layout: Layout,
    csrf: String,
    acr: &'static str,
    phr: bool,
    /// Checked by `safe_next`; empty for the account page.
    next: String,
    /// The step-up before this one ran out of time (`?done=expired`).
    expired: bool,
}

#[derive(Deserialize, Default)]
pub struct StepUpQuery {
    #[serde(default)]
    acr: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    done: String,
}

/// The level asked for: only `mfa` and `phr` ask for more than a session always has.
fn level(acr: &str) -> Option<Acr> {
    Acr::parse(acr).filter(|a| *a > Acr::Pwd)
}

/// The sign-in page for someone without a session (signed out in another tab meanwhile): it
/// keeps both the level and the place to go.
fn sign_in_first(acr: Acr, next: Option<&str>) -> Response {
    Redirect::to(&return_to::sign_in_url(next, acr)).into_response()
}

/// `GET /login/step-up?acr=…&next=…`
pub async fn form(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    query: Result<Query<StepUpQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|q| q.0).unwrap_or_default();
    let next = safe_next(&state.config, &query.next);
    let Some(acr) = level(&query.acr) else {
        return Ok(
            Redirect::to(&return_to::sign_in_then(next.unwrap_or("/account"))).into_response(),
        );
    };
    let Some(SignedIn(auth)) = signed_in else {
        return Ok(sign_in_first(acr, next));
    };
    // Already strong enough (a reload after the step-up, the back button): straight on.
    if auth.session.acr() >= acr {
        return Ok(Redirect::to(next.unwrap_or("/account")).into_response());
    }
    let page = StepUpPage {
        layout: Layout::signed_out(match acr {
            Acr::Phr => "sign-in-step-up-title-phr",
            _ => "sign-in-step-up-title",
        }),
        csrf: csrf.value().to_owned(),
        acr: acr.as_str(),
        phr: acr == Acr::Phr,
        next: next.unwrap_or_default().to_owned(),
        expired: query.done == "expired",
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct StepUpForm {
    #[serde(default)]
    acr: String,
    #[serde(default)]
    next: String,
}

/// `POST /login/step-up`: the ticket for the missing step, and on to the code page (or the key
/// page, or the setup); a session that meets the level meanwhile goes straight on.
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    signed_in: Option<SignedIn>,
    VerifiedForm(form): VerifiedForm<StepUpForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&state.config, &form.next);
    let acr = level(&form.acr).unwrap_or(Acr::Mfa);
    let Some(SignedIn(auth)) = signed_in else {
        return Ok(sign_in_first(acr, next));
    };
    match state.services.start_step_up(&auth, acr, &meta).await {
        Ok(None) => Ok(return_to::go_on(next.unwrap_or("/account"))),
        Ok(Some(result)) => Ok(sign_in::after_password_for(
            &state, result, next, acr, false,
        )),
        Err(e) => match explain(&e) {
            Some((status, message)) => Err(WebError::page_text(
                status,
                "error-title-could-not-continue",
                message,
            )),
            None => Err(e.into()),
        },
    }
}
