//! The companion app's endpoints (docs/push-protocol.md): pairing with a code, then requests
//! signed by the device key: the pending challenges (a long-poll), answering one, the webhook.
//!
//! [`SignedDevice`] reads the raw body and the path and query exactly as sent, so the signature
//! covers the very bytes the handler then parses; whatever fails (headers, device, signature,
//! time, nonce) answers the same 401 `invalid_signature`.

use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Request, State};
use axum::http::StatusCode;
use portcullis_core::Error;
use portcullis_core::model::PushChallengeId;
use portcullis_core::push::{ChallengeStatus, Decision};
use portcullis_core::secret::Token;
use portcullis_core::service::{DeviceChallenge, DeviceRequest, VerifiedDevice};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::push_wake;
use crate::state::AppState;

/// A request whose device signature was verified, with its raw body.
pub struct SignedDevice {
    pub device: VerifiedDevice,
    pub body: Bytes,
}

impl SignedDevice {
    /// The body as JSON, with the API's usual 400/422 answers.
    fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        Ok(axum::Json::<T>::from_bytes(&self.body)?.0)
    }
}

impl FromRequest<AppState> for SignedDevice {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (Some(device_id), Some(timestamp), Some(nonce), Some(signature)) = (
            header("x-portcullis-device"),
            header("x-portcullis-timestamp"),
            header("x-portcullis-nonce"),
            header("x-portcullis-signature"),
        ) else {
            return Err(Error::InvalidSignature.into());
        };
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| uri.path().to_owned());
        let body = axum::body::to_bytes(body, crate::http::limits::BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::input(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the body is larger than 64 KiB",
                )
            })?;
        let device = state
            .services
            .verify_device_request(&DeviceRequest {
                device_id: &device_id,
                timestamp: &timestamp,
                nonce: &nonce,
                signature: &signature,
                method: parts.method.as_str(),
                path_and_query: &path_and_query,
                body: &body,
            })
            .await?;
        Ok(SignedDevice { device, body })
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PairRequest {
    /// The `code` of the pairing URI.
    pub code: String,
    /// The device's Ed25519 public key: 32 bytes, base64url without padding.
    pub public_key: String,
    /// The app's name for itself (1 to 64 characters).
    pub name: String,
    /// Optional `http(s)://` address the server POSTs to when a sign-in request is made.
    #[serde(default)]
    pub webhook_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PairResponse {
    pub device_id: String,
    pub account: String,
    pub server: String,
    /// What the security page lists the device as: the name given there, else the app's own.
    pub name: String,
}

/// Pair a companion app with the code from a pairing URI (single use).
#[utoipa::path(post, path = "/api/v1/push/pair", tag = "push-device", request_body = PairRequest, responses(
    (status = 201, body = PairResponse),
    (status = 400, description = "invalid_token (used, expired or unknown code) or malformed_json", body = ErrorBody),
    (status = 422, description = "validation_failed (key, name, webhook) or invalid_body", body = ErrorBody),
))]
pub async fn pair(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<PairRequest>,
) -> ApiResult<(StatusCode, ApiJson<PairResponse>)> {
    let paired = state
        .services
        .complete_push_pairing(
            &Token::from_client(&req.code),
            &req.public_key,
            &req.name,
            req.webhook_url.as_deref(),
            &meta,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(PairResponse {
            device_id: paired.device_id,
            account: paired.account,
            server: paired.server,
            name: paired.name,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct WaitQuery {
    /// Seconds to wait for a challenge: default 25, at most 60, 0 answers at once.
    pub wait: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeView {
    pub id: String,
    pub account: String,
    pub created_at: String,
    pub expires_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// A short name of the browser (`Firefox`, `Chrome`, …) when it can be told.
    pub browser: Option<String>,
    /// The RADIUS client (VPN, Wi-Fi, SSH gateway) whose sign-in caused the request, by its
    /// name; null for a sign-in page's request.
    pub via: Option<String>,
    /// Whether `approve` needs the number from the sign-in screen: false exactly when `via` is
    /// set, since no screen shows one.
    pub number_required: bool,
}

impl From<DeviceChallenge> for ChallengeView {
    fn from(c: DeviceChallenge) -> Self {
        ChallengeView {
            id: c.id.0,
            account: c.account,
            created_at: rfc3339(c.created_at),
            expires_at: rfc3339(c.expires_at),
            ip: c.ip,
            user_agent: c.user_agent,
            browser: c.browser.map(str::to_owned),
            via: c.via,
            number_required: c.number_required,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChallengesResponse {
    /// Pending and unexpired, newest first. The number is not here: the person types it (when
    /// `number_required`).
    pub challenges: Vec<ChallengeView>,
}

/// The pending sign-in requests of the device's account (long-poll; signed).
#[utoipa::path(get, path = "/api/v1/push/device/challenges", tag = "push-device",
    params(WaitQuery,
        ("X-Portcullis-Device" = String, Header, description = "device id"),
        ("X-Portcullis-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Portcullis-Nonce" = String, Header, description = "16 random bytes, base64url"),
        ("X-Portcullis-Signature" = String, Header, description = "Ed25519 over the signed message, base64url"),
    ), responses(
    (status = 200, body = ChallengesResponse),
    (status = 401, description = "invalid_signature", body = ErrorBody),
    (status = 422, description = "invalid_query", body = ErrorBody),
))]
pub async fn challenges(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WaitQuery>,
    signed: SignedDevice,
) -> ApiResult<ApiJson<ChallengesResponse>> {
    let pending =
        push_wake::wait_for_device_challenges(&state, &signed.device, push_wake::wait_secs(q.wait))
            .await?;
    Ok(ApiJson(ChallengesResponse {
        challenges: pending.into_iter().map(ChallengeView::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Deny,
    /// "This wasn't me": denies and locks the account.
    Fraud,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub decision: DecisionKind,
    /// The number from the login screen, as the person typed it: needed to approve a request
    /// whose `number_required` is true, ignored for one from a RADIUS client.
    #[serde(default)]
    pub number: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerResponse {
    /// `approved`, `denied` (also for a wrong number) or `fraud`.
    pub status: &'static str,
}

/// Answer a sign-in request (signed).
#[utoipa::path(post, path = "/api/v1/push/device/challenges/{id}", tag = "push-device",
    params(("id" = String, Path, description = "challenge id"),
        ("X-Portcullis-Device" = String, Header, description = "device id"),
        ("X-Portcullis-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Portcullis-Nonce" = String, Header, description = "16 random bytes, base64url"),
        ("X-Portcullis-Signature" = String, Header, description = "Ed25519 over the signed message, base64url"),
    ), request_body = AnswerRequest, responses(
    (status = 200, body = AnswerResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_signature", body = ErrorBody),
    (status = 404, description = "not_found", body = ErrorBody),
    (status = 409, description = "challenge_closed (already answered or expired)", body = ErrorBody),
    (status = 422, description = "validation_failed (approve without the number a request from a sign-in page needs) or invalid_body", body = ErrorBody),
))]
pub async fn answer(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<String>,
    signed: SignedDevice,
) -> ApiResult<ApiJson<AnswerResponse>> {
    let req: AnswerRequest = signed.json()?;
    // Whether the number is needed depends on the request (`via`), so the service decides.
    let decision = match req.decision {
        DecisionKind::Approve => Decision::Approve { number: req.number },
        DecisionKind::Deny => Decision::Deny,
        DecisionKind::Fraud => Decision::Fraud,
    };
    let status = push_wake::answer(
        &state,
        &signed.device,
        &PushChallengeId(id),
        decision,
        &meta,
    )
    .await?;
    let status = match status {
        ChallengeStatus::Approved => "approved",
        ChallengeStatus::Fraud => "fraud",
        _ => "denied",
    };
    Ok(ApiJson(AnswerResponse { status }))
}

#[derive(Deserialize, ToSchema)]
pub struct ApproveByNumberRequest {
    /// The number from the login screen, as the person typed it.
    pub number: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ApproveByNumberResponse {
    /// `approved`, or `denied` when no pending request had this number (the newest was denied).
    pub status: &'static str,
    /// The request the answer applied to.
    pub challenge: ChallengeView,
}

/// Approve the pending sign-in request whose number the person typed (signed). Without a
/// request of that number, the newest pending one is denied. Requests from RADIUS clients
/// (`number_required` false) are never chosen: they are answered by id.
#[utoipa::path(post, path = "/api/v1/push/device/approve", tag = "push-device",
    params(
        ("X-Portcullis-Device" = String, Header, description = "device id"),
        ("X-Portcullis-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Portcullis-Nonce" = String, Header, description = "16 random bytes, base64url"),
        ("X-Portcullis-Signature" = String, Header, description = "Ed25519 over the signed message, base64url"),
    ), request_body = ApproveByNumberRequest, responses(
    (status = 200, body = ApproveByNumberResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_signature", body = ErrorBody),
    (status = 409, description = "challenge_closed (no pending request that needs a number)", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
))]
pub async fn approve_by_number(
    State(state): State<AppState>,
    Meta(meta): Meta,
    signed: SignedDevice,
) -> ApiResult<ApiJson<ApproveByNumberResponse>> {
    let req: ApproveByNumberRequest = signed.json()?;
    let (status, challenge) =
        push_wake::approve_by_number(&state, &signed.device, req.number, &meta).await?;
    let status = match status {
        ChallengeStatus::Approved => "approved",
        _ => "denied",
    };
    Ok(ApiJson(ApproveByNumberResponse {
        status,
        challenge: challenge.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// `http(s)://…`, or null to stop webhook calls.
    pub url: Option<String>,
}

/// Set or clear the device's webhook (signed).
#[utoipa::path(put, path = "/api/v1/push/device/webhook", tag = "push-device",
    params(
        ("X-Portcullis-Device" = String, Header, description = "device id"),
        ("X-Portcullis-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Portcullis-Nonce" = String, Header, description = "16 random bytes, base64url"),
        ("X-Portcullis-Signature" = String, Header, description = "Ed25519 over the signed message, base64url"),
    ), request_body = WebhookRequest, responses(
    (status = 204, description = "set"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_signature", body = ErrorBody),
    (status = 422, description = "validation_failed or invalid_body", body = ErrorBody),
))]
pub async fn set_webhook(
    State(state): State<AppState>,
    signed: SignedDevice,
) -> ApiResult<StatusCode> {
    let req: WebhookRequest = signed.json()?;
    state
        .services
        .set_push_webhook(&signed.device, req.url.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
