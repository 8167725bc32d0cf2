//! Resources (data centres, snapshots): visible per group and, when protected, only in sessions
//! completed with a second factor.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{GroupId, Resource, ResourceId, ResourceKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct CreateResourceRequest {
    /// `datacenter` or `snapshot`.
    pub kind: String,
    pub name: String,
    /// Only people signed in with a second factor see it.
    pub requires_2fa: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateResourceRequest {
    pub name: Option<String>,
    pub requires_2fa: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ResourceView {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub requires_2fa: bool,
    /// Group ids the resource is granted to.
    pub groups: Vec<String>,
    pub created_at: String,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        ResourceView {
            id: r.id.0,
            kind: r.kind.as_str().to_owned(),
            name: r.name,
            requires_2fa: r.requires_2fa,
            groups: r.groups.into_iter().map(|g| g.0).collect(),
            created_at: rfc3339(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResourcesResponse {
    pub resources: Vec<ResourceView>,
}

/// Create a resource (protecting it needs a session signed in with a second factor).
#[utoipa::path(post, path = "/api/v1/resources", tag = "resources", security(("bearer" = [])), request_body = CreateResourceRequest, responses(
    (status = 201, body = ResourceView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn create_resource(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<CreateResourceRequest>,
) -> ApiResult<(StatusCode, ApiJson<ResourceView>)> {
    let kind = ResourceKind::parse(&req.kind).ok_or_else(|| {
        ApiError::input(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "kind must be datacenter or snapshot",
        )
    })?;
    let r = state
        .services
        .create_resource(
            &admin,
            kind,
            &req.name,
            req.requires_2fa.unwrap_or(false),
            &meta,
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(r.into())))
}

/// The resources I may see and select.
#[utoipa::path(get, path = "/api/v1/resources", tag = "resources", security(("bearer" = [])), responses(
    (status = 200, body = ResourcesResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_resources(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<ResourcesResponse>> {
    let list = state.services.list_resources(&auth).await?;
    Ok(ApiJson(ResourcesResponse {
        resources: list.into_iter().map(ResourceView::from).collect(),
    }))
}

/// One resource, if I may see it.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = String, Path, description = "resource id")), responses(
    (status = 200, body = ResourceView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found (also when hidden from me)", body = ErrorBody),
))]
pub async fn get_resource(
    State(state): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ApiJson<ResourceView>> {
    Ok(ApiJson(
        state
            .services
            .get_resource(&auth, &ResourceId(id))
            .await?
            .into(),
    ))
}

/// Rename a resource or change its 2FA protection.
#[utoipa::path(patch, path = "/api/v1/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = String, Path, description = "resource id")), request_body = UpdateResourceRequest, responses(
    (status = 200, body = ResourceView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn update_resource(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateResourceRequest>,
) -> ApiResult<ApiJson<ResourceView>> {
    let r = state
        .services
        .update_resource(
            &admin,
            &ResourceId(id),
            req.name.as_deref(),
            req.requires_2fa,
            &meta,
        )
        .await?;
    Ok(ApiJson(r.into()))
}

/// Delete a resource.
#[utoipa::path(delete, path = "/api/v1/resources/{id}", tag = "resources", security(("bearer" = [])),
    params(("id" = String, Path, description = "resource id")), responses(
    (status = 204, description = "deleted"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn delete_resource(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_resource(&admin, &ResourceId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grant a resource to a group.
#[utoipa::path(put, path = "/api/v1/resources/{id}/grants/{group_id}", tag = "resources", security(("bearer" = [])),
    params(("id" = String, Path, description = "resource id"), ("group_id" = String, Path, description = "group id")), responses(
    (status = 204, description = "granted"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn grant(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath((id, group)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .services
        .set_grant(&admin, &ResourceId(id), &GroupId(group), true, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw a resource from a group.
#[utoipa::path(delete, path = "/api/v1/resources/{id}/grants/{group_id}", tag = "resources", security(("bearer" = [])),
    params(("id" = String, Path, description = "resource id"), ("group_id" = String, Path, description = "group id")), responses(
    (status = 204, description = "withdrawn"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath((id, group)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .services
        .set_grant(&admin, &ResourceId(id), &GroupId(group), false, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
