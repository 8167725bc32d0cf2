//! A rolling restart loses no request. A client plays the load balancer: it sends a steady
//! stream (password logins, `/me` with the sessions they give, TOTP checks through
//! `/api/v1/validate`) round-robin over three nodes while the test stops each node with SIGTERM,
//! waits for it to exit, and starts it again on the same port. As a real balancer does, a
//! connection refused before anything was sent goes to the next node; a request that was sent
//! and not answered, or answered 5xx or otherwise wrongly, fails the test.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cluster_support::{Authenticator, Cluster, current_step, wrong_code};
use crate::harness::server::{self, Backend, PASSWORD};

/// Round-robin over fixed addresses, as an nginx `upstream` block.
struct Balancer {
    nodes: Vec<SocketAddr>,
    next: AtomicUsize,
    http: reqwest::Client,
    /// Requests answered, by any node.
    answered: AtomicUsize,
    /// Connections refused (nothing sent), each tried again on the next node.
    refused: AtomicUsize,
}

impl Balancer {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.nodes.len();
        for attempt in 0..n * 100 {
            let addr = self.nodes[(first + attempt) % n];
            let mut req = self
                .http
                .request(method.clone(), format!("http://{addr}{path}"));
            if let Some(token) = bearer {
                req = req.bearer_auth(token);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            match req.send().await {
                Ok(r) => {
                    let status = r.status();
                    let bytes = r
                        .bytes()
                        .await
                        .map_err(|e| format!("{method} {path} on {addr}: body cut off: {e:?}"))?;
                    self.answered.fetch_add(1, Ordering::Relaxed);
                    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    if status.is_server_error() {
                        return Err(format!("{method} {path} on {addr}: {status} {body}"));
                    }
                    return Ok((status, body));
                }
                Err(e) if e.is_connect() => {
                    self.refused.fetch_add(1, Ordering::Relaxed);
                    if attempt % n == n - 1 {
                        // Every node refused: wait a moment, as a balancer's retry would.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                Err(e) => {
                    return Err(format!(
                        "{method} {path} on {addr}: sent, not answered: {e:?}"
                    ));
                }
            }
        }
        Err(format!("{method} {path}: no node took the connection"))
    }
}

/// Password logins, each followed by `/me` with the new session (on the next node).
async fn sign_ins(
    lb: Arc<Balancer>,
    users: Vec<String>,
    stop: Arc<AtomicBool>,
) -> Result<usize, String> {
    let mut sent = 0;
    for email in users.iter().cycle() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let login = json!({ "username": email, "password": PASSWORD });
        let (status, body) = lb
            .send(Method::POST, "/api/v1/login", None, Some(&login))
            .await?;
        if status != StatusCode::OK || body["status"] != "ok" {
            return Err(format!("login of {email}: {status} {body}"));
        }
        let token = body["token"].as_str().unwrap_or_default();
        let (status, body) = lb
            .send(Method::GET, "/api/v1/me", Some(token), None)
            .await?;
        if status != StatusCode::OK || body["email"] != email.as_str() {
            return Err(format!("/me of {email}: {status} {body}"));
        }
        sent += 2;
    }
    Ok(sent)
}

/// `/me` with one session, as fast as the nodes answer: the cheap requests that keep idle
/// keep-alive connections busy when a node stops.
async fn reads(
    lb: Arc<Balancer>,
    token: String,
    email: String,
    stop: Arc<AtomicBool>,
) -> Result<usize, String> {
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) {
        let (status, body) = lb
            .send(Method::GET, "/api/v1/me", Some(&token), None)
            .await?;
        if status != StatusCode::OK || body["email"] != email.as_str() {
            return Err(format!("/me of {email}: {status} {body}"));
        }
        sent += 1;
    }
    Ok(sent)
}

/// A gateway checking codes: each user's code once per TOTP step (accepted), and a few wrong
/// ones between (refused; fewer than lock the account, since each success clears the count).
async fn code_checks(
    lb: Arc<Balancer>,
    service: String,
    mut users: Vec<(String, Authenticator)>,
    wrong_per_step: usize,
    stop: Arc<AtomicBool>,
) -> Result<usize, String> {
    let mut wrong_since = vec![0; users.len()];
    let mut sent = 0;
    let mut turn = 0;
    while !stop.load(Ordering::Relaxed) {
        let u = turn % users.len();
        turn += 1;
        let (email, auth) = &mut users[u];
        let (code, good) = if current_step() > auth.last_step {
            (auth.next_code(), true)
        } else if wrong_since[u] < wrong_per_step {
            (wrong_code(&auth.secret), false)
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let check = json!({ "username": email, "code": code });
        let (status, body) = lb
            .send(
                Method::POST,
                "/api/v1/validate",
                Some(&service),
                Some(&check),
            )
            .await?;
        if status != StatusCode::OK || body["ok"] != good {
            return Err(format!(
                "validate for {email} (good: {good}): {status} {body}"
            ));
        }
        wrong_since[u] = if good { 0 } else { wrong_since[u] + 1 };
        sent += 1;
    }
    Ok(sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_of_three_nodes_loses_no_request() {
    server::run(Backend::Postgres, |env| async move {
        let mut cluster = Cluster::start(&env, 3).await;
        let users: Vec<String> = (0..3).map(|i| format!("steady{i}@example.com")).collect();
        let mut sessions = Vec::new();
        for (i, email) in users.iter().enumerate() {
            sessions.push(cluster.signed_up(i, email).await);
        }
        let mut gated = Vec::new();
        for i in 0..3 {
            let email = format!("gated{i}@example.com");
            let token = cluster.signed_up(i, &email).await;
            gated.push((email, cluster.activate_totp(i, &token).await));
        }
        let service = cluster.service_token("vpn").await;
        let limit = portcullis_core::throttle::ThrottlePolicy::default().account_max_failures;
        let addrs: Vec<SocketAddr> = cluster.nodes.iter().map(|s| s.addr).collect();
        let lb = Arc::new(Balancer {
            nodes: addrs.clone(),
            next: AtomicUsize::new(0),
            // As docs/deployment.md asks of a balancer: idle connections end before the
            // nodes' drain does, so none is closed under a request.
            http: reqwest::Client::builder()
                .no_proxy()
                .pool_idle_timeout(portcullis_server::DRAIN_GRACE / 2)
                .build()
                .unwrap(),
            answered: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..2 {
            let mine: Vec<String> = users.iter().skip(w).cloned().collect();
            workers.push(tokio::spawn(sign_ins(lb.clone(), mine, stop.clone())));
        }
        for w in 0..4 {
            let i = w % users.len();
            let (token, email) = (sessions[i].clone(), users[i].clone());
            workers.push(tokio::spawn(reads(lb.clone(), token, email, stop.clone())));
        }
        let wrong_per_step = (limit / 2) as usize;
        workers.push(tokio::spawn(code_checks(lb.clone(), service, gated, wrong_per_step, stop.clone())));

        tokio::time::sleep(Duration::from_millis(800)).await;
        let mut during = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            let before = lb.answered.load(Ordering::Relaxed);
            let node = cluster.nodes.remove(i);
            let (spec, status) = node.terminate().await;
            assert!(status.success(), "node {i} after SIGTERM: {status}");
            let node = Cluster::boot(spec).await;
            assert_eq!(node.addr, *addr, "node {i} is back where the balancer sends");
            cluster.nodes.insert(i, node);
            tokio::time::sleep(Duration::from_millis(800)).await;
            during.push(lb.answered.load(Ordering::Relaxed) - before);
        }
        stop.store(true, Ordering::Relaxed);
        let mut sent = Vec::new();
        for w in workers {
            match w.await.expect("a worker") {
                Ok(count) => sent.push(count),
                Err(lost) => panic!("a request was lost in the rolling restart: {lost}"),
            }
        }
        let refused = lb.refused.load(Ordering::Relaxed);
        eprintln!(
            "rolling restart: {} requests answered ({sent:?} by worker; {during:?} while each node restarted), {refused} refused connections sent elsewhere",
            lb.answered.load(Ordering::Relaxed)
        );
        assert!(sent.iter().all(|c| *c > 0), "every kind of request ran: {sent:?}");
        assert!(during.iter().all(|c| *c > 0), "requests flowed during each restart: {during:?}");
        assert!(refused > 0, "the balancer met a stopped node at least once");
    })
    .await;
}
