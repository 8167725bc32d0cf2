//! The mobile number and forgot-password pages, black-box, through the real server and headless
//! Chromium: verifying a number with the code from the SMS and replacing it with the password,
//! the setup assistants that ask for a number first when the deployment requires one,
//! and resetting a forgotten password by the emailed link or the SMS code.
//! The texts and mails are read where the outbox's file transport puts them.
//!
//! Skipping works as in `browser.rs`: without chromium or chromedriver the tests say SKIPPED,
//! unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use portcullis_core::model::Role;
use portcullis_core::password::Password;
use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::browser::*;
use crate::harness::outbox;
// Codes from core rather than `oathtool`: this file tests the number step, not TOTP.
use crate::harness::totp::code_in_secs;

const NUMBER: &str = "+4915112344567";
const NEW_NUMBER: &str = "+14155550100";
const NEW_PASSWORD: &str = "Battery-Staple-8!";
const BOB: &str = "bob@example.com";

/// The server with the owner `EMAIL` / `PASSWORD`; unlike the harness's, it can require a
/// verified number before two-factor authentication and it tells where messages land.
struct App {
    web: TestApp,
}

impl App {
    async fn start(require_phone_for_2fa: bool) -> App {
        let adjust = |a: &mut ServeArgs| a.require_phone_for_2fa = Some(require_phone_for_2fa);
        let web = TestApp::spawn_with(adjust, |server| async move {
            let services = &server.state().services;
            services
                .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
                .await
                .unwrap();
            server
        })
        .await;
        App { web }
    }

    fn url(&self, path: &str) -> String {
        self.web.url(path)
    }

    /// Moves the recorded texts a minute into the past, as if it had gone by.
    async fn a_minute_passes(&self) {
        sqlx::query("UPDATE rate_events SET at = at - 61")
            .execute(self.web.server().state.services.store.raw_pool())
            .await
            .unwrap();
    }

    fn messages(&self, channel: &str, to: &str) -> Vec<Value> {
        outbox::messages_to(self.web.data(), channel, to)
    }

    /// Waits for a message to `to` of `kind` whose body has not been seen before.
    async fn new_message(
        &self,
        channel: &str,
        to: &str,
        kind: &str,
        seen: &mut Vec<String>,
    ) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            for m in self.messages(channel, to) {
                let body = m["body"].as_str().unwrap_or_default().to_owned();
                if m["kind"] == kind && !seen.contains(&body) {
                    seen.push(body.clone());
                    return body;
                }
            }
            assert!(Instant::now() < deadline, "no new {kind} {channel} to {to}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn code_in(body: &str) -> String {
    body.as_bytes()
        .windows(6)
        .find(|w| w.iter().all(u8::is_ascii_digit))
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .unwrap_or_else(|| panic!("no code in {body:?}"))
}

/// The path and query of the reset link in a mail.
fn reset_path(body: &str) -> String {
    let start = body.find("/reset?token=").expect("a reset link");
    body[start..].split_whitespace().next().unwrap().to_owned()
}

async fn sign_in(c: &Client, app: &App, email: &str, password: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "username", email).await;
    fill(c, "password", password).await;
    click(c, "form[action='/login'] button[type='submit']").await;
}

async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_person_verifies_their_number_by_sms_and_replaces_it_with_their_password() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = App::start(false).await;
    let c = browser.client();
    let mut seen = Vec::new();

    sign_in(c, &app, EMAIL, PASSWORD).await;
    assert_eq!(text_of(c, "h1").await, "Your account");
    click_on(c, Locator::LinkText("Mobile number")).await;
    assert_eq!(path_of(c).await, "/account/phone");
    assert_eq!(text_of(c, "#verified-number").await, "None yet");
    assert_eq!(text_of(c, "#new-title").await, "Add your number");

    fill(c, "number", "0151 1234 4567").await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    assert!(
        text_of(c, "#number-error")
            .await
            .contains("international format")
    );
    assert!(app.messages("sms", NUMBER).is_empty());

    fill(c, "number", "+49 151 1234 4567").await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .contains("A new code was issued")
    );
    // No SMS gateway in the tests: the page says where the code went instead of "we sent".
    assert!(
        text_of(c, "#sms-outbox")
            .await
            .contains("No SMS gateway is configured on this server")
    );
    assert!(
        text_of(c, "#pending-number")
            .await
            .starts_with("+49•••••••4567")
    );
    assert!(
        text_of(c, "#resend-hint")
            .await
            .contains("You can ask for a new code in")
    );
    screenshot(c, "phone-code").await;
    let code = code_in(
        &app.new_message("sms", NUMBER, "phone_code", &mut seen)
            .await,
    );

    // Too early for another text: the page says how long to wait.
    click(c, "form[action='/account/phone/resend'] button").await;
    assert!(
        text_of(c, "#resend-error")
            .await
            .starts_with("A code was sent a moment ago. You can ask for another one in")
    );

    fill(
        c,
        "code",
        if code == "000000" { "111111" } else { "000000" },
    )
    .await;
    click(c, "form[action='/account/phone/verify'] button").await;
    assert!(
        text_of(c, "#code-error")
            .await
            .starts_with("That code is not right")
    );
    fill(c, "code", &code).await;
    click(c, "form[action='/account/phone/verify'] button").await;
    assert_eq!(
        text_of(c, "[role='status']").await,
        "Your mobile number is verified."
    );
    assert_eq!(
        text_of(c, "#verified-number").await,
        "+49•••••••4567 Verified"
    );
    assert!(
        c.find(Locator::Id("code-step")).await.is_err(),
        "no code step any more"
    );
    let mail = app.new_message("email", EMAIL, "security", &mut seen).await;
    assert!(mail.contains("/lock?token="));

    // Replacing it asks for the password, and the old number stays until the new one is verified.
    assert_eq!(text_of(c, "#new-title").await, "Change your number");
    fill(c, "number", NEW_NUMBER).await;
    fill(c, "password", "Wrong-Horse-9!").await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    assert_eq!(
        text_of(c, "#password-error").await,
        "Your current password is not correct."
    );
    assert!(app.messages("sms", NEW_NUMBER).is_empty());
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    // The first text went out less than a minute ago.
    let wait = text_of(c, "#number-form-error").await;
    assert!(
        wait.starts_with("A code was sent a moment ago. You can ask for another one in"),
        "{wait}"
    );
    app.a_minute_passes().await;
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    assert!(
        text_of(c, "#pending-number")
            .await
            .starts_with("+14•••••0100")
    );
    assert_eq!(
        text_of(c, "#verified-number").await,
        "+49•••••••4567 Verified"
    );
    let code = code_in(
        &app.new_message("sms", NEW_NUMBER, "phone_code", &mut seen)
            .await,
    );
    fill(c, "code", &code).await;
    click(c, "form[action='/account/phone/verify'] button").await;
    assert_eq!(
        text_of(c, "#verified-number").await,
        "+14•••••0100 Verified"
    );
    screenshot(c, "phone-verified").await;
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_the_emailed_link_and_the_link_works_once() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = App::start(false).await;
    let c = browser.client();
    let mut seen = Vec::new();

    c.goto(&app.url("/login")).await.unwrap();
    click_on(c, Locator::LinkText("Forgot your password?")).await;
    assert_eq!(text_of(c, "h1").await, "Forgot your password?");
    fill(c, "username", EMAIL).await;
    click(c, "form[action='/forgot'] button").await;
    let sent = text_of(c, "#reset-sent").await;
    assert!(
        sent.starts_with("If an account exists for that email address"),
        "{sent}"
    );
    screenshot(c, "forgot-sent").await;

    // A stranger's address gets the very same page, and no mail.
    c.goto(&app.url("/forgot")).await.unwrap();
    fill(c, "username", "nobody@example.com").await;
    click(c, "form[action='/forgot'] button").await;
    assert_eq!(text_of(c, "#reset-sent").await, sent);

    let link = reset_path(
        &app.new_message("email", EMAIL, "password_reset", &mut seen)
            .await,
    );
    c.goto(&app.url(&link)).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Choose a new password");
    fill(c, "password", NEW_PASSWORD).await;
    fill(c, "password_confirm", "Battery-Staple-7!").await;
    click(c, "form[action='/reset'] button").await;
    assert_eq!(
        text_of(c, "#password-confirm-error").await,
        "The two passwords do not match."
    );
    fill(c, "password", "password").await;
    fill(c, "password_confirm", "password").await;
    click(c, "form[action='/reset'] button").await;
    assert!(c.find(Locator::Id("password-error")).await.is_ok());
    fill(c, "password", NEW_PASSWORD).await;
    fill(c, "password_confirm", NEW_PASSWORD).await;
    click(c, "form[action='/reset'] button").await;
    assert_eq!(text_of(c, "h1").await, "Your password is changed");
    screenshot(c, "reset-done").await;
    assert!(app.messages("email", "nobody@example.com").is_empty());

    // The link is dead now.
    c.goto(&app.url(&link)).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "This link no longer works");

    sign_in(c, &app, EMAIL, PASSWORD).await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "Wrong email or password."
    );
    sign_in(c, &app, EMAIL, NEW_PASSWORD).await;
    assert_eq!(text_of(c, "h1").await, "Your account");
    browser.close().await;
}

#[tokio::test]
async fn with_a_verified_number_the_code_from_the_sms_resets_the_password() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = App::start(false).await;
    let c = browser.client();
    let mut seen = Vec::new();

    sign_in(c, &app, EMAIL, PASSWORD).await;
    c.goto(&app.url("/account/phone")).await.unwrap();
    fill(c, "number", NUMBER).await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    let code = code_in(
        &app.new_message("sms", NUMBER, "phone_code", &mut seen)
            .await,
    );
    fill(c, "code", &code).await;
    click(c, "form[action='/account/phone/verify'] button").await;
    click(c, "form[action='/logout'] button").await;

    click_on(c, Locator::LinkText("Forgot your password?")).await;
    fill(c, "username", EMAIL).await;
    click(c, "form[action='/forgot'] button").await;
    click(c, "#use-code").await;
    assert_eq!(path_of(c).await, "/reset");
    let code = code_in(
        &app.new_message("sms", NUMBER, "reset_code", &mut seen)
            .await,
    );
    fill(c, "username", EMAIL).await;
    fill(
        c,
        "code",
        if code == "000000" { "111111" } else { "000000" },
    )
    .await;
    fill(c, "password", NEW_PASSWORD).await;
    fill(c, "password_confirm", NEW_PASSWORD).await;
    click(c, "form[action='/reset/code'] button").await;
    assert!(
        text_of(c, "#code-error")
            .await
            .starts_with("That code is not right")
    );
    screenshot(c, "reset-code-error").await;
    fill(c, "code", &code).await;
    fill(c, "password", NEW_PASSWORD).await;
    fill(c, "password_confirm", NEW_PASSWORD).await;
    click(c, "form[action='/reset/code'] button").await;
    assert_eq!(text_of(c, "h1").await, "Your password is changed");
    click_on(c, Locator::LinkText("Sign in")).await;
    sign_in(c, &app, EMAIL, NEW_PASSWORD).await;
    assert_eq!(text_of(c, "h1").await, "Your account");
    browser.close().await;
}

#[tokio::test]
async fn with_the_phone_policy_both_setup_assistants_verify_a_number_first() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = App::start(true).await;
    let c = browser.client();
    let mut seen = Vec::new();

    // From the security page: "Set up" leads to the number first, then back to the app steps.
    sign_in(c, &app, EMAIL, PASSWORD).await;
    c.goto(&app.url("/account/security")).await.unwrap();
    click(c, "form[action='/account/security/totp/start'] button").await;
    assert_eq!(path_of(c).await, "/account/phone");
    assert!(
        text_of(c, "#phone-required")
            .await
            .contains("Verify a mobile number first")
    );
    fill(c, "number", NUMBER).await;
    click(c, "form[action='/account/phone'] button[type='submit']").await;
    let code = code_in(
        &app.new_message("sms", NUMBER, "phone_code", &mut seen)
            .await,
    );
    fill(c, "code", &code).await;
    click(c, "form[action='/account/phone/verify'] button").await;
    assert_eq!(path_of(c).await, "/account/security/totp");
    assert_eq!(text_of(c, "h1").await, "Set up your authenticator app");
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    fill(c, "password", PASSWORD).await;
    fill(c, "code", &code_in_secs(&key, 0)).await;
    click(c, "form[action='/account/security/totp/activate'] button").await;
    assert_eq!(texts(c, ".codes li").await.len(), 10);

    // Bob must set up 2FA at sign-in: the wizard asks for his number before the app.
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    add_forced_user(&app, &http, &key).await;
    c.goto(&app.url("/account")).await.unwrap();
    click(c, "form[action='/logout'] button").await;
    sign_in(c, &app, BOB, NEW_PASSWORD).await;
    assert_eq!(path_of(c).await, "/login/setup");
    assert!(c.find(Locator::Id("wizard-required")).await.is_ok());
    assert_eq!(text_of(c, "#verified-number").await, "None yet");
    screenshot(c, "wizard-phone").await;
    fill(c, "number", NEW_NUMBER).await;
    click(c, "form[action='/login/setup/phone'] button[type='submit']").await;
    assert!(
        text_of(c, "#pending-number")
            .await
            .starts_with("+14•••••0100")
    );
    let code = code_in(
        &app.new_message("sms", NEW_NUMBER, "phone_code", &mut seen)
            .await,
    );
    fill(c, "code", &code).await;
    click(c, "form[action='/login/setup/phone/verify'] button").await;
    assert_eq!(path_of(c).await, "/login/setup");
    let bob_key = key_from_grouped(&text_of(c, "#totp-key").await);
    fill(c, "code", &code_in_secs(&bob_key, 0)).await;
    click(c, "form[action='/login/setup'] button").await;
    assert_eq!(texts(c, ".codes li").await.len(), 10);
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Your account");
    browser.close().await;
}

/// The owner (with `owner_key` as their authenticator) adds Bob with forced 2FA through the user
/// manager's form, signing in on `http` first.
async fn add_forced_user(app: &App, http: &reqwest::Client, owner_key: &str) {
    let page = http
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", hidden_csrf(&page).as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login/code");
    let page = http
        .get(app.url("/login/code"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = http
        .post(app.url("/login/code"))
        .form(&[
            ("csrf", hidden_csrf(&page).as_str()),
            ("code", &code_in_secs(owner_key, 30)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account");
    let page = http.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden_csrf(&page.text().await.unwrap());
    let role = Role::User.as_str();
    let r = http
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", BOB),
            ("password", NEW_PASSWORD),
            ("role", role),
            ("force_2fa", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
}
