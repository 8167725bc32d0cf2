//! Storage of passkeys and security keys, and of the ceremonies between a challenge and its
//! answer. A credential id is unique across all accounts; a ceremony is taken once, by a
//! conditional update, within its five minutes; a key's sign count moves only forward, by a
//! compare-and-set on the count that was verified.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{TicketId, UserId, WebauthnCredential, WebauthnCredentialId};
use crate::secret::TokenDigest;

/// A key as stored: what lists show, and what a ceremony needs to verify an assertion.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub credential: WebauthnCredential,
    /// The authenticator's credential id, base64url.
    pub credential_id: String,
    /// The WebAuthn library's record (public key and policy), JSON.
    pub record: String,
    pub sign_count: u32,
}

/// Why a ceremony was started; a ceremony is taken only for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyPurpose {
    /// Adding a key on the security page.
    Registration,
    /// The second step after a password (keyed by the login ticket).
    SecondStep,
    /// A sign-in with a passkey and no password (no user yet).
    Passkey,
    /// Adding a key in the forced setup (keyed by the enrolment ticket and a token).
    Enrolment,
}

impl CeremonyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CeremonyPurpose::Registration => "registration",
            CeremonyPurpose::SecondStep => "second_step",
            CeremonyPurpose::Passkey => "passkey",
            CeremonyPurpose::Enrolment => "enrolment",
        }
    }
}

/// A ceremony to keep until its answer arrives.
#[derive(Debug, Clone)]
pub struct NewCeremony<'a> {
    pub digest: &'a TokenDigest,
    pub purpose: CeremonyPurpose,
    pub user: Option<&'a UserId>,
    pub ticket: Option<&'a TicketId>,
    /// The library's state (the challenge among it), JSON.
    pub state: &'a str,
    pub now: UnixTime,
    pub expires_at: UnixTime,
}

/// A ceremony taken for its answer: its state and whom it was for.
#[derive(Debug, Clone)]
pub struct TakenCeremony {
    pub user: Option<UserId>,
    pub ticket: Option<TicketId>,
    pub state: String,
}

pub trait WebauthnStore {
    /// Stores a new key; `Error::CredentialExists` when its credential id is already registered.
    fn insert_webauthn_credential(
        &mut self,
        stored: &StoredCredential,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A user's keys, oldest first.
    fn webauthn_credentials_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<StoredCredential>>> + Send;
    /// The key an authenticator names by `credential_id` (base64url), whoever owns it.
    fn webauthn_credential_by_credential_id(
        &mut self,
        credential_id: &str,
    ) -> impl Future<Output = Result<Option<StoredCredential>>> + Send;
    /// Renames one of `user`'s keys; false when `user` has no key with that id.
    fn rename_webauthn_credential(
        &mut self,
        user: &UserId,
        id: &WebauthnCredentialId,
        name: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Removes one of `user`'s keys and returns its name; `None` when there was none.
    fn delete_webauthn_credential(
        &mut self,
        user: &UserId,
        id: &WebauthnCredentialId,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Removes every key of `user` (admin reset, recovery); how many there were.
    fn delete_webauthn_credentials_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Records a verified use: the new sign count, backup state and time, only if the stored
    /// count is still `verified_count` (the one the assertion was checked against). False means
    /// another use got there first: the same assertion, or a clone, raced this one.
    fn record_webauthn_use(
        &mut self,
        id: &WebauthnCredentialId,
        verified_count: u32,
        new_count: u32,
        backup_state: bool,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Keeps a ceremony; a second-step ceremony replaces the ticket's earlier ones (only the
    /// latest options may be answered). Ceremonies expired an hour ago are swept.
    fn insert_webauthn_ceremony(
        &mut self,
        ceremony: &NewCeremony<'_>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes the ceremony `digest` for `purpose` once, if unused and unexpired.
    fn take_webauthn_ceremony(
        &mut self,
        digest: &TokenDigest,
        purpose: CeremonyPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<TakenCeremony>>> + Send;
    /// Takes the second-step ceremony of `ticket` once, if unused and unexpired.
    fn take_webauthn_ceremony_of_ticket(
        &mut self,
        ticket: &TicketId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<TakenCeremony>>> + Send;
}
