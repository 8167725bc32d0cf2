//! Details of passwords: changing one, resetting a forgotten one by link or SMS code, and an
//! invited person setting their first.

use serde::Serialize;

/// `password.changed`: every other session ended.
#[derive(Debug, Clone, Serialize)]
pub struct PasswordChanged {
    pub other_sessions_revoked: u64,
}

/// `password.change_failed`: the current password given was wrong.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PasswordChangeFailed {
    InvalidPassword,
}

/// `password.reset_requested`: a link (and an SMS code, with a verified number) was sent, or the
/// request was refused.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PasswordResetRequested {
    /// No account has that address (recorded anonymously; the answer does not tell).
    UnknownAccount,
    TooManyRequests,
    #[serde(untagged)]
    Sent {
        sms_code_sent: bool,
    },
}

/// How a forgotten password was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMethod {
    Link,
    SmsCode,
}

/// `password.reset`: every session ended.
#[derive(Debug, Clone, Serialize)]
pub struct PasswordReset {
    pub method: ResetMethod,
    pub sessions_revoked: u64,
}

/// `password.reset_failed`: the link or the code did not hold.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PasswordResetFailed {
    InvalidLink { method: ResetMethod },
    InvalidCode { method: ResetMethod },
}

/// `invitation.accepted`: the invited person set their first password.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationAccepted;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stored_text;

    #[test]
    fn password_details_are_stored_as_they_always_were() {
        let cases = [
            (
                stored_text(PasswordChanged {
                    other_sessions_revoked: 2,
                }),
                r#"{"other_sessions_revoked":2}"#,
            ),
            (
                stored_text(PasswordChangeFailed::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(PasswordResetRequested::UnknownAccount),
                r#"{"reason":"unknown_account"}"#,
            ),
            (
                stored_text(PasswordResetRequested::TooManyRequests),
                r#"{"reason":"too_many_requests"}"#,
            ),
            (
                stored_text(PasswordResetRequested::Sent {
                    sms_code_sent: true,
                }),
                r#"{"sms_code_sent":true}"#,
            ),
            (
                stored_text(PasswordReset {
                    method: ResetMethod::SmsCode,
                    sessions_revoked: 0,
                }),
                r#"{"method":"sms_code","sessions_revoked":0}"#,
            ),
            (
                stored_text(PasswordReset {
                    method: ResetMethod::Link,
                    sessions_revoked: 1,
                }),
                r#"{"method":"link","sessions_revoked":1}"#,
            ),
            (
                stored_text(PasswordResetFailed::InvalidLink {
                    method: ResetMethod::Link,
                }),
                r#"{"method":"link","reason":"invalid_link"}"#,
            ),
            (
                stored_text(PasswordResetFailed::InvalidCode {
                    method: ResetMethod::SmsCode,
                }),
                r#"{"method":"sms_code","reason":"invalid_code"}"#,
            ),
            (stored_text(InvitationAccepted), "null"),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}
