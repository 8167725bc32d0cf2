//! `portcullis-app watch`, the confirmation dialog, driven through a pipe as a person would type:
//! it shows the request (account, time, address, browser), never the number; typos are asked
//! again; the typed number approves; "this wasn't me" asks for confirmation, then locks.

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncWriteExt, BufReader};

use crate::harness::{PASSWORD, read_until};

const PROMPT: &str = "Type the number";

on_both_backends! {
    async fn watch_shows_the_request_and_approves_with_the_typed_number(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("gus@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let mut watch = phone.command(&["watch", "--once"]).stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = watch.stdin.take().unwrap();
        let mut out = BufReader::new(watch.stdout.take().unwrap());
        let (ticket, challenge, number) = server.start_push_login("gus@example.com").await;

        let dialog = read_until(&mut out, PROMPT).await;
        assert!(dialog.contains("Sign-in request for gus@example.com"), "{dialog}");
        assert!(dialog.contains("127.0.0.1"), "{dialog}");
        assert!(dialog.contains("Firefox"), "{dialog}");
        assert!(!dialog.contains(&format!(" {number}\n")), "the app never learns the number");

        // Typos (one digit, three digits) are asked again, not sent as a wrong number.
        for typo in ["7".to_owned(), (number * 10).to_string()] {
            stdin.write_all(format!("{typo}\n").as_bytes()).await.unwrap();
            let again = read_until(&mut out, PROMPT).await;
            assert!(again.contains("two-digit number"), "{again}");
        }
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "pending");
        stdin.write_all(format!("{number}\n").as_bytes()).await.unwrap();
        let answer = server.poll(&challenge, &ticket, 25).await;
        assert_eq!(answer["status"], "approved", "{answer}");
        assert!(answer["token"].is_string());
        let status = tokio::time::timeout(Duration::from_secs(10), watch.wait())
            .await
            .expect("watch --once ends")
            .unwrap();
        assert!(status.success());
        server.shutdown().await;
    }

    async fn watch_shows_the_newest_request_first_and_the_typed_number_answers_the_one_on_the_screen(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("cal@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "Cal's laptop").await]).await.ok();

        // An older request is still pending beside the current one: the current one is asked first.
        let (ticket, challenge, number) = server.start_push_login("cal@example.com").await;
        let older_number = if number == 99 { 10 } else { i64::from(number) + 1 };
        let (old_ticket, old) = server.older_pending_request("cal@example.com", older_number, 30).await;
        let mut watch = phone.command(&["watch", "--once"]).stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = watch.stdin.take().unwrap();
        let mut out = BufReader::new(watch.stdout.take().unwrap());
        let dialog = read_until(&mut out, PROMPT).await;
        assert!(dialog.contains("this device: “Cal's laptop”"), "the name given on the page: {dialog}");
        assert!(dialog.contains("to:       this device, “Cal's laptop”"), "{dialog}");
        assert!(dialog.contains("from:     127.0.0.1"), "the newest first: {dialog}");
        assert!(!dialog.contains("192.0.2.7"), "the older one waits: {dialog}");
        stdin.write_all(format!("{number}\n").as_bytes()).await.unwrap();
        assert_eq!(server.poll(&challenge, &ticket, 25).await["status"], "approved");
        assert!(tokio::time::timeout(Duration::from_secs(10), watch.wait()).await.unwrap().unwrap().success());
        assert_eq!(server.poll(&old, &old_ticket, 0).await["status"], "pending");

        // The dialog shows a request the person then abandons; the next sign-in's number, typed
        // into that same dialog, approves the next sign-in (the abandoned one has ended).
        let mut watch = phone.command(&["watch", "--once"]).stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = watch.stdin.take().unwrap();
        let mut out = BufReader::new(watch.stdout.take().unwrap());
        let (stale_ticket, stale, _) = server.start_push_login("cal@example.com").await;
        read_until(&mut out, PROMPT).await;
        let (ticket, challenge, number) = server.start_push_login("cal@example.com").await;
        assert_eq!(server.poll(&stale, &stale_ticket, 0).await["status"], "superseded");
        stdin.write_all(format!("{number}\n").as_bytes()).await.unwrap();
        let answer = server.poll(&challenge, &ticket, 25).await;
        assert_eq!(answer["status"], "approved", "{answer}");
        assert!(answer["token"].is_string());
        let said = read_until(&mut out, "Approved").await;
        assert!(said.contains("cal@example.com"), "{said}");
        assert!(tokio::time::timeout(Duration::from_secs(10), watch.wait()).await.unwrap().unwrap().success());
        server.shutdown().await;
    }

    async fn watch_reports_this_wasnt_me_only_after_confirmation(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("ida@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();

        let mut watch = phone.command(&["watch", "--once"]).stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = watch.stdin.take().unwrap();
        let mut out = BufReader::new(watch.stdout.take().unwrap());
        let (ticket, challenge, _) = server.start_push_login("ida@example.com").await;
        read_until(&mut out, PROMPT).await;

        stdin.write_all(b"x\n").await.unwrap();
        read_until(&mut out, "Type `yes`").await;
        stdin.write_all(b"no\n").await.unwrap();
        let again = read_until(&mut out, PROMPT).await;
        assert!(again.contains("Not reported"), "{again}");
        assert_eq!(server.poll(&challenge, &ticket, 0).await["status"], "pending");
        assert_eq!(server.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK);

        stdin.write_all(b"x\nyes\n").await.unwrap();
        let answer = server.poll(&challenge, &ticket, 25).await;
        assert_eq!(answer["status"], "denied", "{answer}");
        let status = tokio::time::timeout(Duration::from_secs(10), watch.wait())
            .await
            .expect("watch --once ends")
            .unwrap();
        assert!(status.success());
        assert_eq!(
            server.get("/api/v1/me", Some(&token)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let login = server
            .post_json("/api/v1/login", &json!({"username": "ida@example.com", "password": PASSWORD}), None)
            .await;
        assert_eq!(login.status(), StatusCode::LOCKED);
        server.shutdown().await;
    }
}
