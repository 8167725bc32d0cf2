//! Groups (resources are granted to groups of users): `GET /admin/groups` lists them
//! with their members, `POST /admin/groups` creates one, `POST /admin/groups/{id}/members` adds a
//! person and `POST /admin/groups/{id}/members/{user}/remove` takes one out. Owners and
//! administrators only; the services check that group and person belong to their contract.

use crate::i18n::filters;
use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{GroupId, UserId};
use portcullis_core::service::{AdminSession, Authenticated};
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;

const LIST: &str = "/admin/groups";

#[derive(Template)]
#[template(path = "admin_groups.html")]
struct GroupsPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    groups: Vec<GroupCard>,
    /// The create form's name after a problem.
    name: String,
}

impl GroupsPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }
}

struct GroupCard {
    id: String,
    name: String,
    members: Vec<Person>,
    /// Everyone in the contract who is not a member yet, for the "Add member" select.
    others: Vec<Person>,
}

impl GroupCard {
    /// The form name its problems are filed under.
    fn form(&self) -> String {
        format!("group-{}", self.id)
    }
}

struct Person {
    id: String,
    email: String,
}

#[derive(Deserialize, Default)]
pub struct GroupsQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "group_created" => Some(Notice::success("admin-groups-notice-created")),
        "member_added" => Some(Notice::success("admin-groups-notice-member-added")),
        "member_removed" => Some(Notice::success("admin-groups-notice-member-removed")),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    problem: Option<(StatusCode, FormProblem)>,
    name: String,
) -> Result<Response, WebError> {
    let groups = state.services.list_groups(admin).await?;
    let users = state.services.list_users(admin).await?;
    let email: HashMap<&UserId, String> = users
        .iter()
        .map(|m| (&m.user.id, m.user.email.to_string()))
        .collect();
    let person = |id: &UserId| Person {
        id: id.to_string(),
        email: email.get(id).cloned().unwrap_or_else(|| id.to_string()),
    };
    let groups = groups
        .iter()
        .map(|g| GroupCard {
            id: g.id.to_string(),
            name: g.name.clone(),
            members: g.members.iter().map(person).collect(),
            others: users
                .iter()
                .filter(|m| !g.members.contains(&m.user.id))
                .map(|m| person(&m.user.id))
                .collect(),
        })
        .collect();
    let (status, problem) = match problem {
        Some((status, problem)) => (status, Some(problem)),
        None => (StatusCode::OK, None),
    };
    let page = GroupsPage {
        layout: Layout::signed_in("admin-groups-title", "groups", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice,
        problem,
        groups,
        name,
    };
    render(status, &page)
}

/// `GET /admin/groups`
pub async fn list(
    State(state): State<AppState>,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    query: Result<Query<GroupsQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let response = page(
        &state,
        &admin,
        &auth,
        &csrf,
        notice(&done),
        None,
        String::new(),
    )
    .await?;
    Ok((csrf, response).into_response())
}

/// The page again with the services' answer beside the form it concerns.
async fn refused(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: CsrfToken,
    form: String,
    name: String,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let problem = FormProblem::new(form, "", message);
    let response = page(
        state,
        admin,
        auth,
        &csrf,
        None,
        Some((status, problem)),
        name,
    )
    .await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
}

/// `POST /admin/groups`
pub async fn create(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<CreateForm>,
) -> Result<Response, WebError> {
    match state.services.create_group(&admin, &form.name, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=group_created")).into_response()),
        Err(e) => refused(&state, &admin, &auth, csrf, "create".into(), form.name, e).await,
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    user: String,
}

/// `POST /admin/groups/{id}/members`
pub async fn add_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<MemberForm>,
) -> Result<Response, WebError> {
    let group = GroupId(id);
    let result = state
        .services
        .add_group_member(&admin, &group, &UserId(form.user), &meta)
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{LIST}?done=member_added")).into_response()),
        Err(e) => {
            let form = format!("group-{group}");
            refused(&state, &admin, &auth, csrf, form, String::new(), e).await
        }
    }
}

/// `POST /admin/groups/{id}/members/{user}/remove`
pub async fn remove_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path((id, user)): Path<(String, String)>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let group = GroupId(id);
    let result = state
        .services
        .remove_group_member(&admin, &group, &UserId(user), &meta)
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{LIST}?done=member_removed")).into_response()),
        Err(e) => {
            let form = format!("group-{group}");
            refused(&state, &admin, &auth, csrf, form, String::new(), e).await
        }
    }
}
