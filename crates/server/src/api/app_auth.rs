//! `POST /api/v1/app-auth`: a mail server (or another service with a service token) asks whether
//! a mail client's username and password are good. The answer is `{"ok":bool}` for every wrong
//! credential; only throttling is an error, so the service can tell "wrong" from "try later".

use std::net::IpAddr;

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::RequestMeta;
use portcullis_core::password::Password;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::ApiJson;
use super::service_auth::ServiceAuth;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct AppAuthRequest {
    /// The email the mail client signs in with.
    pub username: String,
    /// An app password, or (only for accounts without 2FA) the account password.
    #[schema(value_type = String, format = Password)]
    pub password: Password,
    /// The mail client's address as the mail server sees it; throttling and "last used" count
    /// it instead of the mail server's own. Defaults to the caller's address.
    pub client_ip: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AppAuthResponse {
    pub ok: bool,
}

/// Check a mail client's credentials (service token required). Throttled like logins; audited
/// as `app_auth.success` / `app_auth.failure` with the service's name.
#[utoipa::path(post, path = "/api/v1/app-auth", tag = "app-passwords", security(("bearer" = [])),
    request_body = AppAuthRequest, responses(
    (status = 200, body = AppAuthResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated: no valid service token", body = ErrorBody),
    (status = 422, description = "validation_failed (client_ip) or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn app_auth(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ServiceAuth(service): ServiceAuth,
    ApiJson(req): ApiJson<AppAuthRequest>,
) -> ApiResult<ApiJson<AppAuthResponse>> {
    let ip = match req.client_ip.as_deref().map(str::parse::<IpAddr>) {
        None => meta.ip,
        Some(Ok(ip)) => Some(ip.to_string()),
        Some(Err(_)) => {
            return Err(ApiError::input(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "client_ip must be an IPv4 or IPv6 address",
            ));
        }
    };
    let client = RequestMeta {
        ip,
        user_agent: meta.user_agent,
    };
    let ok = state
        .services
        .app_auth(&service, &req.username, &req.password, &client)
        .await?;
    Ok(ApiJson(AppAuthResponse { ok }))
}
