//! `POST /api/v1/validate` through the real server on SQLite and PostgreSQL: a gateway with a
//! service token checks second-factor codes with the login's rules (one use per TOTP step,
//! recovery codes burn, wrong codes throttle the account, everything audited).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp::code;

/// A service token, made as `portcullis service-token create` does.
async fn gateway(app: &TestApp) -> String {
    let (_, token) = app
        .state
        .services
        .create_service_token_from_shell("vpn")
        .await
        .unwrap();
    token.expose().to_owned()
}

async fn validate(app: &TestApp, service: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/v1/validate")).json(&body);
    if let Some(t) = service {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn ok(app: &TestApp, service: &str, username: &str, code: &str) -> bool {
    let r = validate(
        app,
        Some(service),
        json!({ "username": username, "code": code }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["ok"].as_bool().unwrap()
}

/// Signs up `email` with an active authenticator; returns (session, secret, recovery codes).
async fn with_totp(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
    let token = app.signed_in(email).await;
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(&token))
        .await;
    let secret = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_json(
            "/api/v1/me/totp/activate",
            &json!({ "password": PASSWORD, "code": code(&secret, 0) }),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let codes = r.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (token, secret, codes)
}

on_both_backends! {
    async fn a_fresh_code_is_accepted_once_and_then_no_longer_works_at_the_login(env: TestEnv) {
        let app = env.spawn().await;
        let vpn = gateway(&app).await;
        let (session, secret, _) = with_totp(&app, "ann@example.com").await;
        // The activation used the current step; the next one is fresh.
        let next = code(&secret, 1);
        assert!(ok(&app, &vpn, "ann@example.com", &next).await);
        assert!(!ok(&app, &vpn, "ann@example.com", &next).await, "a step works once");
        let r: Value = app.login("ann@example.com", PASSWORD).await.json().await.unwrap();
        let r = app.post_json("/api/v1/login/totp", &json!({ "login_ticket": r["login_ticket"], "code": next }), None).await;
        assert_eq!(error_code(r).await.1, "invalid_code", "nor at a login afterwards");
        let audit = app.audit_types(&session).await;
        assert!(audit.contains(&"validate.success".to_owned()) && audit.contains(&"validate.failure".to_owned()), "{audit:?}");
    }

    async fn a_recovery_code_is_accepted_once(env: TestEnv) {
        let app = env.spawn().await;
        let vpn = gateway(&app).await;
        let (session, _, codes) = with_totp(&app, "bob@example.com").await;
        assert!(ok(&app, &vpn, "bob@example.com", &codes[0]).await);
        assert!(!ok(&app, &vpn, "bob@example.com", &codes[0]).await);
        let me: Value = app.me(&session).await.json().await.unwrap();
        assert_eq!(me["two_factor"]["recovery_codes_left"], 9);
    }

    async fn unknown_users_users_without_a_factor_and_wrong_codes_are_a_plain_no(env: TestEnv) {
        let app = env.spawn().await;
        let vpn = gateway(&app).await;
        app.signed_in("cat@example.com").await;
        with_totp(&app, "dan@example.com").await;
        assert!(!ok(&app, &vpn, "nobody@example.com", "123456").await);
        assert!(!ok(&app, &vpn, "cat@example.com", "123456").await);
        assert!(!ok(&app, &vpn, "dan@example.com", "not a code").await);
        assert!(!ok(&app, &vpn, "not an email", "123456").await);
    }

    async fn only_a_live_service_token_may_ask_and_bad_input_is_a_clean_4xx(env: TestEnv) {
        let app = env.spawn().await;
        let session = app.signed_in("eve@example.com").await;
        let body = json!({ "username": "eve@example.com", "code": "123456" });
        assert_eq!(error_code(validate(&app, None, body.clone()).await).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(validate(&app, Some(&session), body.clone()).await).await.0, StatusCode::UNAUTHORIZED, "a person's session is not a service token");
        let vpn = gateway(&app).await;
        assert_eq!(validate(&app, Some(&vpn), json!({ "username": "eve@example.com" })).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = validate(&app, Some(&vpn), json!({ "username": "eve@example.com", "code": "1", "client_ip": "nope" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".to_owned()));
    }

    async fn wrong_codes_throttle_the_account_like_wrong_passwords(env: TestEnv) {
        let app = env.spawn().await;
        let vpn = gateway(&app).await;
        let (_, secret, _) = with_totp(&app, "fay@example.com").await;
        for _ in 0..10 {
            assert!(!ok(&app, &vpn, "fay@example.com", "000000").await);
        }
        let r = validate(&app, Some(&vpn), json!({ "username": "fay@example.com", "code": code(&secret, 1) })).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even a right code waits out the lockout");
        assert!(r.headers().contains_key("retry-after"));
        assert_eq!(app.login("fay@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS, "the login shares the throttle");
    }
}
