//! The protocol's answers: RFC 6749 §5.2 error JSON with the status each error takes, token
//! answers that no cache keeps, and the small page that hands the browser on to a client after
//! a form post (a redirect there would be blocked by our CSP's `form-action 'self'`, which
//! Chromium applies to the redirects that follow a form).

use crate::i18n::filters;
use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::Error;
use portcullis_core::oidc::oauth_error::{OAuthCode, OAuthError};
use serde_json::{Value, json};

use crate::web::kit::page::{Layout, render};

/// JSON no cache may keep (RFC 6749 §5.1).
pub fn no_store(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

/// An [`OAuthError`] as RFC 6749 §5.2 JSON. `basic`: the client authenticated with HTTP Basic,
/// so `invalid_client` carries the challenge.
pub fn oauth_error(e: OAuthError, basic: bool) -> Response {
    match e {
        OAuthError::Refused { code, description } => {
            let status = match code {
                OAuthCode::InvalidClient => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut response = no_store(
                status,
                json!({"error": code.as_str(), "error_description": description}),
            );
            if code == OAuthCode::InvalidClient && basic {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"portcullis\""),
                );
            }
            response
        }
        OAuthError::Throttled { retry_after_secs } => {
            let mut response = no_store(
                StatusCode::TOO_MANY_REQUESTS,
                json!({
                    "error": "temporarily_unavailable",
                    "error_description": "too many wrong client secrets; wait before trying again",
                }),
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        OAuthError::Failed(Error::Overloaded { .. }) => no_store(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": "temporarily_unavailable", "error_description": "the server is busy"}),
        ),
        OAuthError::Failed(e) => {
            tracing::error!(error = %e, "an OAuth request failed");
            no_store(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "server_error", "error_description": "something went wrong on our side"}),
            )
        }
    }
}

/// `invalid_request` for a body or header that could not be read.
pub fn invalid_request(description: &str) -> Response {
    oauth_error(
        OAuthError::new(OAuthCode::InvalidRequest, description),
        false,
    )
}

#[derive(Template)]
#[template(path = "oauth2_onward.html")]
struct OnwardPage<'a> {
    layout: Layout,
    /// A message id.
    heading: &'static str,
    /// A message id.
    message: &'static str,
    url: &'a str,
}

/// A page that sends the browser on to `url` at once (meta refresh), with a link for browsers
/// that do not follow it. `heading` and `message` are message ids.
pub fn onward(heading: &'static str, message: &'static str, url: &str) -> Response {
    let page = OnwardPage {
        layout: Layout::signed_out(heading),
        heading,
        message,
        url,
    };
    render(StatusCode::OK, &page).unwrap_or_else(IntoResponse::into_response)
}
