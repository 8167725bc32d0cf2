//! A live session as the "Devices and sessions" page and the admin's user page list it: which
//! browser or API client (from its user agent, versions ignored), from where, since when, last
//! used, and how its sign-in was proven, in words. Pure presentation.

use portcullis_core::model::{Session, SessionKind};
use portcullis_core::user_agent;

use super::view::when;

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
            address: s.ip.unwrap_or_else(|| "an unknown address".to_owned()),
            started: when(s.created_at),
            last_used: when(s.last_seen_at),
            how: how_signed_in(&s.assurance.methods),
            current,
            id: s.id.0,
        }
    }
}

/// The session's device in words, enough for a person to recognise their own: a browser's
/// family ("Firefox on Linux"), or the API client's name ("API client: curl"). Versions are
/// ignored; `portcullis_core::user_agent` is the one place that reads user agents.
pub fn describe(kind: SessionKind, ua: Option<&str>) -> String {
    let sent = ua.map(str::trim).filter(|ua| !ua.is_empty());
    let family = user_agent::family(sent);
    let known = family.is_browser || family.browser != "Unknown browser";
    match (kind, sent) {
        (SessionKind::Web, None) => "Unknown browser".to_owned(),
        (SessionKind::Web, Some(_)) => family.describe(),
        (SessionKind::Api, None) => "API client".to_owned(),
        (SessionKind::Api, Some(_)) if known => format!("API client: {}", family.describe()),
        // A program no list knows is best recognised by the name it gave itself.
        (SessionKind::Api, Some(ua)) => {
            format!("API client: {}", ua.chars().take(60).collect::<String>())
        }
    }
}

/// How a sign-in was proven, in words: "password and authenticator app", "passkey". A key
/// without the password is a passkey; with it, a security key.
pub fn how_signed_in(methods: &[String]) -> String {
    let password = methods.iter().any(|m| m == "password");
    let words: Vec<&str> = methods
        .iter()
        .map(|m| match m.as_str() {
            "password" => "password",
            "totp" => "authenticator app",
            "push" => "companion app",
            "recovery_code" => "recovery code",
            "webauthn" if password => "security key",
            "webauthn" => "passkey",
            "remembered_browser" => "remembered browser",
            "sms" => "text message code",
            _ => "another method",
        })
        .collect();
    match words.as_slice() {
        [] => "a method that was not recorded".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
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
