//! The OpenID Connect provider's protocol endpoints (`/oauth2/…`): the authorization endpoint
//! and its pages (continue after sign-in, consent), the token endpoint, userinfo, revocation,
//! introspection and RP-initiated logout. Like the API and the pages, a handler parses, calls
//! one use case (`portcullis_core::service::oidc_flow`) and maps the answer; the protocol's
//! rules live in `portcullis_core::oidc`.
//!
//! The answers are the protocol's own, not our `{"error":{"code","message"}}`: the token,
//! revocation and introspection endpoints answer RFC 6749 §5.2 JSON (`error`,
//! `error_description`) with `Cache-Control: no-store`; userinfo answers RFC 6750's
//! `WWW-Authenticate: Bearer`; the browser endpoints answer with pages or a redirect to the
//! client. Discovery and JWKS are the OIDC store's (`/.well-known/openid-configuration`,
//! `/oauth2/jwks`).
//!
//! Files: `authorize` (the browser's side), `token` (the token endpoint and client
//! authentication), `grants` (userinfo, revoke, introspect), `logout`, `reply` (the protocol's
//! answers).

mod authorize;
mod grants;
mod logout;
mod reply;
mod token;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::start))
        .route(
            "/oauth2/authorize/continue/{id}",
            get(authorize::continue_after_sign_in),
        )
        .route("/oauth2/consent/{id}", post(authorize::decide))
        .route("/oauth2/token", post(token::token))
        .route(
            "/oauth2/userinfo",
            get(grants::userinfo).post(grants::userinfo),
        )
        .route("/oauth2/revoke", post(grants::revoke))
        .route("/oauth2/introspect", post(grants::introspect))
        .route("/oauth2/logout", get(logout::start).post(logout::confirm))
}
