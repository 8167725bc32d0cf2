//! The pages against a hostile web (issue 8): forged cross-site posts on every state-changing
//! route, session fixation, cookie flags behind HTTPS, a strict CSP with nothing inline on any
//! page a visitor, a user or an administrator can reach (and in any template), no open redirect
//! through `next=`-style parameters, no framing, and `Cache-Control: no-store` on every page,
//! above all those that show a secret.
//!
//! `browser.rs` already covers the login form's CSRF token, the login page's headers and the
//! session cookie's flags over plain HTTP; this file covers the rest. The route lists are checked
//! against `src/web/mod.rs`, so a new route cannot escape them.

use std::collections::{BTreeSet, HashSet, VecDeque};

use reqwest::header::{self, HeaderMap};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{self, Backend, PASSWORD, TestApp};
use crate::harness::totp::code_now;

const OWNER: &str = "owner@example.com";
const MEMBER: &str = "member@example.com";
const EVIL: [&str; 7] = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "%2F%2Fevil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
];
const REDIRECT_PARAMS: [&str; 8] = [
    "next",
    "return",
    "return_to",
    "returnTo",
    "redirect",
    "redirect_uri",
    "url",
    "continue",
];

/// Every `POST` route of `src/web/mod.rs`, as written there, with a path to post to.
const POST_ROUTES: &[(&str, &str)] = &[
    ("\"/login\"", "/login"),
    ("\"/login/step-up\"", "/login/step-up"),
    ("\"/login/code\"", "/login/code"),
    ("\"/login/recovery\"", "/login/recovery"),
    ("kit::remembered::PAGE", "/login/browser"),
    ("\"/login/passkey\"", "/login/passkey"),
    ("\"/login/key\"", "/login/key"),
    ("kit::paths::SETUP_KEY", "/login/setup/key"),
    ("\"/login/push\"", "/login/push"),
    ("\"/login/push/continue\"", "/login/push/continue"),
    ("\"/login/push/leave\"", "/login/push/leave"),
    ("setup_wizard::PATH", "/login/setup"),
    ("\"/recover\"", "/recover"),
    ("\"/login/setup/phone\"", "/login/setup/phone"),
    ("\"/login/setup/phone/verify\"", "/login/setup/phone/verify"),
    ("\"/login/setup/phone/resend\"", "/login/setup/phone/resend"),
    ("\"/forgot\"", "/forgot"),
    ("\"/reset\"", "/reset"),
    ("\"/reset/code\"", "/reset/code"),
    ("\"/logout\"", "/logout"),
    ("\"/account/password\"", "/account/password"),
    (
        "\"/account/sessions/{id}/revoke\"",
        "/account/sessions/{session}/revoke",
    ),
    ("\"/account/phone\"", "/account/phone"),
    ("\"/account/phone/verify\"", "/account/phone/verify"),
    ("\"/account/phone/resend\"", "/account/phone/resend"),
    ("webauthn::ADD", "/account/security/webauthn/add"),
    (
        "\"/account/security/webauthn/{id}/rename\"",
        "/account/security/webauthn/{uuid}/rename",
    ),
    (
        "\"/account/security/webauthn/{id}/remove\"",
        "/account/security/webauthn/{uuid}/remove",
    ),
    ("push_devices::PATH", "/account/security/push-devices"),
    (
        "\"/account/security/push-devices/{id}/rename\"",
        "/account/security/push-devices/{uuid}/rename",
    ),
    (
        "\"/account/security/push-devices/{id}/remove\"",
        "/account/security/push-devices/{uuid}/remove",
    ),
    (
        "\"/account/security/totp/start\"",
        "/account/security/totp/start",
    ),
    (
        "\"/account/security/totp/activate\"",
        "/account/security/totp/activate",
    ),
    (
        "\"/account/security/totp/deactivate\"",
        "/account/security/totp/deactivate",
    ),
    ("recovery_codes::PATH", "/account/security/recovery-codes"),
    ("support_pin::PATH", "/account/support-pin"),
    ("app_passwords::PATH", "/account/app-passwords"),
    (
        "\"/account/app-passwords/{id}/revoke\"",
        "/account/app-passwords/{uuid}/revoke",
    ),
    ("\"/resources\"", "/resources"),
    ("\"/resources/{id}\"", "/resources/{resource}"),
    ("\"/resources/{id}/grants\"", "/resources/{resource}/grants"),
    (
        "\"/resources/{id}/grants/{group}/revoke\"",
        "/resources/{resource}/grants/{group}/revoke",
    ),
    ("\"/resources/{id}/delete\"", "/resources/{resource}/delete"),
    ("admin_users::LIST", "/admin/users"),
    ("\"/admin/users/{id}\"", "/admin/users/{member}"),
    (
        "\"/admin/users/{id}/reset-2fa\"",
        "/admin/users/{member}/reset-2fa",
    ),
    (
        "\"/admin/users/{id}/delete\"",
        "/admin/users/{member}/delete",
    ),
    (
        "\"/admin/users/{id}/unlock\"",
        "/admin/users/{member}/unlock",
    ),
    (
        "\"/admin/users/{id}/invitation/resend\"",
        "/admin/users/{member}/invitation/resend",
    ),
    (
        "\"/admin/users/{id}/invitation/copy\"",
        "/admin/users/{member}/invitation/copy",
    ),
    ("\"/admin/policy\"", "/admin/policy"),
    ("\"/admin/sign-in-settings\"", "/admin/sign-in-settings"),
    ("\"/admin/groups\"", "/admin/groups"),
    (
        "\"/admin/groups/{id}/members\"",
        "/admin/groups/{group}/members",
    ),
    (
        "\"/admin/groups/{id}/members/{user}/remove\"",
        "/admin/groups/{group}/members/{member}/remove",
    ),
    ("\"/admin/access-rules\"", "/admin/access-rules"),
    (
        "\"/admin/access-rules/{id}/remove\"",
        "/admin/access-rules/{uuid}/remove",
    ),
    ("admin_oidc::LIST", "/admin/oidc-clients"),
    ("\"/admin/oidc-clients/{id}\"", "/admin/oidc-clients/{uuid}"),
    (
        "\"/admin/oidc-clients/{id}/secret\"",
        "/admin/oidc-clients/{uuid}/secret",
    ),
    (
        "\"/admin/oidc-clients/{id}/delete\"",
        "/admin/oidc-clients/{uuid}/delete",
    ),
    ("admin_radius::LIST", "/admin/radius-clients"),
    (
        "\"/admin/radius-clients/{id}/remove\"",
        "/admin/radius-clients/{uuid}/remove",
    ),
    ("\"/setup\"", "/setup"),
    ("\"/signup\"", "/signup"),
    ("\"/invite\"", "/invite"),
    ("\"/lock\"", "/lock"),
    ("\"/language\"", "/language"),
    ("\"/account/locale\"", "/account/locale"),
    (
        "\"/account/security/connected-apps/{client_id}/revoke\"",
        "/account/security/connected-apps/x/revoke",
    ),
    (
        "\"/account/security/devices/sessions/{id}/end\"",
        "/account/security/devices/sessions/{session}/end",
    ),
    (
        "\"/account/security/devices/sign-out-others\"",
        "/account/security/devices/sign-out-others",
    ),
    (
        "\"/account/security/devices/browsers/{id}/forget\"",
        "/account/security/devices/browsers/x/forget",
    ),
    (
        "\"/admin/users/{id}/sessions/{session}/end\"",
        "/admin/users/{member}/sessions/{uuid}/end",
    ),
    (
        "\"/admin/users/{id}/sessions/end\"",
        "/admin/users/{member}/sessions/end",
    ),
];

/// Every `GET` route of `src/web/mod.rs`, as written there, with a path to fetch.
const GET_ROUTES: &[(&str, &str)] = &[
    ("\"/\"", "/"),
    ("\"/login\"", "/login"),
    ("\"/login/step-up\"", "/login/step-up?acr=mfa"),
    ("\"/login/code\"", "/login/code"),
    ("kit::remembered::PAGE", "/login/browser"),
    ("\"/login/key\"", "/login/key"),
    ("kit::paths::SETUP_KEY", "/login/setup/key"),
    ("\"/login/push\"", "/login/push"),
    ("\"/login/push/status\"", "/login/push/status?wait=0"),
    ("setup_wizard::PATH", "/login/setup"),
    ("\"/recover\"", "/recover"),
    ("\"/forgot\"", "/forgot"),
    ("\"/reset\"", "/reset?token=x"),
    ("\"/account\"", "/account"),
    ("\"/account/phone\"", "/account/phone"),
    ("\"/account/security\"", "/account/security"),
    ("\"/account/security/totp\"", "/account/security/totp"),
    ("webauthn::ADD", "/account/security/webauthn/add"),
    ("push_devices::PATH", "/account/security/push-devices"),
    ("recovery_codes::PATH", "/account/security/recovery-codes"),
    ("connected_apps::PATH", "/account/security/connected-apps"),
    ("devices::PATH", "/account/security/devices"),
    (
        "\"/account/security/emergency-kit.pdf\"",
        "/account/security/emergency-kit.pdf",
    ),
    ("support_pin::PATH", "/account/support-pin"),
    ("app_passwords::PATH", "/account/app-passwords"),
    ("\"/resources\"", "/resources"),
    ("admin_users::LIST", "/admin/users"),
    ("\"/admin/users/{id}\"", "/admin/users/{member}"),
    ("\"/admin/groups\"", "/admin/groups"),
    ("\"/admin/access-rules\"", "/admin/access-rules"),
    ("admin_oidc::LIST", "/admin/oidc-clients"),
    ("admin_radius::LIST", "/admin/radius-clients"),
    ("\"/setup\"", "/setup"),
    ("\"/signup\"", "/signup"),
    ("\"/invite\"", "/invite?token=x"),
    ("\"/lock\"", "/lock?token=x"),
    ("\"/static/app.css\"", "/static/app.css"),
    ("\"/static/icon.svg\"", "/static/icon.svg"),
    ("\"/static/copy.js\"", "/static/copy.js"),
    ("\"/static/push.js\"", "/static/push.js"),
    ("\"/static/webauthn.js\"", "/static/webauthn.js"),
    ("\"/static/remember.js\"", "/static/remember.js"),
    ("\"/static/locale.js\"", "/static/locale.js"),
];

// ---------------------------------------------------------------------------------------------
// Helpers

/// A browser: keeps cookies, shows redirects instead of following them.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client that sends only the cookies a test writes itself.
fn bare() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn hidden_csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn page(http: &Client, app: &TestApp, path: &str) -> String {
    let r = http.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// Posts `fields` with the CSRF token of the page at `from`; the answer, redirects not followed.
async fn post_form(
    http: &Client,
    app: &TestApp,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = hidden_csrf(&page(http, app, from).await);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(to)).form(&form).send().await.unwrap()
}

/// Signs `email` in through the login form; the answer to the form.
async fn web_sign_in(http: &Client, app: &TestApp, email: &str) -> reqwest::Response {
    let r = post_form(
        http,
        app,
        "/login",
        "/login",
        &[("username", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    r
}

/// Signs `email` in with a client that keeps no cookies: the CSRF cookie's value, the form
/// token that goes with it, and the answer to the login form.
async fn manual_sign_in(app: &TestApp, email: &str) -> (String, String, reqwest::Response) {
    let http = bare();
    let login = http.get(app.url("/login")).send().await.unwrap();
    let csrf =
        cookie_value(&set_cookie(login.headers(), "portcullis_csrf").expect("a CSRF cookie"));
    let token = hidden_csrf(&login.text().await.unwrap());
    let r = http
        .post(app.url("/login"))
        .header(header::COOKIE, format!("portcullis_csrf={csrf}"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    (csrf, token, r)
}

/// The `GET` a browser makes after a form's redirect (POST/redirect/GET).
async fn follow(http: &Client, app: &TestApp, headers: &HeaderMap) -> reqwest::Response {
    let to = headers
        .get(header::LOCATION)
        .expect("a redirect")
        .to_str()
        .unwrap();
    http.get(app.url(to)).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(h)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

/// A redirect that stays on this server: a path, not `//host` or `/\host` (which browsers treat
/// as another host), and no scheme.
#[track_caller]
fn assert_local(location: &str, context: &str) {
    assert!(
        location.starts_with('/')
            && !location.starts_with("//")
            && !location.starts_with("/\\")
            && !location.contains("evil.example")
            && !location.to_ascii_lowercase().contains("javascript:"),
        "{context}: redirect to {location:?} leaves the site"
    );
}

/// The authenticator key shown on a setup page, without its spaces.
fn shown_key(html: &str) -> String {
    let marker = "id=\"totp-key\" data-copy-compact>";
    let at = html.find(marker).expect("the key on the page") + marker.len();
    let rest = &html[at..];
    rest[..rest.find('<').unwrap()]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What every answer and every page must carry

/// A tag's name, its attributes (names lower-cased) and where its text starts.
type Tag = (String, Vec<(String, String)>, usize);

/// Every tag of `html`: a small tokenizer that knows quoted values, so
/// text inside an attribute value is never mistaken for an attribute.
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let mut j = start + 1;
        let name_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'/') {
            j += 1;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let a = j;
            while j < bytes.len() && !b" \t\r\n=>".contains(&bytes[j]) {
                j += 1;
            }
            let attribute = html[a..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j];
                    let v = j + 1;
                    j = v;
                    while j < bytes.len() && bytes[j] != quote {
                        j += 1;
                    }
                    value = html[v..j.min(bytes.len())].to_owned();
                    j += 1;
                } else {
                    let v = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[v..j].to_owned();
                }
            }
            if attribute.is_empty() {
                j += 1;
            } else {
                attributes.push((attribute, value));
            }
        }
        out.push((name, attributes, j + 1));
        i = (j + 1).min(html.len());
    }
    out
}

/// What a strict CSP would refuse (and so must not be there at all): inline scripts, inline
/// event handlers, `javascript:` URLs, inline styles.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, attributes, end) in tags(html) {
        if name == "script" {
            let has_src = attributes.iter().any(|(a, _)| a == "src");
            let body_end = html[end.min(html.len())..].find("</script").unwrap_or(0);
            let body = html[end.min(html.len())..][..body_end].trim();
            if !has_src || !body.is_empty() {
                found.push(format!("inline <script> ({body:.40})"));
            }
        }
        if name == "style" {
            found.push("a <style> element".to_owned());
        }
        for (a, v) in &attributes {
            if a.starts_with("on") {
                found.push(format!("<{name} {a}=…>"));
            }
            if a == "style" {
                found.push(format!("<{name} style=…>"));
            }
            let v = v.trim().to_ascii_lowercase();
            if v.starts_with("javascript:") || v.starts_with("data:text/html") {
                found.push(format!("<{name} {a}={v:.40}>"));
            }
        }
    }
    found
}

/// Checks one answer: CSP and framing on everything; on pages `no-store` and nothing inline;
/// cookies with their protective flags; redirects that stay here.
#[track_caller]
fn check_answer(what: &str, status: StatusCode, h: &HeaderMap, body: &str) {
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: CSP {csp:?} lacks {directive}"
        );
    }
    assert!(
        !csp.contains("unsafe-") && !csp.contains('*'),
        "{what}: CSP {csp:?} is not strict"
    );
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{what}");
    assert_eq!(
        h.get("x-content-type-options").unwrap(),
        "nosniff",
        "{what}"
    );
    let content_type = h
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if content_type.starts_with("text/html") || content_type.starts_with("application/pdf") {
        assert_eq!(
            h.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}: a page without Cache-Control: no-store"
        );
    }
    if content_type.starts_with("text/html") {
        let inline = inline_code(body);
        assert!(inline.is_empty(), "{what} ({status}): {inline:?}");
    }
    for cookie in set_cookies(h) {
        for flag in ["; HttpOnly", "; SameSite=", "; Path=/"] {
            assert!(
                cookie.contains(flag),
                "{what}: cookie {cookie:?} lacks {flag}"
            );
        }
    }
    if let Some(to) = h.get(header::LOCATION) {
        assert_local(to.to_str().unwrap(), what);
    }
}

/// Fetches `starts` and every same-site link, stylesheet, script and image they lead to (and
/// the redirects), checking each answer; how many were checked.
async fn crawl(app: &TestApp, http: &Client, starts: &[String], who: &str) -> usize {
    let mut queue: VecDeque<String> = starts.iter().cloned().collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut checked = 0;
    while let Some(path) = queue.pop_front() {
        let r = http.get(app.url(&path)).send().await.unwrap();
        let status = r.status();
        assert!(!status.is_server_error(), "{who} GET {path}: {status}");
        let headers = r.headers().clone();
        let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
        check_answer(&format!("{who} GET {path}"), status, &headers, &body);
        checked += 1;
        let mut next: Vec<String> = headers
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned())
            .into_iter()
            .collect();
        if headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|c| c.to_str().unwrap().starts_with("text/html"))
        {
            for (_, attributes, _) in tags(&body) {
                for (a, v) in attributes {
                    if a == "href" || a == "src" {
                        next.push(v.replace("&amp;", "&"));
                    }
                }
            }
        }
        for link in next {
            let link = link.split('#').next().unwrap().to_owned();
            // Signing out is a form; everything else a page links to is fetched.
            let same_site = link.starts_with('/') && !link.starts_with("//");
            if same_site && seen.len() < 300 && seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    checked
}

/// The first argument of every `.route(…)` in `src/web/mod.rs` whose methods include `method(`.
fn routes_in_source(method: &str) -> BTreeSet<String> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs")).unwrap();
    let mut found = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        // The call ends at the parenthesis that closes `.route(`.
        let mut depth = 1;
        let end = chunk
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(chunk.len(), |(i, _)| i);
        let call = &chunk[..end];
        let path = call.split(',').next().unwrap().trim().to_owned();
        if call.contains(&format!("{method}(")) {
            found.insert(path);
        }
    }
    found
}

struct World {
    app: TestApp,
    owner_token: String,
    member: String,
    group: String,
    resource: String,
}

/// A server with an owner, a member of the owner's contract, a group and a resource.
async fn world(env: &server::TestEnv) -> World {
    let app = env.spawn().await;
    let owner_token = app.signed_in(OWNER).await;
    let created = |path: &'static str, body: Value| {
        let app = &app;
        let token = owner_token.clone();
        async move {
            let r = app.post_json(path, &body, Some(&token)).await;
            assert_eq!(r.status(), StatusCode::CREATED, "{path}");
            let v: Value = r.json().await.unwrap();
            v["id"].as_str().unwrap().to_owned()
        }
    };
    let member = created(
        "/api/v1/users",
        json!({ "email": MEMBER, "password": PASSWORD }),
    )
    .await;
    let group = created("/api/v1/groups", json!({ "name": "ops" })).await;
    let resource = created(
        "/api/v1/resources",
        json!({ "kind": "datacenter", "name": "Frankfurt" }),
    )
    .await;
    World {
        app,
        owner_token,
        member,
        group,
        resource,
    }
}

impl World {
    fn concrete(&self, path: &str, session: &str) -> String {
        path.replace("{member}", &self.member)
            .replace("{group}", &self.group)
            .replace("{resource}", &self.resource)
            .replace("{session}", session)
            .replace("{uuid}", "0b5b3c0e-7a39-4f3e-9d5e-1f0c2a4b6d8e")
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn the_route_lists_here_are_every_route_of_the_web_router() {
    let listed = |routes: &[(&str, &str)]| -> BTreeSet<String> {
        routes.iter().map(|(s, _)| s.to_string()).collect()
    };
    assert_eq!(routes_in_source("post"), listed(POST_ROUTES));
    assert_eq!(routes_in_source("get"), listed(GET_ROUTES));
}

#[test]
fn no_template_has_inline_scripts_handlers_or_styles() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // `messages/` holds email bodies, which no browser renders under our CSP.
        if path.extension().is_some_and(|e| e == "html") {
            let text = std::fs::read_to_string(&path).unwrap();
            let inline = inline_code(&text);
            assert!(inline.is_empty(), "{}: {inline:?}", path.display());
            scanned += 1;
        }
    }
    assert!(scanned >= 20, "only {scanned} templates found in {dir}");
    // The scanner itself finds what it must.
    for bad in [
        "<script>alert(1)</script>",
        "<script src=\"/static/copy.js\">x()</script>",
        "<a href=\"#\" onclick=\"x()\">",
        "<p style=\"color:red\">",
        "<a href=' javascript:x()'>",
        "<style>p{}</style>",
        "<BUTTON ONCLICK=x>",
    ] {
        assert!(!inline_code(bad).is_empty(), "{bad}");
    }
    assert!(inline_code("<p title=\"a onclick=x style=y\">on=1</p>").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_post_is_refused_on_every_state_changing_route() {
    server::run(Backend::Sqlite, |env| async move {
        let w = world(&env).await;
        let app = &w.app;
        // The victim: the owner, signed in, with every cookie a half-finished login leaves too.
        let (csrf, own_token, r) = manual_sign_in(app, OWNER).await;
        let session = cookie_value(&set_cookie(r.headers(), "portcullis_session").unwrap());
        let cookies = format!(
            "portcullis_csrf={csrf}; portcullis_session={session}; portcullis_ticket=t; \
             portcullis_enrol=t"
        );
        let victim = bare();
        let session_id = {
            let r = app.get("/api/v1/me/sessions", Some(&w.owner_token)).await;
            let v: Value = r.json().await.unwrap();
            v["sessions"][0]["id"].as_str().unwrap().to_owned()
        };
        // A token that is valid, but for another browser's cookie.
        let stranger = browser();
        let foreign = hidden_csrf(&page(&stranger, app, "/login").await);

        let fields: Vec<(&str, &str)> = vec![
            ("username", OWNER),
            ("email", "mallory@example.com"),
            ("password", PASSWORD),
            ("old_password", PASSWORD),
            ("new_password", "Rogue-Owns-9!"),
            ("name", "mallory"),
            ("code", "123456"),
            ("pin", "27182"),
            ("number", "+4915112345678"),
            ("confirm", "yes"),
            ("require_2fa", "on"),
            ("force_2fa", "on"),
            ("role", "administrator"),
            ("kind", "datacenter"),
            ("group", "x"),
            ("user", "x"),
            ("token", "x"),
        ];
        for (_, template) in POST_ROUTES {
            let path = w.concrete(template, &session_id);
            for (attack, token, fetch_site) in [
                ("no token", None, None),
                ("a foreign token", Some(foreign.as_str()), None),
                ("an empty token", Some(""), None),
                (
                    "a cross-site request",
                    Some(own_token.as_str()),
                    Some("cross-site"),
                ),
                (
                    "a sibling-site request",
                    Some(own_token.as_str()),
                    Some("same-site"),
                ),
            ] {
                let mut form = fields.clone();
                if let Some(t) = token {
                    form.push(("csrf", t));
                }
                let mut req = victim
                    .post(app.url(&path))
                    .header(header::ORIGIN, "https://evil.example")
                    .header(header::COOKIE, cookies.as_str())
                    .form(&form);
                if let Some(site) = fetch_site {
                    req = req.header("sec-fetch-site", site);
                }
                let r = req.send().await.unwrap();
                let status = r.status();
                let headers = r.headers().clone();
                let body = r.text().await.unwrap();
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "POST {path} with {attack} was not refused: {body:.300}"
                );
                assert!(
                    body.contains("Your form expired"),
                    "POST {path} with {attack}: {body:.300}"
                );
                assert!(
                    set_cookie(&headers, "portcullis_session").is_none(),
                    "{path}"
                );
                check_answer(
                    &format!("POST {path} with {attack}"),
                    status,
                    &headers,
                    &body,
                );
            }
        }

        // Nothing changed: still signed in, same password, no app password, invitation, policy
        // or group member, and the member is still there.
        let still = victim
            .get(app.url("/account"))
            .header(header::COOKIE, cookies.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(still.status(), StatusCode::OK);
        assert_eq!(app.login(OWNER, PASSWORD).await.status(), StatusCode::OK);
        let api = |path: &'static str| {
            let token = w.owner_token.clone();
            async move {
                let r = app.get(path, Some(&token)).await;
                assert_eq!(r.status(), StatusCode::OK, "{path}");
                r.json::<Value>().await.unwrap()
            }
        };
        assert_eq!(
            api("/api/v1/me/app-passwords").await["app_passwords"],
            json!([])
        );
        assert_eq!(
            api("/api/v1/users").await["users"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(api("/api/v1/contract").await["require_2fa"], false);
        assert_eq!(
            api("/api/v1/resources").await["resources"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let me = api("/api/v1/me").await;
        assert_eq!(me["two_factor"]["enabled"], false);
        assert_eq!(me["support_pin"]["set"], false);

        // The same form from our own page, with the browser's own token, is accepted: the
        // refusals above are the token's and the site's doing, not a broken form.
        let r = victim
            .post(app.url("/account/support-pin"))
            .header(header::COOKIE, cookies.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, app.base.as_str())
            .form(&[
                ("csrf", own_token.as_str()),
                ("pin", "27182"),
                ("pin_confirm", "27182"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_redirection() || r.status().is_success(),
            "{}",
            r.status()
        );
        assert_eq!(api("/api/v1/me").await["support_pin"]["set"], true);
        w.app.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_replaces_a_planted_session_cookie_and_the_planted_value_grants_nothing() {
    server::run(Backend::Sqlite, |env| async move {
        let w = world(&env).await;
        let app = &w.app;
        // Mallory has a session of her own, and a value of her choosing.
        let mallory_token = app.signed_in("mallory@example.com").await;
        let chosen = "fixated-by-mallory-AAAAAAAAAAAAAAAAAAAAAAAAA";
        for planted in [chosen, mallory_token.as_str()] {
            let http = bare();
            let cookie = |csrf: &str, session: &str| {
                format!("portcullis_csrf={csrf}; portcullis_session={session}")
            };
            // The login page gives a CSRF cookie and token (it sends a signed-in browser on to
            // its account; a planted session of Mallory's is just such a browser).
            let login = http.get(app.url("/login")).send().await.unwrap();
            let csrf_cookie =
                cookie_value(&set_cookie(login.headers(), "portcullis_csrf").unwrap());
            let token = hidden_csrf(&login.text().await.unwrap());
            let r = http
                .post(app.url("/login"))
                .header(header::COOKIE, cookie(&csrf_cookie, planted))
                .form(&[
                    ("csrf", token.as_str()),
                    ("username", OWNER),
                    ("password", PASSWORD),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(location(&r), "/account");
            let issued = cookie_value(&set_cookie(r.headers(), "portcullis_session").unwrap());
            assert_ne!(issued, planted, "the session id changes at login");

            // The new id is the owner's; the planted one never becomes the owner's.
            let account = |session: String| {
                let http = bare();
                let url = app.url("/account");
                async move {
                    http.get(url)
                        .header(header::COOKIE, format!("portcullis_session={session}"))
                        .send()
                        .await
                        .unwrap()
                }
            };
            let r = account(issued.clone()).await;
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.text().await.unwrap().contains(OWNER));
            let r = account(planted.to_owned()).await;
            if planted == chosen {
                assert_eq!(r.status(), StatusCode::SEE_OTHER);
                assert_eq!(location(&r), "/login");
                assert_eq!(app.me(planted).await.status(), StatusCode::UNAUTHORIZED);
            } else {
                assert!(!r.text().await.unwrap().contains(OWNER));
                let me: Value = app.me(planted).await.json().await.unwrap();
                assert_eq!(me["email"], "mallory@example.com");
            }
        }
        w.app.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_https_every_cookie_is_secure_http_only_same_site_and_scoped() {
    server::run(Backend::Sqlite, |env| async move {
        let app = env
            .spawn_with(|a| {
                a.open_registration = Some(true);
                a.public_url = Some("https://portcullis.example".to_owned());
            })
            .await;
        let owner = app.signed_in(OWNER).await;
        // One user whose administrator requires 2FA (the setup wizard's ticket), one with an
        // authenticator (the second step's ticket).
        let r = app
            .post_json(
                "/api/v1/users",
                &json!({ "email": "forced@example.com", "password": PASSWORD, "force_2fa": true }),
                Some(&owner),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let two_factor = app.signed_in("totp@example.com").await;
        let r = app
            .post_json("/api/v1/me/totp", &json!({}), Some(&two_factor))
            .await;
        let secret: Value = r.json().await.unwrap();
        let code = code_now(secret["secret"].as_str().unwrap());
        let r = app
            .post_json(
                "/api/v1/me/totp/activate",
                &json!({ "password": PASSWORD, "code": code }),
                Some(&two_factor),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        let mut seen = Vec::new();
        for email in [OWNER, "forced@example.com", "totp@example.com"] {
            let login = bare().get(app.url("/login")).send().await.unwrap();
            seen.extend(set_cookies(login.headers()));
            let (csrf, token, r) = manual_sign_in(&app, email).await;
            seen.extend(set_cookies(r.headers()));
            if let Some(session) = set_cookie(r.headers(), "portcullis_session") {
                let out = bare()
                    .post(app.url("/logout"))
                    .header(
                        header::COOKIE,
                        format!(
                            "portcullis_csrf={csrf}; portcullis_session={}",
                            cookie_value(&session)
                        ),
                    )
                    .form(&[("csrf", token.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(location(&out), "/login?done=signed_out");
                seen.extend(set_cookies(out.headers()));
            }
        }
        let names: BTreeSet<String> = seen
            .iter()
            .map(|c| c.split('=').next().unwrap().to_owned())
            .collect();
        for name in [
            "portcullis_csrf",
            "portcullis_session",
            "portcullis_enrol",
            "portcullis_ticket",
        ] {
            assert!(names.contains(name), "no {name} cookie among {seen:#?}");
        }
        for cookie in &seen {
            for flag in ["; Secure", "; HttpOnly", "; SameSite="] {
                assert!(cookie.contains(flag), "{cookie} lacks {flag}");
            }
            // Tickets travel only to the login pages; everything else to the whole site.
            let name = cookie.split('=').next().unwrap();
            let path = if name == "portcullis_session" || name == "portcullis_csrf" {
                "; Path=/;"
            } else {
                "; Path=/login;"
            };
            assert!(cookie.contains(path), "{cookie} is not scoped to {path}");
        }
        app.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_next_or_return_parameter_redirects_to_another_site() {
    server::run(Backend::Sqlite, |env| async move {
        let w = world(&env).await;
        let app = &w.app;
        let anonymous = bare();
        let signed_in = browser();
        web_sign_in(&signed_in, app, OWNER).await;
        let mut tried = 0;
        for evil in EVIL {
            for param in REDIRECT_PARAMS {
                let query = format!("{param}={}", evil.replace('\\', "%5C"));
                for (who, http) in [("anonymous", &anonymous), ("signed in", &signed_in)] {
                    for path in [
                        "/",
                        "/login",
                        "/login/step-up",
                        "/login/code",
                        "/login/setup",
                        "/account",
                        "/account/phone",
                        "/account/security",
                        // Signed out, a signed-in page sends to `/login?next=<its path>`.
                        "/account/app-passwords",
                        "/admin/users",
                        "/logout",
                        "/forgot",
                        "/reset",
                        "/invite",
                        "/lock",
                    ] {
                        let url = format!("{path}?{query}&token=x");
                        let r = http.get(app.url(&url)).send().await.unwrap();
                        let status = r.status();
                        let headers = r.headers().clone();
                        let body = r.text().await.unwrap();
                        check_answer(&format!("{who} GET {url}"), status, &headers, &body);
                        assert!(
                            !body.contains("evil.example"),
                            "{who} GET {url} repeats the address: {body:.300}"
                        );
                        tried += 1;
                    }
                }
            }
            // A login form carrying the parameter still lands on the account page.
            for param in ["next", "return_to", "redirect"] {
                let http = browser();
                let r = post_form(
                    &http,
                    app,
                    "/login",
                    &format!("/login?{param}={}", evil.replace('\\', "%5C")),
                    &[("username", OWNER), ("password", PASSWORD), (param, evil)],
                )
                .await;
                assert_eq!(location(&r), "/account", "{param}={evil}");
                let r = post_form(&http, app, "/account", "/logout", &[(param, evil)]).await;
                assert_eq!(location(&r), "/login?done=signed_out", "{param}={evil}");
            }
        }
        assert!(tried > 1000);
        w.app.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reachable_page_has_a_strict_csp_refuses_framing_and_is_not_stored() {
    server::run(Backend::Sqlite, |env| async move {
        let w = world(&env).await;
        let app = &w.app;
        let starts: Vec<String> = GET_ROUTES.iter().map(|(_, p)| w.concrete(p, "")).collect();

        // A user whose administrator requires 2FA, for the setup wizard below.
        let r = app
            .post_json(
                "/api/v1/users",
                &json!({ "email": "forced@example.com", "password": PASSWORD, "force_2fa": true }),
                Some(&w.owner_token),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        // The owner goes through every page that shows a secret, then looks around.
        let owner = browser();
        web_sign_in(&owner, app, OWNER).await;
        let remember = |what: &str, r: reqwest::Response| {
            let what = what.to_owned();
            async move {
                let status = r.status();
                let headers = r.headers().clone();
                let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
                check_answer(&what, status, &headers, &body);
                (what, status, headers, body)
            }
        };
        let started = post_form(
            &owner,
            app,
            "/account/security",
            "/account/security/totp/start",
            &[],
        )
        .await;
        let (_, status, _, _) = remember("starting the authenticator setup", started).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let setup = owner
            .get(app.url("/account/security/totp"))
            .send()
            .await
            .unwrap();
        let (_, _, _, shown) = remember("the authenticator setup", setup).await;
        let key = shown_key(&shown);
        let activated = post_form(
            &owner,
            app,
            "/account/security/totp",
            "/account/security/totp/activate",
            &[("password", PASSWORD), ("code", &code_now(&key))],
        )
        .await;
        let (_, status, headers, _) = remember("activating the authenticator", activated).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let shown = follow(&owner, app, &headers).await;
        let (_, status, _, codes) = remember("the recovery codes after activation", shown).await;
        assert_eq!(status, StatusCode::OK);
        assert!(codes.contains("id=\"recovery-codes\""), "{codes:.400}");
        let kit = owner
            .get(app.url("/account/security/emergency-kit.pdf"))
            .send()
            .await
            .unwrap();
        let (_, status, headers, _) = remember("the emergency kit", kit).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get(header::CONTENT_TYPE).unwrap(),
            "application/pdf"
        );
        let regenerated = post_form(
            &owner,
            app,
            "/account/security",
            "/account/security/recovery-codes",
            &[("password", PASSWORD)],
        )
        .await;
        let (_, _, headers, _) = remember("making new recovery codes", regenerated).await;
        let shown = follow(&owner, app, &headers).await;
        let (_, _, _, codes) = remember("new recovery codes", shown).await;
        assert!(codes.contains("id=\"recovery-codes\""));
        let created = post_form(
            &owner,
            app,
            "/account/app-passwords",
            "/account/app-passwords",
            &[("name", "Thunderbird"), ("password", PASSWORD)],
        )
        .await;
        let (_, _, headers, _) = remember("making an app password", created).await;
        let created = follow(&owner, app, &headers).await;
        let (_, _, _, shown) = remember("a new app password", created).await;
        assert!(shown.contains("id=\"app-password\""), "{shown:.400}");
        let paired = post_form(
            &owner,
            app,
            "/account/security",
            "/account/security/push-devices",
            &[("name", "phone"), ("password", PASSWORD)],
        )
        .await;
        let (_, _, headers, _) = remember("starting a pairing", paired).await;
        let paired = follow(&owner, app, &headers).await;
        let (_, _, _, pairing) = remember("a pairing link", paired).await;
        assert!(pairing.contains("portcullis://pair"), "{pairing:.400}");
        let pin = post_form(
            &owner,
            app,
            "/account/support-pin",
            "/account/support-pin",
            &[
                ("pin", "27182"),
                ("pin_confirm", "27182"),
                ("password", PASSWORD),
            ],
        )
        .await;
        remember("the support PIN set", pin).await;
        let checked = crawl(app, &owner, &starts, "the owner").await;

        // A member of the contract, and a visitor.
        let member = browser();
        web_sign_in(&member, app, MEMBER).await;
        let checked_member = crawl(app, &member, &starts, "a member").await;
        let checked_visitor = crawl(app, &browser(), &starts, "a visitor").await;

        // Half-way through a login: the code page (the owner has 2FA now) and, for a user whose
        // administrator requires 2FA, the setup wizard, which shows a key of its own.
        let second = browser();
        let r = web_sign_in(&second, app, OWNER).await;
        assert_eq!(location(&r), "/login/code");
        let checked_second = crawl(
            app,
            &second,
            &[
                "/login/code".to_owned(),
                "/login/code?recovery=1".to_owned(),
            ],
            "the second step",
        )
        .await;
        let wizard = browser();
        let r = web_sign_in(&wizard, app, "forced@example.com").await;
        assert_eq!(location(&r), "/login/setup");
        let shown = page(&wizard, app, "/login/setup").await;
        assert!(!shown_key(&shown).is_empty());
        let checked_wizard = crawl(
            app,
            &wizard,
            &["/login/setup".to_owned()],
            "the setup wizard",
        )
        .await;

        eprintln!(
            "checked {checked} answers as the owner, {checked_member} as a member, \
             {checked_visitor} as a visitor, {checked_second} in the second step, \
             {checked_wizard} in the wizard"
        );
        assert!(checked > 30 && checked_member > 15 && checked_visitor > 15);
        w.app.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_answers_that_carry_secrets_are_not_stored_either() {
    server::run(Backend::Sqlite, |env| async move {
        let app = env.spawn().await;
        app.signup(OWNER, PASSWORD).await;
        let r = app.login(OWNER, PASSWORD).await;
        assert_eq!(
            r.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "a token"
        );
        let token: Value = r.json().await.unwrap();
        let token = token["token"].as_str().unwrap();
        for (path, body, what) in [
            ("/api/v1/me/totp", json!({}), "an authenticator key"),
            (
                "/api/v1/me/app-passwords",
                json!({ "name": "mail", "password": PASSWORD }),
                "an app password",
            ),
            (
                "/api/v1/me/push-devices",
                json!({ "name": "phone", "password": PASSWORD }),
                "a pairing link",
            ),
        ] {
            let r = app.post_json(path, &body, Some(token)).await;
            assert_eq!(r.status(), StatusCode::CREATED, "{path}");
            assert_eq!(
                r.headers().get(header::CACHE_CONTROL).unwrap(),
                "no-store",
                "{what}"
            );
        }
        let r = app.me(token).await;
        assert_eq!(r.headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
        app.shutdown().await;
    })
    .await;
}
