//! One person in the user manager ("Select the required user. In the user details,
//! activate the Force 2-Factor Auth check box. Save your changes."): `GET /admin/users/{id}` shows
//! them; `POST /admin/users/{id}` saves "Force 2-Factor Auth" and, for the owner, the role;
//! `POST /admin/users/{id}/reset-2fa` and `POST /admin/users/{id}/delete` ask for
//! confirmation first (`kit::confirm`); the person's sessions are listed with "End" buttons
//! (`user_sessions` ends them). For someone who has not accepted their invitation yet,
//! `POST /admin/users/{id}/invitation/resend` emails a new invitation link and
//! `POST /admin/users/{id}/invitation/copy` makes one for the admin to hand over; either way older
//! links stop working. The copied link is held for the admin's session and shown once on the page
//! the redirect leads to, so a reload neither shows it again nor makes another. The services
//! refuse what the admin may not do to this person; the page hides those buttons and shows the
//! refusal if one is pressed anyway.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::model::{RequestMeta, Role, UserId};
use portcullis_core::policy;
use portcullis_core::recovery::CODES_PER_SET;
use portcullis_core::service::{
    AdminSession, Authenticated, HeldInvitation, InvitationDelivery, ManagedUser, Shown,
};
use serde::Deserialize;

use super::{RoleOption, USERS, role_options};
use crate::http::Meta;
use crate::i18n::{dates, tr, tr_with};
use crate::state::AppState;
use crate::web::kit::confirm::{self, Confirm, ConfirmForm};
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;
use crate::web::kit::session_line::SessionLine;
use crate::web::kit::view::role_label;

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    error: Option<String>,
    id: String,
    email: String,
    role: String,
    invited: bool,
    member_since: String,
    last_login: String,
    two_factor_active: bool,
    recovery_codes_left: i64,
    recovery_codes_total: usize,
    /// The person's own "Force 2-Factor Auth" flag.
    force_2fa: bool,
    /// The contract requires two-factor authentication of everyone anyway.
    required_for_everyone: bool,
    /// When "this wasn't me" locked the account, if it is locked.
    locked: Option<String>,
    /// The admin may act on this person at all (never on themself or on someone above them).
    manageable: bool,
    /// The roles the admin may give this person; empty when the role cannot be changed here.
    roles: Vec<RoleOption>,
    /// An SMTP server is configured: invitations are emailed, not kept in the outbox folder.
    mail_configured: bool,
    /// A new invitation link, shown this once after "Copy invitation link".
    invitation_link: Option<String>,
    /// How many days an invitation link works.
    invitation_days: i64,
    /// The person's live sessions, newest first; listed only when the admin may manage them.
    sessions: Vec<SessionLine>,
}

#[derive(Deserialize, Default)]
pub struct UserQuery {
    #[serde(default)]
    done: String,
}

fn notice(done: &str, mail_configured: bool) -> Option<Notice> {
    match done {
        "invitation_sent" if mail_configured => {
            Some(Notice::success("admin-user-notice-invitation-emailed"))
        }
        "invitation_sent" => Some(Notice::warning("admin-user-notice-invitation-outbox")),
        "saved" => Some(Notice::success("admin-user-notice-saved")),
        "session_ended" => Some(Notice::success("admin-user-notice-session-ended")),
        "sessions_ended" => Some(Notice::success("admin-user-notice-sessions-ended")),
        "unlocked" => Some(Notice::success("admin-user-notice-unlocked")),
        "two_factor_reset" if !mail_configured => {
            Some(Notice::success("admin-user-notice-reset-outbox"))
        }
        "two_factor_reset" => Some(Notice::success("admin-user-notice-reset")),
        _ => None,
    }
}

fn user_path(id: &str) -> String {
    format!("{USERS}/{id}")
}

async fn page(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &UserId,
    notice: Option<Notice>,
    error: Option<String>,
) -> Result<UserPage, WebError> {
    let ManagedUser { user, two_factor } = state.services.get_user(admin, id).await?;
    let manageable = user.id != auth.user.id && policy::may_manage(admin.role(), user.role);
    // Only someone who may make administrators has a choice to offer.
    let roles = if manageable && policy::may_assign(admin.role(), Role::Administrator) {
        role_options(admin, user.role)
    } else {
        Vec::new()
    };
    let sessions = if manageable {
        let sessions = state.services.user_sessions(admin, id).await?;
        sessions
            .into_iter()
            .map(|s| SessionLine::new(s, false))
            .collect()
    } else {
        Vec::new()
    };
    Ok(UserPage {
        layout: Layout::signed_in("admin-user-title", "users", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice,
        error,
        id: user.id.to_string(),
        email: user.email.to_string(),
        role: role_label(user.role).to_string(),
        invited: user.password_hash.is_none(),
        member_since: dates::datetime(user.created_at),
        last_login: user
            .last_login_at
            .map(dates::datetime)
            .unwrap_or_else(|| tr("admin-never")),
        two_factor_active: two_factor.enabled,
        recovery_codes_left: two_factor.recovery_codes_left,
        recovery_codes_total: CODES_PER_SET,
        force_2fa: user.force_2fa,
        locked: user.locked_at.map(dates::datetime),
        required_for_everyone: two_factor.forced && !user.force_2fa,
        manageable,
        roles,
        mail_configured: state.config.delivery.smtp.is_some(),
        invitation_link: None,
        invitation_days: state.services.settings.invitation_secs / (24 * 3600),
        sessions,
    })
}

/// After "Copy invitation link": the link held for this session, if it is this person's and has
/// not been shown yet; otherwise a notice that says why there is none.
async fn held_link(
    state: &AppState,
    auth: &Authenticated,
    id: &UserId,
) -> Result<(Option<String>, Option<Notice>), WebError> {
    Ok(
        match state.services.take_held::<HeldInvitation>(auth).await? {
            Shown::Now(held) if held.user == id.0 => {
                let link = format!(
                    "{}/invite?token={}",
                    state.services.settings.public_url, held.token
                );
                (Some(link), None)
            }
            Shown::Already => (
                None,
                Some(Notice::warning("admin-user-notice-link-already-shown")),
            ),
            Shown::Now(_) | Shown::Nothing => {
                (None, Some(Notice::warning("admin-user-notice-link-gone")))
            }
        },
    )
}

/// `GET /admin/users/{id}`
pub async fn details(
    State(state): State<AppState>,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    query: Result<Query<UserQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let id = UserId(id);
    let mail_configured = state.config.delivery.smtp.is_some();
    let (invitation_link, notice) = if done == "invitation_link" {
        held_link(&state, &auth, &id).await?
    } else {
        (None, notice(&done, mail_configured))
    };
    let page = UserPage {
        invitation_link,
        ..page(&state, &admin, &auth, &csrf, &id, notice, None).await?
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

/// The same person's page again with the services' refusal, or an error page when the person
/// is gone.
async fn refused(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: CsrfToken,
    id: &UserId,
    e: portcullis_core::Error,
) -> Result<Response, WebError> {
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    if status == StatusCode::NOT_FOUND {
        return Err(e.into());
    }
    let page = page(state, admin, auth, &csrf, id, None, Some(message)).await?;
    Ok((csrf, render(status, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct UpdateForm {
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    force_2fa: String,
    /// Only in the owner's form; absent means "unchanged".
    #[serde(default)]
    role: String,
}

/// `POST /admin/users/{id}`: "Force 2-Factor Auth" and the role.
pub async fn update(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<UpdateForm>,
) -> Result<Response, WebError> {
    let id = UserId(id);
    let force_2fa = !form.force_2fa.is_empty();
    let role = match form.role.as_str() {
        "" => None,
        r => match Role::parse(r) {
            Some(role) => Some(role),
            None => {
                let message = tr("admin-choose-role");
                let page = page(&state, &admin, &auth, &csrf, &id, None, Some(message)).await?;
                return Ok((csrf, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response());
            }
        },
    };
    match state
        .services
        .update_user(&admin, &id, Some(force_2fa), role, &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{}?done=saved", user_path(&id.0))).into_response()),
        Err(e) => refused(&state, &admin, &auth, csrf, &id, e).await,
    }
}

/// `POST /admin/users/{id}/reset-2fa`: first the confirmation page, then with `confirm=yes` the
/// reset.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let id = UserId(id);
    if !form.confirmed() {
        let target = state.services.get_user(&admin, &id).await?;
        let confirm = Confirm {
            title: "admin-confirm-reset-title",
            section: "users",
            question: tr_with(
                "admin-confirm-reset-question",
                &[("email", target.user.email.to_string().into())],
            ),
            consequences: vec!["admin-confirm-reset-removed", "admin-confirm-reset-forced"],
            action: format!("{}/reset-2fa", user_path(&id.0)),
            button: "admin-user-reset-2fa",
            cancel: user_path(&id.0),
            password: None,
        };
        return confirm::page(confirm, auth.user.role, csrf);
    }
    match state.services.reset_two_factor(&admin, &id, &meta).await {
        Ok(()) => Ok(
            Redirect::to(&format!("{}?done=two_factor_reset", user_path(&id.0))).into_response(),
        ),
        Err(e) => refused(&state, &admin, &auth, csrf, &id, e).await,
    }
}

/// `POST /admin/users/{id}/invitation/resend`: a new invitation email; older links die.
pub async fn resend_invitation(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let page = (&state, &admin, &auth, csrf);
    renew(page, UserId(id), InvitationDelivery::Email, &meta).await
}

/// `POST /admin/users/{id}/invitation/copy`: a new invitation link for the admin to hand over,
/// held for this session (by the services, with the renewal) and shown once after the
/// redirect; older links die. The link is never stored in clear: asking again makes a new one.
pub async fn copy_invitation(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    let delivery = InvitationDelivery::CopyOnPage(&auth.session.id);
    let page = (&state, &admin, &auth, csrf);
    renew(page, UserId(id), delivery, &meta).await
}

/// Renews `id`'s invitation and answers with the user page, which says what happened.
async fn renew(
    (state, admin, auth, csrf): (&AppState, &AdminSession, &Authenticated, CsrfToken),
    id: UserId,
    delivery: InvitationDelivery<'_>,
    meta: &RequestMeta,
) -> Result<Response, WebError> {
    let done = match delivery {
        InvitationDelivery::Email => "invitation_sent",
        InvitationDelivery::CopyOnPage(_) => "invitation_link",
    };
    match state
        .services
        .renew_invitation(admin, &id, delivery, meta)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{}?done={done}", user_path(&id.0))).into_response()),
        Err(e) => refused(state, admin, auth, csrf, &id, e).await,
    }
}

/// `POST /admin/users/{id}/unlock`: lifts a "this wasn't me" lock.
pub async fn unlock(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let id = UserId(id);
    match state.services.unlock_user(&admin, &id, &meta).await {
        Ok(()) => Ok(Redirect::to(&format!("{}?done=unlocked", user_path(&id.0))).into_response()),
        Err(e) => refused(&state, &admin, &auth, csrf, &id, e).await,
    }
}

/// `POST /admin/users/{id}/delete`: first the confirmation page, then with `confirm=yes` the
/// deletion.
pub async fn delete(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let id = UserId(id);
    if !form.confirmed() {
        let target = state.services.get_user(&admin, &id).await?;
        let confirm = Confirm {
            title: "admin-confirm-delete-title",
            section: "users",
            question: tr_with(
                "admin-confirm-delete-question",
                &[("email", target.user.email.to_string().into())],
            ),
            consequences: vec!["admin-confirm-delete-removed"],
            action: format!("{}/delete", user_path(&id.0)),
            button: "admin-user-delete",
            cancel: user_path(&id.0),
            password: None,
        };
        return confirm::page(confirm, auth.user.role, csrf);
    }
    match state.services.delete_user(&admin, &id, &meta).await {
        Ok(()) => Ok(Redirect::to(&format!("{USERS}?done=user_deleted")).into_response()),
        Err(e) => refused(&state, &admin, &auth, csrf, &id, e).await,
    }
}
