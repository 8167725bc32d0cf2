//! Verifying a mobile number through the real server, on SQLite and PostgreSQL: the
//! code arrives by SMS (the outbox's file transport), works once, dies after five wrong guesses
//! and ten minutes; sends are limited to one a minute and five an hour; replacing a verified
//! number needs the password; and with `--require-phone-for-2fa` the authenticator cannot be
//! switched on, from the account or from the forced wizard, before a number is verified.
//!
//! Time is not waited for: the tests move the database's rows into the past instead.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp::code_now;

const NUMBER: &str = "+4915112344567";
const MASKED: &str = "+49•••••••4567";
const OTHER: &str = "+14155550100";

async fn put_phone(app: &TestApp, token: &str, body: Value) -> Response {
    app.client
        .put(app.url("/api/v1/me/phone"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn set_number(app: &TestApp, token: &str, number: &str) -> Response {
    put_phone(app, token, json!({ "number": number })).await
}

async fn verify(app: &TestApp, token: &str, code: &str) -> Response {
    app.post_json(
        "/api/v1/me/phone/verify",
        &json!({ "code": code }),
        Some(token),
    )
    .await
}

async fn resend(app: &TestApp, token: &str) -> Response {
    app.client
        .post(app.url("/api/v1/me/phone/resend"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The six digits in a text.
fn code_in(body: &str) -> String {
    body.as_bytes()
        .windows(6)
        .find(|w| w.iter().all(u8::is_ascii_digit))
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .unwrap_or_else(|| panic!("no code in {body:?}"))
}

/// Waits for a text to `number` that has not been read before and returns its code. Texts sent
/// within one second have no order among them, so "new" is what tells them apart.
async fn new_code(app: &TestApp, number: &str, seen: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        for m in app.messages_to("sms", number) {
            let body = m["body"].as_str().unwrap().to_owned();
            if !seen.contains(&body) {
                seen.push(body.clone());
                return code_in(&body);
            }
        }
        assert!(Instant::now() < deadline, "no new text to {number}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A six-digit code that is not `right`.
fn wrong(right: &str) -> String {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
    .to_owned()
}

async fn scalar(app: &TestApp, sql: &'static str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind.to_owned())
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap()
}

/// Runs `sql` with `$1` = `secs`.
async fn execute(app: &TestApp, sql: &'static str, secs: i64) {
    sqlx::query(sql)
        .bind(secs)
        .execute(app.state.services.store.raw_pool())
        .await
        .unwrap();
}

/// Moves every recorded send `secs` into the past, as if that time had gone by.
async fn time_passes_for_sends(app: &TestApp, secs: i64) {
    execute(app, "UPDATE rate_events SET at = at - $1", secs).await;
}

async fn me_phone(app: &TestApp, token: &str) -> Value {
    let body: Value = app.me(token).await.json().await.unwrap();
    body["phone"].clone()
}

/// Signs up `email` and verifies `number` for them; returns the session token.
async fn with_verified_number(app: &TestApp, email: &str, number: &str) -> String {
    let token = app.signed_in(email).await;
    assert_eq!(
        set_number(app, &token, number).await.status(),
        StatusCode::ACCEPTED
    );
    let code = new_code(app, number, &mut Vec::new()).await;
    assert_eq!(
        verify(app, &token, &code).await.status(),
        StatusCode::NO_CONTENT
    );
    token
}

on_both_backends! {
    async fn a_number_is_verified_once_with_the_code_sent_to_it(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("alice@example.com").await;
        assert_eq!(me_phone(&app, &token).await, Value::Null);

        let r = set_number(&app, &token, "+49 151 1234-4567").await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body, json!({ "number": MASKED, "verified": false }));
        assert_eq!(me_phone(&app, &token).await, json!({ "number": MASKED, "verified": false }));

        let mut seen = Vec::new();
        let code = new_code(&app, NUMBER, &mut seen).await;
        let (status, error) = error_code(verify(&app, &token, &wrong(&code)).await).await;
        assert_eq!((status, error.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"));
        assert_eq!(me_phone(&app, &token).await["verified"], false);

        assert_eq!(verify(&app, &token, &code).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(me_phone(&app, &token).await, json!({ "number": MASKED, "verified": true }));
        // The code worked once.
        let (status, error) = error_code(verify(&app, &token, &code).await).await;
        assert_eq!((status, error.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"));

        // The account holder hears of it by email, with a "this wasn't me" link.
        let notice = app
            .message_to("email", "alice@example.com", |m| m["kind"] == "security")
            .await;
        assert!(notice["body"].as_str().unwrap().contains("/lock?token="), "{notice}");
        let types = app.audit_types(&token).await;
        for kind in ["phone.code_sent", "phone.verify_failed", "phone.verified"] {
            assert!(types.iter().any(|t| t == kind), "{kind} in {types:?}");
        }
        // The number is stored in E.164 and no code is kept in clear.
        let stored = scalar(&app, "SELECT COUNT(*) FROM phones WHERE number = $1", NUMBER).await;
        assert_eq!(stored, 1);
        let clear = scalar(&app, "SELECT COUNT(*) FROM phone_codes WHERE digest = $1", &code).await;
        assert_eq!(clear, 0);
    }

    async fn anything_but_an_international_number_is_refused_and_nothing_is_sent(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("alice@example.com").await;
        for bad in ["", "015112344567", "004915112344567", "+49 151 CALL ME", "+1234567",
                    "+1234567890123456", "+04915112344567", "++4915112344567"] {
            let (status, code) = error_code(set_number(&app, &token, bad).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone"), "{bad}");
        }
        let (status, code) = error_code(put_phone(&app, &token, json!({ "phone": NUMBER })).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
        let r = app.client.put(app.url("/api/v1/me/phone")).json(&json!({ "number": NUMBER })).send().await.unwrap();
        assert_eq!(error_code(r).await.0, StatusCode::UNAUTHORIZED);
        let (status, code) = error_code(verify(&app, &token, "123456").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"));
        let (status, code) = error_code(resend(&app, &token).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE channel = $1", "sms").await, 0);
        assert_eq!(me_phone(&app, &token).await, Value::Null);
    }

    async fn codes_are_sent_at_most_once_a_minute_and_five_times_an_hour(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("alice@example.com").await;
        let mut seen = Vec::new();
        assert_eq!(set_number(&app, &token, NUMBER).await.status(), StatusCode::ACCEPTED);
        let first = new_code(&app, NUMBER, &mut seen).await;

        // The first PUT counts as a send: neither a resend nor another PUT goes out now.
        for r in [resend(&app, &token).await, set_number(&app, &token, OTHER).await] {
            let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&retry), "{retry}");
            let (status, code) = error_code(r).await;
            assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
        }
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE channel = $1", "sms").await, 1);
        assert_eq!(me_phone(&app, &token).await["number"], MASKED, "the refused PUT changed nothing");

        // A minute later, of several racing resends exactly one goes out.
        time_passes_for_sends(&app, 61).await;
        let racing: Vec<_> = (0..6)
            .map(|_| {
                let (client, url) = (app.client.clone(), app.url("/api/v1/me/phone/resend"));
                let token = token.clone();
                tokio::spawn(async move { client.post(url).bearer_auth(token).send().await.unwrap() })
            })
            .collect();
        let mut sent = 0;
        for r in racing {
            match r.await.unwrap().status() {
                StatusCode::ACCEPTED => sent += 1,
                other => assert_eq!(other, StatusCode::TOO_MANY_REQUESTS),
            }
        }
        assert_eq!(sent, 1);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE channel = $1", "sms").await, 2);
        let mut latest = new_code(&app, NUMBER, &mut seen).await;

        // Three more, a minute apart; each new code replaces the one before.
        for _ in 0..3 {
            time_passes_for_sends(&app, 61).await;
            let r = resend(&app, &token).await;
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            assert_eq!(r.json::<Value>().await.unwrap()["number"], MASKED);
            latest = new_code(&app, NUMBER, &mut seen).await;
        }
        time_passes_for_sends(&app, 61).await;
        let r = resend(&app, &token).await;
        let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((3000..=3600 - 4 * 61).contains(&retry), "an hour after the first: {retry}");
        assert_eq!(error_code(r).await.0, StatusCode::TOO_MANY_REQUESTS);

        if first != latest {
            assert_eq!(verify(&app, &token, &first).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert_eq!(verify(&app, &token, &latest).await.status(), StatusCode::NO_CONTENT);
    }

    async fn five_wrong_guesses_kill_the_code_even_when_they_race(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("alice@example.com").await;
        let mut seen = Vec::new();
        assert_eq!(set_number(&app, &token, NUMBER).await.status(), StatusCode::ACCEPTED);
        let code = new_code(&app, NUMBER, &mut seen).await;
        let guesses: Vec<_> = (0..12)
            .map(|_| {
                let (client, url) = (app.client.clone(), app.url("/api/v1/me/phone/verify"));
                let (token, body) = (token.clone(), json!({ "code": wrong(&code) }));
                tokio::spawn(async move {
                    client.post(url).bearer_auth(token).json(&body).send().await.unwrap()
                })
            })
            .collect();
        for guess in guesses {
            assert_eq!(guess.await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let attempts = scalar(&app, "SELECT attempts FROM phone_codes WHERE number = $1", NUMBER).await;
        assert_eq!(attempts, 5, "no more guesses were compared than the code allows");
        // Now even the right code is refused: the code is dead.
        assert_eq!(verify(&app, &token, &code).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(me_phone(&app, &token).await["verified"], false);

        // A new code works.
        time_passes_for_sends(&app, 61).await;
        assert_eq!(resend(&app, &token).await.status(), StatusCode::ACCEPTED);
        let fresh = new_code(&app, NUMBER, &mut seen).await;
        assert_eq!(verify(&app, &token, &fresh).await.status(), StatusCode::NO_CONTENT);
    }

    async fn a_code_dies_after_ten_minutes(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("alice@example.com").await;
        assert_eq!(set_number(&app, &token, NUMBER).await.status(), StatusCode::ACCEPTED);
        let code = new_code(&app, NUMBER, &mut Vec::new()).await;
        let valid = scalar(&app, "SELECT expires_at - created_at FROM phone_codes WHERE number = $1", NUMBER).await;
        assert_eq!(valid, 600);
        execute(&app, "UPDATE phone_codes SET expires_at = expires_at - $1", 601).await;
        assert_eq!(verify(&app, &token, &code).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(me_phone(&app, &token).await["verified"], false);
    }

    async fn replacing_a_verified_number_needs_the_password_and_the_new_code(env: TestEnv) {
        let app = env.spawn().await;
        let token = with_verified_number(&app, "alice@example.com", NUMBER).await;
        time_passes_for_sends(&app, 61).await;

        let (status, code) = error_code(set_number(&app, &token, OTHER).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let r = put_phone(&app, &token, json!({ "number": OTHER, "password": "Wrong-Horse-7" })).await;
        let (status, code) = error_code(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "invalid_password"));
        let r = put_phone(&app, &token, json!({ "number": NUMBER, "password": PASSWORD })).await;
        assert_eq!(error_code(r).await.0, StatusCode::CONFLICT, "the same number again");
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", OTHER).await, 0);

        let r = put_phone(&app, &token, json!({ "number": OTHER, "password": PASSWORD })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        // Until the new number is verified, the old one stays.
        assert_eq!(me_phone(&app, &token).await, json!({ "number": MASKED, "verified": true }));
        let code = new_code(&app, OTHER, &mut Vec::new()).await;
        assert_eq!(verify(&app, &token, &code).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(me_phone(&app, &token).await, json!({ "number": "+14•••••0100", "verified": true }));
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM phones WHERE number = $1", OTHER).await, 1);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM phones WHERE number = $1", NUMBER).await, 0);
    }

    async fn with_the_phone_policy_the_authenticator_waits_for_a_verified_number(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.require_phone_for_2fa = Some(true);
        }).await;
        let token = app.signed_in("alice@example.com").await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let activate = json!({ "password": PASSWORD, "code": code_now(&secret) });
        let r = app.post_json("/api/v1/me/totp/activate", &activate, Some(&token)).await;
        let (status, code) = error_code(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "phone_not_verified"));
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"]["enabled"], false);

        assert_eq!(set_number(&app, &token, NUMBER).await.status(), StatusCode::ACCEPTED);
        let sms = new_code(&app, NUMBER, &mut Vec::new()).await;
        assert_eq!(verify(&app, &token, &sms).await.status(), StatusCode::NO_CONTENT);
        let r = app.post_json("/api/v1/me/totp/activate", &activate, Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn the_forced_wizard_verifies_a_number_with_its_ticket_when_the_policy_asks(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.require_phone_for_2fa = Some(true);
        }).await;
        let owner = app.signed_in("owner@example.com").await;
        let r = app.post_json(
            "/api/v1/users",
            &json!({ "email": "bob@example.com", "password": PASSWORD, "force_2fa": true }),
            Some(&owner),
        ).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let login: Value = app.login("bob@example.com", PASSWORD).await.json().await.unwrap();
        assert_eq!(login["status"], "enrollment_required", "{login}");
        let ticket = login["login_ticket"].as_str().unwrap().to_owned();

        let r = app.post_json("/api/v1/login/enroll/totp", &json!({ "login_ticket": ticket }), None).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let activate = |code: String| json!({ "login_ticket": ticket, "code": code });
        let r = app.post_json("/api/v1/login/enroll/totp/activate", &activate(code_now(&secret)), None).await;
        let (status, code) = error_code(r).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "phone_not_verified"));

        let number = json!({ "login_ticket": ticket, "number": NUMBER });
        let r = app.post_json("/api/v1/login/enroll/phone", &number, None).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let bad_ticket = json!({ "login_ticket": "nope", "number": NUMBER });
        let r = app.post_json("/api/v1/login/enroll/phone", &bad_ticket, None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()));
        let mut seen = Vec::new();
        let first = new_code(&app, NUMBER, &mut seen).await;
        let r = app.post_json("/api/v1/login/enroll/phone/resend", &json!({ "login_ticket": ticket }), None).await;
        assert_eq!(error_code(r).await.0, StatusCode::TOO_MANY_REQUESTS);
        let r = app.post_json("/api/v1/login/enroll/phone/verify", &json!({ "login_ticket": ticket, "code": first }), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);

        let r = app.post_json("/api/v1/login/enroll/totp/activate", &activate(code_now(&secret)), None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let bob = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        assert_eq!(me_phone(&app, &bob).await["verified"], true);
    }

    async fn without_the_phone_policy_the_wizard_has_no_number_step(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let r = app.post_json(
            "/api/v1/users",
            &json!({ "email": "bob@example.com", "password": PASSWORD, "force_2fa": true }),
            Some(&owner),
        ).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let login: Value = app.login("bob@example.com", PASSWORD).await.json().await.unwrap();
        let number = json!({ "login_ticket": login["login_ticket"], "number": NUMBER });
        let r = app.post_json("/api/v1/login/enroll/phone", &number, None).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM outbox WHERE channel = $1", "sms").await, 0);
    }
}
