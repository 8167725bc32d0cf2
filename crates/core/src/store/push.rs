//! Storage of push approval: pairing codes, paired devices, the nonces of their signed requests,
//! and login challenges. Every single-use step is one conditional write here: a pairing code is
//! used, a nonce is taken, a challenge is decided, a session token is issued, each at most once,
//! on any number of nodes.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{PushChallengeId, PushDeviceId, TicketId, UserId};
use crate::push::ChallengeStatus;
use crate::secret::TokenDigest;

/// A paired companion app, as listed to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushDevice {
    pub id: PushDeviceId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: UnixTime,
    pub last_seen_at: Option<UnixTime>,
}

/// A device with what verifies its requests and wakes it.
#[derive(Debug, Clone)]
pub struct StoredDevice {
    pub device: PushDevice,
    pub public_key: Vec<u8>,
    pub webhook_url: Option<String>,
}

/// A login waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushChallenge {
    pub id: PushChallengeId,
    pub user_id: UserId,
    pub ticket_id: TicketId,
    pub number: i64,
    pub status: ChallengeStatus,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub last_sent_at: UnixTime,
    /// When it was decided, or (still pending) when its expiry was counted.
    pub decided_at: Option<UnixTime>,
    pub decided_by: Option<PushDeviceId>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub token_issued_at: Option<UnixTime>,
    /// The RADIUS client whose sign-in caused it: approved without a number (no screen shows
    /// one), and the app says where the sign-in comes from. `None` for a sign-in page's request.
    pub via: Option<String>,
}

pub trait PushStore {
    fn insert_push_pairing(
        &mut self,
        digest: &TokenDigest,
        user: &UserId,
        name: Option<&str>,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Uses the code up in one conditional write; returns whose it was and the name given when
    /// it was made. `None` if used, expired or unknown.
    fn consume_push_pairing(
        &mut self,
        digest: &TokenDigest,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<(UserId, Option<String>)>>> + Send;

    fn insert_push_device(
        &mut self,
        device: &PushDevice,
        public_key: &[u8],
        webhook_url: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The user's devices, oldest first.
    fn push_devices_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<StoredDevice>>> + Send;
    fn push_device(
        &mut self,
        id: &PushDeviceId,
    ) -> impl Future<Output = Result<Option<StoredDevice>>> + Send;
    /// Renames one of the user's devices; false if the user has no such device.
    fn rename_push_device(
        &mut self,
        user: &UserId,
        id: &PushDeviceId,
        name: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Removes every device of the user (2FA removed by a recovery code or an administrator).
    fn delete_push_devices_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Removes one of the user's devices and returns its name.
    fn delete_push_device(
        &mut self,
        user: &UserId,
        id: &PushDeviceId,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    fn touch_push_device(
        &mut self,
        id: &PushDeviceId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_push_webhook(
        &mut self,
        id: &PushDeviceId,
        url: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes a nonce for the device; false if it was taken before and has not expired (a replay).
    fn take_device_nonce(
        &mut self,
        device: &PushDeviceId,
        nonce: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;

    fn insert_push_challenge(
        &mut self,
        challenge: &PushChallenge,
    ) -> impl Future<Output = Result<()>> + Send;
    fn push_challenge(
        &mut self,
        id: &PushChallengeId,
    ) -> impl Future<Output = Result<Option<PushChallenge>>> + Send;
    /// The newest challenge made for this login ticket.
    fn push_challenge_of_ticket(
        &mut self,
        ticket: &TicketId,
    ) -> impl Future<Output = Result<Option<PushChallenge>>> + Send;
    /// Pending, unexpired challenges of the user, newest first (the one the person at the login
    /// screen caused last comes first).
    fn pending_push_challenges(
        &mut self,
        user: &UserId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<PushChallenge>>> + Send;
    /// Records a resend if the last send is at least `resend_secs` old and the challenge is
    /// still pending; false otherwise.
    fn mark_push_resent(
        &mut self,
        id: &PushChallengeId,
        now: UnixTime,
        resend_secs: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Decides a pending, unexpired challenge in one conditional write; false if it was decided
    /// or expired before.
    fn decide_push_challenge(
        &mut self,
        id: &PushChallengeId,
        status: ChallengeStatus,
        device: &PushDeviceId,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Ends the user's pending, unexpired challenges other than `keep` as superseded, in one
    /// conditional write (a challenge decided meanwhile stays decided); their ids.
    fn supersede_push_challenges(
        &mut self,
        user: &UserId,
        keep: &PushChallengeId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<PushChallengeId>>> + Send;
    /// Ends the pending, unexpired challenges of a login ticket as superseded (the login went on
    /// with another method); their ids.
    fn supersede_push_challenges_of_ticket(
        &mut self,
        ticket: &TicketId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<PushChallengeId>>> + Send;
    /// Marks the expiry of a pending challenge as counted; true only the first time.
    fn observe_push_expiry(
        &mut self,
        id: &PushChallengeId,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Issues the session of an approved challenge; true only the first time.
    fn take_push_token(
        &mut self,
        id: &PushChallengeId,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Tells every node, at commit, that something about `key` changed (a challenge id, or
    /// `user:<id>` for a user's devices). PostgreSQL: `pg_notify`; SQLite (one process): nothing.
    fn announce_push(&mut self, key: &str) -> impl Future<Output = Result<()>> + Send;
}
