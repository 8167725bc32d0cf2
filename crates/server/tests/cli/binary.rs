//! Black-box tests of the compiled `portcullis` binary: what an operator sees when running it.
//! Each test starts the real executable in a fresh folder of its own, on port 0, with none of the
//! developer's `PORTCULLIS_*` settings, and stops it with SIGTERM as systemd or `docker stop`
//! would. The HTTP API itself is tested in the `api` tests; these tests own the command line, the
//! configuration sources, the data folder and the process lifecycle.
//!
//! Every wait is bounded by [`PATIENCE`]; a child still running when a test fails is killed.

#![cfg(unix)]

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use crate::harness::cli::{BIN, Scratch, command};
use crate::harness::totp;

const PASSWORD: &str = "Correct-Horse-7";
/// A valid master key: the 32 bytes 0, 1, ..., 31.
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// The longest any one wait may take: a start, a request, a line of output, an exit.
const PATIENCE: Duration = Duration::from_secs(30);
const SERVE: [&str; 3] = ["serve", "--bind", "127.0.0.1:0"];

/// `portcullis ARGS` in `cwd` with `envs` and no other `PORTCULLIS_*` setting, input closed.
fn portcullis(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut cmd = command(BIN, args);
    cmd.envs(envs.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null());
    cmd
}

/// Sends SIGTERM, as systemd or `docker stop` would.
fn terminate(child: &Child) {
    let pid = child.id().expect("still running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(kill.success());
}

fn mode(path: impl AsRef<Path>) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// How a process ended and everything it wrote.
struct Exit {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a command that is not a server to its end, with `stdin` as its input.
async fn run(cwd: &Path, args: &[&str], envs: &[(&str, &str)], stdin: &str) -> Exit {
    let mut cmd = portcullis(cwd, args, envs);
    let mut child = cmd
        .stdin(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().unwrap();
    // A process that fails before reading its input closes the pipe; that is not our failure.
    let _ = input.write_all(stdin.as_bytes()).await;
    drop(input);
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{args:?} did not exit within {PATIENCE:?}"))
        .unwrap();
    Exit {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The lines a child writes to one pipe, read as they come.
struct Lines {
    rx: mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn read(pipe: impl AsyncRead + Unpin + Send + 'static) -> Lines {
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

    /// The next line, or `None` when the pipe is closed.
    async fn next(&mut self) -> Option<String> {
        let line = tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no output within {PATIENCE:?} after {:#?}", self.seen))?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Waits for a line containing every one of `needles`.
    async fn until(&mut self, needles: &[&str]) -> String {
        while let Some(line) = self.next().await {
            if needles.iter().all(|n| line.contains(n)) {
                return line;
            }
        }
        panic!(
            "output ended without a line containing {needles:?}: {:#?}",
            self.seen
        )
    }

    /// Everything written, up to the end of the stream.
    async fn all(&mut self) -> String {
        while self.next().await.is_some() {}
        self.seen.join("\n")
    }
}

/// A running `portcullis serve`, killed if the test ends without stopping it.
struct Server {
    child: Child,
    addr: SocketAddr,
    public_url: String,
    stdout: Lines,
    stderr: Lines,
    http: reqwest::Client,
}

impl Server {
    /// Starts `portcullis serve --bind 127.0.0.1:0 ARGS` and waits until it answers.
    async fn start(cwd: &Path, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let args = [&SERVE[..], args].concat();
        let mut child = portcullis(cwd, &args, envs)
            .spawn()
            .expect("the binary starts");
        let mut stdout = Lines::read(child.stdout.take().unwrap());
        let mut stderr = Lines::read(child.stderr.take().unwrap());
        let Some(first) = stdout.next().await else {
            panic!("serve exited before listening:\n{}", stderr.all().await);
        };
        let (addr, public_url) = first
            .strip_prefix("Portcullis is listening on http://")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|rest| rest.split_once(" (public URL "))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let server = Server {
            addr: addr.parse().expect("a socket address"),
            public_url: public_url.to_owned(),
            child,
            stdout,
            stderr,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(PATIENCE)
                .build()
                .unwrap(),
        };
        let alive = server.get("/healthz").await;
        assert_eq!(alive.status(), StatusCode::OK);
        assert_eq!(alive.text().await.unwrap(), "ok");
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("answered")
    }

    async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        let request = self.http.post(self.url(path)).json(body);
        request.send().await.expect("answered")
    }

    async fn signup(&self, email: &str, password: &str) -> reqwest::Response {
        let body = json!({ "email": email, "password": password });
        self.post("/api/v1/signup", &body).await
    }

    async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let body = json!({ "username": username, "password": password });
        self.post("/api/v1/login", &body).await
    }

    fn terminate(&self) {
        terminate(&self.child);
    }

    /// Waits for the process to end; its output includes the lines already read.
    async fn exit(&mut self) -> Exit {
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("serve did not exit within {PATIENCE:?}"))
            .unwrap();
        Exit {
            status,
            stdout: self.stdout.all().await,
            stderr: self.stderr.all().await,
        }
    }

    /// SIGTERM, then the exit, which must be a clean one.
    async fn stop(&mut self) -> Exit {
        self.terminate();
        let exit = self.exit().await;
        assert!(exit.status.success(), "{}\n{}", exit.status, exit.stderr);
        assert_eq!(exit.stdout.lines().last(), Some("Portcullis stopped."));
        exit
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[tokio::test]
async fn serve_without_data_creates_a_private_data_folder_and_stops_cleanly_on_sigterm() {
    let scratch = Scratch::new("bin");
    let mut server = Server::start(scratch.path(), &[], &[]).await;
    assert_eq!(server.public_url, format!("http://{}", server.addr));

    let data = scratch.path().join("portcullis-data");
    assert!(data.join("portcullis.db").is_file());
    assert!(data.join("outbox").is_dir());
    assert_eq!(mode(&data), 0o700, "only the server's user may enter");
    assert_eq!(
        mode(data.join("master.key")),
        0o600,
        "only the server's user may read"
    );
    assert_eq!(server.get("/readyz").await.status(), StatusCode::OK);

    // Registration is closed and nobody has an account: the only way in is a one-time link.
    let line = server.stdout.until(&["/setup?token="]).await;
    let prefix = format!("http://{}/setup?token=", server.addr);
    let (_, token) = line.split_once(&prefix).expect("a link to this server");
    assert_eq!(token.len(), 43, "32 random bytes, base64url: {token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );

    server.stop().await;
}

#[tokio::test]
async fn restarting_on_the_same_folder_reuses_the_master_key() {
    let scratch = Scratch::new("bin");
    let key_file = scratch.path().join("portcullis-data/master.key");
    Server::start(scratch.path(), &[], &[]).await.stop().await;
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim_end().len(), 44, "32 bytes in base64");

    Server::start(scratch.path(), &[], &[]).await.stop().await;
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    assert_eq!(mode(&key_file), 0o600);
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_before_the_process_exits() {
    let scratch = Scratch::new("bin");
    let tracing = [("RUST_LOG", "info,sqlx=warn,tower_http=debug")];
    let mut server = Server::start(scratch.path(), &["--open-registration"], &tracing).await;

    // Send the head and half the body, so the request is surely in flight when SIGTERM arrives;
    // the rest follows only once the server has begun shutting down.
    let body = json!({ "email": "late@example.com", "password": PASSWORD }).to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut conn = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/signup HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        body.len()
    );
    conn.write_all(format!("{head}{first_half}").as_bytes())
        .await
        .unwrap();
    let started = ["started processing request", "/api/v1/signup"];
    server.stderr.until(&started).await;
    server.terminate();
    server.stderr.until(&["shutting down"]).await;
    conn.write_all(second_half.as_bytes()).await.unwrap();

    let mut response = String::new();
    tokio::time::timeout(PATIENCE, conn.read_to_string(&mut response))
        .await
        .expect("the response comes within 30 s")
        .expect("the connection is closed after the response, not reset");
    assert!(response.starts_with("HTTP/1.1 201 "), "{response}");
    assert!(response.contains("\"user_id\""), "{response}");
    let exit = server.exit().await;
    assert!(exit.status.success(), "{}\n{}", exit.status, exit.stderr);
    assert!(exit.stdout.ends_with("Portcullis stopped."));

    // The account was committed before the database closed.
    let server = Server::start(scratch.path(), &[], &[]).await;
    let login = server.login("late@example.com", PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_environment_overrides_the_config_file_and_chooses_the_data_folder() {
    let scratch = Scratch::new("bin");
    let config = scratch.join("portcullis.toml");
    let file = "open_registration = false\npublic_url = \"https://file.example\"\n";
    std::fs::write(&config, file).unwrap();
    let data = scratch.join("env-data");
    let envs = [
        ("PORTCULLIS_OPEN_REGISTRATION", "true"),
        ("PORTCULLIS_DATA", data.as_str()),
    ];
    let mut server = Server::start(scratch.path(), &["--config", &config], &envs).await;
    assert_eq!(server.public_url, "https://file.example", "from the file");
    let signup = server.signup("env@example.com", PASSWORD).await;
    assert_eq!(
        signup.status(),
        StatusCode::CREATED,
        "open by the environment"
    );

    let exit = server.stop().await;
    assert!(!exit.stdout.contains("setup?token="), "{}", exit.stdout);
    assert!(Path::new(&data).join("portcullis.db").is_file());
    assert!(Path::new(&data).join("master.key").is_file());
    assert!(!scratch.path().join("portcullis-data").exists());
}

#[tokio::test]
async fn a_flag_beats_the_environment_which_beats_the_config_file() {
    let scratch = Scratch::new("bin");
    let config = scratch.join("portcullis.toml");
    std::fs::write(&config, "public_url = \"https://file.example\"\n").unwrap();
    let env = [("PORTCULLIS_PUBLIC_URL", "https://env.example")];

    let mut server = Server::start(scratch.path(), &["--config", &config], &env).await;
    assert_eq!(server.public_url, "https://env.example");
    // Links are built on the public URL, not on the address bound.
    let line = server.stdout.until(&["/setup?token="]).await;
    assert!(line.contains(" https://env.example/setup?token="), "{line}");
    server.stop().await;

    let flag = ["--config", &config, "--public-url", "https://flag.example"];
    let mut server = Server::start(scratch.path(), &flag, &env).await;
    assert_eq!(server.public_url, "https://flag.example");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_key_in_the_config_file_stops_serve_with_a_message_naming_the_file() {
    let scratch = Scratch::new("bin");
    let config = scratch.join("portcullis.toml");
    std::fs::write(&config, "open_registraton = true\n").unwrap();
    let args = [&SERVE[..], &["--config", &config]].concat();

    let exit = run(scratch.path(), &args, &[], "").await;
    assert!(!exit.status.success());
    assert!(exit.stderr.contains(&config), "{}", exit.stderr);
    assert!(exit.stderr.contains("open_registraton"), "{}", exit.stderr);
    assert!(!exit.stdout.contains("listening"), "{}", exit.stdout);
    assert!(!scratch.path().join("portcullis-data").exists());
}

#[tokio::test]
async fn create_owner_takes_the_password_from_stdin_and_the_owner_can_log_in() {
    let scratch = Scratch::new("bin");
    let data = scratch.join("data");
    let create = [
        "user",
        "create-owner",
        "--email",
        "owner@example.com",
        "--password-stdin",
        "--data",
        &data,
    ];
    let exit = run(scratch.path(), &create, &[], &format!("{PASSWORD}\n")).await;
    assert!(exit.status.success(), "{}", exit.stderr);
    assert!(exit.stdout.contains("Created owner owner@example.com"));
    assert!(!exit.stdout.contains(PASSWORD) && !exit.stderr.contains(PASSWORD));

    let mut server = Server::start(scratch.path(), &["--data", &data], &[]).await;
    let login = server.login("owner@example.com", PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["token"].as_str().is_some_and(|t| !t.is_empty()));

    let exit = server.stop().await;
    assert!(!exit.stdout.contains("setup?token="), "an account exists");
}

#[tokio::test]
async fn create_owner_refuses_a_weak_password_and_creates_no_account() {
    let scratch = Scratch::new("bin");
    let data = scratch.join("data");
    let create = [
        "user",
        "create-owner",
        "--email",
        "owner@example.com",
        "--password-stdin",
        "--data",
        &data,
    ];
    let exit = run(scratch.path(), &create, &[], "Short1!\n").await;
    assert!(!exit.status.success());
    let rule = "The password must be at least 8 characters long.";
    assert!(exit.stderr.contains(rule), "{}", exit.stderr);
    assert!(!exit.stdout.contains("Created owner"));

    let mut server = Server::start(scratch.path(), &["--data", &data], &[]).await;
    let login = server.login("owner@example.com", "Short1!").await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let exit = server.stop().await;
    assert!(exit.stdout.contains("setup?token="), "still no account");
}

#[tokio::test]
async fn a_master_key_from_the_environment_replaces_the_key_file() {
    let scratch = Scratch::new("bin");
    let key = [("PORTCULLIS_MASTER_KEY", MASTER_KEY)];
    let mut server = Server::start(scratch.path(), &[], &key).await;
    assert_eq!(server.get("/readyz").await.status(), StatusCode::OK);
    let exit = server.stop().await;

    let data = scratch.path().join("portcullis-data");
    assert!(data.join("portcullis.db").is_file());
    assert!(!data.join("master.key").exists());
    assert!(!exit.stdout.contains(MASTER_KEY) && !exit.stderr.contains(MASTER_KEY));
}

#[tokio::test]
async fn an_invalid_master_key_in_the_environment_stops_serve_with_a_clear_message() {
    let scratch = Scratch::new("bin");
    let cases = [
        ("not-a-key!", "the master key is not valid base64"),
        (
            "AAECAwQFBgcICQoLDA0ODw==",
            "the master key must be 32 bytes",
        ),
    ];
    for (value, message) in cases {
        let exit = run(
            scratch.path(),
            &SERVE,
            &[("PORTCULLIS_MASTER_KEY", value)],
            "",
        )
        .await;
        assert!(!exit.status.success(), "{value}");
        assert!(exit.stderr.contains(message), "{value}: {}", exit.stderr);
        assert!(!exit.stderr.contains(value), "the key is never echoed");
        assert!(!exit.stdout.contains("listening"), "{}", exit.stdout);
        assert!(!scratch.path().join("portcullis-data/master.key").exists());
    }
}

#[tokio::test]
async fn json_log_format_writes_every_stderr_line_as_a_json_object() {
    let scratch = Scratch::new("bin");
    let mut server = Server::start(scratch.path(), &["--log-format", "json"], &[]).await;
    let exit = server.stop().await;

    let events: Vec<Value> = exit
        .stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(events.iter().all(Value::is_object));
    let shutdown = events
        .iter()
        .find(|e| e["fields"]["message"] == "shutting down: finishing in-flight requests")
        .unwrap_or_else(|| panic!("no shutdown event in {events:#?}"));
    assert_eq!(shutdown["level"], "INFO");
}

#[tokio::test]
async fn sigterm_right_after_the_listening_line_still_stops_cleanly() {
    let scratch = Scratch::new("bin");
    for _ in 0..5 {
        let mut child = portcullis(scratch.path(), &SERVE, &[]).spawn().unwrap();
        let mut stdout = Lines::read(child.stdout.take().unwrap());
        let mut stderr = Lines::read(child.stderr.take().unwrap());
        let first = stdout.next().await.expect("a first line");
        assert!(first.starts_with("Portcullis is listening on "), "{first}");
        terminate(&child);
        let status = tokio::time::timeout(PATIENCE, child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status}: {}", stderr.all().await);
        assert!(stdout.all().await.ends_with("Portcullis stopped."));
    }
}

#[tokio::test]
async fn text_logs_written_to_a_pipe_carry_no_terminal_colour_codes() {
    let scratch = Scratch::new("bin");
    let mut server = Server::start(scratch.path(), &[], &[]).await;
    let exit = server.stop().await;
    assert!(exit.stderr.contains("applied migration"), "{}", exit.stderr);
    assert!(!exit.stderr.contains('\u{1b}'), "{:?}", exit.stderr);
}

/// Principle 2: no secret in any log line, at any level. The whole 2FA flow runs with
/// `RUST_LOG=trace`, then every password, token, ticket, key and code is looked for in the output.
#[tokio::test]
async fn no_secret_reaches_the_logs_even_at_trace_level() {
    let scratch = Scratch::new("bin");
    let mut server = Server::start(
        scratch.path(),
        &["--open-registration"],
        &[("RUST_LOG", "trace")],
    )
    .await;
    let password = "Correct-Horse-7";
    assert_eq!(
        server.signup("trace@example.com", password).await.status(),
        StatusCode::CREATED
    );
    let login: Value = server
        .login("trace@example.com", password)
        .await
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let authed = |path: &str, body: Value| {
        server
            .http
            .post(server.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let start: Value = authed("/api/v1/me/totp", json!({}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret_b32 = start["secret"].as_str().unwrap().to_owned();
    let step = totp::current_step();
    let first_code = totp::code_at_step(&secret_b32, step);
    let activated: Value = authed(
        "/api/v1/me/totp/activate",
        json!({ "password": password, "code": first_code }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let codes: Vec<String> = activated["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let second: Value = server
        .login("trace@example.com", password)
        .await
        .json()
        .await
        .unwrap();
    let ticket = second["login_ticket"].as_str().unwrap().to_owned();
    let next_code = totp::code_at_step(&secret_b32, step + 1);
    let done: Value = server
        .post(
            "/api/v1/login/totp",
            &json!({ "login_ticket": ticket, "code": next_code }),
        )
        .await
        .json()
        .await
        .unwrap();
    let second_token = done["token"].as_str().unwrap().to_owned();
    let third: Value = server
        .login("trace@example.com", password)
        .await
        .json()
        .await
        .unwrap();
    let third_ticket = third["login_ticket"].as_str().unwrap().to_owned();
    let r = server
        .post(
            "/api/v1/login/recovery",
            &json!({ "login_ticket": third_ticket, "code": codes[0] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // A push login: the pairing code travels in a body, the login ticket in a query string
    // (`GET /login/push/{id}?login_ticket=…`), the device's signature in headers.
    let (pairing_code, push_ticket, push_token, signature) =
        push_login_for_trace(&server, &second_token, password).await;
    let exit = server.stop().await;

    let logs = format!("{}\n{}", exit.stdout, exit.stderr);
    assert!(
        logs.lines().count() > 50 && logs.contains("TRACE"),
        "trace logging was on"
    );
    let mut secrets = vec![
        password.to_owned(),
        token,
        second_token,
        ticket,
        third_ticket,
        secret_b32,
        first_code,
        next_code,
    ];
    secrets.extend(codes.iter().cloned());
    secrets.extend(codes.iter().map(|c| c.replace('-', "")));
    secrets.extend([pairing_code, push_ticket, push_token, signature]);
    for s in &secrets {
        assert!(
            !logs.contains(s.as_str()),
            "a secret ({} characters) appears in the logs",
            s.len()
        );
    }
}

/// Pairs a device as the holder of `token`, then signs in with push approval; returns the
/// pairing code, the login ticket, the session token and one device signature.
async fn push_login_for_trace(
    server: &Server,
    token: &str,
    password: &str,
) -> (String, String, String, String) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::{Digest, Sha256};

    let pairing: Value = server
        .http
        .post(server.url("/api/v1/me/push-devices"))
        .bearer_auth(token)
        .json(&json!({ "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uri = pairing["pairing_uri"].as_str().unwrap();
    let code = uri
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .unwrap()
        .to_owned();
    let key = SigningKey::from_bytes(&[42u8; 32]);
    let paired: Value = server
        .post(
            "/api/v1/push/pair",
            &json!({
                "code": code,
                "public_key": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
                "name": "trace phone",
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let device = paired["device_id"].as_str().unwrap().to_owned();
    let login: Value = server
        .login("trace@example.com", password)
        .await
        .json()
        .await
        .unwrap();
    let ticket = login["login_ticket"].as_str().unwrap().to_owned();
    let sent: Value = server
        .post("/api/v1/login/push", &json!({ "login_ticket": ticket }))
        .await
        .json()
        .await
        .unwrap();
    let id = sent["challenge_id"].as_str().unwrap().to_owned();
    let poll = |wait: u32| {
        server
            .http
            .get(server.url(&format!(
                "/api/v1/login/push/{id}?login_ticket={ticket}&wait={wait}"
            )))
            .send()
    };
    assert_eq!(poll(0).await.unwrap().status(), StatusCode::OK);
    let path = format!("/api/v1/push/device/challenges/{id}");
    let body = json!({ "decision": "approve", "number": sent["number"] }).to_string();
    let ts = totp::unix_now().to_string();
    let nonce = URL_SAFE_NO_PAD.encode([7u8; 16]);
    let hash: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let message = format!("portcullis-device-v1\nPOST\n{path}\n{ts}\n{nonce}\n{hash}");
    let signature = URL_SAFE_NO_PAD.encode(key.sign(message.as_bytes()).to_bytes());
    let r = server
        .http
        .post(server.url(&path))
        .header("X-Portcullis-Device", &device)
        .header("X-Portcullis-Timestamp", ts)
        .header("X-Portcullis-Nonce", nonce)
        .header("X-Portcullis-Signature", &signature)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = poll(5).await.unwrap().json().await.unwrap();
    assert_eq!(done["status"], "approved");
    let session = done["token"].as_str().unwrap().to_owned();
    (code, ticket, session, signature)
}

#[tokio::test]
async fn the_outbox_hint_at_start_up_names_the_data_folder_and_config_file_that_were_used() {
    let scratch = Scratch::new("bin");
    let mut server = Server::start(scratch.path(), &[], &[]).await;
    let line = server.stdout.until(&["Email: no SMTP configured"]).await;
    assert!(
        line.ends_with("(read with `portcullis outbox list`)"),
        "the default folder needs no flag: {line}"
    );
    server.stop().await;

    let config = scratch.join("portcullis.toml");
    std::fs::write(&config, "public_url = \"https://file.example\"\n").unwrap();
    let data = scratch.join("elsewhere");
    let flags = ["--config", &config, "--data", &data];
    let mut server = Server::start(scratch.path(), &flags, &[]).await;
    let line = server.stdout.until(&["Email: no SMTP configured"]).await;
    let command = format!("portcullis outbox list --config {config} --data {data}");
    assert!(
        line.ends_with(&format!("(read with `{command}`)")),
        "{line}"
    );
    let sms = server
        .stdout
        .until(&["SMS: no SMS gateway configured"])
        .await;
    assert!(sms.ends_with(&format!("(read with `{command}`)")), "{sms}");
    server.stop().await;

    // Pasted into the same shell, the command reads that folder.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let listed = run(scratch.path(), &args, &[], "").await;
    assert!(listed.status.success(), "{}", listed.stderr);
    assert_eq!(
        listed.stdout.trim(),
        format!("No messages in {data}/outbox"),
        "{}",
        listed.stdout
    );
}
