//! Storage of the durable outbox: messages queued sealed in the transaction of the change that
//! causes them, and their delivery, claimed with a lease so one node sends each. What a message
//! says is [`crate::notice`]'s; rendering and sending are the server's.

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;

/// A message to deliver, written in the same transaction as the change that causes it. What it
/// says is a sealed [`crate::notice::Notice`], rendered into text only at delivery, so links and
/// codes in a queued message are not readable from a stolen database.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: OutboxMessageId,
    pub channel: crate::notice::Channel,
    pub recipient: String,
    /// The notice's kind, for operators and metrics (`password_reset`, `phone_code`, …).
    pub kind: &'static str,
    pub sealed: Sealed,
    pub created_at: UnixTime,
}

/// The durable outbox: what is queued here is delivered by [`OutboxDelivery`].
pub trait Outbox {
    fn enqueue(&mut self, message: &OutboxMessage) -> impl Future<Output = Result<()>> + Send;
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
    pub id: OutboxMessageId,
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
            .field("id", &self.id.as_str())
            .field("channel", &self.channel)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A queued message: a random UUID kept as text, also the associated data its sealed notice is
/// bound to, so a notice cannot be moved onto another row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutboxMessageId(pub String);

impl OutboxMessageId {
    pub fn generate() -> Self {
        OutboxMessageId(uuid::Uuid::new_v4().to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The delivery node that claims messages: its name, unique among the nodes sharing a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeId(pub String);

impl NodeId {
    pub fn as_str(&self) -> &str {
        &self.0
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
        node: &NodeId,
        now: UnixTime,
        lease_until: UnixTime,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<QueuedMessage>>> + Send;
    /// Delivered: records when and wipes the payload, so sent links and codes do not stay in
    /// the database.
    fn mark_sent(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
        now: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Not delivered this time: releases the claim and makes the message due again at
    /// `next_attempt_at`. `error` must name the failure without quoting the message.
    fn mark_retry(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
        next_attempt_at: UnixTime,
        error: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Given up: records the failure and wipes the payload; the message is never tried again.
    fn mark_failed(
        &mut self,
        id: &OutboxMessageId,
        node: &NodeId,
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
