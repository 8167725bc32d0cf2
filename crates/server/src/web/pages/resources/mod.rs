//! Resources (data centres and snapshots, granted to groups, optionally only for people signed
//! in with a second factor): the list everyone sees and admins create in (`list`), and the forms
//! that manage one resource (`resource`). Both answer with the same list page, shown again with
//! a notice or with the services' refusal beside the form it concerns; that page is here. Which
//! resources someone sees, and who may protect one, is decided by `portcullis_core::policy`
//! inside the services: the page shows their answer and explains it.

pub mod list;
pub mod resource;

use crate::i18n::filters;
use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use portcullis_core::Error;
use portcullis_core::model::{GroupId, ResourceKind};
use portcullis_core::service::Authenticated;

use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::CsrfToken;
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::view::kind_label;

/// The list, where every resource form reports back.
const LIST: &str = "/resources";

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
    kind: String,
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
struct CreateValues {
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
    label: String,
    selected: bool,
}

/// How the page is shown this time: after a redirect with a notice, or again after a problem.
struct Showing {
    status: StatusCode,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    create: CreateValues,
}

impl Showing {
    /// The page again with the services' answer beside the form it concerns; `None` for failures
    /// that are not the person's to fix.
    fn refused(form: String, e: &Error, create: CreateValues) -> Option<Showing> {
        let (status, message) = explain(e)?;
        Some(Showing {
            status,
            notice: None,
            problem: Some(FormProblem::new(form, "", message)),
            create,
        })
    }
}

/// The list for `auth`, shown as `showing` says.
async fn page(
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
        name: names
            .get(id)
            .map(|name| (*name).to_owned())
            .unwrap_or_else(|| tr("admin-resources-unknown-group")),
    };
    let second_factor = auth.session.second_factor;
    let has_two_factor =
        second_factor || state.services.two_factor_summary(&auth.user).await?.enabled;
    let rows = resources
        .iter()
        .map(|r| ResourceRow {
            id: r.id.to_string(),
            name: r.name.clone(),
            kind: kind_label(r.kind).to_string(),
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
            label: kind_label(k).to_string(),
            selected: k == create.kind,
        })
        .collect();
    let page = ResourcesPage {
        layout: Layout::signed_in(
            "admin-resources-title",
            "resources",
            csrf.value(),
            auth.user.role,
        ),
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
