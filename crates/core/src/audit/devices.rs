//! Details of remembered browsers, of ending sessions in bulk, and of the contract's sign-in
//! settings (how long a browser may be remembered, whether new sign-ins are told).

use serde::Serialize;

use crate::model::{RememberedBrowserId, SessionId};

/// `browser.remembered`: after a completed second step, the browser registered a key so that
/// its next sign-ins skip that step until `expires_at` (Unix seconds).
#[derive(Debug, Clone, Serialize)]
pub struct BrowserRemembered {
    pub browser_id: RememberedBrowserId,
    pub expires_at: i64,
}

/// `browser.forgotten`: a remembered browser removed by the person or an administrator.
#[derive(Debug, Clone, Serialize)]
pub struct BrowserForgotten {
    pub browser_id: RememberedBrowserId,
}

/// `login.remembered_browser.success`: a remembered browser's signature stood in for the
/// second step.
#[derive(Debug, Clone, Serialize)]
pub struct RememberedBrowserUsed {
    pub browser_id: RememberedBrowserId,
}

/// `login.remembered_browser.failure`: a browser's signature was refused, and why
/// (`unknown_key`, `expired`, `not_allowed`, `bad_signature`, `stale_challenge`).
#[derive(Debug, Clone, Serialize)]
pub struct RememberedBrowserRefused {
    pub reason: &'static str,
}

/// `session.others_revoked`: every session but `kept` ended at once (by the person, "sign out
/// everywhere else"), or every session when an administrator ended them (`kept` is then null).
#[derive(Debug, Clone, Serialize)]
pub struct SessionsRevoked {
    pub count: u64,
    pub kept: Option<SessionId>,
}

/// `contract.sign_in_settings_changed`: the contract's settings after the change.
#[derive(Debug, Clone, Serialize)]
pub struct SignInSettingsChanged {
    pub remember_browser_days: u32,
    pub new_sign_in_notice: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stored_text;

    #[test]
    fn device_details_keep_their_stored_json() {
        let id = RememberedBrowserId("b1".into());
        assert_eq!(
            stored_text(BrowserRemembered {
                browser_id: id.clone(),
                expires_at: 100
            }),
            r#"{"browser_id":"b1","expires_at":100}"#
        );
        assert_eq!(
            stored_text(BrowserForgotten {
                browser_id: id.clone()
            }),
            r#"{"browser_id":"b1"}"#
        );
        assert_eq!(
            stored_text(RememberedBrowserUsed { browser_id: id }),
            r#"{"browser_id":"b1"}"#
        );
        assert_eq!(
            stored_text(RememberedBrowserRefused { reason: "expired" }),
            r#"{"reason":"expired"}"#
        );
        assert_eq!(
            stored_text(SessionsRevoked {
                count: 2,
                kept: Some(SessionId("s1".into()))
            }),
            r#"{"count":2,"kept":"s1"}"#
        );
        assert_eq!(
            stored_text(SignInSettingsChanged {
                remember_browser_days: 30,
                new_sign_in_notice: false
            }),
            r#"{"new_sign_in_notice":false,"remember_browser_days":30}"#
        );
    }
}
