//! Accepting an invitation from the browser: `GET|POST /invite` with the single-use link an
//! administrator's invitation carries. The person chooses a password and lands on the sign-in
//! page; whether the link still works is decided by the services.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use serde::Deserialize;

use super::csrf::{CsrfToken, VerifiedForm};
use super::error::{WebError, explain};
use super::page::{Layout, render};
use crate::api::extract::Meta;
use crate::state::AppState;

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
}

impl InvitePage {
    fn new(token: String, csrf: &CsrfToken) -> Self {
        InvitePage {
            layout: Layout::signed_out("Choose your password"),
            csrf: csrf.value().to_owned(),
            token,
            error: None,
            error_field: "",
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
        "Invitation no longer valid",
        "This invitation link is invalid, has expired or has already been used. Ask your \
         administrator to send you a new invitation.",
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
    VerifiedForm(form): VerifiedForm<InviteForm>,
) -> Result<Response, WebError> {
    let password = Password::new(form.password);
    let confirm = Password::new(form.password_confirm);
    let (status, field, message) = if password.expose() != confirm.expose() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_confirm",
            "The two passwords do not match.".to_owned(),
        )
    } else {
        let token = Token::from_client(&form.token);
        match state
            .services
            .accept_invitation(&token, &password, &meta)
            .await
        {
            Ok(()) => return Ok(Redirect::to("/login?done=account_created").into_response()),
            // Not something the form can fix.
            Err(Error::InvalidSetupToken) => return Err(invalid_link()),
            Err(e) => {
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
        ..InvitePage::new(form.token, &csrf)
    };
    Ok((csrf, render(status, &page)?).into_response())
}
