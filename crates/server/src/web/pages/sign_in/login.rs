//! Signing in and out: `GET /`, `GET|POST /login`, `POST /logout`. The password check, throttling
//! and session creation are `Services::sign_in`'s; this file turns its answers into pages. When
//! the account has a second factor, the password step ends with a ticket cookie and a redirect to
//! the code page (`second_step`); when an administrator requires one that is not set up
//! yet, with an enrolment ticket cookie and a redirect to the setup wizard (`setup_wizard`:
//! without it no sign-in is possible). Those cookies, and where a correct password leads, are
//! `kit::sign_in`'s, since creating an account ends the same way. `/login?next=…&acr=mfa|phr`
//! is how an application asks for a sign-in of a certain strength: a session that has it goes
//! straight on, a weaker one to the step-up page, and a sign-in from scratch keeps the level
//! beside its ticket so that it cannot end below it.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::login::Acr;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use serde::Deserialize;

use super::LoginPage;
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::cookies;
use crate::web::kit::csrf::{CsrfToken, NoFields, SignedOutForm, VerifiedForm, stale_form};
use crate::web::kit::error::{WebError, explain, with_retry_after};
use crate::web::kit::page::{Notice, render};
use crate::web::kit::return_to::{self, safe_next};
use crate::web::kit::session::{self, SignedIn};
use crate::web::kit::sign_in::{self, CODE_EXPIRED, SETUP_EXPIRED};

/// The page that explains and starts a signed-in person's step-up (`step_up`).
const STEP_UP: &str = "/login/step-up";
/// The step-up page after one that ran out of time, which says so.
const STEP_UP_AGAIN: &str = "/login/step-up?done=expired";

/// The form's hidden `acr`: only a level above the password, and only as we spell it.
fn acr_field(acr: Acr) -> String {
    if acr > Acr::Pwd {
        acr.as_str().to_owned()
    } else {
        String::new()
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
    /// The page to return to, from a signed-in page visited signed out
    /// (`kit::return_to::sign_in_then`).
    #[serde(default)]
    next: String,
    /// The level an application asks for (`mfa`, `phr`); anything else asks for nothing more.
    #[serde(default)]
    acr: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "signed_out" => Some(Notice::success("sign-in-notice-signed-out")),
        "account_created" => Some(Notice::success("sign-in-notice-account-created")),
        "sign_in_expired" => Some(Notice::warning("sign-in-notice-expired")),
        // The setup's time ran out; its key (`totp_pending`) has no end of its own, so the
        // wizard after the next password shows the very key already in the app.
        SETUP_EXPIRED => Some(Notice::warning("sign-in-notice-setup-expired")),
        CODE_EXPIRED => Some(Notice::warning("sign-in-notice-code-expired")),
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
    let query = query.map(|q| q.0).unwrap_or_default();
    let mut next = safe_next(&state.config, &query.next);
    let mut acr = Acr::parse(&query.acr).unwrap_or(Acr::Pwd);
    let ran_out = [CODE_EXPIRED, SETUP_EXPIRED, "sign_in_expired"].contains(&query.done.as_str());
    if signed_in.is_some() && ran_out && query.acr.is_empty() {
        // A step-up whose ticket ran out lands here: the level (and, while it lasts, the place
        // to go) are still in the sign-in's cookies, so the person can simply try again.
        acr = cookies::get(&headers, cookies::ACR)
            .and_then(Acr::parse)
            .unwrap_or(Acr::Pwd);
        next = cookies::get(&headers, cookies::NEXT).and_then(|n| safe_next(&state.config, n));
    }
    if let Some(SignedIn(auth)) = signed_in {
        // Signed in strongly enough: straight on. Weaker: only the missing step, which the
        // step-up page explains and starts (never the password again).
        if auth.session.acr() >= acr {
            return Ok(Redirect::to(next.unwrap_or("/account")).into_response());
        }
        let page = if ran_out { STEP_UP_AGAIN } else { STEP_UP };
        let to = return_to::sign_in_at(page, next, acr);
        return Ok(Redirect::to(&to).into_response());
    }
    let page = LoginPage {
        notice: notice(&query.done),
        next: next.unwrap_or_default().to_owned(),
        acr: acr_field(acr),
        ..LoginPage::new(&state, &csrf)
    };
    let mut response = (csrf, render(StatusCode::OK, &page)?).into_response();
    for (name, clear) in sign_in::abandoned_cookies(&state.config) {
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
    #[serde(default)]
    acr: String,
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
                next: safe_next(&state.config, &stale.field("next"))
                    .unwrap_or_default()
                    .to_owned(),
                acr: acr_field(Acr::parse(&stale.field("acr")).unwrap_or(Acr::Pwd)),
                error: Some(stale_form()),
                ..LoginPage::new(&state, &csrf)
            };
            return Ok((csrf, render(StatusCode::FORBIDDEN, &page)?).into_response());
        }
    };
    let password = Password::new(form.password);
    let acr = Acr::parse(&form.acr).unwrap_or(Acr::Pwd);
    let result = state
        .services
        .sign_in_for(&form.username, &password, acr, SessionKind::Web, &meta)
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    let e = match result {
        Ok(signed_in) => {
            return Ok(sign_in::after_password_for(
                &state,
                signed_in,
                safe_next(&state.config, &form.next),
                acr,
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
        next: safe_next(&state.config, &form.next)
            .unwrap_or_default()
            .to_owned(),
        acr: acr_field(acr),
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
