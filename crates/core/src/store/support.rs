//! Storage of support PINs (one per user, hashed) and of the deployment's support agents.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::UserId;

/// A support PIN as stored: its Argon2id hash and when it was last set.
#[derive(Clone)]
pub struct StoredPin {
    pub phc: String,
    pub changed_at: UnixTime,
}

impl std::fmt::Debug for StoredPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPin")
            .field("changed_at", &self.changed_at)
            .finish_non_exhaustive()
    }
}

pub trait SupportPins {
    /// Sets or replaces the user's PIN.
    fn put_support_pin(
        &mut self,
        user: &UserId,
        phc: &str,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn support_pin(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<StoredPin>>> + Send;
}

/// Who may check customers' PINs: accounts of the reserved support contract with this mark.
pub trait SupportAgents {
    /// Marks the user as a support agent; marking one twice is harmless.
    fn insert_support_agent(
        &mut self,
        user: &UserId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn is_support_agent(&mut self, user: &UserId) -> impl Future<Output = Result<bool>> + Send;
    /// Every agent, oldest first.
    fn support_agents(&mut self) -> impl Future<Output = Result<Vec<UserId>>> + Send;
}
