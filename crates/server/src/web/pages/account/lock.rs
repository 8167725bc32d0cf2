//! "This wasn't me" from the browser: `GET /lock?token=…` (a link sent only about changes made
//! with the person's own credentials) explains what locking does and asks for one click;
//! `POST /lock` locks and redirects to `GET /lock?done=locked`, so a reload shows the outcome
//! again instead of posting the used link and calling it invalid. The link itself never locks on
//! GET, because mail scanners and link previews fetch links without a person clicking them.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Error;
use portcullis_core::secret::Token;
use serde::Deserialize;

use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, render};

#[derive(Template)]
#[template(path = "lock.html")]
struct LockPage {
    layout: Layout,
    csrf: String,
    token: String,
    /// The account is locked now (after the click).
    locked: bool,
}

fn invalid_link() -> WebError {
    WebError::page(
        StatusCode::BAD_REQUEST,
        "error-title-link-invalid",
        "error-lock-link-invalid",
    )
}

#[derive(Deserialize)]
pub struct LockQuery {
    #[serde(default)]
    token: String,
    /// `locked`: the redirect after the click, which shows the outcome.
    #[serde(default)]
    done: String,
}

/// `GET /lock?token=…`
pub async fn form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    query: Result<Query<LockQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(LockQuery { token, done })) = query else {
        return Err(invalid_link());
    };
    if done == "locked" {
        let page = LockPage {
            layout: Layout::signed_out("admin-lock-locked-window"),
            csrf: csrf.value().to_owned(),
            token: String::new(),
            locked: true,
        };
        return Ok((csrf, render(StatusCode::OK, &page)?).into_response());
    }
    if !state
        .services
        .lock_link_valid(&Token::from_client(&token))
        .await?
    {
        return Err(invalid_link());
    }
    let page = LockPage {
        layout: Layout::signed_out("admin-lock-window"),
        csrf: csrf.value().to_owned(),
        token,
        locked: false,
    };
    Ok((csrf, render(StatusCode::OK, &page)?).into_response())
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    token: String,
}

/// `POST /lock`
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    VerifiedForm(form): VerifiedForm<LockForm>,
) -> Result<Response, WebError> {
    match state
        .services
        .lock_account(&Token::from_client(&form.token), &meta)
        .await
    {
        Ok(()) => {}
        Err(Error::InvalidLink) => return Err(invalid_link()),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/lock?done=locked").into_response())
}
