//! What `forward_auth_proxies` runs around the server: the proxies' configuration (the recipes
//! of docs/integrations.md on the test's ports), Caddy in the foreground, the upstream that
//! echoes the `Remote-*` headers it got, and the visitor (a browser at 127.0.0.2 for which the
//! example.test names are this machine).

#![cfg(unix)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use super::reverse_proxy::{Nginx, hidden_csrf};
use crate::harness::cli::{PASSWORD, PATIENCE};

/// What the client claims in `X-Forwarded-For` (RFC 5737): it must never be recorded.
pub const CLAIMED: &str = "203.0.113.9";
/// Where the client connects from.
pub const CLIENT: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// The nginx recipe of docs/integrations.md, on the test's ports.
pub fn nginx_site(port: u16, portcullis: SocketAddr, upstream: SocketAddr) -> String {
    format!(
        r#"
server {{
    listen 127.0.0.1:{port};
    server_name id.example.test;
    location / {{
        proxy_pass http://{portcullis};
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }}
}}
server {{
    listen 127.0.0.1:{port};
    server_name app.example.test ops.example.test www.example.test;
    location / {{
        auth_request /portcullis-auth;
        auth_request_set $remote_user_ $upstream_http_remote_user;
        auth_request_set $remote_email_ $upstream_http_remote_email;
        auth_request_set $remote_name_ $upstream_http_remote_name;
        auth_request_set $remote_groups_ $upstream_http_remote_groups;
        proxy_set_header Remote-User $remote_user_;
        proxy_set_header Remote-Email $remote_email_;
        proxy_set_header Remote-Name $remote_name_;
        proxy_set_header Remote-Groups $remote_groups_;
        auth_request_set $sign_in $upstream_http_location;
        error_page 401 =302 $sign_in;
        proxy_pass http://{upstream};
    }}
    location = /portcullis-auth {{
        internal;
        proxy_pass http://{portcullis}/api/v1/authz/auth-request;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Forwarded-Method $request_method;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-Uri $request_uri;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
}}
"#
    )
}

/// The Caddy recipe of docs/integrations.md, on the test's ports; no admin endpoint, so that
/// tests running at once never meet (Caddy 2.6 has no `persist_config`: its autosaved copy goes
/// to the test's folder through `XDG_CONFIG_HOME`).
pub fn caddyfile(port: u16, portcullis: SocketAddr, upstream: SocketAddr) -> String {
    format!(
        r#"{{
    admin off
    auto_https off
}}

http://id.example.test:{port} {{
    bind 127.0.0.1
    reverse_proxy {portcullis}
}}

http://app.example.test:{port}, http://ops.example.test:{port}, http://www.example.test:{port} {{
    bind 127.0.0.1
    forward_auth {portcullis} {{
        uri /api/v1/authz/forward-auth
        copy_headers Remote-User Remote-Email Remote-Name Remote-Groups
    }}
    reverse_proxy {upstream}
}}
"#
    )
}

pub enum Running {
    Nginx(#[allow(dead_code)] Nginx),
    Caddy(#[allow(dead_code)] Caddy),
}

/// `caddy run` in the foreground, killed when the test ends.
pub struct Caddy {
    _child: Child,
}

impl Caddy {
    pub async fn start(
        dir: &Path,
        port: u16,
        portcullis: SocketAddr,
        upstream: SocketAddr,
    ) -> Caddy {
        let file = dir.join("Caddyfile");
        std::fs::write(&file, caddyfile(port, portcullis, upstream)).unwrap();
        let log = dir.join("caddy.log");
        let mut child = Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&file)
            // Its data and configuration folders in the test's, never the user's.
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("caddy starts");
        let deadline = Instant::now() + PATIENCE;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            let log = || std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(status) = child.try_wait().unwrap() {
                panic!("caddy exited ({status}):\n{}", log());
            }
            assert!(
                Instant::now() < deadline,
                "caddy is not listening:\n{}",
                log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Caddy { _child: child }
    }
}

/// The protected application: answers every request with the path and the `Remote-*` headers
/// it got, as JSON.
pub struct Upstream {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    pub async fn start() -> Upstream {
        async fn echo(uri: axum::http::Uri, headers: HeaderMap) -> axum::Json<Value> {
            let mut seen = json!({ "path": uri.path() });
            for name in [
                "remote-user",
                "remote-email",
                "remote-name",
                "remote-groups",
            ] {
                if let Some(v) = headers.get(name) {
                    seen[name] = Value::String(v.to_str().unwrap_or("?").to_owned());
                }
            }
            axum::Json(seen)
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(echo);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Upstream { addr, task }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A browser at [`CLIENT`] for which the example.test names are this machine, claiming
/// [`CLAIMED`] in every request; it hands over cookies itself.
pub struct Visitor {
    pub http: reqwest::Client,
}

impl Visitor {
    pub fn new(port: u16) -> Visitor {
        let proxy = SocketAddr::from(([127, 0, 0, 1], port));
        let mut claimed = reqwest::header::HeaderMap::new();
        claimed.insert("x-forwarded-for", CLAIMED.parse().unwrap());
        let http = ["id", "app", "ops", "www"]
            .iter()
            .fold(reqwest::Client::builder(), |b, name| {
                b.resolve(&format!("{name}.example.test"), proxy)
            })
            .no_proxy()
            .local_address(IpAddr::V4(CLIENT))
            .default_headers(claimed)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PATIENCE)
            .build()
            .unwrap();
        Visitor { http }
    }

    pub async fn get(&self, url: &str, session: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(url);
        if let Some(token) = session {
            req = req.header(COOKIE, format!("portcullis_session={token}"));
        }
        req.send().await.unwrap()
    }

    /// Signs in with the password at the sign-in page through the proxy; the session token of
    /// the cookie it set, which must be for the whole domain.
    pub async fn sign_in(&self, public_url: &str, email: &str) -> String {
        self.sign_in_then(public_url, email, None).await.0
    }

    /// [`Visitor::sign_in`] with the sign-in page's `next`; also the address the answer sends the
    /// browser on to (`Location`, or the link of the page that continues to another host).
    pub async fn sign_in_then(
        &self,
        public_url: &str,
        email: &str,
        next: Option<&str>,
    ) -> (String, String) {
        let page = self
            .http
            .get(format!("{public_url}/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let csrf_cookie = cookie(page.headers(), "portcullis_csrf").expect("a CSRF cookie");
        let csrf_pair = csrf_cookie.split(';').next().unwrap().to_owned();
        let csrf = hidden_csrf(&page.text().await.unwrap());
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ];
        if let Some(next) = next {
            form.push(("next", next));
        }
        let r = self
            .http
            .post(format!("{public_url}/login"))
            .header(COOKIE, csrf_pair)
            .header("origin", public_url)
            .form(&form)
            .send()
            .await
            .unwrap();
        let session = cookie(r.headers(), "portcullis_session").expect("a session cookie");
        assert!(session.contains("; Domain=example.test"), "{session}");
        let pair = session.split(';').next().unwrap();
        let token = pair.trim_start_matches("portcullis_session=").to_owned();
        // Same host: a 303. Another host after a form post: a page of ours that continues there
        // (a 303 would be blocked by the pages' CSP `form-action 'self'` in a browser).
        let onward = if r.status() == StatusCode::SEE_OTHER {
            location(&r)
        } else {
            assert_eq!(r.status(), StatusCode::OK, "signed in");
            let page = r.text().await.unwrap();
            let link = page
                .split(r#"id="continue-link""#)
                .next()
                .and_then(|before| before.rsplit("href=\"").next())
                .and_then(|href| href.split('"').next())
                .expect("a link on to the application");
            ["&#x2F;", "&#x2f;", "&#47;"]
                .iter()
                .fold(link.to_owned(), |l, slash| l.replace(slash, "/"))
                .replace("&amp;", "&")
        };
        (token, onward)
    }
}

pub fn cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
