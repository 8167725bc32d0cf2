//! `/account/security/devices`, "Devices and sessions": every live session (which browser or API
//! client, from where, since when, last used, how it signed in, "This browser" marked) with a
//! button to end it and one to sign out everywhere else; the remembered browsers with "Forget";
//! and, to read only, the companion-app devices, passkeys and security keys, and app passwords
//! with their last use (their own pages change them). Every form posts, then redirects back
//! with a `done` notice. Ending this browser's own session signs it out, as "Sign out" does.
//! Who may end what is the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{RememberedBrowser, RememberedBrowserId, SessionId};
use portcullis_core::service::Authenticated;
use portcullis_core::user_agent;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::{tr, tr_with};
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::{self, SignedIn};
use crate::web::kit::session_line::{SessionLine, device_words};
use crate::web::kit::view::{never, when};

pub const PATH: &str = "/account/security/devices";

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    sessions: Vec<SessionLine>,
    browsers: Vec<BrowserRow>,
    push_devices: Vec<OtherRow>,
    keys: Vec<OtherRow>,
    app_passwords: Vec<OtherRow>,
}

impl DevicesPage {
    /// Whether any session but this browser's is listed ("Sign out everywhere else" has work).
    fn others(&self) -> bool {
        self.sessions.iter().any(|s| !s.current)
    }
}

/// A remembered browser as its row shows it.
struct BrowserRow {
    id: String,
    device: String,
    address: String,
    remembered: String,
    last_used: String,
    until: String,
}

impl BrowserRow {
    fn new(b: RememberedBrowser) -> BrowserRow {
        BrowserRow {
            device: device_words(&user_agent::family(b.user_agent.as_deref())),
            address: b.ip.unwrap_or_else(|| tr("security-unknown-address")),
            remembered: when(b.created_at),
            last_used: b.last_used_at.map_or_else(never, when),
            until: when(b.expires_at),
            id: b.id.0,
        }
    }
}

/// A companion-app device, key or app password: its name and its last use, to read only.
struct OtherRow {
    name: String,
    last_used: String,
}

#[derive(Deserialize, Default)]
pub struct DevicesQuery {
    #[serde(default)]
    done: String,
}

/// The fixed messages a redirect back to the page may ask for.
fn notice(done: &str) -> Option<Notice> {
    match done {
        "ended" => Some(Notice::success("security-devices-ended")),
        "others_ended" => Some(Notice::success("security-devices-others-ended")),
        "forgotten" => Some(Notice::success("security-devices-forgotten")),
        _ => None,
    }
}

/// `GET /account/security/devices`
pub async fn page(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<DevicesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let page = devices_page(&state, &auth, &csrf, notice(&done)).await?;
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

async fn devices_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
) -> Result<DevicesPage, WebError> {
    let sessions = state.services.list_sessions(auth).await?;
    let browsers = state.services.remembered_browsers(auth).await?;
    let push_devices = state.services.push_devices(auth).await?;
    let keys = state.services.webauthn_credentials(auth).await?;
    let app_passwords = state.services.list_app_passwords(auth).await?;
    Ok(DevicesPage {
        layout: Layout::signed_in(
            "security-devices-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        notice,
        sessions: sessions
            .into_iter()
            .map(|s| {
                let current = s.id == auth.session.id;
                SessionLine::new(s, current)
            })
            .collect(),
        browsers: browsers.into_iter().map(BrowserRow::new).collect(),
        push_devices: push_devices
            .into_iter()
            .map(|d| OtherRow {
                name: d.name,
                last_used: d.last_seen_at.map_or_else(never, when),
            })
            .collect(),
        keys: keys
            .into_iter()
            .map(|k| OtherRow {
                name: if k.passkey {
                    tr_with("security-devices-passkey-name", &[("name", k.name.into())])
                } else {
                    k.name
                },
                last_used: k.last_used_at.map_or_else(never, when),
            })
            .collect(),
        app_passwords: app_passwords
            .into_iter()
            .map(|p| OtherRow {
                name: p.name,
                last_used: p.last_used_at.map_or_else(never, when),
            })
            .collect(),
    })
}

/// `POST /account/security/devices/sessions/{id}/end`. This browser's own session ends like
/// "Sign out": the cookie is cleared and the sign-in page says so.
pub async fn end_session(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    if id == auth.session.id.0 {
        state.services.logout(&auth, &meta).await?;
        let cookie = session::clear_cookie(&state.config);
        return Ok((
            [(header::SET_COOKIE, cookie)],
            Redirect::to("/login?done=signed_out"),
        )
            .into_response());
    }
    match state
        .services
        .revoke_session(&auth, &SessionId(id), &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=ended")).into_response()),
        Err(Error::NotFound(_)) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-session-not-found",
            "error-session-not-yours",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/security/devices/sign-out-others`: every session but this browser's ends.
pub async fn end_others(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    state.services.end_other_sessions(&auth, &meta).await?;
    Ok(Redirect::to(&format!("{PATH}?done=others_ended")).into_response())
}

/// `POST /account/security/devices/browsers/{id}/forget`
pub async fn forget_browser(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match state
        .services
        .forget_remembered_browser(&auth, &RememberedBrowserId(id), &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=forgotten")).into_response()),
        Err(Error::NotFound(_)) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-browser-not-found",
            "error-browser-not-yours",
        )),
        Err(e) => Err(e.into()),
    }
}
