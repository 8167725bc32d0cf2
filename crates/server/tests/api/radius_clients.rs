//! RADIUS clients through `/api/v1/radius-clients`, on SQLite and PostgreSQL: the owner and
//! administrators add, list and remove their contract's clients; the shared secret appears once
//! and opens in the listener's table; bad input is a 422 and a taken name a 409, both writing
//! nothing; another contract's administrator and a plain user are refused; every change is an
//! audit row in the contract's log.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};

const CLIENTS: &str = "/api/v1/radius-clients";

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

fn vpn() -> Value {
    json!({ "name": "office-vpn", "address": "192.0.2.0/24" })
}

/// Adds a client; returns the whole answer.
async fn add(app: &TestApp, token: &str, body: Value) -> Value {
    let r = call(app, Method::POST, CLIENTS, token, Some(body)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn list(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(app, Method::GET, CLIENTS, token, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["clients"]
        .as_array()
        .unwrap()
        .clone()
}

async fn remove(app: &TestApp, token: &str, name: &str) -> reqwest::Response {
    let path = format!("{CLIENTS}/{}", urlencoding(name));
    call(app, Method::DELETE, &path, token, None).await
}

/// A name as one path segment (the names here need only spaces escaped).
fn urlencoding(name: &str) -> String {
    name.replace(' ', "%20")
}

/// The names in the listener's table (every contract's clients, secrets opened).
async fn keys(app: &TestApp) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = app
        .state
        .services
        .radius_client_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.client.name.clone(), k.secret.expose().to_owned()))
        .collect();
    keys.sort();
    keys
}

/// The contract's audit events of `kind`, newest first.
async fn audit_of(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let body: Value = app.audit(token, "").await.json().await.unwrap();
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// A new member of `owner`'s contract with `role`, signed in.
async fn member(app: &TestApp, owner: &str, email: &str, role: &str) -> String {
    let r = call(
        app,
        Method::POST,
        "/api/v1/users",
        owner,
        Some(json!({
            "email": email, "password": PASSWORD, "role": role,
        })),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.token_for(email, PASSWORD).await
}

on_both_backends! {
    async fn an_owner_adds_a_client_whose_secret_is_shown_once(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let added = add(&app, &owner, vpn()).await;
        assert_eq!(added["name"], "office-vpn");
        assert_eq!(added["address"], "192.0.2.0/24");
        assert_eq!(added["mode"], "password+code", "the default mode");
        assert_eq!(added["push_timeout_secs"], 25, "the default timeout");
        assert!(added["created_at"].as_str().unwrap().ends_with('Z'));
        let secret = added["secret"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 32);
        assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()), "{secret}");

        let listed = list(&app, &owner).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["name"], "office-vpn");
        assert_eq!(listed[0]["mode"], "password+code");
        assert!(listed[0].get("secret").is_none());
        assert!(!listed[0].to_string().contains(&secret), "the secret is never shown again");
        assert_eq!(keys(&app).await, [("office-vpn".to_owned(), secret.clone())], "the listener opens it");

        let events = audit_of(&app, &owner, "radius_client.added").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["detail"]["name"], "office-vpn");
        assert_eq!(events[0]["detail"]["network"], "192.0.2.0/24");
        assert!(!events[0].to_string().contains(&secret), "no secret in the log");
    }

    async fn every_mode_and_timeout_is_kept_and_an_address_reads_back_as_its_block(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let made = add(&app, &owner, json!({
            "name": "wifi", "address": "10.1.2.3/8", "mode": "push", "push_timeout_secs": 40,
        })).await;
        assert_eq!((made["address"].clone(), made["mode"].clone()), (json!("10.0.0.0/8"), json!("push")));
        assert_eq!(made["push_timeout_secs"], 40);
        add(&app, &owner, json!({ "name": "ssh", "address": "2001:db8::1", "mode": "challenge" })).await;
        add(&app, &owner, json!({ "name": "pam", "address": "198.51.100.7", "mode": "code-only" })).await;
        let listed = list(&app, &owner).await;
        let rows: Vec<(&str, &str, &str)> = listed
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["address"].as_str().unwrap(), c["mode"].as_str().unwrap()))
            .collect();
        assert_eq!(rows, [
            ("pam", "198.51.100.7/32", "code-only"),
            ("ssh", "2001:db8::1/128", "challenge"),
            ("wifi", "10.0.0.0/8", "push"),
        ], "by name");
    }

    async fn an_owner_removes_a_client_and_the_listener_no_longer_knows_it(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        add(&app, &owner, vpn()).await;
        add(&app, &owner, json!({ "name": "branch office", "address": "198.51.100.0/24" })).await;

        let r = remove(&app, &owner, "branch office").await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let names: Vec<Value> = list(&app, &owner).await.iter().map(|c| c["name"].clone()).collect();
        assert_eq!(names, [json!("office-vpn")]);
        let known: Vec<String> = keys(&app).await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(known, ["office-vpn"]);
        let r = remove(&app, &owner, "branch office").await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));

        let events = audit_of(&app, &owner, "radius_client.removed").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["detail"]["name"], "branch office");
        assert_eq!(events[0]["detail"]["network"], "198.51.100.0/24");
        assert_eq!(events[0]["outcome"], "success");
    }

    async fn an_administrator_manages_the_clients_of_the_owners_contract(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let admin = member(&app, &owner, "admin@a.example", "administrator").await;
        add(&app, &owner, vpn()).await;
        assert_eq!(list(&app, &admin).await.len(), 1);
        add(&app, &admin, json!({ "name": "wifi", "address": "10.0.0.0/8" })).await;
        assert_eq!(list(&app, &owner).await.len(), 2);
        assert_eq!(remove(&app, &admin, "office-vpn").await.status(), StatusCode::NO_CONTENT);
        assert_eq!(list(&app, &owner).await.len(), 1);
    }

    async fn bad_input_is_refused_with_422_and_writes_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        for (body, code) in [
            (json!({ "name": "x", "address": "10.0.0.0/33" }), "validation_failed"),
            (json!({ "name": "x", "address": "10.0.0" }), "validation_failed"),
            (json!({ "name": "x", "address": "vpn.example.com" }), "validation_failed"),
            (json!({ "name": "x", "address": "" }), "validation_failed"),
            (json!({ "name": "  ", "address": "10.0.0.1" }), "validation_failed"),
            (json!({ "name": "x".repeat(65), "address": "10.0.0.1" }), "validation_failed"),
            (json!({ "name": "x", "address": "10.0.0.1", "mode": "totp" }), "validation_failed"),
            (json!({ "name": "x", "address": "10.0.0.1", "push_timeout_secs": 0 }), "validation_failed"),
            (json!({ "name": "x", "address": "10.0.0.1", "push_timeout_secs": 601 }), "validation_failed"),
            (json!({ "name": "x", "address": "10.0.0.1", "push_timeout_secs": -1 }), "invalid_body"),
            (json!({ "name": "x", "address": "10.0.0.1", "secret": "mine" }), "invalid_body"),
            (json!({ "name": "x" }), "invalid_body"),
        ] {
            let r = call(&app, Method::POST, CLIENTS, &owner, Some(body.clone())).await;
            assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned()), "{body}");
        }
        assert!(list(&app, &owner).await.is_empty());
        assert!(keys(&app).await.is_empty());
        assert!(audit_of(&app, &owner, "radius_client.added").await.is_empty());
    }

    async fn a_taken_name_is_a_conflict_also_in_another_contract(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let stranger = app.signed_in("owner@b.example").await;
        let first = add(&app, &owner, vpn()).await;
        let again = json!({ "name": "office-vpn", "address": "203.0.113.0/24" });
        for token in [&owner, &stranger] {
            let r = call(&app, Method::POST, CLIENTS, token, Some(again.clone())).await;
            assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "conflict".to_owned()));
        }
        let listed = list(&app, &owner).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["address"], "192.0.2.0/24", "the first one is untouched");
        assert_eq!(keys(&app).await, [("office-vpn".to_owned(), first["secret"].as_str().unwrap().to_owned())]);
        assert!(list(&app, &stranger).await.is_empty());
    }

    async fn another_contract_and_plain_users_cannot_see_or_remove_clients(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let stranger = app.signed_in("owner@b.example").await;
        let foreign_admin = member(&app, &stranger, "admin@b.example", "administrator").await;
        add(&app, &owner, vpn()).await;
        for token in [&stranger, &foreign_admin] {
            assert!(list(&app, token).await.is_empty());
            let r = remove(&app, token, "office-vpn").await;
            assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));
        }

        let user = member(&app, &owner, "user@a.example", "user").await;
        let r = call(&app, Method::GET, CLIENTS, &user, None).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = call(&app, Method::POST, CLIENTS, &user, Some(json!({ "name": "mine", "address": "10.0.0.1" }))).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = remove(&app, &user, "office-vpn").await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = app.get(CLIENTS, None).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNAUTHORIZED);
        let r = app.client.delete(app.url(&format!("{CLIENTS}/office-vpn"))).send().await.unwrap();
        assert_eq!(error_code(r).await.0, StatusCode::UNAUTHORIZED);

        let names: Vec<String> = keys(&app).await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["office-vpn"], "nothing the others tried removed it");
        assert!(audit_of(&app, &owner, "radius_client.removed").await.is_empty());
    }
}
