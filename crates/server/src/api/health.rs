//! Liveness, readiness and metrics for operators.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use portcullis_core::Error;
use portcullis_core::secret::constant_time_eq;

use super::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// Alive: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "the database answers", body = String),
    (status = 500, description = "internal_error: the database does not answer", body = ErrorBody),
))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.services.ready().await?;
    Ok("ready")
}

/// Prometheus text format: request counts and latencies by route and status, logins by
/// outcome, the outbox's deliveries, the sweep. With `--metrics-token` set, only for
/// `Authorization: Bearer` that token.
#[utoipa::path(get, path = "/metrics", tag = "operations", security((), ("bearer" = [])), responses(
    (status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain"),
    (status = 401, description = "unauthenticated: the server has a metrics token and the request did not carry it", body = ErrorBody),
))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    if let Some(expected) = &state.config.metrics_token
        && !carries_token(&headers, expected)
    {
        return Err(Error::Unauthenticated.into());
    }
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}

/// Whether `Authorization: Bearer <token>` names `expected`, compared in constant time so the
/// answer's timing tells nothing about how much of a guess was right.
fn carries_token(headers: &HeaderMap, expected: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = value.split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && constant_time_eq(token.trim().as_bytes(), expected.as_bytes())
}
