//! Storage of login tickets, the state between a right password and a finished login: found
//! by digest, counted, extended and used up by conditional writes.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{LoginTicket, TicketId, UserId};
use crate::secret::TokenDigest;

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
