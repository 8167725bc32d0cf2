//! The second step by a remembered browser: `GET /login/browser` carries a fresh challenge of
//! the login's ticket (each visit makes a new one; a used one is worthless), and
//! `static/remember.js` finds this account's key in the browser's IndexedDB, signs the challenge
//! and posts `POST /login/browser` with the key's id and the signature. The code page sends a
//! browser here first when its hint cookie says it may hold a key (`kit::remembered`).
//!
//! Every way out that is not a sign-in leads to the code page without this detour
//! (`/login/code?browser=no`): no usable browser on the account, no key in this browser, no
//! JavaScript (a `<noscript>` refresh and a visible link), or a refused signature. Whether a
//! signature counts, and what a refusal costs, are `Services::sign_in_with_remembered_browser`'s.

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{SessionKind, TicketPurpose};
use portcullis_core::secret::Token;
use portcullis_core::service::{LoginResult, TicketLife};
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::remembered::CODE_INSTEAD;
use crate::web::kit::return_to::ReturnTo;
use crate::web::kit::sign_in::{self, Settled, Ticket};

#[derive(Template)]
#[template(path = "login_browser.html")]
struct BrowserPage {
    layout: Layout,
    csrf: String,
    challenge: String,
    /// Which of the browser's keys belongs to this account.
    handle: String,
    fallback: &'static str,
}

/// `GET /login/browser`
pub async fn form(
    State(state): State<AppState>,
    settled: Settled,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
) -> Result<Response, WebError> {
    if settled.0 {
        return Ok(Redirect::to("/account").into_response());
    }
    let challenge = match state.services.browser_challenge(&ticket).await {
        Ok(Some(challenge)) => challenge,
        // Nothing this account could sign with, or the account is throttled: the code page
        // has the other ways and says what is wrong.
        Ok(None) | Err(Error::TooManyAttempts { .. }) => {
            return Ok(Redirect::to(CODE_INSTEAD).into_response());
        }
        Err(Error::InvalidTicket) => return ended(&state, &ticket).await,
        Err(e) => return Err(e.into()),
    };
    let page = BrowserPage {
        layout: Layout::signed_out("sign-in-browser-title"),
        csrf: csrf.value().to_owned(),
        challenge: challenge.challenge,
        handle: challenge.handle,
        fallback: CODE_INSTEAD,
    };
    let mut response = (csrf, render(StatusCode::OK, &page)?).into_response();
    // The challenge is single use: a page from the cache would only carry a spent one.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct BrowserForm {
    #[serde(default)]
    browser_id: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    challenge: String,
}

/// `POST /login/browser`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Ticket(ticket): Ticket,
    return_to: ReturnTo,
    VerifiedForm(form): VerifiedForm<BrowserForm>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .sign_in_with_remembered_browser(
            &ticket,
            &form.browser_id,
            &form.signature,
            &form.challenge,
            SessionKind::Web,
            &meta,
        )
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    match result {
        Ok(LoginResult::Complete { token, .. }) => Ok(sign_in::second_step_passed(
            &state.config,
            &token,
            return_to.path(),
        )),
        Ok(_) => Err(WebError::Internal(Error::internal_msg(
            "a second step asked for yet another step",
        ))),
        Err(Error::InvalidTicket) => ended(&state, &ticket).await,
        // Refused, or the account is throttled: the code page, which says so when it matters.
        Err(
            Error::SecondFactorFailed
            | Error::TooManyAttempts { .. }
            | Error::PhishingResistantRequired
            | Error::AccountLocked,
        ) => Ok(Redirect::to(CODE_INSTEAD).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The way back to the password for a ticket that has ended, as the code page takes it.
async fn ended(state: &AppState, ticket: &Token) -> Result<Response, WebError> {
    let life = state
        .services
        .ticket_life(ticket, TicketPurpose::SecondFactor)
        .await?;
    if life == TicketLife::TimedOut {
        return Ok(sign_in::too_late(
            &state.config,
            false,
            sign_in::clear_ticket(&state.config),
        ));
    }
    Ok((
        [(header::SET_COOKIE, sign_in::clear_ticket(&state.config))],
        Redirect::to("/login?done=sign_in_expired"),
    )
        .into_response())
}
