//! The authorization request (OpenID Connect Core §3.1.2.1, OAuth 2.1, RFC 7636) as parameters
//! arrive, and as they are kept once valid. The client and its redirect URI are checked by the
//! caller first, because until both are known good no error may be sent to the redirect URI
//! (RFC 6749 §4.1.2.1: an open redirector otherwise). Everything else is checked here, and a
//! refusal names the error the client gets. PKCE (`S256` only; `plain` is refused) is verified
//! here too, in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::oauth_error::{OAuthCode, OAuthError, OAuthResult};
use crate::secret::constant_time_eq;

/// The scopes we know; others are ignored (RFC 6749 §3.3 lets the server grant less).
pub const SCOPES: [&str; 5] = ["openid", "profile", "email", "groups", "offline_access"];

/// Longest `state` and `nonce` we keep: they travel in URLs and tokens.
const MAX_OPAQUE_LEN: usize = 512;

/// The parameters of `/oauth2/authorize` as sent; all optional until checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub acr_values: Option<String>,
    /// Request objects are not supported (discovery says so); refused with the standard error.
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

/// The assurance a client may ask for with `acr_values`: `pwd` < `mfa` < `phr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcrLevel {
    Pwd,
    Mfa,
    Phr,
}

impl AcrLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AcrLevel::Pwd => "pwd",
            AcrLevel::Mfa => "mfa",
            AcrLevel::Phr => "phr",
        }
    }
    pub fn parse(s: &str) -> Option<AcrLevel> {
        match s {
            "pwd" => Some(AcrLevel::Pwd),
            "mfa" => Some(AcrLevel::Mfa),
            "phr" => Some(AcrLevel::Phr),
            _ => None,
        }
    }
}

/// A request that passed every check, kept while the person signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// The known scopes asked for, in our order, `openid` first.
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt_none: bool,
    pub prompt_login: bool,
    pub prompt_consent: bool,
    pub max_age: Option<i64>,
    /// The strongest of the `acr_values` we know, if any.
    pub acr: Option<AcrLevel>,
}

impl AuthorizeRequest {
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

fn refuse(code: OAuthCode, description: &str) -> OAuthError {
    OAuthError::new(code, description)
}

/// The known scopes in `scope`, in our fixed order.
pub fn known_scopes(scope: &str) -> Vec<String> {
    let asked: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    SCOPES
        .iter()
        .filter(|s| asked.contains(s))
        .map(|s| (*s).to_owned())
        .collect()
}

/// Does `granted` (space-separated) include every scope of `wanted`?
pub fn scopes_cover(granted: &str, wanted: &[String]) -> bool {
    let granted: Vec<&str> = granted.split(' ').collect();
    wanted.iter().all(|w| granted.contains(&w.as_str()))
}

fn opaque(value: Option<&String>, name: &str) -> OAuthResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.len() > MAX_OPAQUE_LEN || v.chars().any(char::is_control) => Err(refuse(
            OAuthCode::InvalidRequest,
            &format!("{name} is too long or holds control characters"),
        )),
        Some(v) => Ok(Some(v.clone())),
    }
}

/// Checks every parameter but `client_id` and `redirect_uri`, which the caller has already
/// matched against the client (`public`: a client without a secret, which must use PKCE).
pub fn validate(
    params: &AuthorizeParams,
    client_id: &str,
    redirect_uri: &str,
    public: bool,
) -> OAuthResult<AuthorizeRequest> {
    if params.request.is_some() {
        return Err(refuse(
            OAuthCode::InvalidRequest,
            "request objects are not supported",
        ));
    }
    if params.request_uri.is_some() {
        return Err(refuse(
            OAuthCode::InvalidRequest,
            "request_uri is not supported",
        ));
    }
    match params.response_type.as_deref() {
        Some("code") => {}
        None => {
            return Err(refuse(
                OAuthCode::InvalidRequest,
                "response_type is missing",
            ));
        }
        Some(_) => {
            return Err(refuse(
                OAuthCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    if params
        .response_mode
        .as_deref()
        .is_some_and(|m| m != "query")
    {
        return Err(refuse(
            OAuthCode::InvalidRequest,
            "only response_mode=query is supported",
        ));
    }
    let scopes = known_scopes(params.scope.as_deref().unwrap_or(""));
    if !scopes.iter().any(|s| s == "openid") {
        return Err(refuse(
            OAuthCode::InvalidScope,
            "the scope must contain openid",
        ));
    }
    let code_challenge = match (
        params.code_challenge.as_deref(),
        params.code_challenge_method.as_deref(),
    ) {
        (None, _) if public => {
            return Err(refuse(
                OAuthCode::InvalidRequest,
                "a public client must send a PKCE code_challenge (S256)",
            ));
        }
        (None, _) => None,
        (Some(c), Some("S256")) if is_s256_challenge(c) => Some(c.to_owned()),
        (Some(_), Some("S256")) => {
            return Err(refuse(
                OAuthCode::InvalidRequest,
                "code_challenge is not a base64url SHA-256 digest",
            ));
        }
        (Some(_), _) => {
            return Err(refuse(
                OAuthCode::InvalidRequest,
                "code_challenge_method must be S256 (plain is not accepted)",
            ));
        }
    };
    let mut prompt = (false, false, false);
    for p in params.prompt.as_deref().unwrap_or("").split(' ') {
        match p {
            "" => {}
            "none" => prompt.0 = true,
            "login" => prompt.1 = true,
            "consent" => prompt.2 = true,
            // `select_account`: there is one account per browser session; nothing to select.
            "select_account" => {}
            _ => {
                return Err(refuse(
                    OAuthCode::InvalidRequest,
                    "prompt holds an unknown value",
                ));
            }
        }
    }
    if prompt.0 && (prompt.1 || prompt.2) {
        return Err(refuse(
            OAuthCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        ));
    }
    let max_age = match params.max_age.as_deref() {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(secs) if secs >= 0 => Some(secs),
            _ => {
                return Err(refuse(
                    OAuthCode::InvalidRequest,
                    "max_age must be a number of seconds",
                ));
            }
        },
    };
    // Unknown values are ignored (they are voluntary claims); the strongest known one counts.
    let acr = params
        .acr_values
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter_map(AcrLevel::parse)
        .max();
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: opaque(params.state.as_ref(), "state")?,
        nonce: opaque(params.nonce.as_ref(), "nonce")?,
        code_challenge,
        prompt_none: prompt.0,
        prompt_login: prompt.1,
        prompt_consent: prompt.2,
        max_age,
        acr,
    })
}

/// A SHA-256 digest in base64url without padding is 43 characters of that alphabet.
fn is_s256_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`; the S256 transform of a valid one
/// must equal the challenge.
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let shaped = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    shaped & constant_time_eq(computed.as_bytes(), challenge.as_bytes())
}

/// What each scope lets a client learn, in the words of the consent page.
pub fn scope_words(scope: &str) -> Option<&'static str> {
    match scope {
        "openid" => Some("Your account id, to recognise you when you sign in again"),
        "profile" => Some("Your name"),
        "email" => Some("Your email address"),
        "groups" => Some("The names of your groups"),
        "offline_access" => Some("Stay connected while you are away (until you revoke it)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(extra: &[(&str, &str)]) -> AuthorizeParams {
        let mut p = AuthorizeParams {
            response_type: Some("code".into()),
            scope: Some("openid email".into()),
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            code_challenge_method: Some("S256".into()),
            ..Default::default()
        };
        for (k, v) in extra {
            let v = Some((*v).to_owned());
            match *k {
                "scope" => p.scope = v,
                "prompt" => p.prompt = v,
                "max_age" => p.max_age = v,
                "acr_values" => p.acr_values = v,
                "response_type" => p.response_type = v,
                "code_challenge_method" => p.code_challenge_method = v,
                _ => unreachable!(),
            }
        }
        p
    }

    fn code_of(r: OAuthResult<AuthorizeRequest>) -> &'static str {
        match r {
            Err(OAuthError::Refused { code, .. }) => code.as_str(),
            Err(e) => panic!("{e:?}"),
            Ok(_) => "ok",
        }
    }

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            challenge
        ));
        assert!(!verifier_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            challenge
        ));
        assert!(!verifier_matches("short", challenge));
    }

    #[test]
    fn a_valid_request_keeps_known_scopes_in_order_and_the_strongest_acr() {
        let r = validate(
            &params(&[
                ("scope", "email unknown openid"),
                ("acr_values", "mfa x pwd"),
            ]),
            "c",
            "https://rp/cb",
            true,
        )
        .unwrap();
        assert_eq!(r.scopes, ["openid", "email"]);
        assert_eq!(r.acr, Some(AcrLevel::Mfa));
        assert!(r.code_challenge.is_some());
    }

    #[test]
    fn refusals_name_the_rfc_error() {
        assert_eq!(
            code_of(validate(&params(&[("scope", "email")]), "c", "u", false)),
            "invalid_scope"
        );
        assert_eq!(
            code_of(validate(
                &params(&[("response_type", "token")]),
                "c",
                "u",
                false
            )),
            "unsupported_response_type"
        );
        assert_eq!(
            code_of(validate(
                &params(&[("code_challenge_method", "plain")]),
                "c",
                "u",
                false
            )),
            "invalid_request"
        );
        assert_eq!(
            code_of(validate(
                &params(&[("prompt", "none login")]),
                "c",
                "u",
                false
            )),
            "invalid_request"
        );
        assert_eq!(
            code_of(validate(&params(&[("max_age", "-1")]), "c", "u", false)),
            "invalid_request"
        );
    }

    #[test]
    fn a_public_client_must_use_pkce_and_a_confidential_one_may() {
        let mut p = params(&[]);
        p.code_challenge = None;
        p.code_challenge_method = None;
        assert_eq!(code_of(validate(&p, "c", "u", true)), "invalid_request");
        assert_eq!(code_of(validate(&p, "c", "u", false)), "ok");
    }

    #[test]
    fn consent_covers_only_every_scope_asked() {
        let wanted = known_scopes("openid email");
        assert!(scopes_cover("openid email profile", &wanted));
        assert!(!scopes_cover("openid", &wanted));
    }
}
