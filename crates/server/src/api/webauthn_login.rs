//! Signing in with a key: the second step after the password (`/login/webauthn/…`, with the
//! login ticket), a sign-in with a passkey and no password (`/login/passkey/…`), and adding a
//! key in the forced setup (`/login/enroll/webauthn/…`, with the enrolment ticket). Each
//! ceremony is two calls: options for `navigator.credentials.get()`/`create()`, then the
//! answer (`PublicKeyCredential.toJSON()`).

use axum::extract::State;
use portcullis_core::model::SessionKind;
use portcullis_core::secret::Token;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::ApiJson;
use super::login::{EnrolledResponse, LoginResponse, respond};
use super::webauthn::{CeremonyResponse, EmptyRequest};
use crate::http::Meta;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub login_ticket: String,
}

/// The second step's options: the person's keys, for `navigator.credentials.get()`.
#[derive(serde::Serialize, ToSchema)]
pub struct RequestOptions {
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondStepKeyRequest {
    pub login_ticket: String,
    /// `PublicKeyCredential.toJSON()` of what `navigator.credentials.get()` returned.
    #[schema(value_type = Object)]
    pub credential: Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRequest {
    pub ceremony: String,
    #[schema(value_type = Object)]
    pub credential: Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolKeyRequest {
    pub login_ticket: String,
    pub ceremony: String,
    #[schema(example = "YubiKey 5")]
    pub name: String,
    #[schema(value_type = Object)]
    pub credential: Value,
    /// Needed when the account already has a factor and its contract now requires a key
    /// ("phishing-resistant only"): a code from the authenticator app, or a recovery code.
    pub code: Option<String>,
}

/// Second step with a key: options naming the person's keys (a new start replaces the last).
#[utoipa::path(post, path = "/api/v1/login/webauthn/start", tag = "sessions", request_body = TicketRequest, responses(
    (status = 200, body = RequestOptions),
    (status = 401, description = "invalid_ticket (start over with the password)", body = ErrorBody),
    (status = 409, description = "two_factor_not_enabled (the account has no key)", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn start_second_step(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<TicketRequest>,
) -> ApiResult<ApiJson<RequestOptions>> {
    let ticket = Token::from_client(&req.login_ticket);
    let public_key = state.services.start_webauthn_login(&ticket, &meta).await?;
    Ok(ApiJson(RequestOptions { public_key }))
}

/// Second step with a key: the assertion completes the login. A wrong, replayed or foreign
/// assertion counts like a wrong code.
#[utoipa::path(post, path = "/api/v1/login/webauthn/finish", tag = "sessions", request_body = SecondStepKeyRequest, responses(
    (status = 200, description = "logged in", body = LoginResponse),
    (status = 401, description = "invalid_code (the assertion did not verify) or invalid_ticket", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn finish_second_step(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondStepKeyRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let result = state
        .services
        .login_with_webauthn(&ticket, &req.credential, SessionKind::Api, &meta)
        .await;
    respond(&state, result)
}

/// Sign in with a passkey and no password: options without a user or key.
#[utoipa::path(post, path = "/api/v1/login/passkey/start", tag = "sessions", request_body = EmptyRequest, responses(
    (status = 200, body = CeremonyResponse),
))]
pub async fn start_passkey(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(_empty): ApiJson<EmptyRequest>,
) -> ApiResult<ApiJson<CeremonyResponse>> {
    let start = state.services.start_passkey_login(&meta).await?;
    Ok(ApiJson(start.into()))
}

/// Sign in with a passkey: a passkey with user verification opens a 2FA-complete session.
#[utoipa::path(post, path = "/api/v1/login/passkey/finish", tag = "sessions", request_body = PasskeyRequest, responses(
    (status = 200, description = "logged in", body = LoginResponse),
    (status = 400, description = "invalid_ceremony (unknown, used or expired)", body = ErrorBody),
    (status = 401, description = "invalid_passkey (unknown key, bad signature, a key without user verification)", body = ErrorBody),
    (status = 423, description = "account_locked", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn finish_passkey(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<PasskeyRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let ceremony = Token::from_client(&req.ceremony);
    let result = state
        .services
        .login_with_passkey(&ceremony, &req.credential, SessionKind::Api, &meta)
        .await;
    respond(&state, result)
}

/// Forced setup: options to add a key.
#[utoipa::path(post, path = "/api/v1/login/enroll/webauthn/start", tag = "sessions", request_body = TicketRequest, responses(
    (status = 200, body = CeremonyResponse),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn start_enrolment(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<TicketRequest>,
) -> ApiResult<ApiJson<CeremonyResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let start = state
        .services
        .start_webauthn_enrolment(&ticket, &meta)
        .await?;
    Ok(ApiJson(start.into()))
}

/// Forced setup: add the key and complete the login, with new recovery codes shown once.
#[utoipa::path(post, path = "/api/v1/login/enroll/webauthn/finish", tag = "sessions", request_body = EnrolKeyRequest, responses(
    (status = 200, body = EnrolledResponse),
    (status = 400, description = "invalid_ceremony or invalid_webauthn_response", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 409, description = "credential_exists", body = ErrorBody),
    (status = 422, description = "validation_failed (the name, or the code an account with a factor must give), or invalid_code", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn finish_enrolment(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<EnrolKeyRequest>,
) -> ApiResult<ApiJson<EnrolledResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let ceremony = Token::from_client(&req.ceremony);
    let (result, codes) = state
        .services
        .finish_webauthn_enrolment(
            &ticket,
            &ceremony,
            &req.name,
            &req.credential,
            req.code.as_deref(),
            SessionKind::Api,
            &meta,
        )
        .await?;
    let portcullis_core::service::LoginResult::Complete { token, .. } = result else {
        return Err(portcullis_core::Error::internal_msg("the setup did not complete").into());
    };
    Ok(ApiJson(EnrolledResponse {
        status: "ok".into(),
        token: token.expose().to_owned(),
        recovery_codes: codes.iter().map(|c| c.display()).collect(),
    }))
}
