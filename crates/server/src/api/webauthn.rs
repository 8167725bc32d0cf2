//! Passkeys and security keys on the person's own account (`/api/v1/me/webauthn/…`): adding
//! one in two calls (options for `navigator.credentials.create()`, then its answer), the list,
//! renaming, and removing one with the current password. Binary fields are in the WebAuthn
//! Level 3 JSON encoding (base64url without padding), as `PublicKeyCredential.toJSON()` and
//! `PublicKeyCredential.parseCreationOptionsFromJSON()` use them.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::WebauthnCredential;
use portcullis_core::secret::Token;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, Auth};
use super::totp::PasswordConfirmation;
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

/// The first half of a ceremony.
#[derive(Serialize, ToSchema)]
pub struct CeremonyResponse {
    /// Send back with the answer; valid for 5 minutes, once.
    pub ceremony: String,
    /// The options for `navigator.credentials.create()` or `get()`, in the WebAuthn Level 3
    /// JSON form (`PublicKeyCredential.parseCreationOptionsFromJSON()` /
    /// `parseRequestOptionsFromJSON()`).
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: Value,
}

impl From<portcullis_core::service::CeremonyStart> for CeremonyResponse {
    fn from(s: portcullis_core::service::CeremonyStart) -> Self {
        CeremonyResponse {
            ceremony: s.ceremony.expose().to_owned(),
            public_key: s.public_key,
        }
    }
}

/// A registered passkey or security key.
#[derive(Serialize, ToSchema)]
pub struct CredentialView {
    pub id: String,
    #[schema(example = "YubiKey 5")]
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Registered with user verification (a PIN or biometrics): it can sign in without a
    /// password. A key without it is only a second step.
    pub passkey: bool,
}

impl From<WebauthnCredential> for CredentialView {
    fn from(c: WebauthnCredential) -> Self {
        CredentialView {
            id: c.id.0,
            name: c.name,
            created_at: rfc3339(c.created_at),
            last_used_at: c.last_used_at.map(rfc3339),
            passkey: c.passkey,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredResponse {
    #[serde(flatten)]
    pub credential: CredentialView,
    /// Present only when this key is the account's first factor: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct CredentialList {
    pub credentials: Vec<CredentialView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishRegistrationRequest {
    pub ceremony: String,
    #[schema(example = "YubiKey 5")]
    pub name: String,
    /// `PublicKeyCredential.toJSON()` of what `navigator.credentials.create()` returned.
    #[schema(value_type = Object)]
    pub credential: Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyRequest {}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    #[schema(example = "MacBook Touch ID")]
    pub name: String,
}

/// Start adding a passkey or security key: options for `navigator.credentials.create()`.
#[utoipa::path(post, path = "/api/v1/me/webauthn/registrations/start", tag = "two-factor",
    security(("bearer" = [])), request_body = EmptyRequest, responses(
    (status = 200, body = CeremonyResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn start_registration(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(_empty): ApiJson<EmptyRequest>,
) -> ApiResult<ApiJson<CeremonyResponse>> {
    let start = state
        .services
        .start_webauthn_registration(&auth, &meta)
        .await?;
    Ok(ApiJson(start.into()))
}

/// Finish adding a key with the authenticator's answer. As the account's first factor it
/// switches 2FA on: the answer carries new recovery codes, and every other session ends.
#[utoipa::path(post, path = "/api/v1/me/webauthn/registrations/finish", tag = "two-factor",
    security(("bearer" = [])), request_body = FinishRegistrationRequest, responses(
    (status = 201, body = RegisteredResponse),
    (status = 400, description = "invalid_ceremony (unknown, used or expired) or invalid_webauthn_response (the answer did not verify: wrong challenge or origin, malformed data)", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 409, description = "credential_exists (this authenticator is already registered) or phone_not_verified", body = ErrorBody),
    (status = 422, description = "validation_failed (the name)", body = ErrorBody),
))]
pub async fn finish_registration(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<FinishRegistrationRequest>,
) -> ApiResult<(StatusCode, ApiJson<RegisteredResponse>)> {
    let ceremony = Token::from_client(&req.ceremony);
    let registered = state
        .services
        .finish_webauthn_registration(&auth, &ceremony, &req.name, &req.credential, &meta)
        .await?;
    let codes = &registered.recovery_codes;
    let recovery_codes = (!codes.is_empty()).then(|| codes.iter().map(|c| c.display()).collect());
    Ok((
        StatusCode::CREATED,
        ApiJson(RegisteredResponse {
            credential: registered.credential.clone().into(),
            recovery_codes,
        }),
    ))
}

/// My passkeys and security keys, oldest first.
#[utoipa::path(get, path = "/api/v1/me/webauthn/credentials", tag = "two-factor",
    security(("bearer" = [])), responses(
    (status = 200, body = CredentialList),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_credentials(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<CredentialList>> {
    let credentials = state.services.webauthn_credentials(&auth).await?;
    Ok(ApiJson(CredentialList {
        credentials: credentials.into_iter().map(Into::into).collect(),
    }))
}

/// Rename one of my keys.
#[utoipa::path(patch, path = "/api/v1/me/webauthn/credentials/{id}", tag = "two-factor",
    security(("bearer" = [])), request_body = RenameRequest,
    params(("id" = String, Path, description = "the key's id")), responses(
    (status = 200, body = CredentialView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found (also another person's key)", body = ErrorBody),
    (status = 422, description = "validation_failed (the name)", body = ErrorBody),
))]
pub async fn rename_credential(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RenameRequest>,
) -> ApiResult<ApiJson<CredentialView>> {
    let renamed = state
        .services
        .rename_webauthn_credential(&auth, &id, &req.name, &meta)
        .await?;
    Ok(ApiJson(renamed.into()))
}

/// Remove one of my keys (the current password is required). With the last factor gone, the
/// recovery codes go too and the other sessions end.
#[utoipa::path(delete, path = "/api/v1/me/webauthn/credentials/{id}", tag = "two-factor",
    security(("bearer" = [])), request_body = PasswordConfirmation,
    params(("id" = String, Path, description = "the key's id")), responses(
    (status = 204, description = "removed"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password, or two_factor_enforced (the last factor of a person whose 2FA is required)", body = ErrorBody),
    (status = 404, description = "not_found (also another person's key)", body = ErrorBody),
    (status = 422, description = "validation_failed (no password)", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn delete_credential(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PasswordConfirmation>,
) -> ApiResult<StatusCode> {
    state
        .services
        .remove_webauthn_credential(&auth, &id, &req.password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
