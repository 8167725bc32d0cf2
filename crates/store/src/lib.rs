//! The core's storage traits, implemented once for SQLite and PostgreSQL.
//!
//! Both backends go through sqlx's `Any` driver with portable SQL (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), so there is one code path. Where a statement must differ, one small function
//! holds both variants side by side ([`Backend::begin_write`], the migration lock). Values are the
//! types both backends share: text, 64-bit integers and nulls.
//!
//! Module map: [`pool`] connects (on SQLite: one writer connection and a pool of readers) and
//! migrates; [`tx`] is the transaction every trait is implemented on; one file per trait after
//! that.

mod access_rules;
mod app_passwords;
mod audit;
mod backup;
mod contracts;
mod emergency_kits;
mod groups;
mod held;
mod oidc_clients;
mod oidc_grants;
mod oidc_keys;
mod outbox;
mod password_links;
mod phones;
mod pool;
mod push;
mod push_listen;
mod radius;
mod rate_events;
mod recovery;
mod remembered_browsers;
mod resources;
mod sealed;
mod service_tokens;
mod sessions;
mod setup_tokens;
mod sign_in_history;
mod support;
mod sweep;
#[cfg(feature = "testing")]
pub mod testing;
mod throttle;
mod tickets;
mod totp;
mod tx;
mod users;
mod webauthn;

pub use backup::{DatabaseSummary, inspect_sqlite};
pub use pool::{Backend, ConnectOptions, SqlStore, StoreError, Synchronous};
pub use push::PUSH_CHANNEL;
pub use push_listen::{PushListener, PushSignal};
pub use tx::SqlTx;

use portcullis_core::Error;

/// Turns a database error into a core error. Unique violations become the conflict the caller
/// names; everything else is internal and keeps its cause for the log.
pub(crate) fn db_err(e: sqlx::Error) -> Error {
    Error::internal(e)
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
