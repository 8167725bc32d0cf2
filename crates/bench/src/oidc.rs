//! The OpenID Connect workload: a relying party's whole code exchange for one signed-in person,
//! as a browser and the application's backend make it. One unit is two requests: the
//! authorization request with the session cookie (a first-party client: no consent page, a 303
//! to the redirect URI with a fresh code), then the token endpoint with that code, the PKCE
//! verifier and the client secret (answered with an access token and an RS256 ID token).

use std::sync::Arc;

use anyhow::bail;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::load::{self, Flow, Http, Req, Verdict};
use crate::server::Running;

/// Where the bench's client says it lives; nothing listens there, the code is read from the
/// redirect's `Location`.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// One PKCE pair for every request: each code is still new, and the server checks the pair.
const VERIFIER: &str = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

/// The client the workload signs in to, as `oidc-client create --json` printed it.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

/// `code` from a redirect to the client, if it is one.
fn code_in(location: &str) -> Option<String> {
    let query = location.strip_prefix(REDIRECT_URI)?.strip_prefix('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .map(str::to_owned)
}

/// The code exchange, once per unit, for the person whose session `token` is.
pub fn code_exchange_flow(running: &Running, client: Client, token: String) -> Flow {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let authorize = running.url(&format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email&code_challenge={challenge}&code_challenge_method=S256&state=s&nonce=n",
        client.id,
        load::form_escape(REDIRECT_URI)
    ));
    let token_url = running.url("/oauth2/token");
    let client = Arc::new(client);
    Arc::new(move |http: Http, _n| {
        let (authorize, token_url, client) = (authorize.clone(), token_url.clone(), client.clone());
        let cookie = format!("portcullis_session={token}");
        Some(Box::pin(async move {
            let request = Req::get(authorize, None).with_header("cookie", cookie);
            let response = http.request(request.build()).await?;
            let status = response.status().as_u16();
            let Some(code) = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(code_in)
            else {
                return Ok((status, Verdict::Unexpected));
            };
            let exchange = Req::form(
                token_url,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", VERIFIER),
                    ("client_id", &client.id),
                    ("client_secret", &client.secret),
                ],
            );
            let (status, body) = load::send(&http, exchange.build()).await?;
            let issued = status == 200
                && serde_json::from_slice::<Value>(&body).is_ok_and(|b| {
                    b["id_token"]
                        .as_str()
                        .is_some_and(|t| t.split('.').count() == 3)
                });
            Ok((
                status,
                if issued {
                    Verdict::Expected
                } else {
                    Verdict::Unexpected
                },
            ))
        }) as load::Step)
    })
}

/// The `--json` answer of `oidc-client create`.
pub fn parse_created(stdout: &[u8]) -> anyhow::Result<Client> {
    let v: Value = serde_json::from_slice(stdout)?;
    match (v["client_id"].as_str(), v["client_secret"].as_str()) {
        (Some(id), Some(secret)) => Ok(Client {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }),
        _ => bail!("oidc-client create answered {v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_only_from_a_redirect_to_the_client() {
        let to_client = format!("{REDIRECT_URI}?code=abc&state=s&iss=x");
        assert_eq!(code_in(&to_client).as_deref(), Some("abc"));
        assert_eq!(code_in("/login?next=%2Foauth2"), None);
        assert_eq!(
            code_in(&format!("{REDIRECT_URI}?error=access_denied")),
            None
        );
    }
}
