//! Storage of emergency kits: the sealed recovery codes and key of one session, kept only for a
//! short while after activation so the page can be printed.

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::SessionId;

/// The sealed emergency kit of one session, for a short while after activation.
pub trait EmergencyKits {
    fn put_kit(
        &mut self,
        session: &SessionId,
        sealed: &Sealed,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn kit(
        &mut self,
        session: &SessionId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<Sealed>>> + Send;
}
