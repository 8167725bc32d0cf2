//! The sign-in an application asks for (`/login?next=…&acr=mfa|phr`), over plain HTTP with a
//! cookie-keeping client, on SQLite and PostgreSQL: a session strong enough goes straight on; a
//! weaker one is asked only for the missing factor (never the password) and leaves with a new,
//! stronger session while the old one ends; a person without a factor is led through the setup
//! first; a sign-in from scratch cannot end below the level; `next` may be an application's
//! address within `--cookie-domain` and nothing else; and a step-up abandoned by signing out
//! ends with its session.

use reqwest::header::{self, HeaderMap};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::harness::browser::{between, hidden_csrf, key_from_grouped};
use crate::harness::server::{PASSWORD, TestApp, TestEnv};
use crate::harness::totp::code;
use crate::harness::webauthn::{self, Authenticator};

const EMAIL: &str = "stepper@example.com";
/// An application behind the same parent domain: one sign-in covers it.
const APP: &str = "https://app.example.test/reports?tab=2";

async fn spawn(env: &TestEnv) -> TestApp {
    env.spawn_with(|a| {
        a.open_registration = Some(true);
        a.cookie_domain = Some("example.test".into());
    })
    .await
}

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The value `Set-Cookie` gives cookie `name` (empty when it forgets it), if it is set at all.
fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v[name.len() + 1..].split(';').next().unwrap().to_owned())
}

async fn get(http: &Client, app: &TestApp, path: &str) -> Response {
    http.get(app.url(path)).send().await.unwrap()
}

async fn text(http: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = get(http, app, path).await;
    (r.status(), r.text().await.unwrap())
}

/// Posts `fields` with the CSRF token of the page at `from`.
async fn post(
    http: &Client,
    app: &TestApp,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> Response {
    let (status, page) = text(http, app, from).await;
    assert_eq!(status, StatusCode::OK, "GET {from}: {page:.400}");
    let csrf = hidden_csrf(&page);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(to)).form(&form).send().await.unwrap()
}

/// The password step through the sign-in form, with `extra` fields (`next`, `acr`).
async fn password(http: &Client, app: &TestApp, extra: &[(&str, &str)]) -> Response {
    let mut fields = vec![("username", EMAIL), ("password", PASSWORD)];
    fields.extend_from_slice(extra);
    post(http, app, "/login", "/login", &fields).await
}

/// An account, and a browser signed in to it with the password alone.
async fn password_session(app: &TestApp) -> Client {
    assert_eq!(
        app.signup(EMAIL, PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let http = browser();
    let r = password(&http, app, &[]).await;
    assert_eq!(location(&r), "/account");
    http
}

/// Switches on the authenticator app from the security page of `http`'s session; its key.
async fn with_authenticator(app: &TestApp, http: &Client) -> String {
    let r = post(
        http,
        app,
        "/account/security",
        "/account/security/totp/start",
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(http, app, "/account/security/totp").await;
    let key = key_from_grouped(between(&page, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    // The step before now: the step-up's code that follows is the current one.
    let fields = [("password", PASSWORD), ("code", &code(&key, -1))];
    let r = post(
        http,
        app,
        "/account/security/totp",
        "/account/security/totp/activate",
        &fields,
    )
    .await;
    assert!(r.status().is_redirection() || r.status().is_success());
    key
}

/// The session token `http` holds, read back through the API's session list of `token`.
async fn how_signed_in(app: &TestApp, token: &str) -> Option<(Vec<String>, String)> {
    let r = app.get("/api/v1/me/sessions", Some(token)).await;
    if r.status() != StatusCode::OK {
        return None;
    }
    let list: Value = r.json().await.unwrap();
    let current = list["sessions"]
        .as_array()?
        .iter()
        .find(|s| s["current"] == true)?
        .clone();
    let amr = current["amr"]
        .as_array()?
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    Some((amr, current["acr"].as_str()?.to_owned()))
}

fn mfa(amr: &[&str]) -> Option<(Vec<String>, String)> {
    Some((
        amr.iter().map(|m| (*m).to_owned()).collect(),
        "mfa".to_owned(),
    ))
}

/// `/login?…` for `next` and `acr`, percent-encoded as a link would carry them.
fn login_for(next: &str, acr: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/login?next={next}&acr={acr}")
}

/// An account with a security key and the authenticator app, made through the API; the key's
/// secret stays in `key`, the app's key is returned.
async fn with_key_and_app(app: &TestApp, key: &mut Authenticator) -> String {
    let token = app.signed_in(EMAIL).await;
    let start: Value = app
        .post_json(
            "/api/v1/me/webauthn/registrations/start",
            &serde_json::json!({}),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    let answer = key.create(&webauthn::origin(app), &start["publicKey"]);
    let body = serde_json::json!({ "ceremony": start["ceremony"], "name": "YubiKey", "credential": answer });
    let r = app
        .post_json(
            "/api/v1/me/webauthn/registrations/finish",
            &body,
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let started: Value = app
        .post_json("/api/v1/me/totp", &serde_json::json!({}), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let secret = started["secret"].as_str().unwrap().to_owned();
    let body = serde_json::json!({ "password": PASSWORD, "code": code(&secret, -1) });
    let r = app
        .post_json("/api/v1/me/totp/activate", &body, Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    secret
}

on_both_backends! {
    async fn a_session_that_meets_the_level_goes_straight_on_and_others_hosts_are_ignored(env: TestEnv) {
        let app = spawn(&env).await;
        let http = password_session(&app).await;
        let r = get(&http, &app, "/login?next=/account/security%3Fx%3D1").await;
        assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/account/security?x=1".into()));
        let r = get(&http, &app, &login_for(APP, "pwd")).await;
        assert_eq!(location(&r), APP, "within the cookie domain");
        for evil in ["https://evil.test/", "https://app.example.test.evil.test/", "https://u:p@app.example.test/", "//evil.test/"] {
            let r = get(&http, &app, &login_for(evil, "pwd")).await;
            assert_eq!(location(&r), "/account", "{evil}");
        }
        // After a form post, the way to an application is a page of ours that goes on by itself.
        let fresh = browser();
        let r = password(&fresh, &app, &[("next", APP)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(cookie(r.headers(), "portcullis_session").is_some());
        let page = r.text().await.unwrap();
        let escaped = APP.replace('&', "&amp;");
        assert!(page.contains(&format!(r#"content="0; url={escaped}""#)) || page.contains(&format!(r#"content="0; url={APP}""#)), "{page}");
        assert!(page.contains(r#"id="continue-link""#));
    }

    async fn a_password_session_is_asked_only_for_the_code_and_leaves_with_a_stronger_one(env: TestEnv) {
        let app = spawn(&env).await;
        let http = password_session(&app).await;
        let key = with_authenticator(&app, &http).await;
        let r = get(&http, &app, &login_for("/account/security", "mfa")).await;
        assert_eq!(location(&r), "/login/step-up?acr=mfa&next=/account/security");
        let (status, page) = text(&http, &app, &location(&r)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("The application you are going to asks for two-factor authentication"));
        assert!(!page.contains(r#"name="password""#), "no password asked again");
        let r = post(&http, &app, "/login/step-up?acr=mfa&next=/account/security", "/login/step-up",
            &[("acr", "mfa"), ("next", "/account/security")]).await;
        assert_eq!(location(&r), "/login/code");
        let old = {
            // The old session's token, from a sign-in cookie the jar holds: ask the API with it.
            let r = get(&http, &app, "/login/code").await;
            assert_eq!(r.status(), StatusCode::OK, "the code page, although signed in");
            r.text().await.unwrap()
        };
        assert!(old.contains(r#"name="code""#));
        let r = post(&http, &app, "/login/code", "/login/code", &[("code", &code(&key, 0))]).await;
        assert_eq!(location(&r), "/account/security");
        let token = cookie(r.headers(), "portcullis_session").expect("a new session");
        assert_eq!(how_signed_in(&app, &token).await, mfa(&["pwd", "otp", "mfa"]));
        // Reloading the step-up, or asking again, goes straight on now.
        let r = get(&http, &app, "/login/step-up?acr=mfa&next=/account/security").await;
        assert_eq!(location(&r), "/account/security");
        let r = get(&http, &app, &login_for("/account/security", "mfa")).await;
        assert_eq!(location(&r), "/account/security");
        // The password session is gone: exactly one session is left, the stronger one.
        let list: Value = app.get("/api/v1/me/sessions", Some(&token)).await.json().await.unwrap();
        assert_eq!(list["sessions"].as_array().unwrap().len(), 1, "{list}");
        assert!(app.audit_types(&token).await.contains(&"login.step_up".to_owned()));
    }

    async fn a_person_without_a_factor_sets_one_up_then_goes_on_to_the_application(env: TestEnv) {
        let app = spawn(&env).await;
        let http = password_session(&app).await;
        let r = get(&http, &app, &login_for(APP, "mfa")).await;
        let step_up = location(&r);
        assert!(step_up.starts_with("/login/step-up?acr=mfa&next="), "{step_up}");
        let r = post(&http, &app, &step_up, "/login/step-up", &[("acr", "mfa"), ("next", APP)]).await;
        assert_eq!(location(&r), "/login/setup");
        let (status, page) = text(&http, &app, "/login/setup").await;
        assert_eq!(status, StatusCode::OK, "the setup, although signed in");
        assert!(page.contains(r#"id="app-asks""#), "the page says the application asks for it");
        assert!(!page.contains("Your administrator requires"));
        let key = key_from_grouped(between(&page, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
        let r = post(&http, &app, "/login/setup", "/login/setup", &[("code", &code(&key, 0))]).await;
        assert_eq!(location(&r), "/account/security/recovery-codes");
        let token = cookie(r.headers(), "portcullis_session").expect("a new session");
        assert_eq!(how_signed_in(&app, &token).await, mfa(&["pwd", "otp", "mfa"]));
        let (_, codes) = text(&http, &app, "/account/security/recovery-codes").await;
        assert!(codes.contains(r#"href="/login/setup""#), "the codes page continues through the setup");
        let r = get(&http, &app, "/login/setup").await;
        assert_eq!(location(&r), APP, "and on to the application");
    }

    async fn a_sign_in_from_scratch_cannot_end_below_the_level_asked(env: TestEnv) {
        let app = spawn(&env).await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let http = browser();
        let (_, page) = text(&http, &app, &login_for(APP, "mfa")).await;
        assert!(page.contains(r#"name="acr" value="mfa""#), "{page:.300}");
        assert!(page.contains(r#"id="acr-lead""#));
        let r = password(&http, &app, &[("next", APP), ("acr", "mfa")]).await;
        assert_eq!(location(&r), "/login/setup", "no session from the password alone");
        assert!(cookie(r.headers(), "portcullis_session").is_none());
        // A made-up level asks for nothing more.
        let other = browser();
        let r = password(&other, &app, &[("acr", "aal3")]).await;
        assert_eq!(location(&r), "/account");
    }

    async fn a_key_is_required_when_the_application_asks_for_phr(env: TestEnv) {
        let app = spawn(&env).await;
        let http = password_session(&app).await;
        let key = with_authenticator(&app, &http).await;
        let r = post(&http, &app, "/login/step-up?acr=phr", "/login/step-up", &[("acr", "phr"), ("next", "/account")]).await;
        assert_eq!(location(&r), "/login/setup", "an authenticator app does not reach phr");
        let r = get(&http, &app, "/login/setup").await;
        assert_eq!(location(&r), "/login/setup/key?only=1");
        let (_, page) = text(&http, &app, "/login/setup/key?only=1").await;
        assert!(page.contains(r#"id="app-asks""#));
        // The code page refuses its code for this sign-in: the ticket is for a key.
        let r = post(&http, &app, "/login/setup/key?only=1", "/login/code", &[("code", &code(&key, 0))]).await;
        assert!(cookie(r.headers(), "portcullis_session").is_none(), "no session from a code");
    }

    async fn signing_out_meanwhile_ends_the_step_up(env: TestEnv) {
        let app = spawn(&env).await;
        let http = password_session(&app).await;
        let key = with_authenticator(&app, &http).await;
        let r = post(&http, &app, "/login/step-up?acr=mfa", "/login/step-up", &[("acr", "mfa")]).await;
        assert_eq!(location(&r), "/login/code");
        let (_, code_page) = text(&http, &app, "/login/code").await;
        let csrf = hidden_csrf(&code_page);
        // Another tab signs out.
        let r = post(&http, &app, "/account", "/logout", &[]).await;
        assert_eq!(location(&r), "/login?done=signed_out");
        let r = http.post(app.url("/login/code")).form(&[("csrf", csrf.as_str()), ("code", &code(&key, 0))]).send().await.unwrap();
        assert!(cookie(r.headers(), "portcullis_session").is_none_or(|v| v.is_empty()), "no session after signing out");
        assert!(location(&r).starts_with("/login"), "back to the sign-in: {}", location(&r));
        // A step-up without a session starts with the password, keeping where to go.
        let r = get(&http, &app, "/login/step-up?acr=mfa&next=/account/security").await;
        assert_eq!(location(&r), "/login?acr=mfa&next=/account/security");
    }

    async fn a_code_cannot_finish_a_sign_in_that_asked_for_a_key(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.public_url = Some("http://localhost:0".to_owned());
        }).await;
        let mut yubikey = Authenticator::security_key();
        let secret = with_key_and_app(&app, &mut yubikey).await;
        let http = browser();
        let r = password(&http, &app, &[("acr", "phr")]).await;
        assert_eq!(location(&r), "/login/code");
        assert_eq!(location(&get(&http, &app, "/login/code").await), "/login/key", "the key page first");
        // Sent anyway, the app's code opens no session: the ticket asked for a key.
        let r = post(&http, &app, "/login/key", "/login/code", &[("code", &code(&secret, 0))]).await;
        assert!(cookie(r.headers(), "portcullis_session").is_none(), "no session from a code");
        // Without the level, the same code signs in: the refusal was the level's.
        let other = browser();
        let r = password(&other, &app, &[]).await;
        assert_eq!(location(&r), "/login/code");
        let r = post(&other, &app, "/login/code", "/login/code", &[("code", &code(&secret, 1))]).await;
        assert_eq!(location(&r), "/account");
        assert!(cookie(r.headers(), "portcullis_session").is_some());
    }

    async fn a_step_up_that_ran_out_of_time_can_simply_be_tried_again(env: TestEnv) {
        let app = spawn(&env).await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let r = password(&browser(), &app, &[]).await;
        let session = cookie(r.headers(), "portcullis_session").unwrap();
        // The browser after the ticket's cookie expired: the session, the step marker, the level
        // and the place to go are left (a bare client sends exactly these).
        let bare = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let jar = format!(
            "portcullis_session={session}; portcullis_step=code; portcullis_acr=mfa; portcullis_next=/account/security"
        );
        let send = |path: &str| bare.get(app.url(path)).header(header::COOKIE, jar.as_str()).send();
        let r = send("/login/code").await.unwrap();
        assert_eq!(location(&r), "/login?done=code_expired");
        let r = send("/login?done=code_expired").await.unwrap();
        assert_eq!(location(&r), "/login/step-up?done=expired&acr=mfa&next=/account/security");
        let page = send(&location(&r)).await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"id="step-up-expired""#), "{page:.500}");
        assert!(page.contains(r#"name="next" value="/account/security""#));
    }
}
