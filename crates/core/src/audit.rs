//! The audit trail: one append-only row per security-relevant act (who, whom, what, when, from
//! where, outcome). Each act is one [`AuditKind`] variant with a stable dotted name. Details never
//! hold a secret: no password, token or code is ever passed in here.

use crate::clock::UnixTime;
use crate::model::{ContractId, RequestMeta, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    AccountCreated,
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
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
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::AccountCreated => "account.created",
            AuditKind::LoginSuccess => "login.success",
            AuditKind::LoginFailure => "login.failure",
            AuditKind::LoginThrottled => "login.throttled",
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
    pub kind: AuditKind,
    pub at: UnixTime,
    /// Who acted; `None` for an anonymous attempt.
    pub actor: Option<UserId>,
    /// Whose account it concerns.
    pub subject: Option<UserId>,
    pub contract: Option<ContractId>,
    pub outcome: Outcome,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Non-secret context, e.g. which session was revoked or why a login failed.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(kind: AuditKind, outcome: Outcome, at: UnixTime, meta: &RequestMeta) -> Self {
        AuditEvent {
            kind,
            at,
            actor: None,
            subject: None,
            contract: None,
            outcome,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            detail: serde_json::Value::Null,
        }
    }
    /// The person acted on their own account.
    pub fn by_self(mut self, user: &UserId, contract: &ContractId) -> Self {
        self.actor = Some(user.clone());
        self.subject = Some(user.clone());
        self.contract = Some(contract.clone());
        self
    }
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
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
