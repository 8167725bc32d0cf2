//! `GET|POST /oauth2/userinfo` (a Bearer access token, RFC 6750), `POST /oauth2/revoke`
//! (RFC 7009: 200 for unknown tokens too) and `POST /oauth2/introspect` (RFC 7662).

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::oidc::oauth_error::OAuthError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::{invalid_request, no_store, oauth_error};
use super::token::client_form;
use crate::http::Meta;
use crate::state::AppState;

fn bearer_refusal(error: Option<&str>) -> Response {
    let challenge = match error {
        Some(e) => format!("Bearer error=\"{e}\""),
        None => "Bearer".to_owned(),
    };
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::CACHE_CONTROL, "no-store")],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

/// `GET|POST /oauth2/userinfo`
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return bearer_refusal(None);
    };
    match state.services.userinfo(token.trim()).await {
        Ok(claims) => no_store(StatusCode::OK, Value::Object(claims)),
        Err(OAuthError::Refused { .. }) => bearer_refusal(Some("invalid_token")),
        Err(e) => oauth_error(e, false),
    }
}

#[derive(Deserialize)]
pub struct TokenParam {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /oauth2/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    meta: Meta,
    headers: HeaderMap,
    form: Result<Form<TokenParam>, FormRejection>,
) -> Response {
    let (form, creds) = match client_form(&headers, form, |f| {
        (f.client_id.as_deref(), f.client_secret.as_deref())
    }) {
        Ok(parsed) => parsed,
        Err(problem) => return invalid_request(problem),
    };
    match state
        .services
        .revoke_oidc_token(&creds, form.token.as_deref(), &meta.0)
        .await
    {
        Ok(()) => no_store(StatusCode::OK, json!({})),
        Err(e) => oauth_error(e, creds.basic),
    }
}

/// `POST /oauth2/introspect`
pub async fn introspect(
    State(state): State<AppState>,
    meta: Meta,
    headers: HeaderMap,
    form: Result<Form<TokenParam>, FormRejection>,
) -> Response {
    let (form, creds) = match client_form(&headers, form, |f| {
        (f.client_id.as_deref(), f.client_secret.as_deref())
    }) {
        Ok(parsed) => parsed,
        Err(problem) => return invalid_request(problem),
    };
    match state
        .services
        .introspect(&creds, form.token.as_deref(), &meta.0)
        .await
    {
        Ok(i) if !i.active => no_store(StatusCode::OK, json!({"active": false})),
        Ok(i) => no_store(
            StatusCode::OK,
            json!({
                "active": true,
                "scope": i.scope,
                "client_id": i.client_id,
                "sub": i.sub,
                "exp": i.exp,
                "iat": i.iat,
                "token_type": i.token_type,
            }),
        ),
        Err(e) => oauth_error(e, creds.basic),
    }
}
