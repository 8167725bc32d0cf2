//! Email by SMTP through the real server, on SQLite and PostgreSQL, against a real SMTP server
//! we did not write: Python's aiosmtpd, started per test on a free port with AUTH required. It
//! parses every message with Python's `email` package and saves what a mail client would show
//! (envelope, headers, the text and the HTML part) as JSON, which the test reads back. The
//! STARTTLS test makes its own CA and server certificate with the `openssl` command.
//!
//! Without aiosmtpd (`python3 -m pip install aiosmtpd`) or openssl these tests say SKIPPED,
//! unless `PORTCULLIS_REQUIRE_TOOLS=1` (as in CI).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use portcullis_server::config::ServeArgs;
use portcullis_server::delivery::config::SmtpSecurity;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::server::TestApp;

const SMTP_USER: &str = "mailer";
const SMTP_PASSWORD: &str = "smtp-Secret-1";

/// The SMTP server: saves each message as `<n>.json` and counts AUTH attempts in `auth-attempts`.
const SERVER_PY: &str = r#"
import asyncio, email, email.policy, json, os, ssl, sys, time
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

folder, user, password, fail_times, cert, key = sys.argv[1:7]
fail_times = int(fail_times)

def save(name, data):
    with open(os.path.join(folder, name + ".tmp"), "w") as f:
        f.write(data)
    os.rename(os.path.join(folder, name + ".tmp"), os.path.join(folder, name))

class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        plain = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        save("%d.json" % time.time_ns(), json.dumps({
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
            "content_type": msg.get_content_type(),
            "text": plain.get_content() if plain else None,
            "html": html.get_content() if html else None,
            "tls": session.ssl is not None,
        }))
        return "250 2.0.0 OK"

class Auth:
    attempts = 0
    def __call__(self, server, session, envelope, mechanism, auth_data):
        global fail_times
        Auth.attempts += 1
        save("auth-attempts", str(Auth.attempts))
        if not isinstance(auth_data, LoginPassword) or fail_times > 0:
            fail_times -= 1
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

async def main():
    ctx = None
    if cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
    auth = Auth()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), hostname="localhost",
        authenticator=auth, auth_required=True, auth_require_tls=ctx is not None,
        tls_context=ctx, require_starttls=ctx is not None), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"#;

/// Is `check` (a command line) available? Without it the test is skipped, or fails in CI.
fn tool(name: &str, program: &str, args: &[&str]) -> bool {
    let found = std::process::Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("PORTCULLIS_REQUIRE_TOOLS=1 but {name} is not available");
        }
        eprintln!(
            "SKIPPED: {name} not available (python3 -m pip install aiosmtpd; Debian openssl)"
        );
    }
    found
}

fn aiosmtpd_available() -> bool {
    tool("aiosmtpd", "python3", &["-c", "import aiosmtpd"])
}

struct SmtpServer {
    port: u16,
    folder: PathBuf,
    _child: tokio::process::Child,
}

impl SmtpServer {
    /// Starts the server in `dir`; `fail_logins` first logins are refused whatever they say;
    /// `tls` is `(cert, key)` for STARTTLS, which is then required before AUTH.
    async fn start(dir: &Path, fail_logins: u32, tls: Option<(&Path, &Path)>) -> SmtpServer {
        let folder = dir.join(format!("smtp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&folder).unwrap();
        let script = folder.join("server.py");
        std::fs::write(&script, SERVER_PY).unwrap();
        let (cert, key) = tls
            .map(|(c, k)| (c.display().to_string(), k.display().to_string()))
            .unwrap_or_default();
        let mut child = tokio::process::Command::new("python3")
            .arg(&script)
            .args([
                folder.to_str().unwrap(),
                SMTP_USER,
                SMTP_PASSWORD,
                &fail_logins.to_string(),
                &cert,
                &key,
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(folder.join("server.log")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP server starts within 20 s")
            .unwrap()
            .unwrap_or_else(|| {
                let log = std::fs::read_to_string(folder.join("server.log")).unwrap_or_default();
                panic!("the SMTP server did not start: {log}")
            })
            .trim()
            .parse()
            .unwrap();
        SmtpServer {
            port,
            folder,
            _child: child,
        }
    }

    fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.folder)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.messages();
            if found.len() >= n {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages after 20 s",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn auth_attempts(&self) -> u32 {
        std::fs::read_to_string(self.folder.join("auth-attempts"))
            .map(|s| s.parse().unwrap())
            .unwrap_or(0)
    }
}

/// The server's settings for SMTP at `port` on 127.0.0.1 with the test's credentials.
fn smtp(a: &mut ServeArgs, port: u16, security: SmtpSecurity) {
    a.open_registration = Some(true);
    a.delivery.outbox_poll_ms = Some(50);
    a.delivery.outbox_retry_base_secs = Some(1);
    a.delivery.smtp_host = Some("127.0.0.1".into());
    a.delivery.smtp_port = Some(port);
    a.delivery.smtp_security = Some(security);
    a.delivery.smtp_username = Some(SMTP_USER.into());
    a.delivery.smtp_password = Some(SMTP_PASSWORD.into());
    a.delivery.smtp_from = Some("Acme ID <noreply@example.com>".into());
    a.delivery.product_name = Some("Acme ID".into());
}

/// An owner invites new@example.com, which queues an invitation email.
async fn invite(app: &TestApp) {
    let owner = app.signed_in("owner@example.com").await;
    let r = app
        .post_json(
            "/api/v1/users",
            &json!({ "email": "new@example.com" }),
            Some(&owner),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// `(attempts, sent, last_error)` of the only invitation in the outbox.
async fn invitation_row(app: &TestApp) -> (i64, bool, Option<String>) {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT attempts, sent_at, last_error FROM outbox WHERE recipient = 'new@example.com'",
    )
    .fetch_one(app.state.services.store.raw_pool())
    .await
    .unwrap();
    (
        r.get("attempts"),
        r.get::<Option<i64>, _>("sent_at").is_some(),
        r.get("last_error"),
    )
}

async fn invitation_row_when(
    app: &TestApp,
    done: impl Fn(&(i64, bool, Option<String>)) -> bool,
) -> (i64, bool, Option<String>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = invitation_row(app).await;
        if done(&r) {
            return r;
        }
        assert!(Instant::now() < deadline, "stuck at {r:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A private CA and a certificate for localhost and 127.0.0.1 signed by it: `(ca, cert, key)`.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Portcullis Test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "key.pem",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat());
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

on_both_backends! {
    async fn email_goes_out_by_smtp_with_auth_as_plain_text_and_html(env: TestEnv) {
        if !aiosmtpd_available() { return; }
        let server = SmtpServer::start(&env.data, 0, None).await;
        let app = env.spawn_with(|a| smtp(a, server.port, SmtpSecurity::None)).await;
        invite(&app).await;

        let m = server.wait_for(1).await.remove(0);
        assert_eq!(m["rcpt_tos"], json!(["new@example.com"]));
        assert_eq!(m["mail_from"], "noreply@example.com");
        assert_eq!(m["from"], "Acme ID <noreply@example.com>");
        assert_eq!(m["to"], "new@example.com");
        assert_eq!(m["subject"], "You are invited to Acme ID");
        assert_eq!(m["content_type"], "multipart/alternative");
        let link = format!("{}/invite?token=", app.base);
        assert!(m["text"].as_str().unwrap().contains(&link), "{m}");
        assert!(m["html"].as_str().unwrap().contains(&format!("href=\"{link}")), "{m}");
        assert_eq!(server.auth_attempts(), 1);
        assert_eq!(invitation_row_when(&app, |r| r.1).await.0, 1);
        assert!(app.messages_to("email", "new@example.com").is_empty(), "SMTP writes no files");
    }

    async fn a_refused_smtp_login_is_retried_and_the_message_is_not_lost(env: TestEnv) {
        if !aiosmtpd_available() { return; }
        let server = SmtpServer::start(&env.data, 1, None).await;
        let app = env.spawn_with(|a| smtp(a, server.port, SmtpSecurity::None)).await;
        invite(&app).await;

        let (attempts, sent, error) = invitation_row_when(&app, |r| r.0 >= 1 && r.2.is_some()).await;
        assert!(!sent && attempts == 1);
        assert!(error.as_deref().unwrap().contains("535"), "{error:?}");
        let delivered = server.wait_for(1).await;
        assert_eq!(invitation_row_when(&app, |r| r.1).await, (2, true, None));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(server.messages().len(), 1, "delivered once");
        assert_eq!(server.auth_attempts(), 2);
        assert_eq!(delivered[0]["subject"], "You are invited to Acme ID");
    }

    async fn starttls_is_required_and_checked_against_the_configured_ca(env: TestEnv) {
        if !aiosmtpd_available() || !tool("openssl", "openssl", &["version"]) { return; }
        let (ca, cert, key) = certificates(&env.data);
        let server = SmtpServer::start(&env.data, 0, Some((&cert, &key))).await;
        // Without the private CA the certificate is refused: nothing is sent, nothing is lost.
        let app = env.spawn_with(|a| smtp(a, server.port, SmtpSecurity::Starttls)).await;
        invite(&app).await;
        let (_, sent, error) = invitation_row_when(&app, |r| r.2.is_some()).await;
        assert!(!sent && error.as_deref().unwrap().to_lowercase().contains("certificate"), "{error:?}");
        assert!(server.messages().is_empty());
        assert_eq!(server.auth_attempts(), 0, "no password before the certificate checks out");
        app.shutdown().await;

        let ca_file = ca.clone();
        let app = env.spawn_with(move |a| { smtp(a, server.port, SmtpSecurity::Starttls); a.delivery.smtp_ca_file = Some(ca_file); }).await;
        let m = server.wait_for(1).await.remove(0);
        assert_eq!(m["tls"], true, "sent after STARTTLS");
        assert_eq!(m["rcpt_tos"], json!(["new@example.com"]));
        assert!(invitation_row_when(&app, |r| r.1).await.0 >= 2);
    }
}
