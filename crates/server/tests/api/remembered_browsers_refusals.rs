//! What a remembered browser must not get past, on SQLite and PostgreSQL: an expired browser, a
//! contract lowered to fewer days or 0 or to "phishing-resistant only", a browser that outlived a
//! password change or reset, an administrator's 2FA reset, `/recover` or a lock, and garbage
//! (which falls back to the code or is refused, never a 500).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::remembered::*;
use crate::harness::server::PASSWORD;
use crate::harness::totp::{code, code_now, unix_now};
use portcullis_core::FixedClock;

on_both_backends! {
    async fn an_expired_browser_and_a_lowered_contract_are_refused(env: TestEnv) {
        let clock = FixedClock::at(unix_now());
        let app = spawn_with_clock(&env, clock.clone()).await;
        let (owner, secret, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;

        // Lowered to 7 days: a browser remembered 8 days ago no longer passes.
        set_contract(&app, &owner, json!({ "remember_browser_days": 7 })).await;
        clock.advance(8 * DAY);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await);
        let owner = token_by_recovery(&app, "amy@example.com", &codes[0]).await;
        set_contract(&app, &owner, json!({ "remember_browser_days": 30 })).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);

        // 0 days: nothing passes, even with a challenge fetched before the change.
        laptop.password(&app, "amy@example.com").await;
        let (challenge, csrf) = laptop.challenge(&app).await.unwrap();
        set_contract(&app, &owner, json!({ "remember_browser_days": 0 })).await;
        let sig = laptop.sign(&challenge);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &challenge, &sig).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await);
        // ...and the code page offers no checkbox.
        assert!(!laptop.code_page(&app, true).await.contains("data-remember="));

        // Past its own 30 days: refused, whatever the contract.
        set_contract(&app, &owner, json!({ "remember_browser_days": 90 })).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
        clock.advance(23 * DAY);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await, "31 days after");
        // Remembered again (by a recovery code: the app's codes follow the real time), it passes.
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[1]).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn phishing_resistant_only_offers_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let (owner, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        set_contract(&app, &owner, json!({ "require_phishing_resistant": true })).await;
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        // Without a key, the password leads to the key's setup: a remembered browser finishes no
        // setup, and its page sends the browser away without a challenge.
        let page = laptop.sign_in_page(&app).await;
        let form = [("csrf", csrf_of(&page)), ("username", "amy@example.com".into()), ("password", PASSWORD.into())];
        let r = laptop.http.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/login/setup");
        let r = laptop.get(&app, "/login/browser").await;
        assert!(location(&r).starts_with("/login"), "{}", location(&r));
        assert!(!location(&r).starts_with("/login/browser"));
        assert!(set_cookie(&r, "portcullis_session").is_none());
    }

    async fn taking_the_account_back_forgets_every_remembered_browser(env: TestEnv) {
        let app = env.spawn().await;

        // A password change.
        let (amy, _, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let r = app.change_password(&amy, PASSWORD, "Another-Horse-8").await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "amy@example.com").await, 0);

        // A password reset by link: the new password is PASSWORD again, so the browser can try.
        let (_, _, codes) = with_totp(&app, "ben@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "ben@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        app.post_json("/api/v1/password-reset", &json!({ "username": "ben@example.com" }), None).await;
        let mail = app.message_to("email", "ben@example.com", |m| m["kind"] == "password_reset").await;
        let body = mail["body"].as_str().unwrap();
        let start = body.find("/reset?token=").unwrap() + "/reset?token=".len();
        let token: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let r = app.post_json("/api/v1/password-reset/complete", &json!({ "token": token, "new_password": "Another-Horse-9" }), None).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "ben@example.com").await, 0);

        // An administrator's 2FA reset.
        let r = call(&app, Method::POST, "/api/v1/users", &amy, json!({ "email": "carl@example.com", "password": PASSWORD, "role": "user" })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let carl_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let carl = app.token_for("carl@example.com", PASSWORD).await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&carl)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let r = app.post_json("/api/v1/me/totp/activate", &json!({ "password": PASSWORD, "code": code(&secret, -1) }), Some(&carl)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let laptop = Browser::new();
        laptop.password(&app, "carl@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        assert_eq!(remembered(&app, "carl@example.com").await, 1);
        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{carl_id}/two-factor"), &amy, json!({})).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "carl@example.com").await, 0);

        // The recovery from a lost phone.
        let (_, _, codes) = with_totp(&app, "dora@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "dora@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let body = json!({ "username": "dora@example.com", "password": PASSWORD, "recovery_code": codes[1] });
        let r = app.post_json("/api/v1/recover", &body, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(remembered(&app, "dora@example.com").await, 0);

        // A lock ("this wasn't me").
        let (_, _, codes) = with_totp(&app, "emil@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "emil@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let mail = app.message_to("email", "emil@example.com", |m| m["body"].as_str().unwrap_or_default().contains("/lock?token=")).await;
        let body = mail["body"].as_str().unwrap();
        let start = body.find("/lock?token=").unwrap() + "/lock?token=".len();
        let token: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let r = app.post_json("/api/v1/lock", &json!({ "token": token }), None).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "emil@example.com").await, 0);
    }

    async fn garbage_is_refused_or_falls_back_never_a_500(env: TestEnv) {
        let app = env.spawn().await;
        let (_, _, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();

        // A garbage key: signed in all the same, nothing remembered.
        laptop.password(&app, "amy@example.com").await;
        let r = laptop.second_step(&app, &codes[0], true, Some("not-a-key")).await;
        assert_eq!(location(&r), "/account");
        assert!(set_cookie(&r, "portcullis_remembered").is_none());
        assert_eq!(remembered(&app, "amy@example.com").await, 0);

        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[1]).await;
        laptop.password(&app, "amy@example.com").await;
        let id = laptop.browser_id();
        for (browser_id, sig) in [
            (id.as_str(), "garbage"),
            (id.as_str(), ""),
            ("", "garbage"),
            ("not an id at all \u{0}", "AAAA"),
        ] {
            let (challenge, csrf) = laptop.challenge(&app).await.unwrap();
            let r = laptop.post_signature(&app, &csrf, browser_id, &challenge, sig).await;
            assert_eq!(location(&r), CODE_INSTEAD, "{browser_id:?} {sig:?}");
        }
        // A wrong signature by a known key counts like a wrong code: the ticket dies after as
        // many of them (two already), and the sign-in starts over.
        let mut ended = false;
        for _ in 0..5 {
            let r = laptop.get(&app, "/login/browser").await;
            if location(&r).starts_with("/login?done=") {
                ended = true;
                break;
            }
            let page = r.text().await.unwrap();
            let (challenge, csrf) = (value_of(&page, "challenge"), csrf_of(&page));
            let wrong = laptop.sign("another challenge");
            laptop.post_signature(&app, &csrf, &id, &challenge, &wrong).await;
        }
        assert!(ended, "wrong signatures end the ticket");

        // No ticket at all: back to the password, not an error.
        let stranger = Browser::new();
        let r = stranger.get(&app, "/login/browser").await;
        assert_eq!(location(&r), "/login");
        let page = stranger.get(&app, "/login").await.text().await.unwrap();
        let csrf = csrf_of(&page);
        let r = stranger.post_signature(&app, &csrf, &id, "x", "y").await;
        assert!(r.status().is_redirection(), "{}", r.status());
    }
}
