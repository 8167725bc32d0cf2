//! The administration page of OpenID Connect clients over plain HTTP, as a browser without
//! scripts uses it, on SQLite and PostgreSQL: the owner registers a client and reads its secret
//! once (a reload says "already shown"), a refused form says why and makes nothing, a new secret
//! replaces the old one, changes and deletion show in the list, the ID token algorithm is chosen
//! in a select, and a plain user is turned away.

use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::harness::browser::hidden_csrf;
use crate::harness::forms::{element, follow, get, post_from, sign_in};
use crate::harness::server::{PASSWORD, TestApp};

const PAGE: &str = "/admin/oidc-clients";

/// Posts `fields` to `to` with the token of the admin page.
async fn post(
    http: &Client,
    app: &TestApp,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_from(http, app, PAGE, to, fields).await
}

async fn authenticates(app: &TestApp, client_id: &str, secret: &str) -> bool {
    app.state
        .services
        .oidc_authenticate_client(client_id, Some(secret))
        .await
        .is_ok()
}

/// The stored ID token algorithm of a client.
async fn alg_of(app: &TestApp, client_id: &str) -> &'static str {
    let client = app
        .state
        .services
        .client_by_client_id(client_id)
        .await
        .unwrap();
    client
        .expect("the client exists")
        .id_token_signed_response_alg
        .as_str()
}

on_both_backends! {
    async fn the_owner_registers_a_client_on_the_admin_page_and_sees_its_secret_once(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        let (status, html) = get(&http, &app, PAGE).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("No OIDC clients yet"));
        let (_, account) = get(&http, &app, "/account").await;
        assert!(account.contains(r#"href="/admin/oidc-clients""#), "linked from the admin area");

        let r = post(&http, &app, PAGE, &[
            ("name", "Grafana"),
            ("redirect_uris", "https://grafana.example.com/cb\r\nhttp://localhost:3000/cb\r\n"),
            ("groups", ""),
            ("require_2fa", "on"),
        ]).await;
        let shown = follow(&http, &app, r).await;
        let secret = element(&shown, "client-secret").expect("the secret is shown");
        let client_id = element(&shown, "new-client-id").expect("with its client id");
        assert!(authenticates(&app, &client_id, &secret).await);
        assert!(shown.contains("https://grafana.example.com/cb") && shown.contains("http://localhost:3000/cb"));
        assert!(shown.contains("requires 2FA"));

        let (_, reloaded) = get(&http, &app, &format!("{PAGE}?done=secret")).await;
        assert!(!reloaded.contains(&secret), "a reload does not show the secret again");
        assert!(reloaded.contains("Already shown"));

        let r = post(&http, &app, &format!("{PAGE}/{client_id}/secret"), &[]).await;
        let rotated = follow(&http, &app, r).await;
        let new = element(&rotated, "client-secret").expect("the new secret is shown");
        assert_ne!(new, secret);
        assert!(!authenticates(&app, &client_id, &secret).await);
        assert!(authenticates(&app, &client_id, &new).await);

        let r = post(&http, &app, &format!("{PAGE}/{client_id}"), &[
            ("name", "Grafana (ops)"),
            ("redirect_uris", "https://grafana.example.com/cb"),
            ("groups", ""),
        ]).await;
        let changed = follow(&http, &app, r).await;
        assert!(changed.contains("Grafana (ops)") && !changed.contains("requires 2FA"));
        assert!(!changed.contains("http://localhost:3000/cb"));

        let r = post(&http, &app, &format!("{PAGE}/{client_id}/delete"), &[]).await;
        let gone = follow(&http, &app, r).await;
        assert!(gone.contains("No OIDC clients yet"));
        assert!(app.state.services.client_by_client_id(&client_id).await.unwrap().is_none());
    }

    async fn a_refused_registration_says_why_and_makes_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        let r = post(&http, &app, PAGE, &[
            ("name", "Shop"),
            ("redirect_uris", "http://shop.example.com/cb"),
        ]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("must use https://"), "the reason is on the page");
        assert!(html.contains("http://shop.example.com/cb"), "what was typed is kept");
        let listed = app.get("/api/v1/oidc/clients", Some(&owner)).await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(listed["clients"], json!([]));
    }

    async fn the_admin_page_sets_a_clients_id_token_algorithm_and_refuses_an_unknown_one(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        let (_, html) = get(&http, &app, PAGE).await;
        assert!(html.contains(r#"<select id="client_alg" name="id_token_alg""#), "a select in the create form");
        let uri = ("redirect_uris", "https://panel.example.com/cb");
        let r = post(&http, &app, PAGE, &[("name", "Panel"), uri, ("id_token_alg", "HS256")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("one of RS256, ES256 or EdDSA"), "the reason is on the page");
        let listed = app.get("/api/v1/oidc/clients", Some(&owner)).await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(listed["clients"], json!([]), "nothing was made");

        let r = post(&http, &app, PAGE, &[("name", "Panel"), uri, ("id_token_alg", "EdDSA")]).await;
        let shown = follow(&http, &app, r).await;
        let client_id = element(&shown, "new-client-id").expect("the new client");
        assert!(shown.contains("ID tokens signed EdDSA"), "the list says it");
        assert!(shown.contains(r#"<option value="EdDSA" selected>"#), "the edit form starts from it");
        assert_eq!(alg_of(&app, &client_id).await, "EdDSA");

        let edit = format!("{PAGE}/{client_id}");
        let r = post(&http, &app, &edit, &[("name", "Panel"), uri, ("id_token_alg", "ES256")]).await;
        follow(&http, &app, r).await;
        assert_eq!(alg_of(&app, &client_id).await, "ES256");
        let r = post(&http, &app, &edit, &[("name", "Panel"), uri, ("id_token_alg", "none")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(alg_of(&app, &client_id).await, "ES256", "a refused change changes nothing");
    }

    async fn a_plain_user_cannot_open_or_post_to_the_clients_page(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let r = app.post_json("/api/v1/users", &json!({
            "email": "user@a.example", "password": PASSWORD, "role": "user",
        }), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let http = sign_in(&app, "user@a.example").await;
        let (status, html) = get(&http, &app, PAGE).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains("Register a client"));
        let (_, account) = get(&http, &app, "/account").await;
        let csrf = hidden_csrf(&account);
        let r = http.post(app.url(PAGE)).form(&[
            ("csrf", csrf.as_str()), ("name", "Mine"), ("redirect_uris", "https://a.example/cb"),
        ]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let listed = app.get("/api/v1/oidc/clients", Some(&owner)).await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(listed["clients"], json!([]));
    }
}
