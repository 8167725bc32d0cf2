//! Groups of my contract and their members.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{Group, GroupId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath};
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct CreateGroupRequest {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    /// User ids.
    pub members: Vec<String>,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        GroupView {
            id: g.id.0,
            name: g.name,
            members: g.members.into_iter().map(|m| m.0).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupsResponse {
    pub groups: Vec<GroupView>,
}

/// Create a group.
#[utoipa::path(post, path = "/api/v1/groups", tag = "administration", security(("bearer" = [])), request_body = CreateGroupRequest, responses(
    (status = 201, body = GroupView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 409, description = "conflict: the name is taken", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn create_group(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<CreateGroupRequest>,
) -> ApiResult<(StatusCode, ApiJson<GroupView>)> {
    let g = state
        .services
        .create_group(&admin, &req.name, &meta)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(g.into())))
}

/// The groups of my contract.
#[utoipa::path(get, path = "/api/v1/groups", tag = "administration", security(("bearer" = [])), responses(
    (status = 200, body = GroupsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn list_groups(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<GroupsResponse>> {
    let groups = state.services.list_groups(&admin).await?;
    Ok(ApiJson(GroupsResponse {
        groups: groups.into_iter().map(GroupView::from).collect(),
    }))
}

/// Add a user to a group.
#[utoipa::path(put, path = "/api/v1/groups/{id}/members/{user_id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "group id"), ("user_id" = String, Path, description = "user id")), responses(
    (status = 204, description = "member"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn add_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath((id, user)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .services
        .add_group_member(&admin, &GroupId(id), &UserId(user), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a user from a group.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{user_id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "group id"), ("user_id" = String, Path, description = "user id")), responses(
    (status = 204, description = "removed"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn remove_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath((id, user)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .services
        .remove_group_member(&admin, &GroupId(id), &UserId(user), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
