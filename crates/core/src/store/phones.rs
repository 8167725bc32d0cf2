//! Verified mobile numbers and the SMS codes that are pending for them. A user has at most one
//! verified number, and at most one code per purpose: a new code replaces the old one.
//!
//! Every guess at a code first takes an attempt in one conditional write
//! ([`Phones::take_phone_code_attempt`]), before the code is compared, so that however many
//! requests race, no more than the allowed number of guesses is ever compared; and a code is used
//! up by another conditional write ([`Phones::consume_phone_code`]), so it works once.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::UserId;
use crate::phone::{CodePurpose, PhoneNumber};

#[derive(Debug, Clone)]
pub struct VerifiedPhone {
    pub number: PhoneNumber,
    pub verified_at: UnixTime,
}

/// A code as stored: only its keyed digest.
#[derive(Debug, Clone)]
pub struct PendingCode {
    /// The number the code was sent to.
    pub number: PhoneNumber,
    pub digest: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// Guesses taken so far, right or wrong.
    pub attempts: i64,
    pub used_at: Option<UnixTime>,
}

pub trait Phones {
    fn verified_phone(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<VerifiedPhone>>> + Send;
    /// Sets or replaces the user's verified number.
    fn set_verified_phone(
        &mut self,
        user: &UserId,
        number: &PhoneNumber,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores a new code for `purpose`, replacing any earlier one (its attempts start at zero).
    fn put_phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        number: &PhoneNumber,
        digest: &str,
        created_at: UnixTime,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The code for `purpose`, whatever its state.
    fn phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
    ) -> impl Future<Output = Result<Option<PendingCode>>> + Send;
    /// Takes one attempt at the code in one conditional write that succeeds only while the code
    /// is unused, unexpired and has fewer than `max_attempts` attempts; returns the code after
    /// the write, or `None` when there is no code left to guess.
    fn take_phone_code_attempt(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        max_attempts: i64,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<PendingCode>>> + Send;
    /// Uses the code with this digest up in one conditional write; false if it was used, expired
    /// or replaced meanwhile.
    fn consume_phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
        digest: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn delete_phone_code(
        &mut self,
        user: &UserId,
        purpose: CodePurpose,
    ) -> impl Future<Output = Result<()>> + Send;
}
