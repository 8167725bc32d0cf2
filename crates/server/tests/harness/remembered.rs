//! Remembered browsers as a test plays them (`api/remembered_browsers*.rs`): a cookie-keeping
//! HTTP client stands in for the browser and the `p256` crate for WebCrypto (the same IEEE P1363
//! signatures over the same message), with one helper per page of the flow, and the few
//! account and contract steps those tests share.

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

use super::server::{PASSWORD, TestApp, TestEnv};
use super::totp::code;

/// What `remember.js` signs before the challenge.
pub const MESSAGE_PREFIX: &str = "portcullis-remembered-browser\n";
/// Where a browser goes when its key cannot be used.
pub const CODE_INSTEAD: &str = "/login/code?browser=no";
pub const DAY: i64 = 24 * 3600;

/// A browser: its cookie jar (kept across sign-ins, like a profile) and the key pair its
/// IndexedDB would hold.
pub struct Browser {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    key: SigningKey,
}

impl Browser {
    pub fn new() -> Browser {
        Browser::with_jar(Arc::new(Jar::default()))
    }

    /// A browser that holds only the cookies of `jar` (another browser's, copied).
    pub fn with_jar(jar: Arc<Jar>) -> Browser {
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
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().to_sec1_point(false).as_bytes())
    }

    pub fn browser_id(&self) -> String {
        let point = self.key.verifying_key().to_sec1_point(false);
        URL_SAFE_NO_PAD.encode(Sha256::digest(point.as_bytes()))
    }

    pub fn sign(&self, challenge: &str) -> String {
        let sig: Signature = self
            .key
            .sign(format!("{MESSAGE_PREFIX}{challenge}").as_bytes());
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.http.get(app.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(app.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The password step (signing out first, when signed in): on to the second step.
    pub async fn password(&self, app: &TestApp, email: &str) {
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
    pub async fn sign_in_page(&self, app: &TestApp) -> String {
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
    pub async fn code_page(&self, app: &TestApp, recovery: bool) -> String {
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
    pub async fn second_step(
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
    pub async fn challenge(&self, app: &TestApp) -> Result<(String, String), String> {
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

    pub async fn post_signature(
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
    pub async fn sign_in_remembered(&self, app: &TestApp) -> Response {
        let (challenge, csrf) = self.challenge(app).await.expect("a challenge to sign");
        let sig = self.sign(&challenge);
        self.post_signature(app, &csrf, &self.browser_id(), &challenge, &sig)
            .await
    }

    /// After the password: does the code page send this browser to its key, and does the key
    /// sign it in?
    pub async fn skips_the_code(&self, app: &TestApp, email: &str) -> bool {
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

pub fn rand_scalar() -> [u8; 32] {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    // Any 32 bytes below the group order are a key; a zero first byte keeps them below it.
    seed[0] = 0;
    seed[31] |= 1;
    seed
}

pub fn location(r: &Response) -> &str {
    r.headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap())
        .unwrap_or_default()
}

pub fn set_cookie<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.contains("Max-Age=0"))
}

pub fn value_of(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

/// The value of the first attribute `name` on the page, as the HTML has it.
pub fn attribute(html: &str, name: &str) -> String {
    let marker = format!(r#"{name}=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

/// What the browser reads from an escaped attribute.
pub fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub fn csrf_of(html: &str) -> String {
    value_of(html, "csrf")
}

pub async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Response {
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
pub async fn with_totp(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
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

pub async fn set_contract(app: &TestApp, owner: &str, body: Value) {
    let r = call(app, Method::PATCH, "/api/v1/contract", owner, body).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// How many browsers `email` has remembered, as the database holds them.
pub async fn remembered(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM remembered_browsers WHERE user_id = \
         (SELECT id FROM users WHERE email_key = $1)",
    )
    .bind(email.to_owned())
    .fetch_one(app.state.services.store.raw_pool())
    .await
    .unwrap()
}

pub async fn audit_has(app: &TestApp, token: &str, kind: &str) -> bool {
    app.audit_types(token).await.iter().any(|t| t == kind)
}

/// The server on a clock the test moves.
pub async fn spawn_with_clock(env: &TestEnv, clock: FixedClock) -> TestApp {
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

/// A fresh API session for `email` by the password and a recovery code.
pub async fn token_by_recovery(app: &TestApp, email: &str, recovery: &str) -> String {
    let r: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    let body = json!({ "login_ticket": r["login_ticket"], "code": recovery });
    let r = app.post_json("/api/v1/login/recovery", &body, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

impl Browser {
    /// After the password: the authenticator code, with "remember" ticked.
    pub async fn remember_after_password(&self, app: &TestApp, code: &str) {
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
    pub async fn remember_with_recovery_code(&self, app: &TestApp, code: &str) {
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
