//! The "Are you sure?" step of acts that cannot be undone (reset a user's two-factor
//! authentication, delete a user or a resource), without JavaScript: the act's button posts to
//! its route, which answers with this page; its button posts again with `confirm=yes`, and only
//! then does the route call the service. A confirmation may also ask for the current password
//! (`Confirm::password`), for acts that must not follow from a session left open; a refused
//! password shows the page again with the message beside the field.

use crate::i18n::filters;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::model::Role;
use portcullis_core::password::Password;
use serde::Deserialize;

use super::csrf::CsrfToken;
use super::error::WebError;
use super::page::{Layout, render};

/// The form of every act with a confirmation step.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
    /// Sent only by a confirmation that asks for it.
    #[serde(default)]
    password: String,
}

impl ConfirmForm {
    /// Whether the person pressed the button on the confirmation page.
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }

    /// The current password typed on the confirmation page (empty when none was asked for).
    pub fn password(&self) -> Password {
        Password::new(self.password.clone())
    }

    /// Whether the password field was left empty.
    pub fn password_missing(&self) -> bool {
        self.password.is_empty()
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    layout: Layout,
    csrf: String,
    question: String,
    /// What happens, as message ids of sentences, before the person commits.
    consequences: Vec<&'static str>,
    action: String,
    /// A message id.
    button: &'static str,
    cancel: String,
    password: Option<AskPassword>,
}

/// What a confirmation page says and where its buttons go.
pub struct Confirm {
    /// A message id.
    pub title: &'static str,
    /// The page's section in the navigation.
    pub section: &'static str,
    /// The heading, already in the page's language (it names the thing: `tr_with`).
    pub question: String,
    /// Message ids, one sentence each.
    pub consequences: Vec<&'static str>,
    /// Where the confirmed form posts (the act's own route).
    pub action: String,
    /// A message id: the button that commits.
    pub button: &'static str,
    /// Where "Cancel" leads.
    pub cancel: String,
    /// `Some` asks for the current password before the act.
    pub password: Option<AskPassword>,
}

/// The current-password field of a confirmation page.
pub struct AskPassword {
    /// The signed-in person's email, for the hidden username field that tells password
    /// managers whose password is asked for.
    pub email: String,
    /// Why the last password was refused, shown beside the field (in the page's language).
    pub error: Option<String>,
}

/// The confirmation page as the response to the act's first POST.
pub fn page(confirm: Confirm, role: Role, csrf: CsrfToken) -> Result<Response, WebError> {
    page_again(confirm, role, csrf, StatusCode::OK)
}

/// The confirmation page with `status`: shown again after the password was refused.
pub fn page_again(
    confirm: Confirm,
    role: Role,
    csrf: CsrfToken,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = ConfirmPage {
        layout: Layout::signed_in(confirm.title, confirm.section, csrf.value(), role),
        csrf: csrf.value().to_owned(),
        question: confirm.question,
        consequences: confirm.consequences,
        action: confirm.action,
        button: confirm.button,
        cancel: confirm.cancel,
        password: confirm.password,
    };
    Ok((csrf, render(status, &page)?).into_response())
}
