//! The device protocol as an attacker and an operator see it: a captured signed request cannot
//! be replayed, made stale or moved to another path; and with two server nodes on one
//! PostgreSQL database, the app's answer given to node B wakes the login's long-poll held by
//! node A at once.

use std::time::{Duration, Instant};

use portcullis_app::state_file::StateFile;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::totp::unix_now;
use crate::harness::{PASSPHRASE, TestEnv};

on_both_backends! {
    async fn a_replayed_stale_or_moved_device_signature_is_refused(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("jo@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        let (_, state) = StateFile::open(phone.state_path(), PASSPHRASE).unwrap();
        let device = &state.accounts[0];

        let path = "/api/v1/push/device/challenges?wait=0";
        let send = |signed_for: &str, timestamp: i64| {
            let headers = device.key.sign_request(&device.device_id, "GET", signed_for, timestamp, b"");
            let mut request = server.client.get(format!("{}{path}", server.base));
            for (name, value) in headers.pairs() {
                request = request.header(name, value);
            }
            (request, headers)
        };

        let (first, headers) = send(path, unix_now());
        let r = first.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["challenges"], serde_json::json!([]));

        // The very same request again: the nonce was used.
        let mut replay = server.client.get(format!("{}{path}", server.base));
        for (name, value) in headers.pairs() {
            replay = replay.header(name, value);
        }
        let refusals = [
            replay,
            send(path, unix_now() - 120).0,
            send(path, unix_now() + 120).0,
            send("/api/v1/push/device/challenges?wait=60", unix_now()).0,
        ];
        for request in refusals {
            let r = request.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_signature", "{body}");
        }
        // The app itself still gets through: each of its requests is fresh.
        let ran = phone.run(&["deny", "--timeout", "1"]).await;
        assert_eq!(ran.code, 4, "{ran:?}");
        server.shutdown().await;
    }
}

on_both_backends! {
    async fn a_removed_device_is_told_so_and_stops_waiting(env: TestEnv) {
        let server = env.server().await;
        let token = server.signed_in("max@example.com").await;
        let phone = env.app("phone");
        phone.run(&["pair", &server.pairing_uri(&token, "phone").await]).await.ok();
        let devices: Value = server
            .get("/api/v1/me/push-devices", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        let id = devices["devices"][0]["id"].as_str().unwrap().to_owned();
        let removed = server
            .client
            .delete(format!("{}/api/v1/me/push-devices/{id}", server.base))
            .bearer_auth(&token)
            .json(&json!({ "password": crate::harness::PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);

        let started = Instant::now();
        for args in [&["approve", "--number", "42"][..], &["watch"]] {
            let ran = phone.run(args).await;
            assert_eq!(ran.code, 1, "{args:?}: {ran:?}");
            assert!(ran.stderr.contains("removed on the security page"), "{ran:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(10), "neither waited for its timeout");
        server.shutdown().await;
    }
}

/// A stand-in push bridge on 127.0.0.1:0: hands over the first request it gets, answers 200.
async fn push_bridge() -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/topic", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Headers, then as much body as Content-Length says.
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if seen.len() >= end + 4 + length || n == 0 {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
    });
    (url, rx)
}

on_both_backends! {
    async fn the_webhook_the_app_gives_is_called_without_the_number(env: TestEnv) {
        // The push bridge listens on loopback, an internal address the operator allows here.
        let server = env.server_with(|a| a.push_webhook_allow_private = Some(true)).await;
        let token = server.signed_in("lea@example.com").await;
        let phone = env.app("phone");
        // One webhook given when pairing, then another set by the `webhook` command.
        let (first_url, first) = push_bridge().await;
        let uri = server.pairing_uri(&token, "phone").await;
        phone.run(&["pair", &uri, "--webhook", &first_url]).await.ok();
        let (_, _, number) = server.start_push_login("lea@example.com").await;
        let request = tokio::time::timeout(Duration::from_secs(10), first)
            .await
            .expect("the webhook given when pairing is called")
            .unwrap();
        assert!(request.starts_with("POST /topic "), "{request}");
        assert!(request.to_ascii_lowercase().contains("content-type: text/plain"), "{request}");
        assert!(request.contains("Sign-in request for lea@example.com"), "{request}");
        let body = request.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(!body.contains(&number.to_string()), "no number in the webhook: {body}");

        let (second_url, second) = push_bridge().await;
        let set = phone.run(&["webhook", &second_url]).await;
        set.ok();
        assert!(set.stdout.contains("Webhook set for lea@example.com"), "{set:?}");
        server.start_push_login("lea@example.com").await;
        let request = tokio::time::timeout(Duration::from_secs(10), second)
            .await
            .expect("the webhook set later is called")
            .unwrap();
        assert!(request.contains("Sign-in request for lea@example.com"), "{request}");
        let cleared = phone.run(&["webhook", "--clear"]).await;
        cleared.ok();
        assert!(cleared.stdout.contains("Webhook cleared"), "{cleared:?}");
        server.shutdown().await;
    }
}

/// Node A holds the login screen's long-poll; the app answers node B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_on_one_node_wakes_the_long_poll_on_another_on_postgres() {
    crate::harness::run(
        crate::harness::Backend::Postgres,
        |env: TestEnv| async move {
            let node_a = env.server().await;
            let node_b = env.server().await;
            let token = node_a.signed_in("kim@example.com").await;
            let phone = env.app("phone");
            phone
                .run(&["pair", &node_b.pairing_uri(&token, "phone").await])
                .await
                .ok();

            let (ticket, challenge, number) = node_a.start_push_login("kim@example.com").await;
            let node_a = std::sync::Arc::new(node_a);
            let poller = {
                let node_a = node_a.clone();
                let (challenge, ticket) = (challenge.clone(), ticket.clone());
                tokio::spawn(async move {
                    let answer = node_a.poll(&challenge, &ticket, 25).await;
                    (answer, Instant::now())
                })
            };
            tokio::time::sleep(Duration::from_millis(300)).await;
            let started = Instant::now();
            let ran = phone
                .run(&["approve", "--number", &number.to_string()])
                .await;
            let app_done = Instant::now();
            ran.ok();
            let (answer, answered_at) = poller.await.unwrap();
            assert_eq!(answer["status"], "approved", "{answer}");
            assert!(answer["token"].is_string());
            assert!(
                answered_at <= app_done + Duration::from_millis(500),
                "node A answered {:?} after the app finished (the app took {:?})",
                answered_at.saturating_duration_since(app_done),
                app_done - started
            );
            node_b.shutdown().await;
            if let Ok(a) = std::sync::Arc::try_unwrap(node_a) {
                a.shutdown().await;
            }
        },
    )
    .await
}
