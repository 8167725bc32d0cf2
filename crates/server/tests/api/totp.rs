//! Authenticator-app 2FA through the real server, on SQLite and PostgreSQL, checked against
//! implementations we did not write: codes from `oathtool`, the QR code read by `zbarimg`, the
//! emergency kit read by `pdftotext`. Without those tools the tests say they are skipped, unless
//! `PORTCULLIS_REQUIRE_TOOLS=1` (as in CI).

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp::unix_now;

fn tool_available(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("PORTCULLIS_REQUIRE_TOOLS=1 but {name} is not installed");
        }
        eprintln!(
            "SKIPPED: {name} not found (Debian packages oathtool, zbar-tools, poppler-utils)"
        );
    }
    found
}

/// The code `oathtool` computes for `secret` at Unix time `at`.
fn oathtool(secret: &str, args: &[&str], at: i64) -> String {
    // `--totp` unless the caller chose a variant such as `--totp=sha256`.
    let mode: &[&str] = if args.iter().any(|a| a.starts_with("--totp")) {
        &[]
    } else {
        &["--totp"]
    };
    let out = Command::new("oathtool")
        .args(mode)
        .arg("-b")
        .args(args)
        .arg(format!("--now=@{at}"))
        .arg(secret)
        .output()
        .expect("oathtool runs");
    assert!(
        out.status.success(),
        "oathtool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A code for the current step, and one for the next (accepted now too: one step of drift).
fn code_now(secret: &str) -> String {
    oathtool(secret, &[], unix_now())
}
fn code_next(secret: &str) -> String {
    oathtool(secret, &[], unix_now() + 30)
}

fn run_tool(cmd: &str, args: &[&str], input: &[u8], ext: &str) -> String {
    let path = std::env::temp_dir().join(format!(
        "portcullis-{}.{ext}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, input).unwrap();
    let out = Command::new(cmd)
        .args(args)
        .arg(&path)
        .args(if cmd == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn post(app: &TestApp, path: &str, body: Value, token: &str) -> reqwest::Response {
    app.post_json(path, &body, Some(token)).await
}

/// Signs up, logs in, starts enrolment; returns (token, secret, start body).
async fn enrolled(app: &TestApp, email: &str) -> (String, String, Value) {
    let token = app.signed_in(email).await;
    let r = post(app, "/api/v1/me/totp", json!({}), &token).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    (token, body["secret"].as_str().unwrap().to_owned(), body)
}

/// A user with an active authenticator; returns (token, secret, recovery codes).
async fn activated(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
    let (token, secret, _) = enrolled(app, email).await;
    let r = post(
        app,
        "/api/v1/me/totp/activate",
        json!({ "password": PASSWORD, "code": code_now(&secret) }),
        &token,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let codes = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (token, secret, codes)
}

async fn ticket_for(app: &TestApp, email: &str) -> Value {
    let r = app.login(email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "second_factor", "{body}");
    assert!(
        body.get("token").is_none(),
        "no session before the second step"
    );
    body
}

async fn second_step(app: &TestApp, kind: &str, ticket: &str, code: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/login/{kind}"),
        &json!({ "login_ticket": ticket, "code": code }),
        None,
    )
    .await
}

on_both_backends! {
    async fn the_setup_assistant_activates_an_authenticator_and_login_then_asks_for_its_code(env: TestEnv) {
        if !tool_available("oathtool") || !tool_available("zbarimg") || !tool_available("pdftotext") {
            return;
        }
        let app = env.spawn().await;
        let (token, secret, start) = enrolled(&app, "alice@example.com").await;
        let elsewhere = app.token_for("alice@example.com", PASSWORD).await;

        assert_eq!(secret.len(), 32, "160 bits in base32");
        let uri = start["otpauth_uri"].as_str().unwrap();
        assert_eq!(
            uri,
            format!("otpauth://totp/Portcullis:alice%40example.com?secret={secret}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30")
        );
        assert!(start["qr_svg"].as_str().unwrap().contains("<svg"));
        let png = app.get("/api/v1/me/totp/qr.png", Some(&token)).await;
        assert_eq!(png.headers()["content-type"], "image/png");
        let decoded = run_tool("zbarimg", &["--raw", "-q"], &png.bytes().await.unwrap(), "png");
        assert_eq!(decoded.trim(), uri, "the QR code holds the key URI");

        // Nothing changes until activation.
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"]["enabled"], false);
        assert_eq!(app.login("alice@example.com", PASSWORD).await.json::<Value>().await.unwrap()["status"], "ok");

        let wrong_password = post(&app, "/api/v1/me/totp/activate", json!({ "password": "Wrong-Pass-1", "code": code_now(&secret) }), &token).await;
        assert_eq!(error_code(wrong_password).await, (StatusCode::FORBIDDEN, "invalid_password".to_owned()));
        let wrong_code = post(&app, "/api/v1/me/totp/activate", json!({ "password": PASSWORD, "code": "000000" }), &token).await;
        assert_eq!(error_code(wrong_code).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code".to_owned()));
        assert_eq!(app.me(&token).await.json::<Value>().await.unwrap()["two_factor"]["enabled"], false);

        let r = post(&app, "/api/v1/me/totp/activate", json!({ "password": PASSWORD, "code": code_now(&secret) }), &token).await;
        assert_eq!(r.status(), StatusCode::OK);
        let codes: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 19 && c.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))), "{codes:?}");

        // Other clients (mail apps included) must log in again; this one stays.
        assert_eq!(app.me(&elsewhere).await.status(), StatusCode::UNAUTHORIZED);
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"], json!({ "enabled": true, "methods": ["totp", "recovery_code"], "forced": false, "recovery_codes_left": 10 }));

        // The emergency kit: a real PDF whose text holds the codes and the key.
        let kit = app.get("/api/v1/me/emergency-kit.pdf", Some(&token)).await;
        assert_eq!(kit.status(), StatusCode::OK);
        assert_eq!(kit.headers()["content-type"], "application/pdf");
        let text = run_tool("pdftotext", &["-layout"], &kit.bytes().await.unwrap(), "pdf");
        assert!(text.contains("alice@example.com") && text.contains(&app.base), "{text}");
        for code in &codes {
            assert!(text.contains(code.as_str()), "{code} missing from the kit");
        }
        let grouped: Vec<String> = secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        assert!(text.contains(&grouped.join(" ")), "the key grouped in fours");

        // Login now takes two steps.
        let step = ticket_for(&app, "alice@example.com").await;
        assert_eq!(step["methods"], json!(["totp", "recovery_code"]));
        let ticket = step["login_ticket"].as_str().unwrap();
        let next = code_next(&secret);
        let r = second_step(&app, "totp", ticket, &next).await;
        assert_eq!(r.status(), StatusCode::OK);
        let session: Value = r.json().await.unwrap();
        assert_eq!(session["status"], "ok");
        assert_eq!(app.me(session["token"].as_str().unwrap()).await.status(), StatusCode::OK);

        // The same code never works twice, and the used ticket is gone.
        let again = ticket_for(&app, "alice@example.com").await;
        let r = second_step(&app, "totp", again["login_ticket"].as_str().unwrap(), &next).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        let r = second_step(&app, "totp", ticket, &code_next(&secret)).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()));

        let types = app.audit_types(&token).await;
        for t in ["totp.enrolled", "totp.activated", "login.second_factor.success", "login.second_factor.failure"] {
            assert!(types.contains(&t.to_owned()), "{t} missing from {types:?}");
        }
    }

    async fn starting_again_replaces_the_pending_secret(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (token, first, _) = enrolled(&app, "bob@example.com").await;
        let second: Value = post(&app, "/api/v1/me/totp", json!({}), &token).await.json().await.unwrap();
        let second = second["secret"].as_str().unwrap().to_owned();
        assert_ne!(first, second);
        let r = post(&app, "/api/v1/me/totp/activate", json!({ "password": PASSWORD, "code": code_now(&first) }), &token).await;
        assert_eq!(error_code(r).await.1, "invalid_code");
        let r = post(&app, "/api/v1/me/totp/activate", json!({ "password": PASSWORD, "code": code_now(&second) }), &token).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = post(&app, "/api/v1/me/totp", json!({}), &token).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "totp_already_active".to_owned()));
    }

    async fn sixty_second_eight_digit_sha256_codes_work_as_oathtool_makes_them(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let token = app.signed_in("carol@example.com").await;
        let r = post(&app, "/api/v1/me/totp", json!({ "period": 60, "digits": 8, "algorithm": "SHA256" }), &token).await;
        let body: Value = r.json().await.unwrap();
        assert!(body["otpauth_uri"].as_str().unwrap().ends_with("&algorithm=SHA256&digits=8&period=60"));
        let secret = body["secret"].as_str().unwrap();
        let code = oathtool(secret, &["--totp=sha256", "-d", "8", "-s", "60"], unix_now());
        assert_eq!(code.len(), 8);
        let r = post(&app, "/api/v1/me/totp/activate", json!({ "password": PASSWORD, "code": code }), &token).await;
        assert_eq!(r.status(), StatusCode::OK);
        for bad in [json!({ "period": 45 }), json!({ "digits": 7 }), json!({ "algorithm": "MD5" })] {
            let other = app.signed_in("dave@example.com").await;
            let (status, code) = error_code(post(&app, "/api/v1/me/totp", bad.clone(), &other).await).await;
            assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{bad}");
        }
    }

    async fn five_wrong_codes_kill_the_ticket(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (_, secret, _) = activated(&app, "erin@example.com").await;
        let step = ticket_for(&app, "erin@example.com").await;
        let ticket = step["login_ticket"].as_str().unwrap();
        for _ in 0..5 {
            let r = second_step(&app, "totp", ticket, "000000").await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        }
        let r = second_step(&app, "totp", ticket, &code_next(&secret)).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()));
        // Starting over with the password works, and the wrong codes counted towards the account:
        // five more failures lock it (ten in all).
        for _ in 0..5 {
            app.login("erin@example.com", "Wrong-Password-1").await;
        }
        assert_eq!(app.login("erin@example.com", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn sixteen_concurrent_submissions_of_one_code_succeed_exactly_once(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let a = env.spawn().await;
        let b = env.spawn().await;
        let (_, secret, _) = activated(&a, "frank@example.com").await;
        let mut tickets = Vec::new();
        for _ in 0..16 {
            tickets.push(ticket_for(&a, "frank@example.com").await["login_ticket"].as_str().unwrap().to_owned());
        }
        let code = code_next(&secret);
        let mut attempts = tokio::task::JoinSet::new();
        for (i, ticket) in tickets.into_iter().enumerate() {
            // Half the requests go to another node sharing the database.
            let node = if i % 2 == 0 { &a } else { &b };
            let request = node.client.post(node.url("/api/v1/login/totp")).json(&json!({ "login_ticket": ticket, "code": code }));
            attempts.spawn(async move { request.send().await.unwrap().status() });
        }
        let statuses = attempts.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        // Each replay is a counted failure: once ten of them follow the success (which cleared
        // the counter), the account throttle answers the rest with 429 before looking at the code.
        let refused = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(refused + throttled, 15, "{statuses:?}");
        assert!(refused >= 10, "{statuses:?}");
    }

    async fn each_recovery_code_completes_one_login(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (token, _, codes) = activated(&app, "grace@example.com").await;
        let ticket = ticket_for(&app, "grace@example.com").await["login_ticket"].as_str().unwrap().to_owned();
        let spaced = codes[3].replace('-', " ");
        let r = second_step(&app, "recovery", &ticket, &spaced).await;
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
        let ticket = ticket_for(&app, "grace@example.com").await["login_ticket"].as_str().unwrap().to_owned();
        let r = second_step(&app, "recovery", &ticket, &codes[3]).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"]["recovery_codes_left"], 9);
        assert!(app.audit_types(&token).await.contains(&"recovery.used".to_owned()));
    }

    async fn new_recovery_codes_void_the_old_ones(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (token, _, old) = activated(&app, "heidi@example.com").await;
        let r = post(&app, "/api/v1/me/recovery-codes", json!({ "password": "Wrong-Pass-1" }), &token).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "invalid_password".to_owned()));
        let r = post(&app, "/api/v1/me/recovery-codes", json!({ "password": PASSWORD }), &token).await;
        let new: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_eq!(new.len(), 10);
        assert!(new.iter().all(|c| !old.contains(c)));
        let ticket = ticket_for(&app, "heidi@example.com").await["login_ticket"].as_str().unwrap().to_owned();
        assert_eq!(second_step(&app, "recovery", &ticket, &old[0]).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(second_step(&app, "recovery", &ticket, &new[0]).await.status(), StatusCode::OK);
        assert!(app.audit_types(&token).await.contains(&"recovery.regenerated".to_owned()));
    }

    async fn a_recovery_code_removes_two_factor_from_a_lost_phone_account(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (old_session, _, codes) = activated(&app, "ivan@example.com").await;
        let recover = |password: &str, code: &str| {
            let body = json!({ "username": "ivan@example.com", "password": password, "recovery_code": code });
            app.client.post(app.url("/api/v1/recover")).json(&body).send()
        };
        assert_eq!(error_code(recover("Wrong-Pass-1", &codes[0]).await.unwrap()).await.1, "invalid_credentials");
        assert_eq!(error_code(recover(PASSWORD, "1111-2222-3333-4444").await.unwrap()).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        let r = recover(PASSWORD, &codes[0]).await.unwrap();
        let body: Value = r.json().await.unwrap();
        let token = body["token"].as_str().expect("logged in").to_owned();
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"], json!({ "enabled": false, "methods": [], "forced": false, "recovery_codes_left": 0 }));
        assert_eq!(app.me(&old_session).await.status(), StatusCode::UNAUTHORIZED, "every other session ends");
        assert_eq!(app.login("ivan@example.com", PASSWORD).await.json::<Value>().await.unwrap()["status"], "ok");
        assert_eq!(error_code(recover(PASSWORD, &codes[1]).await.unwrap()).await.1, "invalid_code", "all codes are gone");
        assert!(app.audit_types(&token).await.contains(&"two_factor.removed_by_recovery".to_owned()));
    }

    async fn deactivation_needs_the_password_and_ends_other_sessions(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (token, secret, _) = activated(&app, "judy@example.com").await;
        let ticket = ticket_for(&app, "judy@example.com").await["login_ticket"].as_str().unwrap().to_owned();
        let other: Value = second_step(&app, "totp", &ticket, &code_next(&secret)).await.json().await.unwrap();
        let other = other["token"].as_str().unwrap().to_owned();
        let delete = |password: &str| app.client.delete(app.url("/api/v1/me/totp")).bearer_auth(&token).json(&json!({ "password": password })).send();
        assert_eq!(error_code(delete("Wrong-Pass-1").await.unwrap()).await, (StatusCode::FORBIDDEN, "invalid_password".to_owned()));
        assert_eq!(delete(PASSWORD).await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&other).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.me(&token).await.json::<Value>().await.unwrap()["two_factor"]["enabled"], false);
        assert_eq!(app.login("judy@example.com", PASSWORD).await.json::<Value>().await.unwrap()["status"], "ok");
        assert_eq!(error_code(delete(PASSWORD).await.unwrap()).await, (StatusCode::CONFLICT, "two_factor_not_enabled".to_owned()));
        assert!(app.audit_types(&token).await.contains(&"totp.deactivated".to_owned()));
    }

    async fn the_emergency_kit_is_only_for_the_activating_session(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let token = app.signed_in("ken@example.com").await;
        let r = app.get("/api/v1/me/emergency-kit.pdf", Some(&token)).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "emergency_kit_unavailable".to_owned()));
        let (token, secret, codes) = activated(&app, "leo@example.com").await;
        assert!(app.get("/api/v1/me/emergency-kit.pdf", Some(&token)).await.bytes().await.unwrap().starts_with(b"%PDF"));
        let ticket = ticket_for(&app, "leo@example.com").await["login_ticket"].as_str().unwrap().to_owned();
        let other: Value = second_step(&app, "totp", &ticket, &code_next(&secret)).await.json().await.unwrap();
        let r = app.get("/api/v1/me/emergency-kit.pdf", Some(other["token"].as_str().unwrap())).await;
        assert_eq!(error_code(r).await.1, "emergency_kit_unavailable");
        assert_eq!(codes.len(), 10);
    }

    async fn secrets_and_codes_never_rest_in_clear_in_the_data_folder(env: TestEnv) {
        if !tool_available("oathtool") { return; }
        let app = env.spawn().await;
        let (_, secret, codes) = activated(&app, "mia@example.com").await;
        app.shutdown().await;
        let raw = portcullis_core::totp::base32_decode(&secret).unwrap();
        let digits: Vec<String> = codes.iter().map(|c| c.replace('-', "")).collect();
        for entry in walk(&env.data) {
            let bytes = std::fs::read(&entry).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!bytes.windows(raw.len()).any(|w| w == raw.as_slice()), "raw secret in {entry:?}");
            assert!(!text.contains(&secret), "base32 secret in {entry:?}");
            assert!(!text.contains(PASSWORD), "password in {entry:?}");
            for d in &digits {
                assert!(!text.contains(d.as_str()), "recovery code in {entry:?}");
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
