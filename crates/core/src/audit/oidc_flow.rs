//! Details of the OpenID Connect flow: codes and tokens issued to a client, replays detected
//! (a code or a refresh token presented twice, which revokes what came from it), consents given
//! and revoked, wrong client secrets, and a sign-out a client asked for. No code, token or
//! secret is ever named; the client by its public id.

use serde::Serialize;

/// `oidc.code_issued`: an authorization code went to a client's redirect URI.
#[derive(Debug, Clone, Serialize)]
pub struct OidcCodeIssued {
    pub client_id: String,
    pub scope: String,
    pub acr: String,
}

/// `oidc.token_issued`: tokens for a code or a refresh token.
#[derive(Debug, Clone, Serialize)]
pub struct OidcTokenIssued {
    pub client_id: String,
    /// `authorization_code` or `refresh_token`.
    pub grant_type: &'static str,
    pub scope: String,
    pub refresh_token: bool,
}

/// `oidc.code_reuse_detected`: a used code came back; what it had bought is revoked.
#[derive(Debug, Clone, Serialize)]
pub struct OidcCodeReuseDetected {
    pub client_id: String,
    pub tokens_revoked: u64,
}

/// `oidc.refresh_reuse_detected`: a used refresh token came back; its family is revoked.
#[derive(Debug, Clone, Serialize)]
pub struct OidcRefreshReuseDetected {
    pub client_id: String,
    pub tokens_revoked: u64,
}

/// `oidc.consent_granted` or refused (Deny on the consent page).
#[derive(Debug, Clone, Serialize)]
pub struct OidcConsent {
    pub client_id: String,
    pub scope: String,
}

/// `oidc.consent_revoked`: a person revoked a connected app on the security page.
#[derive(Debug, Clone, Serialize)]
pub struct OidcConsentRevoked {
    pub client_id: String,
    pub tokens_revoked: u64,
}

/// `oidc.client_auth_failed`: a wrong or missing client secret at the token endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct OidcClientAuthFailed {
    pub client_id: String,
}

/// `oidc.logout`: a client's RP-initiated logout ended the browser session.
#[derive(Debug, Clone, Serialize)]
pub struct OidcLogout {
    /// The client named by the ID token hint; `None` when the person confirmed without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stored_text;

    #[test]
    fn oidc_details_are_stored_as_pinned_json() {
        assert_eq!(
            stored_text(OidcCodeIssued {
                client_id: "c1".into(),
                scope: "openid email".into(),
                acr: "mfa".into(),
            }),
            r#"{"acr":"mfa","client_id":"c1","scope":"openid email"}"#
        );
        assert_eq!(
            stored_text(OidcRefreshReuseDetected {
                client_id: "c1".into(),
                tokens_revoked: 2,
            }),
            r#"{"client_id":"c1","tokens_revoked":2}"#
        );
        assert_eq!(stored_text(OidcLogout { client_id: None }), "{}");
    }
}
