//! The server under test: the release binary started as its own process on loopback, and what
//! /proc says about it (CPU time, resident memory).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::load::{self, Http, Req};

/// How to start one server.
#[derive(Debug, Clone)]
pub struct Setup {
    pub binary: PathBuf,
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub master_key: String,
}

impl Setup {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.binary);
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PORTCULLIS_DATA", &self.data)
            .env("PORTCULLIS_MASTER_KEY", &self.master_key)
            // The load generator stands in for a reverse proxy in the forward-auth workload.
            .env("PORTCULLIS_TRUSTED_PROXIES", "127.0.0.1")
            .env("RUST_LOG", "warn");
        if let Some(url) = &self.database_url {
            c.env("DATABASE_URL", url);
        }
        c
    }

    /// `portcullis access-rule add --contract-of EMAIL --host HOST --policy POLICY`, through the
    /// real binary, while the server runs.
    pub async fn access_rule(&self, email: &str, host: &str, policy: &str) -> anyhow::Result<()> {
        let args = [
            "access-rule",
            "add",
            "--contract-of",
            email,
            "--host",
            host,
            "--policy",
            policy,
        ];
        let out = self.command(&args).stderr(Stdio::null()).output().await?;
        if !out.status.success() {
            bail!("access-rule add failed: {}", out.status);
        }
        Ok(())
    }

    /// `portcullis oidc-client create --first-party --json` for the contract of `email`, through
    /// the real binary, while the server runs.
    pub async fn oidc_client(&self, email: &str) -> anyhow::Result<crate::oidc::Client> {
        let args = [
            "oidc-client",
            "create",
            "--contract-of",
            email,
            "--name",
            "bench",
            "--redirect-uri",
            crate::oidc::REDIRECT_URI,
            "--first-party",
            "--json",
        ];
        let out = self.command(&args).stderr(Stdio::null()).output().await?;
        if !out.status.success() {
            bail!("oidc-client create failed: {}", out.status);
        }
        crate::oidc::parse_created(&out.stdout)
    }

    /// `portcullis service-token create`, through the real binary; returns the token.
    pub async fn service_token(&self) -> anyhow::Result<String> {
        let out = self
            .command(&["service-token", "create", "--name", "bench"])
            .stderr(Stdio::null())
            .output()
            .await?;
        if !out.status.success() {
            bail!("service-token create failed: {}", out.status);
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// `portcullis radius-client add --mode MODE`, through the real binary; the shared secret.
    pub async fn radius_client(
        &self,
        email: &str,
        name: &str,
        mode: &str,
    ) -> anyhow::Result<String> {
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
        let out = self.command(&args).stderr(Stdio::null()).output().await?;
        if !out.status.success() {
            bail!("radius-client add failed: {}", out.status);
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// Starts `portcullis serve` and waits for `/readyz`; the time from exec to the first 200.
    pub async fn start(&self, http: &Http) -> anyhow::Result<Running> {
        self.start_with(http, &[]).await
    }

    /// As [`Setup::start`] with more `serve` flags; with `--radius-bind`, reads where RADIUS
    /// listens from the line after the HTTP one.
    pub async fn start_with(&self, http: &Http, extra: &[&str]) -> anyhow::Result<Running> {
        let log = std::fs::File::create(self.data.join("bench-server.log"))?;
        let t0 = Instant::now();
        let mut child = self
            // A host name for the public URL: the passkey phase's relying party (WebAuthn
            // refuses bare IP addresses); port 0 takes the bound port.
            .command(
                &[
                    &[
                        "serve",
                        "--bind",
                        "127.0.0.1:0",
                        "--public-url",
                        "http://localhost:0",
                    ][..],
                    extra,
                ]
                .concat(),
            )
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting the server binary")?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        // `Portcullis is listening on http://ADDR (public URL URL)`
        let (base, public_url) = loop {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .context("the server did not start within 60 s")??
                .context("the server exited before listening")?;
            if let Some(rest) = line.strip_prefix("Portcullis is listening on ") {
                let base = rest.split_whitespace().next().unwrap_or_default();
                let public = rest
                    .split_once("(public URL ")
                    .map(|(_, url)| url.trim_end_matches(')'))
                    .unwrap_or(base);
                break (base.to_owned(), public.to_owned());
            }
        };
        let mut radius = None;
        if extra.contains(&"--radius-bind") {
            loop {
                let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                    .await
                    .context("the server did not say where RADIUS listens")??
                    .context("the server exited before listening for RADIUS")?;
                if let Some(addr) = line.strip_prefix("Portcullis RADIUS is listening on udp://") {
                    radius = Some(addr.trim().parse().context("the RADIUS address")?);
                    break;
                }
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let ready = Req::get(format!("{base}/readyz"), None);
        loop {
            if let Ok((200, _)) = load::send(http, ready.build()).await {
                break;
            }
            if t0.elapsed() > Duration::from_secs(60) {
                bail!("/readyz did not answer 200 within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let startup = t0.elapsed();
        let pid = child.id().context("pid")?;
        Ok(Running {
            child,
            pid,
            base,
            public_url,
            startup,
            radius,
        })
    }
}

/// A started server.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pub pid: u32,
    pub base: String,
    /// The origin browsers (and the passkey phase's authenticator) see: `http://localhost:PORT`.
    pub public_url: String,
    pub startup: Duration,
    /// Where RADIUS listens, when it was asked to.
    pub radius: Option<std::net::SocketAddr>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// CPU time (user + system) used so far.
    pub fn cpu(&self) -> Duration {
        cpu_time(&[self.pid])
    }

    /// (resident now, peak resident) in bytes.
    pub fn memory(&self) -> (u64, u64) {
        (
            status_kb(self.pid, "VmRSS:") * 1024,
            status_kb(self.pid, "VmHWM:") * 1024,
        )
    }

    /// SIGTERM, then waits for a clean exit (SIGKILL after 10 s).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}

/// Clock ticks per second for /proc/*/stat; Linux has used 100 on every common platform.
const CLK_TCK: f64 = 100.0;

/// The summed user + system CPU time of `pids`.
pub fn cpu_time(pids: &[u32]) -> Duration {
    let ticks: u64 = pids.iter().map(|p| stat_ticks(*p)).sum();
    Duration::from_secs_f64(ticks as f64 / CLK_TCK)
}

fn stat_ticks(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // The command name may hold spaces; fields after its closing parenthesis are fixed.
    let Some(after) = text.rfind(')').map(|i| &text[i + 2..]) else {
        return 0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let f = |i: usize| {
        fields
            .get(i)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
    };
    f(11) + f(12)
}

/// A `kB` line of /proc/PID/status.
pub fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Every process as `(pid, command name, parent pid)`, from /proc/*/stat.
fn processes() -> Vec<(u32, String, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid …`; the name may hold spaces and parentheses.
            let (open, close) = (text.find('(')?, text.rfind(')')?);
            let ppid = text
                .get(close + 2..)?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, text[open + 1..close].to_owned(), ppid))
        })
        .collect()
}

/// Every process whose command name is `name` (PostgreSQL's postmaster and backends).
pub fn pids_named(name: &str) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|(_, comm, _)| comm == name)
        .map(|(pid, _, _)| pid)
        .collect()
}

/// `pid` and its direct children (gunicorn's master and workers).
pub fn with_children(pid: u32) -> Vec<u32> {
    let mut pids = vec![pid];
    pids.extend(
        processes()
            .into_iter()
            .filter(|(_, _, ppid)| *ppid == pid)
            .map(|(child, _, _)| child),
    );
    pids
}

/// A new empty folder under the system temp dir.
pub fn temp_dir(label: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "portcullis-bench-{label}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The server binary: `given`, or `portcullis` next to this binary (`target/release`); an
/// error saying how to build it when it is not there.
pub fn release_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let binary = given.map(Path::to_path_buf).unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("portcullis")))
            .unwrap_or_else(|| Path::new("target/release/portcullis").to_path_buf())
    });
    if !binary.exists() {
        bail!(
            "{} not found: build it first with `cargo build --release`",
            binary.display()
        );
    }
    Ok(binary)
}
