//! `POST /api/v1/login` and `POST /api/v1/logout`.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::service::LoginResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth, Meta};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The account's email address.
    #[schema(example = "alice@example.com")]
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

/// Where the login stands. `ok` carries the session token; later steps (second factor, forced
/// enrolment) will add their own statuses.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginResponse {
    Ok {
        /// Send as `Authorization: Bearer <token>`.
        token: String,
    },
}

/// Log in with username and password.
#[utoipa::path(post, path = "/api/v1/login", tag = "sessions", request_body = LoginRequest, responses(
    (status = 200, description = "logged in", body = LoginResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_credentials (unknown user and wrong password alike)", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts, with Retry-After", body = ErrorBody),
))]
pub async fn login(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let result = state
        .services
        .sign_in(&req.username, &req.password, SessionKind::Api, &meta)
        .await;
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    match result? {
        LoginResult::Complete { token, .. } => Ok(ApiJson(LoginResponse::Ok {
            token: token.expose().to_owned(),
        })),
    }
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "sessions", security(("bearer" = [])), responses(
    (status = 204, description = "logged out"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn logout(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
) -> ApiResult<StatusCode> {
    state.services.logout(&auth, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
