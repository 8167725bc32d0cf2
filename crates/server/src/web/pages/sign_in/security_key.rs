//! The second step by security key or passkey: `GET /login/key` starts a ceremony for the
//! login's ticket (naming the person's keys) and shows "Use your security key";
//! `static/webauthn.js` asks the browser at once and on every press of the button, and sends the
//! answer to `POST /login/key`. A refused key says so, with a fresh ceremony to try again and
//! the other ways this login has (code, companion app, recovery code). The ticket travels in
//! its cookie as for the code page; whether the answer is right, how it counts against the
//! ticket and the account, and when the ticket dies are `Services::login_with_webauthn`'s. The
//! form carries "Don't ask for a code on this browser" like the code page's (`kit::remembered`).

use crate::i18n::filters;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{RequestMeta, SessionKind, TicketPurpose};
use portcullis_core::secret::Token;
use portcullis_core::service::{LoginResult, TicketLife};
use serde::Deserialize;

use super::Offer;
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::ceremony::{self, Ceremony};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::remembered::{self, Remember};
use crate::web::kit::return_to::ReturnTo;
use crate::web::kit::sign_in::{self, Settled, Ticket};

/// What a person reads when the key's answer did not complete the sign-in: the services say
/// no more than "wrong", whatever was wrong, as for a code (a message id).
const KEY_REFUSED: &str = "sign-in-key-refused";

#[derive(Template)]
#[template(path = "login_key.html")]
struct KeyPage {
    layout: Layout,
    csrf: String,
    /// `None` when no ceremony could be started (too many attempts): the button is not offered.
    ceremony: Option<Ceremony>,
    offer: Offer,
    /// "Don't ask for a code on this browser for N days", when the contract allows it.
    remember: Option<Remember>,
    error: Option<String>,
}

/// The key page with a fresh ceremony; the prompt starts by itself unless something went wrong
/// (then the person reads first, and presses the button).
async fn key_page(
    state: &AppState,
    meta: &RequestMeta,
    csrf: CsrfToken,
    ticket: &Token,
    offer: Offer,
    refusal: Option<(StatusCode, String)>,
) -> Result<Response, WebError> {
    let (ceremony, status, error) = match state.services.start_webauthn_login(ticket, meta).await {
        Ok(options) => {
            let (status, error) = refusal.map_or((StatusCode::OK, None), |(s, m)| (s, Some(m)));
            (Some(Ceremony::of_ticket(&options)), status, error)
        }
        Err(Error::InvalidTicket) => return ended(state, ticket).await,
        // No key on this account (removed meanwhile): the code page has the other ways.
        Err(Error::TwoFactorNotEnabled) => {
            return Ok(Redirect::to("/login/code?recovery=1").into_response());
        }
        Err(e) => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            let message = refusal.map_or(message, |(_, m)| m);
            let page = page(&csrf, None, offer, None, Some(message));
            let response = (csrf, render(status, &page)?).into_response();
            return Ok(with_retry_after(response, &e));
        }
    };
    let remember = remembered::offer(state, ticket).await?;
    let page = page(&csrf, ceremony, offer, remember, error);
    Ok((csrf, render(status, &page)?).into_response())
}

fn page(
    csrf: &CsrfToken,
    ceremony: Option<Ceremony>,
    offer: Offer,
    remember: Option<Remember>,
    error: Option<String>,
) -> KeyPage {
    KeyPage {
        layout: Layout::signed_out("sign-in-key-title"),
        csrf: csrf.value().to_owned(),
        ceremony,
        offer,
        remember,
        error,
    }
}

/// `GET /login/key`
pub async fn form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    settled: Settled,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    offer: Offer,
) -> Result<Response, WebError> {
    if settled.0 {
        return Ok(Redirect::to("/account").into_response());
    }
    key_page(&state, &meta, csrf, &ticket, offer, None).await
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    credential: String,
    /// The public key the page made when "Don't ask for a code on this browser" was ticked.
    #[serde(default)]
    remember_key: String,
}

/// `POST /login/key`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    offer: Offer,
    return_to: ReturnTo,
    VerifiedForm(form): VerifiedForm<KeyForm>,
) -> Result<Response, WebError> {
    let answer = match ceremony::answer(&form.credential) {
        Ok(answer) => answer,
        // Nothing from a key is not a guess; it costs the ticket nothing.
        Err(message) => {
            let refusal = (StatusCode::UNPROCESSABLE_ENTITY, tr(message));
            return key_page(&state, &meta, csrf, &ticket, offer, Some(refusal)).await;
        }
    };
    let result = state
        .services
        .login_with_webauthn(&ticket, &answer, SessionKind::Web, &meta)
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let hint = remembered::remember_after(&state, &result, &form.remember_key, &meta).await;
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            let passed = sign_in::second_step_passed(&state.config, &token, return_to.path());
            return Ok(remembered::with_hint(passed, hint));
        }
        Ok(_) => {
            return Err(WebError::Internal(Error::internal_msg(
                "a second step asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => return ended(&state, &ticket).await,
        Err(e) => e,
    };
    let Some((status, mut message)) = explain(&e) else {
        return Err(e.into());
    };
    if matches!(e, Error::SecondFactorFailed) {
        message = tr(KEY_REFUSED);
    }
    let response = key_page(&state, &meta, csrf, &ticket, offer, Some((status, message))).await?;
    Ok(with_retry_after(response, &e))
}

/// The way back to the password for a ticket that has ended: "took too long" when it ran out
/// of time, "expired or too many wrong answers" otherwise.
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
