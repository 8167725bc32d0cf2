//! Storage of the sweep: deleting rows that have stopped mattering, a bounded batch at a time,
//! and the lease that lets one node at a time do it. Which rows have stopped mattering, and
//! since when, is decided by `service::sweep`; the store only knows how each kind is found.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;

/// A kind of row the sweep removes. Each is one table and one condition on one time column;
/// the store deletes rows whose time is at or before the cutoff it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Swept {
    /// Sessions past their absolute end, or ended by sign-out or revocation (`revoked_at`).
    /// Their held secrets, emergency kit and step-up tickets go with them (foreign keys).
    EndedSessions,
    /// Sessions unused for longer than the idle limit (`last_seen_at`).
    IdleSessions,
    /// Login tickets (and, by foreign key, their push challenges and ceremonies).
    LoginTickets,
    /// Invitation, password-reset and "this wasn't me" links.
    PasswordLinks,
    EmergencyKits,
    WebauthnCeremonies,
    /// What a page shows once after a redirect.
    Held,
    PushPairings,
    PushChallenges,
    /// States of RADIUS Access-Challenges.
    RadiusStates,
    /// Nonces of signed device requests (the replay guard needs them only until they expire).
    DeviceNonces,
    PhoneCodes,
    /// The one-time link for the first owner.
    SetupTokens,
    /// Sliding-window events (`at`).
    RateEvents,
    /// Keys of rate windows with no event left; the cutoff is not used.
    RateKeys,
    /// Failed sign-ins per source address (`at`).
    AddressFailures,
    OidcPendingAuthorizations,
    OidcCodes,
    OidcTokens,
    RememberedBrowsers,
    /// Browser families and networks an account signed in from (`last_seen_at`).
    SignInHistory,
    /// Messages sent or given up (`sent_at`, `failed_at`); their payload was wiped at the time.
    Outbox,
}

impl Swept {
    /// Every kind, in the order a sweep goes: rate events before the keys they free.
    pub const ALL: [Swept; 22] = [
        Swept::EndedSessions,
        Swept::IdleSessions,
        Swept::LoginTickets,
        Swept::PasswordLinks,
        Swept::EmergencyKits,
        Swept::WebauthnCeremonies,
        Swept::Held,
        Swept::PushPairings,
        Swept::PushChallenges,
        Swept::RadiusStates,
        Swept::DeviceNonces,
        Swept::PhoneCodes,
        Swept::SetupTokens,
        Swept::RateEvents,
        Swept::RateKeys,
        Swept::AddressFailures,
        Swept::OidcPendingAuthorizations,
        Swept::OidcCodes,
        Swept::OidcTokens,
        Swept::RememberedBrowsers,
        Swept::SignInHistory,
        Swept::Outbox,
    ];

    /// The table the rows are in: the label of `portcullis_sweep_rows_total`.
    pub fn table(self) -> &'static str {
        match self {
            Swept::EndedSessions | Swept::IdleSessions => "sessions",
            Swept::LoginTickets => "login_tickets",
            Swept::PasswordLinks => "password_links",
            Swept::EmergencyKits => "emergency_kits",
            Swept::WebauthnCeremonies => "webauthn_ceremonies",
            Swept::Held => "held",
            Swept::PushPairings => "push_pairings",
            Swept::PushChallenges => "push_challenges",
            Swept::RadiusStates => "radius_states",
            Swept::DeviceNonces => "device_nonces",
            Swept::PhoneCodes => "phone_codes",
            Swept::SetupTokens => "setup_tokens",
            Swept::RateEvents => "rate_events",
            Swept::RateKeys => "rate_keys",
            Swept::AddressFailures => "address_failures",
            Swept::OidcPendingAuthorizations => "oidc_pending_authorizations",
            Swept::OidcCodes => "oidc_codes",
            Swept::OidcTokens => "oidc_tokens",
            Swept::RememberedBrowsers => "remembered_browsers",
            Swept::SignInHistory => "sign_in_history",
            Swept::Outbox => "outbox",
        }
    }
}

/// Deleting expired rows. Each call is one statement in the caller's transaction; the caller
/// commits after each batch so no lock is held for long.
pub trait Sweep {
    /// Deletes at most `limit` rows of `kind` whose time is at or before `before`; returns how
    /// many it deleted (fewer than `limit`: none is left).
    fn sweep_batch(
        &mut self,
        kind: Swept,
        before: UnixTime,
        limit: i64,
    ) -> impl Future<Output = Result<u64>> + Send;
}

/// Work that one node at a time does (the sweep), among nodes sharing a database: a row per
/// name, held by one node until it runs out.
pub trait Leases {
    /// Takes the lease `name` for `holder` until `until` when it is free (it ran out at or
    /// before `now`, or was never taken) or already `holder`'s (a renewal), in one conditional
    /// statement. True when `holder` holds it now.
    fn take_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: UnixTime,
        until: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Gives the lease up at once when `holder` has it, so another node need not wait for it to
    /// run out.
    fn release_lease(
        &mut self,
        name: &str,
        holder: &str,
    ) -> impl Future<Output = Result<()>> + Send;
}
