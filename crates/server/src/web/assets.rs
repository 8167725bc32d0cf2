//! The stylesheet and icon, compiled into the binary so the server needs no files beside it and
//! the pages load nothing from elsewhere (the CSP allows only `'self'`).

use axum::http::header;
use axum::response::IntoResponse;

const STYLESHEET: &str = include_str!("../../static/app.css");
const ICON: &str = include_str!("../../static/icon.svg");

/// An hour: long enough to spare repeat downloads, short enough that an upgrade shows soon.
const CACHE: &str = "public, max-age=3600";

/// `GET /static/app.css`
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        STYLESHEET,
    )
}

/// `GET /static/icon.svg`
pub async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, CACHE),
        ],
        ICON,
    )
}
