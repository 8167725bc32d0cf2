//! The OpenID Connect provider's public metadata: the discovery document
//! (`/.well-known/openid-configuration`, OpenID Connect Discovery 1.0 §4, with RFC 8414's
//! fields) and the signing keys (`/oauth2/jwks`). The issuer is `--public-url` exactly as given;
//! the endpoints (served by the flow's routes) hang off the public URL. Both answers are public,
//! cacheable for a few minutes and readable from any origin (browser-based clients fetch them).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::oidc::jose::Alg;
use serde_json::{Value, json};

use super::error::ApiResult;
use crate::state::AppState;

/// How long clients and caches may keep JWKS. Short against the overlap a rotation leaves (a
/// retired key stays published for the tokens' lifetime, 10 minutes), so a cache never hides a
/// new key for long; relying parties also fetch again when they meet an unknown `kid`.
const JWKS_MAX_AGE: &str = "public, max-age=300";
const DISCOVERY_MAX_AGE: &str = "public, max-age=3600";

fn public_json(body: Value, cache: &'static str) -> Response {
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The discovery document of `issuer`, whose endpoints are under `base` (the public URL
/// without a trailing slash).
pub fn discovery_document(issuer: &str, base: &str) -> Value {
    let algs: Vec<&str> = Alg::ALL.iter().map(|a| a.as_str()).collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userinfo"),
        "jwks_uri": format!("{base}/oauth2/jwks"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "introspection_endpoint": format!("{base}/oauth2/introspect"),
        "end_session_endpoint": format!("{base}/oauth2/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email", "groups", "offline_access"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
            "email", "email_verified", "groups",
        ],
        "acr_values_supported": ["pwd", "mfa", "phr"],
        "id_token_signing_alg_values_supported": algs,
        "subject_types_supported": ["public"],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": false,
    })
}

/// OpenID Connect discovery.
#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "oidc", responses(
    (status = 200, description = "the provider's metadata (OpenID Connect Discovery 1.0)", body = Object),
))]
pub async fn discovery(State(state): State<AppState>) -> Response {
    let config = &state.config;
    public_json(
        discovery_document(&config.issuer, &config.public_url),
        DISCOVERY_MAX_AGE,
    )
}

/// The public keys ID tokens are signed with: the current key of each algorithm, and retired
/// ones until the tokens they signed have expired.
#[utoipa::path(get, path = "/oauth2/jwks", tag = "oidc", responses(
    (status = 200, description = "a JWK Set (RFC 7517 §5)", body = Object),
))]
pub async fn jwks(State(state): State<AppState>) -> ApiResult<Response> {
    let jwks = state.services.oidc_jwks().await?;
    Ok(public_json(jwks, JWKS_MAX_AGE))
}
