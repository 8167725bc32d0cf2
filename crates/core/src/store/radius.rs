//! Storage of RADIUS clients (with their sealed shared secrets) and of the States of
//! Access-Challenges. A State is kept only as its digest and is taken by one conditional update,
//! so it answers one code on every node; the sweep deletes expired ones (`Swept::RadiusStates`).

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::{ContractId, RadiusClientId, UserId};
use crate::radius::RadiusClient;
use crate::secret::TokenDigest;

/// A client with its sealed shared secret (opened with the row's id as context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRadiusClient {
    pub client: RadiusClient,
    pub secret: Sealed,
}

pub trait RadiusStore {
    /// Inserts a client; a name already taken is `Error::Conflict`.
    fn insert_radius_client(
        &mut self,
        client: &RadiusClient,
        secret: &Sealed,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every client of every contract (`None`) or of one, by name: what a listener loads.
    fn radius_clients(
        &mut self,
        contract: Option<&ContractId>,
    ) -> impl Future<Output = Result<Vec<StoredRadiusClient>>> + Send;
    fn radius_client_by_name(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<Option<StoredRadiusClient>>> + Send;
    fn radius_client(
        &mut self,
        id: &RadiusClientId,
    ) -> impl Future<Output = Result<Option<StoredRadiusClient>>> + Send;
    /// Deletes the client (and its States); false when there was none.
    fn delete_radius_client(
        &mut self,
        id: &RadiusClientId,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Remembers a State: `user` gave the right password at `client`.
    fn insert_radius_state(
        &mut self,
        digest: &TokenDigest,
        client: &RadiusClientId,
        user: &UserId,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Uses the State up if it is unused, unexpired and `client`'s: its user, once; `None` for
    /// every other case (unknown, used, expired, another client's).
    fn take_radius_state(
        &mut self,
        digest: &TokenDigest,
        client: &RadiusClientId,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<UserId>>> + Send;
}
