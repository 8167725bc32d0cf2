//! The second page of a two-page login: `GET|POST /login/code` asks for the code the
//! authenticator app shows, `GET /login/code?recovery=1` and `POST /login/recovery` take one of
//! the recovery codes instead; with a paired companion app it also offers "Send a request to my
//! app" (`push_login`), and with a security key "Use your security key" (`security_key`, which
//! comes first when a key is the only way besides recovery codes). The ticket from the password
//! step travels in the `portcullis_ticket` cookie, never in a form or a URL; beside it,
//! `portcullis_methods` says which of these ways the login has, only so the page offers no
//! others. Whether a code is right, how often one may guess and when the ticket dies are
//! `Services::login_with_totp`'s and `login_with_recovery_code`'s to decide.
//!
//! Both code forms carry "Don't ask for a code on this browser for N days" when the contract
//! allows it (`kit::remembered`); a browser whose hint cookie says it may hold such a key is sent
//! to `/login/browser` first (`remembered_browser`), which comes back here with `?browser=no`.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{SessionKind, TicketPurpose};
use portcullis_core::secret::Token;
use portcullis_core::service::{LoginResult, TicketLife};
use serde::Deserialize;

use super::{Offer, WRONG_RECOVERY_CODE};
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::remembered::{self, Remember};
use crate::web::kit::return_to::ReturnTo;
use crate::web::kit::sign_in::{self, Settled, Ticket};

/// The second step by security key (`security_key`).
const KEY_PAGE: &str = "/login/key";

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    /// The recovery-code form instead of the authenticator-code form.
    recovery: bool,
    offer: Offer,
    /// "Don't ask for a code on this browser for N days", when the contract allows it.
    remember: Option<Remember>,
    error: Option<String>,
}

impl CodePage {
    /// Whether a code form is shown: the one asked for, if this login has such codes.
    fn code_form(&self) -> bool {
        if self.recovery {
            self.offer.recovery_codes
        } else {
            self.offer.totp
        }
    }

    fn new(csrf: &CsrfToken, recovery: bool, offer: Offer, remember: Option<Remember>) -> Self {
        let title = if recovery {
            "sign-in-recovery-title"
        } else {
            "sign-in-code-title"
        };
        CodePage {
            layout: Layout::signed_out(title),
            csrf: csrf.value().to_owned(),
            recovery,
            offer,
            remember,
            error: None,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    recovery: String,
    /// `no`: the remembered-browser step was tried (or cannot be), so no detour through it.
    #[serde(default)]
    browser: String,
}

/// `GET /login/code`, and `?recovery=1` for the recovery-code form. A browser that says it may
/// hold a remembered key tries it first (`remembered_browser`), unless it just did
/// (`?browser=no`).
pub async fn form(
    State(state): State<AppState>,
    settled: Settled,
    csrf: CsrfToken,
    headers: HeaderMap,
    query: Result<Query<CodeQuery>, QueryRejection>,
    Ticket(ticket): Ticket,
    offer: Offer,
) -> Result<Response, WebError> {
    if settled.0 {
        return Ok(Redirect::to("/account").into_response());
    }
    let query = query.map(|q| q.0).unwrap_or_default();
    let asked_recovery = query.recovery == "1";
    if remembered::hinted(&headers) && query.browser != "no" && !asked_recovery {
        return Ok(Redirect::to(remembered::PAGE).into_response());
    }
    // A key as the only way besides recovery codes: its page comes first, and links back here.
    if offer.key_first() && !asked_recovery {
        return Ok(Redirect::to(KEY_PAGE).into_response());
    }
    // Without an authenticator app, the code to type is a recovery code.
    let recovery = asked_recovery || !offer.totp;
    let remember = remembered::offer(&state, &ticket).await?;
    let page = CodePage::new(&csrf, recovery, offer, remember);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    /// The public key the page made when "Don't ask for a code on this browser" was ticked.
    #[serde(default)]
    remember_key: String,
}

/// `POST /login/code`
pub async fn submit_code(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    offer: Offer,
    return_to: ReturnTo,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    if form.code.trim().is_empty() {
        // Nothing typed is not a guess; it costs the ticket nothing.
        let message = tr("sign-in-code-missing");
        let remember = remembered::offer(&state, &ticket).await?;
        return retry(
            csrf,
            false,
            offer,
            remember,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        );
    }
    let result = state
        .services
        .login_with_totp(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    let step = Step {
        ticket: &ticket,
        return_to: &return_to,
        offer,
        recovery: false,
    };
    let hint = remembered::remember_after(&state, &result, &form.remember_key, &meta).await;
    let response = finish(&state, csrf, step, result).await?;
    Ok(remembered::with_hint(response, hint))
}

/// `POST /login/recovery`
pub async fn submit_recovery(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    Ticket(ticket): Ticket,
    offer: Offer,
    return_to: ReturnTo,
    VerifiedForm(form): VerifiedForm<CodeForm>,
) -> Result<Response, WebError> {
    if form.code.trim().is_empty() {
        let message = tr("sign-in-recovery-code-missing");
        let remember = remembered::offer(&state, &ticket).await?;
        return retry(
            csrf,
            true,
            offer,
            remember,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        );
    }
    let result = state
        .services
        .login_with_recovery_code(&ticket, &form.code, SessionKind::Web, &meta)
        .await;
    let step = Step {
        ticket: &ticket,
        return_to: &return_to,
        offer,
        recovery: true,
    };
    let hint = remembered::remember_after(&state, &result, &form.remember_key, &meta).await;
    let response = finish(&state, csrf, step, result).await?;
    Ok(remembered::with_hint(response, hint))
}

/// The second step a code was typed for.
struct Step<'a> {
    ticket: &'a Token,
    return_to: &'a ReturnTo,
    offer: Offer,
    recovery: bool,
}

async fn finish(
    state: &AppState,
    csrf: CsrfToken,
    step: Step<'_>,
    result: Result<LoginResult, Error>,
) -> Result<Response, WebError> {
    let Step {
        ticket,
        return_to,
        offer,
        recovery,
    } = step;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            return Ok(sign_in::second_step_passed(
                &state.config,
                &token,
                return_to.path(),
            ));
        }
        Ok(LoginResult::SecondFactor { .. } | LoginResult::EnrollmentRequired { .. }) => {
            return Err(WebError::Internal(Error::internal_msg(
                "a second step asked for yet another step",
            )));
        }
        Err(Error::InvalidTicket) => {
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
            return Ok((
                [(header::SET_COOKIE, sign_in::clear_ticket(&state.config))],
                Redirect::to("/login?done=sign_in_expired"),
            )
                .into_response());
        }
        Err(e) => e,
    };
    let Some((status, mut message)) = explain(&e) else {
        return Err(e.into());
    };
    if recovery && matches!(e, Error::SecondFactorFailed) {
        message = tr(WRONG_RECOVERY_CODE);
    }
    let remember = remembered::offer(state, ticket).await?;
    let response = retry(csrf, recovery, offer, remember, status, message)?;
    Ok(with_retry_after(response, &e))
}

/// The same form again, with what went wrong.
fn retry(
    csrf: CsrfToken,
    recovery: bool,
    offer: Offer,
    remember: Option<Remember>,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = CodePage {
        error: Some(message),
        ..CodePage::new(&csrf, recovery, offer, remember)
    };
    Ok((csrf, render(status, &page)?).into_response())
}
