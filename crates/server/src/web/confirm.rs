//! The "Are you sure?" step of acts that cannot be undone (reset a user's two-factor
//! authentication, delete a user or a resource), without JavaScript: the act's button posts to
//! its route, which answers with this page; its button posts again with `confirm=yes`, and only
//! then does the route call the service.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::model::Role;
use serde::Deserialize;

use super::csrf::CsrfToken;
use super::error::WebError;
use super::page::{Layout, render};

/// The form of every act with a confirmation step.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

impl ConfirmForm {
    /// Whether the person pressed the button on the confirmation page.
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    layout: Layout,
    csrf: String,
    question: String,
    /// What happens, in sentences, before the person commits.
    consequences: Vec<&'static str>,
    action: String,
    button: &'static str,
    cancel: String,
}

/// What a confirmation page says and where its buttons go.
pub struct Confirm {
    pub title: &'static str,
    /// The page's section in the navigation.
    pub section: &'static str,
    pub question: String,
    pub consequences: Vec<&'static str>,
    /// Where the confirmed form posts (the act's own route).
    pub action: String,
    pub button: &'static str,
    /// Where "Cancel" leads.
    pub cancel: String,
}

/// The confirmation page as the response to the act's first POST.
pub fn page(confirm: Confirm, role: Role, csrf: CsrfToken) -> Result<Response, WebError> {
    let page = ConfirmPage {
        layout: Layout::signed_in(confirm.title, confirm.section, csrf.value(), role),
        csrf: csrf.value().to_owned(),
        question: confirm.question,
        consequences: confirm.consequences,
        action: confirm.action,
        button: confirm.button,
        cancel: confirm.cancel,
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}
