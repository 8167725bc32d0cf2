//! OpenID Connect: the pure rules of the provider, free of HTTP and storage.
//!
//! - `request`, `oauth_error`, `decision` (oidc-flow): the authorization request and its
//!   checks, PKCE, scopes, what an authorization asks of the person next, and the protocol's
//!   error codes.

pub mod decision;
pub mod oauth_error;
pub mod request;
