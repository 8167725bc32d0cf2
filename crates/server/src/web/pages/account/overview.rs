//! The signed-in person's account: `GET /account` (profile, language and time zone, password
//! change, sessions, recent activity), `POST /account/password` and
//! `POST /account/sessions/{id}/revoke`. The language and time zone form posts to
//! `/account/locale` (`i18n::set_account_locale`). The rules (old password required, other
//! sessions ended, only one's own sessions) are the services'.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::locale::{Language, TimeZoneName};
use portcullis_core::model::{Role, SessionId, User};
use portcullis_core::password::Password;
use portcullis_core::service::Authenticated;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::{dates, tr, tr_with};
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, NoFields, VerifiedForm};
use crate::web::kit::error::{WebError, explain, password_rules};
use crate::web::kit::form::FormError;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::session::SignedIn;
use crate::web::kit::view::{EventRow, SessionRow, role_label};

/// How many recent events the account page shows.
const RECENT_EVENTS: i64 = 20;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    csrf: String,
    email: String,
    role: String,
    /// The organisation in words: whose it is. The contract id means nothing to a person.
    organisation: String,
    /// The contract id, for owners and administrators, who quote it to the operator and in
    /// API calls; `None` for plain users.
    contract_id: Option<String>,
    member_since: String,
    last_login: String,
    /// A message id.
    notice: Option<&'static str>,
    /// The language form's choices: the browser's, then each language in its own name.
    languages: Vec<Choice>,
    /// The time zone form's choices: the browser's, then every IANA name.
    time_zones: Vec<Choice>,
    password_error: Option<FormError>,
    /// Each rule a refused new password broke, listed under the field.
    password_rules: Vec<String>,
    sessions: Vec<SessionRow>,
    events: Vec<EventRow>,
}

impl AccountPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.password_error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The password form was refused as a whole (not for one of its fields).
    fn form_wide_error(&self) -> bool {
        self.password_error
            .as_ref()
            .is_some_and(|e| e.field.is_empty())
    }
}

/// An option of a select: its value, its words and whether it is the current choice.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The language choices, the account's own selected ("" when it follows the browser).
fn language_choices(user: &User) -> Vec<Choice> {
    let browser = Choice {
        value: String::new(),
        label: tr("account-locale-language-browser"),
        selected: user.language.is_none(),
    };
    let languages = [
        (Language::En, "language-name-en"),
        (Language::De, "language-name-de"),
    ]
    .into_iter()
    .map(|(language, name)| Choice {
        value: language.as_str().to_owned(),
        label: tr(name),
        selected: user.language == Some(language),
    });
    std::iter::once(browser).chain(languages).collect()
}

/// The time zone choices, the account's own selected ("" when it follows the browser).
fn time_zone_choices(user: &User) -> Vec<Choice> {
    let chosen = user.time_zone.as_ref().map(TimeZoneName::as_str);
    let browser = Choice {
        value: String::new(),
        label: tr("account-locale-time-zone-browser"),
        selected: chosen.is_none(),
    };
    let zones = TimeZoneName::all().into_iter().map(|name| Choice {
        selected: chosen == Some(name.as_str()),
        label: name.clone(),
        value: name,
    });
    std::iter::once(browser).chain(zones).collect()
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    done: String,
}

/// The fixed messages (ids) a redirect back to the account page may ask for.
fn notice(done: &str) -> Option<&'static str> {
    match done {
        "password_changed" => Some("account-notice-password-changed"),
        "session_revoked" => Some("account-notice-session-revoked"),
        "locale" => Some("account-notice-locale"),
        _ => None,
    }
}

async fn account_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    notice: Option<&'static str>,
    password_error: Option<FormError>,
) -> Result<AccountPage, WebError> {
    let sessions = state.services.list_sessions(auth).await?;
    let events = state.services.my_audit(auth, None, RECENT_EVENTS).await?;
    let user = &auth.user;
    Ok(AccountPage {
        layout: Layout::signed_in("account-title", "account", csrf.value(), user.role),
        csrf: csrf.value().to_owned(),
        email: user.email.to_string(),
        role: role_label(user.role).to_string(),
        organisation: match state.services.contract_owner(user).await? {
            _ if user.role == Role::Owner => tr("account-organisation-owner"),
            Some(owner) => tr_with(
                "account-organisation-of",
                &[("owner", owner.to_string().into())],
            ),
            None => tr("account-organisation-plain"),
        },
        contract_id: (user.role != Role::User).then(|| user.contract_id.0.clone()),
        member_since: dates::datetime(user.created_at),
        last_login: user
            .last_login_at
            .map(dates::datetime)
            .unwrap_or_else(|| tr("account-never")),
        notice,
        languages: language_choices(user),
        time_zones: time_zone_choices(user),
        password_error,
        password_rules: Vec::new(),
        sessions: sessions
            .into_iter()
            .map(|s| {
                let current = s.id == auth.session.id;
                SessionRow::new(s, current)
            })
            .collect(),
        events: events.into_iter().map(EventRow::new).collect(),
    })
}

/// `GET /account`
pub async fn overview(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    query: Result<Query<AccountQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|q| q.0).unwrap_or_default().done;
    let page = account_page(&state, &auth, &csrf, notice(&done), None).await?;
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
    new_password_confirm: String,
}

/// `POST /account/password`
pub async fn change_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response, WebError> {
    let old = Password::new(form.old_password);
    let new = Password::new(form.new_password);
    let confirm = Password::new(form.new_password_confirm);
    let mut rules = Vec::new();
    let (status, error) = if new.expose() != confirm.expose() {
        let error = FormError {
            field: "new_password_confirm",
            message: tr("account-password-mismatch"),
        };
        (StatusCode::UNPROCESSABLE_ENTITY, error)
    } else {
        let e = match state
            .services
            .change_password(&auth, &old, &new, &meta)
            .await
        {
            Ok(()) => return Ok(Redirect::to("/account?done=password_changed").into_response()),
            Err(e) => e,
        };
        rules = password_rules(&e);
        let field = match &e {
            Error::InvalidPassword => "old_password",
            Error::WeakPassword(_) => "new_password",
            _ => "",
        };
        let Some((status, message)) = explain(&e) else {
            return Err(e.into());
        };
        (status, FormError { field, message })
    };
    let mut page = account_page(&state, &auth, &csrf, None, Some(error)).await?;
    page.password_rules = rules;
    Ok((csrf, render(status, &page)?).into_response())
}

/// `POST /account/sessions/{id}/revoke`
pub async fn revoke_session(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    VerifiedForm(NoFields {}): VerifiedForm<NoFields>,
) -> Result<Response, WebError> {
    match state
        .services
        .revoke_session(&auth, &SessionId(id), &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?done=session_revoked").into_response()),
        Err(Error::NotFound(_)) => Err(WebError::page(
            StatusCode::NOT_FOUND,
            "error-title-session-not-found",
            "error-session-not-yours",
        )),
        Err(e) => Err(e.into()),
    }
}
