//! Managing one resource, for owners and administrators: `POST /resources/{id}` renames it and
//! sets "Only for people signed in with 2FA", `POST /resources/{id}/grants` grants it to a group,
//! `POST /resources/{id}/grants/{group}/revoke` withdraws it, and `POST /resources/{id}/delete`
//! deletes it after a confirmation (`kit::confirm`). Protecting a resource needs a session
//! signed in with a second factor; the services refuse it otherwise, and the list page says why.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::{GroupId, ResourceId, ResourceKind};
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use super::{CreateValues, LIST, Showing, page};
use crate::http::Meta;
use crate::i18n::tr_with;
use crate::state::AppState;
use crate::web::kit::confirm::{self, Confirm, ConfirmForm};
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::session::SignedInAdmin;

/// Where a resource's forms report back: to the list, with a notice or beside its own forms.
async fn answer(
    state: &AppState,
    auth: &Authenticated,
    csrf: CsrfToken,
    id: &ResourceId,
    result: Result<(), Error>,
    done: &str,
) -> Result<Response, WebError> {
    let e = match result {
        Ok(()) => return Ok(Redirect::to(&format!("{LIST}?done={done}")).into_response()),
        Err(e) => e,
    };
    let Some(showing) = Showing::refused(format!("resource-{id}"), &e, CreateValues::default())
    else {
        return Err(e.into());
    };
    let response = page(state, auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    name: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    requires_2fa: String,
}

/// `POST /resources/{id}`
pub async fn update(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<UpdateForm>,
) -> Result<Response, WebError> {
    let id = ResourceId(id);
    let requires_2fa = !form.requires_2fa.is_empty();
    let result = state
        .services
        .update_resource(&admin, &id, Some(&form.name), Some(requires_2fa), &meta)
        .await
        .map(|_| ());
    answer(&state, &auth, csrf, &id, result, "saved").await
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    group: String,
}

/// `POST /resources/{id}/grants`
pub async fn grant(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<GrantForm>,
) -> Result<Response, WebError> {
    let id = ResourceId(id);
    let group = GroupId(form.group);
    let result = state
        .services
        .set_grant(&admin, &id, &group, true, &meta)
        .await;
    answer(&state, &auth, csrf, &id, result, "granted").await
}

/// `POST /resources/{id}/grants/{group}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path((id, group)): Path<(String, String)>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let id = ResourceId(id);
    let group = GroupId(group);
    let result = state
        .services
        .set_grant(&admin, &id, &group, false, &meta)
        .await;
    answer(&state, &auth, csrf, &id, result, "revoked").await
}

/// `POST /resources/{id}/delete`: first the confirmation page, then with `confirm=yes` the
/// deletion.
pub async fn delete(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let id = ResourceId(id);
    if !form.confirmed() {
        let resource = state.services.get_resource(&auth, &id).await?;
        // Each kind has its own sentence: German declines the noun with its article.
        let question = match resource.kind {
            ResourceKind::Datacenter => "admin-resources-confirm-question-datacenter",
            ResourceKind::Snapshot => "admin-resources-confirm-question-snapshot",
        };
        let confirm = Confirm {
            title: "admin-resources-confirm-title",
            section: "resources",
            question: tr_with(question, &[("name", resource.name.clone().into())]),
            consequences: vec!["admin-resources-confirm-consequence"],
            action: format!("{LIST}/{id}/delete"),
            button: "admin-resources-confirm-button",
            cancel: LIST.to_owned(),
            password: None,
        };
        return confirm::page(confirm, auth.user.role, csrf);
    }
    let result = state.services.delete_resource(&admin, &id, &meta).await;
    answer(&state, &auth, csrf, &id, result, "deleted").await
}
