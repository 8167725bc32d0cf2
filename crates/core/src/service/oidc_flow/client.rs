//! The client as the flow sees it, how a client proves itself at the token endpoint, and the ID
//! token's signature. Clients and signing keys belong to the OIDC store; this file is the only
//! one of the flow that calls it.

use serde_json::Value;

use crate::audit::{AuditEvent, OidcClientAuthFailed, Outcome};
use crate::error::Result;
use crate::model::{ContractId, GroupId, RequestMeta, User};
use crate::oidc::oauth_error::{OAuthCode, OAuthError, OAuthResult};
use crate::secret::Token;
use crate::service::Services;
use crate::service::login::guess_retry_after;
use crate::store::{AuditLog, Store, Transaction};
use crate::throttle::Guess;

/// A client, with what the flow needs of it.
#[derive(Debug, Clone)]
pub struct FlowClient {
    pub client_id: String,
    pub name: String,
    pub contract_id: ContractId,
    /// Exact redirect URIs; no wildcard, no prefix.
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser afterwards (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// No secret: PKCE is required instead.
    pub public: bool,
    /// No consent page.
    pub first_party: bool,
    /// At least `mfa` for every sign-in.
    pub require_2fa: bool,
    /// Only members of these groups may sign in; empty: everyone of the contract.
    pub groups: Vec<GroupId>,
}

impl FlowClient {
    /// May this person sign in to the client? Only people of its contract, and of its groups
    /// when it names any.
    pub fn admits(&self, user: &User, groups_of_user: &[GroupId]) -> bool {
        user.contract_id == self.contract_id
            && (self.groups.is_empty() || self.groups.iter().any(|g| groups_of_user.contains(g)))
    }
}

/// What a client sent to authenticate itself at the token endpoint.
#[derive(Debug, Default)]
pub struct ClientCredentials {
    pub client_id: Option<String>,
    pub secret: Option<Token>,
    /// The credentials came in `Authorization: Basic`: a refusal answers 401 with
    /// `WWW-Authenticate` (RFC 6749 §5.2).
    pub basic: bool,
}

fn throttle_key(client_id: &str) -> String {
    format!("oidc_client:{client_id}")
}

fn invalid_client(description: &str) -> OAuthError {
    OAuthError::new(OAuthCode::InvalidClient, description)
}

impl<S: Store> Services<S> {
    /// The client with this public id, if it exists.
    pub async fn flow_client(&self, client_id: &str) -> Result<Option<FlowClient>> {
        let mut tx = self.store.begin_read().await?;
        self.flow_client_in(&mut tx, client_id).await
    }

    pub(crate) async fn flow_client_in(
        &self,
        _tx: &mut S::Tx,
        _client_id: &str,
    ) -> Result<Option<FlowClient>> {
        // Filled in from the OIDC store's clients once that branch is merged.
        Ok(None)
    }

    /// Does `secret` belong to the confidential client?
    async fn client_secret_matches(&self, _client_id: &str, _secret: &Token) -> Result<bool> {
        Ok(false)
    }

    /// Signs the ID token's claims with the current signing key (JWS compact form) and says
    /// which algorithm it used (for `at_hash`).
    pub(crate) async fn sign_id_token(
        &self,
        _client: &FlowClient,
        _claims: &Value,
    ) -> Result<(String, &'static str)> {
        Err(crate::Error::internal_msg("no signing key"))
    }

    /// The audience and subject of an ID token we signed (expired ones too: a logout hint may
    /// be old), or `None`.
    pub(crate) async fn verified_id_token(&self, _token: &str) -> Result<Option<(String, String)>> {
        Ok(None)
    }

    /// The client, if the credentials prove it: a confidential client by its secret (wrong
    /// secrets counted like any other guess, per client and per address), a public client by
    /// its id alone and never with a secret.
    pub async fn authenticate_client(
        &self,
        creds: &ClientCredentials,
        meta: &RequestMeta,
    ) -> OAuthResult<FlowClient> {
        let client_id = creds
            .client_id
            .as_deref()
            .ok_or_else(|| invalid_client("client authentication is missing"))?;
        let key = throttle_key(client_id);
        let now = self.now();
        let client = {
            let mut tx = self.store.begin_read().await?;
            if let Some(wait) = guess_retry_after(
                &mut tx,
                &self.settings.throttle,
                &key,
                meta.ip.as_deref(),
                now,
            )
            .await?
            {
                return Err(OAuthError::Throttled {
                    retry_after_secs: wait,
                });
            }
            self.flow_client_in(&mut tx, client_id).await?
        };
        let right = match (&client, &creds.secret) {
            (Some(c), None) if c.public => true,
            (Some(c), Some(secret)) if !c.public => {
                self.client_secret_matches(&c.client_id, secret).await?
            }
            _ => false,
        };
        match client {
            Some(client) if right => Ok(client),
            client => {
                let mut tx = self.store.begin().await?;
                self.count_guess_failure(&mut tx, &key, meta, now, Guess::Password)
                    .await?;
                let mut event = AuditEvent::new(
                    OidcClientAuthFailed {
                        client_id: client_id.to_owned(),
                    },
                    Outcome::Failure,
                    now,
                    meta,
                );
                event.contract = client.map(|c| c.contract_id);
                tx.append_audit(&event).await?;
                tx.commit().await?;
                Err(invalid_client("the client id or secret is wrong"))
            }
        }
    }
}
