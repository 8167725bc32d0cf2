//! Signing in and out: `GET /`, `GET|POST /login`, `POST /logout`. The password check, throttling
//! and session creation are `Services::sign_in`'s; this file turns its answers into pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::service::LoginResult;
use serde::Deserialize;

use super::csrf::{CsrfToken, NoFields, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, render};
use super::session::{self, SignedIn};
use crate::api::extract::Meta;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    username: String,
    notice: Option<&'static str>,
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

fn notice(done: &str) -> Option<&'static str> {
    match done {
        "signed_out" => Some("You are signed out."),
        "account_created" => Some("Your account is ready. Sign in with your email and password."),
        _ => None,
    }
}

/// `GET /login`
pub async fn form(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
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
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
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
