//! The OpenID Connect clients of a contract, for its owner and administrators:
//! `GET /admin/oidc-clients` lists them (and shows a new secret once), `POST /admin/oidc-clients`
//! registers one, `POST /admin/oidc-clients/{client_id}` changes it, `…/secret` gives it a new
//! secret and `…/delete` deletes it. A new secret is held for this session by the service, in the
//! transaction that makes it, and the form redirects to the list, which takes it once: a reload
//! or the back button finds "already shown", never the secret.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::oidc::jose::Alg;
use portcullis_core::service::oidc::{
    HeldOidcSecret, NewOidcClient, OidcClientChange, OidcClientView, parse_id_token_alg,
};
use portcullis_core::service::{AdminSession, Authenticated, Reveal, Shown};
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;

pub const LIST: &str = "/admin/oidc-clients";

#[derive(Template)]
#[template(path = "admin_oidc_clients.html")]
struct ClientsPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    /// A secret made by the last form, shown this once.
    secret: Option<HeldOidcSecret>,
    clients: Vec<OidcClientView>,
    /// The create form as it was sent, after a problem.
    draft: ClientForm,
}

impl ClientsPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }

    /// Is `alg` the chosen one (the select's `selected` option)?
    fn is_alg(&self, chosen: &str, alg: &str) -> bool {
        chosen == alg
    }
}

/// The fields of the create and edit forms. Checkboxes arrive only when ticked.
#[derive(Deserialize, Default)]
pub struct ClientForm {
    #[serde(default)]
    name: String,
    /// One URI per line.
    #[serde(default)]
    redirect_uris: String,
    /// Group names, separated by commas.
    #[serde(default)]
    groups: String,
    #[serde(default)]
    public: String,
    #[serde(default)]
    first_party: String,
    #[serde(default)]
    require_2fa: String,
    /// `RS256`, `ES256` or `EdDSA`; absent: RS256 on create, unchanged on edit.
    #[serde(default)]
    id_token_alg: String,
}

/// The choices of the ID token signature select, the default first (a form with none chosen
/// shows the first).
const ALGS: [&str; 3] = ["RS256", "ES256", "EdDSA"];

/// The algorithm the form chose; an empty field is no choice.
fn form_alg(text: &str) -> Result<Option<Alg>, Error> {
    match text.trim() {
        "" => Ok(None),
        name => parse_id_token_alg(name).map(Some),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn names(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form name a client's problems are filed under.
fn form_of(client_id: &str) -> String {
    format!("client-{client_id}")
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str) -> Option<Notice> {
    match done {
        "updated" => Some(Notice::success("admin-oidc-notice-saved")),
        "deleted" => Some(Notice::success("admin-oidc-notice-deleted")),
        _ => None,
    }
}

/// What a reload of the page that showed a new secret says.
const ALREADY_SHOWN: Notice = Notice::warning("admin-oidc-notice-already-shown");

async fn page(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: &CsrfToken,
    parts: Parts,
    status: StatusCode,
) -> Result<Response, WebError> {
    let clients = state.services.list_oidc_clients(admin).await?;
    let page = ClientsPage {
        layout: Layout::signed_in("admin-oidc-title", "oidc", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice: parts.notice,
        problem: parts.problem,
        secret: parts.secret,
        clients,
        draft: parts.draft,
    };
    render(status, &page)
}

#[derive(Default)]
struct Parts {
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    secret: Option<HeldOidcSecret>,
    draft: ClientForm,
}

/// `GET /admin/oidc-clients`; after a new client or secret (`?done=secret`) it shows the secret
/// held for this session, once.
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
        match state.services.take_held::<HeldOidcSecret>(&auth).await? {
            Shown::Now(held) => parts.secret = Some(held),
            Shown::Already => parts.notice = Some(ALREADY_SHOWN),
            Shown::Nothing => {}
        }
    }
    let response = page(&state, &admin, &auth, &csrf, parts, StatusCode::OK).await?;
    Ok((csrf, response).into_response())
}

/// The page again with the services' answer beside the form it concerns.
async fn refused(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: CsrfToken,
    form: String,
    draft: ClientForm,
    e: Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let parts = Parts {
        problem: Some(FormProblem::new(form, "", message)),
        draft,
        ..Parts::default()
    };
    let response = page(state, admin, auth, &csrf, parts, status).await?;
    Ok((csrf, response).into_response())
}

/// `POST /admin/oidc-clients`
pub async fn create(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<ClientForm>,
) -> Result<Response, WebError> {
    let id_token_alg = match form_alg(&form.id_token_alg) {
        Ok(alg) => alg,
        Err(e) => return refused(&state, &admin, &auth, csrf, "create".into(), form, e).await,
    };
    let new = NewOidcClient {
        name: form.name.clone(),
        redirect_uris: lines(&form.redirect_uris),
        public: !form.public.is_empty(),
        first_party: !form.first_party.is_empty(),
        require_2fa: !form.require_2fa.is_empty(),
        groups: names(&form.groups),
        id_token_alg,
    };
    let reveal = Reveal::OnNextPage(&auth.session.id);
    match state
        .services
        .create_oidc_client(&admin, &new, reveal, &meta)
        .await
    {
        // A public client has no secret: the list shows it, with the notice of nothing held.
        Ok((view, None)) => Ok(Redirect::to(&format!(
            "{LIST}?done=updated#{}",
            form_of(&view.client.client_id)
        ))
        .into_response()),
        Ok((_, Some(_))) => Ok(Redirect::to(&format!("{LIST}?done=secret")).into_response()),
        Err(e) => refused(&state, &admin, &auth, csrf, "create".into(), form, e).await,
    }
}

/// `POST /admin/oidc-clients/{client_id}`: name, redirect URIs, consent, 2FA, groups, ID token
/// algorithm.
pub async fn update(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(client_id): Path<String>,
    VerifiedForm(form): VerifiedForm<ClientForm>,
) -> Result<Response, WebError> {
    let changed = form_alg(&form.id_token_alg).map(|id_token_alg| OidcClientChange {
        name: Some(form.name.clone()),
        redirect_uris: Some(lines(&form.redirect_uris)),
        first_party: Some(!form.first_party.is_empty()),
        require_2fa: Some(!form.require_2fa.is_empty()),
        groups: Some(names(&form.groups)),
        id_token_alg,
    });
    let done = match changed {
        Ok(change) => {
            state
                .services
                .update_oidc_client(&admin, &client_id, &change, &meta)
                .await
        }
        Err(e) => Err(e),
    };
    let done = done.map(|_| ());
    answer_for_client(&state, &admin, &auth, csrf, &client_id, done, "updated").await
}

/// `POST /admin/oidc-clients/{client_id}/secret`
pub async fn rotate_secret(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(client_id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let reveal = Reveal::OnNextPage(&auth.session.id);
    let done = state
        .services
        .rotate_oidc_client_secret(&admin, &client_id, reveal, &meta)
        .await
        .map(|_| ());
    answer_for_client(&state, &admin, &auth, csrf, &client_id, done, "secret").await
}

/// `POST /admin/oidc-clients/{client_id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(client_id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let done = state
        .services
        .delete_oidc_client(&admin, &client_id, &meta)
        .await
        .map(|_| ());
    answer_for_client(&state, &admin, &auth, csrf, &client_id, done, "deleted").await
}

/// The end of a change to one client: back to the list saying `done`, or the list again with
/// the refusal beside that client's form.
async fn answer_for_client(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: CsrfToken,
    client_id: &str,
    done: Result<(), Error>,
    what: &str,
) -> Result<Response, WebError> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("{LIST}?done={what}")).into_response()),
        Err(e) => {
            let form = form_of(client_id);
            refused(state, admin, auth, csrf, form, ClientForm::default(), e).await
        }
    }
}
