//! The administration page of RADIUS clients over plain HTTP, as a browser without scripts uses
//! it, on SQLite and PostgreSQL: the owner adds a client and reads its shared secret once (a
//! reload says "already shown"), a refused form says why and adds nothing, removal asks first
//! and then removes, another contract's client cannot be removed, and a plain user is turned
//! away.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::harness::browser::hidden_csrf;
use crate::harness::forms::{element, follow, get, post_from, sign_in};
use crate::harness::server::{PASSWORD, TestApp};

const PAGE: &str = "/admin/radius-clients";

/// Posts `fields` to `to` with the token of the admin page.
async fn post(
    http: &Client,
    app: &TestApp,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_from(http, app, PAGE, to, fields).await
}

/// The remove form's address of the first listed client.
fn remove_action(html: &str) -> String {
    let marker = r#"action="/admin/radius-clients/"#;
    let at = html.find(marker).expect("a remove button") + r#"action=""#.len();
    let rest = &html[at..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The listener's table: (name, secret) of every contract's clients.
async fn keys(app: &TestApp) -> Vec<(String, String)> {
    let keys = app.state.services.radius_client_keys().await.unwrap();
    keys.into_iter()
        .map(|k| (k.client.name.clone(), k.secret.expose().to_owned()))
        .collect()
}

async fn listed(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/radius-clients", Some(token)).await;
    r.json::<Value>().await.unwrap()["clients"].clone()
}

on_both_backends! {
    async fn the_owner_adds_a_client_on_the_admin_page_and_sees_its_secret_once(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        let (status, html) = get(&http, &app, PAGE).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("No RADIUS clients yet"));
        assert!(html.contains(r#"<option value="password+code" selected>"#), "the default mode");
        let (_, account) = get(&http, &app, "/account").await;
        assert!(account.contains(r#"href="/admin/radius-clients""#), "linked from the admin area");

        let r = post(&http, &app, PAGE, &[
            ("name", "office-vpn"),
            ("address", "10.1.2.3/8"),
            ("mode", "push"),
            ("push_timeout", "40"),
        ]).await;
        let shown = follow(&http, &app, r).await;
        let secret = element(&shown, "radius-secret").expect("the secret is shown");
        assert_eq!(secret.len(), 32);
        assert_eq!(keys(&app).await, [("office-vpn".to_owned(), secret.clone())], "the listener's secret");
        assert!(shown.contains("requests from 10.0.0.0/8"), "{shown}");
        assert!(shown.contains("Password, then approval in the companion app"));
        assert!(shown.contains("waits 40 seconds for approval"));

        let (_, reloaded) = get(&http, &app, &format!("{PAGE}?done=secret")).await;
        assert!(!reloaded.contains(&secret), "a reload does not show the secret again");
        assert!(reloaded.contains("Already shown"));
        let (_, plain) = get(&http, &app, PAGE).await;
        assert!(!plain.contains(&secret));

        let action = remove_action(&plain);
        let r = post(&http, &app, &action, &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "first a confirmation page");
        let question = r.text().await.unwrap();
        assert!(question.contains("Remove the RADIUS client “office-vpn”?"), "{question}");
        assert_eq!(listed(&app, &owner).await.as_array().unwrap().len(), 1, "nothing removed yet");
        let r = post(&http, &app, &action, &[("confirm", "yes")]).await;
        let gone = follow(&http, &app, r).await;
        assert!(gone.contains("The RADIUS client was removed"));
        assert!(gone.contains("No RADIUS clients yet"));
        assert!(keys(&app).await.is_empty());
    }

    async fn a_refused_client_says_why_keeps_what_was_typed_and_adds_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        for (fields, reason) in [
            (vec![("name", "vpn"), ("address", "vpn.example.com")], "Address is an IPv4 or IPv6 address or block"),
            (vec![("name", "vpn"), ("address", "10.0.0.1"), ("push_timeout", "0")], "Push timeout is 1 to 600 seconds"),
            (vec![("name", "vpn"), ("address", "10.0.0.1"), ("push_timeout", "soon")], "Push timeout is 1 to 600 seconds"),
            (vec![("name", "vpn"), ("address", "10.0.0.1"), ("mode", "totp")], "Mode is one of"),
            (vec![("name", " "), ("address", "10.0.0.1")], "A RADIUS client name has 1 to 64 characters"),
        ] {
            let r = post(&http, &app, PAGE, &fields).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            let html = r.text().await.unwrap();
            assert!(html.contains(reason), "{reason}: {html}");
            assert!(html.contains(r#"value="vpn"#) || fields[0].1 == " ", "what was typed is kept");
        }
        assert_eq!(listed(&app, &owner).await, json!([]));

        let r = post(&http, &app, PAGE, &[("name", "vpn"), ("address", "10.0.0.1")]).await;
        follow(&http, &app, r).await;
        let r = post(&http, &app, PAGE, &[("name", "vpn"), ("address", "10.0.0.2")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("A RADIUS client with this name exists"));
        let clients = listed(&app, &owner).await;
        assert_eq!(clients.as_array().unwrap().len(), 1);
        assert_eq!(clients[0]["address"], "10.0.0.1/32", "the first one is untouched");
    }

    async fn the_admin_of_another_contract_cannot_remove_a_client(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        app.signed_in("owner@b.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        let r = post(&http, &app, PAGE, &[("name", "vpn"), ("address", "10.0.0.1")]).await;
        let html = follow(&http, &app, r).await;
        let action = remove_action(&html);

        let stranger = sign_in(&app, "owner@b.example").await;
        let (_, theirs) = get(&stranger, &app, PAGE).await;
        assert!(!theirs.contains(&action), "another contract's list does not show it");
        let r = post(&stranger, &app, &action, &[("confirm", "yes")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(listed(&app, &owner).await.as_array().unwrap().len(), 1, "still there");
    }

    async fn a_plain_user_cannot_open_or_post_to_the_radius_page(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let r = app.post_json("/api/v1/users", &json!({
            "email": "user@a.example", "password": PASSWORD, "role": "user",
        }), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let http = sign_in(&app, "user@a.example").await;
        let (status, html) = get(&http, &app, PAGE).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains("Add a client"));
        let (_, account) = get(&http, &app, "/account").await;
        assert!(!account.contains(r#"href="/admin/radius-clients""#));
        let csrf = hidden_csrf(&account);
        let r = http.post(app.url(PAGE)).form(&[
            ("csrf", csrf.as_str()), ("name", "mine"), ("address", "10.0.0.1"),
        ]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(listed(&app, &owner).await, json!([]));
    }
}
