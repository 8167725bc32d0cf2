//! A live session as the "Devices and sessions" page and the admin's user page list it: which
//! browser or API client (from its user agent, versions ignored), from where, since when, last
//! used, and how its sign-in was proven, in words of the page's language. Pure presentation.

use portcullis_core::model::{Session, SessionKind};
use portcullis_core::user_agent;

use super::view::when;
use crate::i18n::{tr, tr_with};

pub struct SessionLine {
    pub id: String,
    /// "Firefox on Linux", or "API client: curl".
    pub device: String,
    pub address: String,
    pub started: String,
    pub last_used: String,
    /// "password and authenticator app", "passkey".
    pub how: String,
    /// The session of the browser looking at the page.
    pub current: bool,
}

impl SessionLine {
    pub fn new(s: Session, current: bool) -> SessionLine {
        SessionLine {
            device: describe(s.kind, s.user_agent.as_deref()),
            address: s.ip.unwrap_or_else(|| tr("security-unknown-address")),
            started: when(s.created_at),
            last_used: when(s.last_seen_at),
            how: how_signed_in(&s.assurance.methods),
            current,
            id: s.id.0,
        }
    }
}

/// A browser family in the page's words: "Firefox on Linux", "Unknown browser". The names of
/// browsers and systems are names; only the words around them are translated.
pub fn device_words(family: &user_agent::UserAgentFamily) -> String {
    let browser = match family.browser {
        "Unknown browser" => tr("security-device-unknown-browser"),
        "Unknown client" => tr("security-device-unknown-client"),
        name => name.to_owned(),
    };
    match family.os {
        Some(system) => tr_with(
            "security-device-on",
            &[("browser", browser.into()), ("system", system.into())],
        ),
        None => browser,
    }
}

/// The session's device in words, enough for a person to recognise their own: a browser's
/// family ("Firefox on Linux"), or the API client's name ("API client: curl"). Versions are
/// ignored; `portcullis_core::user_agent` is the one place that reads user agents.
pub fn describe(kind: SessionKind, ua: Option<&str>) -> String {
    let sent = ua.map(str::trim).filter(|ua| !ua.is_empty());
    let family = user_agent::family(sent);
    let known = family.is_browser || family.browser != "Unknown browser";
    let api_client =
        |name: String| tr_with("security-device-api-client-named", &[("name", name.into())]);
    match (kind, sent) {
        (SessionKind::Web, None) => tr("security-device-unknown-browser"),
        (SessionKind::Web, Some(_)) => device_words(&family),
        (SessionKind::Api, None) => tr("security-device-api-client"),
        (SessionKind::Api, Some(_)) if known => api_client(device_words(&family)),
        // A program no list knows is best recognised by the name it gave itself.
        (SessionKind::Api, Some(ua)) => api_client(ua.chars().take(60).collect()),
    }
}

/// How a sign-in was proven, in words: "password and authenticator app", "passkey". A key
/// without the password is a passkey; with it, a security key.
pub fn how_signed_in(methods: &[String]) -> String {
    let password = methods.iter().any(|m| m == "password");
    let words: Vec<String> = methods
        .iter()
        .map(|m| {
            tr(match m.as_str() {
                "password" => "security-how-password",
                "totp" => "security-how-totp",
                "push" => "security-how-push",
                "recovery_code" => "security-how-recovery-code",
                "webauthn" if password => "security-how-security-key",
                "webauthn" => "security-how-passkey",
                "remembered_browser" => "security-how-remembered-browser",
                "sms" => "security-how-sms",
                _ => "security-how-other",
            })
        })
        .collect();
    match words.as_slice() {
        [] => tr("security-how-not-recorded"),
        [one] => one.clone(),
        [rest @ .., last] => {
            // "a, b and c": the list joined by the language's comma, its last pair by "and".
            let first = rest[1..].iter().fold(rest[0].clone(), |list, next| {
                tr_with(
                    "security-how-list-more",
                    &[("rest", list.into()), ("next", next.into())],
                )
            });
            tr_with(
                "security-how-list",
                &[("first", first.into()), ("last", last.into())],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn how(methods: &[&str]) -> String {
        let methods: Vec<String> = methods.iter().map(|m| (*m).to_owned()).collect();
        how_signed_in(&methods)
    }

    #[test]
    fn each_way_in_reads_as_words() {
        assert_eq!(how(&["password"]), "password");
        assert_eq!(how(&["password", "totp"]), "password and authenticator app");
        assert_eq!(
            how(&["password", "remembered_browser"]),
            "password and remembered browser"
        );
        assert_eq!(how(&["webauthn"]), "passkey");
        assert_eq!(how(&["password", "webauthn"]), "password and security key");
        assert_eq!(
            how(&["password", "totp", "recovery_code"]),
            "password, authenticator app and recovery code"
        );
        assert_eq!(how(&[]), "a method that was not recorded");
    }

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/126.0.0.0 Safari/537.36";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                    Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(SessionKind::Web, Some(chrome)), "Chrome on Linux");
        assert_eq!(describe(SessionKind::Web, Some(edge)), "Edge on Windows");
        assert_eq!(describe(SessionKind::Web, Some(iphone)), "Safari on iOS");
        assert_eq!(describe(SessionKind::Web, None), "Unknown browser");
        assert_eq!(describe(SessionKind::Api, None), "API client");
        assert_eq!(describe(SessionKind::Api, Some("  ")), "API client");
        assert_eq!(
            describe(SessionKind::Api, Some("backup-script/2.1")),
            "API client: backup-script/2.1"
        );
    }

    #[test]
    fn api_clients_are_named_as_such() {
        assert_eq!(
            describe(SessionKind::Api, Some("curl/8.5.0")),
            "API client: curl"
        );
        assert_eq!(
            describe(
                SessionKind::Web,
                Some("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
            ),
            "Firefox on Linux"
        );
    }
}
