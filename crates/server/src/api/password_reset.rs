//! Forgot password: ask for a link (always the same answer), then set a new password
//! with the link's token or with the code sent by SMS.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::ApiJson;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    /// The account's email address.
    #[schema(example = "alice@example.com")]
    pub username: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResetRequested {
    /// The same sentence whether or not the account exists.
    pub message: &'static str,
}

/// Send a reset link (and, with a verified number, a code by SMS). Always 202 with the same body,
/// whether or not the account exists; the work happens after the answer.
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "accounts", request_body = ResetRequest, responses(
    (status = 202, description = "accepted", body = ResetRequested),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
))]
pub async fn request_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<ResetRequest>,
) -> (StatusCode, ApiJson<ResetRequested>) {
    state.services.request_password_reset(&req.username, &meta);
    (
        StatusCode::ACCEPTED,
        ApiJson(ResetRequested {
            message: "If an account exists for this username, a link to reset its password is \
                      on its way to the account's email address.",
        }),
    )
}

/// Either `token`, or `username` and `sms_code`; and the new password.
#[derive(Deserialize, ToSchema)]
pub struct CompleteResetRequest {
    /// From the link in the email (`/reset?token=…`).
    pub token: Option<String>,
    pub username: Option<String>,
    /// The 6-digit code sent by SMS to the account's verified number.
    #[schema(example = "123456")]
    pub sms_code: Option<String>,
    #[schema(value_type = String, format = Password)]
    pub new_password: Password,
}

/// Set a new password with the link's token or the SMS code. Every session ends; two-factor
/// authentication stays, so the next login still asks for the second factor.
#[utoipa::path(post, path = "/api/v1/password-reset/complete", tag = "accounts", request_body = CompleteResetRequest, responses(
    (status = 204, description = "password set; every session ended"),
    (status = 400, description = "invalid_token: the link is invalid, expired or used; or malformed_json", body = ErrorBody),
    (status = 422, description = "weak_password, invalid_code, validation_failed or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn complete_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<CompleteResetRequest>,
) -> ApiResult<StatusCode> {
    let services = &state.services;
    match (req.token, req.username, req.sms_code) {
        (Some(token), None, None) => {
            services
                .reset_password_with_link(&Token::from_client(&token), &req.new_password, &meta)
                .await?
        }
        (None, Some(username), Some(code)) => {
            services
                .reset_password_with_code(&username, &code, &req.new_password, &meta)
                .await?
        }
        _ => {
            return Err(ApiError::input(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "send either token, or username and sms_code, with new_password",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
