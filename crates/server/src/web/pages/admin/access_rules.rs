//! Access rules of forward authentication, for owners and administrators:
//! `GET /admin/access-rules` lists the contract's rules, `POST /admin/access-rules` adds one,
//! `POST /admin/access-rules/{id}/remove` removes one. The services check every field and that
//! the rule belongs to the admin's contract; this page only shows their answer beside the form.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::access::AccessPolicy;
use portcullis_core::model::AccessRuleId;
use portcullis_core::service::{AdminSession, Authenticated, NewAccessRule};
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;

const LIST: &str = "/admin/access-rules";

#[derive(Template)]
#[template(path = "admin_access_rules.html")]
struct RulesPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    rules: Vec<RuleRow>,
    /// The contract's group names, as a hint beside the groups field.
    group_names: String,
    /// The add form as it was sent, after a problem.
    form: AddForm,
}

impl RulesPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }
    fn selected(&self, policy: &str) -> bool {
        self.form.policy == policy
    }
}

struct RuleRow {
    id: String,
    host: String,
    path_prefix: String,
    /// A message id.
    policy: &'static str,
    groups: String,
}

/// The message id of who a rule lets in.
fn policy_label(p: AccessPolicy) -> &'static str {
    match p {
        AccessPolicy::Public => "admin-rules-policy-public",
        AccessPolicy::SignedIn => "admin-rules-policy-signed-in",
        AccessPolicy::TwoFactor => "admin-rules-policy-two-factor",
    }
}

#[derive(Deserialize, Default)]
pub struct RulesQuery {
    #[serde(default)]
    done: String,
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    path_prefix: String,
    #[serde(default)]
    policy: String,
    /// Group names, separated by commas.
    #[serde(default)]
    groups: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "added" => Some(Notice::success("admin-rules-notice-added")),
        "removed" => Some(Notice::success("admin-rules-notice-removed")),
        _ => None,
    }
}

async fn page(
    state: &AppState,
    (admin, auth): (&AdminSession, &Authenticated),
    csrf: &CsrfToken,
    notice: Option<Notice>,
    problem: Option<(StatusCode, FormProblem)>,
    form: AddForm,
) -> Result<Response, WebError> {
    let rules = state.services.list_access_rules(admin).await?;
    let groups = state.services.list_groups(admin).await?;
    let rules = rules
        .into_iter()
        .map(|r| RuleRow {
            id: r.rule.id.to_string(),
            host: r.rule.host,
            path_prefix: r.rule.path_prefix,
            policy: policy_label(r.rule.policy),
            groups: if r.group_names.is_empty() {
                tr("admin-rules-everyone")
            } else {
                r.group_names.join(", ")
            },
        })
        .collect();
    let group_names = groups
        .iter()
        .map(|g| g.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (status, problem) = match problem {
        Some((status, problem)) => (status, Some(problem)),
        None => (StatusCode::OK, None),
    };
    let page = RulesPage {
        layout: Layout::signed_in(
            "admin-rules-title",
            "access-rules",
            csrf.value(),
            auth.user.role,
        ),
        csrf: csrf.value().to_owned(),
        notice,
        problem,
        rules,
        group_names,
        form,
    };
    render(status, &page)
}

/// `GET /admin/access-rules`
pub async fn list(
    State(state): State<AppState>,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    query: Result<Query<RulesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let form = AddForm {
        path_prefix: "/".into(),
        policy: "signed-in".into(),
        ..AddForm::default()
    };
    let response = page(&state, (&admin, &auth), &csrf, notice(&done), None, form).await?;
    Ok((csrf, response).into_response())
}

/// The page again with the services' answer beside the form it concerns.
async fn refused(
    state: &AppState,
    who: (&AdminSession, &Authenticated),
    csrf: CsrfToken,
    form_name: &str,
    form: AddForm,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    refused_with(state, who, csrf, form_name, form, (status, message)).await
}

/// The page again with `message` beside the form it concerns.
async fn refused_with(
    state: &AppState,
    who: (&AdminSession, &Authenticated),
    csrf: CsrfToken,
    form_name: &str,
    form: AddForm,
    (status, message): (StatusCode, String),
) -> Result<Response, WebError> {
    let problem = FormProblem::new(form_name.to_owned(), "", message);
    let response = page(state, who, &csrf, None, Some((status, problem)), form).await?;
    Ok((csrf, response).into_response())
}

/// `POST /admin/access-rules`
pub async fn add(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<AddForm>,
) -> Result<Response, WebError> {
    let Some(policy) = AccessPolicy::parse(&form.policy) else {
        let message = (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr("admin-rules-choose-policy"),
        );
        return refused_with(&state, (&admin, &auth), csrf, "add", form, message).await;
    };
    let groups: Vec<String> = form
        .groups
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    let prefix = Some(form.path_prefix.trim()).filter(|p| !p.is_empty());
    let new = NewAccessRule {
        host: &form.host,
        path_prefix: prefix,
        policy,
        groups: &groups,
    };
    match state.services.create_access_rule(&admin, new, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=added")).into_response()),
        Err(e) => refused(&state, (&admin, &auth), csrf, "add", form, e).await,
    }
}

/// `POST /admin/access-rules/{id}/remove`
pub async fn remove(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .remove_access_rule(&admin, &AccessRuleId(id), &meta)
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=removed")).into_response()),
        Err(e) => {
            let form = AddForm::default();
            refused(&state, (&admin, &auth), csrf, "list", form, e).await
        }
    }
}
