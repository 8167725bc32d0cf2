//! The companion app end to end: the real `portcullis-app` binary against a real server, on
//! SQLite and PostgreSQL. Pairing (single-use URI), approving with the number the login screen
//! shows, denying, a wrong number, expiry, "this wasn't me", two accounts in one app, and push
//! beside TOTP. The interactive `watch` is in `app_watch.rs`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::PASSWORD;

on_both_backends! {
    async fn pairing_lists_the_account_and_the_uri_works_once(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("ann@example.com").await;
        assert!(!server.methods(&token).await.contains(&"push".to_owned()));
        let uri = server.pairing_uri(&token, "Ann's phone").await;

        let phone = env.app("phone");
        let paired = phone.run(&["pair", &uri]).await;
        paired.ok();
        assert!(paired.stdout.contains("ann@example.com"), "{paired:?}");
        // The name given on the security page, not the app's own default.
        assert!(paired.stdout.contains("as “Ann's phone”"), "{paired:?}");
        let listed = phone.run(&["accounts"]).await;
        listed.ok();
        assert!(listed.stdout.contains("ann@example.com"), "{listed:?}");
        assert!(listed.stdout.contains("\"Ann's phone\""), "{listed:?}");
        assert!(!listed.stdout.contains("portcullis-app on"), "{listed:?}");
        assert!(server.methods(&token).await.contains(&"push".to_owned()));

        // The same URI again, from another phone: the code is used up.
        let other = env.app("other");
        let again = other.run(&["pair", &uri]).await;
        assert_eq!(again.code, 1, "{again:?}");
        assert!(again.stderr.contains("used, expired or unknown"), "{again:?}");
        assert!(!other.state_path().exists(), "nothing is saved for a failed pairing");

        let devices: serde_json::Value = server
            .get("/api/v1/me/push-devices", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        let devices = devices["devices"].as_array().unwrap();
        assert_eq!(devices.len(), 1, "{devices:?}");
        assert_eq!(devices[0]["name"], "Ann's phone");
        server.shutdown().await;
    }

    async fn approve_answers_the_request_whose_number_was_typed_even_with_an_older_one_pending(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("cal@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        let (ticket, challenge, number) = server.start_push_login("cal@example.com").await;
        let older_number = if number == 99 { 10 } else { i64::from(number) + 1 };
        let (old_ticket, old) = server.older_pending_request("cal@example.com", older_number, 30).await;

        let ran = phone.run(&["approve", "--number", &number.to_string(), "--timeout", "5"]).await;
        ran.ok();
        assert!(ran.stdout.contains("Approved the sign-in of cal@example.com from 127.0.0.1"), "{ran:?}");
        let answer = server.poll(&challenge, &ticket, 0).await;
        assert_eq!(answer["status"], "approved", "{answer}");
        assert!(answer["token"].is_string());
        assert_eq!(server.poll(&old, &old_ticket, 0).await["status"], "pending", "the older one is untouched");

        // `deny` answers the newest pending request: now the older one.
        let ran = phone.run(&["deny", "--timeout", "5"]).await;
        ran.ok();
        assert!(ran.stdout.contains("Denied the sign-in of cal@example.com from 192.0.2.7"), "{ran:?}");
        assert_eq!(server.poll(&old, &old_ticket, 0).await["status"], "denied");
        server.shutdown().await;
    }

    async fn approving_with_the_number_on_the_login_screen_signs_in(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("bob@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let (ticket, challenge, number) = server.start_push_login("bob@example.com").await;
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "pending");
        let approve = phone.spawn(&["approve", "--number", &number.to_string()]);
        let answer = server.poll(&challenge, &ticket, 25).await;
        assert_eq!(answer["status"], "approved", "{answer}");
        let session = answer["token"].as_str().expect("a session token");
        let ran = approve.await.unwrap();
        ran.ok();
        assert!(ran.stdout.contains("Approved"), "{ran:?}");

        let me = server.get("/api/v1/me", Some(session)).await;
        assert_eq!(me.status(), StatusCode::OK);
        // The token is handed out once.
        let later = server.poll(&challenge, &ticket, 0).await;
        assert_eq!(later["status"], "approved");
        assert!(later.get("token").is_none_or(|t| t.is_null()), "{later}");
        server.shutdown().await;
    }

    async fn one_app_serves_two_accounts_and_answers_only_the_one_asked(env: TestEnv) {
        let server = env.server().await;
        let ann = server.signed_in("ann@example.com").await;
        let bob = server.signed_in("bob@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&ann, "phone").await]).await.ok();
        phone.run(&["pair", &server.pairing_uri(&bob, "phone").await]).await.ok();

        let (ticket, challenge, number) = server.start_push_login("bob@example.com").await;
        let n = number.to_string();
        let elsewhere = phone
            .run(&["approve", "--number", &n, "--account", "ann@example.com", "--timeout", "2"])
            .await;
        assert_eq!(elsewhere.code, 4, "ann has no request: {elsewhere:?}");
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "pending");
        let ran = phone.run(&["approve", "--number", &n]).await;
        ran.ok();
        assert!(ran.stdout.contains("bob@example.com"), "{ran:?}");
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "approved");
        server.shutdown().await;
    }

    async fn denying_refuses_the_sign_in(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("cat@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let (ticket, challenge, _) = server.start_push_login("cat@example.com").await;
        let deny = phone.spawn(&["deny"]);
        let answer = server.poll(&challenge, &ticket, 25).await;
        assert_eq!(answer["status"], "denied", "{answer}");
        assert!(answer.get("token").is_none_or(|t| t.is_null()));
        let ran = deny.await.unwrap();
        ran.ok();
        assert!(ran.stdout.contains("Denied"), "{ran:?}");
        server.shutdown().await;
    }

    async fn a_wrong_number_is_a_denial_and_fails_the_app(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("dan@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let (ticket, challenge, number) = server.start_push_login("dan@example.com").await;
        let wrong = if number == 99 { 10 } else { number + 1 };
        let ran = phone.run(&["approve", "--number", &wrong.to_string()]).await;
        assert_eq!(ran.code, 3, "{ran:?}");
        assert!(ran.stderr.contains("did not match"), "{ran:?}");
        let answer = server.poll(&challenge, &ticket, 0).await;
        assert_eq!(answer["status"], "denied", "{answer}");
        assert!(answer.get("token").is_none_or(|t| t.is_null()));
        server.shutdown().await;
    }

    async fn an_unanswered_request_expires_and_the_app_finds_none(env: TestEnv) {
        let server = env.server_with(|a| a.push_challenge_secs = Some(2)).await;
        let token = server.signed_in("eve@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let (ticket, challenge, number) = server.start_push_login("eve@example.com").await;
        tokio::time::sleep(Duration::from_millis(3100)).await;
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "expired");
        let ran = phone
            .run(&["approve", "--number", &number.to_string(), "--timeout", "2"])
            .await;
        assert_eq!(ran.code, 4, "{ran:?}");
        assert!(ran.stderr.contains("no sign-in request"), "{ran:?}");
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "expired");
        server.shutdown().await;
    }

    async fn this_wasnt_me_denies_and_locks_the_account(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("fay@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let (ticket, challenge, _) = server.start_push_login("fay@example.com").await;
        let ran = phone.run(&["deny", "--not-me"]).await;
        ran.ok();
        assert!(ran.stdout.contains("locked"), "{ran:?}");
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "denied");
        // Every session ended; the password alone now meets the lock.
        assert_eq!(
            server.get("/api/v1/me", Some(&token)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let login = server
            .post_json(
                "/api/v1/login",
                &json!({"username": "fay@example.com", "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(login.status(), StatusCode::LOCKED);
        server.shutdown().await;
    }

    async fn push_and_totp_are_active_together(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("hal@example.com").await;
        let phone = env.app("phone");

        // The app is the authenticator for the TOTP enrolment too.
        let r = server.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let enrolment: serde_json::Value = r.json().await.unwrap();
        phone
            .run(&["add-totp", enrolment["otpauth_uri"].as_str().unwrap()])
            .await
            .ok();
        let codes = phone.run(&["code"]).await;
        codes.ok();
        let code = codes.stdout.split_whitespace().next().unwrap().to_owned();
        let r = server
            .post_json(
                "/api/v1/me/totp/activate",
                &json!({"password": PASSWORD, "code": code}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "activation with the app's code");
        // Activation ends other sessions, this one stays.
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let methods = server.methods(&token).await;
        assert!(methods.contains(&"totp".to_owned()) && methods.contains(&"push".to_owned()));
        let body = server.login("hal@example.com").await;
        let offered = body["methods"].as_array().unwrap();
        assert!(offered.contains(&json!("totp")) && offered.contains(&json!("push")), "{body}");

        let (ticket, challenge, number) = server.start_push_login("hal@example.com").await;
        let approve = phone.spawn(&["approve", "--number", &number.to_string()]);
        assert_eq!(server.poll(&challenge, &ticket, 25).await["status"], "approved");
        approve.await.unwrap().ok();
        let listed = phone.run(&["accounts"]).await;
        assert!(listed.stdout.contains("Paired accounts:\n  hal@example.com"), "{listed:?}");
        assert!(listed.stdout.contains("(hal@example.com)  SHA1, 6 digits, 30 s"), "{listed:?}");
        server.shutdown().await;
    }
}
