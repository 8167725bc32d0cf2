//! The app's HTTP client: JSON requests to a Portcullis server over http or https, and the signed
//! requests of a paired device (docs/push-protocol.md).
//!
//! hyper-util with hyper-rustls (ring, Mozilla's roots) rather than reqwest, like the server's
//! SMS gateway: see the workspace `Cargo.toml` for why. Answers are read up to 1 MiB; every
//! request has a deadline, so a silent server never hangs the app.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use thiserror::Error;

use crate::state::PairedAccount;

const MAX_ANSWER: usize = 1024 * 1024;

/// What went wrong talking to a server.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The server answered with an error body `{"error":{"code","message"}}` (or without one).
    #[error("the server answered {status}: {message} ({code}){}", hint(code))]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("cannot reach {url}: {why}")]
    Unreachable { url: String, why: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("{url} answered with something that is not the expected JSON")]
    BadAnswer { url: String },
}

impl ClientError {
    /// The server's error code, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the server refuses this device for good: it does not know the device (removed
    /// on the security page) or will not accept its signatures (the clock is off). Trying again
    /// will not help.
    pub fn device_refused(&self) -> bool {
        self.code() == Some("invalid_signature")
    }
}

#[derive(Clone)]
pub struct Client {
    http: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client")
    }
}

impl Client {
    pub fn new() -> anyhow::Result<Client> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Client {
            http: HyperClient::builder(TokioExecutor::new()).build(https),
        })
    }

    /// An unsigned JSON request (pairing), answered with 2xx JSON or a [`ClientError`].
    pub async fn post_json(
        &self,
        url: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let body = serde_json::to_vec(body).expect("JSON serialises");
        let request = base_request(Method::POST, url)?
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| bad_url(url))?;
        self.send(url, request, timeout).await
    }

    /// A request of a paired device, signed with its key over method, path and query, time,
    /// a fresh nonce and the body.
    pub async fn signed(
        &self,
        device: &PairedAccount,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path_and_query}", device.server);
        let uri: Uri = url.parse().map_err(|_| bad_url(&url))?;
        let signed_path = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let body = body
            .map(|b| serde_json::to_vec(b).expect("JSON serialises"))
            .unwrap_or_default();
        let headers = device.key.sign_request(
            &device.device_id,
            method.as_str(),
            &signed_path,
            unix_now(),
            &body,
        );
        let mut request = base_request(method, &url)?;
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| bad_url(&url))?;
        self.send(&url, request, timeout).await
    }

    async fn send(
        &self,
        url: &str,
        request: Request<Full<Bytes>>,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let exchange = async {
            let response =
                self.http
                    .request(request)
                    .await
                    .map_err(|e| ClientError::Unreachable {
                        url: url.to_owned(),
                        why: causes(&e),
                    })?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|_| ClientError::BadAnswer {
                    url: url.to_owned(),
                })?
                .to_bytes();
            Ok::<_, ClientError>((status, body))
        };
        let (status, body) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                url: url.to_owned(),
                secs: timeout.as_secs(),
            })??;
        let json: Option<Value> = if body.is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_slice(&body).ok()
        };
        if (200..300).contains(&status) {
            return json.ok_or_else(|| ClientError::BadAnswer {
                url: url.to_owned(),
            });
        }
        let error = json.as_ref().map(|j| &j["error"]);
        let text = |field: &str, fallback: &str| {
            error
                .and_then(|e| e[field].as_str())
                .unwrap_or(fallback)
                .to_owned()
        };
        Err(ClientError::Refused {
            status,
            code: text("code", "http_error"),
            message: text("message", "the request was refused"),
        })
    }
}

fn base_request(method: Method, url: &str) -> Result<http::request::Builder, ClientError> {
    let uri: Uri = url.parse().map_err(|_| bad_url(url))?;
    Ok(Request::builder()
        .method(method)
        .uri(uri)
        .header(
            "User-Agent",
            concat!("portcullis-app/", env!("CARGO_PKG_VERSION")),
        )
        .header("Accept", "application/json"))
}

fn hint(code: &str) -> &'static str {
    match code {
        "invalid_signature" => {
            ". The device was removed on the security page (pair again), or this computer's \
             clock is more than a minute off"
        }
        _ => "",
    }
}

fn bad_url(url: &str) -> ClientError {
    ClientError::Unreachable {
        url: url.to_owned(),
        why: "not a valid URL".into(),
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The error and its causes on one line (hyper's own message alone says little).
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
