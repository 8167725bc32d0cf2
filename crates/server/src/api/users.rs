//! The user manager: users of the caller's contract, forced 2FA, roles,
//! admin reset of 2FA. Only the `Admin` extractor reaches these handlers.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{Role, UserId};
use portcullis_core::password::Password;
use portcullis_core::service::{ContractPolicyChange, ManagedUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

fn parse_role(s: &str) -> Result<Role, ApiError> {
    match Role::parse(s) {
        Some(r @ (Role::User | Role::Administrator)) => Ok(r),
        _ => Err(ApiError::input(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "role must be user or administrator",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUserRequest {
    pub email: String,
    /// Without a password, an invitation with a set-password link is sent.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<Password>,
    /// `user` (default) or `administrator` (owner only).
    pub role: Option<String>,
    /// "Force 2-Factor Auth": the setup wizard runs at the next login.
    pub force_2fa: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub id: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserTwoFactor {
    pub enabled: bool,
    pub methods: Vec<String>,
    pub forced: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub role: String,
    pub two_factor: UserTwoFactor,
    pub last_login_at: Option<String>,
    /// When "this wasn't me" locked the account; `null` when it is not locked.
    pub locked_at: Option<String>,
}

impl From<ManagedUser> for UserView {
    fn from(m: ManagedUser) -> Self {
        UserView {
            id: m.user.id.0.clone(),
            email: m.user.email.to_string(),
            role: m.user.role.as_str().to_owned(),
            two_factor: UserTwoFactor {
                enabled: m.two_factor.enabled,
                methods: m
                    .two_factor
                    .methods
                    .iter()
                    .map(|x| x.as_str().to_owned())
                    .collect(),
                forced: m.two_factor.forced,
            },
            last_login_at: m.user.last_login_at.map(rfc3339),
            locked_at: m.user.locked_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UsersResponse {
    pub users: Vec<UserView>,
}

/// Create a user in my contract.
#[utoipa::path(post, path = "/api/v1/users", tag = "administration", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, body = CreatedUser),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden (plain users; administrators creating administrators)", body = ErrorBody),
    (status = 409, description = "email_taken", body = ErrorBody),
    (status = 422, description = "weak_password, invalid_email, validation_failed or invalid_body", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn create_user(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedUser>)> {
    let role = req
        .role
        .as_deref()
        .map(parse_role)
        .transpose()?
        .unwrap_or(Role::User);
    let id = state
        .services
        .create_user(
            &admin,
            &req.email,
            req.password.as_ref(),
            role,
            req.force_2fa.unwrap_or(false),
            &meta,
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedUser { id: id.0 })))
}

/// The users of my contract.
#[utoipa::path(get, path = "/api/v1/users", tag = "administration", security(("bearer" = [])), responses(
    (status = 200, body = UsersResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn list_users(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<UsersResponse>> {
    let users = state.services.list_users(&admin).await?;
    Ok(ApiJson(UsersResponse {
        users: users.into_iter().map(UserView::from).collect(),
    }))
}

/// One user of my contract.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 200, body = UserView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found (also for other contracts' users)", body = ErrorBody),
))]
pub async fn get_user(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ApiJson<UserView>> {
    Ok(ApiJson(
        state.services.get_user(&admin, &UserId(id)).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    pub force_2fa: Option<bool>,
    /// `user` or `administrator` (owner only).
    pub role: Option<String>,
}

/// Force 2FA on a user or change their role; effective with their next login.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), request_body = UpdateUserRequest, responses(
    (status = 200, body = UserView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn update_user(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<ApiJson<UserView>> {
    let role = req.role.as_deref().map(parse_role).transpose()?;
    let id = UserId(id);
    state
        .services
        .update_user(&admin, &id, req.force_2fa, role, &meta)
        .await?;
    Ok(ApiJson(state.services.get_user(&admin, &id).await?.into()))
}

/// Delete a user of my contract.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 204, description = "deleted"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn delete_user(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_user(&admin, &UserId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove every factor and recovery code of a user and end their sessions.
#[utoipa::path(delete, path = "/api/v1/users/{id}/two-factor", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 204, description = "reset; the user is notified"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn reset_two_factor(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .reset_two_factor(&admin, &UserId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlock an account that "this wasn't me" locked; the person signs in again as usual.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "administration", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), responses(
    (status = 204, description = "unlocked (or was not locked)"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn unlock_user(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .unlock_user(&admin, &UserId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ContractPolicy {
    /// Every user of the contract must use 2FA; only the owner may turn it off.
    pub require_2fa: bool,
    /// Only a passkey or security key completes a sign-in (recovery codes still work, once
    /// each); codes from an authenticator app and push approvals do not. Owner only.
    pub require_phishing_resistant: bool,
    /// How many days a browser may skip the second step once its owner ticked "Don't ask for a
    /// code on this browser" (0–90; 0: the option is not offered). "Phishing-resistant only"
    /// never remembers a browser, whatever this says.
    pub remember_browser_days: u32,
    /// Email the account holder about a sign-in from a browser or network not seen before.
    pub new_sign_in_notice: bool,
}

impl From<portcullis_core::model::Contract> for ContractPolicy {
    fn from(c: portcullis_core::model::Contract) -> Self {
        ContractPolicy {
            require_2fa: c.require_2fa,
            require_phishing_resistant: c.require_phishing_resistant,
            remember_browser_days: c.remember_browser_days,
            new_sign_in_notice: c.new_sign_in_notice,
        }
    }
}

/// A change of my contract's policies: a setting left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractPolicyPatch {
    /// Require 2FA of every user (owner or administrator); stop requiring it (owner only).
    pub require_2fa: Option<bool>,
    /// Accept only a passkey or security key as the second step (owner only, either way).
    pub require_phishing_resistant: Option<bool>,
    /// Days a browser may be remembered, 0–90 (owner or administrator); 0 stops offering it.
    #[schema(minimum = 0, maximum = 90)]
    pub remember_browser_days: Option<u32>,
    /// Tell people of sign-ins from a new browser or network (owner or administrator).
    pub new_sign_in_notice: Option<bool>,
}

/// My contract's 2FA policy and sign-in settings.
#[utoipa::path(get, path = "/api/v1/contract", tag = "administration", security(("bearer" = [])), responses(
    (status = 200, body = ContractPolicy),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn get_contract(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<ContractPolicy>> {
    let c = state.services.contract_policy(&admin).await?;
    Ok(ApiJson(c.into()))
}

/// Require 2FA of everyone in my contract (owner or administrator), or stop (owner only);
/// require a phishing-resistant factor (a passkey or security key), or stop (owner only); how
/// many days browsers may be remembered and whether new sign-ins are told (owner or
/// administrator).
#[utoipa::path(patch, path = "/api/v1/contract", tag = "administration", security(("bearer" = [])), request_body = ContractPolicyPatch, responses(
    (status = 200, body = ContractPolicy),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden (only the owner clears \"require 2FA\" or changes \"phishing-resistant only\")", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
))]
pub async fn patch_contract(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<ContractPolicyPatch>,
) -> ApiResult<ApiJson<ContractPolicy>> {
    let change = ContractPolicyChange {
        require_2fa: req.require_2fa,
        require_phishing_resistant: req.require_phishing_resistant,
        remember_browser_days: req.remember_browser_days,
        new_sign_in_notice: req.new_sign_in_notice,
    };
    let c = state
        .services
        .set_contract_policy(&admin, change, &meta)
        .await?;
    Ok(ApiJson(c.into()))
}
