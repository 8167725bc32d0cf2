//! The RADIUS clients of a contract (VPN concentrators, Wi-Fi controllers, `pam_radius` hosts),
//! for its owner and administrators: `GET /admin/radius-clients` lists them (and shows a new
//! shared secret once), `POST /admin/radius-clients` adds one, and
//! `POST /admin/radius-clients/{id}/remove` removes one after a confirmation page. The new
//! secret is held for this session and the form redirects to the list, which takes it once: a
//! reload or the back button finds "already shown", never the secret.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::radius::{DEFAULT_PUSH_TIMEOUT_SECS, RadiusClient, RadiusMode};
use portcullis_core::service::radius::{HeldRadiusSecret, NewRadiusClient};
use portcullis_core::service::{AdminSession, Authenticated, Reveal, Shown};
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr_with;
use crate::state::AppState;
use crate::web::kit::confirm::{self, Confirm, ConfirmForm};
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;

pub const LIST: &str = "/admin/radius-clients";

#[derive(Template)]
#[template(path = "admin_radius_clients.html")]
struct ClientsPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    /// A secret made by the last form, shown this once.
    secret: Option<HeldRadiusSecret>,
    clients: Vec<RadiusClient>,
    /// The add form as it was sent, after a problem.
    draft: AddForm,
}

impl ClientsPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }

    /// The modes of the select, the default first: (value, message id of its label).
    fn modes(&self) -> Vec<(&'static str, &'static str)> {
        RadiusMode::ALL
            .into_iter()
            .map(|m| (m.as_str(), mode_label(m)))
            .collect()
    }

    /// The message id of a listed client's mode.
    fn mode_of(&self, client: &RadiusClient) -> &'static str {
        mode_label(client.mode)
    }

    /// Is `mode` the one the draft chose (the default when it chose none)?
    fn is_mode(&self, mode: &str) -> bool {
        match self.draft.mode.as_str() {
            "" => mode == RadiusMode::PasswordAndCode.as_str(),
            chosen => chosen == mode,
        }
    }
}

/// The message id that names a mode for a person.
fn mode_label(mode: RadiusMode) -> &'static str {
    match mode {
        RadiusMode::PasswordAndCode => "admin-radius-mode-password-code",
        RadiusMode::Challenge => "admin-radius-mode-challenge",
        RadiusMode::Push => "admin-radius-mode-push",
        RadiusMode::CodeOnly => "admin-radius-mode-code-only",
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    mode: String,
    /// Seconds, as typed; empty: the default.
    #[serde(default)]
    push_timeout: String,
}

impl Default for AddForm {
    fn default() -> Self {
        AddForm {
            name: String::new(),
            address: String::new(),
            mode: String::new(),
            push_timeout: DEFAULT_PUSH_TIMEOUT_SECS.to_string(),
        }
    }
}

impl AddForm {
    /// What the use case is asked for; a mode or timeout that does not parse is refused with
    /// the core's own words.
    fn new_client(&self) -> Result<NewRadiusClient, Error> {
        let mode = match self.mode.trim() {
            "" => RadiusMode::PasswordAndCode,
            name => RadiusMode::parse(name)?,
        };
        let push_timeout_secs = match self.push_timeout.trim() {
            "" => None,
            secs => Some(
                secs.parse::<u32>()
                    .map_err(|_| Error::Validation("push timeout is 1 to 600 seconds".into()))?,
            ),
        };
        Ok(NewRadiusClient {
            name: self.name.clone(),
            address: self.address.clone(),
            mode,
            push_timeout_secs,
        })
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "removed" => Some(Notice::success("admin-radius-notice-removed")),
        _ => None,
    }
}

/// What a reload of the page that showed a new secret says.
const ALREADY_SHOWN: Notice = Notice::warning("admin-radius-notice-already-shown");

#[derive(Default)]
struct Parts {
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    secret: Option<HeldRadiusSecret>,
    draft: AddForm,
}

async fn page(
    state: &AppState,
    (admin, auth): (&AdminSession, &Authenticated),
    csrf: &CsrfToken,
    parts: Parts,
    status: StatusCode,
) -> Result<Response, WebError> {
    let clients = state.services.list_radius_clients(admin).await?;
    let page = ClientsPage {
        layout: Layout::signed_in("admin-radius-title", "radius", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice: parts.notice,
        problem: parts.problem,
        secret: parts.secret,
        clients,
        draft: parts.draft,
    };
    render(status, &page)
}

/// `GET /admin/radius-clients`; after a new client (`?done=secret`) it shows the secret held
/// for this session, once.
pub async fn list(
    State(state): State<AppState>,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let mut parts = Parts {
        notice: notice(&done),
        ..Parts::default()
    };
    if done == "secret" {
        match state.services.take_held::<HeldRadiusSecret>(&auth).await? {
            Shown::Now(held) => parts.secret = Some(held),
            Shown::Already => parts.notice = Some(ALREADY_SHOWN),
            Shown::Nothing => {}
        }
    }
    let response = page(&state, (&admin, &auth), &csrf, parts, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

/// The page again with the services' answer beside the form it concerns.
async fn refused(
    state: &AppState,
    who: (&AdminSession, &Authenticated),
    csrf: CsrfToken,
    form: &str,
    draft: AddForm,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let parts = Parts {
        problem: Some(FormProblem::new(form.to_owned(), "", message)),
        draft,
        ..Parts::default()
    };
    let response = page(state, who, &csrf, parts, status).await?;
    Ok((csrf, response).into_response())
}

/// `POST /admin/radius-clients`
pub async fn add(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<AddForm>,
) -> Result<Response, WebError> {
    let who = (&admin, &auth);
    let new = match form.new_client() {
        Ok(new) => new,
        Err(e) => return refused(&state, who, csrf, "add", form, e).await,
    };
    let reveal = Reveal::OnNextPage(&auth.session.id);
    match state
        .services
        .add_radius_client(&admin, &new, reveal, &meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=secret")).into_response()),
        Err(e) => refused(&state, who, csrf, "add", form, e).await,
    }
}

/// `POST /admin/radius-clients/{id}/remove`: first the confirmation page, then with
/// `confirm=yes` the removal. The id (not the name, which may hold any character) names the
/// client in the address; the use case removes by name.
pub async fn remove(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let who = (&admin, &auth);
    let client = state
        .services
        .list_radius_clients(&admin)
        .await?
        .into_iter()
        .find(|c| c.id.as_str() == id);
    let Some(client) = client else {
        let e = Error::NotFound("RADIUS client");
        return refused(&state, who, csrf, "list", AddForm::default(), e).await;
    };
    if !form.confirmed() {
        let confirm = Confirm {
            title: "admin-radius-confirm-title",
            section: "radius",
            question: tr_with(
                "admin-radius-confirm-question",
                &[("name", client.name.clone().into())],
            ),
            consequences: vec!["admin-radius-confirm-consequence"],
            action: format!("{LIST}/{id}/remove"),
            button: "admin-radius-remove",
            cancel: LIST.to_owned(),
            password: None,
        };
        return confirm::page(confirm, auth.user.role, csrf);
    }
    match state
        .services
        .remove_radius_client(&admin, &client.name, &meta)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{LIST}?done=removed")).into_response()),
        Err(e) => refused(&state, who, csrf, "list", AddForm::default(), e).await,
    }
}
