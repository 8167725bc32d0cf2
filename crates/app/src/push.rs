//! The device side of push approval (docs/push-protocol.md): pairing, the long-poll for pending
//! sign-in requests, and the answer to one. Each function is one request; the commands decide
//! what to show and when to ask.

use std::time::Duration;

use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{Client, ClientError, unix_now};
use crate::device_key::DeviceKey;
use crate::pairing_uri::PairingUri;
use crate::state::PairedAccount;

/// How long a plain request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest long-poll the server holds (the protocol's cap).
pub const MAX_WAIT_SECS: u64 = 60;

/// A pending sign-in request as the device sees it: no number (the person types the one the
/// login screen shows, when it needs one).
#[derive(Debug, Clone, Deserialize)]
pub struct Challenge {
    pub id: String,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub created_at: Value,
    #[serde(default)]
    pub expires_at: Value,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub browser: Option<String>,
    /// The RADIUS client (a VPN, Wi-Fi controller, SSH server) whose sign-in caused the request.
    #[serde(default)]
    pub via: Option<String>,
    /// Whether approving needs the number from the sign-in screen; false for a request `via` a
    /// RADIUS client, which has no screen to show one. A server that does not say asks for the
    /// number on every request.
    #[serde(default = "needs_number")]
    pub number_required: bool,
}

fn needs_number() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
    /// "This wasn't me": denies and locks the account.
    Fraud,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
            Decision::Fraud => "fraud",
        }
    }
}

/// Pairs a new device key with the server named in `uri`.
pub async fn pair(
    client: &Client,
    uri: &PairingUri,
    name: &str,
    webhook_url: Option<&str>,
) -> Result<PairedAccount, ClientError> {
    let key = DeviceKey::generate();
    let mut body = json!({ "code": uri.code, "public_key": key.public_key_b64(), "name": name });
    if let Some(url) = webhook_url {
        body["webhook_url"] = json!(url);
    }
    let url = format!("{}/api/v1/push/pair", uri.server);
    let answer = client.post_json(&url, &body, REQUEST_TIMEOUT).await?;
    let device_id = answer["device_id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or(ClientError::BadAnswer { url })?
        .to_owned();
    Ok(PairedAccount {
        // The URI's server, not the answer's: that is where the person chose to pair.
        server: uri.server.clone(),
        account: answer["account"]
            .as_str()
            .unwrap_or(&uri.account)
            .to_owned(),
        issuer: uri.issuer.clone(),
        device_id,
        // The server's: the name given on the security page wins over the one the app sent,
        // and the app shows the device as the page lists it (older servers do not say).
        name: answer["name"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(name)
            .to_owned(),
        key,
        paired_at: unix_now(),
    })
}

/// The account's pending requests, newest first; holds up to `wait_secs` when there are none.
pub async fn pending(
    client: &Client,
    device: &PairedAccount,
    wait_secs: u64,
) -> Result<Vec<Challenge>, ClientError> {
    let wait = wait_secs.min(MAX_WAIT_SECS);
    let path = format!("/api/v1/push/device/challenges?wait={wait}");
    let timeout = REQUEST_TIMEOUT + Duration::from_secs(wait);
    let answer = client
        .signed(device, Method::GET, &path, None, timeout)
        .await?;
    let url = format!("{}{path}", device.server);
    serde_json::from_value::<Vec<Challenge>>(answer["challenges"].clone())
        .map_err(|_| ClientError::BadAnswer { url })
}

/// Answers one request; the server's verdict: `approved`, `denied` or `fraud`.
pub async fn answer(
    client: &Client,
    device: &PairedAccount,
    challenge_id: &str,
    decision: Decision,
    number: Option<u32>,
) -> Result<String, ClientError> {
    let mut body = json!({ "decision": decision.as_str() });
    if let Some(n) = number {
        body["number"] = json!(n);
    }
    let path = format!(
        "/api/v1/push/device/challenges/{}",
        path_segment(challenge_id)
    );
    let answer = client
        .signed(device, Method::POST, &path, Some(&body), REQUEST_TIMEOUT)
        .await?;
    answer["status"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ClientError::BadAnswer {
            url: format!("{}{path}", device.server),
        })
}

/// Approves with the number the person typed, leaving it to the server to find the pending
/// request whose number it is (the app never learns numbers); the verdict, `approved` or
/// `denied` (no request had that number: the newest was denied), and the request it applied to.
pub async fn approve_by_number(
    client: &Client,
    device: &PairedAccount,
    number: u32,
) -> Result<(String, Challenge), ClientError> {
    let path = "/api/v1/push/device/approve";
    let body = json!({ "number": number });
    let answer = client
        .signed(device, Method::POST, path, Some(&body), REQUEST_TIMEOUT)
        .await?;
    let bad = || ClientError::BadAnswer {
        url: format!("{}{path}", device.server),
    };
    let status = answer["status"].as_str().ok_or_else(bad)?.to_owned();
    let challenge = serde_json::from_value(answer["challenge"].clone()).map_err(|_| bad())?;
    Ok((status, challenge))
}

/// Sets (or with `None` clears) the URL the server calls to wake this device.
pub async fn set_webhook(
    client: &Client,
    device: &PairedAccount,
    url: Option<&str>,
) -> Result<(), ClientError> {
    let body = json!({ "url": url });
    client
        .signed(
            device,
            Method::PUT,
            "/api/v1/push/device/webhook",
            Some(&body),
            REQUEST_TIMEOUT,
        )
        .await
        .map(|_| ())
}

/// A webhook as the server takes it: `http(s)://…`, no spaces, at most 2,000 characters. A
/// query is allowed (UnifiedPush endpoints often carry a token in it).
pub fn check_webhook_url(url: &str) -> Result<(), &'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("the webhook must be an http:// or https:// URL")?;
    if rest.is_empty()
        || rest.starts_with(['/', '?', '#'])
        || url.len() > 2000
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("the webhook must be an http:// or https:// URL without spaces");
    }
    Ok(())
}

/// A challenge id comes from the server; it is still kept to characters that need no escaping,
/// so the signed path is exactly the path sent.
fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// A time from the server (Unix seconds or RFC 3339) as RFC 3339, UTC, for people.
pub fn show_time(value: &Value) -> String {
    use time::format_description::well_known::Rfc3339;
    match value {
        Value::Number(n) => n
            .as_i64()
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| n.to_string()),
        Value::String(s) => s.clone(),
        _ => "unknown".into(),
    }
}

/// A time from the server as Unix seconds, if it is one of the two forms.
pub fn unix_time(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| t.unix_timestamp())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_the_same_whichever_form_the_server_sends() {
        assert_eq!(show_time(&json!(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            show_time(&json!("2026-01-01T00:00:00Z")),
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(unix_time(&json!("1970-01-01T00:01:00Z")), Some(60));
        assert_eq!(unix_time(&json!(60)), Some(60));
        assert_eq!(unix_time(&Value::Null), None);
    }

    #[test]
    fn webhooks_may_carry_a_query_but_not_spaces() {
        assert!(check_webhook_url("https://ntfy.sh/topic").is_ok());
        assert!(check_webhook_url("https://up.example/UP?token=abc").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https:///x",
            "http://a b",
            "ntfy.sh/topic",
        ] {
            assert!(check_webhook_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_request_needs_its_number_unless_the_server_says_otherwise() {
        let old: Challenge = serde_json::from_value(json!({ "id": "a" })).unwrap();
        assert!(old.number_required);
        assert_eq!(old.via, None);
        let radius: Challenge = serde_json::from_value(
            json!({ "id": "b", "via": "office-vpn", "number_required": false }),
        )
        .unwrap();
        assert!(!radius.number_required);
        assert_eq!(radius.via.as_deref(), Some("office-vpn"));
    }

    #[test]
    fn a_challenge_id_cannot_change_the_path() {
        assert_eq!(path_segment("a1-b2_c3"), "a1-b2_c3");
        assert_eq!(path_segment("../../me?x=1"), "....mex1");
    }
}
