//! Details of signing in and out: account creation by an owner, the password step, the second
//! step, sessions, and locking an account. Nothing here decides anything; the login service
//! fills these in.

use serde::Serialize;

use crate::login::{Acr, Method};
use crate::model::{Role, SessionId, SessionKind, TicketPurpose};

/// `account.created`: an owner made their account (and its contract).
#[derive(Debug, Clone, Serialize)]
pub struct AccountCreated {
    pub role: Role,
    /// How: open registration, a setup link or the shell.
    pub channel: &'static str,
}

/// `login.success`: a session was opened.
#[derive(Debug, Clone, Serialize)]
pub struct LoginSuccess {
    /// What completed the login (`password`, `account_created`, a second factor, …).
    pub method: &'static str,
    pub session_id: SessionId,
    pub kind: SessionKind,
}

/// `login.failure`, by reason.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum LoginFailure {
    /// The right password, for an account "this wasn't me" locked.
    AccountLocked,
    /// An unknown name or a wrong password: the row does not say which.
    InvalidCredentials,
}

/// `login.step_up`: a signed-in person was asked for more than their session proved (a relying
/// application wants `acr`); a ticket for the missing step was made from the session.
#[derive(Debug, Clone, Serialize)]
pub struct LoginStepUp {
    pub session_id: SessionId,
    /// The level the session had and the one asked for.
    pub from: Acr,
    pub to: Acr,
    /// `second_factor` (a factor the person has) or `enrollment` (none reaches it: the setup).
    pub step: TicketPurpose,
}

/// `login.throttled`: the counters refused the attempt before any password was checked.
#[derive(Debug, Clone, Serialize)]
pub struct LoginThrottled;

/// `logout`: the session ended by its holder.
#[derive(Debug, Clone, Serialize)]
pub struct Logout {
    pub session_id: SessionId,
}

/// `session.revoked`: one of the person's other sessions ended from the session list.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRevoked {
    pub session_id: SessionId,
}

/// `login.second_factor.success`.
#[derive(Debug, Clone, Serialize)]
pub struct SecondFactorSuccess {
    pub method: Method,
}

/// `login.second_factor.failure`: a wrong code at the login's second step, or on the page that
/// removes 2FA with a recovery code (`path: recover`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "path", rename_all = "snake_case")]
pub enum SecondFactorFailure {
    Recover {
        method: Method,
    },
    #[serde(untagged)]
    Login {
        method: Method,
        ticket_failures: i64,
    },
}

/// `account.locked`: "this wasn't me" (or a fraud report from the app) locked the account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLocked {
    pub sessions_revoked: u64,
    /// What locked it: `security_notice` or `companion_app`.
    pub via: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stored_text;

    #[test]
    fn sign_in_details_are_stored_as_they_always_were() {
        let session_id = SessionId("s1".into());
        let cases = [
            (
                stored_text(AccountCreated {
                    role: Role::Owner,
                    channel: "setup_link",
                }),
                r#"{"channel":"setup_link","role":"owner"}"#,
            ),
            (
                stored_text(LoginSuccess {
                    method: "password",
                    session_id: session_id.clone(),
                    kind: SessionKind::Web,
                }),
                r#"{"kind":"web","method":"password","session_id":"s1"}"#,
            ),
            (
                stored_text(LoginStepUp {
                    session_id: session_id.clone(),
                    from: Acr::Pwd,
                    to: Acr::Mfa,
                    step: TicketPurpose::SecondFactor,
                }),
                r#"{"from":"pwd","session_id":"s1","step":"second_factor","to":"mfa"}"#,
            ),
            (
                stored_text(LoginFailure::AccountLocked),
                r#"{"reason":"account_locked"}"#,
            ),
            (
                stored_text(LoginFailure::InvalidCredentials),
                r#"{"reason":"invalid_credentials"}"#,
            ),
            (stored_text(LoginThrottled), "null"),
            (
                stored_text(Logout {
                    session_id: session_id.clone(),
                }),
                r#"{"session_id":"s1"}"#,
            ),
            (
                stored_text(SessionRevoked { session_id }),
                r#"{"session_id":"s1"}"#,
            ),
            (
                stored_text(SecondFactorSuccess {
                    method: Method::Push,
                }),
                r#"{"method":"push"}"#,
            ),
            (
                stored_text(SecondFactorFailure::Login {
                    method: Method::Totp,
                    ticket_failures: 2,
                }),
                r#"{"method":"totp","ticket_failures":2}"#,
            ),
            (
                stored_text(SecondFactorFailure::Recover {
                    method: Method::RecoveryCode,
                }),
                r#"{"method":"recovery_code","path":"recover"}"#,
            ),
            (
                stored_text(AccountLocked {
                    sessions_revoked: 3,
                    via: "security_notice",
                }),
                r#"{"sessions_revoked":3,"via":"security_notice"}"#,
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}
