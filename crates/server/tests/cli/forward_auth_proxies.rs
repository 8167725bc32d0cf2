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

use std::path::Path;

use axum::http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};

use super::proxy_kit::{CLAIMED, CLIENT, Caddy, Running, Upstream, Visitor, location, nginx_site};
use super::reverse_proxy::{Nginx, free_port, nginx_program, tool_available};
use crate::harness::cli::{Install, OWNER, PASSWORD, Serve, Server};

const ANN: &str = "ann@example.com";

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

    // Signing in through the proxy sets the session for the whole domain, and the sign-in ends
    // where the person was going.
    let (session, onward) = visitor
        .sign_in_then(&public_url, OWNER, Some(&app("/reports?x=1")))
        .await;
    assert_eq!(onward, app("/reports?x=1"), "{kind:?}");
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
