//! How account data reads on a page: dates, devices, audit events and notices in words. Pure
//! presentation; nothing here decides what a person may see or do.

use portcullis_core::UnixTime;
use portcullis_core::model::{ResourceKind, Role, Session};

use super::session_line::describe;
use crate::http::time::to_the_minute;

/// "2025-03-14 09:26 UTC": unambiguous in every locale, and the server knows no time zone.
pub fn when(t: UnixTime) -> String {
    to_the_minute(t).unwrap_or_else(|| "unknown".to_owned())
}

/// "Owner", "Administrator", "User".
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Administrator => "Administrator",
        Role::User => "User",
    }
}

/// What a resource is, in the words of hosting control panels.
pub fn kind_label(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Datacenter => "Data centre",
        ResourceKind::Snapshot => "Snapshot",
    }
}

/// A session as a row in the sessions list.
pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_active: String,
    pub current: bool,
}

impl SessionRow {
    pub fn new(s: Session, current: bool) -> Self {
        SessionRow {
            device: describe(s.kind, s.user_agent.as_deref()),
            ip: s.ip.unwrap_or_else(|| "unknown address".to_owned()),
            started: when(s.created_at),
            last_active: when(s.last_seen_at),
            current,
            id: s.id.0,
        }
    }
}

/// An audit event as a row in the activity table.
pub struct EventRow {
    /// "2025-03-14", and "09:26 UTC" apart, so a narrow table breaks between them.
    pub day: String,
    pub time: String,
    pub what: String,
    pub outcome: &'static str,
    /// `ok`, `bad` or `neutral`: the badge's colour class.
    pub tone: &'static str,
    pub from: String,
}

impl EventRow {
    pub fn new(e: portcullis_core::audit::StoredAuditEvent) -> Self {
        let (outcome, tone) = match e.outcome.as_str() {
            "success" => ("Succeeded", "ok"),
            "failure" => ("Failed", "bad"),
            "denied" => ("Refused", "bad"),
            _ => ("Recorded", "neutral"),
        };
        let at = when(e.at);
        let (day, time) = at.split_once(' ').unwrap_or((&at, ""));
        EventRow {
            day: day.to_owned(),
            time: time.to_owned(),
            what: event_label(&e.kind, &e.detail),
            outcome,
            tone,
            from: e.ip.unwrap_or_else(|| "—".to_owned()),
        }
    }
}

/// The dotted audit names of `portcullis_core::audit::AuditKind` in words; a kind added later
/// shows by its name until it gets words here. The second step of a sign-in records its
/// `method` in the detail, so the row says how it was done: a push approval is no code.
pub fn event_label(kind: &str, detail: &serde_json::Value) -> String {
    let method = detail.get("method").and_then(serde_json::Value::as_str);
    let label = match (kind, method) {
        ("login.second_factor.success", Some("push")) => "Sign-in approved in the companion app",
        ("login.second_factor.success", Some("recovery_code")) => "Signed in with a recovery code",
        ("login.second_factor.success", Some("totp")) => "Authenticator code accepted at sign-in",
        ("login.second_factor.failure", Some("recovery_code")) => "Wrong recovery code at sign-in",
        ("login.second_factor.failure", Some("totp")) => "Wrong authenticator code at sign-in",
        ("login.second_factor.success", Some("webauthn")) => "Security key accepted at sign-in",
        ("login.second_factor.failure", Some("webauthn")) => "Security key refused at sign-in",
        ("login.success", Some("passkey")) => "Signed in with a passkey",
        _ => "",
    };
    if !label.is_empty() {
        return label.to_owned();
    }
    let label = match kind {
        "account.created" => "Account created",
        "login.success" => "Signed in",
        "login.failure" => "Sign-in with a wrong password",
        "login.throttled" => "Sign-in refused after too many attempts",
        "login.step_up" => "Asked for a second factor by an application",
        "logout" => "Signed out",
        "password.changed" => "Password changed",
        "password.change_failed" => "Password change with a wrong current password",
        "session.revoked" => "Another session signed out",
        "session.others_revoked" => "Signed out everywhere else",
        "browser.remembered" => "Browser remembered: no code asked there",
        "browser.forgotten" => "Remembered browser forgotten",
        "login.remembered_browser.success" => "Signed in on a remembered browser",
        "login.remembered_browser.failure" => "Remembered browser refused at sign-in",
        "contract.sign_in_settings_changed" => "Sign-in settings for everyone changed",
        "totp.enrolled" => "Authenticator app setup started",
        // These also record a wrong current password, as a failure: the labels name the act, and
        // the result column says how it went.
        "totp.activated" => "Switching on the authenticator app",
        "totp.deactivated" => "Removing the authenticator app",
        "login.second_factor.success" => "Second step completed at sign-in",
        "login.second_factor.failure" => "Wrong code at sign-in",
        "recovery.used" => "Recovery code used",
        "recovery.regenerated" => "Making new recovery codes",
        "two_factor.removed_by_recovery" => {
            "Two-factor authentication removed with a recovery code"
        }
        "user.created" => "User created",
        "invitation.accepted" => "Invitation accepted; password set",
        "invitation.renewed" => "New invitation link issued",
        "user.role_changed" => "User's role changed",
        "user.deleted" => "User deleted",
        "two_factor.forced" => "Two-factor authentication made mandatory for a user",
        "two_factor.unforced" => "Two-factor authentication no longer mandatory for a user",
        "two_factor.reset_by_admin" => "Two-factor authentication reset by an administrator",
        "contract.policy_changed" => "Two-factor policy for everyone changed",
        "group.created" => "Group created",
        "group.member_added" => "Member added to a group",
        "group.member_removed" => "Member removed from a group",
        "resource.created" => "Resource created",
        "resource.updated" => "Resource changed",
        "resource.deleted" => "Resource deleted",
        "resource.granted" => "Resource granted to a group",
        "resource.grant_revoked" => "Resource withdrawn from a group",
        "support_pin.changed" => "Support PIN set",
        "support_pin.checked" => "Support PIN checked by support",
        "support_agent.created" => "Support agent created",
        "app_password.created" => "App password created",
        "app_password.revoked" => "App password revoked",
        "app_auth.success" => "Mail app signed in",
        "app_auth.failure" => "Mail app sign-in refused",
        "service_token.created" => "Service token created",
        "service_token.revoked" => "Service token revoked",
        "phone.code_sent" => "Code sent to a mobile number",
        "phone.verified" => "Mobile number verified",
        "phone.verify_failed" => "Wrong code for a mobile number",
        "password.reset_requested" => "Password reset requested",
        "password.reset" => "Password reset",
        "password.reset_failed" => "Password reset refused",
        "account.locked" => "Account locked (\"this wasn't me\")",
        "account.unlocked" => "Account unlocked",
        "validate.success" => "Code accepted by a gateway",
        "validate.failure" => "Wrong code at a gateway",
        "push.device_paired" => "Companion app paired",
        "push.device_removed" => "Companion app removed",
        "push.sent" => "Sign-in request sent to the app",
        "push.approved" => "Sign-in approved in the app",
        "push.denied" => "Sign-in denied in the app",
        "push.expired" => "Sign-in request unanswered",
        "push.reported_fraud" => "Sign-in reported in the app (\"this wasn't me\")",
        "webauthn.added" => "Security key or passkey added",
        "webauthn.removed" => "Security key or passkey removed",
        "webauthn.clone_suspected" => "Security key refused: it may have been copied",
        "login.passkey.failure" => "Failed sign-in with a passkey",
        "contract.phishing_resistant_changed" => "Security-key-only setting changed",
        "oidc.client_created" => "OIDC client registered",
        "oidc.client_updated" => "OIDC client changed",
        "oidc.client_secret_rotated" => "OIDC client given a new secret",
        "oidc.client_deleted" => "OIDC client deleted",
        "oidc.code_issued" => "Signed in to an application",
        "oidc.token_issued" => "Application tokens issued",
        "oidc.code_reuse_detected" => "Application sign-in code replayed: its tokens were revoked",
        "oidc.refresh_reuse_detected" => "Application token replayed: its tokens were revoked",
        "oidc.consent_granted" => "Application allowed",
        "oidc.consent_denied" => "Application refused",
        "oidc.consent_revoked" => "Connected application revoked",
        "oidc.client_auth_failed" => "Wrong application secret",
        "oidc.logout" => "Signed out by an application",
        other => return other.to_owned(),
    };
    label.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_utc_to_the_minute() {
        assert_eq!(when(UnixTime(0)), "1970-01-01 00:00 UTC");
        assert_eq!(when(UnixTime(1_710_408_360)), "2024-03-14 09:26 UTC");
    }

    #[test]
    fn unknown_audit_kinds_keep_their_name() {
        let none = serde_json::Value::Null;
        assert_eq!(event_label("login.success", &none), "Signed in");
        assert_eq!(
            event_label("push.approved", &none),
            "Sign-in approved in the app"
        );
        assert_eq!(event_label("passkey.added", &none), "passkey.added");
    }

    #[test]
    fn a_completed_second_step_is_named_by_its_method() {
        let by = |m: &str| serde_json::json!({ "method": m });
        let done = "login.second_factor.success";
        assert_eq!(
            event_label(done, &by("push")),
            "Sign-in approved in the companion app"
        );
        assert_eq!(
            event_label(done, &by("totp")),
            "Authenticator code accepted at sign-in"
        );
        assert_eq!(
            event_label(done, &by("recovery_code")),
            "Signed in with a recovery code"
        );
        assert_eq!(
            event_label(done, &serde_json::Value::Null),
            "Second step completed at sign-in"
        );
    }
}
