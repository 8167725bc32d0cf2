//! Passkeys and security keys in headless Chromium with its virtual authenticator (WebDriver's
//! WebAuthn extension commands): a passkey added on the security page signs in without a
//! password; a security key is the second step after the password; under "phishing-resistant
//! only" the forced setup leads a person to add a key and shows the recovery codes. The server's
//! public URL is `http://localhost:PORT` and the browser opens that, never 127.0.0.1: browsers
//! refuse WebAuthn on a bare IP address. Time moves by [`FixedClock`], never by sleeping.
//! Plain HTTP checks what a browser hides: forged forms, broken answers, signed-out visits.
//!
//! Skipping works as in `browser.rs`: without chromium or chromedriver the browser tests say
//! SKIPPED, unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use portcullis_core::FixedClock;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::browser::*;
use crate::harness::totp::unix_now;

const BOB: &str = "bob@example.com";
const BOB_PASSWORD: &str = "Blue-Secret-42!";

/// A passkey kept by the device: discoverable, with user verification (a PIN or biometrics).
fn passkey_authenticator() -> Value {
    json!({
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": true,
        "hasUserVerification": true,
        "isUserVerified": true,
        "automaticPresenceSimulation": true,
    })
}

/// A plain security key on USB: no discoverable credential, no PIN.
fn security_key_authenticator() -> Value {
    json!({
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": false,
        "hasUserVerification": false,
        "automaticPresenceSimulation": true,
    })
}

/// `POST /session/{id}/webauthn/authenticator`: a virtual authenticator for this browser.
#[derive(Debug)]
struct AddVirtualAuthenticator(Value);

impl WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session");
        base_url.join(&format!("session/{session}/webauthn/authenticator"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.0.to_string()))
    }
}

/// Adds a virtual authenticator; its id, for the commands that change it.
async fn add_authenticator(c: &Client, options: Value) -> String {
    let id = c
        .issue_cmd(AddVirtualAuthenticator(options))
        .await
        .expect("chromedriver adds a virtual authenticator");
    id.as_str().expect("an authenticator id").to_owned()
}

/// `POST /session/{id}/webauthn/authenticator/{authenticator}/uv`: whether the person passes
/// the authenticator's PIN or biometric check from now on.
#[derive(Debug)]
struct SetUserVerified(String, bool);

impl WebDriverCompatibleCommand for SetUserVerified {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session");
        base_url.join(&format!(
            "session/{session}/webauthn/authenticator/{}/uv",
            self.0
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        let body = json!({ "isUserVerified": self.1 });
        (Method::POST, Some(body.to_string()))
    }
}

async fn set_user_verified(c: &Client, authenticator: &str, verified: bool) {
    c.issue_cmd(SetUserVerified(authenticator.to_owned(), verified))
        .await
        .expect("chromedriver changes the virtual authenticator");
}

/// A server whose public URL is `http://localhost:PORT`, with the owner `EMAIL` and a clock the
/// test moves.
async fn app() -> (TestApp, FixedClock) {
    let clock = FixedClock::at(unix_now());
    let held = clock.clone();
    let app = TestApp::spawn_with(
        |args| {
            args.public_url = Some("http://localhost:0".to_owned());
            args.open_registration = Some(false);
        },
        |mut server| async move {
            server.set_clock(Arc::new(held));
            server
                .state()
                .services
                .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
                .await
                .expect("the owner is created");
            server
        },
    )
    .await;
    (app, clock)
}

/// The address of `path` as the browser must use it: by name, not by IP address.
fn at(app: &TestApp, path: &str) -> String {
    format!("http://localhost:{}{path}", app.addr.port())
}

async fn password_step(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&at(app, "/login")).await.unwrap();
    fill(c, "username", email).await;
    fill(c, "password", password).await;
    click(c, "form[action='/login'] button[type='submit']").await;
}

/// Waits until the browser shows `path` (a script may be what moves it there).
async fn wait_for_path(c: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = path_of(c).await;
        if now == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {now}, waiting for {path}: {}",
            c.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn has(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

/// Whether the browser's session passed a second factor, as the services see it.
async fn session_is_two_factor(c: &Client, app: &TestApp) -> bool {
    let cookie = c
        .get_named_cookie("portcullis_session")
        .await
        .expect("a session cookie");
    let auth = app
        .server()
        .state
        .services
        .authenticate(&Token::from_client(cookie.value()))
        .await
        .expect("a live session");
    auth.session.second_factor
}

/// Adds a key named `name` from the security page; the browser's authenticator answers.
async fn add_key(c: &Client, app: &TestApp, name: &str) {
    c.goto(&at(app, "/account/security")).await.unwrap();
    click(c, "#add-key").await;
    assert_eq!(path_of(c).await, "/account/security/webauthn/add");
    fill(c, "key_name", name).await;
    click(c, "form[data-webauthn='create'] button[type='submit']").await;
}

async fn recovery_codes_shown(c: &Client) -> usize {
    c.find_all(Locator::Css("#recovery-codes li"))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_passkey_added_on_the_security_page_signs_in_without_a_password() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, clock) = app().await;
    let c = browser.client();
    let authenticator = add_authenticator(c, passkey_authenticator()).await;
    password_step(c, &app, EMAIL, PASSWORD).await;
    assert_eq!(path_of(c).await, "/account");

    c.goto(&at(&app, "/account/security")).await.unwrap();
    assert!(text_of(c, "#webauthn").await.contains("Not set up"));
    click(c, "#add-key").await;
    assert_eq!(text_of(c, "h1").await, "Add a security key or passkey");
    // A reload is a new ceremony, not an error.
    c.refresh().await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Add a security key or passkey");
    screenshot(c, "webauthn-add").await;

    // Without a name the script says so before asking the authenticator.
    click_in_page(c, "form[data-webauthn='create'] button[type='submit']").await;
    assert!(
        text_of(c, "#webauthn-status")
            .await
            .contains("Give the key a name")
    );

    // The page was left open longer than a ceremony lives: a clear word and a fresh one.
    clock.advance(6 * 60);
    fill(c, "key_name", "MacBook Touch ID").await;
    click(c, "form[data-webauthn='create'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account/security/webauthn/add");
    assert!(
        text_of(c, "#key-error").await.contains("took too long"),
        "{}",
        c.source().await.unwrap()
    );
    let kept = c.find(Locator::Id("key_name")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("MacBook Touch ID")
    );
    click(c, "form[data-webauthn='create'] button[type='submit']").await;

    // The first factor: the recovery codes, once; a reload does not show them again.
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    assert_eq!(recovery_codes_shown(c).await, 10);
    assert!(text_of(c, "[role='status']").await.contains("security key"));
    c.refresh().await.unwrap();
    assert!(has(c, "#already-shown").await);
    assert_eq!(recovery_codes_shown(c).await, 0);

    c.goto(&at(&app, "/account/security")).await.unwrap();
    let keys = text_of(c, "#webauthn-keys").await;
    assert!(keys.contains("MacBook Touch ID"), "{keys}");
    assert!(keys.contains("passkey"), "{keys}");
    assert!(keys.contains("last used never"), "{keys}");
    screenshot(c, "webauthn-security").await;

    // Renamed in place.
    click_in_page(c, "#webauthn-keys summary[aria-label^='Rename']").await;
    let name = c
        .find(Locator::Css(
            "#webauthn-keys form[action$='/rename'] input[name='name']",
        ))
        .await
        .unwrap();
    name.clear().await.unwrap();
    name.send_keys("Work laptop").await.unwrap();
    click(c, "#webauthn-keys form[action$='/rename'] button").await;
    assert_eq!(text_of(c, "[role='status']").await, "The key was renamed.");
    assert!(text_of(c, "#webauthn-keys").await.contains("Work laptop"));

    // Signed out, the passkey alone signs in: no password, and the session counts as 2FA. The
    // sign-in page offers the browser's passkey autofill (conditional mediation) on the email
    // field, which Chromium's virtual authenticator answers at once, as a person choosing the
    // passkey from the autofill list would; where it has not, the button does the same.
    click(c, "form[action='/logout'] button").await;
    if path_of(c).await == "/login"
        && let Ok(button) = c.find(Locator::Id("passkey-button")).await
    {
        let _ = button.click().await;
    }
    wait_for_path(c, "/account").await;
    assert!(session_is_two_factor(c, &app).await);
    c.goto(&at(&app, "/account/security")).await.unwrap();
    assert!(
        !text_of(c, "#webauthn-keys")
            .await
            .contains("last used never")
    );

    // The button, for when the autofill is not used: while the person fails the device's check
    // the autofill gets nowhere and the page stays; once they pass it, the button signs them in.
    set_user_verified(c, &authenticator, false).await;
    click(c, "form[action='/logout'] button").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(path_of(c).await, "/login");
    set_user_verified(c, &authenticator, true).await;
    click(c, "#passkey-button").await;
    wait_for_path(c, "/account").await;
    assert!(session_is_two_factor(c, &app).await);
    browser.close().await;
}

#[tokio::test]
async fn a_security_key_is_the_second_step_after_the_password() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _clock) = app().await;
    let c = browser.client();
    let _ = add_authenticator(c, security_key_authenticator()).await;
    password_step(c, &app, EMAIL, PASSWORD).await;
    add_key(c, &app, "YubiKey 5").await;
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    assert_eq!(recovery_codes_shown(c).await, 10);
    // Back from there: the add page again, with a fresh ceremony, not an error.
    c.back().await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Add a security key or passkey");
    assert!(has(c, "form[data-webauthn='create'][data-options*='challenge']").await);
    c.goto(&at(&app, "/account/security")).await.unwrap();
    let keys = text_of(c, "#webauthn-keys").await;
    // Without user verification it is a second step only, never a passkey.
    assert!(
        keys.contains("YubiKey 5") && !keys.contains("passkey"),
        "{keys}"
    );

    click(c, "form[action='/logout'] button").await;
    screenshot(c, "webauthn-login").await;
    password_step(c, &app, EMAIL, PASSWORD).await;
    // The key is the only way besides recovery codes: its page comes first and asks at once.
    wait_for_path(c, "/account").await;
    assert!(session_is_two_factor(c, &app).await);

    // Signed out, the key page needs the password step first.
    click(c, "form[action='/logout'] button").await;
    c.goto(&at(&app, "/login/key")).await.unwrap();
    assert_eq!(path_of(c).await, "/login");
    browser.close().await;

    // A wrong answer (here a made-up one, over plain HTTP) says so, offers to try again with a
    // fresh request, and keeps the other ways in reach.
    let http = app.http();
    let res = app.sign_in(&http).await;
    assert_eq!(location(&res), "/login/code");
    let res = http.get(app.url("/login/code")).send().await.unwrap();
    assert_eq!(location(&res), "/login/key");
    let page = http.get(app.url("/login/key")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-autostart"));
    let res = http
        .post(app.url("/login/key"))
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            (
                "credential",
                r#"{"id":"AAAA","rawId":"AAAA","type":"public-key"}"#,
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("was not accepted"), "{html}");
    assert!(html.contains("Try again") && !html.contains("data-autostart"));
    assert!(html.contains(r#"href="/login/code?recovery=1""#));
}

#[tokio::test]
async fn under_phishing_resistant_only_the_forced_setup_leads_to_a_key_and_the_recovery_codes() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _clock) = app().await;
    // Bob is created by the owner, with a password and no factor.
    let http = app.http();
    app.sign_in(&http).await;
    let csrf = app.form_token(&http, "/admin/users").await;
    let res = http
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", BOB),
            ("password", BOB_PASSWORD),
            ("role", "user"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let c = browser.client();
    password_step(c, &app, EMAIL, PASSWORD).await;
    c.goto(&at(&app, "/admin/users")).await.unwrap();
    click_in_page(c, "#require_phishing_resistant").await;
    click(c, "form[action='/admin/policy'] button[type='submit']").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("A security key or passkey is now required")
    );
    assert_eq!(
        c.find(Locator::Id("require_phishing_resistant"))
            .await
            .unwrap()
            .prop("checked")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    click(c, "form[action='/logout'] button").await;

    let _ = add_authenticator(c, passkey_authenticator()).await;
    password_step(c, &app, BOB, BOB_PASSWORD).await;
    assert_eq!(path_of(c).await, "/login/setup/key");
    assert!(
        text_of(c, "#wizard-required")
            .await
            .contains("Your organisation requires a security key or passkey")
    );
    // Only a key: no way to the authenticator app from here.
    assert!(!has(c, "a[href='/login/setup']").await);
    screenshot(c, "webauthn-forced-setup").await;
    fill(c, "key_name", "Bob's phone").await;
    click(c, "form[data-webauthn='create'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    assert_eq!(recovery_codes_shown(c).await, 10);
    assert!(session_is_two_factor(c, &app).await);
    c.refresh().await.unwrap();
    assert!(has(c, "#already-shown").await);
    browser.close().await;
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP: what a browser hides

fn page_says(html: &str, text: &str) -> bool {
    html.contains(text)
}

#[tokio::test]
async fn the_key_forms_refuse_forged_posts_and_broken_answers_get_a_page_not_a_500() {
    let (app, _clock) = app().await;
    let http = app.http();

    // Signed out, the add page leads to the sign-in and back.
    let res = http
        .get(app.url("/account/security/webauthn/add"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/login?next="),
        "{}",
        location(&res)
    );

    app.sign_in(&http).await;
    let page = http
        .get(app.url("/account/security/webauthn/add"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-webauthn="create""#));
    assert!(html.contains("challenge"), "the options are on the form");
    let csrf = hidden_csrf(&html);
    let ceremony = between(&html, r#"name="ceremony" value=""#, "\"")[0].to_owned();
    assert!(!ceremony.is_empty());

    let post = |fields: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = app.url("/account/security/webauthn/add");
        async move { http.post(url).form(&fields).send().await.unwrap() }
    };
    // No CSRF token: refused before anything is read.
    let res = post(vec![
        ("ceremony", ceremony.clone()),
        ("name", "YubiKey".into()),
        ("credential", "{}".into()),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // No answer at all (no JavaScript): the page says what is needed.
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("ceremony", ceremony.clone()),
        ("name", "YubiKey".into()),
        ("credential", String::new()),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_says(&res.text().await.unwrap(), "needs JavaScript"));

    // Not JSON, and JSON that is no credential: a sentence, never a 500.
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("ceremony", ceremony.clone()),
        ("name", "YubiKey".into()),
        ("credential", "{garbage".into()),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_says(&res.text().await.unwrap(), "could not be read"));
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("ceremony", ceremony.clone()),
        ("name", "YubiKey".into()),
        ("credential", r#"{"id":"AAAA","type":"public-key"}"#.into()),
    ])
    .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(page_says(
        &res.text().await.unwrap(),
        "could not be checked"
    ));
    // That ceremony is used up now: another answer to it hears "took too long, try again".
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("ceremony", ceremony.clone()),
        ("name", "YubiKey".into()),
        ("credential", r#"{"id":"AAAA","type":"public-key"}"#.into()),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(page_says(&html, "took too long"));
    assert!(
        html.contains(r#"data-webauthn="create""#),
        "a fresh ceremony"
    );

    // Nothing was added.
    let security = http
        .get(app.url("/account/security"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!security.contains(r#"id="webauthn-keys""#));

    // The passkey sign-in form: no token, refused; an unknown ceremony, a sentence.
    let signed_out = app.http();
    let csrf = app.form_token(&signed_out, "/login").await;
    let res = signed_out
        .post(app.url("/login/passkey"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("ceremony", "nonsense"),
            ("credential", r#"{"id":"AAAA","type":"public-key"}"#),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(page_says(&res.text().await.unwrap(), "took too long"));
    // The sign-in page offers the passkey autofill and the button.
    let login = signed_out
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains(r#"autocomplete="username webauthn""#));
    assert!(login.contains("Sign in with a passkey"));
    assert!(login.contains(r#"<script src="/static/webauthn.js" defer></script>"#));
    // The second step's key page needs the password step first.
    let res = signed_out.get(app.url("/login/key")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    // The script is served from here (the CSP allows only 'self').
    let res = signed_out
        .get(app.url("/static/webauthn.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("navigator.credentials"));
}

#[tokio::test]
async fn a_person_with_an_app_proves_it_once_to_add_the_key_their_organisation_now_requires() {
    if !oathtool_available("key setup with a code") {
        return;
    }
    let (app, _clock) = app().await;
    let owner = app.http();
    app.sign_in(&owner).await;
    enable_totp(&app, &owner).await;
    let csrf = app.form_token(&owner, "/admin/users").await;
    let res = owner
        .post(app.url("/admin/policy"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("require_phishing_resistant", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/admin/users?done=keys_on");
    let users = owner
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(users.contains(r#"name="require_phishing_resistant" type="checkbox" checked"#));

    // The next sign-in with the password: the app's code no longer completes it; the setup
    // offers only a key, says why, and asks for a code of the app the person already has.
    let http = app.http();
    let res = app.sign_in(&http).await;
    assert_eq!(location(&res), "/login/setup");
    let res = http.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/login/setup/key?only=1");
    let page = http
        .get(app.url("/login/setup/key?only=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Your organisation requires a security key or passkey"));
    assert!(html.contains(r#"name="code""#));
    assert!(
        !html.contains(r#"href="/login/setup""#),
        "no way to an app instead"
    );
    let ceremony = between(&html, r#"name="ceremony" value=""#, "\"")[0].to_owned();

    // A wrong code is said beside the code field, with a fresh request to the key.
    let res = http
        .post(app.url("/login/setup/key?only=1"))
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            ("ceremony", ceremony.as_str()),
            ("name", "YubiKey 5"),
            ("credential", r#"{"id":"AAAA","type":"public-key"}"#),
            ("code", "000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = res.text().await.unwrap();
    assert!(again.contains(r#"id="code-error""#), "{again}");
    assert!(again.contains("or one of your recovery codes"));
    let fresh = between(&again, r#"name="ceremony" value=""#, "\"")[0];
    assert_ne!(fresh, ceremony);
    assert!(again.contains(r#"value="YubiKey 5""#), "the name is kept");
}
