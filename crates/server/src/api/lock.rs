//! "This wasn't me": the link in a security notice about a change made with the holder's own
//! credentials locks the account. Notices about an administrator's or the operator's change
//! carry no such link.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::secret::Token;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiJson;
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LockRequest {
    /// The token from the `/lock?token=…` link of a security notice.
    pub token: String,
}

/// Lock my account from a security notice's link (sent only for changes made with the account's
/// own credentials): every session ends, logins answer 423
/// `account_locked` until an administrator unlocks it, and the contract's owner is alerted.
#[utoipa::path(post, path = "/api/v1/lock", tag = "account", request_body = LockRequest, responses(
    (status = 204, description = "locked"),
    (status = 400, description = "invalid_token: unknown, used or expired link", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
))]
pub async fn lock(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LockRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .lock_account(&Token::from_client(&req.token), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
