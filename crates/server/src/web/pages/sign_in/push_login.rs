//! The second step by companion app: `POST /login/push` ("Send a request to my app",
//! and "Send again") asks the services for a challenge for the login's ticket and shows
//! `GET /login/push`: the two-digit number to type in the app, large, and its live status.
//! `static/push.js` long-polls `GET /login/push/status` (JSON), which holds the request until the
//! app decides; on approval that answer sets the session cookie and the script goes to /account.
//! Without JavaScript, `POST /login/push/continue` ("I approved it — continue") asks once.
//! `POST /login/push/leave` ("Use a code instead") ends this login's request before the code
//! form, so the app no longer offers it.
//!
//! The ticket stays in the login's cookie (`kit::sign_in`); which challenge this browser waits for,
//! and its number, sit in a cookie of their own beside it. Neither is a secret worth more than the
//! ticket: polling a challenge needs the ticket too, and the number is on the screen anyway.
//! Whether the number was right, how often one may send, the pause after repeated denials and
//! the one-time issue of the session are the services' to decide.
//!
//! Beside a pending request the page offers "Don't ask for a code on this browser" when the
//! contract allows it; `push.js` sends the key `remember.js` made with its polls
//! (`remember_key`), and only the poll that opens the session registers it (`kit::remembered`).

use crate::i18n::filters;
use std::time::Duration;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Json, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{PushChallengeId, RequestMeta, SessionKind};
use portcullis_core::secret::Token;
use portcullis_core::service::PushStatus;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::http::Meta;
use crate::i18n::{tr, tr_with};
use crate::state::AppState;
use crate::web::kit::cookies::{self, SameSite};
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::remembered::{self, Remember};
use crate::web::kit::return_to::{self, return_path};
use crate::web::kit::session;
use crate::web::kit::sign_in::{self, Ticket};

/// Which challenge this browser waits for, as `<challenge id>.<number>`.
const CHALLENGE: &str = "portcullis_push";

/// Longer than any challenge lives; the ticket, which ends sooner, is what really ends a login.
const CHALLENGE_COOKIE_SECS: i64 = 10 * 60;

/// The longest a status request is held: under the server's 30 s request timeout.
const MAX_WAIT: Duration = Duration::from_secs(25);

// Why a request is over, as message ids.
const DENIED: &str = "sign-in-push-denied";
const EXPIRED: &str = "sign-in-push-expired";
const SUPERSEDED: &str = "sign-in-push-superseded";
const NOT_SENT: &str = "sign-in-push-not-sent";

/// The challenge in this browser's cookie.
struct Waiting {
    id: PushChallengeId,
    number: String,
}

fn waiting(headers: &HeaderMap) -> Option<Waiting> {
    let (id, number) = cookies::get(headers, CHALLENGE)?.rsplit_once('.')?;
    let plain = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (plain(id, 64) && plain(number, 2) && number.bytes().all(|b| b.is_ascii_digit())).then(|| {
        Waiting {
            id: PushChallengeId(id.to_owned()),
            number: number.to_owned(),
        }
    })
}

fn set_waiting(config: &Config, id: &PushChallengeId, number: i64) -> HeaderValue {
    cookies::set_scoped(
        CHALLENGE,
        &format!("{id}.{number}"),
        "/login",
        CHALLENGE_COOKIE_SECS,
        SameSite::Strict,
        config.secure_cookies(),
    )
}

fn clear_waiting(config: &Config) -> HeaderValue {
    cookies::clear_at(
        CHALLENGE,
        "/login",
        SameSite::Strict,
        config.secure_cookies(),
    )
}

#[derive(Template)]
#[template(path = "login_push.html")]
struct PushPage {
    layout: Layout,
    csrf: String,
    /// Waiting for the app: the number and the live status are shown.
    pending: bool,
    number: String,
    /// Why the request is over, when it is not pending: a message id.
    message: &'static str,
    /// What went wrong with the last button pressed ("send again" too soon).
    error: Option<String>,
    /// "Don't ask for a code on this browser for N days", beside a pending request, when the
    /// contract allows it; `push.js` sends the key with its polls.
    remember: Option<Remember>,
}

fn push_page(
    csrf: CsrfToken,
    number: Option<&str>,
    message: &'static str,
    error: Option<String>,
    remember: Option<Remember>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = PushPage {
        layout: Layout::signed_out("sign-in-push-title"),
        csrf: csrf.value().to_owned(),
        pending: number.is_some(),
        number: number.unwrap_or_default().to_owned(),
        message,
        error,
        remember: remember.filter(|_| number.is_some()),
    };
    Ok((csrf, render(status, &page)?).into_response())
}

/// The way back to the password when the ticket has died: its cookies go too.
fn sign_in_expired(config: &Config) -> Response {
    (
        AppendHeaders([
            (header::SET_COOKIE, sign_in::clear_ticket(config)),
            (header::SET_COOKIE, clear_waiting(config)),
        ]),
        Redirect::to("/login?done=sign_in_expired"),
    )
        .into_response()
}

/// The signed-in browser: the session cookie is set, the login's cookies are forgotten.
fn signed_in_headers(
    config: &Config,
    token: Option<&Token>,
) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut headers = vec![(header::SET_COOKIE, clear_waiting(config))];
    if let Some(token) = token {
        headers.push((header::SET_COOKIE, session::set_cookie(config, token)));
        headers.push((header::SET_COOKIE, sign_in::clear_ticket(config)));
        for done in sign_in::finished_cookies(config) {
            headers.push((header::SET_COOKIE, done));
        }
    }
    headers
}

/// `POST /login/push`: send the request (or send it again).
pub async fn send(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    headers: HeaderMap,
    Ticket(ticket): Ticket,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let e = match crate::push_wake::send_push(&state, &ticket, &meta).await {
        Ok(sent) => {
            let cookie = set_waiting(&state.config, &sent.challenge_id, sent.number);
            return Ok(
                ([(header::SET_COOKIE, cookie)], Redirect::to("/login/push")).into_response(),
            );
        }
        Err(Error::InvalidTicket) => return Ok(sign_in_expired(&state.config)),
        Err(e) => e,
    };
    let Some((status, mut message)) = explain(&e) else {
        return Err(e.into());
    };
    if let (Error::TooManyAttempts { retry_after_secs }, Some(_)) = (&e, waiting(&headers))
        && *retry_after_secs <= portcullis_core::push::RESEND_SECS
    {
        // Within a pending request this is the resend limit, not a lockout.
        let secs = (*retry_after_secs).max(1);
        message = tr_with("sign-in-push-resend-wait", &[("seconds", secs.into())]);
    }
    // The page the button was on, with the refusal: the request still pending, or none.
    let number = match waiting(&headers) {
        Some(w) => match status_once(&state, &w, &ticket, &meta).await {
            Ok(PushStatus::Pending) => Some(w.number),
            _ => None,
        },
        None => None,
    };
    let remember = match number {
        Some(_) => remembered::offer(&state, &ticket).await?,
        None => None,
    };
    let response = push_page(
        csrf,
        number.as_deref(),
        NOT_SENT,
        Some(message),
        remember,
        status,
    )?;
    Ok(with_retry_after(response, &e))
}

async fn status_once(
    state: &AppState,
    w: &Waiting,
    ticket: &Token,
    meta: &RequestMeta,
) -> Result<PushStatus, Error> {
    state
        .services
        .push_status(&w.id, ticket, SessionKind::Web, meta)
        .await
}

/// `GET /login/push`
pub async fn page(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    headers: HeaderMap,
    Ticket(ticket): Ticket,
) -> Result<Response, WebError> {
    show(&state, &meta, csrf, &headers, &ticket, None).await
}

/// `POST /login/push/continue`: the page without JavaScript asks once whether the app approved.
pub async fn continue_after_approval(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    headers: HeaderMap,
    Ticket(ticket): Ticket,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    show(
        &state,
        &meta,
        csrf,
        &headers,
        &ticket,
        Some("sign-in-push-not-yet"),
    )
    .await
}

/// The push page for the challenge in the cookie, as it stands now; `pending_note` (a message
/// id) is said when it is still waiting.
async fn show(
    state: &AppState,
    meta: &RequestMeta,
    csrf: CsrfToken,
    headers: &HeaderMap,
    ticket: &Token,
    pending_note: Option<&str>,
) -> Result<Response, WebError> {
    let Some(w) = waiting(headers) else {
        return Ok(Redirect::to("/login/code").into_response());
    };
    let message = match status_once(state, &w, ticket, meta).await {
        Ok(PushStatus::Pending) => {
            let note = pending_note.map(tr);
            let remember = remembered::offer(state, ticket).await?;
            return push_page(
                csrf,
                Some(&w.number),
                NOT_SENT,
                note,
                remember,
                StatusCode::OK,
            );
        }
        Ok(PushStatus::Approved { token, .. }) => {
            state.metrics.record_login("success");
            // The page the sign-in was for (`kit::return_to`), or the account.
            let next = return_path(&state.config, headers);
            let headers = signed_in_headers(&state.config, token.as_ref());
            return Ok((AppendHeaders(headers), return_to::go_on(next)).into_response());
        }
        Ok(PushStatus::Denied) => DENIED,
        Ok(PushStatus::Expired) => EXPIRED,
        Ok(PushStatus::Superseded) => SUPERSEDED,
        Err(Error::InvalidTicket) => return Ok(sign_in_expired(&state.config)),
        Err(e) => return Err(e.into()),
    };
    push_page(csrf, None, message, None, None, StatusCode::OK)
}

/// `POST /login/push/leave` ("Use a code instead"): this login's pending request ends, so the
/// app stops offering it and a number typed there cannot meet it; then the code form.
pub async fn leave(
    State(state): State<AppState>,
    Ticket(ticket): Ticket,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match crate::push_wake::leave_push(&state, &ticket).await {
        // While the account is throttled the code form says so itself.
        Ok(()) | Err(Error::TooManyAttempts { .. }) => {}
        Err(Error::InvalidTicket) => return Ok(sign_in_expired(&state.config)),
        Err(e) => return Err(e.into()),
    }
    let cookie = clear_waiting(&state.config);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login/code")).into_response())
}

#[derive(Deserialize, Default)]
pub struct StatusQuery {
    #[serde(default)]
    wait: Option<u64>,
    /// The public key the page made when "Don't ask for a code on this browser" was ticked.
    #[serde(default)]
    remember_key: Option<String>,
}

/// The answer `push.js` reads.
#[derive(Serialize)]
struct StatusAnswer {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Where the browser goes next, when the sign-in is over here.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

fn answer(status: &'static str, message: Option<&str>, next: Option<&str>) -> StatusAnswer {
    let next = next.map(str::to_owned);
    StatusAnswer {
        status,
        message: message.map(str::to_owned),
        next,
    }
}

/// `GET /login/push/status?wait=SECONDS`: held until the app decides or `wait` (at most 25 s)
/// has passed. Never cached, and never a page: a script reads it.
pub async fn status(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    query: Result<Query<StatusQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|q| q.0).ok();
    let wait = query
        .as_ref()
        .and_then(|q| q.wait)
        .map_or(MAX_WAIT, |s| Duration::from_secs(s).min(MAX_WAIT));
    let remember_key = query.and_then(|q| q.remember_key).unwrap_or_default();
    let ticket = cookies::get(&headers, cookies::TICKET).map(Token::from_client);
    let (Some(ticket), Some(w)) = (ticket, waiting(&headers)) else {
        let body = answer("ended", None, Some("/login"));
        return Ok(json(Vec::new(), body));
    };
    let result =
        crate::push_wake::wait_for_status(&state, &w.id, &ticket, SessionKind::Web, &meta, wait)
            .await;
    let (cookies, body) = match result {
        Ok(PushStatus::Pending) => (Vec::new(), answer("pending", None, None)),
        Ok(PushStatus::Approved {
            token,
            session,
            user,
        }) => {
            if token.is_some() {
                state.metrics.record_login("success");
            }
            let mut cookies = signed_in_headers(&state.config, token.as_ref());
            // Only the poll that opened the session may remember this browser.
            if let Some(session) = &session {
                let hint =
                    remembered::remember_session(&state, &user, session, &remember_key, &meta)
                        .await;
                cookies.extend(hint.map(|h| (header::SET_COOKIE, h)));
            }
            let body = answer(
                "approved",
                Some(&tr("sign-in-push-approved")),
                Some(return_path(&state.config, &headers)),
            );
            (cookies, body)
        }
        Ok(PushStatus::Denied) => (Vec::new(), answer("denied", Some(&tr(DENIED)), None)),
        Ok(PushStatus::Expired) => (Vec::new(), answer("expired", Some(&tr(EXPIRED)), None)),
        Ok(PushStatus::Superseded) => (
            Vec::new(),
            answer("superseded", Some(&tr(SUPERSEDED)), None),
        ),
        Err(Error::InvalidTicket) => {
            let cookies = vec![
                (header::SET_COOKIE, sign_in::clear_ticket(&state.config)),
                (header::SET_COOKIE, clear_waiting(&state.config)),
            ];
            (
                cookies,
                answer("ended", None, Some("/login?done=sign_in_expired")),
            )
        }
        Err(e) => {
            let Some((_, message)) = explain(&e) else {
                return Err(e.into());
            };
            (Vec::new(), answer("error", Some(&message), None))
        }
    };
    Ok(json(cookies, body))
}

fn json(cookies: Vec<(header::HeaderName, HeaderValue)>, body: StatusAnswer) -> Response {
    (
        AppendHeaders(cookies),
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}
