//! How a session signed in, as `GET /api/v1/me/sessions` shows it: the RFC 8176 `amr` of each
//! way in (password alone, with the authenticator app, a recovery code, a key, a passkey, and the
//! recovery that removes every factor) and the level (`acr`) it reaches.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp};
use crate::harness::totp::{code, code_now};
use crate::harness::webauthn::{self, Authenticator};
use crate::webauthn::{json_of, passkey_finish, passkey_start, register, sign_in_with_key};

/// The `amr` and `acr` of the session `token` makes requests with.
async fn how_signed_in(app: &TestApp, token: &str) -> (Vec<String>, String) {
    let list = app.sessions(token).await;
    let current = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .cloned()
        .unwrap();
    let amr = current["amr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    (amr, current["acr"].as_str().unwrap().to_owned())
}

fn pair(amr: &[&str], acr: &str) -> (Vec<String>, String) {
    (
        amr.iter().map(|m| (*m).to_owned()).collect(),
        acr.to_owned(),
    )
}

/// Turns on the authenticator app for the person of `token`: its secret and recovery codes.
async fn with_authenticator(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(token))
        .await;
    let secret = json_of(r, StatusCode::CREATED).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    // The step before now: the sign-in that follows uses the current one (each step works once).
    let body = json!({ "password": PASSWORD, "code": code(&secret, -1) });
    let r = app
        .post_json("/api/v1/me/totp/activate", &body, Some(token))
        .await;
    let done = json_of(r, StatusCode::OK).await;
    let codes = done["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Password, then `code` at `/api/v1/login/{kind}`: the session token.
async fn second_step(app: &TestApp, email: &str, kind: &str, code: &str) -> String {
    let ticket = json_of(app.login(email, PASSWORD).await, StatusCode::OK).await;
    assert_eq!(ticket["status"], "second_factor", "{ticket}");
    let body = json!({ "login_ticket": ticket["login_ticket"], "code": code });
    let r = app
        .post_json(&format!("/api/v1/login/{kind}"), &body, None)
        .await;
    let done: Value = json_of(r, StatusCode::OK).await;
    done["token"].as_str().unwrap().to_owned()
}

on_both_backends! {
    async fn each_session_says_which_methods_signed_it_in(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let password = app.signed_in("amy@example.com").await;
        assert_eq!(how_signed_in(&app, &password).await, pair(&["pwd"], "pwd"));

        let (secret, codes) = with_authenticator(&app, &password).await;
        let totp = second_step(&app, "amy@example.com", "totp", &code_now(&secret)).await;
        assert_eq!(how_signed_in(&app, &totp).await, pair(&["pwd", "otp", "mfa"], "mfa"));
        // A recovery code as the second step keeps the factors: a one-time password of the kit.
        let recovery = second_step(&app, "amy@example.com", "recovery", &codes[0]).await;
        assert_eq!(how_signed_in(&app, &recovery).await, pair(&["pwd", "otp", "mfa"], "mfa"));
        // The recovery from a lost phone removes every factor: what was shown, not a 2FA level.
        let body = json!({ "username": "amy@example.com", "password": PASSWORD, "recovery_code": codes[1] });
        let r = app.post_json("/api/v1/recover", &body, None).await;
        let recovered = json_of(r, StatusCode::OK).await["token"].as_str().unwrap().to_owned();
        assert_eq!(how_signed_in(&app, &recovered).await, pair(&["pwd", "otp"], "pwd"));
    }

    async fn a_key_makes_a_session_phishing_resistant_with_or_without_the_password(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let password = app.signed_in("ben@example.com").await;
        let mut yubikey = Authenticator::security_key();
        register(&app, &password, &mut yubikey, "YubiKey").await;
        let with_key = sign_in_with_key(&app, "ben@example.com", &mut yubikey).await;
        assert_eq!(how_signed_in(&app, &with_key).await, pair(&["pwd", "hwk", "mfa"], "phr"));

        let carl = app.signed_in("carl@example.com").await;
        let mut phone = Authenticator::passkey();
        register(&app, &carl, &mut phone, "Pixel").await;
        let start = passkey_start(&app).await;
        let answer = phone.get(&origin, &start["publicKey"]);
        let done = json_of(passkey_finish(&app, &start["ceremony"], &answer).await, StatusCode::OK).await;
        let passkey = done["token"].as_str().unwrap();
        assert_eq!(how_signed_in(&app, passkey).await, pair(&["hwk", "user", "mfa"], "phr"));
        // The password session of before is what it was.
        assert_eq!(how_signed_in(&app, &carl).await, pair(&["pwd"], "pwd"));
    }
}
