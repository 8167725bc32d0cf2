//! SMS through an HTTP gateway: one request per message, built from the operator's URL, method,
//! headers and body template, with `{to}` and `{text}` replaced by the number and the text,
//! each escaped for where it lands (percent-encoded in the URL and in form bodies, JSON-escaped
//! in JSON bodies). Any 2xx answer is a delivery; anything else, or no answer within the
//! timeout, is a failed attempt. The response body is never read into a log: gateways echo the
//! text, and the text holds the code.
//!
//! hyper-util with hyper-rustls (ring, Mozilla's roots) instead of reqwest: see the workspace
//! `Cargo.toml` for why.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::Request;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::SendError;
use super::config::{BodyEscape, SmsConfig};

/// How long the gateway may take to answer.
const TIMEOUT: Duration = Duration::from_secs(15);

pub struct SmsGateway {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: SmsConfig,
}

impl SmsGateway {
    pub fn new(config: &SmsConfig) -> anyhow::Result<SmsGateway> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(SmsGateway {
            client: Client::builder(TokioExecutor::new()).build(https),
            config: config.clone(),
        })
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let url = substitute(&self.config.url, to, text, BodyEscape::Form);
        let body = self
            .config
            .body
            .as_deref()
            .map(|b| substitute(b, to, text, self.config.escape))
            .unwrap_or_default();
        let mut request = Request::builder()
            .method(self.config.method.clone())
            .uri(url);
        for (name, value) in &self.config.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| SendError::GiveUp("cannot build the gateway request".into()))?;
        let response = tokio::time::timeout(TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| {
                SendError::Retry(format!("the SMS gateway did not answer within {TIMEOUT:?}"))
            })?
            .map_err(|e| {
                SendError::Retry(format!("the SMS gateway is unreachable: {}", causes(&e)))
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendError::Retry(format!(
                "the SMS gateway answered HTTP {}",
                status.as_u16()
            )))
        }
    }
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

/// Replaces `{to}` and `{text}` in one pass, so a placeholder inside a substituted value is
/// left alone.
pub fn substitute(template: &str, to: &str, text: &str, escape: BodyEscape) -> String {
    let mut out = String::with_capacity(template.len() + text.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if let Some(after) = tail.strip_prefix("{to}") {
            out.push_str(&escaped(to, escape));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{text}") {
            out.push_str(&escaped(text, escape));
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

fn escaped(value: &str, escape: BodyEscape) -> String {
    match escape {
        BodyEscape::Json => {
            let quoted = serde_json::Value::String(value.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        }
        BodyEscape::Form => value
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect(),
        BodyEscape::Raw => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_where_they_land() {
        let text = "Code: 1 2\"3\\ & {to}";
        assert_eq!(
            substitute(
                r#"{"to":"{to}","text":"{text}"}"#,
                "+4915112345678",
                text,
                BodyEscape::Json
            ),
            r#"{"to":"+4915112345678","text":"Code: 1 2\"3\\ & {to}"}"#
        );
        assert_eq!(
            substitute(
                "to={to}&text={text}",
                "+4915112345678",
                text,
                BodyEscape::Form
            ),
            "to=%2B4915112345678&text=Code%3A%201%202%223%5C%20%26%20%7Bto%7D"
        );
        assert_eq!(substitute("{x} {to}", "a", "b", BodyEscape::Raw), "{x} a");
        assert_eq!(substitute("ü{text}", "a", "é", BodyEscape::Form), "ü%C3%A9");
    }
}
