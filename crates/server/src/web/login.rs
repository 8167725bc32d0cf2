//! Signing in and out: `GET /`, `GET|POST /login`, `POST /logout`. The password check, throttling
//! and session creation are `Services::sign_in`'s; this file turns its answers into pages. When
//! the account has a second factor, the password step ends with a ticket cookie and a redirect to
//! the code page (`second_step`); when an administrator requires one that is not set up
//! yet, with an enrolment ticket cookie and a redirect to the setup wizard (`setup_wizard`:
//! without it no sign-in is possible).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::cookies;
use super::csrf::{CsrfToken, NoFields, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, Notice, render};
use super::second_step;
use super::session::{self, SignedIn};
use super::setup_wizard;
use crate::api::extract::Meta;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    username: String,
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
        ..LoginPage::new(&state, &csrf)
    };
    let mut response = (csrf, render(StatusCode::OK, &page)?).into_response();
    if cookies::get(&headers, cookies::TICKET).is_some() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, second_step::clear_ticket(&state.config));
    }
    if cookies::get(&headers, cookies::ENROL).is_some() {
        response.headers_mut().append(
            header::SET_COOKIE,
            setup_wizard::clear_ticket(&state.config),
        );
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// `POST /login`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<LoginForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let result = state
        .services
        .sign_in(&form.username, &password, SessionKind::Web, &meta)
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(LoginResult::Complete { token, .. }) => {
            let cookie = session::set_cookie(&state.config, &token);
            return Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account")).into_response());
        }
        Ok(LoginResult::EnrollmentRequired { ticket, expires_at }) => {
            let now = state.services.clock.now();
            let cookie =
                setup_wizard::set_ticket(&state.config, &ticket, now.secs_until(expires_at));
            return Ok((
                [(header::SET_COOKIE, cookie)],
                Redirect::to(setup_wizard::PATH),
            )
                .into_response());
        }
        Ok(LoginResult::SecondFactor {
            ticket,
            expires_at,
            methods,
        }) => {
            let max_age = state.services.clock.now().secs_until(expires_at);
            let cookie = second_step::set_ticket(&state.config, &ticket, max_age);
            // Which ways the code page offers (the companion app, codes): a hint beside the ticket.
            let offer = second_step::set_methods(&state.config, &methods, max_age);
            return Ok((
                AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, offer)]),
                Redirect::to("/login/code"),
            )
                .into_response());
        }
        Err(e) => e,
    };
    let retry_after = match &e {
        Error::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let page = LoginPage {
        username: form.username,
        error: Some(message),
        ..LoginPage::new(&state, &csrf)
    };
    let mut response = (csrf, render(status, &page)?).into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    Ok(response)
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
