//! The cookies of a sign-in in progress, which every step of it reads or ends: the ticket between
//! the password and the second step (`portcullis_ticket`), the enrolment ticket of a setup an
//! administrator requires (`portcullis_enrol`), the ways the second step may be taken
//! (`portcullis_methods`), the step marker that tells "too late" from "never began"
//! (`portcullis_step`) and the page to return to (`portcullis_next`). All are Strict, HttpOnly
//! and sent only to `/login/…`. Also [`after_password`]: where a correct password leads, for a
//! sign-in and for an account created a moment ago. What a ticket allows and when it dies are the
//! services' to decide; this module only carries the tickets and reads them back.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::login::{Acr, Method};
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;

use super::cookies::{self, SameSite};
use super::error::WebError;
use super::session::{self, SignedIn};
use super::{paths, return_to};
use crate::config::Config;
use crate::state::AppState;

/// Only the login pages need the tickets, so no other page ever receives them.
const TICKET_PATH: &str = "/login";

/// Strict: the ticket only ever moves between our own login pages, never by a link from
/// elsewhere. It lives no longer than the ticket itself.
pub fn set_ticket(config: &Config, ticket: &Token, max_age_secs: i64) -> HeaderValue {
    set_ticket_cookie(config, cookies::TICKET, ticket, max_age_secs)
}

pub fn clear_ticket(config: &Config) -> HeaderValue {
    clear_ticket_cookie(config, cookies::TICKET)
}

/// The enrolment ticket's cookie: like the second step's, Strict and only for `/login/…`.
pub fn set_enrol_ticket(config: &Config, ticket: &Token, max_age_secs: i64) -> HeaderValue {
    set_ticket_cookie(config, cookies::ENROL, ticket, max_age_secs)
}

pub fn clear_enrol_ticket(config: &Config) -> HeaderValue {
    clear_ticket_cookie(config, cookies::ENROL)
}

/// A login ticket in cookie `name` ([`cookies::TICKET`] or the setup wizard's
/// [`cookies::ENROL`]), with the attributes every ticket cookie shares.
fn set_ticket_cookie(
    config: &Config,
    name: &str,
    ticket: &Token,
    max_age_secs: i64,
) -> HeaderValue {
    cookies::set_scoped(
        name,
        ticket.expose(),
        TICKET_PATH,
        max_age_secs,
        SameSite::Strict,
        config.secure_cookies(),
    )
}

fn clear_ticket_cookie(config: &Config, name: &str) -> HeaderValue {
    cookies::clear_at(name, TICKET_PATH, SameSite::Strict, config.secure_cookies())
}

/// The ticket of a sign-in that passed the password step. Without one there is no second step to
/// take, so the person goes back to the password (told that it took too long, when the cookie
/// ended with the ticket's time: [`without_ticket`]).
pub struct Ticket(pub Token);

impl<S: Send + Sync> FromRequestParts<S> for Ticket {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        cookies::get(&parts.headers, cookies::TICKET)
            .map(|t| Ticket(Token::from_client(t)))
            .ok_or_else(|| without_ticket(&parts.headers))
    }
}

/// The ticket of a sign-in that passed the password and must set up an app before it may
/// finish. Without one there is nothing to set up, so the person goes back to the password (told
/// that the setup took too long, when the cookie ended with the ticket's time).
pub struct EnrolTicket(pub Token);

impl<S: Send + Sync> FromRequestParts<S> for EnrolTicket {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        cookies::get(&parts.headers, cookies::ENROL)
            .map(|t| EnrolTicket(Token::from_client(t)))
            .ok_or_else(|| without_ticket(&parts.headers))
    }
}

/// The methods cookie, for the same path and life as the ticket's.
pub fn set_methods(config: &Config, methods: &[Method], max_age_secs: i64) -> HeaderValue {
    let value: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    cookies::set_scoped(
        cookies::METHODS,
        &value.join("."),
        TICKET_PATH,
        max_age_secs,
        SameSite::Strict,
        config.secure_cookies(),
    )
}

/// Where a correct password leads in the browser, for a sign-in and for an account created a
/// moment ago (`welcome`): the session and the page asked for; or the ticket for the second step
/// or the forced setup, with the page to return to and the step kept beside it for the steps
/// that follow.
pub fn after_password(
    state: &AppState,
    result: LoginResult,
    next: Option<&str>,
    welcome: bool,
) -> Response {
    after_password_for(state, result, next, Acr::Pwd, welcome)
}

/// [`after_password`] for a sign-in an application asked to end at `acr` (the level is kept in
/// a cookie beside the ticket), and for a step-up, whose ticket came from a session.
pub fn after_password_for(
    state: &AppState,
    result: LoginResult,
    next: Option<&str>,
    acr: Acr,
    welcome: bool,
) -> Response {
    let config = &state.config;
    let mut cookies = Vec::new();
    if !matches!(result, LoginResult::Complete { .. }) {
        // Written whatever the level, so an earlier sign-in's never speaks for this one.
        cookies.push(set_acr(state, acr));
    }
    let target = match result {
        LoginResult::Complete { token, .. } => {
            cookies.push(session::set_cookie(config, &token));
            let to = match next {
                Some(next) => next,
                None if welcome => WELCOME,
                None => "/account",
            };
            let headers: Vec<(HeaderName, HeaderValue)> = cookies
                .into_iter()
                .map(|c| (header::SET_COOKIE, c))
                .collect();
            return (AppendHeaders(headers), return_to::go_on(to)).into_response();
        }
        LoginResult::EnrollmentRequired {
            ticket, expires_at, ..
        } => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            cookies.push(set_enrol_ticket(config, &ticket, max_age));
            cookies.push(set_step(config, STEP_SETUP));
            cookies.extend(next.map(|n| set_next(state, n)));
            if welcome {
                format!("{}?welcome=1", paths::SETUP_WIZARD)
            } else {
                paths::SETUP_WIZARD.to_owned()
            }
        }
        LoginResult::SecondFactor {
            ticket,
            expires_at,
            methods,
        } => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            cookies.push(set_ticket(config, &ticket, max_age));
            // Which ways the code page offers (the companion app, codes): a hint beside the ticket.
            cookies.push(set_methods(config, &methods, max_age));
            cookies.push(set_step(config, STEP_CODE));
            cookies.extend(next.map(|n| set_next(state, n)));
            "/login/code".to_owned()
        }
    };
    let headers: Vec<(HeaderName, HeaderValue)> = cookies
        .into_iter()
        .map(|c| (header::SET_COOKIE, c))
        .collect();
    (AppendHeaders(headers), Redirect::to(&target)).into_response()
}

/// Where a person lands after creating an account that needs no further step.
pub const WELCOME: &str = "/account/security?done=welcome";

/// Like the page to return to, it lives as long as the longest ticket could.
fn set_acr(state: &AppState, acr: Acr) -> HeaderValue {
    login_cookie(
        &state.config,
        cookies::ACR,
        acr.as_str(),
        state.services.settings.enrolment_max_secs,
    )
}

/// Whether this browser's session already is what the sign-in under way was for: a live session
/// at the level the sign-in asked for (the `portcullis_acr` cookie; any session when it asked
/// for nothing). The steps of a sign-in send such a person on; a weaker session (a step-up under
/// way) goes through them.
pub struct Settled(pub bool);

impl FromRequestParts<AppState> for Settled {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let wanted = cookies::get(&parts.headers, cookies::ACR)
            .and_then(Acr::parse)
            .unwrap_or(Acr::Pwd);
        let signed_in =
            <SignedIn as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
                .await?;
        Ok(Settled(signed_in.is_some_and(|SignedIn(auth)| {
            auth.session.acr() >= wanted
        })))
    }
}

/// The level an application asked this sign-in for, when above the password: the setup pages say
/// that the application asks for it (not an administrator).
pub struct AppAsks(pub Option<Acr>);

impl<S: Send + Sync> FromRequestParts<S> for AppAsks {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let acr = cookies::get(&parts.headers, cookies::ACR).and_then(Acr::parse);
        Ok(AppAsks(acr.filter(|a| *a > Acr::Pwd)))
    }
}

/// Lives as long as the longest ticket could: it means nothing without one.
fn set_next(state: &AppState, next: &str) -> HeaderValue {
    login_cookie(
        &state.config,
        cookies::NEXT,
        next,
        state.services.settings.enrolment_max_secs,
    )
}

/// The cookies a finished sign-in no longer needs: the page to return to and the step marker.
pub fn finished_cookies(config: &Config) -> [HeaderValue; 2] {
    [
        clear_login_cookie(config, cookies::NEXT),
        clear_login_cookie(config, cookies::STEP),
    ]
}

/// A second step passed: the session cookie, the ticket and the sign-in's other cookies
/// forgotten, and on to `to` (the page the person asked for, or `/account`).
pub fn second_step_passed(config: &Config, token: &Token, to: &str) -> Response {
    let [next, step] = finished_cookies(config);
    (
        AppendHeaders([
            (header::SET_COOKIE, session::set_cookie(config, token)),
            (header::SET_COOKIE, clear_ticket(config)),
            (header::SET_COOKIE, next),
            (header::SET_COOKIE, step),
        ]),
        return_to::go_on(to),
    )
        .into_response()
}

/// Every cookie a half-finished sign-in may have left, each with the value that forgets it: for
/// "Start over", which abandons it.
pub fn abandoned_cookies(config: &Config) -> [(&'static str, HeaderValue); 4] {
    [
        (cookies::TICKET, clear_ticket(config)),
        (cookies::ENROL, clear_enrol_ticket(config)),
        (cookies::STEP, clear_login_cookie(config, cookies::STEP)),
        (cookies::NEXT, clear_login_cookie(config, cookies::NEXT)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Telling "too late" from "never began"

const STEP_CODE: &str = "code";
const STEP_SETUP: &str = "setup";
/// The `done` of the sign-in page after a setup that ran out of time.
pub const SETUP_EXPIRED: &str = "setup_expired";
/// The `done` of the sign-in page after a second step that ran out of time.
pub const CODE_EXPIRED: &str = "code_expired";

/// A day: far longer than any ticket, so it is still there when a late step arrives.
const STEP_MARKER_SECS: i64 = 24 * 3600;

fn set_step(config: &Config, step: &str) -> HeaderValue {
    login_cookie(config, cookies::STEP, step, STEP_MARKER_SECS)
}

/// Where a step of a sign-in goes when its ticket cookie is gone: the browser dropped it with
/// the ticket's time, so when the step marker says a sign-in was under way, the sign-in page
/// says it took too long; otherwise (never signed in, or "Start over") plain `/login`.
pub fn without_ticket(headers: &HeaderMap) -> Redirect {
    match cookies::get(headers, cookies::STEP) {
        Some(STEP_SETUP) => Redirect::to(&format!("/login?done={SETUP_EXPIRED}")),
        Some(STEP_CODE) => Redirect::to(&format!("/login?done={CODE_EXPIRED}")),
        _ => Redirect::to("/login"),
    }
}

/// The sign-in page for a ticket that ran out of time (`setup` or not), with its cookies gone.
pub fn too_late(config: &Config, setup: bool, ticket_cookie: HeaderValue) -> Response {
    let done = if setup { SETUP_EXPIRED } else { CODE_EXPIRED };
    let [next, step] = finished_cookies(config);
    (
        AppendHeaders([
            (header::SET_COOKIE, ticket_cookie),
            (header::SET_COOKIE, next),
            (header::SET_COOKIE, step),
        ]),
        Redirect::to(&format!("/login?done={done}")),
    )
        .into_response()
}

/// Strict, HttpOnly and only for `/login/…`, like the tickets.
fn login_cookie(config: &Config, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    cookies::set_scoped(
        name,
        value,
        "/login",
        max_age_secs,
        SameSite::Strict,
        config.secure_cookies(),
    )
}

fn clear_login_cookie(config: &Config, name: &str) -> HeaderValue {
    cookies::clear_at(name, "/login", SameSite::Strict, config.secure_cookies())
}
