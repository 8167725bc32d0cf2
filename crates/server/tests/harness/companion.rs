//! A test-side companion app: an Ed25519 key, pairing, and requests signed exactly as
//! docs/push-protocol.md says, with knobs to break them (stale time, reused nonce, tampering).

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::server::TestApp;

/// Where requests go: a running test server, or just its address (for spawned tasks).
pub trait Api {
    fn http(&self) -> &reqwest::Client;
    fn at(&self, path: &str) -> String;
}

impl Api for TestApp {
    fn http(&self) -> &reqwest::Client {
        &self.client
    }
    fn at(&self, path: &str) -> String {
        self.url(path)
    }
}

#[derive(Clone)]
pub struct Remote {
    pub base: String,
    pub client: reqwest::Client,
}

impl Api for Remote {
    fn http(&self) -> &reqwest::Client {
        &self.client
    }
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub fn detached(base: String, client: reqwest::Client) -> Remote {
    Remote { base, client }
}

pub struct Device {
    pub id: String,
    pub key: SigningKey,
}

/// How to sign one request.
#[derive(Default, Clone)]
pub struct Signing {
    /// Seconds added to the current time.
    pub skew: i64,
    pub nonce: Option<String>,
    /// Sign this path instead of the one sent.
    pub signed_path: Option<String>,
    /// Sign this body instead of the one sent.
    pub signed_body: Option<Vec<u8>>,
    pub device_id: Option<String>,
}

/// Unix seconds now: the device signs with the time it reads.
pub use super::totp::unix_now as now;

pub fn fresh_nonce() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    URL_SAFE_NO_PAD.encode(b)
}

/// The `code` query value of a pairing URI.
pub fn code_of(uri: &str) -> String {
    uri.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("code="))
        .expect("a code in the pairing URI")
        .to_owned()
}

/// Asks for a pairing as `token` (signed up with `server::PASSWORD`); returns the pairing URI.
pub async fn start_pairing(app: &TestApp, token: &str, name: Option<&str>) -> String {
    let r = app
        .post_json(
            "/api/v1/me/push-devices",
            &json!({ "name": name, "password": super::server::PASSWORD }),
            Some(token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert!(body["qr_svg"].as_str().unwrap().starts_with("<svg"));
    body["pairing_uri"].as_str().unwrap().to_owned()
}

impl Device {
    pub fn new() -> Device {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).unwrap();
        Device {
            id: String::new(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().to_bytes())
    }

    /// Calls the pairing endpoint with the code of `uri`.
    pub async fn pair_raw(&self, app: &TestApp, uri: &str) -> Response {
        app.post_json(
            "/api/v1/push/pair",
            &json!({ "code": code_of(uri), "public_key": self.public_key(), "name": "Test phone" }),
            None,
        )
        .await
    }

    /// A device paired with the account of `token`.
    pub async fn paired(app: &TestApp, token: &str) -> Device {
        let uri = start_pairing(app, token, None).await;
        let mut d = Device::new();
        let r = d.pair_raw(app, &uri).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.unwrap();
        d.id = body["device_id"].as_str().unwrap().to_owned();
        d
    }

    pub async fn send(
        &self,
        app: &(impl Api + ?Sized),
        method: Method,
        path: &str,
        body: Option<&Value>,
        how: &Signing,
    ) -> Response {
        let raw = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let ts = (now() + how.skew).to_string();
        let nonce = how.nonce.clone().unwrap_or_else(fresh_nonce);
        let signed_body = how.signed_body.clone().unwrap_or_else(|| raw.clone());
        let hash: String = Sha256::digest(&signed_body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let message = format!(
            "portcullis-device-v1\n{}\n{}\n{ts}\n{nonce}\n{hash}",
            method.as_str(),
            how.signed_path.as_deref().unwrap_or(path)
        );
        let sig = URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes()).to_bytes());
        let mut req = app
            .http()
            .request(method, app.at(path))
            .header(
                "X-Portcullis-Device",
                how.device_id.as_deref().unwrap_or(&self.id),
            )
            .header("X-Portcullis-Timestamp", ts)
            .header("X-Portcullis-Nonce", nonce)
            .header("X-Portcullis-Signature", sig);
        if body.is_some() {
            req = req.header("Content-Type", "application/json").body(raw);
        }
        req.send().await.expect("request sent")
    }

    /// The pending challenges, waiting up to `wait` seconds.
    pub async fn challenges(&self, app: &(impl Api + ?Sized), wait: u64) -> Vec<Value> {
        let path = format!("/api/v1/push/device/challenges?wait={wait}");
        let r = self
            .send(app, Method::GET, &path, None, &Signing::default())
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        body["challenges"].as_array().unwrap().clone()
    }

    pub async fn answer(&self, app: &(impl Api + ?Sized), id: &str, body: Value) -> Response {
        self.send(
            app,
            Method::POST,
            &format!("/api/v1/push/device/challenges/{id}"),
            Some(&body),
            &Signing::default(),
        )
        .await
    }

    pub async fn approve(&self, app: &(impl Api + ?Sized), id: &str, number: i64) -> Response {
        self.answer(app, id, json!({ "decision": "approve", "number": number }))
            .await
    }
}

/// Password step for `email`; returns the login ticket and the methods offered.
pub async fn ticket(app: &TestApp, email: &str) -> (String, Vec<String>) {
    let r = app.login(email, super::server::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "second_factor", "{body}");
    let methods = body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    (body["login_ticket"].as_str().unwrap().to_owned(), methods)
}

/// `POST /login/push`.
pub async fn send_push(app: &TestApp, ticket: &str) -> Response {
    app.post_json(
        "/api/v1/login/push",
        &json!({ "login_ticket": ticket }),
        None,
    )
    .await
}

/// `POST /login/push` that must succeed; returns (challenge id, number).
pub async fn pushed(app: &TestApp, ticket: &str) -> (String, i64) {
    let r = send_push(app, ticket).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().await.unwrap();
    let n = body["number"].as_i64().unwrap();
    assert!((10..=99).contains(&n));
    (body["challenge_id"].as_str().unwrap().to_owned(), n)
}

/// `GET /login/push/{id}?login_ticket=…&wait=…`.
pub async fn poll(app: &(impl Api + ?Sized), id: &str, ticket: &str, wait: u64) -> Response {
    app.http()
        .get(app.at(&format!(
            "/api/v1/login/push/{id}?login_ticket={ticket}&wait={wait}"
        )))
        .send()
        .await
        .expect("request sent")
}

pub async fn poll_body(app: &(impl Api + ?Sized), id: &str, ticket: &str, wait: u64) -> Value {
    let r = poll(app, id, ticket, wait).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}
