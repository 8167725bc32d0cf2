//! Several nodes on one PostgreSQL database (issue 8): two and three real `portcullis serve`
//! processes sharing one database and one master key, as behind a load balancer.
//!
//! - Every single-use credential, fired at every node at the same moment, is accepted exactly
//!   once: a TOTP step, a recovery code, a login ticket, a push approval (and the session it
//!   issues), a password-reset link; and every node's outbox worker together delivers each
//!   queued message exactly once.
//! - Throttling counts across nodes: wrong passwords and codes spread over the nodes lock the
//!   account and kill the ticket after the same totals the rules define for one node.
//! - A rolling restart (SIGTERM, wait, start again, node by node) under a steady stream of
//!   requests loses none of them.
//!
//! In-process two-node checks live beside each feature (`api/totp.rs`, `api/push_api.rs`,
//! `api/delivery.rs`); here the nodes are separate processes. Without `PORTCULLIS_TEST_DATABASE_URL`
//! each test says it is skipped (a failure with `PORTCULLIS_REQUIRE_POSTGRES=1`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cluster_support::{Cluster, at_once, exactly_one, wrong_code};
use crate::harness::companion::{Device, code_of, detached};
use crate::harness::server::{self, Backend, PASSWORD};

/// Rounds of each race, each on a user of its own.
const ROUNDS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_accept_every_single_use_credential_once() {
    server::run(Backend::Postgres, |env| async move {
        let cluster = Cluster::start(&env, 2).await;
        single_use_everywhere(&cluster).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_accept_every_single_use_credential_once() {
    server::run(Backend::Postgres, |env| async move {
        let cluster = Cluster::start(&env, 3).await;
        single_use_everywhere(&cluster).await;
    })
    .await;
}

async fn single_use_everywhere(cluster: &Cluster) {
    let n = cluster.len();
    for round in 0..ROUNDS {
        let email = format!("round{round}@example.com");
        let token = cluster.signed_up(round, &email).await;
        let mut auth = cluster.activate_totp(round, &token).await;

        // One TOTP step, one recovery code: each node gets its own ticket and the same code.
        let code = auth.next_code();
        same_code_on_every_node(cluster, &email, "/api/v1/login/totp", &code).await;
        let recovery = auth.recovery_codes[0].clone();
        same_code_on_every_node(cluster, &email, "/api/v1/login/recovery", &recovery).await;
        let left = cluster.me(round + 1, &token).await["two_factor"]["recovery_codes_left"].clone();
        assert_eq!(left, 9, "the code burnt once");

        // One ticket: every node completes the same ticket with a different good recovery code;
        // the losers' codes stay usable (their transactions roll back).
        let ticket = cluster.ticket(round, &email).await;
        let answers = at_once(
            (0..n)
                .map(|i| {
                    let body =
                        json!({ "login_ticket": ticket, "code": auth.recovery_codes[1 + i] });
                    cluster.post(i, "/api/v1/login/recovery", None, body)
                })
                .collect(),
        )
        .await;
        exactly_one(
            &answers,
            StatusCode::OK,
            StatusCode::UNAUTHORIZED,
            "invalid_ticket",
        );
        let left = cluster.me(round, &token).await["two_factor"]["recovery_codes_left"].clone();
        assert_eq!(left, 8, "only the winner's code burnt");

        one_push_approval(cluster, round, &email, &token).await;
        one_password_reset(cluster, round, &email).await;
    }
    every_message_delivered_once(cluster).await;
}

/// A push challenge approved on every node at once is decided once, and its session is handed
/// out once, whichever nodes the login screen polls.
/// Every node gets a ticket of its own, then all of them submit the same `code` to `path` at
/// once: exactly one is accepted, the others are told the code is wrong.
async fn same_code_on_every_node(cluster: &Cluster, email: &str, path: &str, code: &str) {
    let n = cluster.len();
    let mut tickets = Vec::new();
    for i in 0..n {
        tickets.push(cluster.ticket(i, email).await);
    }
    let answers = at_once(
        (0..n)
            .map(|i| {
                let body = json!({ "login_ticket": tickets[i], "code": code });
                cluster.post(i, path, None, body)
            })
            .collect(),
    )
    .await;
    exactly_one(
        &answers,
        StatusCode::OK,
        StatusCode::UNAUTHORIZED,
        "invalid_code",
    );
}

async fn one_push_approval(cluster: &Cluster, round: usize, email: &str, token: &str) {
    let n = cluster.len();
    let (status, body) = cluster
        .call(cluster.post(
            round,
            "/api/v1/me/push-devices",
            Some(token),
            json!({ "name": "phone", "password": PASSWORD }),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut device = Device::new();
    let pair = json!({
        "code": code_of(body["pairing_uri"].as_str().unwrap()),
        "public_key": device.public_key(),
        "name": "Test phone",
    });
    let (status, body) = cluster
        .call(cluster.post(round + 1, "/api/v1/push/pair", None, pair))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    device.id = body["device_id"].as_str().unwrap().to_owned();

    let ticket = cluster.ticket(round, email).await;
    let (status, body) = cluster
        .call(cluster.post(
            round,
            "/api/v1/login/push",
            None,
            json!({ "login_ticket": ticket }),
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["challenge_id"].as_str().unwrap().to_owned();
    let number = body["number"].as_i64().unwrap();

    let device = Arc::new(device);
    let gate = Arc::new(tokio::sync::Barrier::new(n));
    let approvals: Vec<_> = (0..n)
        .map(|i| {
            let (device, gate, id) = (device.clone(), gate.clone(), id.clone());
            let node = detached(cluster.nodes[i].url(), cluster.http.clone());
            tokio::spawn(async move {
                gate.wait().await;
                let r = device.approve(&node, &id, number).await;
                (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for a in approvals {
        answers.push(a.await.unwrap());
    }
    exactly_one(
        &answers,
        StatusCode::OK,
        StatusCode::CONFLICT,
        "challenge_closed",
    );

    let path = format!("/api/v1/login/push/{id}?login_ticket={ticket}&wait=0");
    let answers = at_once(
        (0..n)
            .map(|i| cluster.request(i, Method::GET, &path, None, None))
            .collect(),
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == StatusCode::OK && b["status"] == "approved"),
        "{answers:?}"
    );
    let sessions: Vec<&str> = answers
        .iter()
        .filter_map(|(_, b)| b["token"].as_str())
        .collect();
    assert_eq!(
        sessions.len(),
        1,
        "one session for one approval: {answers:?}"
    );
    assert_eq!(cluster.me(round + 1, sessions[0]).await["email"], email);
}

/// A reset link used on every node at once sets one new password.
async fn one_password_reset(cluster: &Cluster, round: usize, email: &str) {
    let n = cluster.len();
    let (status, _) = cluster
        .call(cluster.post(
            round,
            "/api/v1/password-reset",
            None,
            json!({ "username": email }),
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = cluster.message(email, "password_reset").await;
    let body = mail["body"].as_str().unwrap();
    let start = body.find("/reset?token=").expect("a reset link") + "/reset?token=".len();
    let token: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    let passwords: Vec<String> = (0..n).map(|i| format!("Node-{i}-Reset-Pass!")).collect();
    let answers = at_once(
        (0..n)
            .map(|i| {
                let body = json!({ "token": token, "new_password": passwords[i] });
                cluster.post(i, "/api/v1/password-reset/complete", None, body)
            })
            .collect(),
    )
    .await;
    exactly_one(
        &answers,
        StatusCode::NO_CONTENT,
        StatusCode::BAD_REQUEST,
        "invalid_token",
    );
    let winner = answers
        .iter()
        .position(|(s, _)| *s == StatusCode::NO_CONTENT)
        .unwrap();
    let (status, body) = cluster.login(round + 1, email, &passwords[winner]).await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("second_factor")),
        "{body}"
    );
    let (status, _) = cluster.login(round, email, PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
}

/// Invitations queued on every node at once, on top of every notice the rounds queued: each
/// node's worker claims from the same outbox, and every message is written exactly once in all.
async fn every_message_delivered_once(cluster: &Cluster) {
    let n = cluster.len();
    let owner = cluster.signed_up(0, "owner@example.com").await;
    let invitees: Vec<String> = (0..24).map(|i| format!("invitee{i}@example.com")).collect();
    let answers = at_once(
        invitees
            .iter()
            .enumerate()
            .map(|(i, email)| {
                cluster.post(i, "/api/v1/users", Some(&owner), json!({ "email": email }))
            })
            .collect(),
    )
    .await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::CREATED),
        "{answers:?}"
    );

    let db = cluster.database().await;
    let deadline = std::time::Instant::now() + crate::cluster_support::PATIENCE;
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{pending} messages still queued"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sent: Vec<String> = sqlx::query_scalar("SELECT id FROM outbox WHERE sent_at IS NOT NULL")
        .fetch_all(&db)
        .await
        .unwrap();
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(failed, 0);

    let delivered = cluster.delivered();
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_node = vec![0; n];
    for (node, m) in &delivered {
        *times
            .entry(m["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
        by_node[*node] += 1;
    }
    let twice: Vec<_> = times.iter().filter(|(_, t)| **t > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let sent: BTreeSet<String> = sent.into_iter().collect();
    let written: BTreeSet<String> = times.into_keys().collect();
    assert_eq!(
        written, sent,
        "every sent message is one file, and only those"
    );
    for email in &invitees {
        let count = delivered
            .iter()
            .filter(|(_, m)| m["to"] == email.as_str())
            .count();
        assert_eq!(count, 1, "{email}");
    }
    eprintln!(
        "{} messages delivered once each; by node: {by_node:?}",
        sent.len()
    );
}

/// Wrong passwords and codes spread over three nodes count as on one: the account locks after
/// `account_max_failures` in all, a ticket dies after `ticket_max_failures`, and one fewer of
/// each still lets the right answer through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn throttling_counts_guesses_on_every_node_together() {
    server::run(Backend::Postgres, |env| async move {
        let cluster = Cluster::start(&env, 3).await;
        let n = cluster.len();
        let policy = portcullis_core::throttle::ThrottlePolicy::default();
        let ticket_max = portcullis_core::service::Settings::default().ticket_max_failures as usize;
        let account_max = policy.account_max_failures as usize;
        let wrong_logins = |email: &'static str, count: usize| {
            at_once(
                (0..count)
                    .map(|i| {
                        let body = json!({ "username": email, "password": "Wrong-Horse-7" });
                        cluster.post(i, "/api/v1/login", None, body)
                    })
                    .collect(),
            )
        };

        // Passwords: one short of the limit, spread and at once, then the right one passes
        // (and clears the count); the full limit locks the account on every node.
        cluster.signed_up(0, "pat@example.com").await;
        let answers = wrong_logins("pat@example.com", account_max - 1).await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::UNAUTHORIZED),
            "{answers:?}"
        );
        let (status, body) = cluster.login(1, "pat@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let answers = wrong_logins("pat@example.com", account_max).await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::UNAUTHORIZED),
            "{answers:?}"
        );
        for node in 0..n {
            let r = cluster
                .post(
                    node,
                    "/api/v1/login",
                    None,
                    json!({ "username": "pat@example.com", "password": PASSWORD }),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "node {node}");
            assert!(r.headers().contains_key("retry-after"));
        }

        // Codes: a ticket takes one short of its limit in wrong codes spread over the nodes,
        // and the right code still completes it.
        let token = cluster.signed_up(1, "tom@example.com").await;
        let mut auth = cluster.activate_totp(1, &token).await;
        let wrong_codes = |ticket: String, wrong: String, count: usize| {
            at_once(
                (0..count)
                    .map(|i| {
                        let body = json!({ "login_ticket": ticket, "code": wrong });
                        cluster.post(i, "/api/v1/login/totp", None, body)
                    })
                    .collect(),
            )
        };
        let ticket = cluster.ticket(0, "tom@example.com").await;
        let answers = wrong_codes(ticket.clone(), wrong_code(&auth.secret), ticket_max - 1).await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::UNAUTHORIZED),
            "{answers:?}"
        );
        let right = json!({ "login_ticket": ticket, "code": auth.next_code() });
        let (status, body) = cluster
            .call(cluster.post(2, "/api/v1/login/totp", None, right))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The full limit kills the ticket on every node; and wrong codes count towards the
        // account, whose lock follows after its own limit in all, whichever tickets they used.
        let mut counted = 0;
        while counted < account_max {
            let ticket = cluster.ticket(counted, "tom@example.com").await;
            let batch = ticket_max.min(account_max - counted);
            let answers = wrong_codes(ticket.clone(), wrong_code(&auth.secret), batch).await;
            assert!(
                answers
                    .iter()
                    .all(|(s, b)| *s == StatusCode::UNAUTHORIZED
                        && b["error"]["code"] == "invalid_code"),
                "{answers:?}"
            );
            counted += batch;
            if batch == ticket_max && counted < account_max {
                // A code the server would take, but not on this ticket.
                let right = json!({ "login_ticket": ticket, "code": auth.peek_code() });
                for node in 0..n {
                    let (status, body) = cluster
                        .call(cluster.post(node, "/api/v1/login/totp", None, right.clone()))
                        .await;
                    assert_eq!(
                        (status, body["error"]["code"].as_str()),
                        (StatusCode::UNAUTHORIZED, Some("invalid_ticket")),
                        "node {node}"
                    );
                }
            }
        }
        for node in 0..n {
            let (status, body) = cluster.login(node, "tom@example.com", PASSWORD).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "node {node}: {body}");
        }
    })
    .await;
}
