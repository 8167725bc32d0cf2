//! The mobile number: set it, verify it with the code from the SMS, ask for the code
//! again; and the same three steps for the forced setup wizard's enrolment ticket when the
//! deployment requires a verified number before two-factor authentication.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::phone::PhoneNumber;
use portcullis_core::secret::Token;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiJson, Auth};
use crate::http::Meta;
use crate::state::AppState;

/// A number as the account shows it: partly hidden.
#[derive(Serialize, ToSchema)]
pub struct PhoneView {
    #[schema(example = "+49•••••••4567")]
    pub number: String,
    /// False while the number waits for its code.
    pub verified: bool,
}

impl PhoneView {
    pub fn new(number: &PhoneNumber, verified: bool) -> Self {
        PhoneView {
            number: number.masked(),
            verified,
        }
    }
}

fn parse_number(input: &str) -> Result<PhoneNumber, Error> {
    PhoneNumber::parse(input).ok_or(Error::InvalidPhone)
}

#[derive(Deserialize, ToSchema)]
pub struct SetPhoneRequest {
    /// E.164, e.g. `+4915112345678`; spaces, dashes, dots and parentheses are ignored.
    #[schema(example = "+4915112345678")]
    pub number: String,
    /// The current password; required only to replace a verified number.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<Password>,
}

/// Send a 6-digit code by SMS to a (new) number; it is valid for 10 minutes and 5 attempts. A
/// verified number stays until the new one is verified.
#[utoipa::path(put, path = "/api/v1/me/phone", tag = "phone", security(("bearer" = [])),
    request_body = SetPhoneRequest, responses(
    (status = 202, description = "code sent", body = PhoneView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password: replacing a verified number", body = ErrorBody),
    (status = 409, description = "conflict: this number is already verified", body = ErrorBody),
    (status = 422, description = "invalid_phone, validation_failed (password missing) or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts: one code a minute, five an hour; see Retry-After", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn set_phone(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<SetPhoneRequest>,
) -> ApiResult<(StatusCode, ApiJson<PhoneView>)> {
    let number = parse_number(&req.number)?;
    state
        .services
        .set_phone(&auth, &number, req.password.as_ref(), &meta)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(PhoneView::new(&number, false)),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyPhoneRequest {
    #[schema(example = "123456")]
    pub code: String,
}

/// Verify the number with the code from the SMS; it then replaces any verified number.
#[utoipa::path(post, path = "/api/v1/me/phone/verify", tag = "phone", security(("bearer" = [])),
    request_body = VerifyPhoneRequest, responses(
    (status = 204, description = "verified"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 422, description = "invalid_code (wrong, expired, used or out of attempts) or invalid_body", body = ErrorBody),
))]
pub async fn verify_phone(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<VerifyPhoneRequest>,
) -> ApiResult<StatusCode> {
    state.services.verify_phone(&auth, &req.code, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new code for the number waiting for verification; the old code stops working.
#[utoipa::path(post, path = "/api/v1/me/phone/resend", tag = "phone", security(("bearer" = [])), responses(
    (status = 202, description = "code sent", body = PhoneView),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 409, description = "conflict: no number is waiting for a code", body = ErrorBody),
    (status = 429, description = "too_many_attempts: one code a minute, five an hour; see Retry-After", body = ErrorBody),
))]
pub async fn resend_code(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
) -> ApiResult<(StatusCode, ApiJson<PhoneView>)> {
    let number = state.services.resend_phone_code(&auth, &meta).await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(PhoneView::new(&number, false)),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EnrolPhoneRequest {
    pub login_ticket: String,
    #[schema(example = "+4915112345678")]
    pub number: String,
}

/// Forced 2FA on a deployment that requires a verified number: send a code to the first number,
/// with the enrolment ticket from `/login`.
#[utoipa::path(post, path = "/api/v1/login/enroll/phone", tag = "sessions", request_body = EnrolPhoneRequest, responses(
    (status = 202, description = "code sent", body = PhoneView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 403, description = "forbidden: the deployment does not require a number", body = ErrorBody),
    (status = 409, description = "conflict: a number is already verified", body = ErrorBody),
    (status = 422, description = "invalid_phone or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts; see Retry-After", body = ErrorBody),
))]
pub async fn enrol_phone(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<EnrolPhoneRequest>,
) -> ApiResult<(StatusCode, ApiJson<PhoneView>)> {
    let number = parse_number(&req.number)?;
    let ticket = Token::from_client(&req.login_ticket);
    state
        .services
        .set_phone_with_ticket(&ticket, &number, &meta)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(PhoneView::new(&number, false)),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EnrolPhoneCodeRequest {
    pub login_ticket: String,
    #[schema(example = "123456")]
    pub code: String,
}

/// Forced 2FA: verify the number with the code from the SMS, then set up the authenticator.
#[utoipa::path(post, path = "/api/v1/login/enroll/phone/verify", tag = "sessions", request_body = EnrolPhoneCodeRequest, responses(
    (status = 204, description = "verified"),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 403, description = "forbidden: the deployment does not require a number", body = ErrorBody),
    (status = 422, description = "invalid_code or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
))]
pub async fn enrol_phone_verify(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<EnrolPhoneCodeRequest>,
) -> ApiResult<StatusCode> {
    let ticket = Token::from_client(&req.login_ticket);
    state
        .services
        .verify_phone_with_ticket(&ticket, &req.code, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Forced 2FA: a new code for the number waiting for verification.
#[utoipa::path(post, path = "/api/v1/login/enroll/phone/resend", tag = "sessions", request_body = super::login::EnrolRequest, responses(
    (status = 202, description = "code sent", body = PhoneView),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "invalid_ticket", body = ErrorBody),
    (status = 403, description = "forbidden: the deployment does not require a number", body = ErrorBody),
    (status = 409, description = "conflict: no number is waiting for a code", body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts; see Retry-After", body = ErrorBody),
))]
pub async fn enrol_phone_resend(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<super::login::EnrolRequest>,
) -> ApiResult<(StatusCode, ApiJson<PhoneView>)> {
    let ticket = Token::from_client(&req.login_ticket);
    let number = state
        .services
        .resend_phone_code_with_ticket(&ticket, &meta)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(PhoneView::new(&number, false)),
    ))
}
