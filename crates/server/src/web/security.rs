//! `GET /account/security`: one tile per way of proving it is you (the Security tab that hosting control panels have). The
//! authenticator-app tile: its status, the recovery codes left, and the forms that set it up,
//! replace the codes or remove it (`totp`, `recovery_codes`). The companion-app tile:
//! the paired devices with rename and remove, and "Pair a device" (`push_devices`). Whether a
//! factor may be removed is the services' rule; the tile only hides a button the rule would
//! refuse anyway.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::login::Method;
use portcullis_core::recovery::CODES_PER_SET;
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use super::csrf::CsrfToken;
use super::error::WebError;
use super::page::{Layout, Notice, render};
use super::session::SignedIn;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    csrf: String,
    /// For the hidden username field that tells password managers whose password is asked for.
    email: String,
    notice: Option<Notice>,
    totp: TotpTile,
    error: Option<TileError>,
    /// When the support PIN was set, in words; `None` while there is none.
    support_pin: Option<String>,
    app_passwords: usize,
    phone: PhoneTile,
    push_devices: Vec<DeviceRow>,
    /// Removing a device would leave no factor while an administrator requires one: the
    /// services refuse it, so the button is not offered.
    push_last_factor: bool,
    /// The device whose rename form stays open (after a refused name).
    renaming: Option<String>,
    /// The device name typed in "Pair a device", kept after a refusal.
    pair_name: String,
}

impl SecurityPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.form == form)
            .map(|e| e.message.as_str())
    }

    fn renaming(&self, id: &str) -> bool {
        self.renaming.as_deref() == Some(id)
    }
}

/// The authenticator app as its tile shows it.
struct TotpTile {
    active: bool,
    /// An administrator requires two-factor authentication for this person: it cannot
    /// be turned off here.
    forced: bool,
    recovery_codes_left: i64,
    recovery_codes_total: usize,
}

impl TotpTile {
    /// Few enough codes left that the tile suggests a new set.
    fn running_low(&self) -> bool {
        self.recovery_codes_left <= 3
    }
}

/// The mobile number as its tile shows it. It is not a factor: a verified number receives the
/// codes of a forgotten-password reset, so it belongs with the other ways of proving it is you.
struct PhoneTile {
    /// The number, masked as the mobile-number page shows it; the verified one before a pending one.
    number: Option<String>,
    verified: bool,
}

/// What went wrong with one of the tile's password forms.
pub struct TileError {
    /// The form the message belongs to (`deactivate`, `regenerate`, `push-pair`,
    /// `push-pair-password`, `push-rename`), which then stays open.
    pub form: &'static str,
    pub message: String,
}

/// What the push tile's forms keep after a refusal.
#[derive(Default)]
pub struct PushKept {
    /// The device whose rename form stays open (after a refused name).
    pub renaming: Option<String>,
    /// The device name typed in "Pair a device".
    pub pair_name: String,
}

/// A paired companion-app device as its row in the tile shows it.
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    /// When it was paired, in words.
    pub paired: String,
    /// "never", or when it last asked for sign-in requests.
    pub last_seen: String,
}

#[derive(Deserialize, Default)]
pub struct SecurityQuery {
    #[serde(default)]
    done: String,
}

/// The fixed messages a redirect back to the security page may ask for.
fn notice(done: &str) -> Option<Notice> {
    match done {
        "totp_deactivated" => Some(Notice::success(
            "The authenticator app was removed. Signing in now needs only your password, and \
             your recovery codes no longer work.",
        )),
        "two_factor_removed" => Some(Notice::warning(
            "Your recovery code removed two-factor authentication from your account, and every \
             other device was signed out. Set up your authenticator app again on your new phone.",
        )),
        // Where a person lands right after creating their account (`login::WELCOME`).
        "welcome" => Some(Notice::success(
            "Welcome to Portcullis — your account is ready. Next: turn on two-factor \
             authentication, so that your password alone is not enough to sign in.",
        )),
        "push_renamed" => Some(Notice::success("The device was renamed.")),
        "pairing_shown" => Some(Notice::warning(
            "Already shown: a pairing code is shown only once. If your app has not paired yet, \
             pair again for a new code.",
        )),
        "push_removed" => Some(Notice::success(
            "The device was removed. It can no longer approve your sign-ins.",
        )),
        _ => None,
    }
}

/// The page for `auth`, with an optional notice or form error.
pub async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    error: Option<TileError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    page_with(
        state,
        auth,
        csrf,
        notice,
        error,
        PushKept::default(),
        status,
    )
    .await
}

/// [`page`], with what the push tile's forms keep (an open rename form, a typed device name).
pub async fn page_with(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    error: Option<TileError>,
    kept: PushKept,
    status: StatusCode,
) -> Result<Response, WebError> {
    let summary = state.services.two_factor_summary(&auth.user).await?;
    let push_devices = super::push_devices::rows(state, auth).await?;
    let phone = state.services.phone_status(&auth.user).await?;
    let page = SecurityPage {
        layout: Layout::signed_in("Security", "security", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        email: auth.user.email.to_string(),
        notice,
        totp: TotpTile {
            active: summary.methods.contains(&Method::Totp),
            forced: summary.forced,
            recovery_codes_left: summary.recovery_codes_left,
            recovery_codes_total: CODES_PER_SET,
        },
        error,
        support_pin: state
            .services
            .support_pin_changed_at(&auth.user)
            .await?
            .map(super::view::when),
        app_passwords: state.services.list_app_passwords(auth).await?.len(),
        phone: PhoneTile {
            number: phone.shown().map(|(n, _)| n.masked()),
            verified: phone.verified.is_some(),
        },
        push_last_factor: summary.forced
            && !summary.methods.contains(&Method::Totp)
            && push_devices.len() == 1,
        push_devices,
        renaming: kept.renaming,
        pair_name: kept.pair_name,
    };
    render(status, &page)
}

/// `GET /account/security`
pub async fn overview(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<SecurityQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let response = page(&state, &auth, &csrf, notice(&done), None, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}
