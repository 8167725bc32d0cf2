//! Storage as the rules need it: small traits, one per kind of record, all implemented by one
//! transaction type. A use case opens a transaction, calls these, and commits; dropping the
//! transaction without committing rolls everything back (principle 1: nothing half-done).
//!
//! Implementations must turn backend specifics into core errors (a unique violation on the email
//! becomes [`Error::EmailTaken`]) and must make the counters atomic (increment in the database, not
//! read-modify-write in memory), because several nodes may share one database.
//!
//! One file per area (users, sessions, tickets, each factor, the outbox, …); this module keeps
//! [`Store`] and [`Transaction`] and re-exports every trait and record, so `store::X` names one
//! thing wherever it lives. Ids are typed ([`crate::model`]): a device id cannot be passed where a
//! challenge id is meant.
//!
//! [`Error::EmailTaken`]: crate::Error::EmailTaken

use std::future::Future;

use crate::error::Result;

mod access_rules;
mod app_passwords;
mod audit;
mod contracts;
mod emergency_kits;
mod groups;
mod held;
mod oidc;
mod oidc_grants;
mod outbox;
mod password_links;
mod phones;
mod push;
mod radius;
mod rate_events;
mod recovery_codes;
mod remembered_browsers;
mod resources;
mod sealed;
mod service_tokens;
mod sessions;
mod setup_tokens;
mod sign_in_history;
mod support;
mod sweep;
mod throttle;
mod tickets;
mod totp;
mod users;
mod webauthn;

pub use access_rules::AccessRules;
pub use app_passwords::AppPasswords;
pub use audit::AuditLog;
pub use contracts::Contracts;
pub use emergency_kits::EmergencyKits;
pub use groups::Groups;
pub use held::{Held, HeldId, Taken, held_id};
pub use oidc::{OidcClient, OidcClients, OidcSigningKeys, StoredOidcClient, StoredSigningKey};
pub use oidc_grants::{
    CodeRecord, CodeUse, Consent, OidcGrants, PendingAuthorization, SignInFacts, TokenKind,
    TokenRecord,
};
pub use outbox::{
    NodeId, Outbox, OutboxBacklog, OutboxDelivery, OutboxMessage, OutboxMessageId, QueuedMessage,
    QueuedPayload,
};
pub use password_links::PasswordLinks;
pub use phones::{PendingCode, Phones, VerifiedPhone};
pub use push::{PushChallenge, PushDevice, PushStore, StoredDevice};
pub use radius::{RadiusStore, StoredRadiusClient};
pub use rate_events::{LONGEST_WINDOW_SECS, RateEvents, RateLimit, RateWindow};
pub use recovery_codes::RecoveryCodes;
pub use remembered_browsers::RememberedBrowsers;
pub use resources::Resources;
pub use sealed::{SealedRow, SealedSecrets, SealedTable};
pub use service_tokens::{ServiceTokenInfo, ServiceTokens};
pub use sessions::Sessions;
pub use setup_tokens::SetupTokens;
pub use sign_in_history::SignInHistory;
pub use support::{StoredPin, SupportAgents, SupportPins};
pub use sweep::{Leases, Sweep, Swept};
pub use throttle::Throttle;
pub use tickets::LoginTickets;
pub use totp::{GatewayLookup, StoredTotp, TotpFactors};
pub use users::Users;
pub use webauthn::{CeremonyPurpose, NewCeremony, StoredCredential, TakenCeremony, WebauthnStore};

pub trait Store: Clone + Send + Sync + 'static {
    type Tx: Transaction;
    /// A transaction that will write.
    fn begin(&self) -> impl Future<Output = Result<Self::Tx>> + Send;
    /// A handle that only reads: on SQLite it does not take the write lock, and each statement
    /// sees the latest committed state (no snapshot across statements).
    fn begin_read(&self) -> impl Future<Output = Result<Self::Tx>> + Send;
    /// Does the database answer?
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;
}

pub trait Transaction:
    Contracts
    + Users
    + Sessions
    + AuditLog
    + Throttle
    + SetupTokens
    + TotpFactors
    + RecoveryCodes
    + LoginTickets
    + EmergencyKits
    + Held
    + Groups
    + Resources
    + Outbox
    + PasswordLinks
    + OutboxDelivery
    + Phones
    + RateEvents
    + SupportPins
    + SupportAgents
    + AppPasswords
    + ServiceTokens
    + PushStore
    + RadiusStore
    + SealedSecrets
    + WebauthnStore
    + AccessRules
    + OidcGrants
    + OidcClients
    + OidcSigningKeys
    + RememberedBrowsers
    + SignInHistory
    + Sweep
    + Leases
    + Send
{
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}
