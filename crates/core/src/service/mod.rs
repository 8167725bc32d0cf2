//! Use cases, one per file. Each parses nothing (inputs arrive as domain types), checks the rules,
//! does its writes in one transaction together with the audit row, and returns a domain result.
//! Password hashing happens before a transaction opens, never inside one, so a slow hash never
//! holds a database lock.

mod account;
mod audit_log;
mod password_change;
mod sessions;
mod sign_in;
mod signup;

use std::sync::Arc;

pub use sessions::Authenticated;
pub use sign_in::LoginResult;

use crate::clock::{Clock, UnixTime};
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            open_registration: false,
            sessions: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            setup_link_secs: 24 * 3600,
        }
    }
}

/// Everything a use case needs; cheap to clone and shared by every request.
#[derive(Clone)]
pub struct Services<S: Store> {
    pub store: S,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub settings: Settings,
}

impl<S: Store> Services<S> {
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        hasher: PasswordHasher,
        settings: Settings,
    ) -> Self {
        Services {
            store,
            clock,
            hasher,
            settings,
        }
    }

    pub(crate) fn now(&self) -> UnixTime {
        self.clock.now()
    }
}
