//! How account data reads on a page: dates, devices, audit events and notices in words, in the
//! page's language (`locales/*/security.ftl`). Pure presentation; nothing here decides what a
//! person may see or do.

use std::collections::HashMap;
use std::sync::LazyLock;

use portcullis_core::UnixTime;
use portcullis_core::locale::Language;
use portcullis_core::model::{ResourceKind, Role, Session};

use super::session_line::describe;
use crate::i18n::{dates, has, language, text, tr};

/// "7 December 2026, 14:05 CET": in the page's language and the person's time zone.
pub fn when(t: UnixTime) -> String {
    dates::datetime(t)
}

/// "never": what a last use shows before the first.
pub fn never() -> String {
    tr("security-never")
}

/// The labels the account and admin pages keep as `&'static str`, by message id.
const FIXED: &[&str] = &[
    "security-role-owner",
    "security-role-administrator",
    "security-role-user",
    "security-kind-datacenter",
    "security-kind-snapshot",
    "security-outcome-success",
    "security-outcome-failure",
    "security-outcome-denied",
    "security-outcome-other",
];

/// Each fixed label's words in each language, made once: two languages and a handful of words.
static FIXED_WORDS: LazyLock<[HashMap<&'static str, String>; 2]> = LazyLock::new(|| {
    [Language::En, Language::De].map(|l| FIXED.iter().map(|id| (*id, text(l, id, &[]))).collect())
});

/// The words of fixed label `id` in the page's language.
fn fixed(id: &'static str) -> &'static str {
    let words = match language() {
        Language::En => &FIXED_WORDS[0],
        Language::De => &FIXED_WORDS[1],
    };
    words.get(id).map_or(id, String::as_str)
}

/// "Owner", "Administrator", "User".
pub fn role_label(role: Role) -> &'static str {
    fixed(match role {
        Role::Owner => "security-role-owner",
        Role::Administrator => "security-role-administrator",
        Role::User => "security-role-user",
    })
}

/// What a resource is, in the words of hosting control panels.
pub fn kind_label(kind: ResourceKind) -> &'static str {
    fixed(match kind {
        ResourceKind::Datacenter => "security-kind-datacenter",
        ResourceKind::Snapshot => "security-kind-snapshot",
    })
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
            ip: s.ip.unwrap_or_else(|| tr("security-unknown-address-bare")),
            started: when(s.created_at),
            last_active: when(s.last_seen_at),
            current,
            id: s.id.0,
        }
    }
}

/// An audit event as a row in the activity table.
pub struct EventRow {
    /// "7 December 2026", and "09:26 CET" apart, so a narrow table breaks between them.
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
            "success" => ("security-outcome-success", "ok"),
            "failure" => ("security-outcome-failure", "bad"),
            "denied" => ("security-outcome-denied", "bad"),
            _ => ("security-outcome-other", "neutral"),
        };
        EventRow {
            day: dates::date(e.at),
            time: dates::time(e.at),
            what: event_label(&e.kind, &e.detail),
            outcome: fixed(outcome),
            tone,
            from: e.ip.unwrap_or_else(|| "—".to_owned()),
        }
    }
}

/// The dotted audit names of `portcullis_core::audit::AuditKind` in words: the message
/// `security-event-<name>`, its dots and underscores as dashes. A kind added later shows by its
/// name until it gets words there. The second step of a sign-in records its `method` in the
/// detail, so the row says how it was done (`…-by-<method>`): a push approval is no code.
pub fn event_label(kind: &str, detail: &serde_json::Value) -> String {
    let id = format!("security-event-{}", kind.replace(['.', '_'], "-"));
    let method = detail.get("method").and_then(serde_json::Value::as_str);
    let language = language();
    if let Some(method) = method {
        let by = format!("{id}-by-{}", method.replace('_', "-"));
        if has(language, &by) {
            return text(language, &by, &[]);
        }
    }
    if has(language, &id) {
        return text(language, &id, &[]);
    }
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_words_in_utc_outside_a_request() {
        assert_eq!(when(UnixTime(0)), "1 January 1970, 00:00 UTC");
        assert_eq!(when(UnixTime(1_710_408_360)), "14 March 2024, 09:26 UTC");
    }

    #[test]
    fn labels_follow_the_page_language() {
        let german = crate::i18n::with_locale(Language::De, None, || {
            (
                role_label(Role::Owner),
                kind_label(ResourceKind::Datacenter),
                event_label("login.success", &serde_json::Value::Null),
                never(),
            )
        });
        assert_eq!(
            german,
            (
                "Inhaber",
                "Rechenzentrum",
                "Angemeldet".to_owned(),
                "nie".to_owned()
            )
        );
        assert_eq!(role_label(Role::Owner), "Owner");
    }

    #[test]
    fn every_audit_kind_has_words_in_both_languages() {
        // A kind that stops having words shows its dotted name: the labels the code knew keep
        // theirs. Each `security-event-…` message exists in both files (the i18n tests check).
        for kind in [
            "totp.activated",
            "oidc.client_secret_rotated",
            "two_factor.removed_by_recovery",
        ] {
            assert_ne!(event_label(kind, &serde_json::Value::Null), kind);
        }
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
