//! `GET /oauth2/logout` (OpenID Connect RP-Initiated Logout 1.0) and the confirmation it asks
//! for (`POST /oauth2/logout`). With a valid `id_token_hint` the client proved it asked, and the
//! session ends at once; without one a page asks the person, so a drive-by link cannot sign
//! anyone out. `post_logout_redirect_uri` must be registered by the client (exact match), or
//! a page says so and nothing redirects.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::service::LogoutOutcome;
use serde::Deserialize;

use super::reply::onward;
use crate::http::Meta;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::session::{self, SignedIn};

#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

#[derive(Template)]
#[template(path = "oauth2_logout.html")]
struct LogoutPage {
    layout: Layout,
    csrf: String,
    client_id: String,
    post_logout_redirect_uri: String,
    state: String,
}

/// A refused sign-out, saying message `id`.
fn refused_id(id: &'static str) -> WebError {
    WebError::page(StatusCode::BAD_REQUEST, "error-title-sign-out-refused", id)
}

/// A refused sign-out: `message` is a sentence of the core (English), shown in the page's
/// language where it has a translation.
fn refused(message: &'static str) -> WebError {
    WebError::page_text(
        StatusCode::BAD_REQUEST,
        "error-title-sign-out-refused",
        core_sentence(message),
    )
}

/// A core sentence in the page's language (`core-…`, see `kit::error::fragment_id`), else as
/// the core wrote it.
pub(super) fn core_sentence(message: &str) -> String {
    let id = crate::web::kit::error::fragment_id(message);
    if crate::i18n::has(crate::i18n::language(), &id) {
        crate::i18n::tr(&id)
    } else {
        message.to_owned()
    }
}

fn signed_out(state: &AppState, redirect: Option<String>) -> Response {
    let mut response = match redirect {
        Some(url) => onward(
            "sign-in-signed-out-title",
            "sign-in-signed-out-returning",
            &url,
        ),
        None => onward("sign-in-signed-out-title", "sign-in-signed-out", "/login"),
    };
    let clear = session::clear_cookie(&state.config);
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

/// `GET /oauth2/logout`
pub async fn start(
    State(state): State<AppState>,
    meta: Meta,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    query: Result<Query<LogoutParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(p) = query.map_err(|_| refused_id("sign-in-logout-unreadable"))?;
    let auth = signed_in.as_ref().map(|s| &s.0);
    let plan = state
        .services
        .plan_logout(
            p.id_token_hint.as_deref(),
            p.client_id.as_deref(),
            p.post_logout_redirect_uri.as_deref(),
            p.state.as_deref(),
            auth,
        )
        .await?;
    match plan {
        LogoutOutcome::Refused(message) => Err(refused(message)),
        LogoutOutcome::SignOutNow {
            client_id,
            redirect,
        } => {
            if let Some(auth) = auth {
                state
                    .services
                    .logout_for_client(auth, Some(&client_id), &meta.0)
                    .await?;
            }
            let mut response = match redirect {
                Some(url) => Redirect::to(&url).into_response(),
                None => onward("sign-in-signed-out-title", "sign-in-signed-out", "/login"),
            };
            let clear = session::clear_cookie(&state.config);
            response.headers_mut().append(header::SET_COOKIE, clear);
            Ok(response)
        }
        LogoutOutcome::Confirm { redirect } => {
            if auth.is_none() {
                return Ok(match redirect {
                    Some(url) => Redirect::to(&url).into_response(),
                    None => onward(
                        "sign-in-signed-out-title",
                        "sign-in-not-signed-in",
                        "/login",
                    ),
                });
            }
            let page = LogoutPage {
                layout: Layout::signed_out("sign-in-logout-title"),
                csrf: csrf.value().to_owned(),
                client_id: p.client_id.unwrap_or_default(),
                post_logout_redirect_uri: p.post_logout_redirect_uri.unwrap_or_default(),
                state: p.state.unwrap_or_default(),
            };
            Ok((csrf, render(StatusCode::OK, &page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    post_logout_redirect_uri: String,
    #[serde(default)]
    state: String,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// `POST /oauth2/logout`: the person confirmed. The address is checked again: the form is the
/// browser's to change.
pub async fn confirm(
    State(state): State<AppState>,
    meta: Meta,
    signed_in: Option<SignedIn>,
    VerifiedForm(form): VerifiedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let auth = signed_in.as_ref().map(|s| &s.0);
    let plan = state
        .services
        .plan_logout(
            None,
            non_empty(&form.client_id),
            non_empty(&form.post_logout_redirect_uri),
            non_empty(&form.state),
            auth,
        )
        .await?;
    let redirect = match plan {
        LogoutOutcome::Refused(message) => return Err(refused(message)),
        LogoutOutcome::SignOutNow { redirect, .. } | LogoutOutcome::Confirm { redirect } => {
            redirect
        }
    };
    if let Some(auth) = auth {
        state
            .services
            .logout_for_client(auth, non_empty(&form.client_id), &meta.0)
            .await?;
    }
    Ok(signed_out(&state, redirect))
}
