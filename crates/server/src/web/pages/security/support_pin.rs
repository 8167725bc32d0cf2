//! `GET|POST /account/support-pin`: the account holder sets or changes the PIN that
//! support asks for on the phone. The page shows whether one is set and since when, never the PIN;
//! the rules of a good PIN, the hashing and the email about the change are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::FormError;
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::when;

pub const PATH: &str = "/account/support-pin";

#[derive(Template)]
#[template(path = "support_pin.html")]
struct SupportPinPage {
    layout: Layout,
    csrf: String,
    /// When the PIN was last set, in words; `None` while there is none.
    changed: Option<String>,
    notice: Option<Notice>,
    error: Option<FormError>,
}

impl SupportPinPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    error: Option<FormError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let changed = state.services.support_pin_changed_at(&auth.user).await?;
    let page = SupportPinPage {
        layout: Layout::signed_in(
            "security-pin-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        changed: changed.map(when),
        notice,
        error,
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
pub struct PinQuery {
    #[serde(default)]
    done: String,
}

/// `GET /account/support-pin`
pub async fn form(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<PinQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let notice = (done == "pin_set").then_some(Notice::success("security-pin-done"));
    let response = page(&state, &auth, &csrf, notice, None, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct PinForm {
    pin: String,
    pin_confirm: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/support-pin`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PinForm>,
) -> Result<Response, WebError> {
    let (status, error) = if form.pin.trim() != form.pin_confirm.trim() {
        let error = FormError {
            field: "pin_confirm",
            message: tr("security-pin-mismatch"),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, error)
    } else {
        let password = Password::new(form.password);
        let e = match state
            .services
            .set_support_pin(&auth, &form.pin, &password, &meta)
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("{PATH}?done=pin_set")).into_response()),
            Err(e) => e,
        };
        let Some((status, message)) = explain(&e) else {
            return Err(e.into());
        };
        // The services look at the PIN first (`InvalidPin`), then at the password: an empty
        // one is a `Validation` error, a wrong one `InvalidPassword`.
        let field = match e {
            Error::InvalidPassword | Error::TooManyAttempts { .. } | Error::Validation(_) => {
                "password"
            }
            _ => "pin",
        };
        (status, FormError { field, message })
    };
    let response = page(&state, &auth, &csrf, None, Some(error), status).await?;
    Ok((csrf, response).into_response())
}
