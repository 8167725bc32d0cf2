//! App passwords for mail clients and the mail server's credential check, through the
//! real server on SQLite and PostgreSQL: made once, listed with their last use, revoked; checked
//! by a service with its own token; the only way into the mailbox once 2FA is on; throttled and
//! audited like logins.

use portcullis_core::UnixTime;
use portcullis_core::model::UserId;
use portcullis_core::store::{Store, Transaction, Users};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp;

const ALICE: &str = "alice@example.com";

async fn create(app: &TestApp, token: &str, name: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/me/app-passwords",
        &json!({ "name": name, "password": PASSWORD }),
        Some(token),
    )
    .await
}

/// A new app password called `name`: (id, password).
async fn created(app: &TestApp, token: &str, name: &str) -> (String, String) {
    let r = create(app, token, name).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    (
        body["id"].as_str().unwrap().to_owned(),
        body["password"].as_str().unwrap().to_owned(),
    )
}

async fn list(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/me/app-passwords", Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["app_passwords"].as_array().unwrap().clone()
}

/// A service token for a mail server, made as `portcullis service-token create` does.
async fn service_token(app: &TestApp, name: &str) -> String {
    let (_, token) = app
        .state
        .services
        .create_service_token_from_shell(name)
        .await
        .unwrap();
    token.expose().to_owned()
}

async fn app_auth(app: &TestApp, service: Option<&str>, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/app-auth", &body, service).await
}

/// What the mail server hears for `username` / `password` from a client at 203.0.113.7.
async fn ok(app: &TestApp, service: &str, username: &str, password: &str) -> bool {
    let body = json!({ "username": username, "password": password, "client_ip": "203.0.113.7" });
    let r = app_auth(app, Some(service), body).await;
    assert_eq!(r.status(), StatusCode::OK, "{username}");
    r.json::<Value>().await.unwrap()["ok"].as_bool().unwrap()
}

async fn events(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let body: Value = app.audit(token, "?limit=200").await.json().await.unwrap();
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// Turns on an authenticator app for the signed-in user.
async fn enable_totp(app: &TestApp, token: &str) {
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(token))
        .await;
    let started: Value = r.json().await.unwrap();
    let code = totp::code_now(started["secret"].as_str().unwrap());
    let r = app
        .post_json(
            "/api/v1/me/totp/activate",
            &json!({ "password": PASSWORD, "code": code }),
            Some(token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

fn looks_like_an_app_password(p: &str) -> bool {
    let groups: Vec<&str> = p.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_lowercase()))
}

on_both_backends! {
    async fn an_app_password_is_shown_once_listed_with_its_last_use_and_revoked(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        let bob = app.signed_in("bob@example.com").await;
        assert!(list(&app, &token).await.is_empty());

        let (id, password) = created(&app, &token, "  Thunderbird on my laptop ").await;
        assert!(looks_like_an_app_password(&password), "{password}");
        let (_, second) = created(&app, &token, "Phone").await;
        assert_ne!(password, second);
        let listed = app.get("/api/v1/me/app-passwords", Some(&token)).await.text().await.unwrap();
        assert!(!listed.contains(&password) && !listed.contains(&password.replace('-', "")), "never shown again");
        let listed = list(&app, &token).await;
        let mut names: Vec<&str> = listed.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(listed[0]["created_at"].as_str() >= listed[1]["created_at"].as_str(), "newest first");
        names.sort();
        assert_eq!(names, ["Phone", "Thunderbird on my laptop"], "trimmed");
        let laptop = listed.iter().find(|p| p["name"] == "Thunderbird on my laptop").unwrap();
        assert_eq!(laptop["id"], id.as_str());
        assert!(laptop["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!((&laptop["last_used_at"], &laptop["last_used_ip"]), (&Value::Null, &Value::Null));
        assert!(list(&app, &bob).await.is_empty(), "nobody else sees them");

        // Its creation is told by email and audited, without the password.
        let mail = app
            .message_to("email", ALICE, |m| m["body"].as_str().is_some_and(|b| b.contains("Thunderbird on my laptop")))
            .await;
        assert!(mail["subject"].as_str().unwrap().contains("app password"));
        assert!(mail["body"].as_str().unwrap().contains("/lock?token="));
        assert!(!mail["body"].as_str().unwrap().contains(&password));
        let made = events(&app, &token, "app_password.created").await;
        assert_eq!(made.len(), 2);
        assert_eq!(made[1]["detail"]["name"], "Thunderbird on my laptop");
        assert!(!made[1].to_string().contains(&password));

        // Its use shows in the list.
        let mail_server = service_token(&app, "mail").await;
        assert!(ok(&app, &mail_server, ALICE, &password).await);
        let laptop = list(&app, &token).await.into_iter().find(|p| p["id"] == id.as_str()).unwrap();
        assert!(laptop["last_used_at"].is_string());
        assert_eq!(laptop["last_used_ip"], "203.0.113.7");

        // Revoking: another person's id is not found; mine is gone and stops working.
        let (status, code) = error_code(app.delete(&format!("/api/v1/me/app-passwords/{id}"), Some(&bob)).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
        assert_eq!(app.delete(&format!("/api/v1/me/app-passwords/{id}"), Some(&token)).await.status(), StatusCode::NO_CONTENT);
        assert!(!ok(&app, &mail_server, ALICE, &password).await, "a revoked app password fails");
        assert_eq!(list(&app, &token).await.len(), 1);
        let (status, _) = error_code(app.delete(&format!("/api/v1/me/app-passwords/{id}"), Some(&token)).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let revoked = events(&app, &token, "app_password.revoked").await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0]["detail"]["name"], "Thunderbird on my laptop");
    }

    async fn app_password_names_are_checked_and_fifty_is_the_most(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        for name in ["", "   ", &"x".repeat(65)] {
            let (status, code) = error_code(create(&app, &token, name).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{name:?}");
        }
        let r = app.post_json("/api/v1/me/app-passwords", &json!({}), Some(&token)).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".to_owned()));
        let r = app.post_json("/api/v1/me/app-passwords", &json!({ "name": "x" }), None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned()));
        assert!(list(&app, &token).await.is_empty());

        for n in 0..50 {
            created(&app, &token, &format!("client {n}")).await;
        }
        let (status, code) = error_code(create(&app, &token, "one too many").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
        assert_eq!(list(&app, &token).await.len(), 50);
    }

    async fn a_mail_server_checks_credentials_with_its_own_token_and_nothing_else(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        let (_, password) = created(&app, &token, "Thunderbird").await;
        let mail_server = service_token(&app, "mail").await;

        // Without 2FA the account password works as well as the app password, in any spelling.
        assert!(ok(&app, &mail_server, ALICE, PASSWORD).await);
        assert!(ok(&app, &mail_server, ALICE, &password).await);
        assert!(ok(&app, &mail_server, " Alice@Example.com", &password.replace('-', "").to_uppercase()).await);
        assert!(!ok(&app, &mail_server, ALICE, "Wrong-Password-1").await);
        assert!(!ok(&app, &mail_server, ALICE, "abcd-efgh-ijkl-mnop").await);
        assert!(!ok(&app, &mail_server, "nobody@example.com", &password).await);
        assert!(!ok(&app, &mail_server, "not an email", PASSWORD).await);

        // Only a live service token is let in; a person's session is not one, nor the reverse.
        let body = json!({ "username": ALICE, "password": PASSWORD });
        for bearer in [None, Some(token.as_str()), Some("made-up")] {
            let (status, code) = error_code(app_auth(&app, bearer, body.clone()).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{bearer:?}");
        }
        assert_eq!(app.me(&mail_server).await.status(), StatusCode::UNAUTHORIZED);
        let bad_ip = json!({ "username": ALICE, "password": PASSWORD, "client_ip": "somewhere" });
        let (status, code) = error_code(app_auth(&app, Some(&mail_server), bad_ip).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, _) = error_code(app_auth(&app, Some(&mail_server), json!({ "username": ALICE })).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Without client_ip the caller's own address counts.
        assert_eq!(app_auth(&app, Some(&mail_server), body.clone()).await.status(), StatusCode::OK);
        let successes = events(&app, &token, "app_auth.success").await;
        assert_eq!(successes.len(), 4, "{successes:?}");
        assert_eq!(successes[0]["ip"], "127.0.0.1");
        assert_eq!(successes[1]["ip"], "203.0.113.7");
        assert_eq!(successes[1]["detail"]["service"], "mail");
        assert_eq!(successes[1]["detail"]["method"], "app_password");
        assert_eq!(successes[3]["detail"]["method"], "password");
        let failures = events(&app, &token, "app_auth.failure").await;
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures.iter().all(|f| f["detail"]["reason"] == "invalid_credentials" && f["outcome"] == "failure"));

        // A revoked token is refused at once.
        let tokens = app.state.services.service_tokens_for_operator().await.unwrap();
        app.state.services.revoke_service_token_from_shell(&tokens[0].id).await.unwrap();
        let (status, _) = error_code(app_auth(&app, Some(&mail_server), body).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn once_two_factor_is_on_only_app_passwords_open_the_mailbox(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        let mail_server = service_token(&app, "mail").await;
        assert!(ok(&app, &mail_server, ALICE, PASSWORD).await);
        enable_totp(&app, &token).await;

        // Once 2FA is on, the mail client must sign in again, with an app password.
        assert!(!ok(&app, &mail_server, ALICE, PASSWORD).await);
        let (_, password) = created(&app, &token, "Thunderbird").await;
        assert!(ok(&app, &mail_server, ALICE, &password).await);

        // A client that keeps trying the old password does not lock its owner out.
        for _ in 0..12 {
            assert!(!ok(&app, &mail_server, ALICE, PASSWORD).await);
        }
        let r = app.login(ALICE, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "second_factor");
        let refused = events(&app, &token, "app_auth.failure").await;
        assert_eq!(refused.len(), 13);
        assert!(refused.iter().all(|e| e["detail"]["reason"] == "app_password_required"));
    }

    async fn the_mailbox_check_is_throttled_like_a_login(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        let (_, password) = created(&app, &token, "Thunderbird").await;
        app.signed_in("bob@example.com").await;
        let mail_server = service_token(&app, "mail").await;
        for _ in 0..10 {
            assert!(!ok(&app, &mail_server, ALICE, "Wrong-Password-1").await);
        }
        // Locked: even the right app password waits, and so does the web sign-in.
        let body = json!({ "username": ALICE, "password": password, "client_ip": "203.0.113.7" });
        let r = app_auth(&app, Some(&mail_server), body).await;
        assert!(r.headers().contains_key("retry-after"));
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".to_owned()));
        assert_eq!(app.login(ALICE, PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(ok(&app, &mail_server, "bob@example.com", PASSWORD).await, "others are not affected");

        let failures = events(&app, &token, "app_auth.failure").await;
        assert_eq!(failures[0]["outcome"], "denied");
        assert_eq!(failures[0]["detail"]["reason"], "throttled");
    }

    async fn a_locked_account_opens_no_mailbox(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(ALICE).await;
        let (_, password) = created(&app, &token, "Thunderbird").await;
        let mail_server = service_token(&app, "mail").await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        let id = UserId(me["id"].as_str().unwrap().to_owned());
        let mut tx = app.state.services.store.begin().await.unwrap();
        assert!(tx.set_locked(&id, Some(UnixTime(1))).await.unwrap());
        tx.commit().await.unwrap();

        assert!(!ok(&app, &mail_server, ALICE, &password).await);
        assert!(!ok(&app, &mail_server, ALICE, PASSWORD).await);
        let mut tx = app.state.services.store.begin().await.unwrap();
        tx.set_locked(&id, None).await.unwrap();
        tx.commit().await.unwrap();
        assert!(ok(&app, &mail_server, ALICE, &password).await, "unlocked, it works again");
    }
}
