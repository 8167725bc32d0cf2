//! `GET /account/security/connected-apps` and `POST …/{client_id}/revoke`: the applications a
//! person allowed to sign them in (OpenID Connect consents), and revoking one, which also ends
//! every token that application holds for them. First-party applications never ask for consent
//! and so are not listed. The consents and the revocation are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::oidc::request::scope_words;
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::when;

pub const PATH: &str = "/account/security/connected-apps";

struct Row {
    client_id: String,
    name: String,
    granted: String,
    claims: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "connected_apps.html")]
struct ConnectedAppsPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

/// `GET /account/security/connected-apps`
pub async fn list(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<Done>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let rows = state
        .services
        .connected_apps(&auth)
        .await?
        .into_iter()
        .map(|app| Row {
            claims: app.scope.split(' ').filter_map(scope_words).collect(),
            client_id: app.client_id,
            name: app.name,
            granted: when(app.granted_at),
        })
        .collect();
    let page = ConnectedAppsPage {
        layout: Layout::signed_in(
            "security-apps-title",
            "security",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        notice: (done == "revoked").then_some(Notice::success("security-apps-revoked")),
        rows,
    };
    let response = render(StatusCode::OK, &page)?;
    Ok((csrf, response).into_response())
}

/// `POST /account/security/connected-apps/{client_id}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    Path(client_id): Path<String>,
    VerifiedForm(_): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match state
        .services
        .revoke_connected_app(&auth, &client_id, &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=revoked")).into_response()),
        Err(Error::NotFound(_)) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-not-found",
            "error-app-not-connected",
        )),
        Err(e) => Err(e.into()),
    }
}
