//! Liveness, readiness and metrics for operators.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

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

/// Prometheus text format: request counts and latencies by route and status, logins by outcome.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
