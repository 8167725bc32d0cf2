//! `/account/app-passwords`: passwords for mail apps that cannot ask for a second
//! factor. `GET` lists them with their last use; `POST` makes one and shows it on its own
//! response, once, with a copy button (it is never put in a URL or kept by this layer);
//! `POST /account/app-passwords/{id}/revoke` deletes one. Names, limits, hashing and the email
//! about a new one are the services'.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::app_password::AppPasswordInfo;
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use super::csrf::{CsrfToken, NoFields, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, Notice, render};
use super::session::SignedIn;
use super::view::when;
use crate::api::extract::Meta;
use crate::state::AppState;

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
    /// "never", or "2025-03-14 09:26 UTC from 203.0.113.7".
    last_used: String,
}

impl Row {
    fn new(p: AppPasswordInfo) -> Row {
        let last_used = match (p.last_used_at, p.last_used_ip) {
            (Some(at), Some(ip)) => format!("{} from {ip}", when(at)),
            (Some(at), None) => when(at),
            (None, _) => "never".to_owned(),
        };
        Row {
            id: p.id,
            name: p.name,
            created: when(p.created_at),
            last_used,
        }
    }
}

struct Parts {
    notice: Option<Notice>,
    created: Option<Created>,
    error: Option<String>,
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
        layout: Layout::signed_in("App passwords", "security", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice: parts.notice,
        created: parts.created,
        error: parts.error,
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

/// `GET /account/app-passwords`
pub async fn list(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let notice = (done == "revoked").then_some(Notice::success(
        "The app password was revoked. Apps that used it can no longer sign in with it.",
    ));
    let parts = Parts {
        notice,
        created: None,
        error: None,
        name: String::new(),
    };
    let response = page(&state, &auth, &csrf, parts, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
}

/// `POST /account/app-passwords`
pub async fn create(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CreateForm>,
) -> Result<Response, WebError> {
    let (parts, status) = match state
        .services
        .create_app_password(&auth, &form.name, &meta)
        .await
    {
        Ok((info, password)) => {
            let created = Created {
                name: info.name,
                password: password.display(),
            };
            let parts = Parts {
                notice: None,
                created: Some(created),
                error: None,
                name: String::new(),
            };
            (parts, StatusCode::OK)
        }
        Err(e) => {
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            let parts = Parts {
                notice: None,
                created: None,
                error: Some(message),
                name: form.name,
            };
            (parts, status)
        }
    };
    let response = page(&state, &auth, &csrf, parts, status).await?;
    Ok((csrf, response).into_response())
}

/// `POST /account/app-passwords/{id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match state.services.revoke_app_password(&auth, &id, &meta).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=revoked")).into_response()),
        Err(Error::NotFound(_)) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "App password not found",
            "That app password was already revoked or is not one of yours.",
        )),
        Err(e) => Err(e.into()),
    }
}
