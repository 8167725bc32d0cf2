//! The login endpoints: the password step (`/login`), the second step (`/login/totp`,
//! `/login/recovery`), recovery from a lost phone (`/recover`) and `/logout`.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use portcullis_core::service::LoginResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The account's email address.
    #[schema(example = "alice@example.com")]
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

/// Where the login stands.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginResponse {
    /// Logged in.
    Ok {
        /// Send as `Authorization: Bearer <token>`.
        token: String,
    },
    /// The password was right, but 2FA is required and not set up: run the setup with one of
    /// `methods` — `totp` (`/login/enroll/totp`, `/login/enroll/totp/activate`) or `webauthn`
    /// (`/login/enroll/webauthn/start`, `…/finish`). Under "phishing-resistant only" the only
    /// method is `webauthn`.
    EnrollmentRequired {
        /// Valid for 5 minutes; allows nothing but the setup wizard.
        login_ticket: String,
        /// `totp`, `webauthn`.
        methods: Vec<String>,
        expires_at: String,
    },
    /// The password was right; complete the login with `/login/totp` or `/login/recovery`.
    SecondFactor {
        /// Valid for 5 minutes and 5 wrong codes; grants nothing but the second step.
        login_ticket: String,
        /// `totp`, `recovery_code`, ...
        methods: Vec<String>,
        expires_at: String,
    },
}

impl From<LoginResult> for LoginResponse {
    fn from(r: LoginResult) -> Self {
        match r {
            LoginResult::Complete { token, .. } => LoginResponse::Ok {
                token: token.expose().to_owned(),
            },
            LoginResult::EnrollmentRequired {
                ticket,
                methods,
                expires_at,
            } => LoginResponse::EnrollmentRequired {
                login_ticket: ticket.expose().to_owned(),
                methods: methods.iter().map(|m| m.as_str().to_owned()).collect(),
                expires_at: rfc3339(expires_at),
            },
            LoginResult::SecondFactor {
                ticket,
                methods,
                expires_at,
            } => LoginResponse::SecondFactor {
                login_ticket: ticket.expose().to_owned(),
                methods: methods.iter().map(|m| m.as_str().to_owned()).collect(),
                expires_at: rfc3339(expires_at),
            },
        }
    }
}

pub(super) fn respond(
    state: &AppState,
    result: Result<LoginResult, portcullis_core::Error>,
) -> ApiResult<ApiJson<LoginResponse>> {
    state
        .metrics
        .record_login(crate::metrics::login_outcome(&result));
    Ok(ApiJson(result?.into()))
}

/// Log in with username and password.
#[utoipa::path(post, path = "/api/v1/login", tag = "sessions", request_body = LoginRequest, responses(
    (status = 200, description = "logged in, or a second factor is required", body = LoginResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_credentials (unknown user and wrong password alike)", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts, with Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn login(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let result = state
        .services
        .sign_in(&req.username, &req.password, SessionKind::Api, &meta)
        .await;
    respond(&state, result)
}

#[derive(Deserialize, ToSchema)]
pub struct SecondStepRequest {
    pub login_ticket: String,
    /// The authenticator code, or a recovery code (dashes and spaces ignored).
    #[schema(example = "123456")]
    pub code: String,
}

/// Complete a login with a code from the authenticator app.
#[utoipa::path(post, path = "/api/v1/login/totp", tag = "sessions", request_body = SecondStepRequest, responses(
    (status = 200, description = "logged in", body = LoginResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_code (wrong, used or expired code) or invalid_ticket (start over with the password)", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn login_totp(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondStepRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let result = state
        .services
        .login_with_totp(&ticket, &req.code, SessionKind::Api, &meta)
        .await;
    respond(&state, result)
}

/// Complete a login with a recovery code; the code is used up.
#[utoipa::path(post, path = "/api/v1/login/recovery", tag = "sessions", request_body = SecondStepRequest, responses(
    (status = 200, description = "logged in", body = LoginResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_code (unknown or used code) or invalid_ticket", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn login_recovery(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondStepRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let result = state
        .services
        .login_with_recovery_code(&ticket, &req.code, SessionKind::Api, &meta)
        .await;
    respond(&state, result)
}

#[derive(Deserialize, ToSchema)]
pub struct RecoverRequest {
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: Password,
    #[schema(example = "1234-5678-9012-3456")]
    pub recovery_code: String,
}

/// Lost phone: a recovery code removes two-factor authentication from the account and logs in.
#[utoipa::path(post, path = "/api/v1/recover", tag = "sessions", request_body = RecoverRequest, responses(
    (status = 200, description = "2FA removed; logged in", body = LoginResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_credentials or invalid_code", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn recover(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<RecoverRequest>,
) -> ApiResult<ApiJson<LoginResponse>> {
    let result = state
        .services
        .recover_account(
            &req.username,
            &req.password,
            &req.recovery_code,
            SessionKind::Api,
            &meta,
        )
        .await;
    respond(&state, result)
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "sessions", security(("bearer" = [])), responses(
    (status = 204, description = "logged out"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn logout(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
) -> ApiResult<StatusCode> {
    state.services.logout(&auth, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct EnrolRequest {
    pub login_ticket: String,
}

/// Forced 2FA: start the setup wizard with the enrolment ticket from `/login` (again: the same key).
#[utoipa::path(post, path = "/api/v1/login/enroll/totp", tag = "sessions", request_body = EnrolRequest, responses(
    (status = 200, body = super::totp::StartTotpResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn enrol_totp(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> ApiResult<ApiJson<super::totp::StartTotpResponse>> {
    let (enrolment, _) = state
        .services
        .enrol_with_ticket(&Token::from_client(&req.login_ticket), &meta)
        .await?;
    Ok(ApiJson(super::totp::StartTotpResponse::new(&enrolment)?))
}

#[derive(Serialize, ToSchema)]
pub struct EnrolledResponse {
    /// Always `ok`.
    pub status: String,
    pub token: String,
    /// Ten codes of 16 digits, shown only now.
    pub recovery_codes: Vec<String>,
}

/// Forced 2FA: activate the wizard's authenticator with a code; the login completes.
#[utoipa::path(post, path = "/api/v1/login/enroll/totp/activate", tag = "sessions", request_body = SecondStepRequest, responses(
    (status = 200, body = EnrolledResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 409, description = "enrollment_not_started", body = ErrorBody),
    (status = 422, description = "invalid_code or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn enrol_activate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondStepRequest>,
) -> ApiResult<ApiJson<EnrolledResponse>> {
    let ticket = Token::from_client(&req.login_ticket);
    let (result, codes) = state
        .services
        .activate_with_ticket(&ticket, &req.code, SessionKind::Api, &meta)
        .await?;
    let LoginResponse::Ok { token } = LoginResponse::from(result) else {
        return Err(
            portcullis_core::Error::internal_msg("the wizard did not complete the login").into(),
        );
    };
    state.metrics.record_login("success");
    Ok(ApiJson(EnrolledResponse {
        status: "ok".to_owned(),
        token,
        recovery_codes: codes.iter().map(|c| c.display()).collect(),
    }))
}
