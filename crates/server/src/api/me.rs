//! The signed-in person's own account: profile, password change, audit trail.

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_core::Error;
use portcullis_core::locale::{Language, TimeZoneName};
use portcullis_core::password::Password;
use portcullis_core::service::Authenticated;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiResult, ErrorBody};
use super::extract::{Admin, ApiJson, ApiQuery, Auth};
use crate::http::Meta;
use crate::http::time::rfc3339;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct TwoFactorSummary {
    /// At least one second factor is active.
    pub enabled: bool,
    /// Active methods: `totp`, `push`, `recovery_code`.
    pub methods: Vec<String>,
    /// An administrator requires 2FA for this user; they cannot turn it off.
    pub forced: bool,
    pub recovery_codes_left: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub email: String,
    pub contract_id: String,
    /// `owner`, `administrator` or `user`.
    pub role: String,
    pub created_at: String,
    pub last_login_at: Option<String>,
    pub two_factor: TwoFactorSummary,
    pub support_pin: super::support_pin::SupportPinStatus,
    /// The mobile number, partly hidden: the verified one, else one waiting for its code.
    pub phone: Option<super::phone::PhoneView>,
    /// The language chosen for pages, emails and SMS: `en` or `de`; `null` when none is chosen
    /// (the browser's language is used, else the deployment's default).
    pub language: Option<String>,
    /// The IANA time zone chosen for dates, such as `Europe/Berlin`; `null`: the browser's, else UTC.
    pub time_zone: Option<String>,
}

impl MeResponse {
    pub fn new(
        auth: &Authenticated,
        two_factor: portcullis_core::service::TwoFactorSummary,
    ) -> Self {
        let u = &auth.user;
        MeResponse {
            id: u.id.0.clone(),
            email: u.email.to_string(),
            contract_id: u.contract_id.0.clone(),
            role: u.role.as_str().to_owned(),
            created_at: rfc3339(u.created_at),
            last_login_at: u.last_login_at.map(rfc3339),
            two_factor: TwoFactorSummary {
                enabled: two_factor.enabled,
                methods: two_factor
                    .methods
                    .iter()
                    .map(|m| m.as_str().to_owned())
                    .collect(),
                forced: two_factor.forced,
                recovery_codes_left: two_factor.recovery_codes_left,
            },
            support_pin: Default::default(),
            phone: None,
            language: u.language.map(|l| l.as_str().to_owned()),
            time_zone: u.time_zone.as_ref().map(|z| z.as_str().to_owned()),
        }
    }
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])), responses(
    (status = 200, body = MeResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
))]
pub async fn me(State(state): State<AppState>, Auth(auth): Auth) -> ApiResult<ApiJson<MeResponse>> {
    me_body(&state, &auth).await.map(ApiJson)
}

async fn me_body(state: &AppState, auth: &Authenticated) -> ApiResult<MeResponse> {
    let two_factor = state.services.two_factor_summary(&auth.user).await?;
    let mut body = MeResponse::new(auth, two_factor);
    body.support_pin = state
        .services
        .support_pin_changed_at(&auth.user)
        .await?
        .into();
    body.phone = state
        .services
        .phone_status(&auth.user)
        .await?
        .shown()
        .map(|(number, verified)| super::phone::PhoneView::new(number, verified));
    Ok(body)
}

/// A field of a partial update: absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateMeRequest {
    /// `en` or `de`: pages, emails and SMS in that language. `null` clears the choice.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, example = "de")]
    pub language: Option<Option<String>>,
    /// An IANA time zone name (`Europe/Berlin`) for dates on pages and in messages. `null`
    /// clears the choice.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, example = "Europe/Berlin")]
    pub time_zone: Option<Option<String>>,
}

/// Choose my language and time zone; a field left out keeps its value, `null` clears it.
#[utoipa::path(patch, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    request_body = UpdateMeRequest, responses(
    (status = 200, body = MeResponse),
    (status = 400, description = "malformed_json", body = ErrorBody),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 422, description = "validation_failed: an unknown language or time zone; invalid_body", body = ErrorBody),
))]
pub async fn update_me(
    State(state): State<AppState>,
    Auth(mut auth): Auth,
    ApiJson(req): ApiJson<UpdateMeRequest>,
) -> ApiResult<ApiJson<MeResponse>> {
    let language = match req.language {
        None => auth.user.language,
        Some(None) => None,
        Some(Some(tag)) => Some(
            Language::ALL
                .into_iter()
                .find(|l| l.as_str() == tag)
                .ok_or_else(|| Error::Validation("language must be \"en\" or \"de\"".into()))?,
        ),
    };
    let time_zone = match req.time_zone {
        None => auth.user.time_zone.clone(),
        Some(None) => None,
        Some(Some(name)) => Some(TimeZoneName::parse(&name).ok_or_else(|| {
            Error::Validation(
                "time_zone must be an IANA time zone name such as \"Europe/Berlin\"".into(),
            )
        })?),
    };
    state
        .services
        .set_locale(&auth.user, language, time_zone.as_ref())
        .await?;
    auth.user.language = language;
    auth.user.time_zone = time_zone;
    me_body(&state, &auth).await.map(ApiJson)
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(value_type = String, format = Password)]
    pub old_password: Password,
    #[schema(value_type = String, format = Password)]
    pub new_password: Password,
}

/// Change the password; every other session of the user ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])),
    request_body = ChangePasswordRequest, responses(
    (status = 204, description = "changed; other sessions revoked"),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "invalid_password: the old password is wrong", body = ErrorBody),
    (status = 422, description = "weak_password or invalid_body", body = ErrorBody),
    (status = 429, description = "too_many_attempts", body = ErrorBody),
    (status = 503, description = "overloaded: every password-hashing thread is busy and the queue is full; retry after Retry-After", body = ErrorBody),
))]
pub async fn change_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    state
        .services
        .change_password(&auth, &req.old_password, &req.new_password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_before` of the previous page.
    pub before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    /// Dotted name: `login.success`, `login.failure`, `password.changed`, `session.revoked`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub at: String,
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct AuditResponse {
    /// Newest first.
    pub events: Vec<AuditEventView>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// My security events, newest first.
#[utoipa::path(get, path = "/api/v1/me/audit", tag = "account", security(("bearer" = [])), params(AuditQuery), responses(
    (status = 200, body = AuditResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 422, description = "invalid_query or validation_failed", body = ErrorBody),
))]
pub async fn audit(
    State(state): State<AppState>,
    Auth(auth): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<ApiJson<AuditResponse>> {
    let limit = q.limit.unwrap_or(50);
    let events = state.services.my_audit(&auth, q.before, limit).await?;
    Ok(ApiJson(AuditResponse::page(events, limit)))
}

/// The contract's security events, newest first (owners and administrators): everything its
/// people did or had done to them, and every decision its RADIUS clients got (`radius.accept`,
/// `radius.reject`, `radius.challenge`, naming the client), unknown user names included.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery), responses(
    (status = 200, body = AuditResponse),
    (status = 401, description = "unauthenticated", body = ErrorBody),
    (status = 403, description = "forbidden: not an owner or administrator", body = ErrorBody),
    (status = 422, description = "invalid_query or validation_failed", body = ErrorBody),
))]
pub async fn contract_audit(
    State(state): State<AppState>,
    Admin(admin, _): Admin,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<ApiJson<AuditResponse>> {
    let limit = q.limit.unwrap_or(50);
    let events = state
        .services
        .contract_audit(&admin, q.before, limit)
        .await?;
    Ok(ApiJson(AuditResponse::page(events, limit)))
}

impl AuditResponse {
    /// A page of `limit` events, with where the next one starts when it may not be the last.
    fn page(events: Vec<portcullis_core::audit::StoredAuditEvent>, limit: i64) -> AuditResponse {
        let next_before = (events.len() as i64 == limit)
            .then(|| events.last().map(|e| e.id))
            .flatten();
        let events = events
            .into_iter()
            .map(|e| AuditEventView {
                id: e.id,
                kind: e.kind,
                at: rfc3339(e.at),
                outcome: e.outcome,
                ip: e.ip,
                user_agent: e.user_agent,
                actor_id: e.actor.map(|u| u.0),
                subject_id: e.subject.map(|u| u.0),
                detail: e.detail,
            })
            .collect();
        AuditResponse {
            events,
            next_before,
        }
    }
}
