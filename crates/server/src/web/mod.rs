//! Server-rendered pages that work without JavaScript: sign in and out (with a second page for
//! the authenticator code, seed 004), the account page (password, sessions, recent activity), the
//! security overview with the authenticator-app setup assistant, recovery from a lost phone, and
//! owner registration by setup link or open registration. Sessions live in an HttpOnly cookie;
//! every form is CSRF-protected.
//! Like the JSON API, a handler parses the form, calls one use case and renders the result; no
//! rule and no SQL lives here.
//!
//! Module map:
//! - [`cookies`]: reading the `Cookie` header, writing `Set-Cookie`.
//! - [`csrf`]: the signed double-submit token and [`csrf::VerifiedForm`], the only form extractor.
//! - `session`: the `SignedIn` extractor and the session cookie.
//! - `error`: [`WebError`], the one mapping of failures to pages.
//! - `page`, `view`: the shared layout data and account data in words.
//! - `login`, `second_step`, `recover`, `account`, `security`, `totp`, `recovery_codes`,
//!   `register`: one file per flow.
//! - `assets`: the stylesheet, icon and copy-button script, compiled in. Templates are in
//!   `crates/server/templates`.

mod account;
mod assets;
pub mod cookies;
pub mod csrf;
mod error;
mod login;
mod page;
mod recover;
mod recovery_codes;
mod register;
mod second_step;
mod security;
mod session;
mod totp;
mod view;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub use error::WebError;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/code",
            get(second_step::form).post(second_step::submit_code),
        )
        .route("/login/recovery", post(second_step::submit_recovery))
        .route("/recover", get(recover::form).post(recover::submit))
        .route("/logout", post(login::logout))
        .route("/account", get(account::overview))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route("/account/security", get(security::overview))
        .route("/account/security/totp", get(totp::setup))
        .route("/account/security/totp/start", post(totp::start))
        .route("/account/security/totp/activate", post(totp::activate))
        .route("/account/security/totp/deactivate", post(totp::deactivate))
        .route(
            "/account/security/recovery-codes",
            post(recovery_codes::regenerate),
        )
        .route(
            "/account/security/emergency-kit.pdf",
            get(recovery_codes::emergency_kit),
        )
        .route(
            "/setup",
            get(register::setup_form).post(register::setup_submit),
        )
        .route(
            "/signup",
            get(register::signup_form).post(register::signup_submit),
        )
        .route("/static/app.css", get(assets::stylesheet))
        .route("/static/icon.svg", get(assets::icon))
        .route("/static/copy.js", get(assets::copy_script))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The HTML 404 page, for every path no route claims.
pub async fn not_found() -> impl IntoResponse {
    WebError::not_found()
}

async fn method_not_allowed() -> WebError {
    WebError::page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Not possible here",
        "This page cannot be used that way. Go back and use the page's own buttons.",
    )
}
