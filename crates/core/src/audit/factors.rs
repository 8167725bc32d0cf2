//! Details of the second factors a person manages themselves: the authenticator app, recovery
//! codes and the verified mobile number. (Companion-app push is [`super::push`].)

use serde::Serialize;

use crate::totp::Algorithm;

/// `totp.enrolled`: a pending authenticator, with the parameters its codes are made with.
#[derive(Debug, Clone, Serialize)]
pub struct TotpEnrolled {
    pub algorithm: Algorithm,
    pub digits: u32,
    pub period: i64,
}

/// Where an authenticator was activated other than the account page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wizard {
    /// The setup a forced user goes through at login.
    Forced,
}

/// `totp.activated`, or why it was not.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum TotpActivated {
    /// The wizard's confirming code was wrong.
    InvalidCode { ticket_failures: i64 },
    /// The password re-entered on the account page was wrong.
    InvalidPassword,
    /// From the account page, which ends every other session.
    #[serde(untagged)]
    Confirmed { other_sessions_revoked: u64 },
    #[serde(untagged)]
    InWizard { wizard: Wizard },
}

/// `totp.deactivated`, or the wrong password that kept it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum TotpDeactivated {
    InvalidPassword,
    #[serde(untagged)]
    Confirmed {
        other_sessions_revoked: u64,
    },
}

/// `recovery.used`: a code was burnt, with how many are left, or to remove 2FA altogether.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum RecoveryUsed {
    /// By a service checking the code (`/validate`).
    Validate { left: i64 },
    /// At the login's second step.
    #[serde(untagged)]
    Login { left: i64 },
    /// On the recovery page, which removes every factor and ends every session.
    #[serde(untagged)]
    RemovedTwoFactor { sessions_revoked: u64 },
}

/// `recovery.regenerated`, or the wrong password that refused it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RecoveryRegenerated {
    InvalidPassword,
    /// A new set; nothing more to say (`null`).
    #[serde(untagged)]
    Regenerated,
}

/// `two_factor.removed_by_recovery`.
#[derive(Debug, Clone, Serialize)]
pub struct TwoFactorRemovedByRecovery {
    pub sessions_revoked: u64,
}

/// `phone.code_sent`, or the wrong password that refused a new number.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PhoneCodeSent {
    InvalidPassword,
    #[serde(untagged)]
    Sent {
        /// The number with its middle hidden.
        number: String,
        resend: bool,
    },
}

/// `phone.verified`.
#[derive(Debug, Clone, Serialize)]
pub struct PhoneVerified {
    /// The number with its middle hidden.
    pub number: String,
    /// It took the place of an earlier verified number.
    pub replaced: bool,
}

/// `phone.verify_failed`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PhoneVerifyFailed {
    InvalidCode {
        attempts_left: i64,
    },
    /// No code waiting: never sent, used, expired or out of guesses.
    NoLiveCode,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stored_text;

    #[test]
    fn factor_details_are_stored_as_they_always_were() {
        let cases = [
            (
                stored_text(TotpEnrolled {
                    algorithm: Algorithm::Sha1,
                    digits: 6,
                    period: 30,
                }),
                r#"{"algorithm":"SHA1","digits":6,"period":30}"#,
            ),
            (
                stored_text(TotpActivated::InvalidCode { ticket_failures: 1 }),
                r#"{"reason":"invalid_code","ticket_failures":1}"#,
            ),
            (
                stored_text(TotpActivated::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(TotpActivated::Confirmed {
                    other_sessions_revoked: 4,
                }),
                r#"{"other_sessions_revoked":4}"#,
            ),
            (
                stored_text(TotpActivated::InWizard {
                    wizard: Wizard::Forced,
                }),
                r#"{"wizard":"forced"}"#,
            ),
            (
                stored_text(TotpDeactivated::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(TotpDeactivated::Confirmed {
                    other_sessions_revoked: 0,
                }),
                r#"{"other_sessions_revoked":0}"#,
            ),
            (
                stored_text(RecoveryUsed::Login { left: 9 }),
                r#"{"left":9}"#,
            ),
            (
                stored_text(RecoveryUsed::Validate { left: 8 }),
                r#"{"left":8,"via":"validate"}"#,
            ),
            (
                stored_text(RecoveryUsed::RemovedTwoFactor {
                    sessions_revoked: 2,
                }),
                r#"{"sessions_revoked":2}"#,
            ),
            (
                stored_text(RecoveryRegenerated::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (stored_text(RecoveryRegenerated::Regenerated), "null"),
            (
                stored_text(TwoFactorRemovedByRecovery {
                    sessions_revoked: 2,
                }),
                r#"{"sessions_revoked":2}"#,
            ),
            (
                stored_text(PhoneCodeSent::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(PhoneCodeSent::Sent {
                    number: "+49151•••••678".into(),
                    resend: false,
                }),
                r#"{"number":"+49151•••••678","resend":false}"#,
            ),
            (
                stored_text(PhoneVerified {
                    number: "+49151•••••678".into(),
                    replaced: true,
                }),
                r#"{"number":"+49151•••••678","replaced":true}"#,
            ),
            (
                stored_text(PhoneVerifyFailed::InvalidCode { attempts_left: 3 }),
                r#"{"attempts_left":3,"reason":"invalid_code"}"#,
            ),
            (
                stored_text(PhoneVerifyFailed::NoLiveCode),
                r#"{"reason":"no_live_code"}"#,
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}
