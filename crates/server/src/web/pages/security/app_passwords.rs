//! `/account/app-passwords`: passwords for mail apps that cannot ask for a second
//! factor. `GET` lists them with their last use; `POST` makes one (with the current password),
//! holds it for this session (`service::held`) and redirects to the list, which shows it once
//! with a copy button: it is never put in a URL, and a reload says it was shown instead of making
//! another. `POST /account/app-passwords/{id}/revoke` deletes one after an "Are you sure?" page
//! (`kit::confirm`). Names, limits, hashing and the email about a new one are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::app_password::{self, AppPasswordInfo};
use portcullis_core::password::Password;
use portcullis_core::service::Reveal;
use portcullis_core::service::{Authenticated, HeldAppPassword, Shown};
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::{tr, tr_with};
use crate::state::AppState;
use crate::web::kit::confirm::{self, Confirm, ConfirmForm};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::{never, when};

pub const PATH: &str = "/account/app-passwords";

#[derive(Template)]
#[template(path = "app_passwords.html")]
struct AppPasswordsPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    /// The password just made, shown this once.
    created: Option<Created>,
    /// What went wrong with the name, and the name to show again.
    error: Option<String>,
    /// What went wrong with the current password.
    password_error: Option<String>,
    name: String,
    rows: Vec<Row>,
}

struct Created {
    name: String,
    password: String,
}

/// An app password as a row of the list.
struct Row {
    id: String,
    name: String,
    created: String,
    /// "never", or "7 December 2026, 14:05 CET from 203.0.113.7".
    last_used: String,
}

impl Row {
    fn new(p: AppPasswordInfo) -> Row {
        let last_used = match (p.last_used_at, p.last_used_ip) {
            (Some(at), Some(ip)) => tr_with(
                "security-app-passwords-used-from",
                &[("date", when(at).into()), ("address", ip.into())],
            ),
            (Some(at), None) => when(at),
            (None, _) => never(),
        };
        Row {
            id: p.id.0,
            name: p.name,
            created: when(p.created_at),
            last_used,
        }
    }
}

#[derive(Default)]
struct Parts {
    notice: Option<Notice>,
    created: Option<Created>,
    error: Option<String>,
    password_error: Option<String>,
    name: String,
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    parts: Parts,
    status: StatusCode,
) -> Result<Response, WebError> {
    let list = state.services.list_app_passwords(auth).await?;
    let page = AppPasswordsPage {
        layout: Layout::signed_in(
            "security-app-passwords-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        notice: parts.notice,
        created: parts.created,
        error: parts.error,
        password_error: parts.password_error,
        name: parts.name,
        rows: list.into_iter().map(Row::new).collect(),
    };
    render(status, &page)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    done: String,
}

/// `GET /account/app-passwords`; after a new one (`?done=created`) it shows the password held
/// for this session, once: a reload says it was shown instead of making another.
pub async fn list(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let mut parts = Parts::default();
    match done.as_str() {
        "revoked" => {
            parts.notice = Some(Notice::success("security-app-passwords-revoked"));
        }
        "created" => match state.services.take_held::<HeldAppPassword>(&auth).await? {
            Shown::Now(held) => {
                parts.created = Some(Created {
                    name: held.name.clone(),
                    password: held.password.clone(),
                });
            }
            Shown::Already => parts.notice = Some(ALREADY_SHOWN),
            Shown::Nothing => {}
        },
        _ => {}
    }
    let response = page(&state, &auth, &csrf, parts, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

/// What a reload of the page that showed a new app password says.
const ALREADY_SHOWN: Notice = Notice::warning("security-app-passwords-already-shown");

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/app-passwords`, with the current password. The new password is held for this
/// session and the answer is a redirect to the list, which shows it once.
pub async fn create(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CreateForm>,
) -> Result<Response, WebError> {
    // The name first, as the services check it, so that each message sits beside its field.
    let early = match app_password::parse_name(&form.name) {
        Err(m) => Some(Parts {
            error: explain(&Error::Validation(m.to_owned())).map(|(_, m)| m),
            ..Parts::default()
        }),
        Ok(_) if form.password.is_empty() => Some(Parts {
            password_error: Some(tr("security-enter-password")),
            ..Parts::default()
        }),
        Ok(_) => None,
    };
    if let Some(parts) = early {
        let parts = Parts {
            name: form.name,
            ..parts
        };
        let response = page(
            &state,
            &auth,
            &csrf,
            parts,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await?;
        return Ok((csrf, response).into_response());
    }
    let password = Password::new(form.password);
    let e = match state
        .services
        .create_app_password(
            &auth,
            &form.name,
            &password,
            Reveal::OnNextPage(&auth.session.id),
            &meta,
        )
        .await
    {
        // The services held it for this session in the transaction that made it.
        Ok(_held) => return Ok(Redirect::to(&format!("{PATH}?done=created")).into_response()),
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let mut parts = Parts {
        name: form.name,
        ..Parts::default()
    };
    match e {
        Error::InvalidPassword | Error::TooManyAttempts { .. } => {
            parts.password_error = Some(message);
        }
        _ => parts.error = Some(message),
    }
    let response = page(&state, &auth, &csrf, parts, status).await?;
    Ok((csrf, response).into_response())
}

/// `POST /account/app-passwords/{id}/revoke`: first the confirmation page, then, with
/// `confirm=yes`, the revocation.
pub async fn revoke(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    if !form.confirmed() {
        let list = state.services.list_app_passwords(&auth).await?;
        let Some(found) = list.into_iter().find(|p| p.id.as_str() == id) else {
            return Err(unknown_app_password());
        };
        let confirm = Confirm {
            title: "security-app-passwords-revoke-title",
            section: "security",
            question: tr_with(
                "security-app-passwords-revoke-question",
                &[("name", found.name.into())],
            ),
            // Message ids, as the title is: the confirmation page translates them.
            consequences: vec![
                "security-app-passwords-revoke-no-sign-in",
                "security-app-passwords-revoke-final",
            ],
            action: format!("{PATH}/{id}/revoke"),
            button: "security-app-passwords-revoke-title",
            cancel: PATH.to_owned(),
            password: None,
        };
        return confirm::page(confirm, auth.user.role, csrf);
    }
    match state.services.revoke_app_password(&auth, &id, &meta).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=revoked")).into_response()),
        Err(Error::NotFound(_)) => Err(unknown_app_password()),
        Err(e) => Err(e.into()),
    }
}

fn unknown_app_password() -> WebError {
    WebError::page(
        StatusCode::NOT_FOUND,
        "error-title-app-password-not-found",
        "error-app-password-not-yours",
    )
}
