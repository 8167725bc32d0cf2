//! Recovery codes after activation, and the emergency kit PDF.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use super::totp::{PasswordConfirmation, RecoveryCodesResponse};
use crate::http::Meta;
use crate::state::AppState;

/// A new set of recovery codes; the old set stops working.
#[utoipa::path(post, path = "/api/v1/me/recovery-codes", tag = "two-factor", security(("bearer" = [])),
    request_body = PasswordConfirmation, responses(
    (status = 200, body = RecoveryCodesResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password", body = ErrorBody),
    (status = 409, description = "two_factor_not_enabled", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn regenerate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<PasswordConfirmation>,
) -> ApiResult<ApiJson<RecoveryCodesResponse>> {
    let codes = state
        .services
        .regenerate_recovery_codes(&auth, &req.password, &meta)
        .await?;
    Ok(ApiJson(RecoveryCodesResponse {
        recovery_codes: codes.iter().map(|c| c.display()).collect(),
    }))
}

/// The emergency kit: account, server, recovery codes and the authenticator key (text and QR).
/// Available for 15 minutes after activation or regeneration, in that session only.
#[utoipa::path(get, path = "/api/v1/me/emergency-kit.pdf", tag = "two-factor", security(("bearer" = [])), responses(
    (status = 200, description = "PDF document", content_type = "application/pdf", body = Vec<u8>),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "emergency_kit_unavailable", body = ErrorBody),
))]
pub async fn emergency_kit(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<impl IntoResponse> {
    let material = state.services.emergency_kit(&auth).await?;
    let pdf = crate::kit::render(&crate::kit::KitContent {
        product: "Portcullis",
        account: auth.user.email.as_str(),
        server_url: &state.config.public_url,
        created: &crate::http::time::human_time(state.services.clock.now()),
        recovery_codes: &material.recovery_codes,
        totp_secret_base32: material.secret_base32.as_deref(),
        otpauth_uri: material.otpauth_uri.as_deref(),
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portcullis-emergency-kit.pdf\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        pdf,
    ))
}
