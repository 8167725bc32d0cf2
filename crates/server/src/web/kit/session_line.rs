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

/// The session's device in words: a browser's family, or the API client's name.
pub fn describe(kind: SessionKind, ua: Option<&str>) -> String {
    let family = user_agent::family(ua);
    match kind {
        SessionKind::Web => family.describe(),
        SessionKind::Api => format!("API client: {}", family.describe()),
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
            _ => "another way",
        })
        .collect();
    match words.as_slice() {
        [] => "an unknown way".to_owned(),
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
        assert_eq!(how(&[]), "an unknown way");
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
