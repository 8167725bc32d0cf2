//! The OpenID Connect provider as an outside application meets it: the real server (on SQLite or
//! PostgreSQL, its issuer `http://127.0.0.1:PORT` exactly), clients made by the operator's
//! `portcullis oidc-client create … --json` against the same data folder or database, and
//! [`RelyingParty`]: `tests/oidc-rp/rp.mjs`, a small web application on npm's `openid-client`
//! (installed there by `npm ci`), which does the protocol and validates every token itself. The
//! tests play the browser: Chromium for what a person clicks, or a cookie-keeping HTTP client
//! ([`follow_to_rp`]) where the browser adds nothing.
//!
//! Without `node` or the npm packages the tests say SKIPPED, unless `PORTCULLIS_REQUIRE_TOOLS=1`
//! or `PORTCULLIS_REQUIRE_BROWSER=1` (as `.ci/run` sets), which turns the skip into a failure.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portcullis_core::FixedClock;
use portcullis_core::password::Password;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::browser::{self, EMAIL, PASSWORD, TestApp, find_program};
use super::cli::{self, BIN};
use super::server::TestEnv;

/// Where the relying party and its `node_modules` live.
pub fn rp_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-rp")
}

/// Whether node and `openid-client` are installed; says SKIPPED (or fails when required) if not.
pub fn relying_party_available(test: &str) -> bool {
    let node = find_program("node", "/usr/bin/node");
    let library = rp_folder().join("node_modules/openid-client/package.json");
    if node.is_some() && library.is_file() {
        return true;
    }
    let required = ["PORTCULLIS_REQUIRE_BROWSER", "PORTCULLIS_REQUIRE_TOOLS"]
        .iter()
        .any(|var| std::env::var(var).as_deref() == Ok("1"));
    assert!(
        !required,
        "node or openid-client missing: install Node.js and run `npm ci` in {}",
        rp_folder().display()
    );
    println!(
        "SKIPPED {test}: node or openid-client missing (npm ci in crates/server/tests/oidc-rp)"
    );
    false
}

// ---------------------------------------------------------------------------------------------
// The provider

/// The server of one test with the owner `EMAIL` / `PASSWORD`, and what the CLI needs to reach
/// its storage.
pub struct Provider {
    pub app: TestApp,
    pub issuer: String,
    data: PathBuf,
    database_url: Option<String>,
}

impl Provider {
    /// Starts the server on `env`'s storage; with `clock`, time moves only when the test says.
    pub async fn start(env: &TestEnv, clock: Option<FixedClock>) -> Provider {
        let (data, database_url) = (env.data.clone(), env.database_url.clone());
        let app = TestApp::spawn_with(
            move |args| {
                // Port 0 in the public URL takes the port bound; the issuer follows it.
                args.public_url = Some("http://127.0.0.1:0".to_owned());
                args.data = Some(data);
                args.database_url = database_url;
                args.open_registration = Some(false);
            },
            |mut server| async move {
                if let Some(clock) = clock {
                    server.set_clock(Arc::new(clock));
                }
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
        Provider {
            issuer: format!("http://127.0.0.1:{}", app.addr.port()),
            app,
            data: env.data.clone(),
            database_url: env.database_url.clone(),
        }
    }

    /// `portcullis ARGS` on this server's storage, as the operator runs it beside the server.
    pub async fn cli(&self, args: &[&str], stdin: &str) -> cli::Exit {
        let data = self.data.to_str().unwrap().to_owned();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", &data]);
        if let Some(url) = &self.database_url {
            all.extend(["--database-url", url]);
        }
        cli::finish(cli::command(BIN, &all), stdin.as_bytes()).await
    }

    /// A user of the owner's contract with a password and no second factor.
    pub async fn add_user(&self, email: &str, password: &str) {
        let args = [
            "user",
            "create",
            "--email",
            email,
            "--in-contract-of",
            EMAIL,
            "--role",
            "user",
            "--password-stdin",
        ];
        self.cli(&args, &format!("{password}\n")).await.said(email);
    }

    /// The id `portcullis user list --json` shows for `email`: what `sub` must be.
    pub async fn user_id(&self, email: &str) -> String {
        let exit = self
            .cli(&["user", "list", "--contract-of", EMAIL, "--json"], "")
            .await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        exit.stdout
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).expect("one JSON object a line"))
            .find(|user| user["email"] == email)
            .and_then(|user| user["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("{email} in the list: {exit:#?}"))
    }

    /// `portcullis oidc-client create --contract-of EMAIL --name NAME --redirect-uri … FLAGS
    /// --json`: the client id and, for a confidential client, its secret.
    pub async fn create_client(
        &self,
        name: &str,
        redirect_uris: &[String],
        flags: &[&str],
    ) -> OidcClient {
        let mut args = vec![
            "oidc-client",
            "create",
            "--contract-of",
            EMAIL,
            "--name",
            name,
        ];
        for uri in redirect_uris {
            args.extend(["--redirect-uri", uri]);
        }
        args.extend(flags);
        args.push("--json");
        let exit = self.cli(&args, "").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        let made: Value = serde_json::from_str(exit.stdout.trim())
            .unwrap_or_else(|e| panic!("--json prints one JSON object ({e}): {exit:#?}"));
        OidcClient {
            id: made["client_id"].as_str().expect("client_id").to_owned(),
            secret: made["client_secret"].as_str().map(str::to_owned),
        }
    }
}

pub struct OidcClient {
    pub id: String,
    pub secret: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The relying party

/// `node rp.mjs` on a free loopback port, killed when dropped.
pub struct RelyingParty {
    pub base: String,
    child: Child,
    http: reqwest::Client,
}

impl RelyingParty {
    pub async fn start() -> RelyingParty {
        let node = find_program("node", "/usr/bin/node").expect("node");
        let mut child = Command::new(node)
            .arg("rp.mjs")
            .current_dir(rp_folder())
            .env_remove("PORT")
            .env_remove("ISSUER")
            .env_remove("CLIENT_ID")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts rp.mjs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(cli::PATIENCE, lines.next_line())
            .await
            .expect("the RP announces its port")
            .unwrap()
            .expect("the RP printed a line");
        let base = first
            .strip_prefix("rp listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        tokio::spawn(cli::drain(lines));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cli::PATIENCE)
            .build()
            .unwrap();
        RelyingParty { base, child, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether `url` is one of the RP's pages (not merely on a port whose number starts alike).
    pub fn owns(&self, url: &str) -> bool {
        url.strip_prefix(&self.base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }

    /// The addresses a client for this RP registers: the callback and the page after logout.
    pub fn redirect_uris(&self) -> Vec<String> {
        vec![self.url("/callback"), self.url("/logged-out")]
    }

    /// Points the RP at the issuer with `client`: openid-client runs discovery now.
    /// `token_auth` is `basic`, `post` or `none`.
    pub async fn configure(&self, issuer: &str, client: &OidcClient, token_auth: &str) {
        let body = serde_json::json!({
            "issuer": issuer,
            "client_id": client.id,
            "client_secret": client.secret,
            "token_auth": token_auth,
        });
        let res = self.http.post(self.url("/configure")).json(&body);
        let answer: Value = res.send().await.unwrap().json().await.unwrap();
        assert_eq!(answer["ok"], true, "discovery of {issuer}: {answer}");
        assert_eq!(
            answer["issuer"], issuer,
            "the issuer is the public URL exactly"
        );
    }

    /// One of the RP's JSON pages (`/userinfo`, `/refresh?use=previous`, `/result.json`, …).
    pub async fn json(&self, path: &str) -> Value {
        let res = self.http.get(self.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path} on the RP");
        res.json().await.unwrap()
    }

    /// The authorization request the RP sends the browser to for `/login?QUERY`.
    pub async fn authorization_url(&self, query: &str) -> String {
        let res = self.http.get(self.url(&format!("/login?{query}")));
        let res = res.send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "the RP redirects to the provider"
        );
        browser::location(&res).to_owned()
    }

    /// Hands the provider's answer (`/callback?code=…&state=…`) to the RP: the result of the
    /// code exchange and the library's checks.
    pub async fn deliver(&self, callback: &str) -> Value {
        let res = self.http.get(callback).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND, "GET {callback}");
        self.json("/result.json").await
    }
}

/// A page the provider answered instead of sending the browser on.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

/// Follows the provider's redirects from `url` with the cookies of `http` until one leads to
/// the RP (`Ok`, that address: the provider's answer), or a page answers (`Err`). A page that
/// sends the browser on by `<meta http-equiv="refresh">` (after a form post) counts as a redirect.
pub async fn follow_to_rp(
    http: &reqwest::Client,
    url: &str,
    rp: &RelyingParty,
) -> Result<String, Page> {
    let mut next = url.to_owned();
    for _ in 0..10 {
        if rp.owns(&next) {
            return Ok(next);
        }
        let res = http.get(&next).send().await.unwrap();
        let onward = if res.status().is_redirection() {
            browser::location(&res).to_owned()
        } else {
            let (status, headers) = (res.status(), res.headers().clone());
            let body = res.text().await.unwrap_or_default();
            match meta_refresh(&body) {
                Some(to) if status == StatusCode::OK => to,
                _ => {
                    return Err(Page {
                        status,
                        headers,
                        body,
                    });
                }
            }
        };
        next = url::Url::parse(&next)
            .unwrap()
            .join(&onward)
            .unwrap()
            .to_string();
    }
    panic!("more than ten redirects from {url}");
}

/// Where a page's `<meta http-equiv="refresh" content="0;url=…">` sends the browser.
pub fn meta_refresh(html: &str) -> Option<String> {
    let tag = &html[html.find(r#"http-equiv="refresh""#)?..];
    let content = &tag[tag.find("url=")? + 4..];
    let url = &content[..content.find('"')?];
    Some(
        url.replace("&amp;", "&")
            .replace("&#38;", "&")
            .replace("&#x2f;", "/")
            .replace("&#47;", "/"),
    )
}

/// The whole flow for a client whose person `http` has already signed in: the RP's result.
pub async fn sign_in_at_rp(http: &reqwest::Client, rp: &RelyingParty, query: &str) -> Value {
    let authorize = rp.authorization_url(query).await;
    match follow_to_rp(http, &authorize, rp).await {
        Ok(callback) => rp.deliver(&callback).await,
        Err(page) => {
            panic!("the provider answered a page instead of returning to the RP: {page:?}")
        }
    }
}

/// Waits until the running server knows `client` (the CLI wrote it beside the server): the
/// authorization request then leads to the sign-in page instead of an error page.
pub async fn wait_for_client(rp: &RelyingParty) {
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let authorize = rp.authorization_url("scope=openid").await;
        let res = anonymous.get(&authorize).send().await.unwrap();
        if res.status().is_redirection() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not pick up the client within 10 s: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
