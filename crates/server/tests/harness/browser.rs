//! The harness of the browser tests (`web/browser*.rs`): the real server on `127.0.0.1:0` with a
//! fresh data folder (started by [`server::TestApp::start_prepared`], like every in-process
//! server), a cookie-keeping HTTP client for what a browser hides, `oathtool` playing the
//! person's authenticator app, and headless Chromium driven through its own chromedriver.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use portcullis_core::password::Password;
use portcullis_server::Server;
use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::server;

pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "Correct-Horse-9!";

// ---------------------------------------------------------------------------------------------
// The server

pub struct TestApp {
    pub addr: SocketAddr,
    data: PathBuf,
    pub setup_token: Option<String>,
    /// The running server; taken by [`TestApp::stop`].
    server: Option<server::TestApp>,
}

impl TestApp {
    /// A server with open registration and one owner, `EMAIL` / `PASSWORD`.
    pub async fn with_user() -> TestApp {
        let app = TestApp::spawn(true, |server| async move {
            server
                .state()
                .services
                .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
                .await
                .expect("the owner is created");
            server
        })
        .await;
        assert!(app.setup_token.is_none());
        app
    }

    /// A server with the owner `EMAIL`, a service token for a mail server (returned beside it)
    /// and, when `agent` names one, a support agent with that email and password.
    pub async fn with_mail_service(
        agent: Option<(&'static str, &'static str)>,
    ) -> (TestApp, String) {
        let service_token = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let slot = service_token.clone();
        let app = TestApp::spawn(true, |server| async move {
            let services = &server.state().services;
            services
                .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
                .await
                .unwrap();
            if let Some((email, password)) = agent {
                services
                    .create_support_agent_from_shell(email, &Password::new(password))
                    .await
                    .unwrap();
            }
            let (_, token) = services
                .create_service_token_from_shell("mail")
                .await
                .unwrap();
            *slot.lock().unwrap() = token.expose().to_owned();
            server
        })
        .await;
        let token = service_token.lock().unwrap().clone();
        (app, token)
    }

    /// A server with closed registration and no account: it issues a setup link.
    pub async fn fresh_closed() -> TestApp {
        TestApp::spawn(false, |server| async move { server }).await
    }

    pub async fn spawn<F, Fut>(open_registration: bool, prepare: F) -> TestApp
    where
        F: FnOnce(Server) -> Fut,
        Fut: Future<Output = Server>,
    {
        TestApp::spawn_with(|a| a.open_registration = Some(open_registration), prepare).await
    }

    /// A server whose settings `adjust` changes first (SQLite in a fresh temporary folder).
    pub async fn spawn_with<F, Fut>(adjust: impl FnOnce(&mut ServeArgs), prepare: F) -> TestApp
    where
        F: FnOnce(Server) -> Fut,
        Fut: Future<Output = Server>,
    {
        let data = std::env::temp_dir().join(format!("portcullis-web-{}", uuid::Uuid::new_v4()));
        let mut args = ServeArgs {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            data: Some(data.clone()),
            ..Default::default()
        };
        adjust(&mut args);
        let server = server::TestApp::start_prepared(args, prepare).await;
        // The printed link uses the public URL, which still says port 0; keep only its token.
        let setup_token = server
            .setup_link
            .as_deref()
            .and_then(|link| link.split_once("token="))
            .map(|(_, token)| token.to_owned());
        TestApp {
            addr: server.addr,
            data,
            setup_token,
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The server's data folder (the outbox's file transport writes there).
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// A client that keeps cookies like a browser but shows every redirect instead of following it.
    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// `GET path` and the CSRF token of the first form on the page.
    pub async fn form_token(&self, http: &reqwest::Client, path: &str) -> String {
        let page = http.get(self.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "GET {path}");
        hidden_csrf(&page.text().await.unwrap())
    }

    /// Signs in through the login form; the client then holds the session cookie.
    pub async fn sign_in(&self, http: &reqwest::Client) -> reqwest::Response {
        self.sign_in_as(http, EMAIL, PASSWORD).await
    }

    /// Signs someone else in through the login form.
    pub async fn sign_in_as(
        &self,
        http: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let csrf = self.form_token(http, "/login").await;
        http.post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The running server, for what the tests read behind the pages (its state, its outbox).
    pub fn server(&self) -> &server::TestApp {
        self.server.as_ref().expect("a running server")
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Dropping the server's stop signal stops it.
        drop(self.server.take());
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The value of the first `<input name="csrf">` in a page.
pub fn hidden_csrf(html: &str) -> String {
    let start = html
        .find(r#"name="csrf" value=""#)
        .expect("the page has a CSRF field")
        + r#"name="csrf" value=""#.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// The `Set-Cookie` header that sets cookie `name`.
pub fn set_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

pub fn location(res: &reqwest::Response) -> &str {
    res.headers()
        .get(header::LOCATION)
        .expect("a redirect")
        .to_str()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The authenticator app, played by oathtool

/// Whether `oathtool` can stand in for the person's phone; says SKIPPED when not.
pub fn oathtool_available(test: &str) -> bool {
    if find_program("oathtool", "/usr/bin/oathtool").is_some() {
        return true;
    }
    let required = ["PORTCULLIS_REQUIRE_BROWSER", "PORTCULLIS_REQUIRE_TOOLS"]
        .iter()
        .any(|var| std::env::var(var).as_deref() == Ok("1"));
    assert!(!required, "oathtool not found and it is required");
    println!("SKIPPED {test}: oathtool not found (apt-get install oathtool)");
    false
}

/// Runs `oathtool --totp -b KEY -N "now + OFFSET seconds" [extra]` and returns its lines.
pub fn oathtool(key: &str, offset_secs: i64, extra: &[&str]) -> Vec<String> {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let when = format!("now {sign} {} seconds", offset_secs.abs());
    let out = Command::new(find_program("oathtool", "/usr/bin/oathtool").unwrap())
        .args(["--totp", "-b", key, "-N", &when])
        .args(extra)
        .output()
        .expect("oathtool runs");
    assert!(out.status.success(), "oathtool: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The code the app shows `offset_secs` from now. A code is accepted one step either side of
/// the server's clock, so "now + 30 s" is a fresh code that is already accepted.
pub fn totp_code(key: &str, offset_secs: i64) -> String {
    oathtool(key, offset_secs, &[]).remove(0)
}

/// A six-digit code that is certainly wrong: none of the steps from one before now to two after.
pub fn wrong_code(key: &str) -> String {
    let near = oathtool(key, -30, &["-w", "3"]);
    (0..10)
        .map(|d| d.to_string().repeat(6))
        .find(|c| !near.contains(c))
        .unwrap()
}

/// The authenticator key as the assistant shows it, in groups of four, without the spaces.
pub fn key_from_grouped(grouped: &str) -> String {
    let groups: Vec<&str> = grouped.split_whitespace().collect();
    assert_eq!(groups.len(), 8, "a 160-bit key in eight groups: {grouped}");
    assert!(groups.iter().all(|g| {
        g.len() == 4
            && g.bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    }));
    groups.concat()
}

pub fn looks_like_recovery_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// What the pages say between two markers, for plain-HTTP tests that have no DOM.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.split(start)
        .skip(1)
        .map(|rest| &rest[..rest.find(end).expect("the end marker")])
        .collect()
}

/// The authenticator app, switched on through the plain forms (no JavaScript) by `http`, which
/// must be signed in. Returns the key and the ten recovery codes.
pub async fn enable_totp(app: &TestApp, http: &reqwest::Client) -> (String, Vec<String>) {
    enable_totp_as(app, http, PASSWORD).await
}

/// [`enable_totp`] for whoever `http` is signed in as, with their `password`.
pub async fn enable_totp_as(
    app: &TestApp,
    http: &reqwest::Client,
    password: &str,
) -> (String, Vec<String>) {
    let csrf = app.form_token(http, "/account/security").await;
    let res = http
        .post(app.url("/account/security/totp/start"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security/totp");
    let page = http
        .get(app.url("/account/security/totp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = key_from_grouped(between(&page, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    let res = http
        .post(app.url("/account/security/totp/activate"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", password),
            ("code", &totp_code(&key, 0)),
        ])
        .send()
        .await
        .unwrap();
    // POST/redirect/GET: the codes are held for this session and shown by the page it leads to.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/security/recovery-codes");
    let page = http
        .get(app.url("/account/security/recovery-codes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let codes: Vec<String> = between(&page, "<li><code>", "</code>")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    (key, codes)
}

// ---------------------------------------------------------------------------------------------
// The browser

pub fn find_program(name: &str, default: &str) -> Option<PathBuf> {
    if Path::new(default).is_file() {
        return Some(PathBuf::from(default));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Headless Chromium driven through its own chromedriver, both ended on drop.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// `None` (after saying so) when chromium or chromedriver is not installed.
    pub async fn start() -> Option<Browser> {
        Browser::launch(None).await
    }

    /// A browser on the profile (`--user-data-dir`) in `user_data`, which outlives it: closed
    /// and started again on the same folder, it is the same browser (its persistent cookies,
    /// its IndexedDB), as a person's laptop is after a restart. Only one may run on a folder.
    pub async fn start_on(user_data: &Path) -> Option<Browser> {
        Browser::launch(Some(user_data)).await
    }

    async fn launch(user_data: Option<&Path>) -> Option<Browser> {
        let chromium = find_program("chromium", "/usr/bin/chromium");
        let chromedriver = find_program("chromedriver", "/usr/bin/chromedriver");
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            if std::env::var("PORTCULLIS_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("chromium/chromedriver not found and PORTCULLIS_REQUIRE_BROWSER=1");
            }
            println!("SKIPPED browser test: chromium/chromedriver not found");
            return None;
        };

        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let profile =
            std::env::temp_dir().join(format!("portcullis-chrome-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&profile).expect("a browser profile folder");
        // Chromium's scratch folders go into the profile too, so dropping it leaves nothing behind.
        let mut command = Command::new(chromedriver);
        command
            .arg(format!("--port={port}"))
            .env("TMPDIR", &profile)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that a test that fails half-way can end Chromium with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().expect("chromedriver starts");
        let mut browser = Browser {
            client: None,
            driver,
            profile,
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&webdriver).await;

        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!(
                "--user-data-dir={}",
                user_data
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| browser.profile.join("user-data"))
                    .display()
            ),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({ "binary": chromium, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("chromedriver opens a Chromium session");
        browser.client = Some(client);
        Some(browser)
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// Ends the Chromium session cleanly; drop then stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium outlives a killed chromedriver; the group holds both.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

pub async fn wait_until_ready(webdriver: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(res) = http.get(format!("{webdriver}/status")).send().await
            && res.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer on {webdriver}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .text()
        .await
        .unwrap()
}

pub async fn path_of(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_owned()
}

pub async fn fill(c: &Client, id: &str, text: &str) {
    let input = c.find(Locator::Id(id)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

pub async fn sign_in_with_password(c: &Client, app: &TestApp) {
    sign_in_as(c, app, EMAIL, PASSWORD).await;
}

/// The password page in the browser, for anyone; where it leads depends on their factors.
pub async fn sign_in_as(c: &Client, app: &TestApp, email: &str, password: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill(c, "username", email).await;
    fill(c, "password", password).await;
    click(c, "form[action='/login'] button[type='submit']").await;
}

/// Clicks something that changes the page in place (a `<summary>` that unfolds a form).
pub async fn click_in_page(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks a link or a form's button and waits until the next page has replaced this one: the
/// old page's root element goes stale. Without the wait, a busy machine can let the test read
/// the old page.
pub async fn click(c: &Client, css: &str) {
    click_on(c, Locator::Css(css)).await;
}

/// [`click`] for any locator: a link by its text, an element by XPath.
pub async fn click_on(c: &Client, locator: Locator<'_>) {
    let old_root = c.find(Locator::Css("html")).await.unwrap();
    let what = format!("{locator:?}");
    c.find(locator).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while old_root.tag_name().await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "clicking {what} loaded no new page"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Saves the whole current page at desktop and phone widths when screenshots are asked for.
pub async fn screenshot(c: &Client, name: &str) {
    let Some(dir) = std::env::var_os("PORTCULLIS_SCREENSHOT_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    for (suffix, width) in [("", 1280), ("-phone", 390)] {
        c.set_window_size(width, 900).await.unwrap();
        // WebDriver scripts run outside the page, so the CSP (no scripts) does not stop this.
        let height = c
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900);
        c.set_window_size(width, (height as u32).clamp(600, 4000) + 140)
            .await
            .unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("portcullis-{name}{suffix}.png")), png).unwrap();
    }
    c.set_window_size(1280, 900).await.unwrap();
}
