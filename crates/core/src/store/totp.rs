//! Storage of authenticator apps: the pending enrolment and the active factor of a user, sealed,
//! and the last accepted time step, advanced by one conditional write so a code works once.

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::UserId;
use crate::totp::TotpParams;

/// An authenticator secret as stored: sealed, with the parameters codes are made with.
#[derive(Debug, Clone)]
pub struct StoredTotp {
    pub sealed: Sealed,
    pub params: TotpParams,
    pub created_at: UnixTime,
    /// The last accepted time step (active factors only).
    pub last_step: Option<i64>,
}

/// What a gateway check needs to know, read in one statement: the user with an email key, their
/// active authenticator, and the account throttle's counter under the typed name.
#[derive(Debug, Clone, Default)]
pub struct GatewayLookup {
    pub user: Option<crate::model::User>,
    pub totp: Option<StoredTotp>,
    pub counter: crate::throttle::AccountCounter,
}

pub trait TotpFactors {
    /// [`GatewayLookup`] for `email_key` (the user, if any, and their active factor) and the
    /// account counter under `throttle_key`, in one read.
    fn gateway_lookup(
        &mut self,
        email_key: &str,
        throttle_key: &str,
    ) -> impl Future<Output = Result<GatewayLookup>> + Send;
    /// Stores a pending enrolment, replacing any earlier one.
    fn put_pending_totp(
        &mut self,
        user: &UserId,
        totp: &StoredTotp,
    ) -> impl Future<Output = Result<()>> + Send;
    fn pending_totp(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<StoredTotp>>> + Send;
    fn delete_pending_totp(&mut self, user: &UserId) -> impl Future<Output = Result<()>> + Send;
    /// Makes `totp` the active factor; fails with `Conflict` if one is already active.
    fn insert_active_totp(
        &mut self,
        user: &UserId,
        totp: &StoredTotp,
    ) -> impl Future<Output = Result<()>> + Send;
    fn active_totp(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<StoredTotp>>> + Send;
    /// Records `step` as accepted, in one conditional write that succeeds only if it is later
    /// than the last accepted step: false means the code was already used (or an older one).
    fn advance_totp_step(
        &mut self,
        user: &UserId,
        step: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Removes the active factor and any pending enrolment; false if there was no active factor.
    fn delete_totp(&mut self, user: &UserId) -> impl Future<Output = Result<bool>> + Send;
}
