//! The audit trail: one append-only row per security-relevant act (who, whom, what, when, from
//! where, outcome). Each act is one [`AuditKind`] variant with a stable dotted name, and carries
//! one typed detail: [`AuditDetail`] has one variant per kind, holding that kind's own type (a
//! struct, or an enum when the act has several outcomes), so a kind can only say what it is meant
//! to say. Details never hold a secret: no password, token or code is ever passed in here.
//!
//! The detail is turned into JSON in one place, [`AuditEvent::detail_json`], through
//! `serde_json::to_value`: keys come out sorted and a unit detail is `null`, exactly the text
//! the rows have always held (the tests of each file pin it). Failures say why in a `reason`
//! field, so their types are enums tagged by `reason`; the successful shape of the same act is an
//! untagged variant. The types live by area: [`login`], [`password`], [`factors`], [`push`],
//! [`admin`], [`access`], [`gateway`] (services checking credentials), [`support`], [`webauthn`] and [`oidc`]; all are re-exported
//! here. Reading the trail back ([`StoredAuditEvent`]) keeps the JSON as it was stored.

use crate::clock::UnixTime;
use crate::model::{ContractId, RequestMeta, UserId};

pub mod access;
pub mod admin;
mod detail;
pub mod devices;
pub mod factors;
pub mod gateway;
pub mod login;
pub mod oidc;
pub mod oidc_flow;
pub mod password;
pub mod push;
pub mod radius;
pub mod support;
pub mod webauthn;

pub use detail::AuditDetail;

pub use access::{AccessRuleCreated, AccessRuleRemoved};
pub use admin::{
    AccountUnlocked, ContractPolicyChanged, Grant, GroupCreated, GroupMemberAdded,
    GroupMemberRemoved, InvitationRenewed, ResourceCreated, ResourceDeleted, ResourceUpdated,
    TwoFactorForced, TwoFactorResetByAdmin, TwoFactorUnforced, UserCreated, UserDeleted,
    UserRoleChanged,
};
pub use devices::{
    BrowserForgotten, BrowserRemembered, RememberedBrowserRefused, RememberedBrowserUsed,
    SessionsRevoked, SignInSettingsChanged,
};
pub use factors::{
    PhoneCodeSent, PhoneVerified, PhoneVerifyFailed, RecoveryRegenerated, RecoveryUsed,
    TotpActivated, TotpDeactivated, TotpEnrolled, TwoFactorRemovedByRecovery, Wizard,
};
pub use gateway::{
    AppAuthFailure, AppAuthSuccess, AppPasswordCreated, AppPasswordRevoked, NamedServiceToken,
    ValidateFailure, ValidateSuccess,
};
pub use login::{
    AccountCreated, AccountLocked, LoginFailure, LoginStepUp, LoginSuccess, LoginThrottled, Logout,
    SecondFactorFailure, SecondFactorSuccess, SessionRevoked,
};
pub use oidc::{NamedOidcClient, OidcClientSettings, OidcSigningKeyRotated};
pub use oidc_flow::{
    OidcClientAuthFailed, OidcCodeIssued, OidcCodeReuseDetected, OidcConsent, OidcConsentRevoked,
    OidcLogout, OidcRefreshReuseDetected, OidcTokenIssued,
};
pub use password::{
    InvitationAccepted, PasswordChangeFailed, PasswordChanged, PasswordReset, PasswordResetFailed,
    PasswordResetRequested, ResetMethod,
};
pub use push::{PushDecision, PushDevicePaired, PushDeviceRemoved, PushExpired, PushSent};
pub use radius::{NamedRadiusClient, RadiusAccept, RadiusChallenge, RadiusReject};
pub use support::{SupportAgentCreated, SupportPinChanged, SupportPinChecked};
pub use webauthn::{
    PasskeyFailure, PhishingResistantChanged, WebauthnAdded, WebauthnCloneSuspected,
    WebauthnRemoved,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
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
    /// An administrator issued a new invitation link (emailed or shown to copy); older ones died.
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
    ResourceGranted,
    ResourceGrantRevoked,
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
    ServiceTokenCreated,
    ServiceTokenRevoked,
    AccountLocked,
    AccountUnlocked,
    ValidateSuccess,
    ValidateFailure,
    PushDevicePaired,
    PushDeviceRemoved,
    PushSent,
    PushApproved,
    PushDenied,
    PushExpired,
    PushReportedFraud,
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
    OidcConsentGranted,
    OidcConsentDenied,
    OidcConsentRevoked,
    OidcClientAuthFailed,
    OidcLogout,
    OidcClientCreated,
    OidcClientUpdated,
    OidcClientSecretRotated,
    OidcClientDeleted,
    OidcSigningKeyRotated,
    BrowserRemembered,
    BrowserForgotten,
    RememberedBrowserUsed,
    RememberedBrowserRefused,
    SessionsRevoked,
    SignInSettingsChanged,
    RadiusAccept,
    RadiusReject,
    RadiusChallenge,
    RadiusClientAdded,
    RadiusClientRemoved,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::AccountCreated => "account.created",
            AuditKind::LoginSuccess => "login.success",
            AuditKind::LoginFailure => "login.failure",
            AuditKind::LoginThrottled => "login.throttled",
            AuditKind::LoginStepUp => "login.step_up",
            AuditKind::Logout => "logout",
            AuditKind::PasswordChanged => "password.changed",
            AuditKind::PasswordChangeFailed => "password.change_failed",
            AuditKind::SessionRevoked => "session.revoked",
            AuditKind::TotpEnrolled => "totp.enrolled",
            AuditKind::TotpActivated => "totp.activated",
            AuditKind::TotpDeactivated => "totp.deactivated",
            AuditKind::SecondFactorSuccess => "login.second_factor.success",
            AuditKind::SecondFactorFailure => "login.second_factor.failure",
            AuditKind::RecoveryUsed => "recovery.used",
            AuditKind::RecoveryRegenerated => "recovery.regenerated",
            AuditKind::TwoFactorRemovedByRecovery => "two_factor.removed_by_recovery",
            AuditKind::UserCreated => "user.created",
            AuditKind::InvitationAccepted => "invitation.accepted",
            AuditKind::InvitationRenewed => "invitation.renewed",
            AuditKind::UserRoleChanged => "user.role_changed",
            AuditKind::UserDeleted => "user.deleted",
            AuditKind::TwoFactorForced => "two_factor.forced",
            AuditKind::TwoFactorUnforced => "two_factor.unforced",
            AuditKind::TwoFactorResetByAdmin => "two_factor.reset_by_admin",
            AuditKind::ContractPolicyChanged => "contract.policy_changed",
            AuditKind::GroupCreated => "group.created",
            AuditKind::GroupMemberAdded => "group.member_added",
            AuditKind::GroupMemberRemoved => "group.member_removed",
            AuditKind::ResourceCreated => "resource.created",
            AuditKind::ResourceUpdated => "resource.updated",
            AuditKind::ResourceDeleted => "resource.deleted",
            AuditKind::ResourceGranted => "resource.granted",
            AuditKind::ResourceGrantRevoked => "resource.grant_revoked",
            AuditKind::PhoneCodeSent => "phone.code_sent",
            AuditKind::PhoneVerified => "phone.verified",
            AuditKind::PhoneVerifyFailed => "phone.verify_failed",
            AuditKind::PasswordResetRequested => "password.reset_requested",
            AuditKind::PasswordReset => "password.reset",
            AuditKind::PasswordResetFailed => "password.reset_failed",
            AuditKind::SupportPinChanged => "support_pin.changed",
            AuditKind::SupportPinChecked => "support_pin.checked",
            AuditKind::SupportAgentCreated => "support_agent.created",
            AuditKind::AppPasswordCreated => "app_password.created",
            AuditKind::AppPasswordRevoked => "app_password.revoked",
            AuditKind::AppAuthSuccess => "app_auth.success",
            AuditKind::AppAuthFailure => "app_auth.failure",
            AuditKind::ServiceTokenCreated => "service_token.created",
            AuditKind::ServiceTokenRevoked => "service_token.revoked",
            AuditKind::AccountLocked => "account.locked",
            AuditKind::AccountUnlocked => "account.unlocked",
            AuditKind::ValidateSuccess => "validate.success",
            AuditKind::ValidateFailure => "validate.failure",
            AuditKind::PushDevicePaired => "push.device_paired",
            AuditKind::PushDeviceRemoved => "push.device_removed",
            AuditKind::PushSent => "push.sent",
            AuditKind::PushApproved => "push.approved",
            AuditKind::PushDenied => "push.denied",
            AuditKind::PushExpired => "push.expired",
            AuditKind::PushReportedFraud => "push.reported_fraud",
            AuditKind::WebauthnAdded => "webauthn.added",
            AuditKind::WebauthnRemoved => "webauthn.removed",
            AuditKind::WebauthnCloneSuspected => "webauthn.clone_suspected",
            AuditKind::PasskeyFailure => "login.passkey.failure",
            AuditKind::PhishingResistantChanged => "contract.phishing_resistant_changed",
            AuditKind::AccessRuleCreated => "access_rule.created",
            AuditKind::AccessRuleRemoved => "access_rule.removed",
            AuditKind::OidcCodeIssued => "oidc.code_issued",
            AuditKind::OidcTokenIssued => "oidc.token_issued",
            AuditKind::OidcCodeReuseDetected => "oidc.code_reuse_detected",
            AuditKind::OidcRefreshReuseDetected => "oidc.refresh_reuse_detected",
            AuditKind::OidcConsentGranted => "oidc.consent_granted",
            AuditKind::OidcConsentDenied => "oidc.consent_denied",
            AuditKind::OidcConsentRevoked => "oidc.consent_revoked",
            AuditKind::OidcClientAuthFailed => "oidc.client_auth_failed",
            AuditKind::OidcLogout => "oidc.logout",
            AuditKind::OidcClientCreated => "oidc.client_created",
            AuditKind::OidcClientUpdated => "oidc.client_updated",
            AuditKind::OidcClientSecretRotated => "oidc.client_secret_rotated",
            AuditKind::OidcClientDeleted => "oidc.client_deleted",
            AuditKind::OidcSigningKeyRotated => "oidc.signing_key_rotated",
            AuditKind::BrowserRemembered => "browser.remembered",
            AuditKind::BrowserForgotten => "browser.forgotten",
            AuditKind::RememberedBrowserUsed => "login.remembered_browser.success",
            AuditKind::RememberedBrowserRefused => "login.remembered_browser.failure",
            AuditKind::SessionsRevoked => "session.others_revoked",
            AuditKind::SignInSettingsChanged => "contract.sign_in_settings_changed",
            AuditKind::RadiusAccept => "radius.accept",
            AuditKind::RadiusReject => "radius.reject",
            AuditKind::RadiusChallenge => "radius.challenge",
            AuditKind::RadiusClientAdded => "radius_client.added",
            AuditKind::RadiusClientRemoved => "radius_client.removed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// An act to append.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: UnixTime,
    /// Who acted; `None` for an anonymous attempt and for the operator at the shell.
    pub actor: Option<UserId>,
    /// Whose account it concerns.
    pub subject: Option<UserId>,
    pub contract: Option<ContractId>,
    pub outcome: Outcome,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Non-secret context, e.g. which session was revoked or why a login failed; it names the
    /// kind of the act too.
    pub detail: AuditDetail,
    /// The operator acted at the shell: with no actor to name, the detail says `"by": "operator"`.
    by_operator: bool,
}

impl AuditEvent {
    pub fn new(
        detail: impl Into<AuditDetail>,
        outcome: Outcome,
        at: UnixTime,
        meta: &RequestMeta,
    ) -> Self {
        AuditEvent {
            at,
            actor: None,
            subject: None,
            contract: None,
            outcome,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            detail: detail.into(),
            by_operator: false,
        }
    }
    pub fn kind(&self) -> AuditKind {
        self.detail.kind()
    }
    /// The person acted on their own account.
    pub fn by_self(mut self, user: &UserId, contract: &ContractId) -> Self {
        self.actor = Some(user.clone());
        self.subject = Some(user.clone());
        self.contract = Some(contract.clone());
        self
    }
    /// The operator acted, at the shell.
    pub fn by_operator(mut self) -> Self {
        self.by_operator = true;
        self
    }
    /// The detail as the row stores it: the detail's fields (a JSON object, keys sorted), with
    /// `"by": "operator"` among them for the operator's acts; `null` when there is nothing to say.
    pub fn detail_json(&self) -> serde_json::Value {
        // Structs and enums of strings, numbers and booleans only: serialising cannot fail.
        let mut detail =
            serde_json::to_value(&self.detail).expect("audit details are plain JSON values");
        if self.by_operator {
            match &mut detail {
                serde_json::Value::Object(fields) => {
                    fields.insert("by".into(), "operator".into());
                }
                other => *other = serde_json::json!({ "by": "operator" }),
            }
        }
        detail
    }
}

/// An event as read back, with its position in the log.
#[derive(Debug, Clone)]
pub struct StoredAuditEvent {
    pub id: i64,
    pub kind: String,
    pub at: UnixTime,
    pub actor: Option<UserId>,
    pub subject: Option<UserId>,
    pub contract: Option<ContractId>,
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
}

/// The stored text of a detail, for the tests that pin it.
#[cfg(test)]
pub(crate) fn stored_text(detail: impl Into<AuditDetail>) -> String {
    AuditEvent::new(
        detail,
        Outcome::Success,
        UnixTime(0),
        &RequestMeta::default(),
    )
    .detail_json()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::Role;

    #[test]
    fn the_operator_is_named_among_the_fields_or_alone() {
        let meta = RequestMeta::default();
        let alone = AuditEvent::new(TwoFactorForced, Outcome::Success, UnixTime(0), &meta);
        assert_eq!(alone.detail_json().to_string(), "null");
        assert_eq!(
            alone.by_operator().detail_json().to_string(),
            r#"{"by":"operator"}"#
        );
        let among = AuditEvent::new(
            UserDeleted {
                email: "a@example.com".into(),
                role: Role::User,
            },
            Outcome::Success,
            UnixTime(0),
            &meta,
        )
        .by_operator();
        assert_eq!(
            among.detail_json().to_string(),
            r#"{"by":"operator","email":"a@example.com","role":"user"}"#
        );
    }
}
