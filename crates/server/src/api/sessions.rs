//! `GET /api/v1/me/sessions` and `DELETE /api/v1/me/sessions/{id}`.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::SessionId;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    /// `api` (bearer token) or `web` (browser cookie).
    pub kind: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// This is the session making the request.
    pub current: bool,
    /// How the sign-in that opened it was proven (RFC 8176: `pwd`, `otp`, `swk`, `hwk`,
    /// `user`, `mfa`); `["mfa"]` or `["pwd"]` for sessions older than this field.
    pub amr: Vec<String>,
    /// `pwd` (password alone), `mfa` (a second factor) or `phr` (a passkey or security key).
    pub acr: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionView>,
}

/// My live sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "sessions", security(("bearer" = [])), responses(
    (status = 200, body = SessionsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<SessionsResponse>> {
    let sessions = state.services.list_sessions(&auth).await?;
    let sessions = sessions
        .into_iter()
        .map(|s| SessionView {
            current: s.id == auth.session.id,
            acr: s.acr().as_str().to_owned(),
            amr: s.assurance.amr,
            id: s.id.0,
            kind: s.kind.as_str().to_owned(),
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(ApiJson(SessionsResponse { sessions }))
}

/// Revoke one of my sessions (another person's session answers 404).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, description = "session id")), responses(
    (status = 204, description = "revoked"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn revoke_session(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .revoke_session(&auth, &SessionId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
