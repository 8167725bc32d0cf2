//! [`AuditDetail`]: the one enum of every act's detail, built from the kinds' own types, and
//! the names the model's enums are written under. How a detail becomes the stored JSON is
//! [`super::AuditEvent::detail_json`]'s; what each kind says is its area's file.

use serde::{Serialize, Serializer};

// Every kind's type, as `audit` re-exports them.
use super::*;
use crate::access::AccessPolicy;
use crate::login::{Acr, Method};
use crate::model::{ResourceKind, Role, SessionKind, TicketPurpose};
use crate::totp::Algorithm;

/// Builds [`AuditDetail`]: `own` kinds carry the type of their own name (and convert into a
/// detail with `.into()`); `shared` kinds carry a shape several kinds have in common, so their
/// variant is named where the event is made.
macro_rules! audit_details {
    (own: $($own:ident),* $(,)?; shared: $($kind:ident($shape:ty)),* $(,)?) => {
        /// What an act says besides who, whom, when, where and how it ended: one variant per
        /// [`AuditKind`], of the same name, holding only that kind's detail.
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub enum AuditDetail {
            $($own($own),)*
            $($kind($shape),)*
        }

        impl AuditDetail {
            pub fn kind(&self) -> AuditKind {
                match self {
                    $(AuditDetail::$own(_) => AuditKind::$own,)*
                    $(AuditDetail::$kind(_) => AuditKind::$kind,)*
                }
            }
        }

        $(
            impl From<$own> for AuditDetail {
                fn from(detail: $own) -> Self {
                    AuditDetail::$own(detail)
                }
            }
        )*
    };
}

audit_details! {
    own:
        AccountCreated,
        LoginSuccess,
        LoginFailure,
        LoginThrottled,
        LoginStepUp,
        Logout,
        PasswordChanged,
        PasswordChangeFailed,
        SessionRevoked,
        TotpEnrolled,
        TotpActivated,
        TotpDeactivated,
        SecondFactorSuccess,
        SecondFactorFailure,
        RecoveryUsed,
        RecoveryRegenerated,
        TwoFactorRemovedByRecovery,
        UserCreated,
        InvitationAccepted,
        InvitationRenewed,
        UserRoleChanged,
        UserDeleted,
        TwoFactorForced,
        TwoFactorUnforced,
        TwoFactorResetByAdmin,
        ContractPolicyChanged,
        GroupCreated,
        GroupMemberAdded,
        GroupMemberRemoved,
        ResourceCreated,
        ResourceUpdated,
        ResourceDeleted,
        PhoneCodeSent,
        PhoneVerified,
        PhoneVerifyFailed,
        PasswordResetRequested,
        PasswordReset,
        PasswordResetFailed,
        SupportPinChanged,
        SupportPinChecked,
        SupportAgentCreated,
        AppPasswordCreated,
        AppPasswordRevoked,
        AppAuthSuccess,
        AppAuthFailure,
        AccountLocked,
        AccountUnlocked,
        ValidateSuccess,
        ValidateFailure,
        PushDevicePaired,
        PushDeviceRemoved,
        PushSent,
        PushExpired,
        WebauthnAdded,
        WebauthnRemoved,
        WebauthnCloneSuspected,
        PasskeyFailure,
        PhishingResistantChanged,
        AccessRuleCreated,
        AccessRuleRemoved,
        OidcCodeIssued,
        OidcTokenIssued,
        OidcCodeReuseDetected,
        OidcRefreshReuseDetected,
        OidcConsentRevoked,
        OidcClientAuthFailed,
        OidcLogout,
        OidcSigningKeyRotated,
        BrowserRemembered,
        BrowserForgotten,
        RememberedBrowserUsed,
        RememberedBrowserRefused,
        SessionsRevoked,
        SignInSettingsChanged,
        RadiusAccept,
        RadiusReject,
        RadiusChallenge;
    shared:
        ResourceGranted(Grant),
        ResourceGrantRevoked(Grant),
        ServiceTokenCreated(NamedServiceToken),
        ServiceTokenRevoked(NamedServiceToken),
        PushApproved(PushDecision),
        PushDenied(PushDecision),
        PushReportedFraud(PushDecision),
        OidcConsentGranted(OidcConsent),
        OidcConsentDenied(OidcConsent),
        OidcClientCreated(OidcClientSettings),
        OidcClientUpdated(OidcClientSettings),
        OidcClientSecretRotated(NamedOidcClient),
        OidcClientDeleted(NamedOidcClient),
        RadiusClientAdded(NamedRadiusClient),
        RadiusClientRemoved(NamedRadiusClient),
}

/// The model's enums appear in details under the names the rest of the system gives them.
macro_rules! serialize_by_name {
    ($($name:ty),* $(,)?) => {
        $(
            impl Serialize for $name {
                fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }
        )*
    };
}

serialize_by_name!(
    Role,
    ResourceKind,
    SessionKind,
    Method,
    Algorithm,
    AccessPolicy,
    Acr,
    TicketPurpose
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditEvent, Outcome};
    use crate::clock::UnixTime;
    use crate::model::RequestMeta;

    #[test]
    fn a_detail_names_its_kind() {
        assert_eq!(
            AuditDetail::from(LoginThrottled).kind(),
            AuditKind::LoginThrottled
        );
        let grant = Grant {
            resource_id: crate::model::ResourceId("r1".into()),
            group_id: crate::model::GroupId("g1".into()),
        };
        let granted = AuditEvent::new(
            AuditDetail::ResourceGranted(grant.clone()),
            Outcome::Success,
            UnixTime(0),
            &RequestMeta::default(),
        );
        assert_eq!(granted.kind().as_str(), "resource.granted");
        assert_eq!(
            AuditDetail::ResourceGrantRevoked(grant).kind().as_str(),
            "resource.grant_revoked"
        );
    }

    #[test]
    fn the_models_names_are_their_as_str() {
        let names = serde_json::json!([
            Role::Owner,
            Role::Administrator,
            ResourceKind::Datacenter,
            ResourceKind::Snapshot,
            SessionKind::Api,
            SessionKind::Web,
            Method::Totp,
            Method::RecoveryCode,
            Method::Push,
            Algorithm::Sha1,
        ]);
        assert_eq!(
            names.to_string(),
            r#"["owner","administrator","datacenter","snapshot","api","web","totp","recovery_code","push","SHA1"]"#
        );
    }
}
