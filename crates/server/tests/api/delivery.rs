//! The outbox worker through the real server, on SQLite and PostgreSQL: messages land as files
//! without a transport, reach an SMS gateway (a stand-in on port 0) with the operator's template
//! filled in and escaped, are retried with back-off until they arrive (once), never hold up the
//! request that caused them, are sent once even by two nodes, and leave no link or code behind
//! in the database. SMTP is in `delivery_smtp.rs`; the binary's restart and CLI in
//! `outbox_cli.rs`.

use std::time::{Duration, Instant};

use portcullis_core::UnixTime;
use portcullis_core::notice::{Channel, Notice};
use portcullis_core::store::{Outbox, OutboxMessage, OutboxMessageId, Store, Transaction};
use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::gateway::{Answer, Gateway};
use crate::harness::server::{TestApp, TestEnv};
use crate::harness::totp::unix_now;

/// Fast polling and a one-second retry base, so retries happen within a test.
fn quick(a: &mut ServeArgs) {
    a.open_registration = Some(true);
    a.delivery.outbox_poll_ms = Some(50);
    a.delivery.outbox_retry_base_secs = Some(1);
}

/// The app with SMS going to `gateway`, with `adjust` applied last.
async fn with_gateway(env: &TestEnv, url: &str, adjust: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let url = url.to_owned();
    env.spawn_with(move |a| {
        quick(a);
        a.delivery.sms_url = Some(url);
        adjust(a);
    })
    .await
}

/// Queues `notice` for `to` through the store, as a use case does, sealed under `aad_id` (the
/// row's own id unless a test wants a notice that cannot be opened). Returns the row's id.
async fn queue(
    app: &TestApp,
    channel: Channel,
    to: &str,
    notice: &Notice,
    aad_id: Option<&str>,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let plain = serde_json::to_vec(notice).unwrap();
    let aad = aad_id.unwrap_or(&id).to_owned();
    let sealed = app
        .state
        .services
        .keys
        .sealing
        .seal(&plain, aad.as_bytes())
        .unwrap();
    let mut tx = app.state.services.store.begin().await.unwrap();
    let message = OutboxMessage {
        id: OutboxMessageId(id.clone()),
        channel,
        recipient: to.to_owned(),
        kind: notice.kind(),
        sealed,
        created_at: UnixTime(unix_now()),
    };
    tx.enqueue(&message).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn phone_code(code: &str) -> Notice {
    Notice::PhoneCode {
        code: code.to_owned(),
        valid_minutes: 10,
    }
}

/// The delivery state of one outbox row.
#[derive(Debug)]
struct OutboxRow {
    attempts: i64,
    sent: bool,
    failed: bool,
    sealed: bool,
    body: String,
    last_error: Option<String>,
    claimed_by: Option<String>,
}

async fn row(app: &TestApp, id: &str) -> OutboxRow {
    let r = sqlx::query(
        "SELECT attempts, sent_at, failed_at, sealed, body, last_error, claimed_by FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.state.services.store.raw_pool())
    .await
    .unwrap();
    OutboxRow {
        attempts: r.try_get("attempts").unwrap(),
        sent: r.try_get::<Option<i64>, _>("sent_at").unwrap().is_some(),
        failed: r.try_get::<Option<i64>, _>("failed_at").unwrap().is_some(),
        sealed: r.try_get::<Option<Vec<u8>>, _>("sealed").unwrap().is_some(),
        body: r.try_get("body").unwrap(),
        last_error: r.try_get("last_error").unwrap(),
        claimed_by: r.try_get("claimed_by").unwrap(),
    }
}

/// Waits (up to 20 s) until the row of `id` satisfies `done`.
async fn row_when(app: &TestApp, id: &str, done: impl Fn(&OutboxRow) -> bool) -> OutboxRow {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = row(app, id).await;
        if done(&r) {
            return r;
        }
        assert!(Instant::now() < deadline, "outbox row {id} stuck at {r:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics", None).await.text().await.unwrap()
}

on_both_backends! {
    async fn without_smtp_an_invitation_lands_as_a_json_file_and_leaves_nothing_readable_behind(env: TestEnv) {
        let app = env.spawn_with(|a| { quick(a); a.delivery.product_name = Some("Acme ID".into()); }).await;
        let owner = app.signed_in("owner@example.com").await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "new@example.com" }), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let m = app.nth_message_to("email", "new@example.com", 1).await;
        assert_eq!(m["channel"], "email");
        assert_eq!(m["kind"], "invitation");
        assert_eq!(m["subject"], "You are invited to Acme ID");
        let link = format!("{}/invite?token=", app.base);
        assert!(m["body"].as_str().unwrap().contains(&link), "{m}");
        assert!(m["html"].as_str().unwrap().contains(&format!("href=\"{link}")), "{m}");
        let created = time::OffsetDateTime::parse(m["created_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert!((created.unix_timestamp() - unix_now()).abs() < 60);
        let id = m["id"].as_str().unwrap();
        assert!(app.data.join("outbox/email").join(format!("{id}.json")).is_file());

        // Sent: the row remembers that, and nothing more of what it said.
        let r = row_when(&app, id, |r| r.sent).await;
        assert_eq!((r.attempts, r.sealed, r.body.as_str(), r.failed), (1, false, "", false));
        assert!(r.claimed_by.is_none() && r.last_error.is_none());
        let text = metrics(&app).await;
        assert!(text.contains("portcullis_outbox_deliveries_total{channel=\"email\",outcome=\"sent\"} 1"), "{text}");
        // The link in the file is the one that works.
        let token = m["body"].as_str().unwrap().split("token=").nth(1).unwrap().split_whitespace().next().unwrap();
        assert_eq!(app.get(&format!("/invite?token={token}"), None).await.status(), StatusCode::OK);
    }

    async fn an_sms_reaches_the_gateway_with_the_template_filled_in_and_escaped_as_json(env: TestEnv) {
        let gw = Gateway::start(vec![]).await;
        let url = format!("{}/v1/send?to={{to}}&key=k%201", gw.base);
        let app = with_gateway(&env, &url, |a| {
            a.delivery.product_name = Some("Acme \"ID\"".into());
            a.delivery.sms_method = Some("put".into());
            a.delivery.sms_header = vec!["Authorization: Bearer gw-secret".into(), "Content-Type: application/json; charset=utf-8".into(), "X-Tenant: t1".into()];
            a.delivery.sms_body = Some(r#"{"recipient":"{to}","message":"{text}","keep":"{other}"}"#.into());
        }).await;
        let id = queue(&app, Channel::Sms, "+4915112345678", &phone_code("123456"), None).await;

        let got = gw.wait_for(1).await;
        let r = &got[0];
        assert_eq!(r.method, "PUT");
        assert_eq!(r.uri, "/v1/send?to=%2B4915112345678&key=k%201");
        assert_eq!(r.headers["authorization"], "Bearer gw-secret");
        assert_eq!(r.headers["x-tenant"], "t1");
        assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
        let body: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
        assert_eq!(body, json!({
            "recipient": "+4915112345678",
            "message": "Acme \"ID\" code to verify your mobile number: 123456. Valid 10 minutes. Never share it.",
            "keep": "{other}",
        }));
        let row = row_when(&app, &id, |r| r.sent).await;
        assert!(!row.sealed && row.body.is_empty(), "the code is wiped once sent");
        assert!(!app.data.join("outbox/sms").join(format!("{id}.json")).exists(), "a configured gateway writes no files");
    }

    async fn a_form_gateway_gets_percent_encoded_values_and_the_default_is_a_json_post(env: TestEnv) {
        let gw = Gateway::start(vec![]).await;
        let app = with_gateway(&env, &format!("{}/form", gw.base), |a| {
            a.delivery.sms_header = vec!["Content-Type: application/x-www-form-urlencoded".into()];
            a.delivery.sms_body = Some("To={to}&Body={text}".into());
        }).await;
        queue(&app, Channel::Sms, "+4915112345678", &phone_code("654321"), None).await;
        let r = gw.wait_for(1).await.remove(0);
        assert_eq!(r.method, "POST");
        assert_eq!(r.body, "To=%2B4915112345678&Body=Portcullis%20code%20to%20verify%20your%20mobile%20number%3A%20654321.%20Valid%2010%20minutes.%20Never%20share%20it.");
        app.shutdown().await;

        let gw = Gateway::start(vec![]).await;
        let app = with_gateway(&env, &format!("{}/json", gw.base), |_| {}).await;
        queue(&app, Channel::Sms, "+33612345678", &phone_code("111222"), None).await;
        let r = gw.wait_for(1).await.remove(0);
        assert_eq!(r.method, "POST");
        assert_eq!(r.headers["content-type"], "application/json");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["to"], "+33612345678");
        assert!(body["text"].as_str().unwrap().contains("111222"));
    }

    async fn a_failed_delivery_is_retried_with_back_off_and_arrives_once(env: TestEnv) {
        let gw = Gateway::start(vec![Answer::Status(500), Answer::Status(503)]).await;
        let app = with_gateway(&env, &format!("{}/send", gw.base), |_| {}).await;
        let id = queue(&app, Channel::Sms, "+4915112345678", &phone_code("123456"), None).await;

        let failed_once = row_when(&app, &id, |r| r.attempts == 1 && r.claimed_by.is_none()).await;
        assert_eq!(failed_once.last_error.as_deref(), Some("the SMS gateway answered HTTP 500"));
        assert!(failed_once.sealed && !failed_once.sent, "kept for the retry");
        let row = row_when(&app, &id, |r| r.sent).await;
        assert_eq!(row.attempts, 3);
        assert!(row.last_error.is_none() && !row.sealed);
        // Nothing more arrives: delivered once, on the third attempt, after waiting longer each time.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let got = gw.received();
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got.iter().all(|r| r.body.contains("123456")));
        assert!(got[2].at - got[1].at > Duration::from_secs(1), "the second retry waits twice the base");
        let text = metrics(&app).await;
        assert!(text.contains("portcullis_outbox_deliveries_total{channel=\"sms\",outcome=\"retry\"} 2"), "{text}");
        assert!(text.contains("portcullis_outbox_deliveries_total{channel=\"sms\",outcome=\"sent\"} 1"), "{text}");
    }

    async fn a_request_answers_promptly_while_the_gateway_hangs_and_the_message_is_kept(env: TestEnv) {
        let gw = Gateway::hanging().await;
        let app = with_gateway(&env, &format!("{}/send", gw.base), |_| {}).await;
        let token = app.signed_in("ann@example.com").await;
        let started = Instant::now();
        let r = app.client.put(app.url("/api/v1/me/phone")).bearer_auth(&token).json(&json!({ "number": "+4915112345678" })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
        let got = gw.wait_for(1).await;
        assert!(got[0].body.contains("+4915112345678"));
        let started = Instant::now();
        assert_eq!(app.me(&token).await.status(), StatusCode::OK);
        assert!(started.elapsed() < Duration::from_secs(1), "the server is not held up");

        let id: String = sqlx::query_scalar("SELECT id FROM outbox WHERE channel = 'sms'").fetch_one(app.state.services.store.raw_pool()).await.unwrap();
        let pending = row(&app, &id).await;
        assert!(!pending.sent && pending.sealed && pending.claimed_by.is_some(), "{pending:?}");
        // Stopping waits for the hanging send only briefly; the message stays queued.
        let started = Instant::now();
        app.shutdown().await;
        assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    }

    async fn a_send_that_hangs_holds_up_no_other_message(env: TestEnv) {
        let gw = Gateway::start(vec![Answer::Hang]).await;
        let app = with_gateway(&env, &format!("{}/send", gw.base), |_| {}).await;
        let first = queue(&app, Channel::Sms, "+4915100000001", &phone_code("111111"), None).await;
        let hung = gw.wait_for(1).await.remove(0);
        assert!(hung.body.contains("+4915100000001"));
        let second = queue(&app, Channel::Sms, "+4915100000002", &phone_code("222222"), None).await;
        row_when(&app, &second, |r| r.sent).await;
        let stuck = row(&app, &first).await;
        assert!(!stuck.sent && stuck.claimed_by.is_some(), "{stuck:?}");
    }

    async fn two_nodes_deliver_each_message_exactly_once(env: TestEnv) {
        let gw = Gateway::start(vec![]).await;
        let url = format!("{}/send", gw.base);
        let fast = |a: &mut ServeArgs| a.delivery.outbox_poll_ms = Some(10);
        let a = with_gateway(&env, &url, fast).await;
        let b = with_gateway(&env, &url, fast).await;
        let numbers: Vec<String> = (0..60).map(|i| format!("+4930123{i:05}")).collect();
        let mut ids = Vec::new();
        for (i, n) in numbers.iter().enumerate() {
            let node = if i % 2 == 0 { &a } else { &b };
            ids.push(queue(node, Channel::Sms, n, &phone_code(&format!("{i:06}")), None).await);
        }
        gw.wait_for(numbers.len()).await;
        for id in &ids {
            row_when(&a, id, |r| r.sent).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = gw.received();
        for n in &numbers {
            let times = got.iter().filter(|r| r.body.contains(&format!("\"{n}\""))).count();
            assert_eq!(times, 1, "{n} was sent {times} times");
        }
        assert_eq!(got.len(), numbers.len());
    }

    async fn a_message_queued_before_notices_were_sealed_is_delivered_as_stored(env: TestEnv) {
        let app = env.spawn_with(quick).await;
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query("INSERT INTO outbox (id, channel, recipient, subject, body, created_at) VALUES ($1, 'email', 'old@example.com', 'Welcome', $2, $3)")
            .bind(&id)
            .bind("Set your password: https://id.example.com/invite?token=old")
            .bind(unix_now())
            .execute(app.state.services.store.raw_pool())
            .await
            .unwrap();
        let m = app.nth_message_to("email", "old@example.com", 1).await;
        assert_eq!(m["subject"], "Welcome");
        assert_eq!(m["body"], "Set your password: https://id.example.com/invite?token=old");
        assert!(m.get("html").is_none() && m.get("kind").is_none(), "{m}");
        let r = row_when(&app, &id, |r| r.sent).await;
        assert!(r.body.is_empty());
    }

    async fn a_notice_that_cannot_be_unsealed_is_given_up_at_once(env: TestEnv) {
        let app = env.spawn_with(quick).await;
        let id = queue(&app, Channel::Email, "ann@example.com", &Notice::Invitation { email: "ann@example.com".into(), token: "t".into(), valid_days: 7 }, Some("another-row")).await;
        let r = row_when(&app, &id, |r| r.failed).await;
        assert_eq!(r.attempts, 1);
        assert!(r.last_error.as_deref().unwrap().contains("cannot be unsealed"), "{r:?}");
        assert!(!r.sealed && !r.sent);
        assert!(app.messages_to("email", "ann@example.com").is_empty());
        let text = metrics(&app).await;
        assert!(text.contains("portcullis_outbox_deliveries_total{channel=\"email\",outcome=\"failed\"} 1"), "{text}");
        // A good message after it still goes out.
        queue(&app, Channel::Email, "ann@example.com", &Notice::Invitation { email: "ann@example.com".into(), token: "good".into(), valid_days: 7 }, None).await;
        let m = app.nth_message_to("email", "ann@example.com", 1).await;
        assert!(m["body"].as_str().unwrap().contains("token=good"));
    }
}
