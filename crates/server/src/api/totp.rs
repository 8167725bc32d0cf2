//! The authenticator-app setup assistant: start, QR code, activate, deactivate.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use portcullis_core::password::Password;
use portcullis_core::totp::{Algorithm, TotpParams};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema, Default)]
pub struct StartTotpRequest {
    /// 30 (default) or 60 seconds.
    pub period: Option<i64>,
    /// 6 (default) or 8.
    pub digits: Option<u32>,
    /// `SHA1` (default; what every app reads), `SHA256` or `SHA512`.
    pub algorithm: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StartTotpResponse {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as an inline SVG QR code.
    pub qr_svg: String,
}

impl StartTotpResponse {
    pub fn new(enrolment: &portcullis_core::service::TotpEnrolment) -> Result<Self, ApiError> {
        Ok(StartTotpResponse {
            secret: enrolment.secret.base32(),
            otpauth_uri: enrolment.otpauth_uri.clone(),
            qr_svg: crate::qr::svg(&enrolment.otpauth_uri).map_err(qr_failed)?,
        })
    }
}

/// Start (or restart) setting up an authenticator app. Nothing changes until activation.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "two-factor", security(("bearer" = [])),
    request_body(content = StartTotpRequest, description = "all fields optional; an empty body takes the defaults"),
    responses(
    (status = 201, body = StartTotpResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 409, description = "totp_already_active", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn start_totp(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, ApiJson<StartTotpResponse>)> {
    // An empty body takes every default, so `curl -X POST` with no body works too.
    let req = if body.iter().all(u8::is_ascii_whitespace) {
        StartTotpRequest::default()
    } else {
        axum::Json::<StartTotpRequest>::from_bytes(&body)?.0
    };
    let algorithm = match req.algorithm.as_deref() {
        None => Algorithm::Sha1,
        Some(a) => Algorithm::parse(a).ok_or_else(|| {
            ApiError::input(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "algorithm must be SHA1, SHA256 or SHA512",
            )
        })?,
    };
    let params = TotpParams::new(algorithm, req.digits.unwrap_or(6), req.period.unwrap_or(30))
        .map_err(|m| ApiError::input(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", m))?;
    let enrolment = state.services.start_totp(&auth, params, &meta).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(StartTotpResponse::new(&enrolment)?),
    ))
}

/// The pending enrolment's URI as a PNG QR code.
#[utoipa::path(get, path = "/api/v1/me/totp/qr.png", tag = "two-factor", security(("bearer" = [])), responses(
    (status = 200, description = "PNG image", content_type = "image/png", body = Vec<u8>),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 409, description = "enrollment_not_started", body = ErrorBody),
))]
pub async fn totp_qr_png(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<impl IntoResponse> {
    let enrolment = state.services.pending_totp(&auth).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        crate::qr::png(&enrolment.otpauth_uri).map_err(qr_failed)?,
    ))
}

/// Key URIs are far below a QR code's capacity; failing here is a bug, not bad input.
fn qr_failed(e: crate::qr::TooLong) -> ApiError {
    ApiError::Core(portcullis_core::Error::internal_msg(format!(
        "QR code: {e:?}"
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct ActivateTotpRequest {
    #[schema(value_type = String, format = Password)]
    pub password: Password,
    #[schema(example = "123456")]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Ten codes of 16 digits, shown only now; each works once.
    pub recovery_codes: Vec<String>,
}

/// Activate the pending enrolment with the current password and a code; other sessions end.
#[utoipa::path(post, path = "/api/v1/me/totp/activate", tag = "two-factor", security(("bearer" = [])),
    request_body = ActivateTotpRequest, responses(
    (status = 200, body = RecoveryCodesResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password", body = ErrorBody),
    (status = 409, description = "enrollment_not_started or totp_already_active", body = ErrorBody),
    (status = 422, description = "invalid_code or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn activate_totp(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<ActivateTotpRequest>,
) -> ApiResult<ApiJson<RecoveryCodesResponse>> {
    let codes = state
        .services
        .activate_totp(&auth, &req.password, &req.code, &meta)
        .await?;
    Ok(ApiJson(RecoveryCodesResponse {
        recovery_codes: codes.iter().map(|c| c.display()).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordConfirmation {
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

/// Deactivate the authenticator app (and the recovery codes); other sessions end.
#[utoipa::path(delete, path = "/api/v1/me/totp", tag = "two-factor", security(("bearer" = [])),
    request_body = PasswordConfirmation, responses(
    (status = 204, description = "deactivated"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password or two_factor_enforced", body = ErrorBody),
    (status = 409, description = "two_factor_not_enabled", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn deactivate_totp(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<PasswordConfirmation>,
) -> ApiResult<StatusCode> {
    state
        .services
        .deactivate_totp(&auth, &req.password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
