//! Security keys and passkeys on the security page. `GET /account/security/webauthn/add` starts
//! a ceremony and shows the name field and the button (`static/webauthn.js` asks the
//! authenticator and sends the answer with the form); `POST` of the same path adds the key: as the
//! account's first factor it switches two-factor authentication on and leads to the recovery
//! codes, held for this session and shown once, as the authenticator app's activation does;
//! otherwise back to the security page. `POST …/{id}/rename` renames a key and `POST …/{id}/remove`
//! removes one with the current password. The keys are listed in the security page's tile.
//! Ceremonies, names, who may remove what, audit rows and notices are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use super::{PushKept, TileError, security_page_with};
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::ceremony::{self, Ceremony};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormError, PasswordForm};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::paths;
use crate::web::kit::session::SignedIn;

/// The page that adds a key, and where its form posts.
pub const ADD: &str = "/account/security/webauthn/add";

/// Back to the tile, with one of the overview's fixed notices.
fn back(done: &str) -> Redirect {
    Redirect::to(&format!("/account/security?done={done}#webauthn"))
}

#[derive(Template)]
#[template(path = "webauthn_add.html")]
struct AddPage {
    layout: Layout,
    csrf: String,
    ceremony: Ceremony,
    /// The name typed before a refusal.
    name: String,
    error: Option<FormError>,
}

impl AddPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The add page with a fresh ceremony: the first visit, a reload, the way back, and every
/// refusal (a ceremony answers once, so a second try needs a new one).
async fn add_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: CsrfToken,
    meta: &portcullis_core::model::RequestMeta,
    name: String,
    error: Option<FormError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let start = state
        .services
        .start_webauthn_registration(auth, meta)
        .await?;
    let page = AddPage {
        layout: Layout::signed_in(
            "security-keys-add",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        ceremony: Ceremony::started(&start),
        name,
        error,
    };
    Ok((csrf, render(status, &page)?).into_response())
}

/// `GET /account/security/webauthn/add`
pub async fn add_form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    add_page(
        &state,
        &auth,
        csrf,
        &meta,
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    credential: String,
}

/// `POST /account/security/webauthn/add`
pub async fn add(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<AddForm>,
) -> Result<Response, WebError> {
    let refused = |field: &'static str, message: &str, status| {
        let error = FormError {
            field,
            message: words(message),
        };
        (error, status)
    };
    let answer = match ceremony::answer(&form.credential) {
        Ok(answer) => answer,
        Err(message) => {
            let (error, status) = refused("", message, StatusCode::UNPROCESSABLE_ENTITY);
            return add_page(&state, &auth, csrf, &meta, form.name, Some(error), status).await;
        }
    };
    let token = Token::from_client(&form.ceremony);
    let e = match state
        .services
        .finish_webauthn_registration(&auth, &token, &form.name, &answer, &meta)
        .await
    {
        // The first factor: the services held the new recovery codes for this session.
        Ok(added) if !added.recovery_codes.is_empty() => {
            return Ok(Redirect::to(paths::RECOVERY_CODES_AFTER_KEY).into_response());
        }
        Ok(_) => return Ok(back("key_added").into_response()),
        Err(e) => e,
    };
    let (error, status) = match &e {
        Error::InvalidCeremony => refused("", ceremony::TOO_LATE, StatusCode::BAD_REQUEST),
        Error::Validation(_) => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            refused("name", &message, status)
        }
        _ => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            refused("", &message, status)
        }
    };
    add_page(&state, &auth, csrf, &meta, form.name, Some(error), status).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/security/webauthn/{id}/rename`
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
        .rename_webauthn_credential(&auth, &id, &form.name, &meta)
        .await
    {
        Ok(_) => Ok(back("key_renamed").into_response()),
        Err(Error::NotFound(_)) => Err(unknown_key()),
        Err(e) => tile_error(&state, &auth, csrf, "key-rename", id, e).await,
    }
}

/// `POST /account/security/webauthn/{id}/remove`: needs the current password, as removing the
/// authenticator app does.
pub async fn remove(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    match state
        .services
        .remove_webauthn_credential(&auth, &id, &password, &meta)
        .await
    {
        Ok(()) => Ok(back("key_removed").into_response()),
        Err(Error::NotFound(_)) => Err(unknown_key()),
        Err(e) => tile_error(&state, &auth, csrf, "key-remove", id, e).await,
    }
}

/// The words of a sentence the ceremony kit gives: a message id once it has one, else its words
/// already (an explained failure is in the page's language either way).
fn words(message: &str) -> String {
    if crate::i18n::has(crate::i18n::language(), message) {
        crate::i18n::tr(message)
    } else {
        message.to_owned()
    }
}

fn unknown_key() -> WebError {
    WebError::page(
        StatusCode::NOT_FOUND,
        "error-title-key-not-found",
        "error-key-not-yours",
    )
}

/// The security page again, with the refusal beside the key's form, which stays open.
async fn tile_error(
    state: &AppState,
    auth: &Authenticated,
    csrf: CsrfToken,
    form: &'static str,
    id: String,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let error = Some(TileError { form, message });
    let kept = PushKept {
        renaming: Some(id),
        ..PushKept::default()
    };
    let response = security_page_with(state, auth, &csrf, None, error, kept, status).await?;
    Ok((csrf, response).into_response())
}
