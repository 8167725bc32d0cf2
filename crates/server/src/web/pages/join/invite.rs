//! Accepting an invitation from the browser: `GET|POST /invite` with the single-use link an
//! administrator's invitation carries. The person chooses a password and is signed in with it,
//! greeted on the security page (or led into the setup their administrator requires); whether
//! the link still works is decided by the services.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::Error;
use portcullis_core::model::SessionKind;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use serde::Deserialize;

use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, STALE_FORM, SignedOutForm};
use crate::web::kit::error::{WebError, explain, password_rules};
use crate::web::kit::page::{Layout, render};
use crate::web::kit::sign_in;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    layout: Layout,
    csrf: String,
    /// The link's token, carried in a hidden field.
    token: String,
    error: Option<String>,
    /// `password`, `password_confirm`, or empty for the whole form.
    error_field: &'static str,
    /// Each rule a refused password broke, listed under the field.
    password_rules: Vec<String>,
}

impl InvitePage {
    fn new(token: String, csrf: &CsrfToken) -> Self {
        InvitePage {
            layout: Layout::signed_out("admin-join-invite-title"),
            csrf: csrf.value().to_owned(),
            token,
            error: None,
            error_field: "",
            password_rules: Vec::new(),
        }
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_deref().filter(|_| self.error_field == field)
    }
}

/// A used, expired or unknown link: only a new invitation helps, and only an administrator can
/// send one. The page does not say which of the three it was.
fn invalid_link() -> WebError {
    WebError::page(
        StatusCode::FORBIDDEN,
        "error-title-invitation-invalid",
        "error-invitation-invalid",
    )
}

#[derive(Deserialize)]
pub struct InviteQuery {
    token: String,
}

/// `GET /invite?token=…`
pub async fn form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    query: Result<Query<InviteQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(InviteQuery { token })) = query else {
        return Err(invalid_link());
    };
    if !state
        .services
        .invitation_valid(&Token::from_client(&token))
        .await?
    {
        return Err(invalid_link());
    }
    let page = InvitePage::new(token, &csrf);
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    token: String,
    password: String,
    password_confirm: String,
}

/// `POST /invite`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    csrf: CsrfToken,
    form: SignedOutForm<InviteForm>,
) -> Result<Response, WebError> {
    let form = match form {
        SignedOutForm::Verified(form) => form,
        // The page was open too long: again, with the link's token, never the passwords.
        SignedOutForm::Stale(stale) => {
            let page = InvitePage {
                error: Some(tr(STALE_FORM)),
                ..InvitePage::new(stale.field("token"), &csrf)
            };
            return Ok((csrf, render(StatusCode::FORBIDDEN, &page)?).into_response());
        }
    };
    let password = Password::new(form.password);
    let confirm = Password::new(form.password_confirm);
    let mut rules = Vec::new();
    let (status, field, message) = if password.expose() != confirm.expose() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_confirm",
            tr("admin-register-password-mismatch"),
        )
    } else {
        let token = Token::from_client(&form.token);
        match state
            .services
            .accept_invitation_and_sign_in(&token, &password, SessionKind::Web, &meta)
            .await
        {
            Ok(signed_in) => {
                return Ok(sign_in::after_password(&state, signed_in, None, true));
            }
            // Not something the form can fix.
            Err(Error::InvalidSetupToken) => return Err(invalid_link()),
            Err(e) => {
                rules = password_rules(&e);
                let field = if matches!(e, Error::WeakPassword(_)) {
                    "password"
                } else {
                    ""
                };
                let Some((status, message)) = explain(&e) else {
                    return Err(e.into());
                };
                (status, field, message)
            }
        }
    };
    let page = InvitePage {
        error: Some(message),
        error_field: field,
        password_rules: rules,
        ..InvitePage::new(form.token, &csrf)
    };
    Ok((csrf, render(status, &page)?).into_response())
}
