//! Details of the OpenID Connect provider's administration: clients registered, changed, given
//! a new secret or deleted, and signing keys rotated. A client is named by its public
//! `client_id` and its name; its secret never appears.

use serde::Serialize;

/// `oidc.client_created`, and `oidc.client_updated` with the settings as they are now.
#[derive(Debug, Clone, Serialize)]
pub struct OidcClientSettings {
    pub client_id: String,
    pub name: String,
    pub public: bool,
    pub first_party: bool,
    pub require_2fa: bool,
    pub redirect_uris: Vec<String>,
    /// The algorithm its ID tokens are signed with.
    pub id_token_signed_response_alg: String,
    /// The ids of the groups that may sign in; empty: everyone of the contract.
    pub groups: Vec<String>,
}

/// `oidc.client_secret_rotated` and `oidc.client_deleted`.
#[derive(Debug, Clone, Serialize)]
pub struct NamedOidcClient {
    pub client_id: String,
    pub name: String,
}

/// `oidc.signing_key_rotated`: a new current key of `alg`; the one it replaced (if any) stays
/// published until `publish_until`.
#[derive(Debug, Clone, Serialize)]
pub struct OidcSigningKeyRotated {
    pub alg: String,
    pub kid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_old_until: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDetail, stored_text};

    #[test]
    fn the_stored_json_of_each_oidc_detail_is_pinned() {
        let settings = OidcClientSettings {
            client_id: "c1".into(),
            name: "Grafana".into(),
            public: false,
            first_party: true,
            require_2fa: false,
            redirect_uris: vec!["https://g.example/cb".into()],
            id_token_signed_response_alg: "ES256".into(),
            groups: vec!["g1".into()],
        };
        assert_eq!(
            stored_text(AuditDetail::OidcClientCreated(settings.clone())),
            r#"{"client_id":"c1","first_party":true,"groups":["g1"],"id_token_signed_response_alg":"ES256","name":"Grafana","public":false,"redirect_uris":["https://g.example/cb"],"require_2fa":false}"#
        );
        let named = NamedOidcClient {
            client_id: "c1".into(),
            name: "Grafana".into(),
        };
        assert_eq!(
            stored_text(AuditDetail::OidcClientDeleted(named)),
            r#"{"client_id":"c1","name":"Grafana"}"#
        );
        assert_eq!(
            stored_text(OidcSigningKeyRotated {
                alg: "RS256".into(),
                kid: "k2".into(),
                publish_old_until: Some(600),
            }),
            r#"{"alg":"RS256","kid":"k2","publish_old_until":600}"#
        );
    }
}
