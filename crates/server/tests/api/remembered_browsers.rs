//! Remembered browsers through the real sign-in pages, on SQLite and PostgreSQL: a browser that
//! ticked "Don't ask for a code on this browser" registers a P-256 public key with its code, and
//! at the next sign-in signs the challenge of `/login/browser` instead of typing a code. Here a
//! cookie-keeping HTTP client plays the browser and the `p256` crate plays WebCrypto (the same
//! IEEE P1363 signatures). What must not work: a replayed signature, another account's key, an
//! expired browser, a contract lowered to 0 days or "phishing-resistant only", a browser that
//! outlived a password change, reset, admin 2FA reset, `/recover` or lock, and garbage.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use portcullis_core::FixedClock;
use portcullis_server::config::ServeArgs;
use reqwest::cookie::Jar;
use reqwest::{Method, Response, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::companion::Device;
use crate::harness::server::{PASSWORD, TestApp, TestEnv};
use crate::harness::totp::{code, code_at_step, code_now, unix_now};
use crate::harness::webauthn::{self, Authenticator};
use crate::webauthn::register;

const MESSAGE_PREFIX: &str = "portcullis-remembered-browser\n";
/// Where a browser goes when its key cannot be used.
const CODE_INSTEAD: &str = "/login/code?browser=no";

/// A browser: its cookie jar (kept across sign-ins, like a profile) and the key pair its
/// IndexedDB would hold.
struct Browser {
    http: reqwest::Client,
    jar: Arc<Jar>,
    key: SigningKey,
}

impl Browser {
    fn new() -> Browser {
        Browser::with_jar(Arc::new(Jar::default()))
    }

    /// A browser that holds only the cookies of `jar` (another browser's, copied).
    fn with_jar(jar: Arc<Jar>) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
            .build()
            .unwrap();
        Browser {
            http,
            jar,
            key: SigningKey::from_slice(&rand_scalar()).unwrap(),
        }
    }

    /// The raw uncompressed public point, base64url, as `remember.js` sends it.
    fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().to_sec1_point(false).as_bytes())
    }

    fn browser_id(&self) -> String {
        let point = self.key.verifying_key().to_sec1_point(false);
        URL_SAFE_NO_PAD.encode(Sha256::digest(point.as_bytes()))
    }

    fn sign(&self, challenge: &str) -> String {
        let sig: Signature = self
            .key
            .sign(format!("{MESSAGE_PREFIX}{challenge}").as_bytes());
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    }

    async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.http.get(app.url(path)).send().await.unwrap()
    }

    async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(app.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The password step (signing out first, when signed in): on to the second step.
    async fn password(&self, app: &TestApp, email: &str) {
        let page = self.sign_in_page(app).await;
        let csrf = csrf_of(&page);
        let form = [
            ("csrf", csrf.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ];
        let r = self.post(app, "/login", &form).await;
        assert_eq!(
            location(&r),
            "/login/code",
            "the password leads to the second step"
        );
    }

    /// The sign-in page, signing out first when signed in.
    async fn sign_in_page(&self, app: &TestApp) -> String {
        let r = self.get(app, "/login").await;
        if !r.status().is_redirection() {
            return r.text().await.unwrap();
        }
        let account = self.get(app, "/account").await.text().await.unwrap();
        let out = self
            .post(app, "/logout", &[("csrf", &csrf_of(&account))])
            .await;
        assert_eq!(location(&out), "/login?done=signed_out");
        self.get(app, "/login").await.text().await.unwrap()
    }

    /// The code page (without the detour through `/login/browser`): its HTML.
    async fn code_page(&self, app: &TestApp, recovery: bool) -> String {
        let path = if recovery {
            "/login/code?recovery=1"
        } else {
            CODE_INSTEAD
        };
        let r = self.get(app, path).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.text().await.unwrap()
    }

    /// A code (or, `recovery`, a recovery code) with this browser's key when `remember`.
    async fn second_step(
        &self,
        app: &TestApp,
        code: &str,
        recovery: bool,
        remember: Option<&str>,
    ) -> Response {
        let page = self.code_page(app, recovery).await;
        let csrf = csrf_of(&page);
        let action = if recovery {
            "/login/recovery"
        } else {
            "/login/code"
        };
        let key = remember.unwrap_or_default();
        self.post(
            app,
            action,
            &[("csrf", &csrf), ("code", code), ("remember_key", key)],
        )
        .await
    }

    /// The remembered-browser page: its challenge and CSRF token, or where it sent us instead.
    async fn challenge(&self, app: &TestApp) -> Result<(String, String), String> {
        let r = self.get(app, "/login/browser").await;
        if r.status().is_redirection() {
            return Err(location(&r).to_owned());
        }
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let page = r.text().await.unwrap();
        let challenge = value_of(&page, "challenge");
        Ok((challenge, csrf_of(&page)))
    }

    async fn post_signature(
        &self,
        app: &TestApp,
        csrf: &str,
        id: &str,
        challenge: &str,
        sig: &str,
    ) -> Response {
        let form = [
            ("csrf", csrf),
            ("browser_id", id),
            ("challenge", challenge),
            ("signature", sig),
        ];
        self.post(app, "/login/browser", &form).await
    }

    /// What `remember.js` does on `/login/browser`: sign the challenge with this browser's key.
    async fn sign_in_remembered(&self, app: &TestApp) -> Response {
        let (challenge, csrf) = self.challenge(app).await.expect("a challenge to sign");
        let sig = self.sign(&challenge);
        self.post_signature(app, &csrf, &self.browser_id(), &challenge, &sig)
            .await
    }

    /// After the password: does the code page send this browser to its key, and does the key
    /// sign it in?
    async fn skips_the_code(&self, app: &TestApp, email: &str) -> bool {
        self.password(app, email).await;
        let r = self.get(app, "/login/code").await;
        if location(&r) != "/login/browser" {
            return false;
        }
        let r = match self.challenge(app).await {
            Ok(_) => self.sign_in_remembered(app).await,
            Err(to) => {
                assert_eq!(to, CODE_INSTEAD);
                return false;
            }
        };
        match location(&r) {
            "/account" => {
                assert!(set_cookie(&r, "portcullis_session").is_some());
                true
            }
            to => {
                assert_eq!(to, CODE_INSTEAD);
                false
            }
        }
    }
}

fn rand_scalar() -> [u8; 32] {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    // Any 32 bytes below the group order are a key; a zero first byte keeps them below it.
    seed[0] = 0;
    seed[31] |= 1;
    seed
}

fn location(r: &Response) -> &str {
    r.headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap())
        .unwrap_or_default()
}

fn set_cookie<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.contains("Max-Age=0"))
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

/// The value of the first attribute `name` on the page, as the HTML has it.
fn attribute(html: &str, name: &str) -> String {
    let marker = format!(r#"{name}=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

/// What the browser reads from an escaped attribute.
fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn csrf_of(html: &str) -> String {
    value_of(html, "csrf")
}

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Signs `email` up and turns on the authenticator app: (token, secret, recovery codes). The
/// activation uses the previous step, so the current one is left for the sign-in.
async fn with_totp(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
    let token = app.signed_in(email).await;
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(&token))
        .await;
    let secret = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "password": PASSWORD, "code": code(&secret, -1) });
    let r = app
        .post_json("/api/v1/me/totp/activate", &body, Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let codes = r.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (token, secret, codes)
}

async fn set_contract(app: &TestApp, owner: &str, body: Value) {
    let r = call(app, Method::PATCH, "/api/v1/contract", owner, body).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// How many browsers `email` has remembered, as the database holds them.
async fn remembered(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM remembered_browsers WHERE user_id = \
         (SELECT id FROM users WHERE email_key = $1)",
    )
    .bind(email.to_owned())
    .fetch_one(app.state.services.store.raw_pool())
    .await
    .unwrap()
}

async fn audit_has(app: &TestApp, token: &str, kind: &str) -> bool {
    app.audit_types(token).await.iter().any(|t| t == kind)
}

/// The server on a clock the test moves.
async fn spawn_with_clock(env: &TestEnv, clock: FixedClock) -> TestApp {
    let args = ServeArgs {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        data: Some(env.data.clone()),
        database_url: env.database_url.clone(),
        open_registration: Some(true),
        ..Default::default()
    };
    TestApp::start_prepared(args, |mut server| async move {
        server.set_clock(Arc::new(clock));
        server
    })
    .await
}

const DAY: i64 = 24 * 3600;

/// A fresh API session for `email` by the password and a recovery code.
async fn token_by_recovery(app: &TestApp, email: &str, recovery: &str) -> String {
    let r: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    let body = json!({ "login_ticket": r["login_ticket"], "code": recovery });
    let r = app.post_json("/api/v1/login/recovery", &body, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_backends! {
    async fn a_remembered_browser_signs_in_without_a_code(env: TestEnv) {
        let app = env.spawn().await;
        let (token, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let page = laptop.code_page(&app, false).await;
        assert!(page.contains("on this browser for 30 days"), "{page}");
        assert!(page.contains("data-remember=") && page.contains("/static/remember.js"));
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        assert!(audit_has(&app, &token, "browser.remembered").await);

        assert!(laptop.skips_the_code(&app, "amy@example.com").await, "no code asked");
        assert!(audit_has(&app, &token, "login.remembered_browser.success").await);
        let sessions = app.sessions(&token).await;
        let amr: Vec<Value> = sessions["sessions"].as_array().unwrap().iter().map(|s| s["amr"].clone()).collect();
        assert!(amr.contains(&json!(["pwd", "swk", "mfa"])), "{amr:?}");
        let methods: Vec<String> = sqlx::query_scalar("SELECT methods FROM sessions WHERE methods IS NOT NULL")
            .fetch_all(app.state.services.store.raw_pool())
            .await
            .unwrap();
        assert!(methods.iter().any(|m| m.contains("remembered_browser")), "{methods:?}");

        // The cookies alone, in another browser without the key: the code is asked.
        let copy = Browser::with_jar(laptop.jar.clone());
        assert!(!copy.skips_the_code(&app, "amy@example.com").await);
        assert!(audit_has(&app, &token, "login.remembered_browser.failure").await);
    }

    async fn a_signature_works_once_and_only_for_its_own_challenge(env: TestEnv) {
        let app = env.spawn().await;
        let (_, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;

        // A reload makes a new challenge: the first one's signature is worthless.
        laptop.password(&app, "amy@example.com").await;
        let (first, _) = laptop.challenge(&app).await.unwrap();
        let (second, csrf) = laptop.challenge(&app).await.unwrap();
        assert_ne!(first, second);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &first, &laptop.sign(&first)).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        // The current challenge signs in once.
        let sig = laptop.sign(&second);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &second, &sig).await;
        assert_eq!(location(&r), "/account");

        // The same answer at the next sign-in, even beside a live challenge, is refused.
        laptop.password(&app, "amy@example.com").await;
        let (_, csrf) = laptop.challenge(&app).await.unwrap();
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &second, &sig).await;
        assert_eq!(location(&r), CODE_INSTEAD, "a replayed signature skips nothing");
        // That attempt spent the live challenge too: each try takes the ticket's current one.
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn an_approval_in_the_companion_app_remembers_the_browser_too(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("amy@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let page = laptop.code_page(&app, false).await;
        let r = laptop.post(&app, "/login/push", &[("csrf", &csrf_of(&page))]).await;
        assert_eq!(location(&r), "/login/push");
        let page = laptop.get(&app, "/login/push").await.text().await.unwrap();
        assert!(page.contains("on this browser for 30 days"), "{page}");
        let number: i64 = page.split(r#"id="push-number""#).nth(1).unwrap().split('>').nth(1).unwrap()
            .split('<').next().unwrap().trim().parse().unwrap();
        let asked = phone.challenges(&app, 5).await;
        let id = asked[0]["id"].as_str().unwrap();
        assert!(phone.approve(&app, id, number).await.status().is_success());
        // The poll that finds the approval carries the key push.js took from the page.
        let status = format!("/login/push/status?wait=0&remember_key={}", laptop.public_key());
        let r = laptop.get(&app, &status).await;
        assert!(set_cookie(&r, "portcullis_session").is_some());
        assert!(set_cookie(&r, "portcullis_remembered").is_some());
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "approved");
        // A later poll (no session opened by it) remembers nothing more.
        let r = laptop.get(&app, &status).await;
        assert!(set_cookie(&r, "portcullis_remembered").is_none());
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn a_security_key_at_the_second_step_remembers_the_browser_too(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let token = app.signed_in("amy@example.com").await;
        let mut yubikey = Authenticator::security_key();
        register(&app, &token, &mut yubikey, "YubiKey").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        let r = laptop.get(&app, "/login/code").await;
        assert_eq!(location(&r), "/login/key", "a key as the only factor comes first");
        let page = laptop.get(&app, "/login/key").await.text().await.unwrap();
        assert!(page.contains("on this browser for 30 days"), "{page}");
        let options: Value = serde_json::from_str(&unescape(&attribute(&page, "data-options"))).unwrap();
        let answer = yubikey.get(&webauthn::origin(&app), &options);
        let form = [("csrf", csrf_of(&page)), ("credential", answer.to_string()), ("remember_key", laptop.public_key())];
        let r = laptop.http.post(app.url("/login/key")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/account");
        assert!(set_cookie(&r, "portcullis_remembered").is_some());
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);

        // An application that asks for a key is not satisfied by a remembered browser.
        laptop.sign_in_page(&app).await;
        let page = laptop.get(&app, "/login?acr=phr").await.text().await.unwrap();
        let form = [("csrf", csrf_of(&page)), ("username", "amy@example.com".into()), ("password", PASSWORD.into()), ("acr", "phr".into())];
        let r = laptop.http.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/login/code");
        assert_eq!(laptop.challenge(&app).await.unwrap_err(), CODE_INSTEAD);
        let page = laptop.get(&app, "/login/key").await.text().await.unwrap();
        assert!(!page.contains("data-remember="), "no checkbox for a key-only sign-in");
    }

    async fn another_accounts_browser_signs_in_nobody_else(env: TestEnv) {
        let app = env.spawn().await;
        let (_, amy_secret, _) = with_totp(&app, "amy@example.com").await;
        let (_, ben_secret, _) = with_totp(&app, "ben@example.com").await;
        let bens = Browser::new();
        bens.password(&app, "ben@example.com").await;
        bens.remember_after_password(&app, &code_now(&ben_secret)).await;
        // Amy also remembers this browser with a key of her own.
        let amys = Browser::with_jar(bens.jar.clone());
        amys.password(&app, "amy@example.com").await;
        amys.remember_after_password(&app, &code_now(&amy_secret)).await;

        // Ben's key, correctly signing Amy's challenge, does not sign Amy in.
        amys.password(&app, "amy@example.com").await;
        let (challenge, csrf) = amys.challenge(&app).await.unwrap();
        let r = amys.post_signature(&app, &csrf, &bens.browser_id(), &challenge, &bens.sign(&challenge)).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        // Each account's own key works.
        assert!(amys.skips_the_code(&app, "amy@example.com").await);
        assert!(bens.skips_the_code(&app, "ben@example.com").await);
    }

    async fn an_expired_browser_and_a_lowered_contract_are_refused(env: TestEnv) {
        let clock = FixedClock::at(unix_now());
        let app = spawn_with_clock(&env, clock.clone()).await;
        let (owner, secret, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;

        // Lowered to 7 days: a browser remembered 8 days ago no longer passes.
        set_contract(&app, &owner, json!({ "remember_browser_days": 7 })).await;
        clock.advance(8 * DAY);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await);
        let owner = token_by_recovery(&app, "amy@example.com", &codes[0]).await;
        set_contract(&app, &owner, json!({ "remember_browser_days": 30 })).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);

        // 0 days: nothing passes, even with a challenge fetched before the change.
        laptop.password(&app, "amy@example.com").await;
        let (challenge, csrf) = laptop.challenge(&app).await.unwrap();
        set_contract(&app, &owner, json!({ "remember_browser_days": 0 })).await;
        let sig = laptop.sign(&challenge);
        let r = laptop.post_signature(&app, &csrf, &laptop.browser_id(), &challenge, &sig).await;
        assert_eq!(location(&r), CODE_INSTEAD);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await);
        // ...and the code page offers no checkbox.
        assert!(!laptop.code_page(&app, true).await.contains("data-remember="));

        // Past its own 30 days: refused, whatever the contract.
        set_contract(&app, &owner, json!({ "remember_browser_days": 90 })).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
        clock.advance(23 * DAY);
        assert!(!laptop.skips_the_code(&app, "amy@example.com").await, "31 days after");
        // Remembered again (by a recovery code: the app's codes follow the real time), it passes.
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[1]).await;
        assert!(laptop.skips_the_code(&app, "amy@example.com").await);
    }

    async fn at_most_twenty_browsers_are_remembered_and_the_oldest_goes_first(env: TestEnv) {
        let start = unix_now();
        let clock = FixedClock::at(start);
        let app = spawn_with_clock(&env, clock.clone()).await;
        let (_, secret, _) = with_totp(&app, "amy@example.com").await;
        let browsers: Vec<Browser> = (0..21).map(|_| Browser::new()).collect();
        for (i, browser) in browsers.iter().enumerate() {
            // A step of its own for each sign-in (each code works once), on the server's clock.
            clock.set(start + 60 * (i as i64 + 1));
            let step = (start + 60 * (i as i64 + 1)) / 30;
            browser.password(&app, "amy@example.com").await;
            browser.remember_after_password(&app, &code_at_step(&secret, step)).await;
        }
        assert_eq!(remembered(&app, "amy@example.com").await, 20);
        assert!(!browsers[0].skips_the_code(&app, "amy@example.com").await, "the oldest went");
        assert!(browsers[1].skips_the_code(&app, "amy@example.com").await);
        assert!(browsers[20].skips_the_code(&app, "amy@example.com").await);
    }

    async fn phishing_resistant_only_offers_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let (owner, secret, _) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        set_contract(&app, &owner, json!({ "require_phishing_resistant": true })).await;
        assert_eq!(remembered(&app, "amy@example.com").await, 1);
        // Without a key, the password leads to the key's setup: a remembered browser finishes no
        // setup, and its page sends the browser away without a challenge.
        let page = laptop.sign_in_page(&app).await;
        let form = [("csrf", csrf_of(&page)), ("username", "amy@example.com".into()), ("password", PASSWORD.into())];
        let r = laptop.http.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(location(&r), "/login/setup");
        let r = laptop.get(&app, "/login/browser").await;
        assert!(location(&r).starts_with("/login"), "{}", location(&r));
        assert!(!location(&r).starts_with("/login/browser"));
        assert!(set_cookie(&r, "portcullis_session").is_none());
    }

    async fn taking_the_account_back_forgets_every_remembered_browser(env: TestEnv) {
        let app = env.spawn().await;

        // A password change.
        let (amy, _, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let r = app.change_password(&amy, PASSWORD, "Another-Horse-8").await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "amy@example.com").await, 0);

        // A password reset by link: the new password is PASSWORD again, so the browser can try.
        let (_, _, codes) = with_totp(&app, "ben@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "ben@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        app.post_json("/api/v1/password-reset", &json!({ "username": "ben@example.com" }), None).await;
        let mail = app.message_to("email", "ben@example.com", |m| m["kind"] == "password_reset").await;
        let body = mail["body"].as_str().unwrap();
        let start = body.find("/reset?token=").unwrap() + "/reset?token=".len();
        let token: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let r = app.post_json("/api/v1/password-reset/complete", &json!({ "token": token, "new_password": "Another-Horse-9" }), None).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "ben@example.com").await, 0);

        // An administrator's 2FA reset.
        let r = call(&app, Method::POST, "/api/v1/users", &amy, json!({ "email": "carl@example.com", "password": PASSWORD, "role": "user" })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let carl_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let carl = app.token_for("carl@example.com", PASSWORD).await;
        let r = app.post_json("/api/v1/me/totp", &json!({}), Some(&carl)).await;
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let r = app.post_json("/api/v1/me/totp/activate", &json!({ "password": PASSWORD, "code": code(&secret, -1) }), Some(&carl)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let laptop = Browser::new();
        laptop.password(&app, "carl@example.com").await;
        laptop.remember_after_password(&app, &code_now(&secret)).await;
        assert_eq!(remembered(&app, "carl@example.com").await, 1);
        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{carl_id}/two-factor"), &amy, json!({})).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "carl@example.com").await, 0);

        // The recovery from a lost phone.
        let (_, _, codes) = with_totp(&app, "dora@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "dora@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let body = json!({ "username": "dora@example.com", "password": PASSWORD, "recovery_code": codes[1] });
        let r = app.post_json("/api/v1/recover", &body, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(remembered(&app, "dora@example.com").await, 0);

        // A lock ("this wasn't me").
        let (_, _, codes) = with_totp(&app, "emil@example.com").await;
        let laptop = Browser::new();
        laptop.password(&app, "emil@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[0]).await;
        let mail = app.message_to("email", "emil@example.com", |m| m["body"].as_str().unwrap_or_default().contains("/lock?token=")).await;
        let body = mail["body"].as_str().unwrap();
        let start = body.find("/lock?token=").unwrap() + "/lock?token=".len();
        let token: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let r = app.post_json("/api/v1/lock", &json!({ "token": token }), None).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(remembered(&app, "emil@example.com").await, 0);
    }

    async fn garbage_is_refused_or_falls_back_never_a_500(env: TestEnv) {
        let app = env.spawn().await;
        let (_, _, codes) = with_totp(&app, "amy@example.com").await;
        let laptop = Browser::new();

        // A garbage key: signed in all the same, nothing remembered.
        laptop.password(&app, "amy@example.com").await;
        let r = laptop.second_step(&app, &codes[0], true, Some("not-a-key")).await;
        assert_eq!(location(&r), "/account");
        assert!(set_cookie(&r, "portcullis_remembered").is_none());
        assert_eq!(remembered(&app, "amy@example.com").await, 0);

        laptop.password(&app, "amy@example.com").await;
        laptop.remember_with_recovery_code(&app, &codes[1]).await;
        laptop.password(&app, "amy@example.com").await;
        let id = laptop.browser_id();
        for (browser_id, sig) in [
            (id.as_str(), "garbage"),
            (id.as_str(), ""),
            ("", "garbage"),
            ("not an id at all \u{0}", "AAAA"),
        ] {
            let (challenge, csrf) = laptop.challenge(&app).await.unwrap();
            let r = laptop.post_signature(&app, &csrf, browser_id, &challenge, sig).await;
            assert_eq!(location(&r), CODE_INSTEAD, "{browser_id:?} {sig:?}");
        }
        // A wrong signature by a known key counts like a wrong code: the ticket dies after as
        // many of them (two already), and the sign-in starts over.
        let mut ended = false;
        for _ in 0..5 {
            let r = laptop.get(&app, "/login/browser").await;
            if location(&r).starts_with("/login?done=") {
                ended = true;
                break;
            }
            let page = r.text().await.unwrap();
            let (challenge, csrf) = (value_of(&page, "challenge"), csrf_of(&page));
            let wrong = laptop.sign("another challenge");
            laptop.post_signature(&app, &csrf, &id, &challenge, &wrong).await;
        }
        assert!(ended, "wrong signatures end the ticket");

        // No ticket at all: back to the password, not an error.
        let stranger = Browser::new();
        let r = stranger.get(&app, "/login/browser").await;
        assert_eq!(location(&r), "/login");
        let page = stranger.get(&app, "/login").await.text().await.unwrap();
        let csrf = csrf_of(&page);
        let r = stranger.post_signature(&app, &csrf, &id, "x", "y").await;
        assert!(r.status().is_redirection(), "{}", r.status());
    }
}

impl Browser {
    /// After the password: the authenticator code, with "remember" ticked.
    async fn remember_after_password(&self, app: &TestApp, code: &str) {
        let r = self
            .second_step(app, code, false, Some(&self.public_key()))
            .await;
        assert_eq!(location(&r), "/account");
        assert!(
            set_cookie(&r, "portcullis_remembered").is_some(),
            "the hint is set"
        );
    }

    /// After the password: a recovery code, with "remember" ticked.
    async fn remember_with_recovery_code(&self, app: &TestApp, code: &str) {
        let r = self
            .second_step(app, code, true, Some(&self.public_key()))
            .await;
        assert_eq!(location(&r), "/account");
        assert!(
            set_cookie(&r, "portcullis_remembered").is_some(),
            "the hint is set"
        );
    }
}
