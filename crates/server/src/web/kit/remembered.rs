//! What the second-step pages share about remembered browsers: the "Don't ask for a code on this
//! browser" checkbox they offer ([`Remember`]), the registration of the key the page made once a
//! second step has passed ([`remember_after`]), and the hint cookie that tells the next sign-in to
//! try this browser's key first (`portcullis_remembered`).
//!
//! The hint is no secret and proves nothing: it only says "this browser may hold a key". A copied
//! hint without the key makes the remembered-browser page fall through to the code; the key,
//! which the browser cannot export, and the signature over a fresh challenge are what count
//! (`Services::sign_in_with_remembered_browser`).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use portcullis_core::Error;
use portcullis_core::model::{RequestMeta, Session, User};
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;

use super::cookies::{self, SameSite};
use crate::state::AppState;

/// "This browser may hold a key": read only by the sign-in pages.
pub const HINT: &str = "portcullis_remembered";

/// Where the remembered-browser step lives, and where it falls back to.
pub const PAGE: &str = "/login/browser";
/// The code page without the detour through [`PAGE`].
pub const CODE_INSTEAD: &str = "/login/code?browser=no";

/// The checkbox a second-step page offers, when the login's contract allows remembering.
pub struct Remember {
    pub days: u32,
    /// The name this account's key is kept under in the browser's IndexedDB.
    pub handle: String,
}

/// The offer for the login `ticket`, or `None` (the page then shows no checkbox).
pub async fn offer(state: &AppState, ticket: &Token) -> Result<Option<Remember>, Error> {
    Ok(state
        .services
        .remember_offer(ticket)
        .await?
        .map(|o| Remember {
            days: o.days,
            handle: o.handle,
        }))
}

/// Does this browser say it may hold a key?
pub fn hinted(headers: &HeaderMap) -> bool {
    cookies::get(headers, HINT).is_some()
}

/// Registers the key `remember_key` the page made, when the second step just passed and the box
/// was ticked (the field is empty otherwise): the hint cookie for the response, or `None`. A key
/// the services refuse (malformed, or the contract changed meanwhile) leaves the sign-in as it
/// is: the person is signed in, and the browser is simply not remembered.
pub async fn remember_after(
    state: &AppState,
    result: &Result<LoginResult, Error>,
    remember_key: &str,
    meta: &RequestMeta,
) -> Option<HeaderValue> {
    let Ok(LoginResult::Complete { session, user, .. }) = result else {
        return None;
    };
    remember_session(state, user, session, remember_key, meta).await
}

/// [`remember_after`] for a second step that opened `session` by other means (the push
/// approval's poll).
pub async fn remember_session(
    state: &AppState,
    user: &User,
    session: &Session,
    remember_key: &str,
    meta: &RequestMeta,
) -> Option<HeaderValue> {
    if remember_key.trim().is_empty() {
        return None;
    }
    match state
        .services
        .remember_browser(user, session, remember_key, meta)
        .await
    {
        Ok(Some(browser)) => {
            let max_age = state.services.clock.now().secs_until(browser.expires_at);
            Some(set_hint(state, max_age))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::info!(error = %e, "a browser's key was not remembered");
            None
        }
    }
}

/// `response` with the hint cookie `hint`, if there is one.
pub fn with_hint(mut response: Response, hint: Option<HeaderValue>) -> Response {
    if let Some(hint) = hint {
        response.headers_mut().append(header::SET_COOKIE, hint);
    }
    response
}

/// The hint lives as long as the browser is remembered; Strict and only for `/login/…`.
fn set_hint(state: &AppState, max_age_secs: i64) -> HeaderValue {
    cookies::set_scoped(
        HINT,
        "1",
        "/login",
        max_age_secs,
        SameSite::Strict,
        state.config.secure_cookies(),
    )
}
