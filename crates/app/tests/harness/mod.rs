//! The companion app's black-box harness: a real Portcullis server in this process on
//! 127.0.0.1:0 (a fresh data folder and, on PostgreSQL, a fresh database per test), and the real
//! `portcullis-app` binary run as a child process with a state file of its own.
//!
//! The server part is the server's own test harness, included by path ([`server`], with the
//! [`outbox`] and [`totp`] it reads): the same start on both backends, the same "skipped" and
//! `PORTCULLIS_REQUIRE_POSTGRES=1` rules. This module only adds what the app's tests need on
//! top: a server that looks like a browser to the server, sign-in and push steps, and the app
//! binary with its state files. It must not start a server any other way.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "../../../server/tests/harness/outbox.rs"]
pub mod outbox;
#[macro_use]
#[path = "../../../server/tests/harness/server.rs"]
pub mod server;
#[path = "../../../server/tests/harness/totp.rs"]
pub mod totp;

pub use server::{Backend, PASSWORD, TestEnv, run};

pub const PASSPHRASE: &str = "correct horse battery staple";

impl TestEnv {
    pub async fn server(&self) -> TestServer {
        self.server_with(|_| {}).await
    }

    /// A server (several may share the environment, like nodes behind a load balancer). Its data
    /// folder is `data/` inside the environment's folder; the apps' state files lie beside it.
    pub async fn server_with(&self, adjust: impl FnOnce(&mut ServeArgs)) -> TestServer {
        let data = self.data.join("data");
        let mut app = self
            .spawn_with(|a| {
                a.data = Some(data);
                a.open_registration = Some(true);
                adjust(a);
            })
            .await;
        // The app shows the browser of a sign-in request; this one is a Firefox.
        app.client = reqwest::Client::builder()
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
            .build()
            .unwrap();
        TestServer { app }
    }

    /// A fresh companion app with a state file of its own.
    pub fn app(&self, name: &str) -> App {
        App {
            state: self.data.join(format!("{name}.state")),
            passphrase: PASSPHRASE.into(),
        }
    }
}

/// A running server; everything of [`server::TestApp`] (`base`, `client`, `state`, `get`,
/// `post_json`, …) and the steps the app's tests take.
pub struct TestServer {
    app: server::TestApp,
}

impl std::ops::Deref for TestServer {
    type Target = server::TestApp;

    fn deref(&self) -> &server::TestApp {
        &self.app
    }
}

impl TestServer {
    pub async fn shutdown(self) {
        self.app.shutdown().await;
    }

    /// Signs up and returns a session token (no 2FA yet).
    pub async fn signed_in(&self, email: &str) -> String {
        let r = self.signup(email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::CREATED, "signup");
        self.token_for(email, PASSWORD).await
    }

    pub async fn login(&self, email: &str) -> Value {
        let r = self.app.login(email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "login");
        r.json().await.unwrap()
    }

    /// A pairing URI for a new device of the signed-in person.
    pub async fn pairing_uri(&self, token: &str, name: &str) -> String {
        let r = self
            .post_json(
                "/api/v1/me/push-devices",
                &json!({ "name": name, "password": PASSWORD }),
                Some(token),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "pairing");
        let body: Value = r.json().await.unwrap();
        body["pairing_uri"].as_str().unwrap().to_owned()
    }

    /// `methods` of `/api/v1/me`'s `two_factor`.
    pub async fn methods(&self, token: &str) -> Vec<String> {
        let me: Value = self
            .get("/api/v1/me", Some(token))
            .await
            .json()
            .await
            .unwrap();
        me["two_factor"]["methods"]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    }

    /// Password step, then a push request: (ticket, challenge id, number).
    pub async fn start_push_login(&self, email: &str) -> (String, String, u32) {
        let body = self.login(email).await;
        assert_eq!(body["status"], "second_factor", "{body}");
        assert!(
            body["methods"].as_array().unwrap().contains(&json!("push")),
            "{body}"
        );
        let ticket = body["login_ticket"].as_str().unwrap().to_owned();
        let r = self
            .post_json(
                "/api/v1/login/push",
                &json!({ "login_ticket": ticket }),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "push request");
        let c: Value = r.json().await.unwrap();
        let number = c["number"].as_u64().unwrap() as u32;
        assert!((10..=99).contains(&number));
        (
            ticket,
            c["challenge_id"].as_str().unwrap().to_owned(),
            number,
        )
    }

    /// A pending request of an earlier sign-in, `secs_ago` old, left beside the current one
    /// (as one from before requests ended each other would be): password step only, then the
    /// challenge written directly. Returns (ticket, challenge id).
    pub async fn older_pending_request(
        &self,
        email: &str,
        number: i64,
        secs_ago: i64,
    ) -> (String, String) {
        use portcullis_core::store::{LoginTickets, PushStore, Store, Transaction};
        let body = self.login(email).await;
        let ticket = body["login_ticket"].as_str().unwrap().to_owned();
        let store = &self.state.services.store;
        let mut tx = store.begin().await.unwrap();
        let digest = portcullis_core::secret::Token::from_client(&ticket).digest();
        let t = tx.ticket_by_digest(&digest).await.unwrap().unwrap();
        let at = portcullis_core::UnixTime(totp::unix_now() - secs_ago);
        let c = portcullis_core::store::PushChallenge {
            id: portcullis_core::model::PushChallengeId(format!(
                "older-{}-{number}",
                t.id.as_str()
            )),
            user_id: t.user_id.clone(),
            ticket_id: t.id.clone(),
            number,
            status: portcullis_core::push::ChallengeStatus::Pending,
            created_at: at,
            expires_at: at.plus_secs(120),
            last_sent_at: at,
            decided_at: None,
            decided_by: None,
            ip: Some("192.0.2.7".into()),
            user_agent: None,
            token_issued_at: None,
            via: None,
        };
        tx.insert_push_challenge(&c).await.unwrap();
        tx.commit().await.unwrap();
        (ticket, c.id.0)
    }

    /// A RADIUS client `office-vpn` in mode `push` in the contract of `email`, and an
    /// Access-Request with the right password from 198.51.100.9, driven through the service and
    /// the wake-up as the listener drives them: a push request `via` the client. Returns
    /// (client, challenge id).
    pub async fn radius_push_request(
        &self,
        email: &str,
    ) -> (portcullis_core::radius::RadiusClient, String) {
        use portcullis_core::service::radius::{NewRadiusClient, RadiusOutcome, RadiusRequest};
        let services = &self.state.services;
        let (admin, _) = services.operator_session(email).await.unwrap();
        let new = NewRadiusClient {
            name: "office-vpn".into(),
            address: "10.0.0.0/8".into(),
            mode: portcullis_core::radius::RadiusMode::Push,
            push_timeout_secs: None,
        };
        let (client, _) = services
            .add_radius_client(
                &admin,
                &new,
                portcullis_core::service::Reveal::InAnswer,
                &radius_meta(),
            )
            .await
            .unwrap();
        let password = portcullis_core::password::Password::new(PASSWORD);
        let meta = radius_meta();
        let request = RadiusRequest {
            username: email,
            password: &password,
            state: None,
            meta: &meta,
        };
        let sent = match services
            .radius_access(&client, request)
            .await
            .unwrap()
            .outcome
        {
            RadiusOutcome::Push(started) => started.sent,
            other => panic!("a push was expected, not {other:?}"),
        };
        // What the listener does next: wake this node's long-polls (on SQLite nothing else
        // would; PostgreSQL's NOTIFY wakes every node anyway).
        for id in &sent.superseded {
            self.state.push.wake(id.as_str());
        }
        self.state.push.wake(&format!("user:{}", sent.user_id));
        (client, sent.challenge_id.0)
    }

    /// Whether the RADIUS client would now be told Access-Accept for the request (`None`: still
    /// waiting; `Some(false)`: a refusal).
    pub async fn radius_accepted(
        &self,
        client: &portcullis_core::radius::RadiusClient,
        challenge: &str,
    ) -> Option<bool> {
        use portcullis_core::service::radius::RadiusOutcome;
        let id = portcullis_core::model::PushChallengeId(challenge.to_owned());
        let answer = self
            .state
            .services
            .radius_push_outcome(client, &id, &radius_meta())
            .await
            .unwrap();
        answer.map(|a| matches!(a.outcome, RadiusOutcome::Accept))
    }

    /// The login screen's long-poll.
    pub async fn poll(&self, challenge: &str, ticket: &str, wait: u64) -> Value {
        let r = self
            .get(
                &format!("/api/v1/login/push/{challenge}?login_ticket={ticket}&wait={wait}"),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "poll");
        r.json().await.unwrap()
    }
}

/// The person's side of a RADIUS request, as the gateway reports it (`Calling-Station-Id`).
fn radius_meta() -> portcullis_core::model::RequestMeta {
    portcullis_core::model::RequestMeta {
        ip: Some("198.51.100.9".into()),
        user_agent: None,
    }
}

/// The real `portcullis-app` binary with one state file.
pub struct App {
    pub state: PathBuf,
    pub passphrase: String,
}

impl App {
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_portcullis-app"));
        c.arg("--state")
            .arg(&self.state)
            .args(args)
            .env_remove("PORTCULLIS_APP_STATE")
            .env("PORTCULLIS_APP_PASSPHRASE", &self.passphrase)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }

    pub async fn run(&self, args: &[&str]) -> Ran {
        let out = self.command(args).output().await.expect("the app runs");
        Ran::from(out)
    }

    /// Starts a command that will wait (approve, deny), to answer a request made afterwards.
    pub fn spawn(&self, args: &[&str]) -> tokio::task::JoinHandle<Ran> {
        let mut c = self.command(args);
        tokio::spawn(async move { Ran::from(c.output().await.expect("the app runs")) })
    }

    pub fn state_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.state).expect("a state file")
    }

    pub fn state_path(&self) -> &Path {
        &self.state
    }
}

/// Reads the app's output, a piece up to each `:` (prompts end with one), until `needle` has
/// appeared (at most 20 s); returns all read.
pub async fn read_until(out: &mut (impl tokio::io::AsyncBufRead + Unpin), needle: &str) -> String {
    use tokio::io::AsyncBufReadExt;
    let mut text = String::new();
    let read = async {
        let mut chunk = Vec::new();
        while !text.contains(needle) {
            chunk.clear();
            if out.read_until(b':', &mut chunk).await.unwrap() == 0 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let finished = tokio::time::timeout(std::time::Duration::from_secs(20), read).await;
    assert!(
        finished.is_ok() && text.contains(needle),
        "no {needle:?} in {text:?}"
    );
    text
}

#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Ran {
    fn from(o: Output) -> Ran {
        Ran {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Ran {
    #[track_caller]
    pub fn ok(&self) -> &Ran {
        assert_eq!(self.code, 0, "the app failed: {self:?}");
        self
    }
}
