//! Domain failures. They carry no HTTP meaning: the server maps each to a status and a stable
//! snake_case code in one exhaustive match. Backend details never travel in them; an `Internal`
//! error keeps its cause for the log only.

use crate::password::PolicyViolations;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong username or password, or an unknown user: deliberately indistinguishable.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The current password given to confirm a change is wrong.
    #[error("the current password is wrong")]
    InvalidPassword,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("{0}")]
    /// Every rule the new password breaks (never none).
    WeakPassword(PolicyViolations),
    #[error("{0}")]
    InvalidEmail(&'static str),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("registration is closed")]
    RegistrationClosed,
    #[error("the setup link is invalid or has been used")]
    InvalidSetupToken,
    #[error("not signed in, or the session has expired")]
    Unauthenticated,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Conflict(&'static str),
    /// A code given to confirm a change (activation) is wrong.
    #[error("the code is wrong or has expired")]
    InvalidCode,
    /// A code given at login is wrong, used, or expired.
    #[error("the code is wrong, already used or expired")]
    SecondFactorFailed,
    /// The login ticket is unknown, used up, expired, or killed by too many wrong codes.
    #[error("this login has expired or failed too often; sign in again with your password")]
    InvalidTicket,
    #[error("two-factor authentication is required for this account by its administrator")]
    TwoFactorEnforced,
    #[error("an authenticator app is already active; deactivate it first")]
    TotpAlreadyActive,
    #[error("start the authenticator setup first")]
    EnrollmentNotStarted,
    #[error("two-factor authentication is not enabled")]
    TwoFactorNotEnabled,
    #[error("the emergency kit is only available for 15 minutes after activation, in that session")]
    KitUnavailable,
    /// The caller's role does not allow this (or the target is out of their reach).
    #[error("{0}")]
    Forbidden(&'static str),
    /// "This wasn't me" locked the account; only an administrator or the operator unlocks it.
    #[error("this account is locked; ask your administrator to unlock it")]
    AccountLocked,
    #[error("enter the mobile number in international format, e.g. +4915112345678")]
    InvalidPhone,
    /// The deployment requires a verified mobile number before 2FA can be activated.
    #[error("verify a mobile number first")]
    PhoneNotVerified,
    #[error("{0}")]
    InvalidPin(&'static str),
    /// A reset or lock link that is unknown, used, expired or made for something else.
    #[error("this link is invalid, has expired or has already been used")]
    InvalidLink,
    /// A device request whose device, signature, timestamp or nonce is not right: one answer
    /// whatever failed.
    #[error("the device signature is invalid")]
    InvalidSignature,
    /// The push challenge was already answered, or has expired.
    #[error("this sign-in request was already answered or has expired")]
    ChallengeClosed,
    /// Too many denied or unanswered push requests: push is paused for the account for a while.
    #[error(
        "too many sign-in requests were denied or unanswered; retry in {retry_after_secs} s or use a code"
    )]
    PushPaused { retry_after_secs: i64 },
    /// Every password-hashing thread is busy and the queue in front of them is full: the request
    /// was refused at once instead of waiting. Nothing was checked or changed.
    #[error("the server is busy; retry in {retry_after_secs} s")]
    Overloaded { retry_after_secs: i64 },
    /// A passkey ceremony that is unknown, already used or older than five minutes.
    #[error("this security key request has expired or was already used; start again")]
    InvalidCeremony,
    /// A new key's answer failed verification (wrong challenge or origin, malformed data).
    #[error("the security key's answer could not be verified: {0}")]
    InvalidWebauthn(String),
    /// This authenticator is already registered.
    #[error("this security key or passkey is already registered")]
    CredentialExists,
    /// A sign-in with a passkey and no password failed: unknown key, bad signature, a key
    /// without user verification, or one whose counter went back. One answer whatever failed.
    #[error("this passkey could not sign you in; use your password instead")]
    PasskeyFailed,
    /// The contract accepts only a passkey or security key as the second step.
    #[error("your organisation requires a security key or passkey to sign in")]
    PhishingResistantRequired,
    /// An OpenID Connect client that is unknown, or whose secret is missing or wrong, or a
    /// public client that sent one: one answer whatever failed (OAuth's `invalid_client`).
    #[error("the client is unknown or its credentials are wrong")]
    InvalidClient,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal(Box::new(e))
    }
    pub fn internal_msg(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into().into())
    }
}
