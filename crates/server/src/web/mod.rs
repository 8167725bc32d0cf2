//! Server-rendered pages (placeholder until the web flows land).

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

pub async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found")
}
