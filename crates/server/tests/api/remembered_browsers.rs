//! Remembered browsers through the real sign-in pages, on SQLite and PostgreSQL: a browser that
//! ticked "Don't ask for a code on this browser" at the code, the key or the push step registers a
//! P-256 public key, and at the next sign-in signs the challenge of `/login/browser` instead of
//! taking the second step; each signature works once, for its own challenge and account, and an
//! account keeps at most 20 browsers. The browser is played by `harness::remembered`; what must be
//! refused is in `remembered_browsers_refusals`.

use serde_json::{Value, json};

use crate::harness::companion::Device;
use crate::harness::remembered::*;
use crate::harness::server::PASSWORD;
use crate::harness::totp::{code_at_step, code_now, unix_now};
use crate::harness::webauthn::{self, Authenticator};
use crate::webauthn::register;
use portcullis_core::FixedClock;

on_both_backends! {
    async fn a_remembered_browser_signs_in_without_a_code(env: TestEnv) {
        let app = env.spawn().await;
        let (token, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let page = laptop.code_page(&app, false).await;
        assert!(page.contains("on this browser for 30 days"), "{page}");
        assert!(page.contains("data-remember=") && page.contains("/static/remember.js"));
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        assert!(audit_has(&app, &token, "browser.remembered").await);

        assert!(laptop.skips_the_code(&app, "amy@example.com").await, "no code asked");
        assert!(audit_has(&app, &token, "login.remembered_browser.success").await);
        let sessions = app.sessions(&token).await;
        let amr: Vec<Value> = sessions["sessions"].as_array().unwrap().iter().map(|s| s["amr"].clone()).collect();
        assert!(amr.contains(&json!(["pwd", "swk", "mfa"])), "{amr:?}");
        let methods: Vec<String> = sqlx::query_scalar("SELECT methods FROM sessions WHERE methods IS NOT NULL")
            .fetch_all(app.state.services.store.raw_pool())
            .await
            .unwrap();
        assert!(methods.iter().any(|m| m.contains("remembered_browser")), "{methods:?}");

        // The cookies alone, in another browser without the key: the code is asked.
        let copy = Browser::with_jar(laptop.jar.clone());
        assert!(!copy.skips_the_code(&app, "amy@example.com").await);
        assert!(audit_has(&app, &token, "login.remembered_browser.failure").await);
    }

    async fn a_signature_works_once_and_only_for_its_own_challenge(env: TestEnv) {
        let app = env.spawn().await;
        let (_, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;

        // A reload makes a new challenge: the first one's signature is worthless.
        laptop.password(&app, "amy@example.com").await;
        let (first, _) = laptop.challenge(&app).await.unwrap();
        let (second, csrf) = laptop.challenge(&app).await.unwrap();
        assert_ne!(first, second);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &first, &laptop.sign(&first)).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        // The current challenge signs in once.
        let sig = laptop.sign(&second);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &second, &sig).await;
        assert_eq!(location(&r), "/account");

        // The same answer at the next sign-in, even beside a live challenge, is refused.
        laptop.password(&app, "amy@example.com").await;
        let (_, csrf) = laptop.challenge(&app).await.unwrap();
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &second, &sig).await;
        assert_eq!(location(&r), CODE_INSTEAD, "a replayed signature skips nothing");
        // The browser itself, with a challenge of its own, still signs in.
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn an_approval_in_the_companion_app_remembers_the_browser_too(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("amy@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let page = laptop.code_page(&app, false).await;
        let r = laptop.post(&app, "/login/push", &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(location(&r), "/login/push");
        let page = laptop.get(&app, "/login/push").await.text().await.unwrap();
        assert!(page.contains("on this browser for 30 days"), "{page}");
        let number: i64 = page.split(r#"id="push-number""#).nth(1).unwrap().split('>').nth(1).unwrap()
            .split('<').next().unwrap().trim().parse().unwrap();
        let asked = phone.challenges(&app, 5).await;
        let id = asked[0]["id"].as_str().unwrap();
        assert!(phone.approve(&app, id, number).await.status().is_success());
        // The poll that finds the approval carries the key push.js took from the page.
        let status = format!("/login/push/status?wait=0&remember_key={}", laptop.public_key());
        let r = laptop.get(&app, &status).await;
        assert!(set_cookie(&r, "portcullis_session").is_some());
        assert!(set_cookie(&r, "portcullis_remembered").is_some());
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "approved");
        // A later poll (no session opened by it) remembers nothing more.
        let r = laptop.get(&app, &status).await;
        assert!(set_cookie(&r, "portcullis_remembered").is_none());
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn a_security_key_at_the_second_step_remembers_the_browser_too(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let token = app.signed_in("amy@example.com").await;
        let mut yubikey = Authenticator::security_key();
        register(&app, &token, &mut yubikey, "YubiKey").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let r = laptop.get(&app, "/login/code").await;
        assert_eq!(location(&r), "/login/key", "a key as the only factor comes first");
        let page = laptop.get(&app, "/login/key").await.text().await.unwrap();
        assert!(page.contains("on this browser for 30 days"), "{page}");
        let options: Value = serde_json::from_str(&unescape(&attribute(&page, "data-options"))).unwrap();
        let answer = yubikey.get(&webauthn::origin(&app), &options);
        let form = [("csrf", csrf_of(&page)), ("credential", answer.to_string()), ("remember_key", laptop.public_key())];
        let r = laptop.http.post(app.url("/login/key")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/account");
        assert!(set_cookie(&r, "portcullis_remembered").is_some());
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);

        // An application that asks for a key is not satisfied by a remembered browser.
        laptop.sign_in_page(&app).await;
        let page = laptop.get(&app, "/login?acr=phr").await.text().await.unwrap();
        let form = [("csrf", csrf_of(&page)), ("username", "amy@example.com".into()), ("password", PASSWORD.into()), ("acr", "phr".into())];
        let r = laptop.http.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/login/code");
        assert_eq!(laptop.challenge(&app).await.unwrap_err(), CODE_INSTEAD);
        let page = laptop.get(&app, "/login/key").await.text().await.unwrap();
        assert!(!page.contains("data-remember="), "no checkbox for a key-only sign-in");
    }

    async fn another_accounts_browser_signs_in_nobody_else(env: TestEnv) {
        let app = env.spawn().await;
        let (_, amy_secret, _) = with_totp(&app, "amy@example.com").await;
        let (_, ben_secret, _) = with_totp(&app, "ben@example.com").await;
        let bens = Browser::new();
        bens.password(&app, "ben@example.com").await;
        bens.remember_after_password(&app, &code_now(&ben_secret)).await;
        // Amy also remembers this browser with a key of her own.
        let amys = Browser::with_jar(bens.jar.clone());
        amys.password(&app, "amy@example.com").await;
        amys.remember_after_password(&app, &code_now(&amy_secret)).await;

        // Ben's key, correctly signing Amy's challenge, does not sign Amy in.
        amys.password(&app, "amy@example.com").await;
        let (challenge, csrf) = amys.challenge(&app).await.unwrap();
        let r = amys.post_signature(&app, &csrf, &bens.browser_id(), &challenge, &bens.sign(&challenge)).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        // Each account's own key works.
        assert!(amys.skips_the_code(&app, "amy@example.com").await);
        assert!(bens.skips_the_code(&app, "ben@example.com").await);
    }

    async fn at_most_twenty_browsers_are_remembered_and_the_oldest_goes_first(env: TestEnv) {
        let start = unix_now();
        let clock = FixedClock::at(start);
        let app = spawn_with_clock(&env, clock.clone()).await;
        let (_, secret, _) = with_totp(&app, "amy@example.com").await;
        let browsers: Vec<Browser> = (0..21).map(|_| Browser::new()).collect();
        for (i, browser) in browsers.iter().enumerate() {
            // A step of its own for each sign-in (each code works once), on the server's clock.
            clock.set(start + 60 * (i as i64 + 1));
            let step = (start + 60 * (i as i64 + 1)) / 30;
            browser.password(&app, "amy@example.com").await;
            browser.remember_after_password(&app, &code_at_step(&secret, step)).await;
        }
        assert_eq!(remembered(&app, "amy@example.com").await, 20);
        assert!(!browsers[0].skips_the_code(&app, "amy@example.com").await, "the oldest went");
        assert!(browsers[1].skips_the_code(&app, "amy@example.com").await);
        assert!(browsers[20].skips_the_code(&app, "amy@example.com").await);
    }
}
