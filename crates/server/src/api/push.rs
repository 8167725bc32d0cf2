//! Push approval for people (docs/push-protocol.md): pairing a companion app and managing the
//! paired devices under `/api/v1/me/push-devices`, and the login's push step under
//! `/api/v1/login/push` (send, send again, long-poll the answer). The device's own signed
//! requests are in `push_device.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::{PushChallengeId, SessionKind};
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use portcullis_core::service::PushStatus;
use portcullis_core::service::Reveal;
use portcullis_core::store::PushDevice;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use super::totp::PasswordConfirmation;
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::push_wake;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct StartPairingRequest {
    /// What to call the device (1 to 64 characters); without it, the app's own name is kept.
    #[serde(default)]
    pub name: Option<String>,
    /// The current password: a paired device approves every sign-in, so an open session alone
    /// may not add one.
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

#[derive(Serialize, ToSchema)]
pub struct PairingResponse {
    /// `portcullis://pair?v=1&server=…&code=…&account=…&issuer=…`, single use, 10 minutes.
    pub pairing_uri: String,
    /// The same URI as an SVG QR code.
    pub qr_svg: String,
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
}

impl From<PushDevice> for DeviceView {
    fn from(d: PushDevice) -> Self {
        DeviceView {
            id: d.id.0,
            name: d.name,
            created_at: rfc3339(d.created_at),
            last_seen_at: d.last_seen_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DevicesResponse {
    /// Oldest first.
    pub devices: Vec<DeviceView>,
}

#[derive(Deserialize, ToSchema)]
pub struct RenameDeviceRequest {
    pub name: String,
}

/// Start pairing a companion app: a single-use pairing URI and its QR code.
#[utoipa::path(post, path = "/api/v1/me/push-devices", tag = "push", security(("bearer" = [])),
    request_body = StartPairingRequest, responses(
    (status = 201, body = PairingResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password: the current password is wrong (counted against the account)", body = ErrorBody),
    (status = 422, description = "validation_failed (name, or password empty) or invalid_body (password missing)", body = ErrorBody),
    (status = 429, description = "too_many_attempts: too many wrong passwords; see Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn start_pairing(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<StartPairingRequest>,
) -> ApiResult<(StatusCode, ApiJson<PairingResponse>)> {
    let pairing = state
        .services
        .start_push_pairing(
            &auth,
            req.name.as_deref(),
            &req.password,
            Reveal::InAnswer,
            &meta,
        )
        .await?;
    let qr_svg = crate::qr::svg(&pairing.uri)
        .map_err(|_| portcullis_core::Error::internal_msg("pairing URI too long for a QR code"))?;
    Ok((
        StatusCode::CREATED,
        ApiJson(PairingResponse {
            pairing_uri: pairing.uri,
            qr_svg,
            expires_at: rfc3339(pairing.expires_at),
        }),
    ))
}

/// My paired companion apps.
#[utoipa::path(get, path = "/api/v1/me/push-devices", tag = "push", security(("bearer" = [])), responses(
    (status = 200, body = DevicesResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn list_devices(
    State(state): State<AppState>,
    Auth(auth): Auth,
) -> ApiResult<ApiJson<DevicesResponse>> {
    let devices = state.services.push_devices(&auth).await?;
    Ok(ApiJson(DevicesResponse {
        devices: devices.into_iter().map(DeviceView::from).collect(),
    }))
}

/// Rename one of my companion apps.
#[utoipa::path(patch, path = "/api/v1/me/push-devices/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = String, Path, description = "device id")), request_body = RenameDeviceRequest, responses(
    (status = 200, body = DeviceView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 404, description = "not_found (also another person's device)", body = ErrorBody),
    (status = 422, description = "validation_failed", body = ErrorBody),
))]
pub async fn rename_device(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RenameDeviceRequest>,
) -> ApiResult<ApiJson<DeviceView>> {
    let device = state
        .services
        .rename_push_device(&auth, &id, &req.name, &meta)
        .await?;
    Ok(ApiJson(device.into()))
}

/// Remove one of my companion apps, with the current password; it can no longer approve sign-ins.
#[utoipa::path(delete, path = "/api/v1/me/push-devices/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = String, Path, description = "device id")), request_body = PasswordConfirmation, responses(
    (status = 204, description = "removed"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password (the current password is wrong, counted against the account) or two_factor_enforced (the last factor of a person whose 2FA is forced)", body = ErrorBody),
    (status = 404, description = "not_found (also another person's device)", body = ErrorBody),
    (status = 422, description = "validation_failed (password empty) or invalid_body (password missing)", body = ErrorBody),
    (status = 429, description = "too_many_attempts: too many wrong passwords; see Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn remove_device(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PasswordConfirmation>,
) -> ApiResult<StatusCode> {
    state
        .services
        .remove_push_device(&auth, &id, &req.password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct SendPushRequest {
    pub login_ticket: String,
}

#[derive(Serialize, ToSchema)]
pub struct SendPushResponse {
    pub challenge_id: String,
    /// Show it on the login screen: the person types it into the app (10–99).
    pub number: i64,
    pub expires_at: String,
}

/// Send a sign-in request to my companion apps, or send it again.
#[utoipa::path(post, path = "/api/v1/login/push", tag = "sessions", request_body = SendPushRequest, responses(
    (status = 202, body = SendPushResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 409, description = "conflict: no companion app is paired", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts (send again at most every 10 s) or push_paused, with Retry-After", body = ErrorBody),
))]
pub async fn send_push(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SendPushRequest>,
) -> ApiResult<(StatusCode, ApiJson<SendPushResponse>)> {
    let ticket = Token::from_client(&req.login_ticket);
    let sent = push_wake::send_push(&state, &ticket, &meta).await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(SendPushResponse {
            challenge_id: sent.challenge_id.0,
            number: sent.number,
            expires_at: rfc3339(sent.expires_at),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct PushPollQuery {
    pub login_ticket: String,
    /// Seconds to wait for an answer: default 25, at most 60, 0 answers at once.
    pub wait: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct PushPollResponse {
    /// `pending`, `approved`, `denied`, `expired` or `superseded` (a newer request of the
    /// account, or a code for this login, ended it: it can no longer be approved).
    pub status: &'static str,
    /// With the first `approved` only: send as `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Wait for the answer to a sign-in request (long-poll).
#[utoipa::path(get, path = "/api/v1/login/push/{challenge_id}", tag = "sessions",
    params(("challenge_id" = String, Path, description = "from POST /api/v1/login/push"), PushPollQuery), responses(
    (status = 200, body = PushPollResponse),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 422, description = "invalid_query", body = ErrorBody),
))]
pub async fn poll_push(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(challenge_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PushPollQuery>,
) -> ApiResult<ApiJson<PushPollResponse>> {
    let ticket = Token::from_client(&q.login_ticket);
    let status = push_wake::wait_for_status(
        &state,
        &PushChallengeId(challenge_id),
        &ticket,
        SessionKind::Api,
        &meta,
        push_wake::wait_secs(q.wait),
    )
    .await
    .map_err(ApiError::from)?;
    let (status, token) = match status {
        PushStatus::Pending => ("pending", None),
        PushStatus::Approved { token, .. } => ("approved", token.map(|t| t.expose().to_owned())),
        PushStatus::Denied => ("denied", None),
        PushStatus::Expired => ("expired", None),
        PushStatus::Superseded => ("superseded", None),
    };
    Ok(ApiJson(PushPollResponse { status, token }))
}
