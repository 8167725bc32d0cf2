//! The user manager ("Menu Bar > Resource Manager > User Manager", as in hosting control panels): `GET /admin/users`
//! lists the contract's people with their role, two-factor state and last sign-in; `POST
//! /admin/users` creates or invites someone, optionally with "Force 2-Factor Auth"; `POST
//! /admin/policy` sets "Require 2FA for everyone", which only the owner may turn off again, and
//! for the owner "Require a phishing-resistant factor (passkey or security key)";
//! `POST /admin/sign-in-settings` sets how many days a browser may be remembered (0–90) and
//! whether people are emailed about sign-ins from a new browser or network.
//! One person's details and actions are in `user`. Who may do what to whom is
//! `portcullis_core::policy`'s; this file asks it only to hide buttons the services would refuse.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::model::Role;
use portcullis_core::password::Password;
use portcullis_core::policy;
use portcullis_core::service::{AdminSession, Authenticated, ManagedUser};
use serde::Deserialize;

use super::{RoleOption, USERS, role_options};
use crate::http::Meta;
use crate::i18n::{dates, tr};
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::{WebError, explain};
use crate::web::kit::form::{FormProblem, problem_for};
use crate::web::kit::page::{Layout, Notice, render};
use crate::web::kit::session::SignedInAdmin;
use crate::web::kit::view::role_label;

/// The user manager's address.
pub const LIST: &str = USERS;

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    csrf: String,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    users: Vec<UserRow>,
    invite: InviteValues,
    /// The roles this admin may give, for the invite form's select.
    roles: Vec<RoleOption>,
    policy: PolicyBox,
    sign_in: SignInBox,
    /// An SMTP server is configured: invitations are emailed, not kept in the outbox folder.
    mail_configured: bool,
}

impl UsersPage {
    fn problem(&self, form: &str) -> Option<&FormProblem> {
        problem_for(&self.problem, form)
    }

    fn field_error(&self, form: &str, field: &str) -> Option<&str> {
        self.problem(form)
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
    }

    /// A problem with `form` as a whole (not one of its fields).
    fn form_wide_problem(&self, form: &str) -> bool {
        self.problem(form).is_some_and(|p| p.field.is_empty())
    }
}

/// A person as a row of the user manager.
struct UserRow {
    id: String,
    email: String,
    role: String,
    /// The signed-in admin themself.
    you: bool,
    /// Created without a password: waiting for the invitation to be used.
    invited: bool,
    two_factor_active: bool,
    /// The message id of `Forced` or `Required for everyone`, or empty.
    required: &'static str,
    last_login: String,
}

impl UserRow {
    fn new(m: &ManagedUser, auth: &Authenticated) -> Self {
        let required = if m.user.force_2fa {
            "admin-two-factor-forced"
        } else if m.two_factor.forced {
            "admin-two-factor-required-for-everyone"
        } else {
            ""
        };
        UserRow {
            id: m.user.id.to_string(),
            email: m.user.email.to_string(),
            role: role_label(m.user.role).to_string(),
            you: m.user.id == auth.user.id,
            invited: m.user.password_hash.is_none(),
            two_factor_active: m.two_factor.enabled,
            required,
            last_login: m
                .user
                .last_login_at
                .map(dates::datetime)
                .unwrap_or_else(|| tr("admin-never")),
        }
    }
}

/// What the invite form shows again after a problem (never the password).
struct InviteValues {
    email: String,
    role: Role,
    force_2fa: bool,
}

impl Default for InviteValues {
    fn default() -> Self {
        InviteValues {
            email: String::new(),
            role: Role::User,
            force_2fa: false,
        }
    }
}

/// The contract-wide policy as its box shows it.
struct PolicyBox {
    require_2fa: bool,
    /// Only the owner may turn the policy off; an administrator sees it locked once it is on.
    may_turn_off: bool,
    /// "Phishing-resistant only": a security key or passkey is required.
    require_phishing_resistant: bool,
    /// Only the owner switches that, either way; an administrator only reads it.
    may_set_phishing_resistant: bool,
}

/// The contract's sign-in settings as their form shows them.
struct SignInBox {
    /// The number of days, or what was typed when it was refused.
    remember_browser_days: String,
    new_sign_in_notice: bool,
    /// "Phishing-resistant only" is on: no browser is remembered whatever the number says.
    phishing_resistant_only: bool,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    done: String,
}

/// The fixed messages a redirect back to the user manager may ask for. Without SMTP
/// (`mail_configured` false) an invitation is not emailed but kept in the server's outbox, and
/// the message says so.
fn notice(done: &str, mail_configured: bool) -> Option<Notice> {
    match done {
        "user_invited" if !mail_configured => {
            Some(Notice::warning("admin-users-notice-invited-outbox"))
        }
        "user_created" => Some(Notice::success("admin-users-notice-created")),
        "user_invited" => Some(Notice::success("admin-users-notice-invited")),
        "user_deleted" => Some(Notice::success("admin-users-notice-deleted")),
        "policy_on" => Some(Notice::success("admin-users-notice-policy-on")),
        "keys_on" => Some(Notice::success("admin-users-notice-keys-on")),
        "keys_off" => Some(Notice::success("admin-users-notice-keys-off")),
        "sign_in_saved" => Some(Notice::success("admin-users-notice-sign-in-saved")),
        "policy_off" => Some(Notice::success("admin-users-notice-policy-off")),
        _ => None,
    }
}

/// How the page is shown this time: after a redirect with a notice, or again after a problem.
struct Showing {
    status: StatusCode,
    notice: Option<Notice>,
    problem: Option<FormProblem>,
    invite: InviteValues,
    /// The number of days typed in the sign-in settings, shown again after a refusal.
    days_typed: Option<String>,
}

impl Showing {
    fn problem(status: StatusCode, problem: FormProblem, invite: InviteValues) -> Self {
        Showing {
            status,
            notice: None,
            problem: Some(problem),
            invite,
            days_typed: None,
        }
    }
}

async fn page(
    state: &AppState,
    admin: &AdminSession,
    auth: &Authenticated,
    csrf: &CsrfToken,
    showing: Showing,
) -> Result<Response, WebError> {
    let Showing {
        status,
        notice,
        problem,
        invite,
        days_typed,
    } = showing;
    let users = state.services.list_users(admin).await?;
    let contract = state.services.contract_policy(admin).await?;
    let page = UsersPage {
        layout: Layout::signed_in("admin-users-title", "users", csrf.value(), auth.user.role),
        csrf: csrf.value().to_owned(),
        notice,
        problem,
        users: users.iter().map(|m| UserRow::new(m, auth)).collect(),
        roles: role_options(admin, invite.role),
        policy: PolicyBox {
            require_2fa: contract.require_2fa,
            may_turn_off: policy::may_set_contract_policy(admin.role(), false),
            require_phishing_resistant: contract.require_phishing_resistant,
            may_set_phishing_resistant: policy::may_set_phishing_resistant(admin.role()),
        },
        sign_in: SignInBox {
            remember_browser_days: days_typed
                .unwrap_or_else(|| contract.remember_browser_days.to_string()),
            new_sign_in_notice: contract.new_sign_in_notice,
            phishing_resistant_only: contract.require_phishing_resistant,
        },
        invite,
        mail_configured: state.config.delivery.smtp.is_some(),
    };
    render(status, &page)
}

/// `GET /admin/users`
pub async fn list(
    State(state): State<AppState>,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    query: Result<Query<UsersQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let showing = Showing {
        status: StatusCode::OK,
        notice: notice(&done, state.config.delivery.smtp.is_some()),
        problem: None,
        invite: InviteValues::default(),
        days_typed: None,
    };
    let response = page(&state, &admin, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    force_2fa: String,
}

/// `POST /admin/users`: with a password the account is ready at once; without one the services
/// send an invitation to choose it.
pub async fn invite(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<InviteForm>,
) -> Result<Response, WebError> {
    let force_2fa = !form.force_2fa.is_empty();
    let values = InviteValues {
        email: form.email.clone(),
        role: Role::parse(&form.role).unwrap_or(Role::User),
        force_2fa,
    };
    let (status, problem) = match Role::parse(&form.role) {
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormProblem::new("invite", "invite_role", tr("admin-choose-role")),
        ),
        Some(role) => {
            let password = Some(form.password)
                .filter(|p| !p.is_empty())
                .map(Password::new);
            let e = match state
                .services
                .create_user(
                    &admin,
                    &form.email,
                    password.as_ref(),
                    role,
                    force_2fa,
                    &meta,
                )
                .await
            {
                Ok(_) => {
                    let done = if password.is_some() {
                        "user_created"
                    } else {
                        "user_invited"
                    };
                    return Ok(Redirect::to(&format!("{USERS}?done={done}")).into_response());
                }
                Err(e) => e,
            };
            let field = match &e {
                Error::InvalidEmail(_) | Error::EmailTaken => "invite_email",
                Error::WeakPassword(_) => "invite_password",
                Error::Forbidden(_) => "invite_role",
                _ => "",
            };
            let Some((status, message)) = explain(&e) else {
                return Err(e.into());
            };
            (status, FormProblem::new("invite", field, message))
        }
    };
    let showing = Showing::problem(status, problem, values);
    let response = page(&state, &admin, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    require_2fa: String,
    /// Only the owner's form has the box; an administrator's form leaves the setting alone.
    #[serde(default)]
    require_phishing_resistant: String,
}

/// `POST /admin/policy`
pub async fn set_policy(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PolicyForm>,
) -> Result<Response, WebError> {
    let on = !form.require_2fa.is_empty();
    let phishing_resistant = policy::may_set_phishing_resistant(admin.role())
        .then_some(!form.require_phishing_resistant.is_empty());
    let before = state.services.contract_policy(&admin).await?;
    let change = portcullis_core::service::ContractPolicyChange {
        require_2fa: Some(on),
        require_phishing_resistant: phishing_resistant,
        ..Default::default()
    };
    let e = match state
        .services
        .set_contract_policy(&admin, change, &meta)
        .await
    {
        Ok(after) => {
            let done = match after.require_phishing_resistant {
                changed if changed != before.require_phishing_resistant => {
                    if changed {
                        "keys_on"
                    } else {
                        "keys_off"
                    }
                }
                _ if on => "policy_on",
                _ => "policy_off",
            };
            return Ok(Redirect::to(&format!("{USERS}?done={done}")).into_response());
        }
        Err(e) => e,
    };
    let Some((status, message)) = explain(&e) else {
        return Err(e.into());
    };
    let problem = FormProblem::new("policy", "", message);
    let showing = Showing::problem(status, problem, InviteValues::default());
    let response = page(&state, &admin, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}

#[derive(Deserialize)]
pub struct SignInSettingsForm {
    #[serde(default)]
    remember_browser_days: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    #[serde(default)]
    new_sign_in_notice: String,
}

/// What the days field says when it holds no number from 0 to 90 (a message id).
const DAYS_MESSAGE: &str = "admin-sign-in-remember-days-invalid";

/// `POST /admin/sign-in-settings`: how long browsers may be remembered and whether new sign-ins
/// are told. A number out of range comes back beside its field, nothing saved.
pub async fn set_sign_in_settings(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedInAdmin(admin, auth): SignedInAdmin,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<SignInSettingsForm>,
) -> Result<Response, WebError> {
    let typed = form.remember_browser_days.trim().to_owned();
    let days = typed
        .parse::<u32>()
        .ok()
        .filter(|d| *d <= portcullis_core::model::Contract::MAX_REMEMBER_BROWSER_DAYS);
    let problem = match days {
        None => FormProblem::new("sign-in", "remember_browser_days", tr(DAYS_MESSAGE)),
        Some(days) => {
            let change = portcullis_core::service::ContractPolicyChange {
                remember_browser_days: Some(days),
                new_sign_in_notice: Some(!form.new_sign_in_notice.is_empty()),
                ..Default::default()
            };
            let e = match state
                .services
                .set_contract_policy(&admin, change, &meta)
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!("{USERS}?done=sign_in_saved")).into_response());
                }
                Err(e) => e,
            };
            let Some((_, message)) = explain(&e) else {
                return Err(e.into());
            };
            let field = match e {
                Error::Validation(_) => "remember_browser_days",
                _ => "",
            };
            FormProblem::new("sign-in", field, message)
        }
    };
    let mut showing = Showing::problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        problem,
        InviteValues::default(),
    );
    showing.days_typed = Some(typed);
    let response = page(&state, &admin, &auth, &csrf, showing).await?;
    Ok((csrf, response).into_response())
}
