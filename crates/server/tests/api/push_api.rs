//! Push approval through the real server (docs/push-protocol.md), with a test-side device that
//! signs its requests: pairing, number matching, deny, "this wasn't me", expiry, the resend
//! limit, push fatigue, refused signatures, and long-polls that answer the moment the app does,
//! also across two nodes on PostgreSQL.

use std::time::{Duration, Instant};

use portcullis_core::secret::Token;
use portcullis_core::store::{PushStore, Store, Transaction};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::companion::{
    self, Device, Signing, now, poll, poll_body, pushed, send_push, start_pairing, ticket,
};
use crate::harness::server::{self, Backend, PASSWORD, TestApp, error_code};
use crate::harness::totp::code_now;

async fn methods_in_me(app: &TestApp, token: &str) -> Vec<String> {
    let me: Value = app.me(token).await.json().await.unwrap();
    me["two_factor"]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

/// The app approves with a typed number, naming no request.
async fn approve_by_number(app: &TestApp, phone: &Device, number: i64) -> reqwest::Response {
    let body = json!({ "number": number });
    phone
        .send(
            app,
            Method::POST,
            "/api/v1/push/device/approve",
            Some(&body),
            &Signing::default(),
        )
        .await
}

/// `DELETE /api/v1/me/push-devices/{id}` as `token` with `body`.
async fn remove_device(app: &TestApp, token: &str, id: &str, body: &Value) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("/api/v1/me/push-devices/{id}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The names of the caller's paired devices.
async fn device_names(app: &TestApp, token: &str) -> Vec<String> {
    let list: Value = app
        .get("/api/v1/me/push-devices", Some(token))
        .await
        .json()
        .await
        .unwrap();
    list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The outcomes of the caller's audit events of `kind`, newest first.
async fn outcomes(app: &TestApp, token: &str, kind: &str) -> Vec<String> {
    let body: Value = app.audit(token, "?limit=200").await.json().await.unwrap();
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .map(|e| e["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

on_both_backends! {
    async fn a_pairing_code_works_once_and_push_shows_beside_totp(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ann@example.com").await;
        let uri = start_pairing(&app, &token, Some("Ann's phone")).await;
        assert!(uri.starts_with("portcullis://pair?v=1&server=http%3A%2F%2F127.0.0.1%3A"), "{uri}");
        assert!(uri.contains("&account=ann%40example.com&issuer=Portcullis"), "{uri}");
        let phone = Device::new();
        let r = phone.pair_raw(&app, &uri).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["account"], "ann@example.com");
        assert_eq!(body["server"], app.base);
        assert_eq!(body["name"], "Ann's phone", "the app learns the name given on the page");
        // Single use: a second app with the same code is refused.
        let r = Device::new().pair_raw(&app, &uri).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_token".into()));

        let list: Value = app.get("/api/v1/me/push-devices", Some(&token)).await.json().await.unwrap();
        let devices = list["devices"].as_array().unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0]["name"], "Ann's phone", "the name given on the security page wins");
        assert_eq!(methods_in_me(&app, &token).await, vec!["push"]);
        assert!(app.audit_types(&token).await.contains(&"push.device_paired".to_owned()));
        app.message_to("email", "ann@example.com", |m| {
            m["subject"].as_str().unwrap_or("").contains("companion app was paired")
        })
        .await;

        // With an authenticator as well, both are offered.
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let r = app
            .post_json(
                "/api/v1/me/totp/activate",
                &json!({ "password": PASSWORD, "code": code_now(&secret) }),
                Some(&token),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let (_, methods) = ticket(&app, "ann@example.com").await;
        assert!(methods.contains(&"totp".to_owned()) && methods.contains(&"push".to_owned()), "{methods:?}");
    }

    async fn an_expired_or_unknown_pairing_code_is_refused(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ben@example.com").await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        let user = portcullis_core::model::UserId(me["id"].as_str().unwrap().to_owned());
        let code = Token::generate();
        let store = &app.state.services.store;
        let mut tx = store.begin().await.unwrap();
        let t = portcullis_core::UnixTime(now());
        tx.insert_push_pairing(&code.digest(), &user, None, t.plus_secs(-700), t.plus_secs(-100))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let uri = format!("portcullis://pair?v=1&code={}", code.expose());
        let r = Device::new().pair_raw(&app, &uri).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_token".into()));
        let r = Device::new().pair_raw(&app, "portcullis://pair?code=nonsense").await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_token".into()));
        // A bad key is refused without using the code up.
        let good = start_pairing(&app, &token, None).await;
        let r = app
            .post_json(
                "/api/v1/push/pair",
                &json!({ "code": companion::code_of(&good), "public_key": "AAAA", "name": "x" }),
                None,
            )
            .await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(Device::new().pair_raw(&app, &good).await.status(), StatusCode::CREATED);
        assert_eq!(methods_in_me(&app, &token).await, vec!["push"]);
    }

    async fn the_right_number_approves_and_the_token_comes_exactly_once(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("cat@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, methods) = ticket(&app, "cat@example.com").await;
        assert_eq!(methods, vec!["push"]);
        let (id, number) = pushed(&app, &t).await;
        assert_eq!(poll_body(&app, &id, &t, 0).await, json!({ "status": "pending" }));

        let pending = phone.challenges(&app, 0).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0]["id"], id.as_str());
        assert_eq!(pending[0]["account"], "cat@example.com");
        assert_eq!(pending[0]["user_agent"], "portcullis-tests");
        assert!(pending[0].get("number").is_none(), "the number is typed, never sent to the app");

        let r = phone.approve(&app, &id, number).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        let first = poll_body(&app, &id, &t, 0).await;
        assert_eq!(first["status"], "approved");
        let session = first["token"].as_str().expect("the session token").to_owned();
        assert_eq!(app.me(&session).await.status(), StatusCode::OK);
        assert_eq!(poll_body(&app, &id, &t, 0).await, json!({ "status": "approved" }));
        assert!(phone.challenges(&app, 0).await.is_empty());
        let r = phone.approve(&app, &id, number).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        // The ticket is used up: no second challenge, no second session.
        assert_eq!(error_code(send_push(&app, &t).await).await.1, "invalid_ticket");
        let types = app.audit_types(&session).await;
        for kind in ["push.sent", "push.approved", "login.second_factor.success"] {
            assert!(types.contains(&kind.to_owned()), "{kind} in {types:?}");
        }
        let list: Value = app.get("/api/v1/me/push-devices", Some(&session)).await.json().await.unwrap();
        assert!(list["devices"][0]["last_seen_at"].is_string());
    }

    async fn a_wrong_number_or_a_denial_refuses_the_login(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("dan@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "dan@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        let wrong = if number == 99 { 10 } else { number + 1 };
        let r = phone.approve(&app, &id, wrong).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "denied" }));
        assert_eq!(poll_body(&app, &id, &t, 0).await, json!({ "status": "denied" }));
        let r = phone.approve(&app, &id, number).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));

        // The same ticket may ask again: a new challenge.
        let (id2, number2) = pushed(&app, &t).await;
        assert_ne!(id2, id);
        let r = phone.answer(&app, &id2, json!({ "decision": "deny" })).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "denied" }));
        assert_eq!(poll_body(&app, &id2, &t, 0).await["status"], "denied");
        let _ = number2;
        let r = phone.answer(&app, &id2, json!({ "decision": "approve" })).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let types = app.audit_types(&token).await;
        assert_eq!(types.iter().filter(|t| *t == "push.denied").count(), 2, "{types:?}");
    }

    async fn this_was_not_me_locks_the_account_and_alerts_the_owner(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("eve@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "eve@example.com").await;
        let (id, _) = pushed(&app, &t).await;
        let r = phone.answer(&app, &id, json!({ "decision": "fraud" })).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "fraud" }));
        assert_eq!(poll_body(&app, &id, &t, 0).await["status"], "denied");
        assert_eq!(app.me(&token).await.status(), StatusCode::UNAUTHORIZED, "sessions end");
        let r = app.login("eve@example.com", PASSWORD).await;
        assert_eq!(error_code(r).await, (StatusCode::LOCKED, "account_locked".into()));
        app.message_to("email", "eve@example.com", |m| {
            m["subject"].as_str().unwrap_or("").contains("locked")
        })
        .await;
        assert!(phone.challenges(&app, 0).await.is_empty());
    }

    async fn an_unanswered_request_expires(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.push_challenge_secs = Some(1);
        })
        .await;
        let token = app.signed_in("fay@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "fay@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(poll_body(&app, &id, &t, 0).await, json!({ "status": "expired" }));
        assert!(phone.challenges(&app, 0).await.is_empty());
        let r = phone.approve(&app, &id, number).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        let types = app.audit_types(&token).await;
        assert_eq!(types.iter().filter(|t| *t == "push.expired").count(), 1, "{types:?}");
        // Asking again gives a new challenge.
        let (id2, _) = pushed(&app, &t).await;
        assert_ne!(id2, id);
    }

    async fn sending_again_is_limited_to_once_per_ten_seconds(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("gus@example.com").await;
        let _phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "gus@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        let r = send_push(&app, &t).await;
        let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=10).contains(&retry), "{retry}");
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into()));
        tokio::time::sleep(Duration::from_secs(retry as u64 + 1)).await;
        assert_eq!(pushed(&app, &t).await, (id, number), "the same challenge, sent again");
        let types = app.audit_types(&token).await;
        assert_eq!(types.iter().filter(|t| *t == "push.sent").count(), 2, "{types:?}");
    }

    async fn more_than_three_refusals_in_fifteen_minutes_pause_push(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("hal@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "hal@example.com").await;
        for _ in 0..4 {
            let (id, _) = pushed(&app, &t).await;
            let r = phone.answer(&app, &id, json!({ "decision": "deny" })).await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = send_push(&app, &t).await;
        let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((890..=900).contains(&retry), "{retry}");
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "push_paused".into()));
        // A fresh login is paused as well: the pause belongs to the account.
        let (t2, _) = ticket(&app, "hal@example.com").await;
        assert_eq!(error_code(send_push(&app, &t2).await).await.1, "push_paused");
    }

    async fn bad_device_signatures_are_refused_alike(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ivy@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let path = "/api/v1/push/device/challenges?wait=0";
        let ok = phone.send(&app, Method::GET, path, None, &Signing::default()).await;
        assert_eq!(ok.status(), StatusCode::OK);

        let nonce = companion::fresh_nonce();
        let once = Signing { nonce: Some(nonce.clone()), ..Default::default() };
        assert_eq!(phone.send(&app, Method::GET, path, None, &once).await.status(), StatusCode::OK);
        let cases = [
            ("replayed nonce", once.clone()),
            ("stale timestamp", Signing { skew: -61, ..Default::default() }),
            // The server reads its clock after the device: time passing only makes a stale
            // timestamp staler, but brings a future one closer, so it is 5 s past the window.
            ("future timestamp", Signing { skew: 65, ..Default::default() }),
            ("signed another path", Signing {
                signed_path: Some("/api/v1/push/device/challenges?wait=1".into()),
                ..Default::default()
            }),
            ("unknown device", Signing { device_id: Some(uuid::Uuid::new_v4().to_string()), ..Default::default() }),
            ("malformed nonce", Signing { nonce: Some("short".into()), ..Default::default() }),
        ];
        for (what, how) in cases {
            let r = phone.send(&app, Method::GET, path, None, &how).await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_signature".into()), "{what}");
        }
        // A tampered body: the signature covered other bytes.
        let (t, _) = ticket(&app, "ivy@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        let tampered = Signing {
            signed_body: Some(json!({ "decision": "deny" }).to_string().into_bytes()),
            ..Default::default()
        };
        let r = phone
            .send(
                &app,
                Method::POST,
                &format!("/api/v1/push/device/challenges/{id}"),
                Some(&json!({ "decision": "approve", "number": number })),
                &tampered,
            )
            .await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_signature".into()));
        // A stranger's key under this device's id.
        let stranger = Device { id: phone.id.clone(), ..Device::new() };
        let r = stranger.send(&app, Method::GET, path, None, &Signing::default()).await;
        assert_eq!(error_code(r).await.1, "invalid_signature");
        // No headers at all.
        let r = app.get(path, None).await;
        assert_eq!(error_code(r).await.1, "invalid_signature");
        assert_eq!(poll_body(&app, &id, &t, 0).await["status"], "pending", "nothing was decided");
    }

    async fn the_login_long_poll_answers_as_soon_as_the_app_does(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("jo@example.com").await;
        let phone = Device::paired(&app, &token).await;
        // The app's long-poll wakes when the challenge is made.
        let waiting_app = {
            let (base, client, id, key) = (app.base.clone(), app.client.clone(), phone.id.clone(), phone.key.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let d = Device { id, key };
                let shadow = companion::detached(base, client);
                let pending = d.challenges(&shadow, 20).await;
                (started.elapsed(), pending.len())
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (t, _) = ticket(&app, "jo@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        let (took, n) = waiting_app.await.unwrap();
        assert_eq!(n, 1);
        assert!(took < Duration::from_secs(5), "the app waited {took:?}");

        let started = Instant::now();
        let login = {
            let (base, client, id, t) = (app.base.clone(), app.client.clone(), id.clone(), t.clone());
            tokio::spawn(async move {
                let shadow = companion::detached(base, client);
                poll_body(&shadow, &id, &t, 20).await
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(phone.approve(&app, &id, number).await.status(), StatusCode::OK);
        let answer = login.await.unwrap();
        assert_eq!(answer["status"], "approved");
        assert!(answer["token"].is_string());
        assert!(started.elapsed() < Duration::from_secs(5), "the login waited {:?}", started.elapsed());
    }

    async fn of_eight_racing_answers_and_pairings_exactly_one_wins(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ned@example.com").await;
        let uri = start_pairing(&app, &token, None).await;
        let remote = companion::detached(app.base.clone(), app.client.clone());
        let mut pairings = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (remote, uri) = (remote.clone(), uri.clone());
            pairings.spawn(async move {
                let code = companion::code_of(&uri);
                let body = json!({ "code": code, "public_key": Device::new().public_key(), "name": "racer" });
                remote.client.post(format!("{}/api/v1/push/pair", remote.base)).json(&body).send().await.unwrap().status()
            });
        }
        let statuses = pairings.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::BAD_REQUEST));

        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "ned@example.com").await;
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let (remote, t) = (remote.clone(), t.clone());
            sends.spawn(async move {
                let r = remote
                    .client
                    .post(format!("{}/api/v1/login/push", remote.base))
                    .json(&json!({ "login_ticket": t }))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap();
                (status, body["challenge_id"].as_str().map(str::to_owned), body["number"].as_i64())
            });
        }
        let sent = sends.join_all().await;
        let made: Vec<_> = sent.iter().filter(|(s, ..)| *s == StatusCode::ACCEPTED).collect();
        assert_eq!(made.len(), 1, "one challenge for one ticket: {sent:?}");
        assert!(sent.iter().all(|(s, ..)| *s == StatusCode::ACCEPTED || *s == StatusCode::TOO_MANY_REQUESTS));
        let (id, number) = (made[0].1.clone().unwrap(), made[0].2.unwrap());
        assert_eq!(phone.challenges(&app, 0).await.len(), 1);
        let mut answers = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (remote, id) = (remote.clone(), id.clone());
            let racer = Device { id: phone.id.clone(), key: phone.key.clone() };
            answers.spawn(async move {
                let body = if i % 2 == 0 {
                    json!({ "decision": "approve", "number": number })
                } else {
                    json!({ "decision": "deny" })
                };
                racer.answer(&remote, &id, body).await.status()
            });
        }
        let statuses = answers.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 7, "{statuses:?}");
        // And of racing polls after an approval, one gets the session.
        let status = poll_body(&app, &id, &t, 0).await;
        if status["status"] == "approved" {
            let _ = status["token"].as_str().expect("the first poll gets the token");
            let again = poll_body(&app, &id, &t, 0).await;
            assert!(again.get("token").is_none());
        } else {
            assert_eq!(status["status"], "denied");
        }
    }

    async fn a_webhook_on_an_internal_address_is_not_called_unless_the_operator_allows_it(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ned@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/up/topic", hook.local_addr().unwrap());
        let r = phone
            .send(&app, Method::PUT, "/api/v1/push/device/webhook", Some(&json!({ "url": url })), &Signing::default())
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (t, _) = ticket(&app, "ned@example.com").await;
        pushed(&app, &t).await;
        let called = tokio::time::timeout(Duration::from_secs(2), hook.accept()).await;
        assert!(called.is_err(), "the server must not call a loopback webhook by default");
    }

    async fn a_webhook_is_called_with_no_number_when_a_request_is_sent(env: TestEnv) {
        // The push bridge listens on loopback, an internal address the operator allows here.
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.push_webhook_allow_private = Some(true);
        })
        .await;
        let token = app.signed_in("oli@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/up/topic", hook.local_addr().unwrap());
        let r = phone
            .send(&app, Method::PUT, "/api/v1/push/device/webhook", Some(&json!({ "url": url })), &Signing::default())
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = phone
            .send(&app, Method::PUT, "/api/v1/push/device/webhook", Some(&json!({ "url": "ftp://x" })), &Signing::default())
            .await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let received = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut conn, _) = hook.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            while !String::from_utf8_lossy(&got).contains("Sign-in request for") {
                let n = conn.read(&mut buf).await.unwrap();
                if n == 0 { break; }
                got.extend_from_slice(&buf[..n]);
            }
            conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
            String::from_utf8_lossy(&got).into_owned()
        });
        let (t, _) = ticket(&app, "oli@example.com").await;
        pushed(&app, &t).await;
        let request = tokio::time::timeout(Duration::from_secs(10), received).await.unwrap().unwrap();
        assert!(request.starts_with("POST /up/topic HTTP/1.1"), "{request}");
        assert!(request.to_ascii_lowercase().contains("content-type: text/plain"), "{request}");
        assert!(request.ends_with("Sign-in request for oli@example.com"), "{request}");
        assert!(!request.contains(&t), "no ticket in the webhook");
    }

    async fn a_recovery_code_that_removes_two_factor_removes_the_paired_apps_too(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("pia@example.com").await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let r = app
            .post_json(
                "/api/v1/me/totp/activate",
                &json!({ "password": PASSWORD, "code": code_now(&secret) }),
                Some(&token),
            )
            .await;
        let codes: Value = r.json().await.unwrap();
        let code = codes["recovery_codes"][0].as_str().unwrap().to_owned();
        let phone = Device::paired(&app, &token).await;
        let r = app
            .post_json(
                "/api/v1/recover",
                &json!({ "username": "pia@example.com", "password": PASSWORD, "recovery_code": code }),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app.login("pia@example.com", PASSWORD).await;
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok", "no factor is left");
        let r = phone
            .send(&app, Method::GET, "/api/v1/push/device/challenges?wait=0", None, &Signing::default())
            .await;
        assert_eq!(error_code(r).await.1, "invalid_signature");
    }

    async fn a_server_shutting_down_ends_long_polls_at_once(env: TestEnv) {
        let app = env.spawn().await;
        // Quin's login waits for an answer; Rae's app waits for a request.
        let quin = app.signed_in("quin@example.com").await;
        let _quins_phone = Device::paired(&app, &quin).await;
        let rae = app.signed_in("rae@example.com").await;
        let raes_phone = Device::paired(&app, &rae).await;
        let (t, _) = ticket(&app, "quin@example.com").await;
        let (id, _) = pushed(&app, &t).await;
        let remote = companion::detached(app.base.clone(), app.client.clone());
        let login = {
            let (remote, id, t) = (remote.clone(), id.clone(), t.clone());
            tokio::spawn(async move { poll_body(&remote, &id, &t, 60).await })
        };
        let device = tokio::spawn(async move { raes_phone.challenges(&remote, 60).await });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!login.is_finished() && !device.is_finished(), "both are waiting");
        let started = Instant::now();
        app.shutdown().await;
        assert!(started.elapsed() < Duration::from_secs(5), "shutdown took {:?}", started.elapsed());
        assert_eq!(login.await.unwrap()["status"], "pending");
        assert!(device.await.unwrap().is_empty());
    }

    async fn with_only_the_app_recovery_codes_can_be_made_and_one_signs_in_after_a_lost_phone(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("max@example.com").await;
        Device::paired(&app, &token).await;
        let r = app.post_json("/api/v1/me/recovery-codes", &json!({ "password": PASSWORD }), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let codes: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap()
            .iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10);
        let (t, methods) = ticket(&app, "max@example.com").await;
        assert!(methods.contains(&"push".to_owned()) && methods.contains(&"recovery_code".to_owned()), "{methods:?}");
        let r = app.post_json("/api/v1/login/recovery", &json!({ "login_ticket": t, "code": codes[0] }), None).await;
        assert_eq!(r.status(), StatusCode::OK, "a recovery code stands in for the lost phone");
    }

    async fn removing_a_device_ends_push_for_it(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("kim@example.com").await;
        let other = app.signed_in("lee@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let path = format!("/api/v1/me/push-devices/{}", phone.id);
        let r = remove_device(&app, &other, &phone.id, &json!({ "password": PASSWORD })).await;
        assert_eq!(error_code(r).await.0, StatusCode::NOT_FOUND);
        let r = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&token)
            .json(&json!({ "name": "Work phone" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["name"], "Work phone");
        let r = remove_device(&app, &token, &phone.id, &json!({ "password": PASSWORD })).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(methods_in_me(&app, &token).await.is_empty());
        let r = phone
            .send(&app, Method::GET, "/api/v1/push/device/challenges?wait=0", None, &Signing::default())
            .await;
        assert_eq!(error_code(r).await.1, "invalid_signature");
        assert!(app.audit_types(&token).await.contains(&"push.device_removed".to_owned()));
        // Without a factor the password alone signs in again.
        assert_eq!(app.login("kim@example.com", PASSWORD).await.json::<Value>().await.unwrap()["status"], "ok");
    }

    async fn pairing_a_device_needs_the_current_password_and_a_wrong_one_pairs_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("pia@example.com").await;
        let pair = |body: Value| {
            let (app, token) = (&app, &token);
            async move { app.post_json("/api/v1/me/push-devices", &body, Some(token)).await }
        };
        let r = pair(json!({ "name": "Phone" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".into()));
        let r = pair(json!({ "name": "Phone", "password": "" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()));
        let r = pair(json!({ "name": "Phone", "password": "Wrong-Horse-7" })).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_password");
        assert!(body.get("pairing_uri").is_none(), "no code to pair with: {body}");

        // Nothing was paired, and the wrong password is on record as a failed pairing.
        assert!(device_names(&app, &token).await.is_empty());
        assert!(methods_in_me(&app, &token).await.is_empty());
        assert_eq!(outcomes(&app, &token, "push.device_paired").await, vec!["failure"]);

        // The right password gives a code that pairs.
        let r = pair(json!({ "name": "Phone", "password": PASSWORD })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let uri = r.json::<Value>().await.unwrap()["pairing_uri"].as_str().unwrap().to_owned();
        assert_eq!(Device::new().pair_raw(&app, &uri).await.status(), StatusCode::CREATED);
        assert_eq!(device_names(&app, &token).await, vec!["Phone"]);
        assert_eq!(methods_in_me(&app, &token).await, vec!["push"]);
    }

    async fn removing_a_device_needs_the_current_password_and_a_wrong_one_keeps_it(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("rex@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let r = remove_device(&app, &token, &phone.id, &json!({})).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body".into()));
        let r = remove_device(&app, &token, &phone.id, &json!({ "password": "" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()));
        let r = remove_device(&app, &token, &phone.id, &json!({ "password": "Wrong-Horse-7" })).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "invalid_password".into()));

        // The device stays, still approves sign-ins, and the attempt is on record.
        assert_eq!(device_names(&app, &token).await, vec!["Test phone"]);
        assert_eq!(methods_in_me(&app, &token).await, vec!["push"]);
        let (t, _) = ticket(&app, "rex@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        assert_eq!(phone.approve(&app, &id, number).await.status(), StatusCode::OK);
        assert_eq!(poll_body(&app, &id, &t, 0).await["status"], "approved");
        assert_eq!(outcomes(&app, &token, "push.device_removed").await, vec!["failure"]);

        // With the right password it goes.
        let r = remove_device(&app, &token, &phone.id, &json!({ "password": PASSWORD })).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(device_names(&app, &token).await.is_empty());
        assert_eq!(outcomes(&app, &token, "push.device_removed").await, vec!["success", "failure"]);
    }

    async fn a_new_request_of_the_account_ends_the_older_one_which_can_no_longer_be_approved(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("abe@example.com").await;
        let phone = Device::paired(&app, &token).await;
        // The first sign-in's tab was closed; the person signs in again.
        let (t1, _) = ticket(&app, "abe@example.com").await;
        let (old, old_number) = pushed(&app, &t1).await;
        let (t2, _) = ticket(&app, "abe@example.com").await;
        let (current, number) = pushed(&app, &t2).await;
        assert_ne!(old, current);
        assert_eq!(poll_body(&app, &old, &t1, 0).await, json!({ "status": "superseded" }));
        let offered: Vec<Value> = phone.challenges(&app, 0).await.iter().map(|c| c["id"].clone()).collect();
        assert_eq!(offered, vec![json!(current)], "only the current request is offered");
        let r = phone.approve(&app, &old, old_number).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        assert_eq!(poll_body(&app, &old, &t1, 0).await["status"], "superseded", "still ended");
        assert_eq!(poll_body(&app, &current, &t2, 0).await["status"], "pending", "untouched");

        // Ended requests are no refusals: four more sign-ins do not pause push.
        for _ in 0..4 {
            let (t, _) = ticket(&app, "abe@example.com").await;
            pushed(&app, &t).await;
        }
        let (t, _) = ticket(&app, "abe@example.com").await;
        let (latest, latest_number) = pushed(&app, &t).await;
        assert_eq!(poll_body(&app, &current, &t2, 0).await["status"], "superseded");
        assert_eq!(phone.challenges(&app, 0).await.len(), 1);
        let r = phone.approve(&app, &latest, latest_number).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        assert!(poll_body(&app, &latest, &t, 0).await["token"].is_string());
        let _ = number;
    }

    async fn a_code_for_the_login_ends_its_pending_request(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("bea@example.com").await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let r = app
            .post_json(
                "/api/v1/me/totp/activate",
                &json!({ "password": PASSWORD, "code": code_now(&secret) }),
                Some(&token),
            )
            .await;
        let codes: Value = r.json().await.unwrap();
        let phone = Device::paired(&app, &token).await;

        // A wrong code: the person has left the push page all the same.
        let (t, _) = ticket(&app, "bea@example.com").await;
        let (id, number) = pushed(&app, &t).await;
        let r = app.post_json("/api/v1/login/totp", &json!({ "login_ticket": t, "code": "000000" }), None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(poll_body(&app, &id, &t, 0).await, json!({ "status": "superseded" }));
        assert!(phone.challenges(&app, 0).await.is_empty(), "the app no longer offers it");
        let r = phone.approve(&app, &id, number).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));

        // A recovery code that signs in ends it too; another login's request is left alone.
        let (other, _) = ticket(&app, "bea@example.com").await;
        let (t, _) = ticket(&app, "bea@example.com").await;
        let (id, _) = pushed(&app, &t).await;
        let code = codes["recovery_codes"][0].as_str().unwrap();
        let r = app.post_json("/api/v1/login/recovery", &json!({ "login_ticket": t, "code": code }), None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(phone.challenges(&app, 0).await.is_empty());
        let (kept, _) = pushed(&app, &other).await;
        let r = app.post_json("/api/v1/login/totp", &json!({ "login_ticket": t, "code": "000000" }), None).await;
        assert_eq!(error_code(r).await.1, "invalid_ticket");
        assert_eq!(phone.challenges(&app, 0).await[0]["id"], kept.as_str(), "a used ticket ends nothing else");
        let _ = id;
    }

    async fn a_typed_number_answers_the_request_whose_number_it_is_and_the_app_sees_the_newest_first(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("cy@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t_old, _) = ticket(&app, "cy@example.com").await;
        let (t, _) = ticket(&app, "cy@example.com").await;
        let (current, number) = pushed(&app, &t).await;
        // An older request still pending beside it (one left from before this rule, say).
        let old_number = if number == 99 { 10 } else { number + 1 };
        let old = {
            use portcullis_core::store::LoginTickets;
            let store = &app.state.services.store;
            let mut tx = store.begin().await.unwrap();
            let old_ticket = tx.ticket_by_digest(&Token::from_client(&t_old).digest()).await.unwrap().unwrap();
            let at = portcullis_core::UnixTime(now() - 30);
            let c = portcullis_core::store::PushChallenge {
                id: portcullis_core::model::PushChallengeId::generate(),
                user_id: old_ticket.user_id.clone(),
                ticket_id: old_ticket.id.clone(),
                number: old_number,
                status: portcullis_core::push::ChallengeStatus::Pending,
                created_at: at,
                expires_at: at.plus_secs(120),
                last_sent_at: at,
                decided_at: None,
                decided_by: None,
                ip: None,
                user_agent: None,
                token_issued_at: None,
                via: None,
            };
            tx.insert_push_challenge(&c).await.unwrap();
            tx.commit().await.unwrap();
            c.id.0
        };
        let offered: Vec<Value> = phone.challenges(&app, 0).await.iter().map(|c| c["id"].clone()).collect();
        assert_eq!(offered, vec![json!(current), json!(old)], "newest first");

        let approve = |n: i64| approve_by_number(&app, &phone, n);
        let r = approve(number).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "approved");
        assert_eq!(body["challenge"]["id"], current.as_str());
        assert!(body["challenge"].get("number").is_none(), "the app still never learns a number");
        assert!(poll_body(&app, &current, &t, 0).await["token"].is_string());
        assert_eq!(poll_body(&app, &old, &t_old, 0).await["status"], "pending", "the older one is untouched");

        // A number no pending request has denies the newest pending one.
        let wrong = (10..=99).find(|n| *n != old_number && *n != number).unwrap();
        let body: Value = approve(wrong).await.json().await.unwrap();
        assert_eq!(body["status"], "denied");
        assert_eq!(body["challenge"]["id"], old.as_str());
        assert_eq!(poll_body(&app, &old, &t_old, 0).await["status"], "denied");
        // Nothing pending: nothing to answer.
        assert_eq!(error_code(approve(number).await).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        let r = phone.send(&app, Method::POST, "/api/v1/push/device/approve", Some(&json!({ "number": "x" })), &Signing::default()).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// Two nodes share one PostgreSQL database: the app answers on node B while the login screen
/// long-polls node A; LISTEN/NOTIFY wakes A at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_on_one_node_wakes_the_long_poll_on_another() {
    server::run(Backend::Postgres, |env| async move {
        let a = env.spawn().await;
        let b = env.spawn().await;
        let token = a.signed_in("max@example.com").await;
        let phone = Device::paired(&b, &token).await;
        let (t, _) = ticket(&a, "max@example.com").await;
        let (id, number) = pushed(&a, &t).await;
        // The app, on node B, hears of the challenge made on node A.
        assert_eq!(phone.challenges(&b, 5).await.len(), 1);
        let started = Instant::now();
        let login = {
            let (base, client, id, t) = (a.base.clone(), a.client.clone(), id.clone(), t.clone());
            tokio::spawn(async move {
                let shadow = companion::detached(base, client);
                poll_body(&shadow, &id, &t, 20).await
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            phone.approve(&b, &id, number).await.status(),
            StatusCode::OK
        );
        let answer = login.await.unwrap();
        assert_eq!(answer["status"], "approved");
        assert!(answer["token"].is_string());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "waited {:?}",
            started.elapsed()
        );
        let _ = poll(&a, &id, &t, 0).await;
    })
    .await;
}

/// The CSRF token of the first form in `html`.
fn csrf_of(html: &str) -> String {
    let start =
        html.find(r#"name="csrf" value=""#).expect("a form") + r#"name="csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// A sign-in through the web pages, approved in the app, reads as such in the activity log: the
/// second step records its method, and a push approval is not "a code".
#[tokio::test]
async fn the_activity_log_says_a_sign_in_was_approved_in_the_companion_app() {
    server::run(Backend::Sqlite, |env| async move {
        let app = env.spawn().await;
        let token = app.signed_in("eva@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let web = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let get = |path: &str| {
            let (web, url) = (web.clone(), format!("{}{path}", app.base));
            async move {
                let r = web.get(url).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.text().await.unwrap()
            }
        };
        let post = |path: &str, csrf: String, fields: Vec<(&'static str, &'static str)>| {
            let (web, url) = (web.clone(), format!("{}{path}", app.base));
            async move {
                let mut form = vec![("csrf", csrf.as_str())];
                form.extend(fields);
                web.post(url).form(&form).send().await.unwrap()
            }
        };
        let csrf = csrf_of(&get("/login").await);
        let fields = vec![("username", "eva@example.com"), ("password", PASSWORD)];
        let r = post("/login", csrf, fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let csrf = csrf_of(&get("/login/code").await);
        let r = post("/login/push", csrf, vec![]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = get("/login/push").await;
        let start = page.find(r#"id="push-number""#).expect("the number");
        let number: i64 = page[start..]
            .split(['>', '<'])
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let pending = phone.challenges(&app, 0).await;
        let id = pending[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            phone.approve(&app, &id, number).await.status(),
            StatusCode::OK
        );
        let r = post("/login/push/continue", csrf_of(&page), vec![]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let account = get("/account").await;
        assert!(
            account.contains("Sign-in approved in the companion app"),
            "{account}"
        );
        assert!(!account.contains("Code accepted at sign-in"), "{account}");
    })
    .await;
}
