//! Storage of service tokens: the credentials of mail servers and other services that ask
//! Portcullis to check a person's credentials. Found by digest; revoked, never deleted, so the
//! audit trail keeps naming them.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::ServiceTokenId;
use crate::secret::TokenDigest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTokenInfo {
    pub id: ServiceTokenId,
    /// What the operator called the service ("mail").
    pub name: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

pub trait ServiceTokens {
    fn insert_service_token(
        &mut self,
        info: &ServiceTokenInfo,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The unrevoked token with this digest.
    fn service_token_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<ServiceTokenInfo>>> + Send;
    /// Every token, revoked ones too, oldest first.
    fn service_tokens(&mut self) -> impl Future<Output = Result<Vec<ServiceTokenInfo>>> + Send;
    /// Revokes the token in one conditional write; false if unknown or already revoked.
    fn revoke_service_token(
        &mut self,
        id: &ServiceTokenId,
        at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn touch_service_token(
        &mut self,
        id: &ServiceTokenId,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}
