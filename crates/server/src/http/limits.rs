//! How much a request may carry and how long it may take, for every route alike: the body limit
//! that axum enforces before any handler reads a byte, and the deadline after which a request is
//! answered 408. What a limit's refusal looks like is each side's own (`api::error` words it as
//! JSON, the pages as a form that was too large).

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Requests end after 30 s with 408; push long-polls (which wait up to 60 s by the protocol)
/// get 75 s.
pub async fn request_deadline(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    let long_poll =
        path.starts_with("/api/v1/login/push/") || path == "/api/v1/push/device/challenges";
    let limit = Duration::from_secs(if long_poll { 75 } else { 30 });
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}
