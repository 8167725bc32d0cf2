//! Signing in and out: `GET /`, `GET|POST /login`, `POST /logout`. The password check, throttling
//! and session creation are `Services::sign_in`'s; this file turns its answers into pages. When
//! the account has a second factor, the password step ends with a ticket cookie and a redirect to
//! the code page (`second_step`); when an administrator requires one that is not set up
//! yet, with an enrolment ticket cookie and a redirect to the setup wizard (`setup_wizard`:
//! without it no sign-in is possible).

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::cookies::{self, SameSite};
use super::csrf::{CsrfToken, NoFields, STALE_FORM, SignedOutForm, VerifiedForm};
use super::error::{WebError, explain, with_retry_after};
use super::page::{Layout, Notice, render};
use super::second_step;
use super::session::{self, SignedIn};
use super::setup_wizard;
use crate::config::Config;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    username: String,
    /// Where to go once signed in, already checked by [`safe_next`]; empty for the account page.
    next: String,
    notice: Option<Notice>,
    error: Option<String>,
    open_registration: bool,
}

impl LoginPage {
    fn new(state: &AppState, csrf: &CsrfToken) -> Self {
        LoginPage {
            layout: Layout::signed_out("Sign in"),
            csrf: csrf.value().to_owned(),
            username: String::new(),
            next: String::new(),
            notice: None,
            error: None,
            open_registration: state.config.open_registration,
        }
    }
}

/// `GET /`: the account for a signed-in person, the sign-in form for anyone else.
pub async fn home(signed_in: Option<SignedIn>) -> Redirect {
    match signed_in {
        Some(_) => Redirect::to("/account"),
        None => Redirect::to("/login"),
    }
}

/// Which message a redirect to `/login` asks for. Only these fixed texts can appear, so a crafted
/// link cannot put words on the sign-in page.
#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    done: String,
    /// The page to return to, from a signed-in page visited signed out ([`sign_in_then`]).
    #[serde(default)]
    next: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "signed_out" => Some(Notice::success("You are signed out.")),
        "account_created" => Some(Notice::success(
            "Your account is ready. Sign in with your email and password.",
        )),
        "sign_in_expired" => Some(Notice::warning(
            "That sign-in has expired or had too many wrong codes. Sign in again with your \
             password.",
        )),
        // The setup's time ran out; its key (`totp_pending`) has no end of its own, so the
        // wizard after the next password shows the very key already in the app.
        SETUP_EXPIRED => Some(Notice::warning(
            "Your setup took too long; sign in again — the key you scanned stays valid.",
        )),
        CODE_EXPIRED => Some(Notice::warning(
            "Your sign-in took too long; sign in again with your password.",
        )),
        _ => None,
    }
}

/// `GET /login`. Coming back here ("Start over") abandons a half-finished sign-in, so a ticket
/// cookie left from the password step (for the code page or the setup wizard) is forgotten.
pub async fn form(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    if signed_in.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let query = query.map(|q| q.0).unwrap_or_default();
    let page = LoginPage {
        notice: notice(&query.done),
        next: safe_next(&query.next).unwrap_or_default().to_owned(),
        ..LoginPage::new(&state, &csrf)
    };
    let mut response = (csrf, render(StatusCode::OK, &page)?).into_response();
    for (name, clear) in [
        (cookies::TICKET, second_step::clear_ticket(&state.config)),
        (cookies::ENROL, setup_wizard::clear_ticket(&state.config)),
        (
            cookies::STEP,
            clear_login_cookie(&state.config, cookies::STEP),
        ),
        (
            cookies::NEXT,
            clear_login_cookie(&state.config, cookies::NEXT),
        ),
    ] {
        if cookies::get(&headers, name).is_some() {
            response.headers_mut().append(header::SET_COOKIE, clear);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`. A stale form (the page was open until the browser dropped its CSRF cookie)
/// comes back with a fresh token, the email and the page to return to, never the password.
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<LoginForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        SignedOutForm::Stale(stale) => {
            let page = LoginPage {
                username: stale.field("username"),
                next: safe_next(&stale.field("next"))
                    .unwrap_or_default()
                    .to_owned(),
                error: Some(STALE_FORM.to_owned()),
                ..LoginPage::new(&state, &csrf)
            };
            return Ok((csrf, render(StatusCode::FORBIDDEN, &page)?).into_response());
        }
    };
    let password = Password::new(form.password);
    let result = state
        .services
        .sign_in(&form.username, &password, SessionKind::Web, &meta)
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(signed_in) => {
            return Ok(after_password(
                &state,
                signed_in,
                safe_next(&form.next),
                false,
            ));
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let page = LoginPage {
        username: form.username,
        next: safe_next(&form.next).unwrap_or_default().to_owned(),
        error: Some(message),
        ..LoginPage::new(&state, &csrf)
    };
    let response = (csrf, render(status, &page)?).into_response();
    Ok(with_retry_after(response, &e))
}

/// `POST /logout`: ends the session (if it is still alive) and forgets the cookie either way.
pub async fn logout(
    State(state): State<AppState>,
    Meta(meta): Meta,
    signed_in: Option<SignedIn>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    if let Some(SignedIn(auth)) = signed_in {
        state.services.logout(&auth, &meta).await?;
    }
    let cookie = session::clear_cookie(&state.config);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/login?done=signed_out"),
    )
        .into_response())
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
    let config = &state.config;
    let mut cookies = Vec::new();
    let target = match result {
        LoginResult::Complete { token, .. } => {
            cookies.push(session::set_cookie(config, &token));
            match next {
                Some(next) => next.to_owned(),
                None if welcome => WELCOME.to_owned(),
                None => "/account".to_owned(),
            }
        }
        LoginResult::EnrollmentRequired { ticket, expires_at } => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            cookies.push(setup_wizard::set_ticket(config, &ticket, max_age));
            cookies.push(set_step(config, STEP_SETUP));
            cookies.extend(next.map(|n| set_next(state, n)));
            if welcome {
                format!("{}?welcome=1", setup_wizard::PATH)
            } else {
                setup_wizard::PATH.to_owned()
            }
        }
        LoginResult::SecondFactor {
            ticket,
            expires_at,
            methods,
        } => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            cookies.push(second_step::set_ticket(config, &ticket, max_age));
            // Which ways the code page offers (the companion app, codes): a hint beside the ticket.
            cookies.push(second_step::set_methods(config, &methods, max_age));
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

// ---------------------------------------------------------------------------------------------
// The page to return to

/// `next` when it is a path on this server and nothing else: one leading `/` (not `//` or `/\`,
/// which browsers read as another host), printable ASCII without `\`, quotes, `,` `;` or spaces
/// (so it is also a valid cookie value), no longer than 512 bytes, and not a sign-in page itself
/// (which would go round in a circle). Anything else is ignored, never repaired.
pub fn safe_next(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let ok = bytes.len() <= 512
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes
            .iter()
            .all(|b| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e))
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    ok.then_some(next)
}

/// The sign-in page that returns to `next` afterwards; plain `/login` when `next` is not safe or
/// is the account page, where a sign-in goes anyway.
pub fn sign_in_then(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != "/account" => {
            let mut url = String::from("/login?next=");
            for b in next.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                    url.push(char::from(b));
                } else {
                    url.push_str(&format!("%{b:02X}"));
                }
            }
            url
        }
        _ => "/login".to_owned(),
    }
}

/// The page a sign-in in progress returns to, from its cookie; checked again, since a cookie is
/// the browser's to change.
pub struct ReturnTo(Option<String>);

impl ReturnTo {
    /// Where to go once signed in.
    pub fn path(&self) -> &str {
        self.0.as_deref().unwrap_or("/account")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReturnTo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let next = cookies::get(&parts.headers, cookies::NEXT).and_then(safe_next);
        Ok(ReturnTo(next.map(str::to_owned)))
    }
}

/// [`ReturnTo`] where only the headers are at hand.
pub fn return_path(headers: &HeaderMap) -> &str {
    cookies::get(headers, cookies::NEXT)
        .and_then(safe_next)
        .unwrap_or("/account")
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

// ---------------------------------------------------------------------------------------------
// Telling "too late" from "never began"

const STEP_CODE: &str = "code";
const STEP_SETUP: &str = "setup";
const SETUP_EXPIRED: &str = "setup_expired";
const CODE_EXPIRED: &str = "code_expired";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_server_is_a_place_to_return_to() {
        for good in [
            "/account/app-passwords",
            "/admin/users?page=2&q=a%40b",
            "/account/security#totp",
        ] {
            assert_eq!(safe_next(good), Some(good));
        }
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "/\tevil",
            "/a\nb",
            "/a b",
            "/a\"b",
            "/a;b",
            "/a\\b",
            "/caf\u{e9}",
            "/login",
            "/login/code",
            "/logout",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(600))), None);
    }

    #[test]
    fn the_sign_in_link_carries_the_page_encoded() {
        assert_eq!(
            sign_in_then("/admin/users?q=a&b=c"),
            "/login?next=/admin/users%3Fq%3Da%26b%3Dc"
        );
        assert_eq!(sign_in_then("/account"), "/login");
        assert_eq!(sign_in_then("//evil.example"), "/login");
    }
}
