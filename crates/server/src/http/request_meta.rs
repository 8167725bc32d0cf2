//! Who sent a request, as the use cases record it for audit and throttling: the client's address
//! and its user agent. The same extractor serves the API and the pages; it never refuses a
//! request. The address is the connection's, or, when the connection comes from one of the
//! configured `trusted_proxies`, the one their `X-Forwarded-For` names ([`super::forwarded`]).
//! This is the only place that reads the client's address: audit rows, the per-address throttle,
//! push and passkeys all get it from here.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use portcullis_core::model::RequestMeta;

use super::forwarded;
use crate::config::Config;

/// The source address and browser of a request.
pub struct Meta(pub RequestMeta);

impl<S> FromRequestParts<S> for Meta
where
    S: Send + Sync,
    Arc<Config>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let config = Arc::<Config>::from_ref(state);
        let ip = peer(parts)
            .map(|peer| forwarded::client_ip(peer, &parts.headers, &config.trusted_proxies))
            .map(|ip| ip.to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        Ok(Meta(RequestMeta { ip, user_agent }))
    }
}

/// The address of the connection the request came on (a proxy's, behind one).
pub fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}
