//! The OpenID Connect flow as use cases: the authorization (sign-in, step-up, consent, the code),
//! the token endpoint (codes and refresh tokens, with replay detection), what a token is worth
//! afterwards (userinfo, revocation, introspection), RP-initiated logout, and the person's
//! connected apps. The protocol's pure rules are `crate::oidc`; clients and signing keys are the
//! OIDC store's (`oidc_clients`, the signing service), reached only through [`FlowClient`] and
//! [`Services::sign_id_token`] here, so this flow names nothing else of theirs.
//!
//! Files: `authorize` (the request, its continuation after sign-in, the consent decision),
//! `code` (keeping the request while the person signs in, issuing the code),
//! `token` (the token endpoint), `grants` (userinfo, revoke, introspect, connected apps,
//! logout), `client` (the client as the flow sees it, client authentication, ID tokens).

mod authorize;
mod client;
mod code;
mod grants;
mod token;

pub use authorize::{AuthorizeOutcome, ConsentPrompt};
pub use client::{ClientCredentials, FlowClient};
pub use grants::{ConnectedApp, Introspection, LogoutOutcome, UserInfo};
pub use token::TokenResponse;

use crate::clock::UnixTime;
use crate::model::{Session, User};
use crate::oidc::decision::SignedInFacts;
use crate::oidc::request::AcrLevel;

/// How long an authorization request waits for the person (sign-in, consent).
pub const PENDING_SECS: i64 = 10 * 60;
/// An authorization code's life (RFC 6749 §4.1.2 recommends at most ten minutes; a client
/// redeems it within a second).
pub const CODE_SECS: i64 = 60;
/// An access token's life.
pub const ACCESS_TOKEN_SECS: i64 = 10 * 60;
/// A refresh token's life without use; each use issues a new one.
pub const REFRESH_TOKEN_SECS: i64 = 30 * 24 * 3600;
/// How long expired requests, codes and tokens are kept before a new request deletes them.
pub const PRUNE_AFTER_SECS: i64 = 24 * 3600;
/// An ID token's life.
pub const ID_TOKEN_SECS: i64 = 10 * 60;

/// What a session says about how its person signed in: `acr` and RFC 8176 `amr`, as the
/// sign-in recorded them.
pub(crate) fn sign_in_of(session: &Session) -> (AcrLevel, Vec<String>) {
    let acr = AcrLevel::parse(session.acr().as_str()).unwrap_or(AcrLevel::Pwd);
    (acr, session.amr().to_vec())
}

pub(crate) fn facts_of(session: &Session) -> SignedInFacts {
    SignedInFacts {
        auth_time: session.created_at,
        acr: sign_in_of(session).0,
    }
}

/// The subject of every token: the user's id, stable and not the email.
pub(crate) fn subject(user: &User) -> &str {
    user.id.as_str()
}

pub(crate) fn is_live(expires_at: UnixTime, now: UnixTime) -> bool {
    now < expires_at
}
