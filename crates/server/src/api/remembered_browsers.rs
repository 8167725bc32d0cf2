//! `GET /api/v1/me/remembered-browsers` and `DELETE /api/v1/me/remembered-browsers/{id}`: the
//! browsers that skip the second step by signing a challenge with their own key. Remembering one
//! is the sign-in page's; listing and forgetting are the services'.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{RememberedBrowser, RememberedBrowserId};
use portcullis_core::user_agent;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct RememberedBrowserView {
    pub id: String,
    /// The user agent in words, versions ignored: "Firefox on Linux".
    pub device: String,
    /// The user agent it was remembered with (or last used with), as sent.
    pub user_agent: Option<String>,
    /// The address it was remembered from, or last used from.
    pub address: Option<String>,
    pub created_at: String,
    /// When it last stood in for the second step; null if never.
    pub last_used_at: Option<String>,
    /// After this it asks for the second step again.
    pub expires_at: String,
}

impl RememberedBrowserView {
    fn new(b: RememberedBrowser) -> RememberedBrowserView {
        RememberedBrowserView {
            id: b.id.0,
            device: user_agent::family(b.user_agent.as_deref()).describe(),
            user_agent: b.user_agent,
            address: b.ip,
            created_at: rfc3339(b.created_at),
            last_used_at: b.last_used_at.map(rfc3339),
            expires_at: rfc3339(b.expires_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RememberedBrowsersResponse {
    pub browsers: Vec<RememberedBrowserView>,
}

/// My remembered browsers that have not reached their date, newest first.
#[utoipa::path(get, path = "/api/v1/me/remembered-browsers", tag = "sessions", security(("bearer" = [])), responses(
    (status = 200, body = RememberedBrowsersResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_remembered_browsers(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<RememberedBrowsersResponse>> {
    let browsers = state.services.remembered_browsers(&auth).await?;
    let browsers = browsers
        .into_iter()
        .map(RememberedBrowserView::new)
        .collect();
    Ok(ApiJson(RememberedBrowsersResponse { browsers }))
}

/// Forget one of my remembered browsers: its next sign-in asks for the second step again.
/// Another person's browser answers 404.
#[utoipa::path(delete, path = "/api/v1/me/remembered-browsers/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, description = "remembered browser id")), responses(
    (status = 204, description = "forgotten"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn forget_remembered_browser(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .forget_remembered_browser(&auth, &RememberedBrowserId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
