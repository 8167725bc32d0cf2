//! `/api/v1/oidc/clients`: the OpenID Connect clients (relying parties) of my contract, for its
//! owner and administrators. A confidential client's secret appears in the answer to `POST`
//! (creation) and to `POST …/secret` (a new one) only; it is stored hashed and never returned
//! again.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::oidc::jose::Alg;
use portcullis_core::secret::Token;
use portcullis_core::service::Reveal;
use portcullis_core::service::oidc::{
    NewOidcClient, OidcClientChange, OidcClientView, parse_id_token_alg,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOidcClientRequest {
    /// Shown on the consent screen ("Grafana").
    pub name: String,
    /// Exact URIs codes may be sent to: `https://`, or `http://` to localhost, 127.0.0.1 or [::1].
    pub redirect_uris: Vec<String>,
    /// A single-page or native app: no secret, PKCE required.
    #[serde(default)]
    pub public: bool,
    /// Our own application: no consent screen.
    #[serde(default)]
    pub first_party: bool,
    /// Only sessions signed in with a second factor may sign in to it.
    #[serde(default)]
    pub require_2fa: bool,
    /// Names of the groups whose members may sign in; empty or absent: everyone of the contract.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The algorithm of its ID tokens: `RS256` (the default), `ES256` or `EdDSA`.
    #[schema(example = "ES256")]
    pub id_token_signed_response_alg: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOidcClientRequest {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub first_party: Option<bool>,
    pub require_2fa: Option<bool>,
    /// Replaces the groups; `[]`: everyone of the contract.
    pub groups: Option<Vec<String>>,
    /// `RS256`, `ES256` or `EdDSA`: the algorithm of its ID tokens from now on.
    #[schema(example = "EdDSA")]
    pub id_token_signed_response_alg: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OidcClientResponse {
    pub client_id: String,
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    pub require_2fa: bool,
    pub redirect_uris: Vec<String>,
    /// Names of the groups whose members may sign in; empty: everyone of the contract.
    pub groups: Vec<String>,
    /// The algorithm of its ID tokens: `RS256`, `ES256` or `EdDSA`.
    pub id_token_signed_response_alg: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OidcClientView> for OidcClientResponse {
    fn from(v: OidcClientView) -> Self {
        let c = v.client;
        OidcClientResponse {
            client_id: c.client_id,
            name: c.name,
            public: c.public,
            first_party: c.first_party,
            require_2fa: c.require_2fa,
            redirect_uris: c.redirect_uris,
            groups: v.group_names,
            id_token_signed_response_alg: c.id_token_signed_response_alg.as_str().to_owned(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A client just made, with its secret: shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedOidcClientResponse {
    #[serde(flatten)]
    pub client: OidcClientResponse,
    /// The secret of a confidential client (`null` for a public one). Shown only in this answer.
    pub client_secret: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OidcClientsResponse {
    pub clients: Vec<OidcClientResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct OidcClientSecretResponse {
    pub client_id: String,
    /// The new secret; the old one no longer works. Shown only in this answer.
    pub client_secret: String,
}

/// The requested ID token algorithm, if any; an unknown name is `validation_failed`.
fn alg(name: Option<&str>) -> ApiResult<Option<Alg>> {
    Ok(name.map(parse_id_token_alg).transpose()?)
}

/// Register an OpenID Connect client.
#[utoipa::path(post, path = "/api/v1/oidc/clients", tag = "oidc", security(("bearer" = [])), request_body = CreateOidcClientRequest, responses(
    (status = 201, body = CreatedOidcClientResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden: only the owner and administrators", body = ErrorBody),
    (status = 422, description = "validation_failed (name, redirect URIs, unknown group, id_token_signed_response_alg) or invalid_body", body = ErrorBody),
))]
pub async fn create_client(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<CreateOidcClientRequest>,
) -> ApiResult<(StatusCode, ApiJson<CreatedOidcClientResponse>)> {
    let new = NewOidcClient {
        name: req.name,
        redirect_uris: req.redirect_uris,
        public: req.public,
        first_party: req.first_party,
        require_2fa: req.require_2fa,
        groups: req.groups,
        id_token_alg: alg(req.id_token_signed_response_alg.as_deref())?,
    };
    let (view, secret) = state
        .services
        .create_oidc_client(&admin, &new, Reveal::InAnswer, &meta)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedOidcClientResponse {
            client: view.into(),
            client_secret: secret.as_ref().map(|s| s.expose().to_owned()),
        }),
    ))
}

/// The OpenID Connect clients of my contract.
#[utoipa::path(get, path = "/api/v1/oidc/clients", tag = "oidc", security(("bearer" = [])), responses(
    (status = 200, body = OidcClientsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn list_clients(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<OidcClientsResponse>> {
    let clients = state.services.list_oidc_clients(&admin).await?;
    Ok(ApiJson(OidcClientsResponse {
        clients: clients.into_iter().map(Into::into).collect(),
    }))
}

/// One client of my contract (never its secret).
#[utoipa::path(get, path = "/api/v1/oidc/clients/{client_id}", tag = "oidc", security(("bearer" = [])),
    params(("client_id" = String, Path, description = "the client's public id")), responses(
    (status = 200, body = OidcClientResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found (also another contract's client)", body = ErrorBody),
))]
pub async fn get_client(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<ApiJson<OidcClientResponse>> {
    let view = state.services.get_oidc_client(&admin, &client_id).await?;
    Ok(ApiJson(view.into()))
}

/// Change a client's name, redirect URIs, consent, 2FA requirement, groups or ID token algorithm.
#[utoipa::path(patch, path = "/api/v1/oidc/clients/{client_id}", tag = "oidc", security(("bearer" = [])),
    params(("client_id" = String, Path, description = "the client's public id")), request_body = UpdateOidcClientRequest, responses(
    (status = 200, body = OidcClientResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn update_client(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(client_id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateOidcClientRequest>,
) -> ApiResult<ApiJson<OidcClientResponse>> {
    let change = OidcClientChange {
        name: req.name,
        redirect_uris: req.redirect_uris,
        first_party: req.first_party,
        require_2fa: req.require_2fa,
        groups: req.groups,
        id_token_alg: alg(req.id_token_signed_response_alg.as_deref())?,
    };
    let view = state
        .services
        .update_oidc_client(&admin, &client_id, &change, &meta)
        .await?;
    Ok(ApiJson(view.into()))
}

/// Delete a client: it can no longer sign anyone in.
#[utoipa::path(delete, path = "/api/v1/oidc/clients/{client_id}", tag = "oidc", security(("bearer" = [])),
    params(("client_id" = String, Path, description = "the client's public id")), responses(
    (status = 204, description = "deleted"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
))]
pub async fn delete_client(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .delete_oidc_client(&admin, &client_id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give a confidential client a new secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/oidc/clients/{client_id}/secret", tag = "oidc", security(("bearer" = [])),
    params(("client_id" = String, Path, description = "the client's public id")), responses(
    (status = 200, body = OidcClientSecretResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
    (status = 409, description = "conflict: a public client has no secret", body = ErrorBody),
))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<ApiJson<OidcClientSecretResponse>> {
    let (client, secret) = state
        .services
        .rotate_oidc_client_secret(&admin, &client_id, Reveal::InAnswer, &meta)
        .await?;
    Ok(ApiJson(OidcClientSecretResponse {
        client_id: client.client_id,
        client_secret: Token::expose(&secret).to_owned(),
    }))
}
