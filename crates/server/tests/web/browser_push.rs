//! The companion app in the browser, black-box, through the real server on SQLite and PostgreSQL
//! and headless Chromium: pairing from the security page (the link read off the page), renaming
//! and removing a device, and the login's "Send a request to my app" step: the number shown, the
//! app's approval landing the browser signed in without a click, a denial and a wrong number said
//! on the page, "use a code instead". Plain HTTP checks what works without JavaScript and what a
//! browser hides (the status answer, the resend limit).
//!
//! The device is played by a small signer written from docs/push-protocol.md (Ed25519 over the
//! six-line message), not by the server's code. Skipping works as in `browser.rs`: without
//! chromium, chromedriver or oathtool the tests say SKIPPED, unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer as _, SigningKey};
use fantoccini::{Client, Locator};
use portcullis_core::FixedClock;
use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::harness::browser::{
    self, Browser, between, click, click_in_page, fill, key_from_grouped, path_of, screenshot,
    text_of, totp_code,
};
use crate::harness::server::{self, TestApp};
use crate::harness::totp::unix_now;

const EMAIL: &str = "alice@example.com";
const PASSWORD: &str = "Correct-Horse-9!";

// ---------------------------------------------------------------------------------------------
// The device, as docs/push-protocol.md describes it

struct Device {
    id: String,
    key: SigningKey,
    http: reqwest::Client,
    base: String,
}

impl Device {
    fn new_key() -> SigningKey {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).unwrap();
        SigningKey::from_bytes(&secret)
    }

    /// Pairs with the code in `uri` at `base` (the test server: the link's own server address
    /// is the configured public URL, which in tests names port 0).
    async fn try_pair(base: &str, uri: &str, key: &SigningKey) -> reqwest::Response {
        let code = uri_param(uri, "code").unwrap_or_else(|| panic!("the link has a code: {uri}"));
        reqwest::Client::new()
            .post(format!("{base}/api/v1/push/pair"))
            .json(&json!({
                "code": code,
                "public_key": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
                "name": "portcullis-test",
            }))
            .send()
            .await
            .unwrap()
    }

    async fn pair(base: &str, uri: &str) -> Device {
        let key = Device::new_key();
        let res = Device::try_pair(base, uri, &key).await;
        assert_eq!(res.status(), StatusCode::CREATED, "pairing");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["account"], EMAIL);
        Device {
            id: body["device_id"].as_str().unwrap().to_owned(),
            key,
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    async fn signed(&self, method: &str, path: &str, body: Option<&Value>) -> reqwest::Response {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).unwrap();
        let nonce = URL_SAFE_NO_PAD.encode(nonce);
        let digest: String = Sha256::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let message =
            format!("portcullis-device-v1\n{method}\n{path}\n{timestamp}\n{nonce}\n{digest}");
        let signature = URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes()).to_bytes());
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(body),
        };
        request
            .header("X-Portcullis-Device", &self.id)
            .header("X-Portcullis-Timestamp", timestamp)
            .header("X-Portcullis-Nonce", nonce)
            .header("X-Portcullis-Signature", signature)
            .send()
            .await
            .unwrap()
    }

    /// The pending challenges, waiting up to `wait` seconds for one.
    async fn challenges(&self, wait: u64) -> Vec<Value> {
        let res = self
            .signed(
                "GET",
                &format!("/api/v1/push/device/challenges?wait={wait}"),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "device challenges");
        let body: Value = res.json().await.unwrap();
        body["challenges"].as_array().unwrap().clone()
    }

    /// Answers the one pending challenge; returns the status the server recorded.
    async fn answer(&self, decision: Value) -> String {
        let pending = self.challenges(10).await;
        assert_eq!(pending.len(), 1, "one pending request: {pending:?}");
        let id = pending[0]["id"].as_str().unwrap();
        let res = self
            .signed(
                "POST",
                &format!("/api/v1/push/device/challenges/{id}"),
                Some(&decision),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "answer");
        let body: Value = res.json().await.unwrap();
        body["status"].as_str().unwrap().to_owned()
    }
}

/// A query parameter of the pairing link, percent-decoded.
fn uri_param(uri: &str, name: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A number that is certainly not `number` (10–99).
fn other_number(number: i64) -> i64 {
    if number == 99 { 10 } else { number + 1 }
}

// ---------------------------------------------------------------------------------------------
// Plain-HTTP helpers (a cookie-keeping client that shows redirects)

fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(http: &reqwest::Client, url: String) -> String {
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "GET {url}: {:?}",
        res.headers().get("location")
    );
    res.text().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

/// Posts a form with the CSRF token of the page at `from`.
async fn post_form(
    app: &server::TestApp,
    http: &reqwest::Client,
    from: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = browser::hidden_csrf(&page(http, app.url(from)).await);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(action)).form(&form).send().await.unwrap()
}

async fn sign_in_http(app: &server::TestApp, http: &reqwest::Client) -> reqwest::Response {
    post_form(
        app,
        http,
        "/login",
        "/login",
        &[("username", EMAIL), ("password", PASSWORD)],
    )
    .await
}

/// The pairing link on the page that answers the security page's "Pair a device" form.
fn pairing_uri_on(html: &str) -> String {
    between(html, r#"id="pairing-uri">"#, "<")[0]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Pairs a device through the security page's form, as the signed-in `http`.
async fn pair_by_form(app: &server::TestApp, http: &reqwest::Client, name: &str) -> Device {
    let res = post_form(
        app,
        http,
        "/account/security",
        "/account/security/push-devices",
        &[("name", name), ("password", PASSWORD)],
    )
    .await;
    // POST/redirect/GET: the link is held for this session and shown once by the redirect's GET.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/security/push-devices");
    let html = page(http, app.url("/account/security/push-devices")).await;
    let uri = pairing_uri_on(&html);
    assert!(uri.starts_with("portcullis://pair?"), "{html}");
    Device::pair(&app.base, &uri).await
}

/// The authenticator app through the plain forms, as the signed-in `http`; returns its key.
async fn enable_totp(app: &server::TestApp, http: &reqwest::Client) -> String {
    let res = post_form(
        app,
        http,
        "/account/security",
        "/account/security/totp/start",
        &[],
    )
    .await;
    assert_eq!(location(&res), "/account/security/totp");
    let setup = page(http, app.url("/account/security/totp")).await;
    let key = key_from_grouped(between(&setup, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    let res = post_form(
        app,
        http,
        "/account/security/totp",
        "/account/security/totp/activate",
        &[("password", PASSWORD), ("code", &totp_code(&key, 0))],
    )
    .await;
    assert_eq!(
        location(&res),
        "/account/security/recovery-codes",
        "activation"
    );
    key
}

// ---------------------------------------------------------------------------------------------
// Browser helpers

async fn sign_in_browser(c: &Client, app: &server::TestApp) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "username", EMAIL).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/login'] button[type='submit']").await;
}

/// Waits, without touching the page, until the browser is at `path`.
async fn wait_for_path(c: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the browser never reached {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the element's text contains `needle`.
async fn wait_for_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = text_of(c, css).await;
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {needle:?}: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn has(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

/// The number the push page shows, checked to be two digits.
async fn shown_number(c: &Client) -> i64 {
    let text = text_of(c, "#push-number").await;
    let number: i64 = text
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a number: {text:?}"));
    assert!((10..=99).contains(&number), "{number}");
    number
}

// ---------------------------------------------------------------------------------------------
// The scenarios

on_both_backends! {
    async fn pairing_on_the_security_page_then_approving_in_the_app_signs_the_browser_in(env: TestEnv) {
        let Some(browser) = Browser::start().await else { return };
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let c = browser.client();
        sign_in_browser(c, &app).await;
        assert_eq!(path_of(c).await, "/account");

        c.goto(&app.url("/account/security")).await.unwrap();
        assert_eq!(text_of(c, "#push .badge").await, "Not set up");
        fill(c, "device_name", "Test phone").await;
        fill(c, "pair_password", PASSWORD).await;
        click(c, "form[action='/account/security/push-devices'] button[type='submit']").await;
        let uri = text_of(c, "#pairing-uri").await;
        assert!(uri.starts_with("portcullis://pair?v=1&"), "{uri}");
        assert_eq!(uri_param(&uri, "account").as_deref(), Some(EMAIL));
        assert_eq!(text_of(c, "#pairing-command").await, format!("portcullis-app pair '{uri}'"));
        assert!(has(c, ".qr svg").await, "the QR code is drawn");
        screenshot(c, "push-pair").await;

        let device = Device::pair(&app.base, &uri).await;
        // The link works once.
        let again = Device::try_pair(&app.base, &uri, &Device::new_key()).await;
        assert_eq!(server::error_code(again).await, (StatusCode::BAD_REQUEST, "invalid_token".into()));

        click(c, "#pairing-done").await;
        let row = format!("#device-{}", device.id);
        assert_eq!(text_of(c, &format!("{row} .device__name")).await, "Test phone");
        assert!(text_of(c, &format!("{row} .session__meta")).await.contains("last seen never"));
        assert_eq!(text_of(c, "#push .badge").await, "Active");
        screenshot(c, "push-devices").await;

        // Rename.
        click_in_page(c, &format!("{row} summary")).await;
        fill(c, &format!("rename-{}", device.id), "Work phone").await;
        click(c, &format!("{row} form[action$='/rename'] button[type='submit']")).await;
        assert_eq!(text_of(c, &format!("{row} .device__name")).await, "Work phone");
        assert!(text_of(c, ".notice").await.contains("renamed"));

        // Sign out, then in again: the second step offers the app.
        click(c, "form[action='/logout'] button").await;
        sign_in_browser(c, &app).await;
        assert_eq!(path_of(c).await, "/login/code");
        click(c, "form[action='/login/push'] button[type='submit']").await;
        assert_eq!(path_of(c).await, "/login/push");
        let number = shown_number(c).await;
        assert!(text_of(c, "#push-status").await.contains("Waiting"));
        screenshot(c, "push-login").await;

        let pending = device.challenges(10).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0]["account"], EMAIL);
        assert!(pending[0].get("number").is_none(), "the device never learns the number");
        assert_eq!(device.answer(json!({"decision": "approve", "number": number})).await, "approved");
        // No click: the page's long-poll hears the answer and signs the browser in.
        wait_for_path(c, "/account").await;
        assert!(has(c, "form[action='/logout']").await, "signed in");

        // Remove, after the confirmation.
        c.goto(&app.url("/account/security")).await.unwrap();
        click(c, &format!("{row} form[action$='/remove'] button[type='submit']")).await;
        assert!(text_of(c, "h1").await.contains("Work phone"));
        fill(c, "confirm_password", PASSWORD).await;
        click(c, "form.confirm button[type='submit']").await;
        assert_eq!(path_of(c).await, "/account/security");
        assert!(!has(c, &row).await, "the device is gone from the list");
        assert_eq!(text_of(c, "#push .badge").await, "Not set up");
        assert!(text_of(c, ".notice").await.contains("removed"));
        // The removed device is refused.
        let res = device.signed("GET", "/api/v1/push/device/challenges?wait=0", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        browser.close().await;
        app.shutdown().await;
    }

    async fn a_denial_and_a_wrong_number_are_said_on_the_page_and_a_code_still_works(env: TestEnv) {
        if !browser::oathtool_available("push denial") {
            return;
        }
        let Some(browser) = Browser::start().await else { return };
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let http = cookie_client();
        sign_in_http(&app, &http).await;
        let device = pair_by_form(&app, &http, "Phone").await;
        let key = enable_totp(&app, &http).await;

        let c = browser.client();
        sign_in_browser(c, &app).await;
        assert_eq!(path_of(c).await, "/login/code");
        assert!(has(c, "form[action='/login/code']").await, "the code form is there too");
        screenshot(c, "push-code-page").await;
        click(c, "form[action='/login/push'] button[type='submit']").await;
        shown_number(c).await;

        assert_eq!(device.answer(json!({"decision": "deny"})).await, "denied");
        wait_for_text(c, "#push-status", "denied").await;
        screenshot(c, "push-denied").await;
        let class = c.find(Locator::Css("#push-number")).await.unwrap().attr("class").await.unwrap();
        assert!(class.unwrap_or_default().contains("push-number--void"));

        // Send again: a new request, answered with the wrong number, is a denial too.
        click(c, "#push-send-again").await;
        assert_eq!(path_of(c).await, "/login/push");
        let number = shown_number(c).await;
        let status = device.answer(json!({"decision": "approve", "number": other_number(number)})).await;
        assert_eq!(status, "denied");
        wait_for_text(c, "#push-status", "denied").await;
        assert_eq!(path_of(c).await, "/login/push", "not signed in");

        // Use a code instead, with the same sign-in.
        click(c, "#push-use-code").await;
        assert_eq!(path_of(c).await, "/login/code");
        fill(c, "code", &totp_code(&key, 30)).await;
        click(c, "form[action='/login/code'] button[type='submit']").await;
        assert_eq!(path_of(c).await, "/account");

        browser.close().await;
        app.shutdown().await;
    }

    async fn without_javascript_continue_signs_in_once_the_app_approved(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let owner = cookie_client();
        sign_in_http(&app, &owner).await;
        let device = pair_by_form(&app, &owner, "Phone").await;
        let security = page(&owner, app.url("/account/security")).await;
        assert!(security.contains(">Phone<"), "the device is listed");

        let http = cookie_client();
        let res = sign_in_http(&app, &http).await;
        assert_eq!(location(&res), "/login/code");
        let code_page = page(&http, app.url("/login/code")).await;
        assert!(code_page.contains("Send a request to my app"));

        let res = post_form(&app, &http, "/login/code", "/login/push", &[]).await;
        assert_eq!(location(&res), "/login/push");
        let push_page = page(&http, app.url("/login/push")).await;
        let number: i64 = between(&push_page, r#"id="push-number" aria-describedby="push-number-label">"#, "<")[0]
            .parse()
            .unwrap();

        // What the script reads: still pending.
        let status: Value = http
            .get(app.url("/login/push/status?wait=0"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["status"], "pending");

        // Continue before approving: not yet.
        let res = post_form(&app, &http, "/login/push", "/login/push/continue", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("has not approved this request yet"));

        // Send again at once: refused, with the wait.
        let res = post_form(&app, &http, "/login/push", "/login/push", &[]).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key("retry-after"));
        let text = res.text().await.unwrap();
        assert!(text.contains("You can send it again in"), "{text}");
        assert!(text.contains(&number.to_string()), "the same request, still shown");

        // The app approves while the status is held open; it answers well before its wait ends.
        let poll = {
            let http = http.clone();
            let url = app.url("/login/push/status?wait=20");
            tokio::spawn(async move {
                let started = Instant::now();
                let res = http.get(url).send().await.unwrap();
                (started.elapsed(), res)
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(device.answer(json!({"decision": "approve", "number": number})).await, "approved");
        let (waited, res) = poll.await.unwrap();
        assert!(waited < Duration::from_secs(10), "the long-poll answered after {waited:?}");
        assert!(
            browser::set_cookie(res.headers(), "portcullis_session").is_some(),
            "the answer sets the session cookie"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!((body["status"].as_str(), body["next"].as_str()), (Some("approved"), Some("/account")));
        let account = http.get(app.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK, "signed in");

        // A browser without the login's cookies learns nothing.
        let stranger = cookie_client();
        let res = stranger.get(app.url("/login/push/status?wait=0")).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ended");

        // Another sign-in, finished by the button alone.
        let http = cookie_client();
        sign_in_http(&app, &http).await;
        let res = post_form(&app, &http, "/login/code", "/login/push", &[]).await;
        assert_eq!(location(&res), "/login/push");
        let push_page = page(&http, app.url("/login/push")).await;
        let number: i64 = between(&push_page, r#"id="push-number" aria-describedby="push-number-label">"#, "<")[0]
            .parse()
            .unwrap();
        assert_eq!(device.answer(json!({"decision": "approve", "number": number})).await, "approved");
        // The page's own button (reloading the page would sign in too).
        let csrf = browser::hidden_csrf(&push_page);
        let res = http
            .post(app.url("/login/push/continue"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/account");
        assert!(browser::set_cookie(res.headers(), "portcullis_session").is_some());
        let account = http.get(app.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), StatusCode::OK, "signed in");

        // "This wasn't me" in the app: the page hears a denial, and nobody is signed in.
        let stolen = cookie_client();
        sign_in_http(&app, &stolen).await;
        let res = post_form(&app, &stolen, "/login/code", "/login/push", &[]).await;
        assert_eq!(location(&res), "/login/push");
        assert_eq!(device.answer(json!({"decision": "fraud"})).await, "fraud");
        let body: Value = stolen
            .get(app.url("/login/push/status?wait=0"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "denied", "{body}");
        assert!(body.get("next").is_none(), "{body}");
        let account = stolen.get(app.url("/account")).send().await.unwrap();
        assert_eq!(location(&account), "/login", "not signed in");

        app.shutdown().await;
    }

    async fn an_unanswered_request_expires_on_the_page_and_a_new_one_gets_a_new_challenge(env: TestEnv) {
        // The server's clock is the test's: the request outlives its second only when the test
        // says so, however slow the machine (a real sleep raced the next request's second).
        let clock = FixedClock::at(unix_now());
        let args = ServeArgs {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            data: Some(env.data.clone()),
            database_url: env.database_url.clone(),
            open_registration: Some(true),
            push_challenge_secs: Some(1),
            ..Default::default()
        };
        let moved = clock.clone();
        let app = TestApp::start_prepared(args, |mut server| async move {
            server.set_clock(Arc::new(moved));
            server
        })
        .await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let owner = cookie_client();
        sign_in_http(&app, &owner).await;
        let device = pair_by_form(&app, &owner, "Phone").await;

        let http = cookie_client();
        sign_in_http(&app, &http).await;
        let res = post_form(&app, &http, "/login/code", "/login/push", &[]).await;
        assert_eq!(location(&res), "/login/push");
        let first = browser::set_cookie(res.headers(), "portcullis_push").unwrap().to_owned();
        clock.advance(2);

        // The script's answer, then the page: both say it expired, and no number is offered.
        let status: Value = http
            .get(app.url("/login/push/status?wait=0"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["status"], "expired");
        assert!(status["message"].as_str().unwrap().contains("expired"));
        let expired = page(&http, app.url("/login/push")).await;
        assert!(expired.contains("The request expired"), "{expired}");
        assert!(!expired.contains(r#"id="push-number""#));
        assert!(device.challenges(0).await.is_empty(), "nothing is pending for the app");

        // Send again: a new challenge, which the app sees.
        let csrf = browser::hidden_csrf(&expired);
        let res = http
            .post(app.url("/login/push"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/login/push");
        let second = browser::set_cookie(res.headers(), "portcullis_push").unwrap().to_owned();
        assert_ne!(first.split(';').next(), second.split(';').next(), "a new challenge");
        assert_eq!(device.challenges(0).await.len(), 1);

        app.shutdown().await;
    }

    async fn device_names_are_checked_beside_the_form_and_others_devices_are_out_of_reach(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let alice = cookie_client();
        sign_in_http(&app, &alice).await;
        let device = pair_by_form(&app, &alice, "Phone").await;

        // A blank name: refused beside the rename form, which stays open; nothing changes.
        let action = format!("/account/security/push-devices/{}/rename", device.id);
        let res = post_form(&app, &alice, "/account/security", &action, &[("name", "  ")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"id="rename-error""#), "{html}");
        assert!(html.contains("1 to 64 characters"), "{html}");
        let security = page(&alice, app.url("/account/security")).await;
        assert!(security.contains(">Phone<"));

        // The app is Alice's only factor: the page asks her to make recovery codes, and does.
        assert!(security.contains(r#"id="push-recovery-codes-left""#), "{security}");
        assert!(security.contains("Make recovery codes"), "{security}");
        let res = post_form(&app, &alice, "/account/security", "/account/security/recovery-codes", &[("password", PASSWORD)]).await;
        assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
        let security = page(&alice, app.url("/account/security")).await;
        assert!(security.contains("10 of 10 left"), "{security}");

        // Someone else can neither rename nor remove it.
        let bob_email = "bob@example.com";
        assert_eq!(app.signup(bob_email, PASSWORD).await.status(), StatusCode::CREATED);
        let bob = cookie_client();
        post_form(&app, &bob, "/login", "/login", &[("username", bob_email), ("password", PASSWORD)]).await;
        let res = post_form(&app, &bob, "/account/security", &action, &[("name", "Mine now")]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let remove = format!("/account/security/push-devices/{}/remove", device.id);
        let res = post_form(&app, &bob, "/account/security", &remove, &[("confirm", "yes"), ("password", PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let security = page(&alice, app.url("/account/security")).await;
        assert!(security.contains(">Phone<"), "still Alice's, still named Phone");

        // Removing asks first; only the confirmed form removes.
        let res = post_form(&app, &alice, "/account/security", &remove, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Remove “Phone”?"));
        assert!(page(&alice, app.url("/account/security")).await.contains(">Phone<"));
        let res = post_form(&app, &alice, "/account/security", &remove, &[("confirm", "yes"), ("password", PASSWORD)]).await;
        assert_eq!(location(&res), "/account/security?done=push_removed#push");
        assert!(!page(&alice, app.url("/account/security")).await.contains(">Phone<"));

        app.shutdown().await;
    }

    async fn pairing_and_removing_a_device_by_form_ask_for_the_current_password(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let alice = cookie_client();
        sign_in_http(&app, &alice).await;
        let pair = "/account/security/push-devices";
        let push_tile = |html: &str| -> String {
            let tile = html.split(r#"id="push""#).nth(1).unwrap_or_else(|| panic!("a push tile: {html}"));
            tile.split(r#"id="mobile-number""#).next().unwrap().to_owned()
        };

        // "Pair a device" asks for the password; a wrong one is refused in the push tile, with
        // the typed name kept, and no pairing link is held.
        let security = page(&alice, app.url("/account/security")).await;
        assert!(push_tile(&security).contains(r#"id="pair_password""#), "{security}");
        let res = post_form(&app, &alice, "/account/security", pair, &[("name", "Desk-phone"), ("password", "Wrong-Horse-7")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let tile = push_tile(&res.text().await.unwrap());
        assert!(tile.contains(r#"id="pair-password-error""#), "{tile}");
        assert!(tile.contains("Your current password is not correct."), "{tile}");
        assert!(tile.contains(r#"value="Desk-phone""#), "the typed name is kept: {tile}");
        let res = alice.get(app.url(pair)).send().await.unwrap();
        assert_eq!(location(&res), "/account/security#push", "no pairing link was made");
        let res = post_form(&app, &alice, "/account/security", pair, &[("name", "Desk-phone")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(push_tile(&res.text().await.unwrap()).contains("Enter your current password."));
        assert!(!page(&alice, app.url("/account/security")).await.contains(r#"id="push-devices""#), "nothing paired");

        // The right one pairs.
        let device = pair_by_form(&app, &alice, "Phone").await;

        // Removing: the confirmation asks for the password; a wrong one shows it again with the
        // message and keeps the device.
        let remove = format!("/account/security/push-devices/{}/remove", device.id);
        let res = post_form(&app, &alice, "/account/security", &remove, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("Remove “Phone”?") && html.contains(r#"id="confirm_password""#), "{html}");
        let res = post_form(&app, &alice, "/account/security", &remove, &[("confirm", "yes"), ("password", "Wrong-Horse-7")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let html = res.text().await.unwrap();
        assert!(html.contains("Remove “Phone”?"), "the confirmation again: {html}");
        assert!(html.contains(r#"id="confirm-password-error""#) && html.contains("Your current password is not correct."), "{html}");
        let res = post_form(&app, &alice, "/account/security", &remove, &[("confirm", "yes")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("Enter your current password."));
        assert!(page(&alice, app.url("/account/security")).await.contains(">Phone<"), "still paired");
        assert!(device.challenges(0).await.is_empty(), "the device still signs in to the server");

        // The right one removes it.
        let res = post_form(&app, &alice, "/account/security", &remove, &[("confirm", "yes"), ("password", PASSWORD)]).await;
        assert_eq!(location(&res), "/account/security?done=push_removed#push");
        assert!(!page(&alice, app.url("/account/security")).await.contains(">Phone<"));
        let res = device.signed("GET", "/api/v1/push/device/challenges?wait=0", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        app.shutdown().await;
    }

    async fn a_newer_sign_in_ends_the_abandoned_request_and_use_a_code_instead_ends_the_current_one(env: TestEnv) {
        let Some(browser) = Browser::start().await else { return };
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let owner = cookie_client();
        sign_in_http(&app, &owner).await;
        let device = pair_by_form(&app, &owner, "Phone").await;

        // A sign-in in the browser asks the app, then is forgotten (a closed tab, say).
        let c = browser.client();
        sign_in_browser(c, &app).await;
        click(c, "form[action='/login/push'] button[type='submit']").await;
        let abandoned_number = shown_number(c).await;
        let pending = device.challenges(10).await;
        let abandoned = pending[0]["id"].as_str().unwrap().to_owned();

        // A newer sign-in asks again: the first request ends, and its page says so at once.
        let other = cookie_client();
        sign_in_http(&app, &other).await;
        let res = post_form(&app, &other, "/login/code", "/login/push", &[]).await;
        assert_eq!(location(&res), "/login/push");
        let said = wait_for_text(c, "#push-status", "replaced").await;
        assert!(said.contains("can no longer be approved"), "{said}");
        screenshot(c, "push-superseded").await;
        let pending = device.challenges(0).await;
        assert_eq!(pending.len(), 1, "the app offers only the newer request: {pending:?}");
        assert_ne!(pending[0]["id"], abandoned.as_str());
        // The number still on the old page approves nothing.
        let path = format!("/api/v1/push/device/challenges/{abandoned}");
        let res = device
            .signed("POST", &path, Some(&json!({"decision": "approve", "number": abandoned_number})))
            .await;
        assert_eq!(server::error_code(res).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        assert_eq!(path_of(c).await, "/login/push", "not signed in");

        // "Send again" on the old page makes it the current one; the other page is told.
        click(c, "#push-send-again").await;
        shown_number(c).await;
        let status: Value = other.get(app.url("/login/push/status?wait=0")).send().await.unwrap().json().await.unwrap();
        assert_eq!(status["status"], "superseded", "{status}");
        assert_eq!(device.challenges(0).await.len(), 1);

        // "Use a code instead" ends this login's request: the app no longer offers it.
        click(c, "#push-use-code").await;
        assert_eq!(path_of(c).await, "/login/code");
        assert!(device.challenges(0).await.is_empty(), "nothing left to approve");

        browser.close().await;
        app.shutdown().await;
    }

    async fn the_pairing_page_says_what_the_companion_app_is_and_how_to_get_it(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let owner = cookie_client();
        sign_in_http(&app, &owner).await;
        let res = post_form(&app, &owner, "/account/security", "/account/security/push-devices", &[("name", "Tablet"), ("password", PASSWORD)]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page(&owner, app.url("/account/security/push-devices")).await;
        for said in [
            "command-line program",
            "approves your sign-in requests",
            "ships with the server",
            "cargo install --path crates/app",
            "has no camera",
            "this device is “Tablet”",
        ] {
            assert!(html.contains(said), "{said:?} in {html}");
        }
        assert!(!html.contains("camera at"), "{html}");
        let uri = pairing_uri_on(&html);
        assert!(html.contains(&format!("portcullis-app pair '{}'", uri.replace('&', "&#38;"))) || html.contains(&format!("portcullis-app pair '{}'", uri.replace('&', "&amp;"))), "{html}");
        // The app learns the name given here, whatever it calls itself.
        let res = Device::try_pair(&app.base, &uri, &Device::new_key()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["name"], "Tablet");
        app.shutdown().await;
    }

    async fn the_code_page_offers_only_the_ways_the_login_has(env: TestEnv) {
        if !browser::oathtool_available("push offer") {
            return;
        }
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let owner = cookie_client();
        sign_in_http(&app, &owner).await;
        let device = pair_by_form(&app, &owner, "Phone").await;

        // The companion app alone: its button, and no authenticator-code form.
        let http = cookie_client();
        assert_eq!(location(&sign_in_http(&app, &http).await), "/login/code");
        let html = page(&http, app.url("/login/code")).await;
        assert!(html.contains("Send a request to my app"), "{html}");
        assert!(!html.contains(r#"id="code""#), "{html}");

        // The authenticator app alone: its form, and no companion-app button.
        enable_totp(&app, &owner).await;
        let remove = format!("/account/security/push-devices/{}/remove", device.id);
        let res = post_form(&app, &owner, "/account/security", &remove, &[("confirm", "yes"), ("password", PASSWORD)]).await;
        assert_eq!(location(&res), "/account/security?done=push_removed#push");
        let http = cookie_client();
        assert_eq!(location(&sign_in_http(&app, &http).await), "/login/code");
        let html = page(&http, app.url("/login/code")).await;
        assert!(html.contains(r#"id="code""#), "{html}");
        assert!(!html.contains("Send a request to my app"), "{html}");

        app.shutdown().await;
    }
}
