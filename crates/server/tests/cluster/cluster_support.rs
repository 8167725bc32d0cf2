//! Several real `portcullis serve` processes on one PostgreSQL database, as an operator runs them
//! behind a load balancer: each node has a data folder of its own (its outbox files land there)
//! and all share the database and one master key. Helpers speak the JSON API to a chosen node,
//! fire one request at every node at the same moment, and read every node's outbox folder.
//!
//! The processes come from `harness::cli` (`Serve`, `Server`); the database from
//! `harness::server::run`, which creates and drops it and skips or fails without PostgreSQL.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::totp::{self, TotpParams, TotpSecret};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::harness::cli::{self, Serve, Server};
use crate::harness::server::{PASSWORD, TestEnv};
pub use crate::harness::totp::current_step;

/// How long a test waits for something the nodes do in the background (delivery).
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Cluster {
    pub nodes: Vec<Server>,
    pub http: reqwest::Client,
    pub database_url: String,
    pub master_key: String,
    pub root: std::path::PathBuf,
}

/// One user with an authenticator: its secret, the last step used, its recovery codes.
pub struct Authenticator {
    pub secret: TotpSecret,
    pub last_step: i64,
    pub recovery_codes: Vec<String>,
}

impl Cluster {
    /// `count` nodes on the environment's PostgreSQL database with one fresh master key, open
    /// registration and a quick outbox poll. Each keeps its port across restarts.
    pub async fn start(env: &TestEnv, count: usize) -> Cluster {
        Cluster::start_with(env, count, &[]).await
    }

    /// As [`Cluster::start`], each node with the `serve` flags `extra` too.
    pub async fn start_with(env: &TestEnv, count: usize, extra: &[&str]) -> Cluster {
        let database_url = env
            .database_url
            .clone()
            .expect("a cluster runs on PostgreSQL");
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).unwrap();
        let master_key = STANDARD.encode(key);
        let mut nodes = Vec::new();
        for i in 0..count {
            let data = env.data.join(format!("node{i}"));
            let mut spec = Serve::new(&env.data, data.to_str().unwrap())
                .arg("--open-registration")
                .arg("--outbox-poll-ms")
                .arg("100");
            for arg in extra {
                spec = spec.arg(arg);
            }
            spec.database_url = Some(database_url.clone());
            spec.master_key = Some(master_key.clone());
            nodes.push(Cluster::boot(spec).await);
        }
        Cluster {
            nodes,
            http: client(),
            database_url,
            master_key,
            root: env.data.clone(),
        }
    }

    /// Starts `spec` and pins its port, so a restart listens where the balancer expects it.
    pub async fn boot(spec: Serve) -> Server {
        let mut server = Server::start(spec).await;
        server.spec.bind = server.addr.to_string();
        server
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn url(&self, node: usize, path: &str) -> String {
        format!("{}{path}", self.nodes[node % self.len()].url())
    }

    pub fn request(
        &self,
        node: usize,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> RequestBuilder {
        let mut req = self.http.request(method, self.url(node, path));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req
    }

    pub fn post(
        &self,
        node: usize,
        path: &str,
        bearer: Option<&str>,
        body: Value,
    ) -> RequestBuilder {
        self.request(node, Method::POST, path, bearer, Some(body))
    }

    pub async fn call(&self, req: RequestBuilder) -> (StatusCode, Value) {
        answer(req).await
    }

    /// Signs `email` up on `node` and logs in there; the bearer token.
    pub async fn signed_up(&self, node: usize, email: &str) -> String {
        let body = json!({ "email": email, "password": PASSWORD });
        let (status, body) = answer(self.post(node, "/api/v1/signup", None, body)).await;
        assert_eq!(status, StatusCode::CREATED, "signup of {email}: {body}");
        let (status, body) = self.login(node, email, PASSWORD).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("ok")),
            "{body}"
        );
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, node: usize, email: &str, password: &str) -> (StatusCode, Value) {
        let body = json!({ "username": email, "password": password });
        answer(self.post(node, "/api/v1/login", None, body)).await
    }

    /// The password step of a user with 2FA, on `node`: the login ticket.
    pub async fn ticket(&self, node: usize, email: &str) -> String {
        let (status, body) = self.login(node, email, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "second_factor", "{body}");
        body["login_ticket"].as_str().unwrap().to_owned()
    }

    /// Starts the authenticator on one node and activates it on the next with the current code.
    pub async fn activate_totp(&self, node: usize, token: &str) -> Authenticator {
        let (status, body) =
            answer(self.post(node, "/api/v1/me/totp", Some(token), json!({}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let secret = TotpSecret::from_bytes(
            totp::base32_decode(body["secret"].as_str().unwrap()).expect("a base32 secret"),
        );
        let step = current_step();
        let body = json!({ "password": PASSWORD, "code": code(&secret, step) });
        let (status, body) =
            answer(self.post(node + 1, "/api/v1/me/totp/activate", Some(token), body)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let recovery_codes = body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        Authenticator {
            secret,
            last_step: step,
            recovery_codes,
        }
    }

    /// `GET /api/v1/me` on `node`.
    pub async fn me(&self, node: usize, token: &str) -> Value {
        let (status, body) =
            answer(self.request(node, Method::GET, "/api/v1/me", Some(token), None)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A service token made by the operator's shell on the shared database.
    pub async fn service_token(&self, name: &str) -> String {
        self.operator(&["service-token", "create", "--name", name])
            .await
    }

    /// `portcullis radius-client add` for the contract of `email`, by the operator's shell on
    /// the shared database (127.0.0.1 only): the shared secret.
    pub async fn radius_client(&self, email: &str, name: &str, mode: &str) -> String {
        let args = [
            "radius-client",
            "add",
            "--contract-of",
            email,
            "--name",
            name,
            "--address",
            "127.0.0.1",
            "--mode",
            mode,
        ];
        self.operator(&args).await
    }

    /// A command of the operator's shell on the shared database; its standard output, trimmed.
    async fn operator(&self, command: &[&str]) -> String {
        let data = self.root.join("operator");
        let storage = [
            "--data",
            data.to_str().unwrap(),
            "--database-url",
            &self.database_url,
        ];
        let args = [command, &storage[..]].concat();
        let mut cmd = cli::command(cli::BIN, &args);
        cmd.current_dir(&self.root)
            .env("PORTCULLIS_MASTER_KEY", &self.master_key);
        let exit = cli::finish(cmd, b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        exit.stdout.trim().to_owned()
    }

    /// Every message the nodes' file transports wrote, with the node that wrote it.
    pub fn delivered(&self) -> Vec<(usize, Value)> {
        let mut found = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            for channel in ["email", "sms"] {
                let dir = std::path::Path::new(&node.spec.data)
                    .join("outbox")
                    .join(channel);
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.filter_map(|e| e.ok()) {
                    if entry.path().extension().is_some_and(|x| x == "json")
                        && let Ok(bytes) = std::fs::read(entry.path())
                    {
                        found.push((i, serde_json::from_slice(&bytes).expect("a message file")));
                    }
                }
            }
        }
        found
    }

    /// Waits until some node has delivered a message of `kind` to `to`, and returns it.
    pub async fn message(&self, to: &str, kind: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some((_, m)) = self
                .delivered()
                .into_iter()
                .find(|(_, m)| m["to"] == to && m["kind"] == kind)
            {
                return m;
            }
            assert!(Instant::now() < deadline, "no {kind} message to {to}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The shared database, for what only it can tell (the outbox's state).
    pub async fn database(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.database_url)
            .await
            .expect("the test database answers")
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Sends `req` and reads its status and JSON body (null when there is none).
pub async fn answer(req: RequestBuilder) -> (StatusCode, Value) {
    let r = req.send().await.expect("answered");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Sends every request at the same moment (each from its own task, released together), and
/// returns the answers in the order of `requests`.
pub async fn at_once(requests: Vec<RequestBuilder>) -> Vec<(StatusCode, Value)> {
    let gate = Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.wait().await;
                answer(req).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request task"));
    }
    answers
}

/// How many answers had `status`, by error code (or `"-"` for answers without one).
pub fn tally(answers: &[(StatusCode, Value)]) -> BTreeMap<(u16, String), usize> {
    let mut counts = BTreeMap::new();
    for (status, body) in answers {
        let code = body["error"]["code"].as_str().unwrap_or("-").to_owned();
        *counts.entry((status.as_u16(), code)).or_default() += 1;
    }
    counts
}

/// Asserts that exactly one answer is `winner` and every other one is `loser` with `code`.
#[track_caller]
pub fn exactly_one(
    answers: &[(StatusCode, Value)],
    winner: StatusCode,
    loser: StatusCode,
    code: &str,
) {
    let mut expected = BTreeMap::new();
    expected.insert((winner.as_u16(), "-".to_owned()), 1);
    if answers.len() > 1 {
        expected.insert((loser.as_u16(), code.to_owned()), answers.len() - 1);
    }
    assert_eq!(tally(answers), expected, "{answers:?}");
}

pub fn code(secret: &TotpSecret, step: i64) -> String {
    totp::code_at(secret, &TotpParams::default(), step)
}

/// A well-formed code that no step the server accepts now (or a second from now) would give.
pub fn wrong_code(secret: &TotpSecret) -> String {
    let step = current_step();
    let near: Vec<String> = (step - 2..=step + 2).map(|s| code(secret, s)).collect();
    (0..1_000_000)
        .map(|n| format!("{:06}", (n * 7919 + 123_457) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

impl Authenticator {
    /// A code of a step after the last one used, inside the window the server accepts now; it
    /// becomes the last one used.
    pub fn next_code(&mut self) -> String {
        self.last_step = current_step().max(self.last_step + 1);
        code(&self.secret, self.last_step)
    }

    /// The code `next_code` would give now, without using it.
    pub fn peek_code(&self) -> String {
        code(&self.secret, current_step().max(self.last_step + 1))
    }
}
