//! The outbox through the compiled `portcullis` binary (SQLite): what `serve` says about where
//! messages go, a message that survives `kill -9` between its commit and its delivery, and
//! `portcullis outbox list|show` reading what the file transport wrote. Each test runs in a fresh
//! folder with none of the developer's `PORTCULLIS_*` settings; every wait is bounded.

#![cfg(unix)]

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use crate::harness::cli::{BIN, Scratch, command};
use crate::harness::outbox;

const PASSWORD: &str = "Correct-Horse-7";
const PATIENCE: Duration = Duration::from_secs(30);

/// `portcullis ARGS` in `cwd` with `envs` and no other `PORTCULLIS_*` setting, input closed.
fn portcullis(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut cmd = command(BIN, args);
    cmd.envs(envs.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null());
    cmd
}

struct Exit {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a command that is not a server to its end.
async fn run(cwd: &Path, args: &[&str]) -> Exit {
    let out = tokio::time::timeout(PATIENCE, portcullis(cwd, args, &[]).output())
        .await
        .unwrap_or_else(|_| panic!("{args:?} did not exit within {PATIENCE:?}"))
        .unwrap();
    Exit {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Everything a child writes to one pipe, line by line, as it comes.
struct Lines {
    rx: mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn read(pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static) -> Lines {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    async fn until(&mut self, needle: &str) -> String {
        loop {
            let line = tokio::time::timeout(PATIENCE, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("no {needle:?} within {PATIENCE:?}: {:#?}", self.seen))
                .unwrap_or_else(|| panic!("output ended without {needle:?}: {:#?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// What was written so far, waiting briefly for lines still in the pipe.
    async fn so_far(&mut self) -> String {
        while let Ok(Some(line)) =
            tokio::time::timeout(Duration::from_millis(200), self.rx.recv()).await
        {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

struct Server {
    child: Child,
    base: String,
    stdout: Lines,
    stderr: Lines,
    http: reqwest::Client,
}

impl Server {
    async fn start(cwd: &Path, args: &[&str]) -> Server {
        let args = [
            &["serve", "--bind", "127.0.0.1:0", "--outbox-poll-ms", "50"],
            args,
        ]
        .concat();
        let mut child = portcullis(cwd, &args, &[("RUST_LOG", "info,sqlx=warn")])
            .spawn()
            .unwrap();
        let mut stdout = Lines::read(child.stdout.take().unwrap());
        let stderr = Lines::read(child.stderr.take().unwrap());
        let first = stdout.until("Portcullis is listening on http://").await;
        let addr = first
            .strip_prefix("Portcullis is listening on http://")
            .and_then(|rest| rest.split_once(' '))
            .map(|(addr, _)| addr.to_owned())
            .unwrap();
        Server {
            child,
            base: format!("http://{addr}"),
            stdout,
            stderr,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(PATIENCE)
                .build()
                .unwrap(),
        }
    }

    async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
        let mut r = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// The owner of a new contract invites `email`; the invitation is queued.
    async fn invite(&self, email: &str) {
        let owner = json!({ "email": "owner@example.com", "password": PASSWORD });
        assert_eq!(
            self.post("/api/v1/signup", &owner, None).await.status(),
            StatusCode::CREATED
        );
        let login = json!({ "username": "owner@example.com", "password": PASSWORD });
        let body: Value = self
            .post("/api/v1/login", &login, None)
            .await
            .json()
            .await
            .unwrap();
        let token = body["token"].as_str().unwrap();
        let r = self
            .post("/api/v1/users", &json!({ "email": email }), Some(token))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }

    /// SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill.
    async fn kill_9(&mut self) {
        self.child.start_kill().unwrap();
        tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .unwrap()
            .unwrap();
    }

    async fn stop(&mut self) {
        let pid = self.child.id().unwrap().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status}");
    }
}

/// A port nothing listens on: bound, then let go.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `(attempts, claimed, last_error, sent)` of the message to `to`, read straight from the file.
async fn outbox_row(data: &str, to: &str) -> Option<(i64, bool, Option<String>, bool)> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{data}/portcullis.db?mode=ro");
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let row = sqlx::query(
        "SELECT attempts, claimed_by, last_error, sent_at FROM outbox WHERE recipient = $1",
    )
    .bind(to)
    .fetch_optional(&mut conn)
    .await
    .unwrap()?;
    Some((
        row.get("attempts"),
        row.get::<Option<String>, _>("claimed_by").is_some(),
        row.get("last_error"),
        row.get::<Option<i64>, _>("sent_at").is_some(),
    ))
}

/// The message files in `DATA/outbox/email`, waiting (up to 20 s) for at least one.
async fn email_files(data: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = outbox::messages(Path::new(data), "email");
        if !found.is_empty() {
            return found;
        }
        assert!(Instant::now() < deadline, "no email file after 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_message_committed_before_kill_9_is_delivered_after_the_restart_and_read_with_outbox_show()
 {
    let scratch = Scratch::new("outbox");
    let data = scratch.join("data");
    let port = closed_port().to_string();
    let smtp = [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-security",
        "none",
        "--smtp-from",
        "Acme <noreply@example.com>",
    ];
    let args = [
        &[
            "--data",
            &data,
            "--open-registration",
            "--outbox-retry-base-secs",
            "2",
        ][..],
        &smtp,
    ]
    .concat();
    let mut first = Server::start(&scratch.0, &args).await;
    let said = first.stdout.until("Email: ").await;
    assert_eq!(
        said,
        format!("Email: SMTP 127.0.0.1:{port} (none), from noreply@example.com")
    );
    let sms = first.stdout.until("SMS: ").await;
    assert_eq!(
        sms,
        format!(
            "SMS: no SMS gateway configured; written to {data}/outbox/sms/ (read with `portcullis outbox list --data {data}`)"
        )
    );

    first.invite("new@example.com").await;
    // The attempt failed (nothing listens) and was recorded; the message waits for its retry.
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some((attempts, claimed, Some(error), sent)) =
            outbox_row(&data, "new@example.com").await
        {
            assert!(attempts >= 1 && !sent, "{error}");
            if !claimed {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the first attempt was never recorded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill_9().await;
    let first_logs = first.stderr.so_far().await;
    assert!(
        first_logs.contains("delivery failed; will retry"),
        "{first_logs}"
    );
    assert!(
        !Path::new(&data).join("outbox/email").exists()
            || std::fs::read_dir(Path::new(&data).join("outbox/email"))
                .unwrap()
                .next()
                .is_none()
    );

    // Restarted without SMTP: the message that waited in the database is written out.
    let mut second = Server::start(&scratch.0, &["--data", &data]).await;
    let said = second.stdout.until("Email: ").await;
    assert_eq!(
        said,
        format!(
            "Email: no SMTP configured; written to {data}/outbox/email/ (read with `portcullis outbox list --data {data}`)"
        )
    );
    let files = email_files(&data).await;
    assert_eq!(files.len(), 1);
    let m = &files[0];
    assert_eq!(m["to"], "new@example.com");
    let body = m["body"].as_str().unwrap();
    // Rendered at delivery: the link is on the server that delivered it.
    let prefix = format!("{}/invite?token=", second.base);
    let token = body
        .split(&prefix)
        .nth(1)
        .expect("a link to the second server")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let page = second
        .http
        .get(format!("{prefix}{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (_, _, error, sent) = outbox_row(&data, "new@example.com").await.unwrap();
    assert!(sent && error.is_none());
    second.stop().await;
    let logs = format!("{first_logs}\n{}", second.stderr.so_far().await);
    assert!(logs.contains("message delivered"), "{logs}");
    assert!(!logs.contains(&token), "the link never reaches a log");

    // The operator reads it with the CLI.
    let id = m["id"].as_str().unwrap();
    let list = run(&scratch.0, &["outbox", "list", "--data", &data]).await;
    assert!(list.status.success(), "{}", list.stderr);
    let row = list
        .stdout
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("{}", list.stdout));
    assert!(
        row.contains("email")
            && row.contains("new@example.com")
            && row.contains("You are invited to Portcullis"),
        "{row}"
    );
    let json_list = run(
        &scratch.0,
        &[
            "outbox",
            "list",
            "--json",
            "--channel",
            "email",
            "--data",
            &data,
        ],
    )
    .await;
    let lines: Vec<Value> = json_list
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, vec![m.clone()]);
    let sms = run(
        &scratch.0,
        &["outbox", "list", "--channel", "sms", "--data", &data],
    )
    .await;
    assert!(
        sms.status.success() && sms.stdout.starts_with("No messages in"),
        "{}",
        sms.stdout
    );
    let show = run(&scratch.0, &["outbox", "show", &id[..8], "--data", &data]).await;
    assert!(show.status.success(), "{}", show.stderr);
    assert!(
        show.stdout.contains(&format!("Id:      {id}")),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("To:      new@example.com"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("Subject: You are invited to Portcullis"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains(&format!("{prefix}{token}")),
        "{}",
        show.stdout
    );
    let unknown = run(
        &scratch.0,
        &["outbox", "show", "no-such-id", "--data", &data],
    )
    .await;
    assert!(!unknown.status.success());
    assert!(
        unknown.stderr.contains("no message no-such-id"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test]
async fn outbox_list_without_messages_says_so_and_creates_nothing() {
    let scratch = Scratch::new("outbox");
    let data = scratch.join("never-served");
    let list = run(&scratch.0, &["outbox", "list", "--data", &data]).await;
    assert!(list.status.success(), "{}", list.stderr);
    assert_eq!(list.stdout.trim(), format!("No messages in {data}/outbox"));
    assert!(!Path::new(&data).exists(), "reading creates no data folder");
}

#[tokio::test]
async fn serve_refuses_smtp_without_a_from_address_and_names_the_setting() {
    let scratch = Scratch::new("outbox");
    let args = [
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--data",
        &scratch.join("d"),
        "--smtp-host",
        "mail.example.com",
    ];
    let exit = run(&scratch.0, &args).await;
    assert!(!exit.status.success());
    assert!(
        exit.stderr.contains("smtp_from is required"),
        "{}",
        exit.stderr
    );
    assert!(!exit.stdout.contains("listening"), "{}", exit.stdout);
}
