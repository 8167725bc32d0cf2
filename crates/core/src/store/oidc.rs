//! Storage of the OpenID Connect provider's clients and signing keys. A client is found by its
//! public `client_id`; its secret is kept only as a digest (like service tokens) and checked by
//! the service in constant time. At most one signing key per algorithm is current, which the
//! database enforces (a unique index over the unretired keys), so two nodes starting at once
//! cannot both make one.

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::model::{ContractId, GroupId, OidcClientId};
use crate::oidc::jose::Alg;
use crate::secret::TokenDigest;

/// A relying party registered by a contract's owner or administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcClient {
    /// Our own key of the row (what other tables refer to).
    pub id: OidcClientId,
    /// The public, random, URL-safe `client_id` the relying party is configured with.
    pub client_id: String,
    pub contract_id: ContractId,
    pub name: String,
    /// A public client (a single-page or native app) has no secret and must use PKCE.
    pub public: bool,
    /// First-party clients skip the consent screen.
    pub first_party: bool,
    /// Only sessions signed in with a second factor may sign in to it.
    pub require_2fa: bool,
    /// Exact strings, compared by equality at the authorize step.
    pub redirect_uris: Vec<String>,
    /// The algorithm its ID tokens are signed with (`id_token_signed_response_alg`); RS256
    /// unless the relying party asks for another.
    pub id_token_signed_response_alg: Alg,
    /// Only members of these groups may sign in to it; empty: everyone of the contract.
    pub groups: Vec<GroupId>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A client with the digest of its secret (`None` for public clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOidcClient {
    pub client: OidcClient,
    pub secret_digest: Option<TokenDigest>,
}

pub trait OidcClients {
    /// Inserts the client and its groups; `secret` is `None` exactly for public clients.
    fn insert_oidc_client(
        &mut self,
        client: &OidcClient,
        secret: Option<&TokenDigest>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn oidc_client_by_client_id(
        &mut self,
        client_id: &str,
    ) -> impl Future<Output = Result<Option<StoredOidcClient>>> + Send;
    /// The clients of one contract, or of every contract (`None`, the operator's shell), by name.
    fn oidc_clients(
        &mut self,
        contract: Option<&ContractId>,
    ) -> impl Future<Output = Result<Vec<OidcClient>>> + Send;
    /// Writes the name, flags, redirect URIs, ID token algorithm, groups and `updated_at` of the client with this
    /// internal id (the groups are replaced); false if it is gone.
    fn update_oidc_client(
        &mut self,
        client: &OidcClient,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Replaces a confidential client's secret digest; false if it is gone or public.
    fn set_oidc_client_secret(
        &mut self,
        id: &OidcClientId,
        digest: &TokenDigest,
        at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes the client (its groups go with it); false if it was already gone.
    fn delete_oidc_client(
        &mut self,
        id: &OidcClientId,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// A signing key as stored: the private key sealed (PKCS #8 DER, bound to its kid), the public
/// JWK in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    pub kid: String,
    pub alg: Alg,
    pub sealed: Sealed,
    /// The public JWK, as JSON text.
    pub public_jwk: String,
    pub created_at: UnixTime,
    /// Set when a rotation replaced it; a current key has none.
    pub retired_at: Option<UnixTime>,
    /// A retired key is published in JWKS until then.
    pub publish_until: Option<UnixTime>,
}

pub trait OidcSigningKeys {
    /// Stores a new current key unless its algorithm already has one (another node may have
    /// made it first); true if this one was stored.
    fn insert_current_signing_key(
        &mut self,
        key: &StoredSigningKey,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Retires the current key of `alg`, published until `publish_until`; false if there was none.
    fn retire_signing_key(
        &mut self,
        alg: Alg,
        at: UnixTime,
        publish_until: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The current keys and the retired ones still published at `now`, newest first.
    fn published_signing_keys(
        &mut self,
        now: UnixTime,
    ) -> impl Future<Output = Result<Vec<StoredSigningKey>>> + Send;
}
