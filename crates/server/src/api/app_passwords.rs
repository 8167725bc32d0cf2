//! `/api/v1/me/app-passwords`: passwords for mail clients that cannot ask for a second factor.
//! The password is in the answer to `POST` only; the list shows names and last use.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::app_password::AppPasswordInfo;
use portcullis_core::password::Password;
use portcullis_core::service::Reveal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct CreateAppPasswordRequest {
    /// What it is for, 1 to 64 characters ("Thunderbird on my laptop").
    pub name: String,
    /// The current password: an app password opens the mailbox without a second factor, so an
    /// open session alone may not make one.
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAppPassword {
    pub id: String,
    /// Shown this once: `abcd-efgh-ijkl-mnop`. Mail clients may send it with or without dashes.
    #[schema(example = "abcd-efgh-ijkl-mnop")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppPasswordView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// The mail client's address at its last use, as the mail server reported it.
    pub last_used_ip: Option<String>,
}

impl From<AppPasswordInfo> for AppPasswordView {
    fn from(p: AppPasswordInfo) -> Self {
        AppPasswordView {
            id: p.id.0,
            name: p.name,
            created_at: rfc3339(p.created_at),
            last_used_at: p.last_used_at.map(rfc3339),
            last_used_ip: p.last_used_ip,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AppPasswordsResponse {
    /// Newest first.
    pub app_passwords: Vec<AppPasswordView>,
}

/// Create an app password; it is shown once and the creation is emailed to me.
#[utoipa::path(post, path = "/api/v1/me/app-passwords", tag = "app-passwords", security(("bearer" = [])),
    request_body = CreateAppPasswordRequest, responses(
    (status = 201, body = CreatedAppPassword),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password: the current password is wrong (counted against the account)", body = ErrorBody),
    (status = 409, description = "conflict: the most app passwords there may be (50)", body = ErrorBody),
    (status = 422, description = "validation_failed (name, or password empty) or invalid_body (password missing)", body = ErrorBody),
    (status = 429, description = "too_many_attempts: too many wrong passwords; see Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn create_app_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CreateAppPasswordRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedAppPassword>)> {
    let (info, password) = state
        .services
        .create_app_password(&auth, &req.name, &req.password, Reveal::InAnswer, &meta)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedAppPassword {
            id: info.id.0,
            password: password.display(),
        }),
    ))
}

/// My app passwords, newest first, with their last use.
#[utoipa::path(get, path = "/api/v1/me/app-passwords", tag = "app-passwords", security(("bearer" = [])), responses(
    (status = 200, body = AppPasswordsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_app_passwords(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<AppPasswordsResponse>> {
    let list = state.services.list_app_passwords(&auth).await?;
    Ok(ApiJson(AppPasswordsResponse {
        app_passwords: list.into_iter().map(AppPasswordView::from).collect(),
    }))
}

/// Revoke one of my app passwords (another person's id answers 404).
#[utoipa::path(delete, path = "/api/v1/me/app-passwords/{id}", tag = "app-passwords", security(("bearer" = [])),
    params(("id" = String, Path, description = "app password id")), responses(
    (status = 204, description = "revoked"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn revoke_app_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .revoke_app_password(&auth, &id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
