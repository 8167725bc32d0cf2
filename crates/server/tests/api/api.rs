//! Black-box tests of the JSON API through the real server, each on SQLite and on PostgreSQL.

use portcullis_core::store::{Store, Users};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{self, PASSWORD, error_code};

async fn user_count(app: &server::TestApp) -> i64 {
    let mut tx = app.state.services.store.begin_read().await.unwrap();
    tx.count_users().await.unwrap()
}

on_both_backends! {
    async fn signup_creates_an_owner_who_can_log_in(env: TestEnv) {
        let app = env.spawn().await;
        let r = app.signup("  Alice@Example.COM ", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        let token = app.token_for("alice@example.com", PASSWORD).await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["id"], created["user_id"]);
        assert_eq!(me["contract_id"], created["contract_id"]);
        assert_eq!(me["email"], "Alice@example.com");
        assert_eq!(me["role"], "owner");
        assert_eq!(me["two_factor"]["enabled"], false);
        assert!(me["last_login_at"].is_string());
    }

    async fn signup_refuses_weak_passwords_and_names_the_rule(env: TestEnv) {
        let app = env.spawn().await;
        let cases = [
            ("Sh0rt!", "at least 8 characters"),
            ("no-upper-case-1", "upper-case"),
            ("NO-LOWER-CASE-1", "lower-case"),
            ("NoSpecialChar1", "special character"),
            ("P@ssw0rd", "most common"),
            ("pA$$w0rD", "most common"),
        ];
        for (password, rule) in cases {
            let r = app.signup("bob@example.com", password).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "weak_password");
            assert!(body["error"]["message"].as_str().unwrap().contains(rule), "{password}: {body}");
        }
        let (status, code) = error_code(app.signup("not-an-email", PASSWORD).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"));
        assert_eq!(user_count(&app).await, 0, "nothing was written");
    }

    async fn signup_refuses_a_taken_email_whatever_its_case(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup("carol@example.com", PASSWORD).await.status(), StatusCode::CREATED);
        let (status, code) = error_code(app.signup("CAROL@example.com", "Another-Pass-9").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "email_taken"));
        assert_eq!(user_count(&app).await, 1);
        // The first password still works and the second does not.
        app.token_for("carol@example.com", PASSWORD).await;
        assert_eq!(app.login("carol@example.com", "Another-Pass-9").await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn concurrent_signups_with_one_email_create_exactly_one_account(env: TestEnv) {
        let app = env.spawn().await;
        let mut attempts = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let request = app.client.post(app.url("/api/v1/signup")).json(&json!({ "email": "dave@example.com", "password": PASSWORD }));
            attempts.spawn(async move { request.send().await.unwrap().status() });
        }
        let statuses = attempts.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
        assert_eq!(user_count(&app).await, 1);
    }

    async fn closed_registration_refuses_signup_and_offers_a_setup_link_until_an_account_exists(env: TestEnv) {
        let app = env.spawn_with(|_| {}).await;
        let (status, code) = error_code(app.signup("erin@example.com", PASSWORD).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "registration_closed"));
        let link = app.setup_link.clone().expect("a setup link when nobody can register");
        assert!(link.starts_with(&format!("{}/setup?token=", app.base)), "{link}");
        app.state.services.create_owner_from_shell("erin@example.com", &portcullis_core::password::Password::new(PASSWORD))
            .await
            .unwrap();
        app.token_for("erin@example.com", PASSWORD).await;
        let second = env.spawn_with(|_| {}).await;
        assert!(second.setup_link.is_none(), "no setup link once an account exists");
    }

    async fn wrong_password_and_unknown_user_get_the_same_answer(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("frank@example.com").await;
        let wrong = app.login("frank@example.com", "Wrong-Password-1").await;
        let unknown = app.login("nobody@example.com", "Wrong-Password-1").await;
        let not_an_email = app.login("frank", "Wrong-Password-1").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(not_an_email.status(), StatusCode::UNAUTHORIZED);
        let bodies = [wrong.text().await.unwrap(), unknown.text().await.unwrap(), not_an_email.text().await.unwrap()];
        assert_eq!(bodies[0], bodies[1]);
        assert_eq!(bodies[1], bodies[2]);
        assert!(bodies[0].contains("invalid_credentials"));
    }

    async fn ten_failures_lock_the_account_even_against_the_right_password(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("grace@example.com").await;
        app.signed_in("heidi@example.com").await;
        for _ in 0..10 {
            assert_eq!(app.login("grace@example.com", "Wrong-Password-1").await.status(), StatusCode::UNAUTHORIZED);
        }
        let r = app.login("grace@example.com", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "retry-after {retry}");
        let (_, code) = error_code(r).await;
        assert_eq!(code, "too_many_attempts");
        // Unknown accounts lock the same way, so the lock reveals nothing.
        for _ in 0..10 {
            app.login("ghost@example.com", "Wrong-Password-1").await;
        }
        assert_eq!(app.login("ghost@example.com", "Wrong-Password-1").await.status(), StatusCode::TOO_MANY_REQUESTS);
        // Another account is not affected.
        app.token_for("heidi@example.com", PASSWORD).await;
    }

    async fn a_successful_login_resets_the_failure_count(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("ivan@example.com").await;
        for _ in 0..9 {
            app.login("ivan@example.com", "Wrong-Password-1").await;
        }
        app.token_for("ivan@example.com", PASSWORD).await;
        for _ in 0..9 {
            assert_eq!(app.login("ivan@example.com", "Wrong-Password-1").await.status(), StatusCode::UNAUTHORIZED);
        }
        app.token_for("ivan@example.com", PASSWORD).await;
    }

    async fn sessions_are_listed_and_can_be_revoked_one_by_one(env: TestEnv) {
        let app = env.spawn().await;
        let first = app.signed_in("judy@example.com").await;
        let second = app.token_for("judy@example.com", PASSWORD).await;
        let list = app.sessions(&second).await;
        let sessions = list["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0]["user_agent"], "portcullis-tests");
        assert_eq!(current[0]["ip"], "127.0.0.1");
        let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();

        let r = app.delete(&format!("/api/v1/me/sessions/{other}"), Some(&second)).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (status, code) = error_code(app.me(&first).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
        assert_eq!(app.me(&second).await.status(), StatusCode::OK);
        // Revoking it again, or a made-up id, is a 404.
        assert_eq!(app.delete(&format!("/api/v1/me/sessions/{other}"), Some(&second)).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.delete("/api/v1/me/sessions/nope", Some(&second)).await.status(), StatusCode::NOT_FOUND);
        assert!(app.audit_types(&second).await.contains(&"session.revoked".to_owned()));
    }

    async fn nobody_can_revoke_another_persons_session(env: TestEnv) {
        let app = env.spawn().await;
        let mallory = app.signed_in("mallory@example.com").await;
        let victim = app.signed_in("victim@example.com").await;
        let victim_session = app.sessions(&victim).await["sessions"][0]["id"].as_str().unwrap().to_owned();
        let r = app.delete(&format!("/api/v1/me/sessions/{victim_session}"), Some(&mallory)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.me(&victim).await.status(), StatusCode::OK);
    }

    async fn logout_ends_the_session(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ken@example.com").await;
        assert_eq!(app.post_json("/api/v1/logout", &json!({}), Some(&token)).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&token).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.post_json("/api/v1/logout", &json!({}), Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn requests_without_a_valid_token_are_unauthenticated(env: TestEnv) {
        let app = env.spawn().await;
        let r = app.get("/api/v1/me", None).await;
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned()));
        let r = app.get("/api/v1/me", Some("made-up-token")).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned()));
    }

    async fn changing_the_password_needs_the_old_one_and_signs_out_other_sessions(env: TestEnv) {
        let app = env.spawn().await;
        let here = app.signed_in("leo@example.com").await;
        let elsewhere = app.token_for("leo@example.com", PASSWORD).await;

        let (status, code) = error_code(app.change_password(&here, "Wrong-Old-Pass-1", "New-Secret-Pass-2").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "invalid_password"));
        let (status, code) = error_code(app.change_password(&here, PASSWORD, "weakpassword").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"));
        assert_eq!(app.me(&elsewhere).await.status(), StatusCode::OK, "failed changes revoke nothing");

        assert_eq!(app.change_password(&here, PASSWORD, "New-Secret-Pass-2").await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&here).await.status(), StatusCode::OK);
        assert_eq!(app.me(&elsewhere).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.login("leo@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        app.token_for("leo@example.com", "New-Secret-Pass-2").await;
        let types = app.audit_types(&here).await;
        assert!(types.contains(&"password.changed".to_owned()), "{types:?}");
        assert!(types.contains(&"password.change_failed".to_owned()), "{types:?}");
    }

    async fn the_audit_log_lists_my_security_events_newest_first_in_pages(env: TestEnv) {
        let app = env.spawn().await;
        app.signup("mia@example.com", PASSWORD).await;
        app.login("mia@example.com", "Wrong-Password-1").await;
        let token = app.token_for("mia@example.com", PASSWORD).await;
        assert_eq!(app.audit_types(&token).await, ["login.success", "login.failure", "account.created"]);

        let page: Value = app.audit(&token, "?limit=2").await.json().await.unwrap();
        let events = page["events"].as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["ip"], "127.0.0.1");
        assert_eq!(events[0]["user_agent"], "portcullis-tests");
        assert!(events[0]["at"].as_str().unwrap().ends_with('Z'));
        let before = page["next_before"].as_i64().expect("a next page");
        let rest: Value = app.audit(&token, &format!("?limit=2&before={before}")).await.json().await.unwrap();
        assert_eq!(rest["events"].as_array().unwrap().len(), 1);
        assert_eq!(rest["events"][0]["type"], "account.created");
        assert!(rest["next_before"].is_null());

        // Another person's events never show.
        let other = app.signed_in("nina@example.com").await;
        assert_eq!(app.audit_types(&other).await, ["login.success", "account.created"]);
        let (status, code) = error_code(app.audit(&token, "?limit=0").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, code) = error_code(app.audit(&token, "?limit=abc").await).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query"));
    }

    async fn bad_input_gets_a_clear_client_error_and_writes_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let send = |body: &'static str, content_type: &'static str| {
            app.client.post(app.url("/api/v1/signup")).header("content-type", content_type).body(body).send()
        };
        let cases: [(&str, &str, StatusCode, &str); 5] = [
            ("{\"email\":", "application/json", StatusCode::BAD_REQUEST, "malformed_json"),
            ("{\"email\":5,\"password\":\"x\"}", "application/json", StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("{\"email\":\"a@b.co\"}", "application/json", StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("[]", "application/json", StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("email=a@b.co", "application/x-www-form-urlencoded", StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ];
        for (body, ct, status, code) in cases {
            let r = send(body, ct).await.unwrap();
            assert_eq!(error_code(r).await, (status, code.to_owned()), "{body}");
        }
        let huge = json!({ "email": "a@example.com", "password": "x".repeat(70 * 1024) });
        let (status, code) = error_code(app.post_json("/api/v1/signup", &huge, None).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
        let (status, code) = error_code(app.get("/api/v1/no-such-thing", None).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
        let (status, code) = error_code(app.delete("/api/v1/signup", None).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
        assert_eq!(user_count(&app).await, 0);
    }

    async fn health_readiness_and_metrics_report_for_operators(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.get("/healthz", None).await.text().await.unwrap(), "ok");
        assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
        app.signed_in("olga@example.com").await;
        app.login("olga@example.com", "Wrong-Password-1").await;
        let r = app.get("/metrics", None).await;
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = r.text().await.unwrap();
        assert!(text.contains("portcullis_logins_total{outcome=\"success\"} 1"), "{text}");
        assert!(text.contains("portcullis_logins_total{outcome=\"failure\"} 1"), "{text}");
        assert!(text.contains("portcullis_http_requests_total{route=\"/api/v1/login\",method=\"POST\",status=\"401\"} 1"), "{text}");
        assert!(text.contains("portcullis_http_request_duration_seconds_count{route=\"/api/v1/signup\"} 1"), "{text}");
    }

    async fn two_nodes_on_one_database_share_sessions_and_throttles(env: TestEnv) {
        let a = env.spawn().await;
        let b = env.spawn().await;
        let token = a.signed_in("pat@example.com").await;
        assert_eq!(b.me(&token).await.status(), StatusCode::OK, "a session from node A works on node B");
        for i in 0..10 {
            let node = if i % 2 == 0 { &a } else { &b };
            node.login("pat@example.com", "Wrong-Password-1").await;
        }
        assert_eq!(a.login("pat@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(b.login("pat@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(b.post_json("/api/v1/logout", &json!({}), Some(&token)).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(a.me(&token).await.status(), StatusCode::UNAUTHORIZED);
        a.shutdown().await;
        b.shutdown().await;
    }
}
