//! Resources (data centres and snapshots, granted to groups, optionally "restricted to
//! users who have 2-factor authentication activated. Other users cannot see or select these
//! resources - even if they belong to an authorized group."). `GET /resources` lists what exists
//! for the signed-in person; owners and administrators also create (`POST /resources`) and manage
//! them (`resource`). Which resources someone sees, and who may protect one, is decided by
//! `portcullis_core::policy` inside the services: this page shows their answer and explains it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{GroupId, ResourceKind};
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{FormProblem, Layout, Notice, problem_for, render};
use super::session::{SignedIn, SignedInAdmin};
use super::view::kind_label;
use crate::http::Meta;
use crate::state::AppState;

pub const LIST: &str = "/resources";

#[derive(Template)]
#[template(path = "resources.html")]
struct ResourcesPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    /// An owner or administrator: the forms to create and manage resources.
    admin: bool,
    /// This session was signed in with a second factor, so protected resources exist for it.
    second_factor: bool,
    /// The person has an authenticator app to sign in with (asked only without `second_factor`).
    has_two_factor: bool,
    resources: Vec<ResourceRow>,
    create: CreateValues,
    kinds: Vec<KindOption>,
}

impl ResourcesPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }
}

struct ResourceRow {
    id: String,
    name: String,
    kind: &'static str,
    protected: bool,
    /// The groups it is granted to (admins only; a user is told nothing about groups).
    granted: Vec<GroupRef>,
    /// The groups it could still be granted to.
    grantable: Vec<GroupRef>,
}

impl ResourceRow {
    fn form(&self) -> String {
        format!("resource-{}", self.id)
    }
}

struct GroupRef {
    id: String,
    name: String,
}

/// What the create form shows again after a problem.
pub struct CreateValues {
    kind: ResourceKind,
    name: String,
    requires_2fa: bool,
}

impl Default for CreateValues {
    fn default() -> Self {
        CreateValues {
            kind: ResourceKind::Datacenter,
            name: String::new(),
            requires_2fa: false,
        }
    }
}

struct KindOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Deserialize, Default)]
pub struct ResourcesQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "created" => Some(Notice::success("The resource was created.")),
        "saved" => Some(Notice::success("The resource was saved.")),
        "granted" => Some(Notice::success("The resource was granted to the group.")),
        "revoked" => Some(Notice::success(
            "The resource was withdrawn from the group.",
        )),
        "deleted" => Some(Notice::success("The resource was deleted.")),
        _ => None,
    }
}

/// How the page is shown this time: after a redirect with a notice, or again after a problem.
pub struct Showing {
    pub status: StatusCode,
    pub notice: Option<Notice>,
    pub problem: Option<FormProblem>,
    pub create: CreateValues,
}

impl Showing {
    /// The page again with the services' answer beside the form it concerns; `None` for failures
    /// that are not the person's to fix.
    pub fn refused(form: String, e: &Error, create: CreateValues) -> Option<Showing> {
        let (status, message) = explain(e)?;
        Some(Showing {
            status,
            notice: None,
            problem: Some(FormProblem::new(form, "", message)),
            create,
        })
    }
}

pub async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    showing: Showing,
) -> Result<Response, WebError> {
    let resources = state.services.list_resources(auth).await?;
    let admin = state.services.admin_session(auth).ok();
    let groups = match &admin {
        Some(admin) => state.services.list_groups(admin).await?,
        None => Vec::new(),
    };
    let names: HashMap<&GroupId, &str> = groups.iter().map(|g| (&g.id, g.name.as_str())).collect();
    let group_ref = |id: &GroupId| GroupRef {
        id: id.to_string(),
        name: names.get(id).copied().unwrap_or("Unknown group").to_owned(),
    };
    let second_factor = auth.session.second_factor;
    let has_two_factor =
        second_factor || state.services.two_factor_summary(&auth.user).await?.enabled;
    let rows = resources
        .iter()
        .map(|r| ResourceRow {
            id: r.id.to_string(),
            name: r.name.clone(),
            kind: kind_label(r.kind),
            protected: r.requires_2fa,
            granted: r
                .groups
                .iter()
                .filter(|_| admin.is_some())
                .map(group_ref)
                .collect(),
            grantable: groups
                .iter()
                .filter(|g| !r.groups.contains(&g.id))
                .map(|g| group_ref(&g.id))
                .collect(),
        })
        .collect();
    let Showing {
        status,
        notice,
        problem,
        create,
    } = showing;
    let kinds = [ResourceKind::Datacenter, ResourceKind::Snapshot]
        .into_iter()
        .map(|k| KindOption {
            value: k.as_str(),
            label: kind_label(k),
            selected: k == create.kind,
        })
        .collect();
    let page = ResourcesPage {
        layout: Layout::signed_in("Resources", "resources", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice,
        problem,
        admin: admin.is_some(),
        second_factor,
        has_two_factor,
        resources: rows,
        create,
        kinds,
    };
    render(status, &page)
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
        None => Error::Validation("choose a data centre or a snapshot".into()),
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
