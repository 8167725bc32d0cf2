//! `POST /oauth2/token` and the client authentication the token, revocation and introspection
//! endpoints share: `client_secret_basic` (RFC 6749 §2.3.1: id and secret form-urlencoded,
//! then Basic), `client_secret_post`, or a public client's `client_id` alone. Sending two
//! methods at once is refused (§2.3).

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::secret::Token;
use portcullis_core::service::ClientCredentials;
use serde::Deserialize;
use serde_json::json;

use super::reply::{invalid_request, no_store, oauth_error};
use crate::http::Meta;
use crate::state::AppState;

/// One form-urlencoded component, decoded (`+` is a space).
fn form_decoded(s: &str) -> Option<String> {
    let pair = format!("v={s}");
    url::form_urlencoded::parse(pair.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

/// A client's form-urlencoded request and the credentials it carries (`client_id` and
/// `client_secret` as `fields` reads them from the form, or the Basic header); `Err` (what is
/// wrong, for an `invalid_request`) when either cannot be read.
pub fn client_form<T>(
    headers: &HeaderMap,
    form: Result<Form<T>, FormRejection>,
    fields: impl FnOnce(&T) -> (Option<&str>, Option<&str>),
) -> Result<(T, ClientCredentials), &'static str> {
    let Ok(Form(form)) = form else {
        return Err("send the parameters as application/x-www-form-urlencoded");
    };
    let (id, secret) = fields(&form);
    let creds = credentials(headers, id, secret)?;
    Ok((form, creds))
}

/// The client's credentials from the Basic header or the form; `Err` (what is wrong, for an
/// `invalid_request`) for a request that sends both, or a Basic header that cannot be read.
pub fn credentials(
    headers: &HeaderMap,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<ClientCredentials, &'static str> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    match basic {
        Some(encoded) => {
            if form_secret.is_some() {
                return Err("use one client authentication method, not two");
            }
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let parts = decoded.as_deref().and_then(|d| d.split_once(':'));
            let Some((id, secret)) =
                parts.and_then(|(i, s)| Some((form_decoded(i)?, form_decoded(s)?)))
            else {
                return Err("the Basic credentials cannot be read");
            };
            if form_id.is_some_and(|f| f != id) {
                return Err("client_id differs from the Basic credentials");
            }
            Ok(ClientCredentials {
                client_id: Some(id),
                secret: Some(Token::from_client(&secret)),
                basic: true,
            })
        }
        None => Ok(ClientCredentials {
            client_id: form_id.map(str::to_owned),
            secret: form_secret.map(Token::from_client),
            basic: false,
        }),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /oauth2/token`
pub async fn token(
    State(state): State<AppState>,
    meta: Meta,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let (form, creds) = match client_form(&headers, form, |f| {
        (f.client_id.as_deref(), f.client_secret.as_deref())
    }) {
        Ok(parsed) => parsed,
        Err(problem) => return invalid_request(problem),
    };
    let services = &state.services;
    let answer = match form.grant_type.as_deref() {
        Some("authorization_code") => {
            services
                .exchange_code(
                    &creds,
                    form.code.as_deref(),
                    form.redirect_uri.as_deref(),
                    form.code_verifier.as_deref(),
                    &meta.0,
                )
                .await
        }
        Some("refresh_token") => {
            services
                .refresh_tokens(
                    &creds,
                    form.refresh_token.as_deref(),
                    form.scope.as_deref(),
                    &meta.0,
                )
                .await
        }
        None => return invalid_request("grant_type is missing"),
        Some(_) => {
            return no_store(
                StatusCode::BAD_REQUEST,
                json!({
                    "error": "unsupported_grant_type",
                    "error_description": "use authorization_code or refresh_token",
                }),
            );
        }
    };
    match answer {
        Ok(t) => {
            let mut body = json!({
                "access_token": t.access_token.expose(),
                "token_type": "Bearer",
                "expires_in": t.expires_in,
                "scope": t.scope,
            });
            if let Some(refresh) = &t.refresh_token {
                body["refresh_token"] = refresh.expose().into();
            }
            if let Some(id_token) = &t.id_token {
                body["id_token"] = id_token.as_str().into();
            }
            no_store(StatusCode::OK, body)
        }
        Err(e) => oauth_error(e, creds.basic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded_after_base64() {
        let mut headers = HeaderMap::new();
        // "my client:s3cr%t" form-encoded is "my+client:s3cr%25t".
        let value = format!("Basic {}", STANDARD.encode("my+client:s3cr%25t"));
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        let creds = credentials(&headers, None, None).unwrap();
        assert_eq!(creds.client_id.as_deref(), Some("my client"));
        assert_eq!(creds.secret.unwrap().expose(), "s3cr%t");
        assert!(creds.basic);
        assert!(credentials(&headers, None, Some("x")).is_err());
    }
}
