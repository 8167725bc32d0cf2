//! OpenID Connect provider rules that need no store and no clock: the signing keys and JWS
//! ([`jose`]), the shape of a client's redirect URIs ([`redirect`]), and the lifetimes the
//! token side (oidc-flow) and the key side share. The use cases live in `service::oidc`.
//!
//! The flow's own rules (oidc-flow): the authorization request and its checks, PKCE and scopes
//! ([`request`]), what an authorization asks of the person next ([`decision`]), and the
//! protocol's error codes ([`oauth_error`]); their use cases live in `service::oidc_flow`.

pub mod decision;
pub mod jose;
pub mod oauth_error;
pub mod redirect;
pub mod request;
pub mod verify;

/// How long an ID token or an access token (JWT) lives. A retired signing key stays in JWKS this
/// long after its retirement, so every token it signed can still be checked until it expires.
/// Refresh tokens live longer but are opaque (never signed), so they do not count here.
pub const TOKEN_SECS: i64 = 600;

/// How long a signing key retired by a rotation is still published: every token signed with it
/// has expired by then.
pub const RETIRED_KEY_PUBLISHED_SECS: i64 = TOKEN_SECS;

/// How long a node keeps the signing keys it read from the database before reading them again:
/// a rotation made with the CLI (or on another node) is in use everywhere within this time.
pub const KEY_CACHE_SECS: i64 = 5;
