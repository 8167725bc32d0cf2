//! Resources (data centres and snapshots, granted to groups, optionally "restricted to
//! users who have 2-factor authentication activated. Other users cannot see or select these
//! resources - even if they belong to an authorized group."). `GET /resources` lists what exists
//! for the signed-in person; owners and administrators also create (`POST /resources`) and manage
//! them (`resource`). Which resources someone sees, and who may protect one, is decided by
//! `portcullis_core::policy` inside the services: this page shows their answer and explains it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::model::ResourceKind;
use serde::Deserialize;

use super::{CreateValues, LIST, Showing, page};
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::form::FormProblem;
use crate::web::kit::page::Notice;
use crate::web::kit::session::{SignedIn, SignedInAdmin};

#[derive(Deserialize, Default)]
pub struct ResourcesQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "created" => Some(Notice::success("admin-resources-notice-created")),
        "saved" => Some(Notice::success("admin-resources-notice-saved")),
        "granted" => Some(Notice::success("admin-resources-notice-granted")),
        "revoked" => Some(Notice::success("admin-resources-notice-revoked")),
        "deleted" => Some(Notice::success("admin-resources-notice-deleted")),
        _ => None,
    }
}

/// `GET /resources`
pub async fn list(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<ResourcesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let showing = Showing {
        status: StatusCode::OK,
        notice: notice(&done),
        problem: None,
        create: CreateValues::default(),
    };
    let response = page(&state, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    requires_2fa: String,
}

/// `POST /resources`
pub async fn create(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CreateForm>,
) -> Result<Response, WebError> {
    let requires_2fa = !form.requires_2fa.is_empty();
    let values = CreateValues {
        kind: ResourceKind::parse(&form.kind).unwrap_or(ResourceKind::Datacenter),
        name: form.name.clone(),
        requires_2fa,
    };
    let e = match ResourceKind::parse(&form.kind) {
        None => {
            let problem = FormProblem::new("create", "", tr("admin-resources-choose-kind"));
            let showing = Showing {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                notice: None,
                problem: Some(problem),
                create: values,
            };
            let response = page(&state, &auth, &csrf, showing).await?;
            return Ok((csrf, response).into_response());
        }
        Some(kind) => match state
            .services
            .create_resource(&admin, kind, &form.name, requires_2fa, &meta)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("{LIST}?done=created")).into_response()),
            Err(e) => e,
        },
    };
    let Some(showing) = Showing::refused("create".into(), &e, values) else {
        return Err(e.into());
    };
    let response = page(&state, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}
