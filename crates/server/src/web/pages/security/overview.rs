//! `GET /account/security`: one tile per way of proving it is you (the Security tab that hosting control panels have). The
//! authenticator-app tile: its status, the recovery codes left, and the forms that set it up,
//! replace the codes or remove it (`totp`, `recovery_codes`). The companion-app tile:
//! the paired devices with rename and remove, and "Pair a device" (`push_devices`). The keys
//! tile: security keys and passkeys with rename and remove, and "Add a security key or passkey"
//! (`webauthn`). Whether a factor may be removed is the services' rule; the tile only hides a
//! button the rule would refuse anyway. The page itself is drawn by the group's `security_page`,
//! which the tiles' forms answer with too.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::security_page;
use crate::state::AppState;
use crate::web::kit::csrf::CsrfToken;
use crate::web::kit::error::WebError;
use crate::web::kit::page::Notice;
use crate::web::kit::session::SignedIn;

#[derive(Deserialize, Default)]
pub struct SecurityQuery {
    #[serde(default)]
    done: String,
}

/// The fixed messages (their ids) a redirect back to the security page may ask for.
fn notice(done: &str) -> Option<Notice> {
    match done {
        "totp_deactivated" => Some(Notice::success("security-notice-totp-deactivated")),
        "two_factor_removed" => Some(Notice::warning("security-notice-two-factor-removed")),
        // Where a person lands right after creating their account (`kit::sign_in::WELCOME`).
        "welcome" => Some(Notice::success("security-notice-welcome")),
        "push_renamed" => Some(Notice::success("security-notice-push-renamed")),
        "key_added" => Some(Notice::success("security-notice-key-added")),
        "key_renamed" => Some(Notice::success("security-notice-key-renamed")),
        "key_removed" => Some(Notice::success("security-notice-key-removed")),
        "pairing_shown" => Some(Notice::warning("security-notice-pairing-shown")),
        "push_removed" => Some(Notice::success("security-notice-push-removed")),
        _ => None,
    }
}

/// `GET /account/security`
pub async fn overview(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<SecurityQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let response = security_page(&state, &auth, &csrf, notice(&done), None, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}
