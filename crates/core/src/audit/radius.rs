//! Details of RADIUS: each decision a RADIUS client got (naming the client, in the client's
//! contract's log), and the clients' registration.

use serde::Serialize;

use crate::model::RadiusClientId;

/// `radius.accept`: the client was told to let the person in.
#[derive(Debug, Clone, Serialize)]
pub struct RadiusAccept {
    /// The RADIUS client's name.
    pub client: String,
    /// `password+code`, `challenge`, `push` or `code-only`.
    pub mode: &'static str,
    /// What proved the person: `totp`, `recovery_code`, `push`, or `password` alone (an account
    /// without two-factor authentication, where nothing requires it).
    pub method: &'static str,
}

/// `radius.reject`.
#[derive(Debug, Clone, Serialize)]
pub struct RadiusReject {
    pub client: String,
    pub mode: &'static str,
    /// `invalid_credentials` (unknown user, another contract's, wrong password), `invalid_code`,
    /// `invalid_state`, `throttled`, `account_locked`, `enrolment_required`, `no_usable_factor`,
    /// `phishing_resistant_required`, `push_denied`, `push_timeout`, `push_paused`.
    pub reason: &'static str,
}

/// `radius.challenge`: the password was right; the client was told to ask for a code.
#[derive(Debug, Clone, Serialize)]
pub struct RadiusChallenge {
    pub client: String,
    pub mode: &'static str,
    /// What the person is asked for: `totp` or `recovery_code`.
    pub prompt: &'static str,
}

/// `radius_client.added` and `radius_client.removed`.
#[derive(Debug, Clone, Serialize)]
pub struct NamedRadiusClient {
    pub radius_client_id: RadiusClientId,
    pub name: String,
    pub network: String,
    pub mode: &'static str,
}
