//! The browser session: the `portcullis_session` cookie holds the token that
//! [`Services::authenticate`](portcullis_core::service::Services::authenticate) checks. A page
//! that needs a person takes [`SignedIn`]; without a live session it redirects to `/login`, which
//! returns to the page asked for once the person has signed in (`return_to::sign_in_then`). An
//! admin page takes [`SignedInAdmin`], which also asks the services for the admin's session.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use portcullis_core::Error;
use portcullis_core::secret::Token;
use portcullis_core::service::{AdminSession, Authenticated};

use super::cookies::{self, SameSite};
use super::error::WebError;
use crate::config::Config;
use crate::state::AppState;

/// A request from a browser with a live session.
pub struct SignedIn(pub Authenticated);

/// A signed-in owner or administrator: the only way into the admin pages. Anyone else gets the
/// services' refusal as a 403 page before the handler runs.
pub struct SignedInAdmin(pub AdminSession, pub Authenticated);

impl FromRequestParts<AppState> for SignedInAdmin {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedIn(auth) =
            <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let admin = state.services.admin_session(&auth)?;
        Ok(SignedInAdmin(admin, auth))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookies::get(&parts.headers, cookies::SESSION).ok_or_else(|| sign_in(parts))?;
        match state
            .services
            .authenticate(&Token::from_client(token))
            .await
        {
            Ok(auth) => {
                // The person's own language and time zone; `?lang=` here is their new choice.
                if let Some((language, time_zone)) = crate::i18n::adopt_account(&auth.user) {
                    state
                        .services
                        .set_locale(&auth.user, language, time_zone.as_ref())
                        .await?;
                }
                Ok(SignedIn(auth))
            }
            Err(Error::Unauthenticated) => Err(sign_in(parts)),
            Err(e) => Err(e.into()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <SignedIn as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(signed_in) => Ok(Some(signed_in)),
            Err(WebError::SignIn | WebError::SignInThen(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The way to the sign-in page: for a page one can open (`GET`), one that comes back to its path
/// afterwards; a form sent without a session has nothing to come back to. The query stays
/// behind: it is where a crafted link would hide another site's address, and no page needs one
/// to be found again.
fn sign_in(parts: &Parts) -> WebError {
    if parts.method != Method::GET {
        return WebError::SignIn;
    }
    WebError::SignInThen(parts.uri.path().to_owned())
}

/// Lax, not Strict: a link to the account page from mail or another site should find the person
/// signed in. Forms are protected by the CSRF token, not by this attribute. With `cookie_domain`
/// the session (and only the session: CSRF and ticket cookies stay host-only) is sent to every
/// subdomain, so forward authentication sees it in front of the other applications.
pub fn set_cookie(config: &Config, token: &Token) -> HeaderValue {
    cookies::set_shared(
        cookies::SESSION,
        token.expose(),
        SameSite::Lax,
        config.secure_cookies(),
        config.cookie_domain.as_deref(),
    )
}

/// Clears with the same `Domain` the cookie was set with, or the browser would keep it.
pub fn clear_cookie(config: &Config) -> HeaderValue {
    cookies::clear_shared(
        cookies::SESSION,
        SameSite::Lax,
        config.secure_cookies(),
        config.cookie_domain.as_deref(),
    )
}
