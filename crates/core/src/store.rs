//! Storage as the rules need it: small traits, one per kind of record, all implemented by one
//! transaction type. A use case opens a transaction, calls these, and commits; dropping the
//! transaction without committing rolls everything back (principle 1: nothing half-done).
//!
//! Implementations must turn backend specifics into core errors (a unique violation on the email
//! becomes [`Error::EmailTaken`]) and must make the counters atomic (increment in the database, not
//! read-modify-write in memory), because several nodes may share one database.
//!
//! [`Error::EmailTaken`]: crate::Error::EmailTaken

use std::future::Future;

use crate::audit::{AuditEvent, StoredAuditEvent};
use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::{
    Contract, ContractId, Group, GroupId, LinkPurpose, LoginTicket, Resource, ResourceId, Role,
    Session, SessionId, TicketId, User, UserId,
};
use crate::secret::TokenDigest;
use crate::throttle::{AccountCounter, AddressWindow};
use crate::totp::TotpParams;

mod phones;
mod rate_events;
pub use phones::{PendingCode, Phones, VerifiedPhone};
pub use rate_events::{RateEvents, RateLimit, RateWindow};

mod app_passwords;
mod held;
mod push;
mod sealed;
mod service_tokens;
mod support;

pub use app_passwords::AppPasswords;
pub use held::{Held, Taken, held_id};
pub use push::{PushChallenge, PushDevice, PushStore, StoredDevice};
pub use sealed::{SealedRow, SealedSecrets, SealedTable};
pub use service_tokens::{ServiceTokenInfo, ServiceTokens};
pub use support::{StoredPin, SupportAgents, SupportPins};

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
    + OutboxDelivery
    + Phones
    + RateEvents
    + SupportPins
    + SupportAgents
    + AppPasswords
    + ServiceTokens
    + PushStore
    + SealedSecrets
    + Send
{
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

pub trait Contracts {
    fn insert_contract(
        &mut self,
        id: &ContractId,
        name: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn contract(
        &mut self,
        id: &ContractId,
    ) -> impl Future<Output = Result<Option<Contract>>> + Send;
    fn set_require_2fa(
        &mut self,
        id: &ContractId,
        on: bool,
    ) -> impl Future<Output = Result<()>> + Send;
}

pub trait Users {
    /// Fails with `EmailTaken` when the email key is in use.
    fn insert_user(&mut self, user: &User) -> impl Future<Output = Result<()>> + Send;
    fn user_by_email_key(&mut self, key: &str)
    -> impl Future<Output = Result<Option<User>>> + Send;
    fn user_by_id(&mut self, id: &UserId) -> impl Future<Output = Result<Option<User>>> + Send;
    fn count_users(&mut self) -> impl Future<Output = Result<i64>> + Send;
    fn set_password_hash(
        &mut self,
        id: &UserId,
        phc: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_last_login(
        &mut self,
        id: &UserId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every user of every contract, by contract then age (the operator's shell only).
    fn all_users(&mut self) -> impl Future<Output = Result<Vec<User>>> + Send;
    /// Every user of a contract, oldest first.
    fn users_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<User>>> + Send;
    fn set_force_2fa(&mut self, id: &UserId, on: bool) -> impl Future<Output = Result<()>> + Send;
    fn set_role(&mut self, id: &UserId, role: Role) -> impl Future<Output = Result<()>> + Send;
    /// Locks (`Some`) or unlocks (`None`) the account; returns false for an unknown user.
    fn set_locked(
        &mut self,
        id: &UserId,
        at: Option<UnixTime>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes the user and everything that hangs on them (sessions, factors, memberships).
    fn delete_user(&mut self, id: &UserId) -> impl Future<Output = Result<bool>> + Send;
}

/// Sessions are found by the digest of their token; the token itself is never stored.
pub trait Sessions {
    fn insert_session(
        &mut self,
        session: &Session,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The unrevoked session with this digest, alive or not: the caller applies the policy.
    fn session_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<Session>>> + Send;
    fn touch_session(
        &mut self,
        id: &SessionId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Unrevoked sessions of a user that have not reached their absolute end, newest first.
    fn sessions_of_user(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<Session>>> + Send;
    /// Revokes one session of this user; false if there was none to revoke.
    fn revoke_session(
        &mut self,
        user: &UserId,
        id: &SessionId,
        at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes every session of the user except `keep`; returns how many were revoked.
    fn revoke_other_sessions(
        &mut self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: UnixTime,
    ) -> impl Future<Output = Result<u64>> + Send;
}

pub trait AuditLog {
    fn append_audit(&mut self, event: &AuditEvent) -> impl Future<Output = Result<()>> + Send;
    /// Events where the user is actor or subject, newest first, older than `before` if given.
    fn audit_of_user(
        &mut self,
        user: &UserId,
        before: Option<i64>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<StoredAuditEvent>>> + Send;
}

/// Failure counters shared by every node (see [`crate::throttle`]).
pub trait Throttle {
    fn account_counter(&mut self, key: &str)
    -> impl Future<Output = Result<AccountCounter>> + Send;
    /// Adds one failure atomically and returns the counter after it.
    fn count_account_failure(
        &mut self,
        key: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<AccountCounter>> + Send;
    /// Starts a lockout: sets `locked_until`, adds one to `lockouts`, clears `failures`.
    fn lock_account(
        &mut self,
        key: &str,
        until: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn clear_account(&mut self, key: &str) -> impl Future<Output = Result<()>> + Send;
    /// Records a failure of this address and forgets its failures older than `forget_before`.
    fn count_address_failure(
        &mut self,
        ip: &str,
        now: UnixTime,
        forget_before: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Failures of this address strictly after `since`.
    fn address_window(
        &mut self,
        ip: &str,
        since: UnixTime,
    ) -> impl Future<Output = Result<AddressWindow>> + Send;
}

/// One-time links that let the first owner register when registration is closed.
pub trait SetupTokens {
    /// Stores a new link and voids every unused older one: only the link printed last works.
    fn insert_setup_token(
        &mut self,
        digest: &TokenDigest,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Is this token unused and unexpired? Does not consume it.
    fn setup_token_valid(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Consumes the token in one conditional write; false if it was used, expired or unknown.
    fn consume_setup_token(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
}

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

/// Recovery codes by their keyed digest.
pub trait RecoveryCodes {
    /// Voids every code of the user and stores the new set.
    fn replace_recovery_codes(
        &mut self,
        user: &UserId,
        digests: &[String],
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Burns one unused code in one conditional write; false if unknown or already used.
    fn consume_recovery_code(
        &mut self,
        user: &UserId,
        digest: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn recovery_codes_left(&mut self, user: &UserId) -> impl Future<Output = Result<i64>> + Send;
    fn delete_recovery_codes(&mut self, user: &UserId) -> impl Future<Output = Result<()>> + Send;
}

/// Login tickets, found by the digest of the ticket the client holds.
pub trait LoginTickets {
    fn insert_ticket(
        &mut self,
        ticket: &LoginTicket,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<()>> + Send;
    fn ticket_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<LoginTicket>>> + Send;
    /// Adds a failure and returns the count after it.
    fn count_ticket_failure(&mut self, id: &TicketId) -> impl Future<Output = Result<i64>> + Send;
    /// Uses the ticket up in one conditional write; false if it was already used.
    fn consume_ticket(
        &mut self,
        id: &TicketId,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Moves a live ticket's end to `until` in one conditional write: only while it is unused,
    /// not yet expired at `now`, and only forward. False if the ticket was not live.
    fn extend_ticket(
        &mut self,
        id: &TicketId,
        until: UnixTime,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Uses up every unused ticket of the user: logins begun with an old password end here.
    fn void_tickets_of_user(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}

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

/// Groups of users within a contract.
pub trait Groups {
    /// Fails with `Conflict` when the contract already has a group of that name.
    fn insert_group(
        &mut self,
        group: &Group,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn groups_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<Group>>> + Send;
    fn group(&mut self, id: &GroupId) -> impl Future<Output = Result<Option<Group>>> + Send;
    /// Adds a member; adding one twice is harmless.
    fn add_member(
        &mut self,
        group: &GroupId,
        user: &UserId,
    ) -> impl Future<Output = Result<()>> + Send;
    fn remove_member(
        &mut self,
        group: &GroupId,
        user: &UserId,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The groups a user belongs to.
    fn groups_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<GroupId>>> + Send;
}

/// Resources (data centres, snapshots) and the groups they are granted to.
pub trait Resources {
    fn insert_resource(&mut self, resource: &Resource) -> impl Future<Output = Result<()>> + Send;
    fn resources_of_contract(
        &mut self,
        contract: &ContractId,
    ) -> impl Future<Output = Result<Vec<Resource>>> + Send;
    fn resource(
        &mut self,
        id: &ResourceId,
    ) -> impl Future<Output = Result<Option<Resource>>> + Send;
    fn update_resource(
        &mut self,
        id: &ResourceId,
        name: &str,
        requires_2fa: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    fn delete_resource(&mut self, id: &ResourceId) -> impl Future<Output = Result<bool>> + Send;
    /// Grants the resource to a group; granting twice is harmless.
    fn grant(
        &mut self,
        resource: &ResourceId,
        group: &GroupId,
    ) -> impl Future<Output = Result<()>> + Send;
    fn revoke_grant(
        &mut self,
        resource: &ResourceId,
        group: &GroupId,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// A message to deliver, written in the same transaction as the change that causes it. What it
/// says is a sealed [`crate::notice::Notice`], rendered into text only at delivery, so links and
/// codes in a queued message are not readable from a stolen database.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: crate::notice::Channel,
    pub recipient: String,
    /// The notice's kind, for operators and metrics (`password_reset`, `phone_code`, …).
    pub kind: &'static str,
    pub sealed: Sealed,
    pub created_at: UnixTime,
}

/// The durable outbox, and the single-use links mailed to people (invitations, password resets,
/// "this wasn't me").
pub trait Outbox {
    fn enqueue(&mut self, message: &OutboxMessage) -> impl Future<Output = Result<()>> + Send;
    fn insert_password_link(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        purpose: LinkPurpose,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Is this link unused, unexpired and made for `purpose`? Does not consume it.
    fn password_link_valid(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Whose is this link, if it is unused, unexpired and made for `purpose`? Does not consume
    /// it (so the whole password policy, which needs the user, is checked before a hash).
    fn password_link_user(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<UserId>>> + Send;
    /// Uses the link up in one conditional write and returns whose it was; `None` if it was
    /// used, expired, unknown or made for another purpose.
    fn consume_password_link(
        &mut self,
        digest: &TokenDigest,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<UserId>>> + Send;
    /// Kills every unused link of this user for `purpose` (a new reset link voids older ones).
    fn void_password_links(
        &mut self,
        user: &UserId,
        purpose: LinkPurpose,
        now: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// What a claimed message carries: a sealed notice (rendered at delivery), or, for rows queued
/// before notices were sealed (migration 0004), the finished text as it was stored.
#[derive(Clone)]
pub enum QueuedPayload {
    Sealed(Sealed),
    Plain {
        subject: Option<String>,
        body: String,
    },
}

/// A message the delivery worker has claimed. `attempts` counts this attempt too: a claim is an
/// attempt, so a message whose sending crashes its node is still given up after enough tries.
#[derive(Clone)]
pub struct QueuedMessage {
    pub id: String,
    pub channel: crate::notice::Channel,
    pub recipient: String,
    /// The notice's kind; `None` for rows queued before migration 0004.
    pub kind: Option<String>,
    pub payload: QueuedPayload,
    pub attempts: i64,
    pub created_at: UnixTime,
}

/// Plain payloads can hold links: `Debug` shows where a message goes, never what it says.
impl std::fmt::Debug for QueuedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedMessage")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// The delivery side of the outbox, shared by every node. A node claims due messages with a
/// lease (`claimed_until`): of several nodes only one sends a row, and a row whose node died
/// mid-send becomes due again when the lease runs out. Every `mark_*` is conditional on the
/// node still holding the claim and returns false when it does not.
pub trait OutboxDelivery {
    /// Claims up to `limit` messages that are due at `now` and not leased, for `node` until
    /// `lease_until`, in one statement, and counts an attempt on each; oldest due first.
    fn claim_due(
        &mut self,
        node: &str,
        now: UnixTime,
        lease_until: UnixTime,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<QueuedMessage>>> + Send;
    /// Delivered: records when and wipes the payload, so sent links and codes do not stay in
    /// the database.
    fn mark_sent(
        &mut self,
        id: &str,
        node: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Not delivered this time: releases the claim and makes the message due again at
    /// `next_attempt_at`. `error` must name the failure without quoting the message.
    fn mark_retry(
        &mut self,
        id: &str,
        node: &str,
        next_attempt_at: UnixTime,
        error: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Given up: records the failure and wipes the payload; the message is never tried again.
    fn mark_failed(
        &mut self,
        id: &str,
        node: &str,
        now: UnixTime,
        error: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// How many messages wait for delivery (due or not) and how many were given up.
    fn outbox_backlog(&mut self) -> impl Future<Output = Result<OutboxBacklog>> + Send;
}

/// The state of the outbox for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxBacklog {
    pub waiting: i64,
    pub failed: i64,
}
