//! What `radius` drives: a RADIUS site (one owner's install, RADIUS clients made with
//! `portcullis radius-client add`, then `serve --radius-bind 127.0.0.1:0`; people with an
//! authenticator app enrolled through the API) and the outside RADIUS clients that talk to it,
//! none of them ours: FreeRADIUS's `radclient` and `radtest`, pyrad
//! (`tests/radius/pyrad_client.py` with the dictionary beside it), and the real `portcullis-app`
//! as the phone. `oathtool` computes the codes.
//!
//! Without one of them the tests say SKIPPED, unless `PORTCULLIS_REQUIRE_TOOLS=1` (CI).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::browser::{find_program, totp_code};
use crate::harness::cli::*;

fn required() -> bool {
    std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1")
}

fn skip(test: &str, what: &str) -> bool {
    assert!(!required(), "{what} and PORTCULLIS_REQUIRE_TOOLS=1");
    println!("SKIPPED {test}: {what}");
    false
}

/// Whether radclient, radtest, pyrad and oathtool are installed; says SKIPPED when not.
pub fn tools_available(test: &str) -> bool {
    for (tool, package) in [
        ("radclient", "freeradius-utils"),
        ("radtest", "freeradius-utils"),
        ("oathtool", "oathtool"),
    ] {
        if find_program(tool, &format!("/usr/bin/{tool}")).is_none() {
            return skip(
                test,
                &format!("{tool} not found (apt-get install {package})"),
            );
        }
    }
    let pyrad = std::process::Command::new("python3")
        .args(["-c", "import pyrad.packet"])
        .output();
    if !pyrad.is_ok_and(|o| o.status.success()) {
        return skip(
            test,
            "python3 with pyrad not found (python3 -m pip install pyrad)",
        );
    }
    true
}

/// The companion app built beside `portcullis`: `cargo test --workspace` builds both; with `-p
/// portcullis-server` alone, `cargo build -p portcullis-app` first (an older build is used as is).
pub fn companion_app(test: &str) -> Option<PathBuf> {
    let app = Path::new(BIN).with_file_name("portcullis-app");
    if app.is_file() {
        return Some(app);
    }
    skip(
        test,
        "portcullis-app not built (cargo build -p portcullis-app)",
    );
    None
}

/// A person of the owner's contract (or another's) with an authenticator app.
pub struct Person {
    pub email: String,
    pub token: String,
    pub totp: String,
}

impl Person {
    /// The code the app shows `offset_secs` from now (a step either side is accepted).
    pub fn code(&self, offset_secs: i64) -> String {
        totp_code(&self.totp, offset_secs)
    }

    /// A real code of this authenticator, but one the server refuses: ten minutes ahead.
    pub fn wrong_code(&self) -> String {
        totp_code(&self.totp, 600)
    }
}

/// One owner's install served with a RADIUS listener; the owner's session token.
pub struct Site {
    pub install: Install,
    pub server: Server,
    pub owner: String,
}

impl Site {
    /// An install whose RADIUS clients `clients` (name, address, mode, extra flags) are made
    /// before the server starts; their shared secrets, in the same order.
    pub async fn start(clients: &[(&str, &str, &str, &[&str])]) -> (Site, Vec<String>) {
        let install = Install::with_owner().await;
        let mut secrets = Vec::new();
        for (name, address, mode, extra) in clients {
            let mut args = vec!["--name", name, "--address", address, "--mode", mode];
            args.extend_from_slice(extra);
            secrets.push(add_client(&install, &args).await);
        }
        let spec = Serve::new(&install.root, &install.data)
            .arg("--open-registration")
            .arg("--radius-bind")
            .arg("127.0.0.1:0");
        let server = Server::start(spec).await;
        let owner = server.token(OWNER, PASSWORD).await;
        let site = Site {
            install,
            server,
            owner,
        };
        (site, secrets)
    }

    pub fn radius(&self) -> SocketAddr {
        self.server.radius_addr.expect("started with --radius-bind")
    }

    async fn call(&self, method: Method, path: &str, token: &str, body: Value) -> Value {
        let (status, body) = self.server.call(method, path, token, Some(body)).await;
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// A user of the owner's contract, made by the owner, with an authenticator app.
    pub async fn person(&self, email: &str) -> Person {
        let user = json!({ "email": email, "password": PASSWORD, "role": "user" });
        self.call(Method::POST, "/api/v1/users", &self.owner, user)
            .await;
        self.enrolled(email).await
    }

    /// Someone who signed up on their own: a contract of their own, an authenticator app.
    pub async fn stranger(&self, email: &str) -> Person {
        let signup = json!({ "email": email, "password": PASSWORD });
        self.call(Method::POST, "/api/v1/signup", "", signup).await;
        self.enrolled(email).await
    }

    /// Activates TOTP with the code of the step before now, so that now's and the next step's
    /// codes are still unused.
    async fn enrolled(&self, email: &str) -> Person {
        let token = self.server.token(email, PASSWORD).await;
        let started = self
            .call(Method::POST, "/api/v1/me/totp", &token, json!({}))
            .await;
        let totp = started["secret"].as_str().unwrap().to_owned();
        let activate = json!({ "password": PASSWORD, "code": totp_code(&totp, -30) });
        self.call(Method::POST, "/api/v1/me/totp/activate", &token, activate)
            .await;
        Person {
            email: email.to_owned(),
            token,
            totp,
        }
    }

    /// The person's own audit rows of RADIUS decisions (`radius.*`), oldest first.
    pub async fn radius_audit(&self, person: &Person) -> Vec<Value> {
        let (status, body) = self
            .server
            .call(
                Method::GET,
                "/api/v1/me/audit?limit=200",
                &person.token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut rows: Vec<Value> = body["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"].as_str().unwrap().starts_with("radius."))
            .cloned()
            .collect();
        rows.reverse();
        rows
    }

    /// The value of one sample of `/metrics` (`name{labels}` exactly as written), 0 if absent.
    pub async fn metric(&self, sample: &str) -> f64 {
        let url = format!("{}/metrics", self.server.url());
        let text = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .expect("metrics answered")
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' '))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    /// Waits (a few seconds at most) until `sample` reaches `value`; its last value.
    pub async fn metric_reaches(&self, sample: &str, value: f64) -> f64 {
        let started = Instant::now();
        loop {
            let now = self.metric(sample).await;
            if now >= value || started.elapsed() > Duration::from_secs(10) {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// `portcullis radius-client add --contract-of OWNER FLAGS`: the shared secret, alone on stdout.
pub async fn add_client(install: &Install, flags: &[&str]) -> String {
    let mut args = vec!["radius-client", "add", "--contract-of", OWNER];
    args.extend_from_slice(flags);
    let exit = install.run(&args, "").await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert_eq!(
        exit.stdout.lines().count(),
        1,
        "the secret alone: {exit:#?}"
    );
    let secret = exit.stdout.trim().to_owned();
    assert!(secret.len() >= 16, "a long secret: {exit:#?}");
    secret
}

// ---------------------------------------------------------------------------------------------
// FreeRADIUS's radclient and radtest

/// What radclient printed of the answer: `None` when none came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `Access-Accept`, `Access-Reject`, `Access-Challenge`.
    pub code: String,
    pub reply_messages: Vec<String>,
    /// The State, hex without `0x`.
    pub state: Option<String>,
    pub message_authenticator: bool,
}

/// Reads `radclient -x`'s output: the attributes under its `Received … Id …` line.
pub fn parse_radclient(stdout: &str) -> Option<Answer> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with("Received "));
    let code = lines.next()?.split_whitespace().nth(1)?.to_owned();
    let mut answer = Answer {
        code,
        reply_messages: Vec::new(),
        state: None,
        message_authenticator: false,
    };
    for line in lines.take_while(|l| l.starts_with('\t')) {
        let Some((name, value)) = line.trim().split_once(" = ") else {
            continue;
        };
        match name {
            "Reply-Message" => answer
                .reply_messages
                .push(value.trim_matches('"').to_owned()),
            "State" => answer.state = value.strip_prefix("0x").map(str::to_owned),
            "Message-Authenticator" => answer.message_authenticator = true,
            _ => {}
        }
    }
    Some(answer)
}

/// `radclient -x -t WAIT -r 1 ADDR auth SECRET` with `attributes` (one `Name = value` a line)
/// on stdin, and `Message-Authenticator = 0x00` so that radclient computes and sends one.
pub async fn radclient(addr: SocketAddr, secret: &str, attributes: &str, wait: u64) -> Exit {
    let input = format!("{attributes}\nMessage-Authenticator = 0x00\n");
    let wait = wait.to_string();
    let server = addr.to_string();
    let args = ["-x", "-t", &wait, "-r", "1", &server, "auth", secret];
    let mut cmd = command("radclient", &args);
    cmd.env_remove("RADIUSD_CONF");
    finish(cmd, input.as_bytes()).await
}

/// `radclient` for `user` with `password` (and the State of a challenge); the answer.
pub async fn ask(
    addr: SocketAddr,
    secret: &str,
    user: &str,
    password: &str,
    state: Option<&str>,
) -> Option<Answer> {
    let mut attributes = format!(
        "User-Name = \"{user}\"\nUser-Password = \"{password}\"\nNAS-Identifier = \"radclient\""
    );
    if let Some(state) = state {
        attributes.push_str(&format!("\nState = 0x{state}"));
    }
    parse_radclient(&radclient(addr, secret, &attributes, 5).await.stdout)
}

/// `radtest USER PASSWORD ADDR 0 SECRET 0 127.0.0.1`, as an operator checks a server by hand
/// (radtest sends a Message-Authenticator itself).
pub async fn radtest(addr: SocketAddr, secret: &str, user: &str, password: &str) -> Exit {
    let server = addr.to_string();
    let args = ["-x", user, password, &server, "0", secret, "0", "127.0.0.1"];
    finish(command("radtest", &args), b"").await
}

// ---------------------------------------------------------------------------------------------
// pyrad

/// How `pyrad_client.py` sends one Access-Request.
#[derive(Debug, Clone)]
pub struct Pyrad<'a> {
    pub secret: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    pub state: Option<&'a str>,
    pub message_authenticator: bool,
    /// How often the same bytes are sent (2: a retransmission).
    pub times: u32,
    pub source: &'a str,
    /// Seconds to wait for each answer.
    pub wait: f64,
}

impl<'a> Pyrad<'a> {
    pub fn new(secret: &'a str, user: &'a str, password: &'a str) -> Pyrad<'a> {
        Pyrad {
            secret,
            user,
            password,
            state: None,
            message_authenticator: true,
            times: 1,
            source: "127.0.0.1",
            wait: 5.0,
        }
    }

    pub fn state(mut self, state: &'a str) -> Pyrad<'a> {
        self.state = Some(state);
        self
    }

    pub fn without_message_authenticator(mut self) -> Pyrad<'a> {
        self.message_authenticator = false;
        self
    }

    pub fn times(mut self, times: u32) -> Pyrad<'a> {
        self.times = times;
        self
    }

    pub fn from(mut self, source: &'a str) -> Pyrad<'a> {
        self.source = source;
        self
    }

    /// Waits `secs` for each answer (short where none must come).
    pub fn wait(mut self, secs: f64) -> Pyrad<'a> {
        self.wait = secs;
        self
    }

    /// Sends and returns one entry per copy: `null` where no answer came, else `{"code",
    /// "reply_messages", "state", "raw", "verified"}`.
    pub async fn send(self, addr: SocketAddr) -> Vec<Value> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/radius/pyrad_client.py");
        let (server, times, wait) = (
            addr.to_string(),
            self.times.to_string(),
            self.wait.to_string(),
        );
        let mut args = vec![
            script.to_str().unwrap(),
            "--server",
            &server,
            "--secret",
            self.secret,
            "--user",
            self.user,
            "--password",
            self.password,
            "--times",
            &times,
            "--source",
            self.source,
            "--wait",
            &wait,
        ];
        if let Some(state) = self.state {
            args.extend(["--state", state]);
        }
        if !self.message_authenticator {
            args.push("--no-message-authenticator");
        }
        let exit = finish(command("python3", &args), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        let out: Value = serde_json::from_str(exit.stdout.trim()).expect("one JSON object");
        out["answers"].as_array().unwrap().clone()
    }
}
