//! Sessions: `GET /api/v1/me/sessions`, `DELETE /api/v1/me/sessions/{id}` and
//! `DELETE /api/v1/me/sessions?others=true` ("sign out everywhere else"); for administrators,
//! `GET`/`DELETE /api/v1/users/{id}/sessions` and `DELETE /api/v1/users/{id}/sessions/{session_id}`.
//! Which sessions are alive and who may end whose is the services'.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{Session, SessionId, UserId};
use portcullis_core::user_agent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath, ApiQuery, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    /// This is the session making the request (always false in an administrator's list).
    pub current: bool,
    /// The user agent the session's sign-in came with, as sent.
    pub user_agent: Option<String>,
    /// The user agent in words, versions ignored: "Firefox on Linux", "curl".
    pub device: String,
    /// The client's address as text, when it was known.
    pub address: Option<String>,
    pub created_at: String,
    /// When the session last made a request (to the minute).
    pub last_used_at: String,
    /// What the sign-in that opened it used: `password`, `totp`, `push`, `recovery_code`,
    /// `webauthn`, `remembered_browser`, `sms`.
    pub methods: Vec<String>,
    /// `api` (bearer token) or `web` (browser cookie).
    pub kind: String,
    /// The same as `last_used_at` (kept for older clients).
    pub last_seen_at: String,
    pub expires_at: String,
    /// The same as `address` (kept for older clients).
    pub ip: Option<String>,
    /// How the sign-in that opened it was proven (RFC 8176: `pwd`, `otp`, `swk`, `hwk`,
    /// `user`, `mfa`); `["mfa"]` or `["pwd"]` for sessions older than this field.
    pub amr: Vec<String>,
    /// `pwd` (password alone), `mfa` (a second factor) or `phr` (a passkey or security key).
    pub acr: String,
}

impl SessionView {
    fn new(s: Session, current: bool) -> SessionView {
        SessionView {
            current,
            device: user_agent::family(s.user_agent.as_deref()).describe(),
            acr: s.acr().as_str().to_owned(),
            methods: s.assurance.methods,
            amr: s.assurance.amr,
            id: s.id.0,
            kind: s.kind.as_str().to_owned(),
            created_at: rfc3339(s.created_at),
            last_used_at: rfc3339(s.last_seen_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            address: s.ip.clone(),
            ip: s.ip,
            user_agent: s.user_agent,
        }
    }
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
        .map(|s| {
            let current = s.id == auth.session.id;
            SessionView::new(s, current)
        })
        .collect();
    Ok(ApiJson(SessionsResponse { sessions }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndSessionsQuery {
    /// Must be `true`: every session but the one making the request ends.
    pub others: Option<bool>,
}

/// Sign out everywhere else: every session of mine but the one making the request ends.
/// Without `others=true` nothing ends and the answer is 422, so that a client that meant to end
/// one session but lost its id does not end them all.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "sessions", security(("bearer" = [])),
    params(EndSessionsQuery), responses(
    (status = 204, description = "every other session ended"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 422, description = "validation_failed: `others=true` is missing; invalid_query: `others` is not true or false", body = ErrorBody),
))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<EndSessionsQuery>,
) -> ApiResult<StatusCode> {
    if q.others != Some(true) {
        return Err(ApiError::input(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "add ?others=true to end every session but this one; \
             to end one session, DELETE /api/v1/me/sessions/{id}",
        ));
    }
    state.services.end_other_sessions(&auth, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// A user's live sessions, newest first (`current` is always false).
#[utoipa::path(get, path = "/api/v1/users/{id}/sessions", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 200, body = SessionsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn list_user_sessions(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ApiJson<SessionsResponse>> {
    let sessions = state.services.user_sessions(&admin, &UserId(id)).await?;
    let sessions = sessions
        .into_iter()
        .map(|s| SessionView::new(s, false))
        .collect();
    Ok(ApiJson(SessionsResponse { sessions }))
}

/// Sign a user out everywhere: every session ends and every remembered browser is forgotten
/// (its next sign-in asks for the second step again).
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 204, description = "every session ended, every remembered browser forgotten"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn end_user_sessions(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .end_user_sessions(&admin, &UserId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End one session of a user.
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions/{session_id}", tag = "administration", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "user id"),
        ("session_id" = String, Path, description = "session id"),
    ), responses(
    (status = 204, description = "ended"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found: no such user, or no such live session of theirs", body = ErrorBody),
))]
pub async fn end_user_session(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath((id, session_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .services
        .end_user_session(&admin, &UserId(id), &SessionId(session_id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
