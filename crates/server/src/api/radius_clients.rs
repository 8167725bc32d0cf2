//! `/api/v1/radius-clients`: the RADIUS clients (network access servers: VPN concentrators,
//! Wi-Fi controllers, `pam_radius`) of my contract, for its owner and administrators. A client's
//! shared secret appears in the answer to `POST` only; it is kept sealed (the listener needs it
//! to sign every packet) and never returned again. Running servers pick up a change within
//! seconds.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::radius::{RadiusClient, RadiusMode};
use portcullis_core::service::radius::NewRadiusClient;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiPath};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRadiusClientRequest {
    /// Unique on this deployment; 1 to 64 characters.
    #[schema(example = "office-vpn")]
    pub name: String,
    /// Where its requests come from: an IPv4 or IPv6 address or CIDR block.
    #[schema(example = "192.0.2.0/24")]
    pub address: String,
    /// How people answer at it: `password+code` (the default), `challenge`, `push` or
    /// `code-only`.
    #[schema(example = "challenge")]
    pub mode: Option<String>,
    /// How long a push request waits for approval (mode `push`), 1 to 600 seconds; default 25.
    pub push_timeout_secs: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct RadiusClientResponse {
    pub name: String,
    /// The CIDR block its requests come from, host bits cleared (`10.0.0.0/8`).
    #[schema(example = "192.0.2.0/24")]
    pub address: String,
    /// `password+code`, `challenge`, `push` or `code-only`.
    pub mode: String,
    pub push_timeout_secs: u32,
    pub created_at: String,
}

impl From<RadiusClient> for RadiusClientResponse {
    fn from(c: RadiusClient) -> Self {
        RadiusClientResponse {
            name: c.name,
            address: c.network.to_string(),
            mode: c.mode.as_str().to_owned(),
            push_timeout_secs: c.push_timeout_secs,
            created_at: rfc3339(c.created_at),
        }
    }
}

/// A client just added, with its shared secret: shown this once.
#[derive(Serialize, ToSchema)]
pub struct AddedRadiusClientResponse {
    #[serde(flatten)]
    pub client: RadiusClientResponse,
    /// The shared secret to enter on the NAS (32 letters and digits). Shown only in this answer.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct RadiusClientsResponse {
    pub clients: Vec<RadiusClientResponse>,
}

/// Add a RADIUS client; its shared secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/radius-clients", tag = "radius", security(("bearer" = [])), request_body = AddRadiusClientRequest, responses(
    (status = 201, body = AddedRadiusClientResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden: only the owner and administrators", body = ErrorBody),
    (status = 409, description = "conflict: a RADIUS client with this name exists", body = ErrorBody),
    (status = 422, description = "validation_failed (name, address, mode, push_timeout_secs) or invalid_body", body = ErrorBody),
))]
pub async fn add_client(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiJson(req): ApiJson<AddRadiusClientRequest>,
) -> ApiResult<(StatusCode, ApiJson<AddedRadiusClientResponse>)> {
    let mode = match req.mode.as_deref() {
        Some(name) => RadiusMode::parse(name)?,
        None => RadiusMode::PasswordAndCode,
    };
    let new = NewRadiusClient {
        name: req.name,
        address: req.address,
        mode,
        push_timeout_secs: req.push_timeout_secs,
    };
    let (client, secret) = state
        .services
        .add_radius_client(
            &admin,
            &new,
            portcullis_core::service::Reveal::InAnswer,
            &meta,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(AddedRadiusClientResponse {
            client: client.into(),
            secret: secret.expose().to_owned(),
        }),
    ))
}

/// The RADIUS clients of my contract, by name (never their secrets).
#[utoipa::path(get, path = "/api/v1/radius-clients", tag = "radius", security(("bearer" = [])), responses(
    (status = 200, body = RadiusClientsResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
))]
pub async fn list_clients(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
) -> ApiResult<ApiJson<RadiusClientsResponse>> {
    let clients = state.services.list_radius_clients(&admin).await?;
    Ok(ApiJson(RadiusClientsResponse {
        clients: clients.into_iter().map(Into::into).collect(),
    }))
}

/// Remove a RADIUS client: running servers drop its requests within seconds.
#[utoipa::path(delete, path = "/api/v1/radius-clients/{name}", tag = "radius", security(("bearer" = [])),
    params(("name" = String, Path, description = "the client's name")), responses(
    (status = 204, description = "removed"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden", body = ErrorBody),
    (status = 404, description = "not_found (also another contract's client)", body = ErrorBody),
))]
pub async fn remove_client(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Admin(admin, _): Admin,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state
        .services
        .remove_radius_client(&admin, &name, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
