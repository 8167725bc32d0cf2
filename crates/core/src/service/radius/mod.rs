//! RADIUS: what a network access server (VPN, Wi-Fi, `pam_radius`) is told about a person's
//! Access-Request, by the same rules as every other sign-in. The packets (RFC 2865, the
//! Message-Authenticator of RFC 3579, duplicate detection) are the server's; here a request is a
//! user name, what the person typed, and perhaps the State of an earlier Access-Challenge.
//!
//! - [`access`]: one request of each mode, the password first (`challenge`, `push`), and what
//!   every mode shares (refusals, audit rows, the throttle).
//! - [`codes`]: the requests that carry a code: the second request of a challenge,
//!   `password+code` and `code-only`.
//! - [`push`]: the push a `push` client waits for, its outcome, and giving up on it.
//! - [`clients`]: the clients of a contract, registered, listed and removed by its
//!   administrators or the operator; the listener's table of every client with its secret.
//!
//! A user of another contract than the client's, an unknown user and a wrong password look
//! alike: the same refusal, the same hash, the same writes. Every decision is one audit row
//! (`radius.accept`, `radius.reject`, `radius.challenge`) in the client's contract's log.

mod access;
mod clients;
mod codes;
mod push;

use crate::locale::Locale;
use crate::secret::Token;

pub use clients::{HeldRadiusSecret, NewRadiusClient, RadiusClientKeys};

use super::PushSent;

/// One Access-Request as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct RadiusRequest<'a> {
    /// `User-Name`: the account's email.
    pub username: &'a str,
    /// `User-Password`, unhidden: a password, a password with its code, or a code.
    pub password: &'a crate::password::Password,
    /// `State`, when the request answers an Access-Challenge.
    pub state: Option<&'a [u8]>,
    /// The person's side: `ip` is the `Calling-Station-Id` when it is an address (guesses count
    /// against it as against a browser's), never the client's own address.
    pub meta: &'a crate::model::RequestMeta,
}

/// Why a request was refused; the server words each for the person (`Reply-Message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadiusRefusal {
    /// Unknown user, a user of another contract, or a wrong password (or, in `password+code`,
    /// a wrong code: one answer for the whole input).
    WrongCredentials,
    /// The password was right (an earlier request), the code is not.
    WrongCode,
    /// The State is unknown, used, expired or another client's: start again.
    StateInvalid,
    Throttled {
        retry_after_secs: i64,
    },
    AccountLocked,
    /// Two-factor authentication is required and the account has no factor yet.
    EnrolmentRequired,
    /// The account has factors, but none this client can ask for (a passkey alone, or push at
    /// a client that asks for codes).
    NoUsableFactor,
    /// The contract accepts only passkeys and security keys, which RADIUS cannot carry.
    PhishingResistantRequired,
    PushDenied,
    /// A newer sign-in of the account replaced the request.
    PushSuperseded,
    PushTimedOut,
    PushPaused {
        retry_after_secs: i64,
    },
}

impl RadiusRefusal {
    /// The audit reason.
    pub fn reason(self) -> &'static str {
        match self {
            RadiusRefusal::WrongCredentials => "invalid_credentials",
            RadiusRefusal::WrongCode => "invalid_code",
            RadiusRefusal::StateInvalid => "invalid_state",
            RadiusRefusal::Throttled { .. } => "throttled",
            RadiusRefusal::AccountLocked => "account_locked",
            RadiusRefusal::EnrolmentRequired => "enrolment_required",
            RadiusRefusal::NoUsableFactor => "no_usable_factor",
            RadiusRefusal::PhishingResistantRequired => "phishing_resistant_required",
            RadiusRefusal::PushDenied => "push_denied",
            RadiusRefusal::PushSuperseded => "push_superseded",
            RadiusRefusal::PushTimedOut => "push_timeout",
            RadiusRefusal::PushPaused { .. } => "push_paused",
        }
    }
}

/// What an Access-Challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadiusPrompt {
    /// A code from the authenticator app (a recovery code is taken too).
    AuthenticatorCode,
    /// The account has no authenticator app but recovery codes.
    RecoveryCode,
}

impl RadiusPrompt {
    pub fn as_str(self) -> &'static str {
        match self {
            RadiusPrompt::AuthenticatorCode => "totp",
            RadiusPrompt::RecoveryCode => "recovery_code",
        }
    }
}

/// A push sent for a `push` client: the server wakes the devices and waits up to
/// `timeout_secs`, asking [`crate::service::Services::radius_push_outcome`] each time it is woken.
#[derive(Debug)]
pub struct RadiusPushStarted {
    pub sent: PushSent,
    pub timeout_secs: u32,
}

/// The decision.
#[derive(Debug)]
pub enum RadiusOutcome {
    Accept,
    Reject(RadiusRefusal),
    /// Ask for a code; the State to send (only its digest is stored).
    Challenge {
        state: Token,
        prompt: RadiusPrompt,
    },
    Push(RadiusPushStarted),
}

/// The decision and the language to tell the person in: the account's, once its password was
/// right (`None`: the deployment's default, so a refusal tells nothing about the account).
#[derive(Debug)]
pub struct RadiusAnswer {
    pub outcome: RadiusOutcome,
    pub locale: Option<Locale>,
}

impl RadiusAnswer {
    fn anonymous(outcome: RadiusOutcome) -> RadiusAnswer {
        RadiusAnswer {
            outcome,
            locale: None,
        }
    }
}
