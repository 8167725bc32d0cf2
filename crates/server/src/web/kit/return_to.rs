//! The place a sign-in returns to: a signed-in page opened without a session sends the person to
//! `/login?next=…`, and so does an application in front of which Portcullis stands (a relying
//! party's authorization request, a reverse proxy's forward auth); once signed in they land where
//! they meant to go. This module checks that such a place is ours to send them to, builds the
//! sign-in link that carries it, reads it back from the cookie a sign-in in progress keeps it in
//! (`kit::sign_in` writes that cookie), and takes the last hop ([`go_on`]). It never decides
//! whether the person may see the page: the page or the application does, once they arrive.

use crate::i18n::filters;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use portcullis_core::login::Acr;

use super::cookies;
use super::error::WebError;
use super::page::{Layout, render};
use crate::config::Config;
use crate::state::AppState;

/// Room for an application's long return address with its query string, well inside the 4 KB
/// a browser keeps for one cookie.
const MAX_NEXT: usize = 2000;

/// Printable ASCII without `\`, quotes, `,` `;` or spaces: what a URL needs, and a valid cookie
/// value as it stands.
fn plain(next: &str) -> bool {
    next.len() <= MAX_NEXT
        && next
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e))
}

/// `next` when it is a path on this server: one leading `/` (not `//` or `/\`, which browsers
/// read as another host), [`plain`], and not a sign-in page itself (which would go round in a
/// circle). Anything else is ignored, never repaired.
pub fn safe_path(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let ok = plain(next)
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    ok.then_some(next)
}

/// `path` when it is a path on this server, the sign-in pages included: one leading `/`, not
/// `//` or `/\`, [`plain`]. Where the language switch comes back to.
pub fn local_path(path: &str) -> Option<&str> {
    let bytes = path.as_bytes();
    let ok =
        plain(path) && bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    ok.then_some(path)
}

/// `next` when it is a path on this server ([`safe_path`]) or an absolute `http`/`https` URL
/// without user name or password whose host is the public URL's or lies within
/// `--cookie-domain` (that domain or a subdomain of it): the applications one sign-in covers.
/// Anything else is ignored, so `/login?next=` never sends anyone to another site.
pub fn safe_next<'a>(config: &Config, next: &'a str) -> Option<&'a str> {
    if next.starts_with('/') {
        return safe_path(next);
    }
    if !plain(next) || !(next.starts_with("https://") || next.starts_with("http://")) {
        return None;
    }
    // The host as a browser reads it (the WHATWG parser, as `url` implements it), so that
    // `https://ours.example@evil.example/` is judged by `evil.example`.
    let url = url::Url::parse(next).ok()?;
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let host = url.host_str()?;
    let ours = url::Url::parse(&config.public_url).ok();
    let public_host = ours.as_ref().and_then(|u| u.host_str());
    let within_domain = config
        .cookie_domain
        .as_deref()
        .is_some_and(|d| host == d || host.strip_suffix(d).is_some_and(|h| h.ends_with('.')));
    let ours = Some(host) == public_host;
    // Our own sign-in pages, by their full address, would go round in a circle.
    let circle = ours && (url.path().starts_with("/login") || url.path().starts_with("/logout"));
    ((ours || within_domain) && !circle).then_some(next)
}

/// Whether `to` (already checked by [`safe_next`]) leaves this server's paths.
fn is_absolute(to: &str) -> bool {
    !to.starts_with('/')
}

/// The sign-in page that returns to the path `next` afterwards; plain `/login` when `next` is not
/// a safe path or is the account page, where a sign-in goes anyway.
pub fn sign_in_then(next: &str) -> String {
    match safe_path(next) {
        Some(next) if next != "/account" => format!("/login?next={}", encode(next)),
        _ => "/login".to_owned(),
    }
}

/// The sign-in link an application's gatekeeper (forward auth, the OIDC authorization endpoint)
/// sends a person to: `/login?acr=…&next=…`, for `next` a path or an absolute URL that
/// [`safe_next`] accepts (the sign-in ignores any other), and `acr` only when above the password.
pub fn sign_in_url(next: Option<&str>, acr: Acr) -> String {
    sign_in_at("/login", next, acr)
}

/// [`sign_in_url`] at another page of the sign-in (the step-up page), which may carry a query.
pub fn sign_in_at(page: &str, next: Option<&str>, acr: Acr) -> String {
    let mut query = Vec::new();
    if acr > Acr::Pwd {
        query.push(format!("acr={}", acr.as_str()));
    }
    if let Some(next) = next {
        query.push(format!("next={}", encode(next)));
    }
    let joint = if page.contains('?') { '&' } else { '?' };
    if query.is_empty() {
        page.to_owned()
    } else {
        format!("{page}{joint}{}", query.join("&"))
    }
}

/// `next` percent-encoded for a query string (`/` kept, for legible links).
pub fn encode(next: &str) -> String {
    let mut out = String::with_capacity(next.len());
    for b in next.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The last hop of a sign-in, to `to` (checked by [`safe_next`]): a 303 for a path of ours; a
/// small page of ours for an application's address, which goes on by itself (`refresh`) or by
/// its link. Chromium applies the CSP's `form-action 'self'` to the redirects that follow a
/// form post too, so a 303 from a `POST` to another origin would be blocked.
pub fn go_on(to: &str) -> Response {
    if !is_absolute(to) {
        return Redirect::to(to).into_response();
    }
    let page = ContinuePage {
        layout: Layout::signed_out("sign-in-continue-window-title"),
        to,
    };
    render(StatusCode::OK, &page).unwrap_or_else(WebError::into_response)
}

#[derive(Template)]
#[template(path = "continue.html")]
struct ContinuePage<'a> {
    layout: Layout,
    to: &'a str,
}

/// The place a sign-in in progress returns to, from its cookie; checked again, since a cookie is
/// the browser's to change.
pub struct ReturnTo(Option<String>);

impl ReturnTo {
    /// Where to go once signed in.
    pub fn path(&self) -> &str {
        self.0.as_deref().unwrap_or("/account")
    }
}

impl FromRequestParts<AppState> for ReturnTo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next =
            cookies::get(&parts.headers, cookies::NEXT).and_then(|n| safe_next(&state.config, n));
        Ok(ReturnTo(next.map(str::to_owned)))
    }
}

/// [`ReturnTo`] where only the headers are at hand.
pub fn return_path<'a>(config: &Config, headers: &'a HeaderMap) -> &'a str {
    cookies::get(headers, cookies::NEXT)
        .and_then(|n| safe_next(config, n))
        .unwrap_or("/account")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_url: &str, cookie_domain: Option<&str>) -> Config {
        let mut c = Config::resolve(crate::config::ServeArgs::default(), None).unwrap();
        c.public_url = public_url.to_owned();
        c.cookie_domain = cookie_domain.map(str::to_owned);
        c
    }

    #[test]
    fn only_a_path_on_this_server_is_a_place_to_return_to() {
        for good in [
            "/account/app-passwords",
            "/admin/users?page=2&q=a%40b",
            "/account/security#totp",
            "/oauth2/authorize?client_id=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=x",
        ] {
            assert_eq!(safe_path(good), Some(good));
        }
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "/\tevil",
            "/a\nb",
            "/a b",
            "/a\"b",
            "/a;b",
            "/a\\b",
            "/caf\u{e9}",
            "/login",
            "/login/code",
            "/logout",
        ] {
            assert_eq!(safe_path(bad), None, "{bad:?}");
        }
        let long = format!("/q?{}", "a".repeat(1997));
        assert_eq!(safe_path(&long), Some(long.as_str()), "2000 bytes");
        assert_eq!(safe_path(&format!("{long}a")), None, "2001 bytes");
    }

    #[test]
    fn an_absolute_url_is_followed_only_to_our_host_or_within_the_cookie_domain() {
        let c = config("https://id.example.com", Some("example.com"));
        for good in [
            "https://id.example.com/account",
            "https://example.com/",
            "https://app.example.com/dashboard?tab=2",
            "http://deep.app.example.com:8443/x",
            "https://APP.Example.com/",
        ] {
            assert_eq!(safe_next(&c, good), Some(good), "{good:?}");
        }
        for bad in [
            "https://evil.com/",
            "https://notexample.com/",
            "https://example.com.evil.com/",
            "https://evilexample.com/",
            "https://user:pw@app.example.com/",
            "https://app.example.com@evil.com/",
            "https://evil.com#@app.example.com",
            "https://evil.com\\@app.example.com",
            "ftp://app.example.com/",
            "javascript://app.example.com/%0Aalert(1)",
            "HTTPS://app.example.com/",
            "https:app.example.com/",
            "https://app.example.com/a b",
            "//app.example.com/",
            "https://id.example.com/login?next=/account",
        ] {
            assert_eq!(safe_next(&c, bad), None, "{bad:?}");
        }
        // Without a cookie domain only the public URL's host is ours.
        let c = config("http://localhost:8080", None);
        assert_eq!(
            safe_next(&c, "http://localhost:3000/x"),
            Some("http://localhost:3000/x")
        );
        assert_eq!(safe_next(&c, "https://app.example.com/"), None);
        assert_eq!(safe_next(&c, "/account"), Some("/account"));
    }

    #[test]
    fn the_sign_in_link_carries_the_page_encoded() {
        assert_eq!(
            sign_in_then("/admin/users?q=a&b=c"),
            "/login?next=/admin/users%3Fq%3Da%26b%3Dc"
        );
        assert_eq!(sign_in_then("/account"), "/login");
        assert_eq!(sign_in_then("//evil.example"), "/login");
    }

    #[test]
    fn the_sign_in_url_carries_the_level_and_the_address_encoded() {
        assert_eq!(
            sign_in_url(Some("https://app.example.com/a?b=c&d"), Acr::Mfa),
            "/login?acr=mfa&next=https%3A//app.example.com/a%3Fb%3Dc%26d"
        );
        assert_eq!(
            sign_in_url(Some("/account"), Acr::Pwd),
            "/login?next=/account"
        );
        assert_eq!(sign_in_url(None, Acr::Phr), "/login?acr=phr");
        assert_eq!(sign_in_url(None, Acr::Pwd), "/login");
    }

    #[test]
    fn a_path_is_a_redirect_and_an_application_a_page_of_ours() {
        let r = go_on("/account/security");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = go_on("https://app.example.com/?a=1&b=2");
        assert_eq!(r.status(), StatusCode::OK);
    }
}
