//! The black-box harness: the real server on 127.0.0.1:0 with its own data folder and, on
//! PostgreSQL, its own freshly created database, dropped when the test ends. One helper per
//! endpoint keeps the tests readable as sentences. [`TestApp::start`] is the one place that
//! builds and runs an in-process server: the browser harness and the companion app's tests start
//! theirs through it too. This file must stay free of the other harness modules but [`outbox`]
//! and of binaries, as the companion app's tests include it by path.
//!
//! [`outbox`]: super::outbox
//!
//! PostgreSQL runs when `PORTCULLIS_TEST_DATABASE_URL` points at a server (any database on it;
//! each test creates and drops its own). Without it the PostgreSQL variant says it is skipped,
//! unless `PORTCULLIS_REQUIRE_POSTGRES=1` (as in CI), which turns the skip into a failure.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use portcullis_server::Server;
use portcullis_server::config::{Config, ServeArgs};
use portcullis_server::state::AppState;
use portcullis_store::testing::with_database_on;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::outbox;

pub const PASSWORD: &str = "Correct-Horse-7";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's world: a data folder and, on PostgreSQL, a database of its own.
pub struct TestEnv {
    pub backend: Backend,
    pub data: PathBuf,
    pub database_url: Option<String>,
}

/// Runs `scenario` against a fresh environment on `backend`, then removes the environment, also
/// when the scenario panics.
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(TestEnv) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store_backend = match backend {
        Backend::Sqlite => portcullis_store::Backend::Sqlite,
        Backend::Postgres => portcullis_store::Backend::Postgres,
    };
    with_database_on(store_backend, move |url, folder, _| {
        let database_url = (backend == Backend::Postgres).then_some(url);
        scenario(TestEnv {
            backend,
            data: folder,
            database_url,
        })
    })
    .await
}

impl TestEnv {
    /// A server with open registration.
    pub async fn spawn(&self) -> TestApp {
        self.spawn_with(|a| a.open_registration = Some(true)).await
    }

    /// A server whose settings `adjust` changes first; several servers may share one environment,
    /// like nodes behind a load balancer.
    pub async fn spawn_with(&self, adjust: impl FnOnce(&mut ServeArgs)) -> TestApp {
        let mut args = ServeArgs {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            data: Some(self.data.clone()),
            database_url: self.database_url.clone(),
            ..Default::default()
        };
        adjust(&mut args);
        TestApp::start(args).await
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub setup_link: Option<String>,
    /// The RADIUS listener's address, when `radius_bind` was set.
    pub radius: Option<SocketAddr>,
    /// The data folder; without a transport configured, messages land in `outbox/<channel>/`.
    pub data: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Builds the server `args` describe and runs it in this process until [`TestApp::shutdown`]
    /// or until the `TestApp` is dropped (dropping the stop signal stops it too).
    pub async fn start(args: ServeArgs) -> TestApp {
        TestApp::start_prepared(args, |server| async move { server }).await
    }

    /// [`TestApp::start`], with `prepare` given the built server before it serves: for what only
    /// the shell can make (an owner, a service token) or a clock the test moves.
    pub async fn start_prepared<F, Fut>(args: ServeArgs, prepare: F) -> TestApp
    where
        F: FnOnce(Server) -> Fut,
        Fut: Future<Output = Server>,
    {
        let data = args.data.clone().expect("a data folder");
        let config = Config::resolve(args, None).expect("valid test config");
        let server = Server::build(config).await.expect("server starts");
        let addr = server.local_addr();
        let setup_link = server.setup_link().map(str::to_owned);
        let radius = server.radius_addr();
        let server = prepare(server).await;
        let state = server.state().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .user_agent("portcullis-tests")
                .build()
                .unwrap(),
            state,
            setup_link,
            radius,
            data,
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every message the file transport has written for `to` on `channel` (`email` or `sms`),
    /// oldest first: `{"channel","to","subject"?,"body","created_at"}`.
    pub fn messages_to(&self, channel: &str, to: &str) -> Vec<Value> {
        outbox::messages_to(&self.data, channel, to)
    }

    /// Waits (up to 15 s) until the outbox worker has delivered the `n`th message (1-based) for
    /// `to` on `channel`, and returns it.
    pub async fn nth_message_to(&self, channel: &str, to: &str, n: usize) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.messages_to(channel, to);
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no message #{n} on {channel} to {to} after 15 s (have {})",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the newest message to `to` on `channel` that `matches`, and returns it.
    pub async fn message_to(
        &self,
        channel: &str,
        to: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(m) = self
                .messages_to(channel, to)
                .into_iter()
                .rev()
                .find(|m| matches(m))
            {
                return m;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no matching message on {channel} to {to} after 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server gracefully and waits until it has closed its database.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server ran cleanly");
        }
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request sent")
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request sent")
    }

    pub async fn signup(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/signup",
            &json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/login",
            &json!({ "username": username, "password": password }),
            None,
        )
        .await
    }

    /// Signs up (if needed) and logs in; returns the bearer token.
    pub async fn signed_in(&self, email: &str) -> String {
        let r = self.signup(email, PASSWORD).await;
        assert!(
            r.status() == StatusCode::CREATED || r.status() == StatusCode::CONFLICT,
            "signup: {}",
            r.status()
        );
        self.token_for(email, PASSWORD).await
    }

    pub async fn token_for(&self, email: &str, password: &str) -> String {
        let r = self.login(email, password).await;
        assert_eq!(r.status(), StatusCode::OK, "login should succeed");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        body["token"].as_str().expect("a token").to_owned()
    }

    pub async fn me(&self, token: &str) -> Response {
        self.get("/api/v1/me", Some(token)).await
    }

    pub async fn sessions(&self, token: &str) -> Value {
        let r = self.get("/api/v1/me/sessions", Some(token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    pub async fn change_password(&self, token: &str, old: &str, new: &str) -> Response {
        self.post_json(
            "/api/v1/me/password",
            &json!({ "old_password": old, "new_password": new }),
            Some(token),
        )
        .await
    }

    pub async fn audit(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/me/audit{query}"), Some(token))
            .await
    }

    pub async fn audit_types(&self, token: &str) -> Vec<String> {
        let body: Value = self.audit(token, "").await.json().await.unwrap();
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Reads an error answer and checks its shape: `{"error":{"code","message"}}`.
pub async fn error_code(r: Response) -> (StatusCode, String) {
    let status = r.status();
    let body: Value = r.json().await.expect("an error body in JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error.message missing"
    );
    (status, code)
}

/// Declares each scenario twice: on SQLite and on PostgreSQL.
#[allow(unused_macros)] // The binaries that run processes start their own.
macro_rules! on_both_backends {
    ($(async fn $name:ident($env:ident: TestEnv) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn scenario($env: $crate::harness::server::TestEnv) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                $crate::harness::server::run($crate::harness::server::Backend::Sqlite, scenario).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                $crate::harness::server::run($crate::harness::server::Backend::Postgres, scenario).await
            }
        }
    )*};
}
