//! The real `portcullis` binary as an operator runs it: [`command`] starts it without any of the
//! developer's `PORTCULLIS_*` settings (what a developer exported would change what is tested),
//! [`Scratch`] and [`Install`] give it a fresh folder (with an owner), and [`Server`] is a real
//! `serve` on port 0, also several of them on one database (`cluster`, `crash`, `key_rotation`).
//!
//! Every wait is bounded by [`PATIENCE`]; a child still running when a test fails is killed.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, Command};

pub const OWNER: &str = "owner@example.com";
pub const AGENT: &str = "agent@support.example.com";
pub const PASSWORD: &str = "Correct-Horse-7";
pub const AGENT_PASSWORD: &str = "Desk-Secret-42!";
pub const PATIENCE: Duration = Duration::from_secs(30);
pub const BIN: &str = env!("CARGO_BIN_EXE_portcullis");

/// Settings a developer's shell may export; a child sees only those its test sets.
pub const INHERITED: [&str; 14] = [
    "PORTCULLIS_BIND",
    "PORTCULLIS_DATA",
    "PORTCULLIS_OPEN_REGISTRATION",
    "PORTCULLIS_PUBLIC_URL",
    "PORTCULLIS_LOG_FORMAT",
    "PORTCULLIS_MASTER_KEY",
    "PORTCULLIS_CONFIG",
    "DATABASE_URL",
    "RUST_LOG",
    "PORTCULLIS_URL",
    "PORTCULLIS_SERVICE_TOKEN",
    "PORTCULLIS_SERVICE_TOKEN_FILE",
    "TCPREMOTEIP",
    "AUTHORIZED",
];

pub fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    for var in INHERITED {
        cmd.env_remove(var);
    }
    // Any other setting a developer exported (delivery, policies) would change what is tested.
    for (var, _) in std::env::vars().filter(|(k, _)| k.starts_with("PORTCULLIS_")) {
        cmd.env_remove(var);
    }
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

#[derive(Debug)]
pub struct Exit {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Exit {
    #[track_caller]
    pub fn said(&self, needle: &str) -> &Exit {
        assert_eq!(self.code, Some(0), "{self:#?}");
        assert!(self.stdout.contains(needle), "{self:#?}");
        self
    }

    #[track_caller]
    pub fn refused(&self, message: &str) -> &Exit {
        assert_ne!(self.code, Some(0), "{self:#?}");
        assert!(self.stderr.contains(message), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        self
    }
}

pub async fn finish(mut cmd: Command, stdin: &[u8]) -> Exit {
    let mut child = cmd.spawn().expect("the program starts");
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin).await;
    drop(input);
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .expect("the program ends in time")
        .unwrap();
    Exit {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder for one test, removed when the test ends, also when it fails.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// `portcullis-WHAT-<random>` in the temporary folder.
    pub fn new(what: &str) -> Scratch {
        let name = format!("portcullis-{what}-{}", uuid::Uuid::new_v4().simple());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// A path inside the folder, as a string for the command line.
    pub fn join(&self, relative: &str) -> String {
        self.0.join(relative).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh data folder with an owner, removed when the test ends.
pub struct Install {
    pub root: PathBuf,
    pub data: String,
}

impl Install {
    pub async fn with_owner() -> Install {
        let root =
            std::env::temp_dir().join(format!("portcullis-cred-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&root).unwrap();
        let data = root.join("data").to_str().unwrap().to_owned();
        let install = Install { root, data };
        let owner = ["user", "create-owner", "--email", OWNER, "--password-stdin"];
        install
            .run(&owner, &format!("{PASSWORD}\n"))
            .await
            .said(OWNER);
        install
    }

    /// `portcullis ARGS --data DATA` with `stdin`.
    pub async fn run(&self, args: &[&str], stdin: &str) -> Exit {
        let args = [args, &["--data", &self.data]].concat();
        let mut cmd = command(BIN, &args);
        cmd.current_dir(&self.root);
        finish(cmd, stdin.as_bytes()).await
    }

    /// `portcullis service-token create --name NAME`: the token.
    pub async fn service_token(&self, name: &str) -> String {
        let exit = self
            .run(&["service-token", "create", "--name", name], "")
            .await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert_eq!(exit.stdout.lines().count(), 1, "the token alone: {exit:#?}");
        exit.stdout.trim().to_owned()
    }

    pub async fn serve(&self) -> Server {
        Server::start(Serve::new(&self.root, &self.data)).await
    }
}

/// How to start one `portcullis serve`: its data folder and, beside the defaults, the flags and
/// environment a test gives it. Several nodes may share one database (and then one master key).
#[derive(Clone, Debug)]
pub struct Serve {
    pub root: PathBuf,
    pub data: String,
    pub database_url: Option<String>,
    pub master_key: Option<String>,
    /// The address to bind; port 0 picks a free one (a restart may keep the one it had).
    pub bind: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Serve {
    pub fn new(root: &std::path::Path, data: &str) -> Serve {
        Serve {
            root: root.to_owned(),
            data: data.to_owned(),
            database_url: None,
            master_key: None,
            bind: "127.0.0.1:0".to_owned(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: &str) -> Serve {
        self.args.push(arg.to_owned());
        self
    }

    pub fn env(mut self, var: &str, value: &str) -> Serve {
        self.env.push((var.to_owned(), value.to_owned()));
        self
    }
}
impl Serve {
    /// Whether the node starts its RADIUS listener (`--radius-bind` or its variable).
    fn radius(&self) -> bool {
        self.args
            .iter()
            .any(|a| a == "--radius-bind" || a.starts_with("--radius-bind="))
            || self
                .env
                .iter()
                .any(|(var, _)| var == "PORTCULLIS_RADIUS_BIND")
    }
}

/// The line right after the HTTP one: `Portcullis RADIUS is listening on udp://IP:PORT`.
async fn radius_line(stdout: &mut Lines<BufReader<impl AsyncRead + Unpin>>) -> SocketAddr {
    let line = tokio::time::timeout(PATIENCE, stdout.next_line())
        .await
        .expect("serve announces its RADIUS listener")
        .unwrap()
        .unwrap_or_default();
    line.strip_prefix("Portcullis RADIUS is listening on udp://")
        .and_then(|addr| addr.trim().parse().ok())
        .unwrap_or_else(|| panic!("expected the RADIUS listener's line, got {line:?}"))
}

impl Drop for Install {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

pub async fn drain(mut lines: Lines<BufReader<impl AsyncRead + Unpin>>) {
    while let Ok(Some(_)) = lines.next_line().await {}
}

/// A running `portcullis serve`, killed when the test ends.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The RADIUS listener's address, when the node was started with `--radius-bind`.
    pub radius_addr: Option<SocketAddr>,
    pub spec: Serve,
    /// Every line the node writes to stderr (its logs), kept for the test to read.
    pub stderr: StderrLog,
    http: reqwest::Client,
}

impl Server {
    /// Starts `spec` and waits for it to announce its address.
    pub async fn start(spec: Serve) -> Server {
        let mut args: Vec<&str> = vec!["serve", "--bind", &spec.bind, "--data", &spec.data];
        if let Some(url) = &spec.database_url {
            args.extend(["--database-url", url]);
        }
        args.extend(spec.args.iter().map(String::as_str));
        let mut cmd = command(BIN, &args);
        cmd.current_dir(&spec.root).stdin(Stdio::null());
        if let Some(key) = &spec.master_key {
            cmd.env("PORTCULLIS_MASTER_KEY", key);
        }
        for (var, value) in &spec.env {
            cmd.env(var, value);
        }
        let mut child = cmd.spawn().expect("serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        // Read from the start: at trace level a node logs more than a pipe holds before it
        // listens, and would block on a full stderr that nobody reads.
        let stderr = StderrLog::keep(BufReader::new(child.stderr.take().unwrap()).lines());
        let first = tokio::time::timeout(PATIENCE, stdout.next_line())
            .await
            .expect("serve announces itself")
            .unwrap();
        let Some(first) = first else {
            let _ = tokio::time::timeout(PATIENCE, child.wait()).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            panic!(
                "serve exited before listening: {}",
                stderr.lines().join("\n")
            );
        };
        let addr = first
            .strip_prefix("Portcullis is listening on http://")
            .and_then(|rest| rest.split_once(' '))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .0
            .parse()
            .unwrap();
        let radius_addr = if spec.radius() {
            Some(radius_line(&mut stdout).await)
        } else {
            None
        };
        tokio::spawn(drain(stdout));
        Server {
            child,
            addr,
            radius_addr,
            spec,
            stderr,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(PATIENCE)
                .build()
                .unwrap(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("still running")
    }

    /// `kill -9`: no shutdown, no flush; whatever was not committed is gone.
    pub async fn kill9(mut self) -> Serve {
        self.child.start_kill().expect("SIGKILL sent");
        let _ = tokio::time::timeout(PATIENCE, self.child.wait()).await;
        self.spec.clone()
    }

    /// SIGTERM, as systemd or a rolling restart stops a node, and waits for it to finish its
    /// in-flight requests and exit; its exit status.
    pub async fn terminate(mut self) -> (Serve, std::process::ExitStatus) {
        let pid = self.pid().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("the node stops in time")
            .expect("exit status");
        (self.spec.clone(), status)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(bearer);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let r = req.send().await.expect("answered");
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn token(&self, email: &str, password: &str) -> String {
        let body = json!({ "username": email, "password": password });
        let (status, body) = self
            .call(reqwest::Method::POST, "/api/v1/login", "", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn app_auth(&self, service: &str, password: &str) -> StatusCode {
        let body = json!({ "username": OWNER, "password": password });
        self.call(
            reqwest::Method::POST,
            "/api/v1/app-auth",
            service,
            Some(body),
        )
        .await
        .0
    }
}

// ---- A node's stderr, kept (added for crash.rs, which checks that no node logs a panic or an
// ---- error, also one killed with `kill -9`) ----

/// The lines a node wrote to stderr, collected in the background until the node's stderr
/// closes. Clones share the lines, so a clone taken before [`Server::kill9`] still reads them.
#[derive(Clone, Default)]
pub struct StderrLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl StderrLog {
    fn keep(mut lines: Lines<BufReader<impl AsyncRead + Unpin + Send + 'static>>) -> StderrLog {
        let log = StderrLog::default();
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                kept.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        log
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
