//! Forgot password through the real server, on SQLite and PostgreSQL: the request
//! answers the same, byte for byte and in the same time, whoever asks; the emailed link and the
//! SMS code work once and only within 30 minutes; the policy applies; every session ends; and
//! two-factor authentication stays, so the next login still asks for the second factor.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{Backend, PASSWORD, TestApp, error_code};
use crate::harness::totp::code_now;

const ALICE: &str = "alice@example.com";
const NEW_PASSWORD: &str = "Battery-Staple-9";
const NUMBER: &str = "+4915112344567";

async fn request_reset(app: &TestApp, username: &str) -> Response {
    app.post_json(
        "/api/v1/password-reset",
        &json!({ "username": username }),
        None,
    )
    .await
}

async fn complete(app: &TestApp, body: Value) -> Response {
    app.post_json("/api/v1/password-reset/complete", &body, None)
        .await
}

async fn with_token(app: &TestApp, token: &str, password: &str) -> Response {
    complete(app, json!({ "token": token, "new_password": password })).await
}

async fn with_code(app: &TestApp, username: &str, code: &str, password: &str) -> Response {
    let body = json!({ "username": username, "sms_code": code, "new_password": password });
    complete(app, body).await
}

/// The token of the link in the `n`th reset email to `email`.
async fn reset_token(app: &TestApp, email: &str, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let links: Vec<String> = app
            .messages_to("email", email)
            .into_iter()
            .filter(|m| m["kind"] == "password_reset")
            .map(|m| link_token(m["body"].as_str().unwrap()))
            .collect();
        if links.len() >= n {
            // Mails of one second have no order between them; the caller waits for each.
            return links.last().unwrap().clone();
        }
        assert!(Instant::now() < deadline, "no reset email #{n} to {email}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn link_token(body: &str) -> String {
    let start = body.find("/reset?token=").expect("a reset link") + "/reset?token=".len();
    body[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_owned()
}

fn code_in(body: &str) -> String {
    body.as_bytes()
        .windows(6)
        .find(|w| w.iter().all(u8::is_ascii_digit))
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .unwrap_or_else(|| panic!("no code in {body:?}"))
}

async fn count(app: &TestApp, sql: &'static str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind.to_owned())
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap()
}

/// Waits until `sql` counts `n`.
async fn until_count(app: &TestApp, sql: &'static str, bind: &str, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while count(app, sql, bind).await < n {
        assert!(Instant::now() < deadline, "{sql} never reached {n}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

const REQUESTS_OF: &str = "SELECT COUNT(*) FROM audit_events WHERE type = 'password.reset_requested' \
                           AND subject_id = (SELECT id FROM users WHERE email_key = $1)";

/// Alice with a verified mobile number; returns her session token.
async fn alice_with_phone(app: &TestApp) -> String {
    let token = app.signed_in(ALICE).await;
    let r = app
        .client
        .put(app.url("/api/v1/me/phone"))
        .bearer_auth(&token)
        .json(&json!({ "number": NUMBER }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let sms = app
        .message_to("sms", NUMBER, |m| m["kind"] == "phone_code")
        .await;
    let code = code_in(sms["body"].as_str().unwrap());
    let r = app
        .post_json(
            "/api/v1/me/phone/verify",
            &json!({ "code": code }),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    token
}

/// Status, headers (without the ones that differ per response anyway) and body of an answer.
async fn observable(r: Response) -> (StatusCode, Vec<(String, String)>, String) {
    let status = r.status();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (status, headers, r.text().await.unwrap())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

on_both_backends! {
    async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(env: TestEnv) {
        let app = env.spawn().await;
        let session = app.signed_in(ALICE).await;
        assert_eq!(request_reset(&app, ALICE).await.status(), StatusCode::ACCEPTED);
        let token = reset_token(&app, ALICE, 1).await;
        let stored = count(&app, "SELECT COUNT(*) FROM password_links WHERE digest = $1", &token).await;
        assert_eq!(stored, 0, "the token is stored only as a digest");

        let (status, code) = error_code(with_token(&app, &token, "password").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"));
        let (_, code) = error_code(with_token(&app, &token, ALICE).await).await;
        assert_eq!(code, "weak_password");
        assert_eq!(app.me(&session).await.status(), StatusCode::OK, "nothing changed yet");

        assert_eq!(with_token(&app, &token, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&session).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.login(ALICE, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        let fresh = app.token_for(ALICE, NEW_PASSWORD).await;

        let (status, code) = error_code(with_token(&app, &token, "Another-Pass-8").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_token"));
        app.token_for(ALICE, NEW_PASSWORD).await;

        let notice = app
            .message_to("email", ALICE, |m| m["kind"] == "security")
            .await;
        assert!(notice["body"].as_str().unwrap().contains("/lock?token="));
        let types = app.audit_types(&fresh).await;
        for kind in ["password.reset_requested", "password.reset"] {
            assert!(types.iter().any(|t| t == kind), "{kind} in {types:?}");
        }
    }

    async fn the_request_looks_the_same_for_every_username_and_queues_nothing_for_strangers(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in(ALICE).await;
        // An invited person who has not chosen a password yet.
        let r = app.post_json("/api/v1/users", &json!({ "email": "invited@example.com" }), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let known = observable(request_reset(&app, ALICE).await).await;
        assert_eq!(known.0, StatusCode::ACCEPTED);
        for other in ["nobody@example.com", "invited@example.com", "not an email", ""] {
            assert_eq!(observable(request_reset(&app, other).await).await, known, "{other:?}");
        }
        // Once the known user's request is done (its mail queued), the stranger's is long done.
        until_count(&app, REQUESTS_OF, ALICE, 1).await;
        reset_token(&app, ALICE, 1).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", "nobody@example.com").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", "not an email").await, 0);

        // Timing: the answer does not wait for the lookup. Many samples, a generous margin.
        let mut known_times = Vec::new();
        let mut unknown_times = Vec::new();
        for i in 0..30 {
            for (who, times) in [(ALICE, &mut known_times), ("nobody@example.com", &mut unknown_times)] {
                let start = Instant::now();
                let r = request_reset(&app, who).await;
                times.push(start.elapsed());
                assert_eq!(r.status(), StatusCode::ACCEPTED, "{i}");
            }
        }
        let (k, u) = (median(known_times), median(unknown_times));
        let gap = k.abs_diff(u);
        assert!(gap < Duration::from_millis(20), "known {k:?}, unknown {u:?}");
    }

    async fn the_answer_does_not_wait_for_the_lookup_or_the_mail(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in(ALICE).await;
        // Someone else holds the database: the work of a request cannot even start.
        let mut blocker = app.state.services.store.raw_pool().begin().await.unwrap();
        let hold = match env.backend {
            Backend::Sqlite => "INSERT INTO rate_keys (scope, subject) VALUES ('test', 'hold')",
            Backend::Postgres => "LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
        };
        sqlx::query(hold).execute(&mut *blocker).await.unwrap();
        for who in [ALICE, "nobody@example.com"] {
            let start = Instant::now();
            let r = tokio::time::timeout(Duration::from_secs(5), request_reset(&app, who))
                .await
                .expect("answered while the database is busy");
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            assert!(start.elapsed() < Duration::from_millis(500), "{who}: {:?}", start.elapsed());
        }
        blocker.rollback().await.unwrap();
        // The work happens afterwards.
        reset_token(&app, ALICE, 1).await;
    }

    async fn a_new_link_voids_the_older_ones_and_requests_beyond_five_an_hour_send_nothing(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in(ALICE).await;
        request_reset(&app, ALICE).await;
        let first = reset_token(&app, ALICE, 1).await;
        request_reset(&app, ALICE).await;
        until_count(&app, REQUESTS_OF, ALICE, 2).await;
        let links = "SELECT COUNT(*) FROM password_links WHERE purpose = 'reset' AND used_at IS NULL \
                     AND user_id = (SELECT id FROM users WHERE email_key = $1)";
        assert_eq!(count(&app, links, ALICE).await, 1, "one live link at a time");
        let (status, code) = error_code(with_token(&app, &first, NEW_PASSWORD).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_token"));

        for _ in 0..4 {
            request_reset(&app, ALICE).await;
        }
        until_count(&app, REQUESTS_OF, ALICE, 6).await;
        let mails = "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset' AND recipient = $1";
        assert_eq!(count(&app, mails, ALICE).await, 5);
        let denied = "SELECT COUNT(*) FROM audit_events WHERE type = 'password.reset_requested' \
                      AND outcome = 'denied' AND detail LIKE $1";
        assert_eq!(count(&app, denied, "%too_many_requests%").await, 1);
    }

    async fn a_link_dies_after_thirty_minutes(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in(ALICE).await;
        request_reset(&app, ALICE).await;
        let token = reset_token(&app, ALICE, 1).await;
        sqlx::query("UPDATE password_links SET expires_at = expires_at - 1801 WHERE purpose = 'reset'")
            .execute(app.state.services.store.raw_pool())
            .await
            .unwrap();
        let (status, code) = error_code(with_token(&app, &token, NEW_PASSWORD).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_token"));
        app.token_for(ALICE, PASSWORD).await;
    }

    async fn with_a_verified_number_the_code_by_sms_resets_the_password_too(env: TestEnv) {
        let app = env.spawn().await;
        let session = alice_with_phone(&app).await;
        request_reset(&app, ALICE).await;
        let token = reset_token(&app, ALICE, 1).await;
        let mail = app.message_to("email", ALICE, |m| m["kind"] == "password_reset").await;
        assert!(mail["body"].as_str().unwrap().contains("SMS"), "{mail}");
        let sms = app.message_to("sms", NUMBER, |m| m["kind"] == "reset_code").await;
        let code = code_in(sms["body"].as_str().unwrap());
        let wrong = if code == "000000" { "111111" } else { "000000" };

        for (who, guess) in [(ALICE, wrong), ("nobody@example.com", code.as_str()), ("not an email", code.as_str())] {
            let (status, error) = error_code(with_code(&app, who, guess, NEW_PASSWORD).await).await;
            assert_eq!((status, error.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"), "{who}");
        }
        let (_, error) = error_code(with_code(&app, ALICE, &code, "weakpass").await).await;
        assert_eq!(error, "weak_password");
        assert_eq!(app.me(&session).await.status(), StatusCode::OK);

        assert_eq!(with_code(&app, ALICE, &code, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&session).await.status(), StatusCode::UNAUTHORIZED);
        app.token_for(ALICE, NEW_PASSWORD).await;
        // The code worked once, and the emailed link died with it.
        let (_, error) = error_code(with_code(&app, ALICE, &code, "Another-Pass-8").await).await;
        assert_eq!(error, "invalid_code");
        let (_, error) = error_code(with_token(&app, &token, "Another-Pass-8").await).await;
        assert_eq!(error, "invalid_token");
        app.token_for(ALICE, NEW_PASSWORD).await;
    }

    async fn wrong_sms_codes_count_against_the_account_like_wrong_passwords(env: TestEnv) {
        let app = env.spawn().await;
        alice_with_phone(&app).await;
        for _ in 0..10 {
            let r = with_code(&app, ALICE, "000000", NEW_PASSWORD).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = app.login(ALICE, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().contains_key("retry-after"));
        let r = with_code(&app, ALICE, "000000", NEW_PASSWORD).await;
        assert_eq!(error_code(r).await.1, "too_many_attempts");
    }

    async fn a_reset_keeps_two_factor_authentication(env: TestEnv) {
        let app = env.spawn().await;
        let session = app.signed_in(ALICE).await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&session)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let activate = json!({ "password": PASSWORD, "code": code_now(&secret) });
        let r = app.post_json("/api/v1/me/totp/activate", &activate, Some(&session)).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Someone who knew the old password is half-way through a login when the reset happens.
        let old: Value = app.login(ALICE, PASSWORD).await.json().await.unwrap();
        assert_eq!(old["status"], "second_factor", "{old}");

        request_reset(&app, ALICE).await;
        let token = reset_token(&app, ALICE, 1).await;
        assert_eq!(with_token(&app, &token, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
        let finish = json!({ "login_ticket": old["login_ticket"], "code": code_now(&secret) });
        let r = app.post_json("/api/v1/login/totp", &finish, None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()), "the old login ends with the reset");
        let login: Value = app.login(ALICE, NEW_PASSWORD).await.json().await.unwrap();
        assert_eq!(login["status"], "second_factor", "{login}");
        assert!(login.get("token").is_none());
        let totp_rows = count(&app, "SELECT COUNT(*) FROM totp_factors WHERE user_id = $1",
            &alice_id(&app).await).await;
        assert_eq!(totp_rows, 1);
    }

    async fn signup_refuses_the_emails_name_or_domain_and_lists_every_broken_rule_at_once(env: TestEnv) {
        let app = env.spawn().await;
        let r = app.signup("ann@example.com", "Ann@example.com1").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "weak_password", "{body}");
        assert_eq!(body["error"]["violations"], json!([{
            "code": "contains_email",
            "message": "The password must not contain the name or the domain of your email address.",
        }]));

        // Three rules broken, three named: one by one, and together in the message.
        let r = app.signup("ann@example.com", "Annzzz7").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        let codes: Vec<&str> = body["error"]["violations"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["too_short", "no_special", "contains_email"], "{body}");
        assert_eq!(
            body["error"]["message"],
            "The password must be at least 8 characters long, contain a special character (not a letter or digit) \
             and not contain the name or the domain of your email address."
        );
        assert_eq!(app.login("ann@example.com", "Annzzz7").await.status(), StatusCode::UNAUTHORIZED, "no account was made");
        // Other errors carry no list.
        let r = app.signup("not-an-email", PASSWORD).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_email");
        assert!(body["error"].get("violations").is_none(), "{body}");
        assert_eq!(app.signup("ann@example.com", PASSWORD).await.status(), StatusCode::CREATED);
    }

    async fn neither_a_change_nor_a_reset_may_set_the_current_password_again(env: TestEnv) {
        let app = env.spawn().await;
        let session = alice_with_phone(&app).await;
        let same_as_current = json!([{ "code": "same_as_current", "message": "The password must differ from your current password." }]);
        let refused = |r: Response| async move {
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "weak_password", "{body}");
            body["error"]["violations"].clone()
        };
        assert_eq!(refused(app.change_password(&session, PASSWORD, PASSWORD).await).await, same_as_current);

        request_reset(&app, ALICE).await;
        let token = reset_token(&app, ALICE, 1).await;
        let sms = app.message_to("sms", NUMBER, |m| m["kind"] == "reset_code").await;
        let code = code_in(sms["body"].as_str().unwrap());
        let wrong = if code == "000000" { "111111" } else { "000000" };
        // Without the right code nobody learns whether a guess is the current password.
        let (status, error) = error_code(with_code(&app, ALICE, wrong, PASSWORD).await).await;
        assert_eq!((status, error.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"));
        assert_eq!(refused(with_code(&app, ALICE, &code, PASSWORD).await).await, same_as_current);
        assert_eq!(refused(with_token(&app, &token, PASSWORD).await).await, same_as_current);
        assert_eq!(app.me(&session).await.status(), StatusCode::OK, "nothing changed");

        // The refusals used up neither the link nor anything else.
        assert_eq!(with_token(&app, &token, NEW_PASSWORD).await.status(), StatusCode::NO_CONTENT);
        app.token_for(ALICE, NEW_PASSWORD).await;
        let notices: Vec<String> = app.messages_to("email", ALICE).iter().map(|m| m["body"].to_string()).collect();
        assert!(!notices.iter().any(|b| b.contains("password of your account was changed")), "{notices:#?}");
    }

    async fn the_reset_page_lists_every_rule_a_new_password_breaks(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in(ALICE).await;
        request_reset(&app, ALICE).await;
        let token = reset_token(&app, ALICE, 1).await;
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let form = http.get(app.url(&format!("/reset?token={token}"))).send().await.unwrap().text().await.unwrap();
        let marker = r#"name="csrf" value=""#;
        let start = form.find(marker).expect("a CSRF field") + marker.len();
        let csrf = form[start..][..form[start..].find('"').unwrap()].to_owned();
        let weak = "Xalicez";
        let r = http
            .post(app.url("/reset"))
            .form(&[("csrf", csrf.as_str()), ("token", token.as_str()), ("password", weak), ("password_confirm", weak)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("This password breaks 3 rules:"), "{html}");
        for rule in [
            "The password must be at least 8 characters long.",
            "The password must contain a special character (not a letter or digit).",
            "The password must not contain the name or the domain of your email address.",
        ] {
            assert!(html.contains(&format!("<li>{rule}</li>")), "{rule} in {html}");
        }
        assert_eq!(app.login(ALICE, PASSWORD).await.status(), StatusCode::OK, "the password stayed");
    }

    async fn a_completion_names_one_way_and_a_new_password(env: TestEnv) {
        let app = env.spawn().await;
        for body in [
            json!({ "new_password": NEW_PASSWORD }),
            json!({ "token": "t", "username": ALICE, "sms_code": "123456", "new_password": NEW_PASSWORD }),
            json!({ "username": ALICE, "new_password": NEW_PASSWORD }),
            json!({ "sms_code": "123456", "new_password": NEW_PASSWORD }),
        ] {
            let (status, code) = error_code(complete(&app, body.clone()).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{body}");
        }
        let (status, code) = error_code(complete(&app, json!({ "token": "t" })).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
        let r = app.client.post(app.url("/api/v1/password-reset")).header("content-type", "application/json")
            .body("{").send().await.unwrap();
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "malformed_json".to_owned()));
        let (status, code) = error_code(with_token(&app, "made-up", NEW_PASSWORD).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_token"));
    }
}

/// Alice's user id.
async fn alice_id(app: &TestApp) -> String {
    sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email_key = $1")
        .bind(ALICE)
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap()
}
