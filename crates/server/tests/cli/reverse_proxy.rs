//! The README's deployment examples, run as a reader would run them: the nginx site of "Behind a
//! reverse proxy" in front of the real `portcullis` binary, signed in through over HTTPS, and the
//! shell lines of "PostgreSQL" run in `bash`. Each example is read from README.md between its
//! `<!-- …:start -->` and `<!-- …:end -->` markers and only what a test must change is changed
//! (ports, certificate paths, the database name, where the binary is), so when an example stops
//! working this fails, and the README is what to fix.
//!
//! Without nginx (Debian `nginx-light`) or openssl the proxy test says SKIPPED, unless
//! `PORTCULLIS_REQUIRE_TOOLS=1`. The PostgreSQL example runs against the server it names
//! (127.0.0.1:5432, role `postgres`) when `PORTCULLIS_TEST_DATABASE_URL` is set, and says SKIPPED
//! otherwise, unless `PORTCULLIS_REQUIRE_POSTGRES=1` (both set by `.ci/run`).

#![cfg(unix)]

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::harness::cli::Scratch;

const OWNER: &str = "owner@example.com";
const PASSWORD: &str = "Correct-Horse-7";
/// The longest any one wait may take: a start, a request, a line of output, an exit.
const PATIENCE: Duration = Duration::from_secs(30);
/// What a client claims in `X-Forwarded-For` (a documentation address, RFC 5737). nginx appends
/// the address it saw after it, and Portcullis, trusting nginx (127.0.0.1) only, takes that one:
/// the claim must appear nowhere.
const CLAIMED: &str = "203.0.113.9";
/// Where the test's client connects to the proxy from. Not the proxy's own 127.0.0.1, so the
/// addresses the server records show whose they are: the client's, as nginx saw it.
const CLIENT: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

#[tokio::test]
async fn an_nginx_site_from_the_readme_signs_people_in_over_https() {
    let site = readme_example("reverse-proxy-example", "nginx");
    let Some(nginx) = nginx_program() else { return };
    if !tool_available("openssl", Path::new("openssl"), "version") {
        return;
    }
    let scratch = Scratch::new("proxy");
    let (cert, key) = self_signed_certificate(scratch.path());
    let data = scratch.join("data");
    create_owner(&data);
    let proxy_port = free_port();
    let public_url = format!("https://localhost:{proxy_port}");
    let mut portcullis = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    portcullis.args(["serve", "--bind", "127.0.0.1:0", "--data", &data]);
    portcullis.args([
        "--public-url",
        &public_url,
        "--trusted-proxies",
        "127.0.0.1",
    ]);
    let mut server = Portcullis::start(scratch.path(), portcullis).await;

    // The site as written, but on a free port, with the test's certificate and server.
    let site = set_directive(&site, "listen", |args| {
        format!("127.0.0.1:{proxy_port} {}", args[1..].join(" "))
    });
    let site = set_directive(&site, "server_name", |_| "localhost".to_owned());
    let site = set_directive(&site, "ssl_certificate", |_| cert.display().to_string());
    let site = set_directive(&site, "ssl_certificate_key", |_| key.display().to_string());
    let upstream = format!("http://{}", server.addr);
    let site = replace_once(&site, "http://127.0.0.1:8080", &upstream);
    let _proxy = Nginx::start(&nginx, &scratch.0.join("nginx"), &site, proxy_port).await;
    let mut browser = Visitor::new(&cert, &public_url);

    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let csrf_cookie = set_cookie(&login.headers, "portcullis_csrf").expect("a CSRF cookie");
    assert!(csrf_cookie.contains("; Secure"), "{csrf_cookie}");
    let csrf = hidden_csrf(&login.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("username", OWNER),
        ("password", PASSWORD),
    ];
    let signed_in = browser.post_form("/login", &fields).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.headers[header::LOCATION], "/account");
    let session = set_cookie(&signed_in.headers, "portcullis_session").expect("a session");
    assert!(session.contains("; Secure"), "HTTPS only: {session}");
    assert!(session.contains("; HttpOnly"), "{session}");

    let account = browser.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains(OWNER), "{}", account.body);
    // The session and the sign-in are recorded with the client's address as nginx saw it, never
    // the proxy's or what the client claims.
    assert!(
        account.body.contains(&CLIENT.to_string()),
        "{}",
        account.body
    );
    assert!(!account.body.contains(CLAIMED), "{}", account.body);

    // The same through the API.
    let body = json!({ "username": OWNER, "password": PASSWORD });
    let api_login = browser.post_json("/api/v1/login", &body).await;
    assert_eq!(api_login.status, StatusCode::OK, "{}", api_login.body);
    let token: Value = serde_json::from_str(&api_login.body).unwrap();
    let token = token["token"].as_str().expect("a token");
    for path in ["/api/v1/me/sessions", "/api/v1/me/audit"] {
        let answer = browser.get_authorized(path, token).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        let list: Value = serde_json::from_str(&answer.body).unwrap();
        let items = list["sessions"].as_array().or(list["events"].as_array());
        // Acts from the shell (the owner's creation) have no address.
        let addresses: Vec<&str> = items
            .unwrap()
            .iter()
            .filter_map(|i| i["ip"].as_str())
            .collect();
        assert!(addresses.len() >= 2, "web and API sign-in: {}", answer.body);
        assert!(
            addresses.iter().all(|ip| *ip == CLIENT.to_string()),
            "{path}: {addresses:?}"
        );
        assert!(!answer.body.contains(CLAIMED), "{}", answer.body);
    }

    // The server has metrics; the site keeps them from the internet.
    let metrics = browser.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::NOT_FOUND, "{}", metrics.body);
    let direct = reqwest::Client::builder().no_proxy().build().unwrap();
    let direct = direct.get(format!("http://{}/metrics", server.addr)).send();
    assert_eq!(direct.await.unwrap().status(), StatusCode::OK);

    server.stop().await;
}

#[tokio::test]
async fn the_postgresql_example_from_the_readme_starts_a_server() {
    let script = readme_example("postgres-example", "sh");
    if !postgres_available() {
        return;
    }
    let scratch = Scratch::new("postgres");
    let database = Database(format!(
        "portcullis_readme_{}",
        uuid::Uuid::new_v4().simple()
    ));
    let script = set_command_argument(&script, "createdb", "portcullis", &database.0);
    let script = replace_once(&script, "5432/portcullis", &format!("5432/{}", database.0));
    // Port 0: the server prints the port it got.
    let script = replace_once(&script, "--bind 127.0.0.1:8080", "--bind 127.0.0.1:0");

    // The binary is where `cargo install` would put it: on the PATH.
    let binary = Path::new(env!("CARGO_BIN_EXE_portcullis"));
    let path = std::env::var("PATH").unwrap_or_default();
    let path = format!("{}:{path}", binary.parent().unwrap().display());
    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", &script])
        .env("PATH", path);
    // The data folder is `portcullis-data` in the working directory: the scratch folder.
    let mut server = Portcullis::start(scratch.path(), bash).await;

    let http = reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let addr = server.addr;
    let url = |path: &str| format!("http://{addr}{path}");
    let deadline = Instant::now() + PATIENCE;
    while http.get(url("/readyz")).send().await.unwrap().status() != StatusCode::OK {
        assert!(
            Instant::now() < deadline,
            "/readyz not 200 within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Registration is closed and nobody has an account: the owner comes from the setup link.
    let line = server.line_with("/setup?token=").await;
    let link = &line[line.find("http://").expect("a link")..];
    let page = http.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden_csrf(&page.text().await.unwrap());
    let (_, token) = link.split_once("token=").unwrap();
    let setup = http
        .post(url("/setup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token),
            ("email", OWNER),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        setup.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        setup.text().await
    );

    let body = json!({ "username": OWNER, "password": PASSWORD });
    let login = http.post(url("/api/v1/login")).json(&body).send().await;
    let login: Value = login.unwrap().json().await.unwrap();
    let token = login["token"].as_str().expect("signed in");
    let me = http.get(url("/api/v1/me")).bearer_auth(token).send().await;
    let me: Value = me.unwrap().json().await.unwrap();
    assert_eq!(me["email"], OWNER, "{me}");

    // The account is in PostgreSQL, and no SQLite database was made beside it; the key is the
    // one exported (the same on every node), not one generated into the data folder.
    let query = format!("SELECT count(*) FROM users WHERE email = '{OWNER}'");
    assert_eq!(database.psql(&query), "1");
    let data = scratch.0.join("portcullis-data");
    assert!(!data.join("portcullis.db").exists());
    assert!(!data.join("master.key").exists());

    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The README and its examples

/// The fenced `language` block between `<!-- marker:start -->` and `<!-- marker:end -->`.
fn readme_example(marker: &str, language: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let start = format!("<!-- {marker}:start -->");
    let end = format!("<!-- {marker}:end -->");
    let block = text
        .split_once(&start)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(block, _)| block.trim())
        .unwrap_or_else(|| panic!("README.md has no {start} … {end}"));
    block
        .strip_prefix(&format!("```{language}\n"))
        .and_then(|b| b.strip_suffix("```"))
        .filter(|b| !b.contains("```"))
        .unwrap_or_else(|| panic!("{start} must hold one ```{language} block:\n{block}"))
        .to_owned()
}

/// `text` with its one `from` replaced; a README that no longer has it fails here, loudly.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    let found = text.matches(from).count();
    assert_eq!(found, 1, "the example should have `{from}` once:\n{text}");
    text.replacen(from, to, 1)
}

/// The nginx `site` with the arguments of its one directive `name` rewritten by `arguments`.
fn set_directive(site: &str, name: &str, arguments: impl Fn(&[&str]) -> String) -> String {
    let mut found = 0;
    let lines: Vec<String> = site
        .lines()
        .map(|line| {
            let indent = &line[..line.len() - line.trim_start().len()];
            let mut words = line.trim().trim_end_matches(';').split_whitespace();
            if words.next() != Some(name) || !line.trim_end().ends_with(';') {
                return line.to_owned();
            }
            found += 1;
            let old: Vec<&str> = words.collect();
            format!("{indent}{name} {};", arguments(&old))
        })
        .collect();
    assert_eq!(found, 1, "the site should have one `{name}`:\n{site}");
    lines.join("\n")
}

/// The shell `script` with the argument `old` of its one `command` line replaced by `new`.
fn set_command_argument(script: &str, command: &str, old: &str, new: &str) -> String {
    let mut found = 0;
    let lines: Vec<String> = script
        .lines()
        .map(|line| {
            let mut words: Vec<&str> = line.split_whitespace().collect();
            if words.first() != Some(&command) {
                return line.to_owned();
            }
            found += 1;
            for word in words.iter_mut().filter(|w| **w == old) {
                *word = new;
            }
            words.join(" ")
        })
        .collect();
    assert_eq!(
        found, 1,
        "the example should run `{command}` once:\n{script}"
    );
    let named = lines.iter().any(|l| l.ends_with(new));
    assert!(
        named,
        "`{command}` should end with `{old}`, the database:\n{script}"
    );
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Tools: present, or skipped (a failure where they are required)

pub(crate) fn tool_available(name: &str, program: &Path, version: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg(version)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("PORTCULLIS_REQUIRE_TOOLS=1 but {name} is not installed");
        }
        eprintln!("SKIPPED: {name} not found (Debian packages nginx-light, openssl, caddy)");
    }
    found
}

/// nginx on the PATH, or where Debian puts it (`/usr/sbin`, often not on a user's PATH).
pub(crate) fn nginx_program() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"))
        .find(|p| p.is_file());
    let program = on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"));
    tool_available("nginx", &program, "-v").then_some(program)
}

fn postgres_available() -> bool {
    let configured = std::env::var("PORTCULLIS_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !configured {
        if std::env::var("PORTCULLIS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("PORTCULLIS_REQUIRE_POSTGRES=1 but PORTCULLIS_TEST_DATABASE_URL is not set");
        }
        eprintln!(
            "SKIPPED on PostgreSQL: set PORTCULLIS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run the README's example"
        );
        return false;
    }
    let client = std::process::Command::new("createdb")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        client,
        "createdb not found (Debian package postgresql-client)"
    );
    true
}

// ---------------------------------------------------------------------------------------------
// The world of one test

/// The database the README's example creates, dropped when the test ends, also when it fails.
struct Database(String);

impl Database {
    /// The one value `query` returns.
    fn psql(&self, query: &str) -> String {
        let out = std::process::Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", &self.0])
            .args(["-tAc", query])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = std::process::Command::new("dropdb")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "--if-exists",
                "--force",
            ])
            .arg(&self.0)
            .status();
    }
}

pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A certificate for `localhost` and 127.0.0.1 that signs itself: `(cert.pem, key.pem)`.
fn self_signed_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args([
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // A server certificate, not a CA: rustls refuses a CA as the server's own certificate.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// `portcullis user create-owner`, as an operator does before the first start.
fn create_owner(data: &str) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"));
    for (var, _) in std::env::vars().filter(|(k, _)| k.starts_with("PORTCULLIS_")) {
        command.env_remove(var);
    }
    let mut child = command
        .args(["user", "create-owner", "--email", OWNER, "--password-stdin"])
        .args(["--data", data])
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running `portcullis serve` (or a shell running it) in a process group of its own, killed
/// with the whole group if the test ends early.
struct Portcullis {
    child: Child,
    addr: SocketAddr,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Portcullis {
    /// Runs `command` (`portcullis serve --bind 127.0.0.1:0 …`, or a shell that runs it) in
    /// `cwd` without the developer's settings, until the server says where it listens.
    async fn start(cwd: &Path, mut command: Command) -> Portcullis {
        for (var, _) in std::env::vars().filter(|(k, _)| k.starts_with("PORTCULLIS_")) {
            command.env_remove(var);
        }
        let log = cwd.join("server.log");
        let mut child = command
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG")
            .current_dir(cwd)
            // SIGTERM to the group reaches the server also under a shell, as Ctrl-C would.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the server starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(PATIENCE, stdout.next_line())
            .await
            .expect("the server says where it listens")
            .unwrap()
            .unwrap_or_else(|| {
                let errors = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("the server exited before listening:\n{errors}")
            });
        let addr = first
            .strip_prefix("Portcullis is listening on http://")
            .and_then(|rest| rest.split_once(' '))
            .and_then(|(addr, _)| addr.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        Portcullis {
            child,
            addr,
            stdout,
        }
    }

    async fn line_with(&mut self, needle: &str) -> String {
        loop {
            let line = tokio::time::timeout(PATIENCE, self.stdout.next_line())
                .await
                .unwrap_or_else(|_| panic!("no line with {needle} within {PATIENCE:?}"))
                .unwrap()
                .unwrap_or_else(|| panic!("output ended without {needle}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Sends `signal` to the process group.
    fn signal(&self, signal: &str) -> bool {
        let Some(pid) = self.child.id() else {
            return false;
        };
        std::process::Command::new("kill")
            .args([signal, "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// SIGTERM, as Ctrl-C or systemd would; the server must stop cleanly.
    async fn stop(&mut self) {
        assert!(self.signal("-TERM"), "the server is still running");
        self.line_with("Portcullis stopped.").await;
        let _ = tokio::time::timeout(PATIENCE, self.child.wait()).await;
    }
}

impl Drop for Portcullis {
    fn drop(&mut self) {
        self.signal("-KILL");
    }
}

/// nginx with the site, in `dir`, until the test ends.
pub(crate) struct Nginx {
    _child: Child,
}

impl Nginx {
    pub(crate) async fn start(program: &Path, dir: &Path, site: &str, port: u16) -> Nginx {
        let temp = dir.join("temp");
        std::fs::create_dir_all(&temp).unwrap();
        std::fs::write(dir.join("site.conf"), site).unwrap();
        let d = dir.display();
        let temp_paths: String = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
            .map(|kind| format!("    {kind}_temp_path {d}/temp/{kind};\n"))
            .concat();
        // One process in the foreground: nothing outlives the test.
        let config = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{}}\nhttp {{\n    access_log off;\n{temp_paths}    include {d}/site.conf;\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), config).unwrap();
        let mut child = Command::new(program)
            .arg("-p")
            .arg(dir)
            .args(["-c", "nginx.conf", "-e"])
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nginx starts");
        let deadline = Instant::now() + PATIENCE;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            let log = || std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            if let Some(status) = child.try_wait().unwrap() {
                panic!("nginx exited ({status}):\n{}", log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx is not listening:\n{}",
                log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Nginx { _child: child }
    }
}

// ---------------------------------------------------------------------------------------------
// A browser's requests over HTTPS, as small as the test needs

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

/// Someone at [`CLIENT`] who trusts the test's certificate, keeps cookies and claims to be
/// [`CLAIMED`] in every request.
struct Visitor {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    origin: String,
    /// `(name, value, path)`
    cookies: Vec<(String, String, String)>,
}

impl Visitor {
    fn new(cert: &Path, origin: &str) -> Visitor {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(cert).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_local_address(Some(IpAddr::V4(CLIENT)));
        tcp.set_connect_timeout(Some(PATIENCE));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .wrap_connector(tcp);
        Visitor {
            http: Client::builder(TokioExecutor::new()).build(https),
            origin: origin.to_owned(),
            cookies: Vec::new(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, &[], String::new()).await
    }

    async fn get_authorized(&mut self, path: &str, token: &str) -> Answer {
        let bearer = format!("Bearer {token}");
        let headers = [("authorization", bearer.as_str())];
        self.send(Method::GET, path, &headers, String::new()).await
    }

    /// A form posted from one of the site's own pages, with the headers a browser adds.
    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let origin = self.origin.clone();
        let headers = [
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", origin.as_str()),
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "navigate"),
        ];
        self.send(Method::POST, path, &headers, body).await
    }

    async fn post_json(&mut self, path: &str, body: &Value) -> Answer {
        let headers = [("content-type", "application/json")];
        self.send(Method::POST, path, &headers, body.to_string())
            .await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .filter(|(_, _, scope)| path.starts_with(scope.as_str()))
            .map(|(name, value, _)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.origin))
            .header("user-agent", "portcullis-tests")
            .header("x-forwarded-for", CLAIMED);
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        let response = tokio::time::timeout(PATIENCE, self.http.request(request))
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer within {PATIENCE:?}"))
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        for set in parts.headers.get_all(header::SET_COOKIE) {
            self.keep(set.to_str().unwrap());
        }
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// Stores, replaces or forgets a cookie as `Set-Cookie` says.
    fn keep(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';').map(str::trim);
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        let attribute = |key: &str| {
            set_cookie
                .split(';')
                .map(str::trim)
                .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_owned)
        };
        let path = attribute("Path").unwrap_or_else(|| "/".to_owned());
        self.cookies
            .retain(|(n, _, p)| (n.as_str(), p) != (name, &path));
        if !value.is_empty() && attribute("Max-Age").as_deref() != Some("0") {
            self.cookies
                .push((name.to_owned(), value.to_owned(), path.to_owned()));
        }
    }
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the first `<input name="csrf">` in a page.
pub(crate) fn hidden_csrf(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// The `Set-Cookie` header that sets cookie `name`.
fn set_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}
