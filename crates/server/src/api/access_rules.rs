//! Access rules of my contract for applications behind forward authentication (owner and
//! administrators): `GET/POST /api/v1/access-rules`, `DELETE /api/v1/access-rules/{id}`.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::access::AccessPolicy;
use portcullis_core::model::AccessRuleId;
use portcullis_core::service::{NamedAccessRule, NewAccessRule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath};
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessRuleRequest {
    /// `app.example.com`, or `app.example.com:8443` for one port only; compared in lower case.
    pub host: String,
    /// `/admin` covers `/admin` and everything under it; default `/`.
    pub path_prefix: Option<String>,
    /// `public`, `signed-in` or `two-factor`.
    pub policy: String,
    /// Names of groups of my contract; only their members may enter. Empty or absent: everyone
    /// of my contract.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccessRuleView {
    pub id: String,
    pub host: String,
    pub path_prefix: String,
    pub policy: String,
    /// Group names.
    pub groups: Vec<String>,
}

impl From<NamedAccessRule> for AccessRuleView {
    fn from(r: NamedAccessRule) -> Self {
        AccessRuleView {
            id: r.rule.id.0,
            host: r.rule.host,
            path_prefix: r.rule.path_prefix,
            policy: r.rule.policy.as_str().to_owned(),
            groups: r.group_names,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessRulesResponse {
    pub access_rules: Vec<AccessRuleView>,
}

/// Add an access rule: who may open a host (and path prefix) behind forward authentication.
#[utoipa::path(post, path = "/api/v1/access-rules", tag = "administration", security(("bearer" = [])), request_body = CreateAccessRuleRequest, responses(
    (status = 201, body = AccessRuleView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 409, description = "conflict: the host and prefix have a rule, or another contract holds the host", body = ErrorBody),
    (status = 422, description = "validation_failed (host, path_prefix, policy, an unknown group) or invalid_body", body = ErrorBody),
))]
pub async fn create_access_rule(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<CreateAccessRuleRequest>,
) -> ApiResult<(StatusCode, ApiJson<AccessRuleView>)> {
    let policy = AccessPolicy::parse(&req.policy).ok_or_else(|| {
        ApiError::input(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "policy must be public, signed-in or two-factor",
        )
    })?;
    let new = NewAccessRule {
        host: &req.host,
        path_prefix: req.path_prefix.as_deref(),
        policy,
        groups: &req.groups,
    };
    let rule = state
        .services
        .create_access_rule(&admin, new, &meta)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(rule.into())))
}

/// The access rules of my contract.
#[utoipa::path(get, path = "/api/v1/access-rules", tag = "administration", security(("bearer" = [])), responses(
    (status = 200, body = AccessRulesResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn list_access_rules(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<AccessRulesResponse>> {
    let rules = state.services.list_access_rules(&admin).await?;
    Ok(ApiJson(AccessRulesResponse {
        access_rules: rules.into_iter().map(AccessRuleView::from).collect(),
    }))
}

/// Remove an access rule; its URLs are refused from the next request on.
#[utoipa::path(delete, path = "/api/v1/access-rules/{id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "access rule id")), responses(
    (status = 204, description = "removed"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found (also another contract's rule)", body = ErrorBody),
))]
pub async fn remove_access_rule(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .remove_access_rule(&admin, &AccessRuleId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
