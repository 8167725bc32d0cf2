//! `POST /api/v1/signup`: a new contract and its owner, when registration is open.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::password::Password;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiJson;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    #[schema(example = "alice@example.com")]
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub user_id: String,
    pub contract_id: String,
}

/// Create a contract (organisation) and its owner.
#[utoipa::path(post, path = "/api/v1/signup", tag = "accounts", request_body = SignupRequest, responses(
    (status = 201, description = "created", body = SignupResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 403, description = "registration_closed", body = ErrorBody),
    (status = 409, description = "email_taken", body = ErrorBody),
    (status = 413, description = "payload_too_large", body = ErrorBody),
    (status = 422, description = "weak_password, invalid_email or invalid_body", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn signup(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SignupRequest>,
) -> ApiResult<(StatusCode, ApiJson<SignupResponse>)> {
    let (user_id, contract_id) = state
        .services
        .sign_up(&req.email, &req.password, &meta)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(SignupResponse {
            user_id: user_id.0,
            contract_id: contract_id.0,
        }),
    ))
}
