//! Forward authentication for reverse proxies: `GET /api/v1/authz/forward-auth` (Traefik's
//! `forwardAuth`, Caddy's `forward_auth`) and `GET /api/v1/authz/auth-request` (nginx's
//! `auth_request`). The proxy asks before each request of a protected application, passing the
//! original URL in `X-Forwarded-Proto/Host/Uri` and the browser's cookies (or an API client's
//! `Authorization: Bearer`). The decision is the services' ([`Services::check_access`]); here it
//! is only answered in each proxy's dialect.
//!
//! Only callers in `--trusted-proxies` are answered (403 `untrusted_proxy` otherwise): the
//! `X-Forwarded-*` headers name the URL being judged, and from anyone else they would be
//! whatever the caller liked; nor is there a reason for a browser to call this directly.
//!
//! [`Services::check_access`]: portcullis_core::service::Services::check_access

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::secret::Token;
use portcullis_core::service::{AccessCheck, Identity};

use super::error::{ApiError, ErrorBody};
use super::extract::bearer;
use crate::config::Config;
use crate::http::{forwarded, peer};
use crate::state::AppState;
use crate::web::kit::cookies;

/// `X-Forwarded-Uri`: the path and query the browser asked for.
const URI: &str = "x-forwarded-uri";
/// The sign-in page takes a `next` of at most this many bytes.
const MAX_NEXT: usize = 2000;

/// The request the proxy asks about: its URL and the session it carried.
pub struct Original {
    host: String,
    uri: String,
    url: String,
    token: Option<Token>,
}

impl FromRequestParts<AppState> for Original {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let trusted = &state.config.trusted_proxies;
        let Some(peer) = peer(parts).filter(|p| forwarded::is_trusted(*p, trusted)) else {
            return Err(ApiError::input(
                StatusCode::FORBIDDEN,
                "untrusted_proxy",
                "forward authentication answers only the proxies named in --trusted-proxies",
            ));
        };
        let headers = &parts.headers;
        let host = forwarded::host(peer, headers, trusted).ok_or_else(|| {
            ApiError::input(
                StatusCode::BAD_REQUEST,
                "invalid_forwarded_request",
                "X-Forwarded-Host must name the host the browser asked for",
            )
        })?;
        // A path may hold commas, so this header is taken whole (the last one), never split.
        let uri = headers
            .get_all(URI)
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .filter(|u| u.starts_with('/') && !u.starts_with("//"))
            .unwrap_or("/")
            .to_owned();
        let proto =
            forwarded::proto(peer, headers, trusted).unwrap_or(default_scheme(&state.config));
        let url = original_url(proto, &host, &uri);
        let token = cookies::get(headers, cookies::SESSION)
            .map(Token::from_client)
            .or_else(|| bearer(parts));
        Ok(Original {
            host,
            uri,
            url,
            token,
        })
    }
}

fn default_scheme(config: &Config) -> &'static str {
    if config.secure_cookies() {
        "https"
    } else {
        "http"
    }
}

/// The URL to come back to after signing in; the query goes first, and then the path, when the
/// whole would not fit the sign-in page's `next`.
fn original_url(proto: &str, host: &str, uri: &str) -> String {
    let origin = format!("{proto}://{host}");
    let path = uri.split('?').next().unwrap_or("/");
    [uri, path, "/"]
        .into_iter()
        .map(|u| format!("{origin}{u}"))
        .find(|url| url.len() <= MAX_NEXT)
        .unwrap_or(origin)
}

/// `{public_url}/login?next=…`, with `&acr=mfa` when the rule needs a second factor.
fn sign_in_url(config: &Config, original: &str, two_factor: bool) -> String {
    let mut next = String::with_capacity(original.len() * 3);
    for b in original.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            next.push(char::from(b));
        } else {
            next.push_str(&format!("%{b:02X}"));
        }
    }
    let acr = if two_factor { "&acr=mfa" } else { "" };
    format!("{}/login?next={next}{acr}", config.public_url)
}

/// How each proxy is told to send the browser to sign in.
#[derive(Clone, Copy)]
enum Dialect {
    /// Traefik and Caddy pass a 3xx answer on to the browser.
    Redirect,
    /// nginx's `auth_request` understands only 2xx, 401 and 403; its `error_page 401` sends the
    /// browser to the `Location` we give.
    Unauthorized,
}

async fn answer(state: &AppState, original: Original, dialect: Dialect) -> Response {
    let check = state
        .services
        .check_access(original.token.as_ref(), &original.host, &original.uri)
        .await;
    match check {
        Ok(AccessCheck::Allow(identity)) => allowed(identity),
        Ok(AccessCheck::SignIn { two_factor }) => {
            let location = sign_in_url(&state.config, &original.url, two_factor);
            let Ok(location) = HeaderValue::from_str(&location) else {
                return ApiError::input(
                    StatusCode::BAD_REQUEST,
                    "invalid_forwarded_request",
                    "the forwarded URL cannot be returned to",
                )
                .into_response();
            };
            match dialect {
                Dialect::Redirect => {
                    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
                }
                Dialect::Unauthorized => {
                    let body = ApiError::input(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "sign in at the URL in Location",
                    );
                    ([(header::LOCATION, location)], body).into_response()
                }
            }
        }
        Ok(AccessCheck::Refuse) => ApiError::input(
            StatusCode::FORBIDDEN,
            "forbidden",
            "no access rule lets this person open this URL",
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// 200, with the person in `Remote-*` headers for the proxy to copy onto the request it passes
/// on. There is no display name: `Remote-Name` carries the email too. A public rule names no one,
/// but still answers the four headers, empty: a proxy then overwrites whatever the client sent
/// under those names, and Caddy 2.6 (whose `copy_headers` writes its placeholder text for a
/// header the answer lacks) passes on nothing instead of `{http.reverse_proxy.header.…}`.
fn allowed(identity: Option<Identity>) -> Response {
    let (email, groups) = match identity {
        Some(identity) => (identity.email, identity.groups.join(",")),
        None => (String::new(), String::new()),
    };
    let pairs = [
        ("remote-user", email.clone()),
        ("remote-email", email.clone()),
        ("remote-name", email),
        ("remote-groups", groups),
    ];
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        // Group names may hold any character; header values take UTF-8 as opaque bytes but no
        // control characters, which are dropped.
        let clean: String = value.chars().filter(|c| !c.is_control()).collect();
        if let Ok(v) = HeaderValue::from_bytes(clean.as_bytes()) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    (StatusCode::OK, headers).into_response()
}

/// Forward authentication for Traefik and Caddy.
#[utoipa::path(get, path = "/api/v1/authz/forward-auth", tag = "forward-auth",
    params(
        ("X-Forwarded-Host" = String, Header, description = "the host the browser asked for"),
        ("X-Forwarded-Uri" = Option<String>, Header, description = "its path and query (default /)"),
        ("X-Forwarded-Proto" = Option<String>, Header, description = "http or https (default: the public URL's)"),
    ),
    responses(
        (status = 200, description = "let in; the person in Remote-User, Remote-Email (the email), Remote-Name, Remote-Groups (names, comma-separated); empty for a public rule"),
        (status = 302, description = "sign in first (or step up, with acr=mfa) at the URL in Location, which returns to the original URL"),
        (status = 400, description = "invalid_forwarded_request: no X-Forwarded-Host", body = ErrorBody),
        (status = 403, description = "forbidden (no rule for the URL, another contract, not in the rule's groups) or untrusted_proxy", body = ErrorBody),
    ))]
pub async fn forward_auth(State(state): State<AppState>, original: Original) -> Response {
    answer(&state, original, Dialect::Redirect).await
}

/// Forward authentication for nginx's `auth_request`.
#[utoipa::path(get, path = "/api/v1/authz/auth-request", tag = "forward-auth",
    params(
        ("X-Forwarded-Host" = String, Header, description = "the host the browser asked for"),
        ("X-Forwarded-Uri" = Option<String>, Header, description = "its path and query (default /)"),
        ("X-Forwarded-Proto" = Option<String>, Header, description = "http or https (default: the public URL's)"),
    ),
    responses(
        (status = 200, description = "let in; the person in Remote-User, Remote-Email (the email), Remote-Name, Remote-Groups (names, comma-separated); empty for a public rule"),
        (status = 400, description = "invalid_forwarded_request: no X-Forwarded-Host", body = ErrorBody),
        (status = 401, description = "unauthenticated: sign in first (or step up, with acr=mfa) at the URL in Location", body = ErrorBody),
        (status = 403, description = "forbidden (no rule for the URL, another contract, not in the rule's groups) or untrusted_proxy", body = ErrorBody),
    ))]
pub async fn auth_request(State(state): State<AppState>, original: Original) -> Response {
    answer(&state, original, Dialect::Unauthorized).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_url_carries_the_original_url_encoded() {
        let args = crate::config::ServeArgs {
            public_url: Some("https://id.example.com".into()),
            ..Default::default()
        };
        let config = Config::resolve(args, None).unwrap();
        assert_eq!(
            sign_in_url(&config, "https://app.example.com/a?b=1&c", true),
            "https://id.example.com/login?next=https%3A//app.example.com/a%3Fb%3D1%26c&acr=mfa"
        );
    }

    #[test]
    fn the_original_url_fits_the_sign_in_pages_next() {
        assert_eq!(
            original_url("https", "app.example.com", "/a?b=1"),
            "https://app.example.com/a?b=1"
        );
        let long_query = format!("/a?{}", "x".repeat(3000));
        assert_eq!(
            original_url("https", "app.example.com", &long_query),
            "https://app.example.com/a"
        );
        let long_path = format!("/{}", "x".repeat(3000));
        assert_eq!(original_url("http", "h", &long_path), "http://h/");
    }
}
