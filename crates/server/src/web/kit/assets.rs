//! The stylesheet, icon and the four small scripts (copy buttons; the live status of a push
//! sign-in; passkeys and security keys; a remembered browser's key), compiled into the binary so the server needs no files
//! beside it and the pages load nothing from elsewhere (the CSP allows only `'self'`).

use axum::http::header;
use axum::response::IntoResponse;

const STYLESHEET: &str = include_str!("../../../static/app.css");
const ICON: &str = include_str!("../../../static/icon.svg");
const COPY_SCRIPT: &str = include_str!("../../../static/copy.js");
const PUSH_SCRIPT: &str = include_str!("../../../static/push.js");
const WEBAUTHN_SCRIPT: &str = include_str!("../../../static/webauthn.js");
const REMEMBER_SCRIPT: &str = include_str!("../../../static/remember.js");
const LOCALE_SCRIPT: &str = include_str!("../../../static/locale.js");

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

/// `GET /static/copy.js`: a file of our own, because the CSP allows no inline script.
pub async fn copy_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        COPY_SCRIPT,
    )
}

/// `GET /static/push.js`: long-polls the status of a push sign-in (`web::push_login`).
pub async fn push_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        PUSH_SCRIPT,
    )
}

/// `GET /static/webauthn.js`: asks the browser's authenticator for a passkey or security key
/// on the pages that add or use one (`kit::ceremony`).
pub async fn webauthn_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        WEBAUTHN_SCRIPT,
    )
}

/// `GET /static/remember.js`: makes, keeps and uses a remembered browser's key
/// (`kit::remembered`, `pages::sign_in::remembered_browser`).
pub async fn remember_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        REMEMBER_SCRIPT,
    )
}

/// `GET /static/locale.js`: tells the server the browser's time zone (`crate::i18n`).
pub async fn locale_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        LOCALE_SCRIPT,
    )
}
