//! Storage of the OpenID Connect flow: authorization requests waiting for a sign-in, codes,
//! access and refresh tokens (digests only), and consents. Single use is the store's job: a code
//! or a refresh token is used up by a conditional update, so two nodes presenting the same one
//! at once see it succeed once. Whether a record is still valid in time is the caller's rule.

use std::future::Future;

use crate::clock::UnixTime;
use crate::error::Result;
use crate::model::{SessionId, UserId};
use crate::secret::TokenDigest;

/// A validated authorization request kept while the person signs in or decides on consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    pub id: String,
    pub client_id: String,
    /// The validated request, as JSON (`oidc::authorize::AuthorizeRequest`).
    pub request: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// What the sign-in behind a code or token said about itself, for the ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFacts {
    pub auth_time: UnixTime,
    /// RFC 8176 methods, space-separated in the store.
    pub amr: Vec<String>,
    pub acr: String,
}

/// An authorization code, as issued (the code itself only as its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub digest: TokenDigest,
    pub client_id: String,
    pub user_id: UserId,
    pub session_id: Option<SessionId>,
    pub redirect_uri: String,
    /// The S256 challenge; `None` for a confidential client that sent none.
    pub code_challenge: Option<String>,
    pub scope: String,
    pub nonce: Option<String>,
    pub facts: SignInFacts,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// What presenting a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// Unknown code.
    Unknown,
    /// Used up now, by this call.
    Taken(CodeRecord),
    /// Used before: a replay.
    AlreadyUsed(CodeRecord),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
    pub fn parse(s: &str) -> TokenKind {
        if s == "refresh" {
            TokenKind::Refresh
        } else {
            TokenKind::Access
        }
    }
}

/// An access or refresh token (the token itself only as its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub digest: TokenDigest,
    pub kind: TokenKind,
    pub family_id: String,
    pub client_id: String,
    pub user_id: UserId,
    pub scope: String,
    pub code_digest: TokenDigest,
    pub facts: SignInFacts,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub used_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

/// A person's remembered consent to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub user_id: UserId,
    pub client_id: String,
    pub scope: String,
    pub granted_at: UnixTime,
}

pub trait OidcGrants {
    fn insert_pending_authorization(
        &mut self,
        pending: &PendingAuthorization,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The pending request with this id that has not expired at `now`.
    fn pending_authorization(
        &mut self,
        id: &str,
        now: UnixTime,
    ) -> impl Future<Output = Result<Option<PendingAuthorization>>> + Send;
    /// Deletes it (once a code or an error was sent); false if it was already gone.
    fn delete_pending_authorization(
        &mut self,
        id: &str,
    ) -> impl Future<Output = Result<bool>> + Send;

    fn insert_code(&mut self, code: &CodeRecord) -> impl Future<Output = Result<()>> + Send;
    /// Uses the code up by a conditional update; a second presentation finds it used.
    fn take_code(
        &mut self,
        digest: &TokenDigest,
        at: UnixTime,
    ) -> impl Future<Output = Result<CodeUse>> + Send;

    fn insert_token(&mut self, token: &TokenRecord) -> impl Future<Output = Result<()>> + Send;
    /// The token with this digest, used, revoked or expired alike.
    fn token_by_digest(
        &mut self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<TokenRecord>>> + Send;
    /// Uses a refresh token up (conditional on unused and unrevoked); false if it was not.
    fn use_refresh_token(
        &mut self,
        digest: &TokenDigest,
        at: UnixTime,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes every token of a family; returns how many were live.
    fn revoke_token_family(
        &mut self,
        family_id: &str,
        at: UnixTime,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Revokes every token issued from a code (and from their refreshes).
    fn revoke_tokens_of_code(
        &mut self,
        code: &TokenDigest,
        at: UnixTime,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Revokes a person's tokens, of one client or of all.
    fn revoke_tokens_of_user(
        &mut self,
        user: &UserId,
        client_id: Option<&str>,
        at: UnixTime,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Deletes pending requests, codes and tokens that expired before `before`.
    fn prune_oidc_grants(&mut self, before: UnixTime) -> impl Future<Output = Result<()>> + Send;

    fn consent(
        &mut self,
        user: &UserId,
        client_id: &str,
    ) -> impl Future<Output = Result<Option<Consent>>> + Send;
    /// Records or widens a consent.
    fn put_consent(&mut self, consent: &Consent) -> impl Future<Output = Result<()>> + Send;
    /// Forgets a consent; false if there was none.
    fn delete_consent(
        &mut self,
        user: &UserId,
        client_id: &str,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Every consent of a person, oldest first.
    fn consents_of_user(
        &mut self,
        user: &UserId,
    ) -> impl Future<Output = Result<Vec<Consent>>> + Send;
}
