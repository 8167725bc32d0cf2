//! Forward authentication behind real reverse proxies we did not write: Debian's `nginx-light`
//! (`auth_request` against `/api/v1/authz/auth-request`) and `caddy` (`forward_auth` against
//! `/api/v1/authz/forward-auth`), each started with generated configuration on a free port in
//! front of the real `portcullis` binary and a tiny upstream written here, which answers with
//! the `Remote-*` headers it received. The proxy's sites are `id.example.test` (Portcullis
//! itself, the public URL) and `app`, `ops`, `www.example.test` (the protected application),
//! all resolved to 127.0.0.1 by the test's client, which connects from 127.0.0.2 so that its own
//! address can be told from the proxy's. The session cookie is set for `example.test`
//! (`--cookie-domain`), so one sign-in at `id` covers the applications.
//!
//! The rules are made with `portcullis access-rule` while the server runs, and a removed rule
//! applies to the next request. Without nginx or caddy the test says SKIPPED, unless
//! `PORTCULLIS_REQUIRE_TOOLS=1`. The configuration is the recipe of docs/integrations.md.

#![cfg(unix)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use super::reverse_proxy::{Nginx, free_port, hidden_csrf, nginx_program, tool_available};
use crate::harness::cli::{Install, OWNER, PASSWORD, PATIENCE, Serve, Server};

const ANN: &str = "ann@example.com";
/// What the client claims in `X-Forwarded-For` (RFC 5737): it must never be recorded.
const CLAIMED: &str = "203.0.113.9";
/// Where the client connects from.
const CLIENT: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

#[derive(Clone, Copy, Debug)]
enum Proxy {
    Nginx,
    Caddy,
}

#[tokio::test]
async fn nginx_auth_request_lets_in_only_whom_the_access_rules_allow() {
    let Some(nginx) = nginx_program() else { return };
    the_access_rules_hold_behind(Proxy::Nginx, &nginx).await;
}

#[tokio::test]
async fn caddy_forward_auth_lets_in_only_whom_the_access_rules_allow() {
    if !tool_available("caddy", Path::new("caddy"), "version") {
        return;
    }
    the_access_rules_hold_behind(Proxy::Caddy, Path::new("caddy")).await;
}

async fn the_access_rules_hold_behind(kind: Proxy, program: &Path) {
    let install = Install::with_owner().await;
    let port = free_port();
    let public_url = format!("http://id.example.test:{port}");
    let spec = Serve::new(&install.root, &install.data)
        .arg("--trusted-proxies")
        .arg("127.0.0.1")
        .arg("--public-url")
        .arg(&public_url)
        .arg("--cookie-domain")
        .arg("example.test");
    let server = Server::start(spec).await;
    let upstream = Upstream::start().await;

    // Ann is in the group "ops"; the owner is not.
    let owner = server.token(OWNER, PASSWORD).await;
    let ann = json!({ "email": ANN, "password": PASSWORD });
    let (status, ann) = server
        .call(Method::POST, "/api/v1/users", &owner, Some(ann))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ann}");
    let group = json!({ "name": "ops" });
    let (_, group) = server
        .call(Method::POST, "/api/v1/groups", &owner, Some(group))
        .await;
    let members = format!(
        "/api/v1/groups/{}/members/{}",
        group["id"].as_str().unwrap(),
        ann["id"].as_str().unwrap()
    );
    assert_eq!(
        server.call(Method::PUT, &members, &owner, None).await.0,
        StatusCode::NO_CONTENT
    );

    // The rules, made at the shell while the server runs.
    let rules: [&[&str]; 4] = [
        &["--host", "app.example.test", "--policy", "signed-in"],
        &[
            "--host",
            "app.example.test",
            "--path-prefix",
            "/admin",
            "--policy",
            "two-factor",
        ],
        &[
            "--host",
            "ops.example.test",
            "--policy",
            "signed-in",
            "--group",
            "ops",
        ],
        &["--host", "www.example.test", "--policy", "public"],
    ];
    for rule in rules {
        let args = [&["access-rule", "add", "--contract-of", OWNER][..], rule].concat();
        install.run(&args, "").await.said("Added access rule");
    }
    let listed = install.run(&["access-rule", "list", "--json"], "").await;
    let listed: Vec<Value> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 4, "{listed:?}");

    let scratch = install.root.join(format!("{kind:?}").to_lowercase());
    std::fs::create_dir_all(&scratch).unwrap();
    let _proxy = match kind {
        Proxy::Nginx => {
            let site = nginx_site(port, server.addr, upstream.addr);
            Running::Nginx(Nginx::start(program, &scratch, &site, port).await)
        }
        Proxy::Caddy => {
            Running::Caddy(Caddy::start(&scratch, port, server.addr, upstream.addr).await)
        }
    };
    let visitor = Visitor::new(port);
    let app = |path: &str| format!("http://app.example.test:{port}{path}");

    // No session: sent to sign in at the public URL, with the original URL to come back to.
    let r = visitor.get(&app("/reports?x=1"), None).await;
    assert_eq!(r.status(), StatusCode::FOUND, "{kind:?}");
    let expected =
        format!("{public_url}/login?next=http%3A//app.example.test%3A{port}/reports%3Fx%3D1");
    assert_eq!(location(&r), expected);

    // Signing in through the proxy sets the session for the whole domain.
    let session = visitor.sign_in(&public_url, OWNER).await;
    let r = visitor.get(&app("/reports"), Some(&session)).await;
    assert_eq!(r.status(), StatusCode::OK, "{kind:?}");
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen["remote-user"], OWNER, "{seen}");
    assert_eq!(seen["remote-email"], OWNER, "{seen}");
    // No groups: nginx drops an empty header, Caddy passes it on empty.
    assert_eq!(seen["remote-groups"].as_str().unwrap_or(""), "", "{seen}");
    assert_eq!(seen["path"], "/reports", "{seen}");

    // The two-factor prefix sends a password-only session to step up.
    let r = visitor.get(&app("/admin/users"), Some(&session)).await;
    assert_eq!(r.status(), StatusCode::FOUND, "{kind:?}");
    assert!(
        location(&r).ends_with("/admin/users&acr=mfa"),
        "{}",
        location(&r)
    );
    assert!(location(&r).starts_with(&format!("{public_url}/login?next=")));

    // The group rule refuses the owner and lets Ann in, naming her group.
    let ops = format!("http://ops.example.test:{port}/");
    let r = visitor.get(&ops, Some(&session)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{kind:?}");
    let ann_session = visitor.sign_in(&public_url, ANN).await;
    let r = visitor.get(&ops, Some(&ann_session)).await;
    assert_eq!(r.status(), StatusCode::OK, "{kind:?}");
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen["remote-user"], ANN, "{seen}");
    assert_eq!(seen["remote-groups"], "ops", "{seen}");

    // A public rule lets anyone in, and a Remote-User the client made up never arrives.
    let www = format!("http://www.example.test:{port}/");
    let forged = visitor
        .http
        .get(&www)
        .header("Remote-User", OWNER)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::OK, "{kind:?}");
    let seen: Value = forged.json().await.unwrap();
    // nginx drops the empty header; Caddy passes it on empty.
    assert_eq!(
        seen["remote-user"].as_str().unwrap_or(""),
        "",
        "{kind:?}: {seen}"
    );

    // Every request claimed another address in X-Forwarded-For: the sign-ins are recorded with
    // the address the proxy saw, never the claimed one.
    let audit = visitor
        .http
        .get(format!("{public_url}/api/v1/me/audit"))
        .bearer_auth(&ann_session)
        .send()
        .await
        .unwrap();
    let audit: Value = audit.json().await.unwrap();
    let ips: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "login.success")
        .filter_map(|e| e["ip"].as_str())
        .collect();
    assert_eq!(ips, [CLIENT.to_string()], "{audit}");
    // Straight to the server from an untrusted address, the claim is ignored too.
    let direct = format!("http://{}/api/v1/login", server.addr);
    let body = json!({ "username": ANN, "password": PASSWORD });
    let r = visitor.http.post(direct).json(&body).send().await.unwrap();
    let token: Value = r.json().await.unwrap();
    let token = token["token"].as_str().unwrap();
    let (_, audit) = server
        .call(Method::GET, "/api/v1/me/audit", token, None)
        .await;
    assert!(!audit.to_string().contains(CLAIMED), "{audit}");
    let forward_auth = format!("http://{}/api/v1/authz/forward-auth", server.addr);
    let r = visitor
        .http
        .get(forward_auth)
        .header("X-Forwarded-Host", "www.example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "an untrusted caller is not answered"
    );

    // A rule removed at the shell applies to the next request: the host has no rule left here.
    let id = listed
        .iter()
        .find(|r| r["host"] == "ops.example.test")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    install
        .run(&["access-rule", "remove", &id], "")
        .await
        .said("Removed access rule");
    let r = visitor.get(&ops, Some(&ann_session)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{kind:?}");
}

/// The nginx recipe of docs/integrations.md, on the test's ports.
fn nginx_site(port: u16, portcullis: SocketAddr, upstream: SocketAddr) -> String {
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
fn caddyfile(port: u16, portcullis: SocketAddr, upstream: SocketAddr) -> String {
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

enum Running {
    Nginx(#[allow(dead_code)] Nginx),
    Caddy(#[allow(dead_code)] Caddy),
}

/// `caddy run` in the foreground, killed when the test ends.
struct Caddy {
    _child: Child,
}

impl Caddy {
    async fn start(dir: &Path, port: u16, portcullis: SocketAddr, upstream: SocketAddr) -> Caddy {
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
struct Upstream {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    async fn start() -> Upstream {
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
struct Visitor {
    http: reqwest::Client,
}

impl Visitor {
    fn new(port: u16) -> Visitor {
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

    async fn get(&self, url: &str, session: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(url);
        if let Some(token) = session {
            req = req.header(COOKIE, format!("portcullis_session={token}"));
        }
        req.send().await.unwrap()
    }

    /// Signs in with the password at the sign-in page through the proxy; the session token of
    /// the cookie it set, which must be for the whole domain.
    async fn sign_in(&self, public_url: &str, email: &str) -> String {
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
        let form = [
            ("csrf", csrf.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ];
        let r = self
            .http
            .post(format!("{public_url}/login"))
            .header(COOKIE, csrf_pair)
            .header("origin", public_url)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
        let session = cookie(r.headers(), "portcullis_session").expect("a session cookie");
        assert!(session.contains("; Domain=example.test"), "{session}");
        let pair = session.split(';').next().unwrap();
        pair.trim_start_matches("portcullis_session=").to_owned()
    }
}

fn cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_access_rule_commands_refuse_bad_input_and_say_why() {
    let install = Install::with_owner().await;
    let install = &install;
    let add = |rest: &'static [&'static str]| {
        let args = [&["access-rule", "add"][..], rest].concat();
        async move { install.run(&args, "").await }
    };
    add(&[
        "--contract-of",
        "nobody@example.com",
        "--host",
        "a.example",
        "--policy",
        "public",
    ])
    .await
    .refused("no account has the email nobody@example.com");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example/x",
        "--policy",
        "public",
    ])
    .await
    .refused("host");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--policy",
        "public",
        "--group",
        "ops",
    ])
    .await
    .refused("no group named \"ops\"");
    let exit = add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--policy",
        "anyone",
    ])
    .await;
    assert_ne!(exit.code, Some(0), "{exit:#?}");
    let exit = add(&[
        "--contract-of",
        OWNER,
        "--host",
        "A.example",
        "--path-prefix",
        "/api/",
        "--policy",
        "two-factor",
        "--json",
    ])
    .await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    let rule: Value = serde_json::from_str(exit.stdout.trim()).unwrap();
    assert_eq!(rule["host"], "a.example");
    assert_eq!(rule["path_prefix"], "/api");
    assert_eq!(rule["policy"], "two-factor");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--path-prefix",
        "/api",
        "--policy",
        "public",
    ])
    .await
    .refused("already has a rule");
    install
        .run(&["access-rule", "remove", "no-such-id"], "")
        .await
        .refused("no access rule has the id no-such-id");
    let id = rule["id"].as_str().unwrap();
    install
        .run(&["access-rule", "remove", id], "")
        .await
        .said("Removed access rule");
    install
        .run(&["access-rule", "list"], "")
        .await
        .said("No access rules yet");
}
