//! `GET /oauth2/authorize`, `GET /oauth2/authorize/continue/{id}` (back from the sign-in page)
//! and `POST /oauth2/consent/{id}` (Allow or Deny). A wrong client or redirect URI gets a page,
//! never a redirect; a sign-in goes through `/login?next=…&acr=…`, which comes back here with a
//! GET; the consent form's answer continues to the client through a page of ours.

use crate::i18n::filters;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::login::Acr;
use portcullis_core::oidc::request::{AcrLevel, AuthorizeParams, scope_words};
use portcullis_core::service::{AuthorizeOutcome, ConsentPrompt};
use serde::Deserialize;

use super::reply::onward;
use crate::http::Meta;
use crate::i18n::tr;
use crate::state::AppState;
use crate::web::kit::csrf::{CsrfToken, VerifiedForm};
use crate::web::kit::error::WebError;
use crate::web::kit::page::{Layout, render};
use crate::web::kit::return_to::sign_in_url;
use crate::web::kit::session::{self, SignedIn};

#[derive(Template)]
#[template(path = "oauth2_consent.html")]
struct ConsentPage {
    layout: Layout,
    csrf: String,
    prompt: ConsentPrompt,
    /// What the application may learn, in the page's language.
    claims: Vec<String>,
}

/// The scopes a consent page can name, each with its message (`sign-in-consent-claim-…`).
const SCOPES: &[(&str, &str)] = &[
    ("openid", "sign-in-consent-claim-openid"),
    ("profile", "sign-in-consent-claim-profile"),
    ("email", "sign-in-consent-claim-email"),
    ("groups", "sign-in-consent-claim-groups"),
    ("offline_access", "sign-in-consent-claim-offline-access"),
];

/// A claim of the prompt (the core's English words for a scope) in the page's language; words
/// of a scope this table does not know stay as the core wrote them.
fn claim_words(claim: &str) -> String {
    SCOPES
        .iter()
        .find(|(scope, _)| scope_words(scope) == Some(claim))
        .map_or_else(|| claim.to_owned(), |(_, id)| tr(id))
}

/// The sign-in page that comes back to the pending request, asking for `acr` if any.
fn sign_in_then_continue(pending_id: &str, acr: Option<AcrLevel>) -> String {
    let acr = acr.and_then(|a| Acr::parse(a.as_str())).unwrap_or(Acr::Pwd);
    sign_in_url(
        Some(&format!("/oauth2/authorize/continue/{pending_id}")),
        acr,
    )
}

async fn answer(
    state: &AppState,
    outcome: AuthorizeOutcome,
    signed_in: Option<&SignedIn>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    match outcome {
        AuthorizeOutcome::Refused(message) => Err(WebError::page_text(
            StatusCode::BAD_REQUEST,
            "error-title-request-refused",
            super::logout::core_sentence(message),
        )),
        AuthorizeOutcome::ToClient(url) => Ok(Redirect::to(&url).into_response()),
        AuthorizeOutcome::SignIn {
            pending_id,
            acr,
            end_session,
        } => {
            let mut response =
                Redirect::to(&sign_in_then_continue(&pending_id, acr)).into_response();
            if end_session {
                let clear = session::clear_cookie(&state.config);
                response.headers_mut().append(header::SET_COOKIE, clear);
            }
            Ok(response)
        }
        AuthorizeOutcome::Consent(prompt) => {
            let Some(SignedIn(auth)) = signed_in else {
                return Err(WebError::SignIn);
            };
            let page = ConsentPage {
                layout: Layout::signed_in(
                    "sign-in-consent-window-title",
                    "account",
                    csrf.value(),
                    auth.user.role,
                ),
                csrf: csrf.value().to_owned(),
                claims: prompt.claims.iter().map(|c| claim_words(c)).collect(),
                prompt,
            };
            let mut response = render(StatusCode::OK, &page)?;
            // Clickjacking: the CSP's frame-ancestors 'none' already applies; said again here
            // because this page's one button grants access.
            response
                .headers_mut()
                .insert("x-frame-options", HeaderValue::from_static("DENY"));
            Ok((csrf, response).into_response())
        }
    }
}

/// `GET /oauth2/authorize`
pub async fn start(
    State(state): State<AppState>,
    meta: Meta,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    query: Result<Query<AuthorizeParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(params)) = query else {
        return Err(WebError::page(
            StatusCode::BAD_REQUEST,
            "error-title-request-refused",
            "error-request-unreadable",
        ));
    };
    let auth = signed_in.as_ref().map(|s| &s.0);
    let outcome = state.services.authorize(&params, auth, &meta.0).await?;
    answer(&state, outcome, signed_in.as_ref(), csrf).await
}

/// `GET /oauth2/authorize/continue/{id}`
pub async fn continue_after_sign_in(
    State(state): State<AppState>,
    meta: Meta,
    signed_in: Option<SignedIn>,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let auth = signed_in.as_ref().map(|s| &s.0);
    let outcome = state
        .services
        .continue_authorization(&id, auth, &meta.0)
        .await?;
    match outcome {
        // Reached by the 303 that ends a sign-in form's POST: Chromium applies the CSP's
        // `form-action 'self'` to that whole redirect chain, so a redirect on to the client
        // would be blocked. A page of ours sends the browser on instead.
        AuthorizeOutcome::ToClient(url) => Ok(onward(
            "sign-in-returning-title",
            "sign-in-returning-signed-in",
            &url,
        )),
        other => answer(&state, other, signed_in.as_ref(), csrf).await,
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    decision: String,
}

/// `POST /oauth2/consent/{id}`
pub async fn decide(
    State(state): State<AppState>,
    meta: Meta,
    SignedIn(auth): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ConsentForm>,
) -> Result<Response, WebError> {
    let allow = form.decision == "allow";
    let outcome = state
        .services
        .decide_consent(&id, &auth, allow, &meta.0)
        .await?;
    match outcome {
        AuthorizeOutcome::ToClient(url) => Ok(onward(
            "sign-in-returning-title",
            if allow {
                "sign-in-returning-allowed"
            } else {
                "sign-in-returning-refused"
            },
            &url,
        )),
        other => answer(&state, other, Some(&SignedIn(auth)), csrf).await,
    }
}
