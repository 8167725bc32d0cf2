//! `PUT /api/v1/me/support-pin`: the signed-in person sets or changes their support PIN; and
//! [`SupportPinStatus`], the part of `GET /api/v1/me` that says whether one is set.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::UnixTime;
use portcullis_core::password::Password;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

/// Whether I have a support PIN, as `GET /api/v1/me` shows it: never the PIN itself.
#[derive(Serialize, ToSchema, Default)]
pub struct SupportPinStatus {
    pub set: bool,
    pub changed_at: Option<String>,
}

impl From<Option<UnixTime>> for SupportPinStatus {
    fn from(changed_at: Option<UnixTime>) -> Self {
        SupportPinStatus {
            set: changed_at.is_some(),
            changed_at: changed_at.map(rfc3339),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SupportPinRequest {
    /// 5 to 10 digits; not one digit repeated, not a run like 12345 or 98765.
    #[schema(example = "48213")]
    pub pin: String,
    /// The current password: whoever knows the PIN can talk their way past support, so an
    /// open session alone may not choose it.
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

/// Set or change my support PIN; it is stored hashed and the change is emailed to me.
#[utoipa::path(put, path = "/api/v1/me/support-pin", tag = "support", security(("bearer" = [])),
    request_body = SupportPinRequest, responses(
    (status = 204, description = "set"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password: the current password is wrong (counted against the account)", body = ErrorBody),
    (status = 422, description = "invalid_pin, validation_failed (password empty) or invalid_body (password missing)", body = ErrorBody),
    (status = 429, description = "too_many_attempts: too many wrong passwords; see Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn set_support_pin(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<SupportPinRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .set_support_pin(&auth, &req.pin, &req.password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
