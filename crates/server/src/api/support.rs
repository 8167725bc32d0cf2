//! `POST /api/v1/support/verify-pin`: a support agent checks a caller's support PIN. Anyone who
//! is not an agent gets 403 from the use case.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct VerifyPinRequest {
    /// The customer's email, as the caller gives it.
    pub email: String,
    /// The PIN the caller says.
    pub pin: String,
}

#[derive(Serialize, ToSchema)]
pub struct VerifyPinResponse {
    /// The PIN is the customer's. `false` also for an unknown email or a customer without a PIN.
    #[serde(rename = "match")]
    pub matched: bool,
}

/// Check a caller's support PIN (support agents only). Five wrong checks for one customer within
/// an hour lock further checks for them, and the customer is emailed about each wrong one.
#[utoipa::path(post, path = "/api/v1/support/verify-pin", tag = "support", security(("bearer" = [])),
    request_body = VerifyPinRequest, responses(
    (status = 200, body = VerifyPinResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden: not a support agent", body = ErrorBody),
    (status = 422, description = "invalid_email, invalid_pin or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts: checks for this customer are locked", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn verify_pin(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<VerifyPinRequest>,
) -> ApiResult<ApiJson<VerifyPinResponse>> {
    let matched = state
        .services
        .verify_support_pin(&auth, &req.email, &req.pin, &meta)
        .await?;
    Ok(ApiJson(VerifyPinResponse { matched }))
}
