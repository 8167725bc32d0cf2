//! Storage of what a page shows once (`service::held`): one sealed row per session and purpose,
//! taken by a conditional update so that two requests cannot both get it.

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::SessionId;

/// What [`Held::take_held`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The sealed material, now wiped from the row: this request is the only one that has it.
    Sealed(Sealed),
    /// It was taken before (and is wiped); the row remembers that until it expires.
    AlreadyShown,
    /// Nothing is held for this session and purpose, or it expired.
    Nothing,
}

pub trait Held {
    /// Holds `sealed` for `session` and `purpose` until `expires_at`, replacing whatever was held
    /// for them before, taken or not.
    fn put_held(
        &mut self,
        session: &SessionId,
        purpose: &str,
        sealed: &Sealed,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes what is held, in one conditional update that wipes the sealed bytes: of two
    /// concurrent calls at most one gets [`Taken::Sealed`].
    fn take_held(
        &mut self,
        session: &SessionId,
        purpose: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<Taken>> + Send;
}

/// The row key of a held item (`<session>:<purpose>`): also what its ciphertext is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldId(pub String);

impl HeldId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The row key of what is held for `session` and `purpose`.
pub fn held_id(session: &SessionId, purpose: &str) -> HeldId {
    HeldId(format!("{session}:{purpose}"))
}
