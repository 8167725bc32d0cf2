//! Use cases, one per file. Each parses nothing (inputs arrive as domain types), checks the rules,
//! does its writes in one transaction together with the audit row, and returns a domain result.
//! Password hashing happens before a transaction opens, never inside one, so a slow hash never
//! holds a database lock.
//!
//! Layout:
//! - `login`: the steps every login shares (the password step, guess counting, the ticket
//!   between the steps, the session a login opens). Use cases import shared steps from here,
//!   never from one another.
//! - One file per second factor: `totp` (the authenticator app: setup and its login step),
//!   `recovery` (recovery codes: login step, regeneration, recovery from a lost phone),
//!   `push` (a folder: the login screen's challenge, pairing, the device's signed requests),
//!   `webauthn` (a folder: passkeys and security keys — registration, the second step, the
//!   sign-in without a password, the forced setup).
//! - `remembered_browsers`: "Don't ask for a code on this browser": registering a browser's key
//!   after a second step, and its signature standing in for that step at the next sign-in.
//! - One file per other use case: sign-up, invitations, the forced setup, password change and
//!   reset, sessions, devices (remembered browsers, ending sessions in bulk, an administrator's
//!   view of a user's sessions), phone, app passwords, `/validate`, `/app-auth`, support,
//!   administration.
//! - Shared pieces that are no use case: `held` (what a page shows once after a redirect) and
//!   `notify` (security notices queued in the caller's transaction).
//!
//! Types another use case needs (`Authenticated`, `AdminSession`, ...) live with the use case
//! that makes them, so only it can; the others name them through this module's re-exports.

mod access_rules;
mod account;
mod admin;
mod app_auth;
mod app_passwords;
mod audit_log;
mod contract_policy;
mod devices;
mod emergency_kit;
mod forced_enrolment;
mod groups;
mod held;
mod invitation;
mod invitation_renewal;
pub mod key_rotation;
mod locale;
mod lock;
mod login;
mod notify;
pub mod oidc;
mod oidc_flow;
mod organisation;
mod password_change;
mod password_reset;
mod phone;
mod push;
pub mod radius;
mod recovery;
mod remembered_browsers;
mod resources;
mod service_tokens;
mod sessions;
mod sign_in_notices;
mod signup;
mod support;
mod support_pin;
pub mod sweep;
mod totp;
mod two_factor;
mod validate;
mod webauthn;

use std::sync::Arc;

pub use access_rules::{AccessCheck, Identity, NamedAccessRule, NewAccessRule};
pub use admin::{AdminSession, ManagedUser};
pub use contract_policy::ContractPolicyChange;
pub use emergency_kit::KitMaterial;
pub use held::{
    CodesOccasion, HOLD_SECS, HeldAppPassword, HeldCodes, HeldInvitation, HeldKind, HeldPairing,
    Reveal, Shown,
};
pub use invitation_renewal::InvitationDelivery;
pub use login::{LoginResult, TicketLife, guess_retry_after, retry_after_with};
pub use oidc_flow::{
    AuthorizeOutcome, ClientCredentials, ConnectedApp, ConsentPrompt, FlowClient, Introspection,
    LogoutOutcome, TokenResponse, UserInfo,
};
pub use phone::PhoneStatus;
pub use push::{
    DeviceChallenge, DeviceRequest, PushAnswer, PushPaired, PushPairing, PushSent, PushStatus,
    VerifiedDevice,
};
pub use remembered_browsers::{BrowserChallenge, RememberOffer};
pub use service_tokens::AuthenticatedService;
pub use sessions::Authenticated;
pub use support::SUPPORT_CONTRACT;
pub use totp::TotpEnrolment;
pub use two_factor::TwoFactorSummary;
pub use webauthn::{CeremonyStart, WebauthnRegistered};

use crate::clock::{Clock, UnixTime};
use crate::crypto::Keyring;
use crate::model::SessionPolicy;
use crate::password::PasswordHasher;
use crate::store::Store;
use crate::throttle::ThrottlePolicy;

#[derive(Debug, Clone)]
pub struct Settings {
    pub open_registration: bool,
    pub sessions: SessionPolicy,
    pub throttle: ThrottlePolicy,
    /// How long a one-time setup link printed at start stays valid.
    pub setup_link_secs: i64,
    /// The issuer shown in authenticator apps.
    pub totp_issuer: String,
    /// How long a second step's login ticket lives, and how many wrong codes kill any ticket.
    pub ticket_secs: i64,
    pub ticket_max_failures: i64,
    /// How long the forced setup's ticket lives without a request from the person: installing
    /// an authenticator app takes longer than typing a code. Each wizard request moves the end
    /// this far ahead again, never beyond `enrolment_max_secs` after the password step.
    pub enrolment_idle_secs: i64,
    pub enrolment_max_secs: i64,
    /// How long the emergency kit can be downloaded after activation or regeneration.
    pub kit_secs: i64,
    /// Where people reach the server; links in messages start with it.
    pub public_url: String,
    /// The OpenID Connect issuer: the public URL exactly as configured (no slash added or
    /// removed), as `iss` in ID tokens and authorization responses.
    pub oidc_issuer: String,
    /// How long an invitation's set-password link stays valid.
    pub invitation_secs: i64,
    /// How long a forgot-password link (and SMS code) stays valid.
    pub reset_secs: i64,
    /// How long the "this wasn't me" link in a security notice works.
    pub lock_link_secs: i64,
    /// The language of pages and messages for a person who chose none (and whose browser
    /// names none of ours).
    pub default_language: crate::locale::Language,
    /// How long an SMS code that verifies a phone stays valid, and how many wrong tries kill it.
    pub phone_code_secs: i64,
    pub phone_code_attempts: i64,
    /// 2FA can be activated only with a verified mobile number (the assistant asks for it first).
    pub require_phone_for_2fa: bool,
    /// How long a push challenge waits for an answer in the companion app.
    pub push_challenge_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            open_registration: false,
            sessions: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            setup_link_secs: 24 * 3600,
            totp_issuer: "Portcullis".to_owned(),
            ticket_secs: 5 * 60,
            ticket_max_failures: 5,
            enrolment_idle_secs: 30 * 60,
            enrolment_max_secs: 2 * 3600,
            kit_secs: 15 * 60,
            public_url: "http://127.0.0.1:8080".to_owned(),
            oidc_issuer: "http://127.0.0.1:8080".to_owned(),
            invitation_secs: 7 * 24 * 3600,
            reset_secs: 30 * 60,
            lock_link_secs: 30 * 24 * 3600,
            default_language: crate::locale::Language::En,
            phone_code_secs: 10 * 60,
            phone_code_attempts: 5,
            require_phone_for_2fa: false,
            push_challenge_secs: 120,
        }
    }
}

/// Keys derived from the master key: one seals secrets that must be read back, one makes the
/// keyed digests of recovery codes.
pub struct ServiceKeys {
    pub sealing: Keyring,
    pub recovery: [u8; 32],
}

impl std::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceKeys(<redacted>)")
    }
}

/// The sealing keys' own type decides how they are wiped; the recovery key is a plain array.
impl Drop for ServiceKeys {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.recovery);
    }
}

/// Everything a use case needs; cheap to clone and shared by every request.
#[derive(Clone)]
pub struct Services<S: Store> {
    pub store: S,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub keys: Arc<ServiceKeys>,
    pub settings: Settings,
    /// The OIDC signing keys this node read last (a few seconds' cache).
    pub(crate) oidc_keys: Arc<oidc::KeyCache>,
}

impl<S: Store> Services<S> {
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        hasher: PasswordHasher,
        keys: ServiceKeys,
        settings: Settings,
    ) -> Self {
        Services {
            store,
            clock,
            hasher,
            keys: Arc::new(keys),
            settings,
            oidc_keys: Arc::default(),
        }
    }

    pub(crate) fn now(&self) -> UnixTime {
        self.clock.now()
    }
}
