//! The support PIN  through the real server, on SQLite and PostgreSQL: the account
//! holder sets it, `/me` says only whether it is set, a support agent checks a caller's PIN, and
//! wrong checks are audited, counted per customer, and emailed to the customer.

use portcullis_core::password::Password;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};

const CUSTOMER: &str = "carol@example.com";
const AGENT: &str = "agent@support.example.com";
const PIN: &str = "48213";

async fn set_pin(app: &TestApp, token: &str, pin: &str) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/me/support-pin"))
        .bearer_auth(token)
        .json(&json!({ "pin": pin, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

async fn check(app: &TestApp, token: &str, email: &str, pin: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/support/verify-pin",
        &json!({ "email": email, "pin": pin }),
        Some(token),
    )
    .await
}

/// The answer of a check that must go through: `match`.
async fn matches(app: &TestApp, token: &str, email: &str, pin: &str) -> bool {
    let r = check(app, token, email, pin).await;
    assert_eq!(r.status(), StatusCode::OK, "check of {email}");
    let body: Value = r.json().await.unwrap();
    body["match"].as_bool().expect("match is a boolean")
}

/// A support agent made as the operator's shell does, signed in; returns their token.
async fn agent(app: &TestApp) -> String {
    app.state
        .services
        .create_support_agent_from_shell(AGENT, &Password::new(PASSWORD))
        .await
        .expect("the agent is created");
    app.token_for(AGENT, PASSWORD).await
}

/// A customer with [`PIN`] set; returns their token.
async fn customer_with_pin(app: &TestApp) -> String {
    let token = app.signed_in(CUSTOMER).await;
    assert_eq!(
        set_pin(app, &token, PIN).await.status(),
        StatusCode::NO_CONTENT
    );
    token
}

async fn events(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let body: Value = app.audit(token, "").await.json().await.unwrap();
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

on_both_backends! {
    async fn a_person_sets_a_support_pin_and_their_profile_shows_only_that_it_is_set(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(CUSTOMER).await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["support_pin"], json!({ "set": false, "changed_at": null }));

        for (bad, why) in [
            ("1234", "5 to 10 digits"),
            ("12345678901", "5 to 10 digits"),
            ("48a13", "5 to 10 digits"),
            ("55555", "repeated"),
            ("12345", "run of digits"),
            ("98765", "run of digits"),
        ] {
            let r = set_pin(&app, &token, bad).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_pin", "{bad}");
            assert!(body["error"]["message"].as_str().unwrap().contains(why), "{bad}: {body}");
        }
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["support_pin"]["set"], false, "a refused PIN is not stored");

        assert_eq!(set_pin(&app, &token, PIN).await.status(), StatusCode::NO_CONTENT);
        let me = app.me(&token).await.text().await.unwrap();
        assert!(!me.contains(PIN), "the PIN never comes back: {me}");
        let me: Value = serde_json::from_str(&me).unwrap();
        assert_eq!(me["support_pin"]["set"], true);
        let changed = me["support_pin"]["changed_at"].as_str().expect("a time");
        assert!(changed.ends_with('Z') && changed.contains('T'), "{changed}");

        let changes = events(&app, &token, "support_pin.changed").await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0]["detail"]["first"], true);
        assert!(!changes[0].to_string().contains(PIN));
        let mail = app
            .message_to("email", CUSTOMER, |m| m["subject"].as_str().is_some_and(|s| s.contains("support PIN") && s.contains("changed")))
            .await;
        let body = mail["body"].as_str().unwrap();
        assert!(body.contains("/lock?token="), "a \"this wasn't me\" link: {body}");
        assert!(!body.contains(PIN));

        // Changing it works the same way; without a session nothing does.
        assert_eq!(set_pin(&app, &token, "730519").await.status(), StatusCode::NO_CONTENT);
        assert_eq!(events(&app, &token, "support_pin.changed").await[0]["detail"]["first"], false);
        let (status, code) = error_code(set_pin(&app, "not-a-token", PIN).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
        let r = app.client.put(app.url("/api/v1/me/support-pin")).bearer_auth(&token)
            .header("content-type", "application/json").body("{\"pin\":").send().await.unwrap();
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "malformed_json".to_owned()));
    }

    async fn a_support_agent_learns_only_whether_the_pin_matches_and_every_check_is_audited(env: TestEnv) {
        let app = env.spawn().await;
        let customer = customer_with_pin(&app).await;
        let no_pin = app.signed_in("dan@example.com").await;
        let agent = agent(&app).await;
        let agent_me: Value = app.me(&agent).await.json().await.unwrap();
        assert_eq!((agent_me["role"].as_str(), agent_me["contract_id"].as_str()), (Some("user"), Some("support")));

        assert!(matches(&app, &agent, CUSTOMER, PIN).await, "the right PIN");
        assert!(matches(&app, &agent, " Carol@Example.com", PIN).await, "the email as people type it");
        assert!(!matches(&app, &agent, CUSTOMER, "48214").await, "a wrong PIN");
        assert!(!matches(&app, &agent, "nobody@example.com", PIN).await, "an unknown customer");
        assert!(!matches(&app, &agent, "dan@example.com", PIN).await, "a customer without a PIN");

        // The customer sees who checked, and how it went; never the PIN.
        let checks = events(&app, &customer, "support_pin.checked").await;
        assert_eq!(checks.len(), 3, "{checks:?}");
        let agent_id = agent_me["id"].as_str().unwrap();
        assert!(checks.iter().all(|e| e["actor_id"] == agent_id), "{checks:?}");
        let outcomes: Vec<&str> = checks.iter().map(|e| e["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["failure", "success", "success"], "newest first");
        assert_eq!(checks[0]["detail"]["checks_locked"], false);
        assert!(!serde_json::to_string(&checks).unwrap().contains(PIN));
        let mail = app
            .message_to("email", CUSTOMER, |m| m["subject"].as_str().is_some_and(|s| s.contains("wrong support PIN")))
            .await;
        assert!(mail["body"].as_str().unwrap().contains("/lock?token="));
        // The agent's own trail holds all five checks, the unknown one too.
        assert_eq!(events(&app, &agent, "support_pin.checked").await.len(), 5);
        assert_eq!(events(&app, &no_pin, "support_pin.checked").await.len(), 1);
    }

    async fn nobody_but_a_support_agent_may_check_a_pin(env: TestEnv) {
        let app = env.spawn().await;
        let customer = customer_with_pin(&app).await;
        let other = app.signed_in("mallory@example.com").await;
        for token in [&other, &customer] {
            let (status, code) = error_code(check(&app, token, CUSTOMER, PIN).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
        }
        let r = app.post_json("/api/v1/support/verify-pin", &json!({ "email": CUSTOMER, "pin": PIN }), None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned()));
        assert!(events(&app, &customer, "support_pin.checked").await.is_empty(), "no check happened");

        let agent = agent(&app).await;
        for (email, pin, status, code) in [
            ("not-an-email", PIN, StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"),
            (CUSTOMER, "12", StatusCode::UNPROCESSABLE_ENTITY, "invalid_pin"),
            (CUSTOMER, "four8", StatusCode::UNPROCESSABLE_ENTITY, "invalid_pin"),
        ] {
            assert_eq!(error_code(check(&app, &agent, email, pin).await).await, (status, code.to_owned()), "{email} {pin}");
        }
        let r = app.post_json("/api/v1/support/verify-pin", &json!({ "email": CUSTOMER }), Some(&agent)).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".to_owned()));
        assert!(events(&app, &customer, "support_pin.checked").await.is_empty(), "malformed checks are not checks");
    }

    async fn five_wrong_checks_in_an_hour_lock_further_checks_for_that_customer(env: TestEnv) {
        let app = env.spawn().await;
        let customer = customer_with_pin(&app).await;
        let other = app.signed_in("dan@example.com").await;
        assert_eq!(set_pin(&app, &other, "730519").await.status(), StatusCode::NO_CONTENT);
        let agent = agent(&app).await;

        for guess in ["11111", "22222", "12345", "48212", "48214"] {
            assert!(!matches(&app, &agent, CUSTOMER, guess).await, "{guess}");
        }
        // Now even the right PIN is not checked.
        let r = check(&app, &agent, CUSTOMER, PIN).await;
        let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((3000..=3600).contains(&retry), "about an hour: {retry}");
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".to_owned()));
        // However the customer's email is spelt.
        let r = check(&app, &agent, "CAROL@example.com", PIN).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        // Other customers are checked as before.
        assert!(matches(&app, &agent, "dan@example.com", "730519").await);

        let checks = events(&app, &customer, "support_pin.checked").await;
        let outcomes: Vec<&str> = checks.iter().map(|e| e["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["denied", "denied", "failure", "failure", "failure", "failure", "failure"]);
        let locked: Vec<bool> = checks[2..].iter().map(|e| e["detail"]["checks_locked"].as_bool().unwrap()).collect();
        assert_eq!(locked, [true, false, false, false, false], "the fifth wrong check locked them");

        // One email per wrong check; the last says the checks are paused.
        let subject = |m: &Value| m["subject"].as_str().is_some_and(|s| s.contains("wrong support PIN"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mails = loop {
            let mails: Vec<Value> = app.messages_to("email", CUSTOMER).into_iter().filter(|m| subject(m)).collect();
            if mails.len() >= 5 || std::time::Instant::now() > deadline {
                break mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(mails.len(), 5);
        assert_eq!(mails.iter().filter(|m| m["body"].as_str().unwrap().contains("paused")).count(), 1);
    }

    async fn unknown_customers_are_throttled_like_known_ones(env: TestEnv) {
        let app = env.spawn().await;
        let agent = agent(&app).await;
        for _ in 0..5 {
            assert!(!matches(&app, &agent, "ghost@example.com", "48213").await);
        }
        let (status, code) = error_code(check(&app, &agent, "ghost@example.com", "48213").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
        assert!(app.messages_to("email", "ghost@example.com").is_empty());
    }
}
