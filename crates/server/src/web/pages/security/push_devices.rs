//! The companion app on the security page: `POST /account/security/push-devices`
//! starts a pairing (with the current password), holds the pairing link for this session
//! (`service::held`) and redirects to `GET` of the same path, which shows it once, as a QR code
//! and as text with the command to run (`portcullis-app pair '…'`); the link holds a one-time
//! code, so it is never put in a URL and a reload does not show it again. `POST …/{id}/rename`
//! renames a device, and `POST …/{id}/remove` removes one after an "Are you sure?" page
//! (`kit::confirm`) that asks for the current password: a paired device approves every sign-in, and
//! removing the last one can switch two-factor authentication off, so neither may follow from a
//! session left open. The devices are listed in the security page's tile (`overview`). Names,
//! the code's life, audit rows and the email about a change are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::UnixTime;
use portcullis_core::password::Password;
use portcullis_core::service::Reveal;
use portcullis_core::service::{Authenticated, HeldPairing, Shown};
use serde::Deserialize;

use super::{PushKept, TileError, security_page_with};
use crate::http::Meta;
use crate::i18n::{tr, tr_with};
use crate::state::AppState;
use crate::web::kit::confirm::{self, AskPassword, Confirm, ConfirmForm};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::when;

/// Where the tile's forms post, and the base of each device's own routes.
pub const PATH: &str = "/account/security/push-devices";

/// Back to the tile, with one of the overview's fixed notices.
fn back(done: &str) -> Redirect {
    Redirect::to(&format!("/account/security?done={done}#push"))
}

#[derive(Template)]
#[template(path = "push_pair.html")]
struct PairPage {
    layout: Layout,
    /// The name given on the security page; without one the app names itself.
    name: Option<String>,
    email: String,
    uri: String,
    /// Inline SVG from `crate::qr`: drawn paths only, no text from the link.
    qr_svg: String,
    expires: String,
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct PairForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/security/push-devices`, with the current password: a pairing code for a new
/// device, held for this session; the redirect's `GET` shows it once.
pub async fn pair(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PairForm>,
) -> Result<Response, WebError> {
    let kept = PushKept {
        pair_name: form.name.clone(),
        ..PushKept::default()
    };
    let name = Some(form.name.trim()).filter(|n| !n.is_empty());
    if form.password.is_empty() {
        let error = Some(TileError {
            form: "push-pair-password",
            message: tr("security-enter-password"),
        });
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let response = security_page_with(&state, &auth, &csrf, None, error, kept, status).await?;
        return Ok((csrf, response).into_response());
    }
    let password = Password::new(form.password);
    // The services hold the link for this session in the transaction that makes it.
    let reveal = Reveal::OnNextPage(&auth.session.id);
    match state
        .services
        .start_push_pairing(&auth, name, &password, reveal, &meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(PATH).into_response()),
        Err(e @ (Error::InvalidPassword | Error::TooManyAttempts { .. })) => {
            tile_error(&state, &auth, csrf, "push-pair-password", kept, e).await
        }
        Err(e) => tile_error(&state, &auth, csrf, "push-pair", kept, e).await,
    }
}

/// `GET /account/security/push-devices`: the pairing link this session holds, once. A reload
/// says it was shown (pair again for a new one) rather than showing the one-time code again.
pub async fn paired(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let held = match state.services.take_held::<HeldPairing>(&auth).await? {
        Shown::Now(held) => held,
        Shown::Already => return Ok(back("pairing_shown").into_response()),
        Shown::Nothing => return Ok(Redirect::to("/account/security#push").into_response()),
    };
    let qr_svg = crate::qr::svg_in_labelled(&held.uri)
        .map_err(|e| WebError::Internal(Error::internal(e)))?;
    let page = PairPage {
        layout: Layout::signed_in(
            "security-pair-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        name: Some(held.name.clone()).filter(|n| !n.is_empty()),
        email: auth.user.email.to_string(),
        uri: held.uri.clone(),
        qr_svg,
        expires: when(UnixTime(held.expires_at)),
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

/// `POST /account/security/push-devices/{id}/rename`
pub async fn rename(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<NameForm>,
) -> Result<Response, WebError> {
    match state
        .services
        .rename_push_device(&auth, &id, &form.name, &meta)
        .await
    {
        Ok(_) => Ok(back("push_renamed").into_response()),
        Err(Error::NotFound(_)) => Err(unknown_device()),
        Err(e) => {
            let kept = PushKept {
                renaming: Some(id),
                ..PushKept::default()
            };
            tile_error(&state, &auth, csrf, "push-rename", kept, e).await
        }
    }
}

/// `POST /account/security/push-devices/{id}/remove`: first the confirmation page, which asks
/// for the current password, then, with `confirm=yes` and the password, the removal. A refused
/// password shows the confirmation again with the message.
pub async fn remove(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let devices = state.services.push_devices(&auth).await?;
    let Some(device) = devices.into_iter().find(|d| d.id.as_str() == id) else {
        return Err(unknown_device());
    };
    if !form.confirmed() {
        return confirm::page(
            removal(&auth, &id, &device.name, None),
            auth.user.role,
            csrf,
        );
    }
    if form.password_missing() {
        let message = tr("security-enter-password");
        let confirm = removal(&auth, &id, &device.name, Some(message));
        return confirm::page_again(
            confirm,
            auth.user.role,
            csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let e = match state
        .services
        .remove_push_device(&auth, &id, &form.password(), &meta)
        .await
    {
        Ok(()) => return Ok(back("push_removed").into_response()),
        Err(Error::NotFound(_)) => return Err(unknown_device()),
        Err(e) => e,
    };
    match e {
        Error::InvalidPassword | Error::TooManyAttempts { .. } | Error::Validation(_) => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            let confirm = removal(&auth, &id, &device.name, Some(message));
            confirm::page_again(confirm, auth.user.role, csrf, status)
        }
        e => Err(e.into()),
    }
}

/// The confirmation of removing device `id`, with `error` beside the password field.
fn removal(auth: &Authenticated, id: &str, name: &str, error: Option<String>) -> Confirm {
    Confirm {
        title: "security-push-remove-title",
        section: "security",
        question: tr_with("security-push-remove-question", &[("name", name.into())]),
        // Message ids, as the title is: the confirmation page translates them.
        consequences: vec![
            "security-push-remove-no-requests",
            "security-push-remove-pair-again",
        ],
        action: format!("{PATH}/{id}/remove"),
        button: "security-push-remove-button",
        cancel: "/account/security#push".to_owned(),
        password: Some(AskPassword {
            email: auth.user.email.to_string(),
            error,
        }),
    }
}

fn unknown_device() -> WebError {
    WebError::page(
        StatusCode::NOT_FOUND,
        "error-title-device-not-found",
        "error-device-not-yours",
    )
}

/// The security page again, with the refusal beside the form that caused it.
async fn tile_error(
    state: &AppState,
    auth: &Authenticated,
    csrf: CsrfToken,
    form: &'static str,
    kept: PushKept,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let error = Some(TileError { form, message });
    let response = security_page_with(state, auth, &csrf, None, error, kept, status).await?;
    Ok((csrf, response).into_response())
}
