//! Details of passkeys and security keys: a key added or removed, a sign-in without a password
//! that failed, a key whose counter went back, and the contract's "phishing-resistant only".

use serde::Serialize;

use crate::model::WebauthnCredentialId;

/// `webauthn.added`: a key registered, on the security page or in the forced setup.
#[derive(Debug, Clone, Serialize)]
pub struct WebauthnAdded {
    pub credential_id: WebauthnCredentialId,
    pub name: String,
    /// Registered with user verification: it can sign in without a password.
    pub passkey: bool,
    /// `None` from the security page; `forced` in the setup at sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wizard: Option<super::Wizard>,
}

/// `webauthn.removed`, or the wrong password that kept it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WebauthnRemoved {
    InvalidPassword,
    #[serde(untagged)]
    Removed {
        credential_id: WebauthnCredentialId,
        name: String,
    },
}

/// `webauthn.clone_suspected`: an assertion whose sign count did not move forward; it was
/// refused. Two copies of the key may exist.
#[derive(Debug, Clone, Serialize)]
pub struct WebauthnCloneSuspected {
    pub credential_id: WebauthnCredentialId,
    pub stored_count: u32,
    pub presented_count: u32,
}

/// `login.passkey.failure`: a sign-in without a password that did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PasskeyFailure {
    /// No key is registered under the presented credential id, or the user handle names
    /// someone else.
    UnknownCredential,
    /// The key was registered without user verification: it can only be a second step.
    NotAPasskey,
    /// The signature, challenge, origin or user verification is not right.
    InvalidAssertion,
    /// The sign count went back.
    CounterWentBack,
}

/// `contract.phishing_resistant_changed`: the owner switched "phishing-resistant only".
#[derive(Debug, Clone, Serialize)]
pub struct PhishingResistantChanged {
    pub require_phishing_resistant: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Wizard, stored_text};

    #[test]
    fn key_details_are_stored_as_documented() {
        let id = WebauthnCredentialId("k1".into());
        assert_eq!(
            stored_text(WebauthnAdded {
                credential_id: id.clone(),
                name: "YubiKey".into(),
                passkey: false,
                wizard: None,
            }),
            r#"{"credential_id":"k1","name":"YubiKey","passkey":false}"#
        );
        assert_eq!(
            stored_text(WebauthnAdded {
                credential_id: id.clone(),
                name: "Touch ID".into(),
                passkey: true,
                wizard: Some(Wizard::Forced),
            }),
            r#"{"credential_id":"k1","name":"Touch ID","passkey":true,"wizard":"forced"}"#
        );
        assert_eq!(
            stored_text(WebauthnRemoved::InvalidPassword),
            r#"{"reason":"invalid_password"}"#
        );
        assert_eq!(
            stored_text(WebauthnRemoved::Removed {
                credential_id: id.clone(),
                name: "YubiKey".into()
            }),
            r#"{"credential_id":"k1","name":"YubiKey"}"#
        );
        assert_eq!(
            stored_text(WebauthnCloneSuspected {
                credential_id: id,
                stored_count: 7,
                presented_count: 5
            }),
            r#"{"credential_id":"k1","presented_count":5,"stored_count":7}"#
        );
        assert_eq!(
            stored_text(PasskeyFailure::NotAPasskey),
            r#"{"reason":"not_a_passkey"}"#
        );
        assert_eq!(
            stored_text(PhishingResistantChanged {
                require_phishing_resistant: true
            }),
            r#"{"require_phishing_resistant":true}"#
        );
    }
}
