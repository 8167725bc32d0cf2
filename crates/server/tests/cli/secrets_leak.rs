//! Secrets stay where they belong (issue 8, "Hostile input"). The real `portcullis` binary, with
//! `RUST_LOG=trace`, goes through every flow by the JSON API and the CLI: owner, support agent and
//! service token at the shell; sign-up, login, password change, phone verification, support PIN
//! and an agent's check, app passwords and `/app-auth`, TOTP enrolment, activation and the second
//! step, recovery codes (shown, used, made anew, `/recover`), the emergency kit, push pairing and
//! approval, `/validate`, a RADIUS challenge over UDP (client made at the shell), both kinds of password reset, an invitation, and OIDC client secrets
//! (made and rotated by the API, made at the shell). Every secret these
//! create or use is noted, in each form it may take, and then looked for in
//! - every file of the data folder (the database with its `-wal`/`-shm`, anything else), while
//!   the server runs and after it stopped; `master.key` is where the master key lives by
//!   definition, so it alone is skipped, and the key itself is looked for everywhere else;
//! - the delivery outbox files, whose purpose is to carry a code or link to a person: they may
//!   carry those, and nothing else secret;
//! - the server's logs at trace level (stderr; stdout is the start-up banner, which names no
//!   secret unless no owner exists yet) and the CLI's output;
//! - every HTTP answer, headers and body, except the one answer whose job is to hand a secret out
//!   (the token in a login answer, the key in the enrolment answer, …);
//! - on PostgreSQL, every row of every table as well.
//!
//! Each hit is reported with where it was and what was around it.

#![cfg(unix)]

// `harness::companion` is written against the in-process harness; only its signing device is
// used here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::totp::{self, TotpParams, TotpSecret};
use portcullis_store::Backend;
use portcullis_store::testing::with_database_on;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::cli::{
    AGENT, AGENT_PASSWORD, BIN, OWNER, PASSWORD, Serve, Server, command, finish,
};
use crate::harness::companion::{self, Device, Signing, code_of};
use crate::secrets_support::{
    Hit, Recorder, Secrets, after, files_under, next_message, scan, six_digits,
};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const NUMBER: &str = "+4915112344567";
const PIN: &str = "7305918264";
const WRONG_PIN: &str = "5820461937";
const PW: [&str; 5] = [
    "Amber-First-Pass-1!",
    "Amber-Second-Pass-2!",
    "Amber-Third-Pass-3!",
    "Amber-Fourth-Pass-4!",
    "Alice-Wrong-Guess-9!",
];
const BOB_PASSWORD: &str = "Blue-Invited-Pass-5!";

/// What the outbox files exist to carry.
const DELIVERED: [&str; 5] = ["sms-code:", "reset-link:", "reset-sms:", "invite:", "link:"];

/// One scenario's world: where its data lives, how its commands are run, what it collected.
struct World {
    root: PathBuf,
    data: PathBuf,
    database_url: Option<String>,
    log_format: &'static str,
    /// (what, text, secrets it may carry) of each CLI run's stdout and stderr.
    cli: Vec<(String, String, Vec<String>)>,
}

impl World {
    /// `portcullis ARGS` on this world's data and database, at trace level; kept for the search.
    async fn cli(&mut self, args: &[&str], stdin: &str, stdout_may_carry: &[&str]) -> String {
        let data = self.data.to_str().unwrap().to_owned();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", &data, "--log-format", self.log_format]);
        if let Some(url) = &self.database_url {
            all.extend(["--database-url", url]);
        }
        let mut cmd = command(BIN, &all);
        cmd.current_dir(&self.root).env("RUST_LOG", "trace");
        let exit = finish(cmd, stdin.as_bytes()).await;
        assert_eq!(exit.code, Some(0), "portcullis {args:?}: {exit:#?}");
        let what = format!("portcullis {}", args.join(" "));
        let allowed = stdout_may_carry.iter().map(|s| (*s).to_owned()).collect();
        self.cli
            .push((format!("stdout of {what}"), exit.stdout.clone(), allowed));
        self.cli
            .push((format!("stderr of {what}"), exit.stderr, Vec::new()));
        exit.stdout
    }
}

/// A RADIUS challenge answered with `code`: the State is noted as a secret. Retries the first
/// packet until the listener knows the client (it reloads them every 2 s).
async fn radius_sign_in(
    nas: &crate::harness::radius::Nas,
    s: &Secrets,
    secret: &str,
    password: &str,
    code: &str,
) {
    use crate::harness::radius::{access_request, answering, read_answer, read_challenge};
    use radius::core::code::Code;
    let first = access_request(secret, ALICE, password, true);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let answer = loop {
        if let Some(answer) = nas.ask(&first, Duration::from_millis(500)).await {
            break answer;
        }
        assert!(std::time::Instant::now() < deadline, "no RADIUS answer");
    };
    let (kind, _, state) = read_challenge(&answer, &first, secret);
    assert_eq!(kind, Code::AccessChallenge);
    let state = state.expect("a State");
    s.text(
        "radius-state",
        std::str::from_utf8(&state).expect("a text State"),
    );
    let second = answering(secret, ALICE, code, true, Some(&state));
    let answer = nas
        .ask(&second, Duration::from_secs(15))
        .await
        .expect("an answer");
    assert_eq!(read_answer(&answer, &second, secret).0, Code::AccessAccept);
}

/// An authenticator app: codes for successive time steps, each used once, as the server wants.
struct Authenticator {
    key: TotpSecret,
    last: Option<i64>,
}

impl Authenticator {
    async fn code(&mut self, secrets: &Secrets) -> String {
        let params = TotpParams::default();
        loop {
            let now = crate::harness::totp::unix_now();
            let current = now.div_euclid(params.period);
            // The server accepts the steps next to its own; a step later than the last used one
            // and not ahead of the next one works, also when a step boundary passes meanwhile.
            let step = self.last.map_or(current, |last| (last + 1).max(current));
            if step <= current + 1 {
                self.last = Some(step);
                let code = totp::code_at(&self.key, &params, step);
                secrets.text(&format!("totp-code:{step}"), &code);
                return code;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

fn value(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_owned()
}

/// The value of the hidden input `name` in a page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).expect("the hidden field") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// The token `/metrics` asks for: configured, sent on every scrape, never to be seen again.
const METRICS_TOKEN: &str = "scrape-me-Xv93kQ2mT7pL";

async fn scenario(backend: Backend, log_format: &'static str) {
    with_database_on(backend, move |url, folder, _| async move {
        let mut w = World {
            data: folder.join("data"),
            root: folder,
            database_url: (backend == Backend::Postgres).then_some(url),
            log_format,
            cli: Vec::new(),
        };
        run_every_flow_and_search(&mut w).await;
    })
    .await;
}

async fn run_every_flow_and_search(w: &mut World) {
    let s = Secrets::default();
    for (label, pw) in [
        ("password:owner", PASSWORD),
        ("password:agent", AGENT_PASSWORD),
        ("password:alice-1", PW[0]),
        ("password:alice-2", PW[1]),
        ("password:alice-3", PW[2]),
        ("password:alice-4", PW[3]),
        ("password:alice-wrong", PW[4]),
        ("password:bob", BOB_PASSWORD),
        ("pin", PIN),
        ("pin:wrong", WRONG_PIN),
    ] {
        s.text(label, pw);
    }

    // At the shell: the owner, a support agent, a service token for the mail server.
    w.cli(
        &["user", "create-owner", "--email", OWNER, "--password-stdin"],
        &format!("{PASSWORD}\n"),
        &[],
    )
    .await;
    w.cli(
        &[
            "support-agent",
            "create",
            "--email",
            AGENT,
            "--password-stdin",
        ],
        &format!("{AGENT_PASSWORD}\n"),
        &[],
    )
    .await;
    let service = w
        .cli(
            &["service-token", "create", "--name", "mail"],
            "",
            &["service-token"],
        )
        .await
        .trim()
        .to_owned();
    s.text("service-token", &service);

    let mut spec = Serve::new(&w.root, w.data.to_str().unwrap())
        .arg("--log-format")
        .arg(w.log_format)
        .arg("--radius-bind")
        .arg("127.0.0.1:0")
        .env("RUST_LOG", "trace")
        .env("PORTCULLIS_OPEN_REGISTRATION", "true")
        .env("PORTCULLIS_METRICS_TOKEN", METRICS_TOKEN);
    s.text("metrics-token", METRICS_TOKEN);
    spec.database_url = w.database_url.clone();
    let server = Server::start(spec).await;
    let logs = server.stderr.clone();
    let api = Recorder::new(server.url());
    let data = w.data.clone();
    let mut seen = Vec::new();

    // Sign-up, login, password change.
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/signup",
            None,
            Some(&json!({"email": ALICE, "password": PW[0]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let alice = login(&api, &s, ALICE, PW[0], "session:alice-1").await;
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/login",
            None,
            Some(&json!({"username": ALICE, "password": PW[4]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "a wrong password");
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&alice),
            Some(&json!({"old_password": PW[0], "new_password": PW[1]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let alice = login(&api, &s, ALICE, PW[1], "session:alice-2").await;

    // A mobile number, verified with the code the SMS brings.
    let (st, _) = api
        .call(
            Method::PUT,
            "/api/v1/me/phone",
            Some(&alice),
            Some(&json!({"number": NUMBER})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let sms = next_message(&data, "sms", NUMBER, &mut seen, |m| {
        m["kind"] == "phone_code"
    })
    .await;
    let code = six_digits(&sms);
    s.text("sms-code:verify", &code);
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/me/phone/verify",
            Some(&alice),
            Some(&json!({"code": code})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // The support PIN, and an agent's checks (right, then wrong). A PIN sent as a number must
    // not come back in the error that refuses it.
    let (st, _) = api
        .raw(
            Method::PUT,
            "/api/v1/me/support-pin",
            Some(&alice),
            &format!(r#"{{"pin": {PIN}, "password": "{}"}}"#, PW[1]),
        )
        .await;
    assert!(st.is_client_error(), "{st}");
    let (st, _) = api
        .raw(
            Method::POST,
            "/api/v1/login",
            None,
            &format!(r#"{{"username": "{ALICE}", "password": ["{}"]}}"#, PW[1]),
        )
        .await;
    assert!(st.is_client_error(), "{st}");
    let (st, _) = api
        .call(
            Method::PUT,
            "/api/v1/me/support-pin",
            Some(&alice),
            Some(&json!({"pin": PIN, "password": PW[1]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let agent = login(&api, &s, AGENT, AGENT_PASSWORD, "session:agent").await;
    for (pin, matched) in [(PIN, true), (WRONG_PIN, false)] {
        let (st, body) = api
            .call(
                Method::POST,
                "/api/v1/support/verify-pin",
                Some(&agent),
                Some(&json!({"email": ALICE, "pin": pin})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["match"], matched, "{body}");
    }

    // An OIDC client (Alice owns her contract): its secret, and a new one.
    let client = json!({"name": "Grafana", "redirect_uris": ["https://grafana.example.com/cb"]});
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/oidc/clients",
            Some(&alice),
            Some(&client),
            &["oidc-client-secret:1"],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    s.text("oidc-client-secret:1", &value(&body, "client_secret"));
    let client_id = value(&body, "client_id");
    let (st, body) = api
        .call(
            Method::POST,
            &format!("/api/v1/oidc/clients/{client_id}/secret"),
            Some(&alice),
            None,
            &["oidc-client-secret:2"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    s.text("oidc-client-secret:2", &value(&body, "client_secret"));

    // An app password, used by the mail server.
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/me/app-passwords",
            Some(&alice),
            Some(&json!({"name": "Thunderbird", "password": PW[1]})),
            &["app-password"],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let app_password = value(&body, "password");
    s.grouped("app-password", &app_password);
    assert!(app_auth(&api, &service, &app_password).await);
    assert!(
        app_auth(&api, &service, PW[1]).await,
        "no 2FA yet: the account password works"
    );

    // TOTP: enrolment, its QR code, activation, the emergency kit.
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/me/totp",
            Some(&alice),
            Some(&json!({})),
            &["totp-key"],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let key = totp::base32_decode(&value(&body, "secret")).expect("base32");
    s.bytes("totp-key", &key, Some(value(&body, "secret")));
    let mut app = Authenticator {
        key: TotpSecret::from_bytes(key),
        last: None,
    };
    let (st, _) = api
        .call(
            Method::GET,
            "/api/v1/me/totp/qr.png",
            Some(&alice),
            None,
            &["totp-key"],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let code = app.code(&s).await;
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/me/totp/activate",
            Some(&alice),
            Some(&json!({"password": PW[1], "code": code})),
            &["recovery-1:"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let first_codes = codes(&s, &body, "recovery-1");
    let (st, _) = api
        .call(
            Method::GET,
            "/api/v1/me/emergency-kit.pdf",
            Some(&alice),
            None,
            &["recovery-1:", "totp-key"],
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // The second step: by TOTP, by a recovery code.
    let ticket = second_factor(&api, &s, PW[1], "ticket:1").await;
    let code = app.code(&s).await;
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/login/totp",
            None,
            Some(&json!({"login_ticket": ticket, "code": code})),
            &["session:alice-3"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    s.text("session:alice-3", &value(&body, "token"));
    let ticket = second_factor(&api, &s, PW[1], "ticket:2").await;
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/login/recovery",
            None,
            Some(&json!({"login_ticket": ticket, "code": first_codes[0]})),
            &["session:alice-4"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let alice = value(&body, "token");
    s.text("session:alice-4", &alice);

    // New recovery codes, and their kit.
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/me/recovery-codes",
            Some(&alice),
            Some(&json!({"password": PW[1]})),
            &["recovery-2:"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let second_codes = codes(&s, &body, "recovery-2");
    let (st, _) = api
        .call(
            Method::GET,
            "/api/v1/me/emergency-kit.pdf",
            Some(&alice),
            None,
            &["recovery-2:", "totp-key"],
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // With 2FA, only the app password passes `/app-auth`.
    assert!(app_auth(&api, &service, &app_password).await);
    assert!(!app_auth(&api, &service, PW[1]).await);

    // Push: pairing, then a sign-in approved on the device.
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/me/push-devices",
            Some(&alice),
            Some(&json!({"name": "Phone", "password": PW[1]})),
            &["pairing-code"],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let pairing = code_of(&value(&body, "pairing_uri"));
    s.text("pairing-code", &pairing);
    let mut device = Device::new();
    s.bytes("device-private-key", &device.key.to_bytes(), None);
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/push/pair",
            None,
            Some(&json!({"code": pairing, "public_key": device.public_key(), "name": "Phone"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    device.id = value(&body, "device_id");
    let ticket = second_factor(&api, &s, PW[1], "ticket:3").await;
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/login/push",
            None,
            Some(&json!({"login_ticket": ticket})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let challenge = value(&body, "challenge_id");
    let number = body["number"].as_i64().unwrap();
    let remote = companion::detached(api.base.clone(), api.http.clone());
    let listed = device
        .send(
            &remote,
            Method::GET,
            "/api/v1/push/device/challenges?wait=5",
            None,
            &Signing::default(),
        )
        .await;
    let (st, _) = api
        .keep("GET /api/v1/push/device/challenges", listed, &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    let answer = device
        .send(
            &remote,
            Method::POST,
            &format!("/api/v1/push/device/challenges/{challenge}"),
            Some(&json!({"decision": "approve", "number": number})),
            &Signing::default(),
        )
        .await;
    let (st, _) = api
        .keep("POST /api/v1/push/device/challenges/{id}", answer, &[])
        .await;
    assert!(st.is_success(), "{st}");
    let (st, body) = api
        .call(
            Method::GET,
            &format!("/api/v1/login/push/{challenge}?login_ticket={ticket}&wait=5"),
            None,
            None,
            &["session:push"],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["status"], "approved", "{body}");
    s.text("session:push", &value(&body, "token"));

    // `/validate` for a VPN gateway: a TOTP code (the next step: this may wait for the clock),
    // a recovery code.
    let code = app.code(&s).await;
    for code in [code, second_codes[0].clone()] {
        let (st, body) = api
            .call(
                Method::POST,
                "/api/v1/validate",
                Some(&service),
                Some(&json!({"username": ALICE, "code": code, "client_ip": "203.0.113.9"})),
                &[],
            )
            .await;
        assert_eq!((st, &body["ok"]), (StatusCode::OK, &json!(true)), "{body}");
    }

    // RADIUS, as a VPN asks over UDP: a client made at the shell (its shared secret alone on
    // stdout), the password in one packet, the Access-Challenge's State, a recovery code in the
    // second packet.
    let radius_secret = w
        .cli(
            &[
                "radius-client",
                "add",
                "--contract-of",
                ALICE,
                "--name",
                "vpn",
                "--address",
                "127.0.0.1",
                "--mode",
                "challenge",
            ],
            "",
            &["radius-secret"],
        )
        .await
        .trim()
        .to_owned();
    s.text("radius-secret", &radius_secret);
    w.cli(&["radius-client", "list"], "", &[]).await;
    let nas = crate::harness::radius::Nas::at(server.radius_addr.expect("RADIUS listens")).await;
    radius_sign_in(&nas, &s, &radius_secret, PW[1], &second_codes[2]).await;

    // Password reset: by the emailed link (used twice: the second time refused), then by the
    // code sent by SMS to the verified number.
    request_reset(&api).await;
    let mail = next_message(&data, "email", ALICE, &mut seen, |m| {
        m["kind"] == "password_reset"
    })
    .await;
    let token = after(&mail, "/reset?token=").pop().expect("a reset link");
    s.text("reset-link:1", &token);
    let sms = next_message(&data, "sms", NUMBER, &mut seen, |m| {
        m["kind"] == "reset_code"
    })
    .await;
    s.text("reset-sms:1", &six_digits(&sms));
    for expected in [StatusCode::NO_CONTENT, StatusCode::BAD_REQUEST] {
        let (st, body) = api
            .call(
                Method::POST,
                "/api/v1/password-reset/complete",
                None,
                Some(&json!({"token": token, "new_password": PW[2]})),
                &[],
            )
            .await;
        assert_eq!(st, expected, "{body}");
    }
    request_reset(&api).await;
    let mail = next_message(&data, "email", ALICE, &mut seen, |m| {
        m["kind"] == "password_reset"
    })
    .await;
    s.text(
        "reset-link:2",
        &after(&mail, "/reset?token=").pop().expect("a reset link"),
    );
    let sms = next_message(&data, "sms", NUMBER, &mut seen, |m| {
        m["kind"] == "reset_code"
    })
    .await;
    let code = six_digits(&sms);
    s.text("reset-sms:2", &code);
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/password-reset/complete",
            None,
            Some(&json!({"username": ALICE, "sms_code": code, "new_password": PW[3]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");

    // Lost phone: a recovery code removes 2FA and signs in.
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/recover",
            None,
            Some(&json!({"username": ALICE, "password": PW[3], "recovery_code": second_codes[1]})),
            &["session:recover"],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let alice = value(&body, "token");
    s.text("session:recover", &alice);

    // An invitation: the owner invites Bob, who sets his password on the linked page.
    let owner = login(&api, &s, OWNER, PASSWORD, "session:owner").await;
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&owner),
            Some(&json!({"email": BOB})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let mail = next_message(&data, "email", BOB, &mut seen, |m| {
        m["kind"] == "invitation"
    })
    .await;
    let invite = after(&mail, "/invite?token=")
        .pop()
        .expect("an invitation link");
    s.text("invite:bob", &invite);
    let page = api
        .http
        .get(format!("{}/invite?token={invite}", api.base))
        .send()
        .await
        .unwrap();
    let (st, html) = api.keep("GET /invite", page, &["invite:bob"]).await;
    assert_eq!(st, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    let form = api
        .http
        .post(format!("{}/invite", api.base))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("token", hidden(&html, "token").as_str()),
            ("password", BOB_PASSWORD),
            ("password_confirm", BOB_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let (st, _) = api.keep("POST /invite", form, &[]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let bob = login(&api, &s, BOB, BOB_PASSWORD, "session:bob").await;

    // What people and administrators read back.
    for (path, token) in [
        ("/api/v1/me", &alice),
        ("/api/v1/me/sessions", &alice),
        ("/api/v1/me/audit?limit=200", &alice),
        ("/api/v1/me/app-passwords", &alice),
        ("/api/v1/me/push-devices", &alice),
        ("/api/v1/me", &bob),
        ("/api/v1/users", &owner),
        ("/api/v1/me/audit?limit=200", &owner),
        ("/api/v1/contract", &owner),
    ] {
        let (st, body) = api.call(Method::GET, path, Some(token), None, &[]).await;
        assert_eq!(st, StatusCode::OK, "{path}: {body}");
    }
    let (st, _) = api.call(Method::GET, "/metrics", None, None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = api
        .call(Method::GET, "/metrics", Some(METRICS_TOKEN), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK);

    // Every link in every delivered email (security notices carry "this wasn't me" links).
    settle_outbox(&data).await;
    for (n, m) in crate::secrets_support::messages(&data, "email")
        .iter()
        .enumerate()
    {
        let text = format!(
            "{} {}",
            m["body"].as_str().unwrap_or(""),
            m["html"].as_str().unwrap_or("")
        );
        for (k, token) in after(&text, "token=").iter().enumerate() {
            let token = token.trim_end_matches([')', '.', ',']);
            if token.len() >= 20 && !s.has(token) {
                s.text(&format!("link:{n}-{k}"), token);
            }
        }
    }
    // The outbox's own view for developers shows the start of each SMS: a delivery view.
    w.cli(&["outbox", "list"], "", &DELIVERED).await;
    w.cli(&["user", "list"], "", &[]).await;
    w.cli(&["service-token", "list"], "", &[]).await;
    let made = w
        .cli(
            &[
                "oidc-client",
                "create",
                "--contract-of",
                ALICE,
                "--name",
                "Nextcloud",
                "--redirect-uri",
                "https://cloud.example.com/apps/oidc_login/oidc",
                "--json",
            ],
            "",
            &["oidc-client-secret:3"],
        )
        .await;
    let made: Value = serde_json::from_str(made.trim()).expect("--json");
    s.text("oidc-client-secret:3", &value(&made, "client_secret"));
    w.cli(&["oidc-client", "list"], "", &[]).await;

    // The master key: only in master.key.
    let key_file = std::fs::read_to_string(data.join("master.key")).expect("DATA/master.key");
    for (n, line) in key_file
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        s.text(&format!("master-key:{n}"), line);
        let raw = STANDARD.decode(line).expect("base64");
        s.bytes(&format!("master-key-bytes:{n}"), &raw, None);
    }

    // The search.
    let secrets = s.all();
    let mut hits: Vec<Hit> = Vec::new();
    let running = data_folder(&data);
    let (_, status) = server.terminate().await;
    assert!(status.success(), "{status}");
    let stopped = data_folder(&data);
    for (when, files) in [("while serving", &running), ("after stopping", &stopped)] {
        for (path, bytes) in files {
            let place = format!("{} ({when})", path.strip_prefix(&data).unwrap().display());
            let allowed: Vec<String> = if path.starts_with(data.join("outbox")) {
                DELIVERED.iter().map(|s| (*s).to_owned()).collect()
            } else {
                Vec::new()
            };
            hits.extend(scan(&place, bytes, &secrets, &allowed));
        }
    }
    let log = logs.lines().join("\n");
    hits.extend(scan("the server's log", log.as_bytes(), &secrets, &[]));
    for (what, text, allowed) in &w.cli {
        hits.extend(scan(what, text.as_bytes(), &secrets, allowed));
    }
    hits.extend(api.hits(&secrets));
    if let Some(url) = &w.database_url {
        let dump = crate::secrets_support::postgres_dump(url).await;
        hits.extend(scan("the PostgreSQL database", &dump, &secrets, &[]));
    }

    // The search must be able to find what it looks for: the key is in the answer that hands it
    // out, codes in the outbox files, and the log is at trace level.
    let enrolment = api.body_of("POST /api/v1/me/totp");
    assert!(!scan("enrolment", &enrolment, &secrets, &[]).is_empty());
    let outbox: Vec<u8> = running
        .iter()
        .filter(|(p, _)| p.starts_with(data.join("outbox").join("sms")))
        .flat_map(|(_, b)| b.clone())
        .collect();
    assert!(
        scan("sms outbox", &outbox, &secrets, &[])
            .iter()
            .any(|h| h.label == "sms-code:verify"),
        "the verification code is in the SMS outbox"
    );
    assert!(
        log.contains("TRACE") || log.contains("\"level\":\"TRACE\""),
        "the server logged at trace level"
    );
    assert!(data.join("master.key").is_file());
    assert!(secrets.len() > 50, "{} secrets noted", secrets.len());

    hits.sort_by(|a, b| (&a.label, &a.place).cmp(&(&b.label, &b.place)));
    let report: Vec<String> = hits.iter().map(ToString::to_string).collect();
    assert!(
        hits.is_empty(),
        "{} secrets found where they do not belong:\n{}",
        hits.len(),
        report.join("\n")
    );
}

/// Every file of the data folder except `master.key`, read now.
fn data_folder(data: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let files: Vec<(PathBuf, Vec<u8>)> = files_under(data)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "master.key"))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    assert!(!files.is_empty(), "the data folder has files");
    files
}

/// Waits until the delivery worker has written every queued message (the count stops growing).
async fn settle_outbox(data: &Path) {
    let count = || files_under(&data.join("outbox")).len();
    let mut last = count();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let now = count();
        if now == last {
            return;
        }
        last = now;
    }
}

async fn login(api: &Recorder, s: &Secrets, email: &str, password: &str, label: &str) -> String {
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/login",
            None,
            Some(&json!({"username": email, "password": password})),
            &[label],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok", "{body}");
    let token = value(&body, "token");
    s.text(label, &token);
    token
}

/// Alice's password step when she has 2FA: the ticket.
async fn second_factor(api: &Recorder, s: &Secrets, password: &str, label: &str) -> String {
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/login",
            None,
            Some(&json!({"username": ALICE, "password": password})),
            &[label],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "second_factor", "{body}");
    let ticket = value(&body, "login_ticket");
    s.text(label, &ticket);
    ticket
}

/// The recovery codes of an answer, noted as `set:0`, `set:1`, …
fn codes(s: &Secrets, body: &Value, set: &str) -> Vec<String> {
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap_or_else(|| panic!("no codes in {body}"))
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    for (n, code) in codes.iter().enumerate() {
        s.grouped(&format!("{set}:{n}"), code);
    }
    codes
}

async fn app_auth(api: &Recorder, service: &str, password: &str) -> bool {
    let (st, body) = api
        .call(
            Method::POST,
            "/api/v1/app-auth",
            Some(service),
            Some(&json!({"username": ALICE, "password": password, "client_ip": "203.0.113.7"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["ok"].as_bool().unwrap()
}

async fn request_reset(api: &Recorder) {
    let (st, _) = api
        .call(
            Method::POST,
            "/api/v1/password-reset",
            None,
            Some(&json!({"username": ALICE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn no_secret_leaks_on_sqlite_with_json_logs() {
    scenario(Backend::Sqlite, "json").await;
}

#[tokio::test]
async fn no_secret_leaks_on_sqlite_with_text_logs() {
    scenario(Backend::Sqlite, "text").await;
}

#[tokio::test]
async fn no_secret_leaks_on_postgres() {
    scenario(Backend::Postgres, "json").await;
}
