//! `POST /api/v1/validate`: a VPN, SSH, RADIUS or PAM gateway with a service token checks a
//! user's second-factor code in one request (what privacyIDEA's `/validate/check` offers). The
//! answer is `{"ok":bool}` for every wrong code; only throttling is an error, so the gateway can
//! tell "wrong" from "try later".

use std::net::IpAddr;

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::RequestMeta;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::ApiJson;
use super::service_auth::ServiceAuth;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ValidateRequest {
    /// The user's email.
    pub username: String,
    /// A code from their authenticator app, or one of their recovery codes.
    pub code: String,
    /// The address of the person at the gateway, if the gateway knows it: wrong codes then
    /// also count against that address. Without it only the account is counted, never the
    /// gateway's own address.
    pub client_ip: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ValidateResponse {
    pub ok: bool,
}

/// Check a user's second-factor code (service token required). A TOTP step is accepted once (a
/// code used here no longer works at a login), a recovery code is used up; wrong codes count
/// against the account throttle; audited as `validate.success` / `validate.failure`.
#[utoipa::path(post, path = "/api/v1/validate", tag = "app-passwords", security(("bearer" = [])),
    request_body = ValidateRequest, responses(
    (status = 200, body = ValidateResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated: no valid service token", body = ErrorBody),
    (status = 422, description = "validation_failed (client_ip) or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn validate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ServiceAuth(service): ServiceAuth,
    ApiJson(req): ApiJson<ValidateRequest>,
) -> ApiResult<ApiJson<ValidateResponse>> {
    let ip = match req.client_ip.as_deref().map(str::parse::<IpAddr>) {
        None => None,
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
        .validate_code(&service, &req.username, &req.code, &client)
        .await?;
    Ok(ApiJson(ValidateResponse { ok }))
}
