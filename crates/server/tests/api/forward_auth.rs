//! Forward authentication and access rules through the real server, on SQLite and PostgreSQL:
//! the decision table of `/api/v1/authz/forward-auth` and `/auth-request` (no session, a
//! password-only session on a two-factor rule, another contract, a group rule, public and
//! unknown hosts), who may keep the rules (`/api/v1/access-rules`), trusted proxies
//! (`X-Forwarded-For` believed from them only, as the audit rows show), and the session cookie's
//! `Domain`. The test client connects from 127.0.0.1, so a server with `--trusted-proxies
//! 127.0.0.1` treats it as a proxy and one without treats it as a stranger.

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::harness::browser::hidden_csrf;
use crate::harness::server::{PASSWORD, TestApp, TestEnv, error_code};
use crate::harness::totp::code;

async fn proxied(env: &TestEnv) -> TestApp {
    env.spawn_with(|a| {
        a.open_registration = Some(true);
        a.trusted_proxies = Some(vec!["127.0.0.1".into()]);
    })
    .await
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn add_rule(app: &TestApp, token: &str, rule: Value) -> Value {
    let r = call(
        app,
        Method::POST,
        "/api/v1/access-rules",
        token,
        Some(rule.clone()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED, "add {rule}");
    r.json().await.unwrap()
}

/// How the proxy asks: the original URL in `X-Forwarded-*`, the browser's session as a cookie.
async fn check(
    app: &TestApp,
    endpoint: &str,
    url_host: &str,
    uri: &str,
    session: Option<&str>,
) -> Response {
    let mut req = app
        .client
        .get(app.url(&format!("/api/v1/authz/{endpoint}")))
        .header("X-Forwarded-Method", "GET")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", url_host)
        .header("X-Forwarded-Uri", uri);
    if let Some(token) = session {
        req = req.header(COOKIE, format!("portcullis_session={token}"));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let req = req.build().unwrap();
    client.execute(req).await.unwrap()
}

async fn forward_auth(app: &TestApp, host: &str, uri: &str, session: Option<&str>) -> Response {
    check(app, "forward-auth", host, uri, session).await
}

fn header<'r>(r: &'r Response, name: &str) -> Option<&'r str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

/// A member of the owner's contract, signed in with the password alone.
async fn member(app: &TestApp, owner: &str, email: &str, role: &str) -> (String, String) {
    let body = json!({ "email": email, "password": PASSWORD, "role": role });
    let r = call(app, Method::POST, "/api/v1/users", owner, Some(body)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, app.token_for(email, PASSWORD).await)
}

/// Turns on the authenticator app for the token's person and signs in again with it.
async fn two_factor_session(app: &TestApp, token: &str, email: &str) -> String {
    let start: Value = call(app, Method::POST, "/api/v1/me/totp", token, Some(json!({})))
        .await
        .json()
        .await
        .unwrap();
    let secret = start["secret"].as_str().unwrap().to_owned();
    let body = json!({ "password": PASSWORD, "code": code(&secret, 0) });
    let r = call(
        app,
        Method::POST,
        "/api/v1/me/totp/activate",
        token,
        Some(body),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let step: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    assert_eq!(step["status"], "second_factor");
    let body = json!({ "login_ticket": step["login_ticket"], "code": code(&secret, 1) });
    let r: Value = app
        .post_json("/api/v1/login/totp", &body, None)
        .await
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a session").to_owned()
}

on_both_backends! {
    async fn forward_auth_answers_the_decision_table_of_the_issue(env: TestEnv) {
        let app = proxied(&env).await;
        let owner = app.signed_in("owner@example.com").await;
        let (ann_id, ann) = member(&app, &owner, "ann@example.com", "user").await;
        let stranger = app.signed_in("stranger@example.net").await;
        let group: Value = call(&app, Method::POST, "/api/v1/groups", &owner, Some(json!({ "name": "ops" }))).await.json().await.unwrap();
        let gid = group["id"].as_str().unwrap();
        let r = call(&app, Method::PUT, &format!("/api/v1/groups/{gid}/members/{ann_id}"), &owner, None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        add_rule(&app, &owner, json!({ "host": "App.Example.com", "policy": "signed-in" })).await;
        add_rule(&app, &owner, json!({ "host": "app.example.com", "path_prefix": "/admin", "policy": "two-factor" })).await;
        add_rule(&app, &owner, json!({ "host": "ops.example.com", "policy": "signed-in", "groups": ["ops"] })).await;
        add_rule(&app, &owner, json!({ "host": "www.example.com", "policy": "public" })).await;

        // No session: sent to sign in, with the original URL to come back to.
        let r = forward_auth(&app, "app.example.com", "/reports?q=1", None).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        let to_sign_in = app.url("/login?next=https%3A//app.example.com/reports%3Fq%3D1");
        assert_eq!(header(&r, "location"), Some(to_sign_in.as_str()));
        // nginx's dialect: 401 with the same URL in Location, and an error body.
        let r = check(&app, "auth-request", "app.example.com", "/reports?q=1", None).await;
        assert_eq!(header(&r, "location"), Some(to_sign_in.as_str()));
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".into()));
        // A path with commas comes back whole.
        let r = forward_auth(&app, "app.example.com", "/a,b?c=1,2", None).await;
        let to_sign_in = app.url("/login?next=https%3A//app.example.com/a%2Cb%3Fc%3D1%2C2");
        assert_eq!(header(&r, "location"), Some(to_sign_in.as_str()));
        // A made-up token is no session either.
        let r = forward_auth(&app, "app.example.com", "/", Some("not-a-session")).await;
        assert_eq!(r.status(), StatusCode::FOUND);

        // A session of the contract: let in, with the person in the Remote-* headers.
        let r = forward_auth(&app, "app.example.com", "/reports", Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "remote-user"), Some("owner@example.com"));
        assert_eq!(header(&r, "remote-email"), Some("owner@example.com"));
        assert_eq!(header(&r, "remote-name"), Some("owner@example.com"));
        assert_eq!(header(&r, "remote-groups"), Some(""));
        // The host's port does not matter to a rule without one; Bearer works as the cookie does.
        let r = app.client.get(app.url("/api/v1/authz/auth-request"))
            .header("X-Forwarded-Host", "app.example.com:8443")
            .bearer_auth(&ann)
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "remote-groups"), Some("ops"));

        // A password-only session on the two-factor prefix: step up, also when the path hides it.
        for uri in ["/admin", "/admin/users", "/%61dmin", "/x/../admin"] {
            let r = forward_auth(&app, "app.example.com", uri, Some(&owner)).await;
            assert_eq!(r.status(), StatusCode::FOUND, "{uri}");
            assert!(header(&r, "location").unwrap().ends_with("&acr=mfa"), "{uri}");
        }
        let r = check(&app, "auth-request", "app.example.com", "/admin", Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(header(&r, "location").unwrap().ends_with("&acr=mfa"));
        let strong = two_factor_session(&app, &owner, "owner@example.com").await;
        let r = forward_auth(&app, "app.example.com", "/admin", Some(&strong)).await;
        assert_eq!(r.status(), StatusCode::OK);
        // The longest prefix decides: /administrators is not under /admin.
        let r = forward_auth(&app, "app.example.com", "/administrators", Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::OK);

        // Another contract, a person outside the rule's groups, a host without a rule: 403.
        let r = forward_auth(&app, "app.example.com", "/", Some(&stranger)).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".into()));
        let r = forward_auth(&app, "ops.example.com", "/", Some(&strong)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = forward_auth(&app, "ops.example.com", "/", Some(&ann)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = forward_auth(&app, "nobody.example.com", "/", Some(&strong)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = check(&app, "auth-request", "nobody.example.com", "/", None).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // A public rule lets anyone in and names no one (the headers are there, empty, so that
        // the proxy overwrites any the client sent).
        let r = forward_auth(&app, "www.example.com", "/", Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::OK);
        for name in ["remote-user", "remote-email", "remote-name", "remote-groups"] {
            assert_eq!(header(&r, name), Some(""), "{name}");
        }
        let r = forward_auth(&app, "www.example.com", "/", None).await;
        assert_eq!(r.status(), StatusCode::OK);

        // A session that ended no longer opens anything.
        let r = call(&app, Method::POST, "/api/v1/logout", &ann, None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = forward_auth(&app, "ops.example.com", "/", Some(&ann)).await;
        assert_eq!(r.status(), StatusCode::FOUND);
    }

    async fn forward_auth_refuses_callers_that_are_not_trusted_proxies(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        add_rule(&app, &owner, json!({ "host": "www.example.com", "policy": "public" })).await;
        for endpoint in ["forward-auth", "auth-request"] {
            let r = check(&app, endpoint, "www.example.com", "/", Some(&owner)).await;
            assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "untrusted_proxy".into()));
        }
        drop(app);
        let app = proxied(&env).await;
        let r = app.client.get(app.url("/api/v1/authz/forward-auth")).send().await.unwrap();
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_forwarded_request".into()));
        let r = check(&app, "forward-auth", "evil.example/x", "/", None).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_forwarded_request".into()));
    }

    async fn access_rules_are_kept_by_owners_and_administrators_of_their_contract_only(env: TestEnv) {
        let app = proxied(&env).await;
        let owner = app.signed_in("owner@example.com").await;
        let (_, admin) = member(&app, &owner, "admin@example.com", "administrator").await;
        let (_, user) = member(&app, &owner, "user@example.com", "user").await;
        let other = app.signed_in("other@example.net").await;

        // Bad input: 422 with the field named, never a 500 or a half-written rule.
        let bad = [
            json!({ "host": "app.example.com/x", "policy": "signed-in" }),
            json!({ "host": "", "policy": "signed-in" }),
            json!({ "host": "app.example.com:99999", "policy": "signed-in" }),
            json!({ "host": "app.example.com", "path_prefix": "admin", "policy": "signed-in" }),
            json!({ "host": "app.example.com", "path_prefix": "/a?b", "policy": "signed-in" }),
            json!({ "host": "app.example.com", "policy": "everyone" }),
            json!({ "host": "app.example.com", "policy": "signed-in", "groups": ["nobody"] }),
        ];
        for body in bad {
            let r = call(&app, Method::POST, "/api/v1/access-rules", &owner, Some(body.clone())).await;
            assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()), "{body}");
        }
        let r = call(&app, Method::POST, "/api/v1/access-rules", &owner, Some(json!({ "host": "a.example" }))).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".into()));
        let listed: Value = call(&app, Method::GET, "/api/v1/access-rules", &owner, None).await.json().await.unwrap();
        assert_eq!(listed, json!({ "access_rules": [] }));

        // Users may neither read nor write rules; administrators may.
        let rule = json!({ "host": "app.example.com", "policy": "signed-in" });
        let r = call(&app, Method::POST, "/api/v1/access-rules", &user, Some(rule.clone())).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".into()));
        let r = call(&app, Method::GET, "/api/v1/access-rules", &user, None).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let made = add_rule(&app, &admin, rule.clone()).await;
        assert_eq!(made["host"], "app.example.com");
        assert_eq!(made["path_prefix"], "/");
        assert_eq!(made["policy"], "signed-in");
        let id = made["id"].as_str().unwrap().to_owned();

        // One rule per host and prefix; a host belongs to one contract.
        let r = call(&app, Method::POST, "/api/v1/access-rules", &owner, Some(rule.clone())).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "conflict".into()));
        let theirs = json!({ "host": "app.example.com", "path_prefix": "/mine", "policy": "public" });
        let r = call(&app, Method::POST, "/api/v1/access-rules", &other, Some(theirs.clone())).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "conflict".into()));
        let one_port = json!({ "host": "app.example.com:8443", "policy": "public" });
        let r = call(&app, Method::POST, "/api/v1/access-rules", &other, Some(one_port)).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "conflict".into()), "a port of a held host");
        let r = forward_auth(&app, "app.example.com", "/mine", None).await;
        assert_eq!(r.status(), StatusCode::FOUND, "the other contract's rule must not exist");

        // Another contract neither sees nor removes the rule.
        let listed: Value = call(&app, Method::GET, "/api/v1/access-rules", &other, None).await.json().await.unwrap();
        assert_eq!(listed, json!({ "access_rules": [] }));
        let r = call(&app, Method::DELETE, &format!("/api/v1/access-rules/{id}"), &other, None).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".into()));
        let listed: Value = call(&app, Method::GET, "/api/v1/access-rules", &owner, None).await.json().await.unwrap();
        assert_eq!(listed["access_rules"].as_array().unwrap().len(), 1);

        // Removed: refused from the next request on, and the host is free for another contract.
        let r = call(&app, Method::DELETE, &format!("/api/v1/access-rules/{id}"), &owner, None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = forward_auth(&app, "app.example.com", "/", Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        add_rule(&app, &other, theirs).await;

        let types = app.audit_types(&admin).await;
        assert!(types.contains(&"access_rule.created".to_owned()), "{types:?}");
        let types = app.audit_types(&owner).await;
        assert!(types.contains(&"access_rule.removed".to_owned()), "{types:?}");
    }

    async fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(env: TestEnv) {
        let forged = [("X-Forwarded-For", "203.0.113.66, 198.51.100.7")];
        let login = |app: &TestApp| {
            let mut req = app.client.post(app.url("/api/v1/login"))
                .json(&json!({ "username": "owner@example.com", "password": PASSWORD }));
            for (k, v) in forged {
                req = req.header(k, v);
            }
            req.send()
        };
        let last_login_ip = |body: Value| {
            body["events"].as_array().unwrap().iter()
                .find(|e| e["type"] == "login.success")
                .and_then(|e| e["ip"].as_str().map(str::to_owned))
        };

        // Without trusted proxies the header is the client's word, and it is ignored.
        let app = env.spawn().await;
        app.signed_in("owner@example.com").await;
        let token: Value = login(&app).await.unwrap().json().await.unwrap();
        let token = token["token"].as_str().unwrap().to_owned();
        let audit: Value = app.audit(&token, "").await.json().await.unwrap();
        assert_eq!(last_login_ip(audit).as_deref(), Some("127.0.0.1"));
        drop(app);

        // Behind a trusted proxy, the rightmost address that is not a proxy is the client.
        let app = proxied(&env).await;
        let token: Value = login(&app).await.unwrap().json().await.unwrap();
        let token = token["token"].as_str().unwrap().to_owned();
        let audit: Value = app.audit(&token, "").await.json().await.unwrap();
        assert_eq!(last_login_ip(audit).as_deref(), Some("198.51.100.7"));
    }

    async fn the_session_cookie_and_only_it_is_shared_with_the_cookie_domain(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.cookie_domain = Some("127.0.0.1".into());
        }).await;
        app.signed_in("owner@example.com").await;
        // A client that keeps no cookies: the test hands each one over itself, as a browser would.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = http.get(app.url("/login")).send().await.unwrap();
        let csrf_cookie = set_cookie(&page, "portcullis_csrf").expect("a CSRF cookie");
        assert!(!csrf_cookie.contains("Domain="), "{csrf_cookie}");
        let csrf_pair = csrf_cookie.split(';').next().unwrap().to_owned();
        let csrf = hidden_csrf(&page.text().await.unwrap());
        let form = [("csrf", csrf.as_str()), ("username", "owner@example.com"), ("password", PASSWORD)];
        let r = http.post(app.url("/login")).header(COOKIE, &csrf_pair).form(&form).send().await.unwrap();
        let session = set_cookie(&r, "portcullis_session").expect("a session cookie");
        assert!(session.ends_with("; Domain=127.0.0.1"), "{session}");
        let session_pair = session.split(';').next().unwrap().to_owned();
        let token = session_pair.trim_start_matches("portcullis_session=").to_owned();
        assert_eq!(app.me(&token).await.status(), StatusCode::OK);
        // Signing out clears it with the same Domain, or the browser would keep it.
        let both = format!("{csrf_pair}; {session_pair}");
        let account = http.get(app.url("/account")).header(COOKIE, &both).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK);
        let csrf = hidden_csrf(&account.text().await.unwrap());
        let r = http.post(app.url("/logout")).header(COOKIE, &both).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        let cleared = set_cookie(&r, "portcullis_session").expect("the session cookie cleared");
        assert!(cleared.contains("Domain=127.0.0.1") && cleared.contains("Max-Age=0"), "{cleared}");
    }
}

fn set_cookie(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}
