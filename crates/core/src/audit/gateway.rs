//! Details of other systems checking people's credentials: app passwords for mail clients, the
//! services' own tokens (made by the operator), and the services' checks (`app_auth`, `/validate`).

use serde::Serialize;

use crate::model::{AppPasswordId, ServiceTokenId};

/// `app_password.created`, or the wrong password that refused it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum AppPasswordCreated {
    InvalidPassword,
    #[serde(untagged)]
    Created {
        app_password_id: AppPasswordId,
        name: String,
    },
}

/// `app_password.revoked`.
#[derive(Debug, Clone, Serialize)]
pub struct AppPasswordRevoked {
    pub app_password_id: AppPasswordId,
    pub name: String,
}

/// `app_auth.success`: a mail client got in, with an app password or (no 2FA) the password.
#[derive(Debug, Clone, Serialize)]
pub struct AppAuthSuccess {
    /// The service token's name.
    pub service: String,
    /// `app_password` or `password`.
    pub method: &'static str,
    pub app_password_id: Option<AppPasswordId>,
}

/// `app_auth.failure`.
#[derive(Debug, Clone, Serialize)]
pub struct AppAuthFailure {
    pub service: String,
    /// `throttled`, `invalid_credentials`, `account_locked` or `app_password_required`.
    pub reason: &'static str,
}

/// `validate.success`: a service checked a code and it was good.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateSuccess {
    pub service: String,
    /// `totp` or `recovery_code`.
    pub method: &'static str,
}

/// `validate.failure`.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateFailure {
    pub service: String,
    /// `throttled`, `invalid_code` or `account_locked`.
    pub reason: &'static str,
}

/// A service token by id and name: `service_token.created` and `service_token.revoked` say the
/// same things (and are always the operator's).
#[derive(Debug, Clone, Serialize)]
pub struct NamedServiceToken {
    pub service_token_id: ServiceTokenId,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDetail, AuditEvent, Outcome, stored_text};
    use crate::clock::UnixTime;
    use crate::model::RequestMeta;

    #[test]
    fn gateway_details_are_stored_as_they_always_were() {
        let app_password_id = AppPasswordId("a1".into());
        let cases = [
            (
                stored_text(AppPasswordCreated::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(AppPasswordCreated::Created {
                    app_password_id: app_password_id.clone(),
                    name: "Thunderbird".into(),
                }),
                r#"{"app_password_id":"a1","name":"Thunderbird"}"#,
            ),
            (
                stored_text(AppPasswordRevoked {
                    app_password_id: app_password_id.clone(),
                    name: "Thunderbird".into(),
                }),
                r#"{"app_password_id":"a1","name":"Thunderbird"}"#,
            ),
            (
                stored_text(AppAuthSuccess {
                    service: "mail".into(),
                    method: "app_password",
                    app_password_id: Some(app_password_id),
                }),
                r#"{"app_password_id":"a1","method":"app_password","service":"mail"}"#,
            ),
            (
                stored_text(AppAuthSuccess {
                    service: "mail".into(),
                    method: "password",
                    app_password_id: None,
                }),
                r#"{"app_password_id":null,"method":"password","service":"mail"}"#,
            ),
            (
                stored_text(AppAuthFailure {
                    service: "mail".into(),
                    reason: "throttled",
                }),
                r#"{"reason":"throttled","service":"mail"}"#,
            ),
            (
                stored_text(ValidateSuccess {
                    service: "vpn".into(),
                    method: "totp",
                }),
                r#"{"method":"totp","service":"vpn"}"#,
            ),
            (
                stored_text(ValidateFailure {
                    service: "vpn".into(),
                    reason: "invalid_code",
                }),
                r#"{"reason":"invalid_code","service":"vpn"}"#,
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }

    #[test]
    fn service_tokens_are_the_operators() {
        let token = NamedServiceToken {
            service_token_id: ServiceTokenId("t1".into()),
            name: "mail".into(),
        };
        let meta = RequestMeta::default();
        for detail in [
            AuditDetail::ServiceTokenCreated(token.clone()),
            AuditDetail::ServiceTokenRevoked(token),
        ] {
            let event = AuditEvent::new(detail, Outcome::Success, UnixTime(0), &meta).by_operator();
            assert_eq!(
                event.detail_json().to_string(),
                r#"{"by":"operator","name":"mail","service_token_id":"t1"}"#
            );
        }
    }
}
