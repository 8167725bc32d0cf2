//! The client as the flow sees it, how a client proves itself at the token endpoint, and the ID
//! token's signature. Clients and signing keys belong to the OIDC store; this file is the only
//! one of the flow that calls it.

use serde_json::Value;

use crate::audit::{AuditEvent, OidcClientAuthFailed, Outcome};
use crate::error::Result;
use crate::model::{ContractId, GroupId, RequestMeta, User};
use crate::oidc::jose::Alg;
use crate::oidc::oauth_error::{OAuthCode, OAuthError, OAuthResult};
use crate::oidc::verify::verified_claims;
use crate::secret::Token;
use crate::service::Services;
use crate::service::login::guess_retry_after;
use crate::store::{AuditLog, OidcClient, OidcClients, Store, Transaction};
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
    /// What its ID tokens are signed with (`id_token_signed_response_alg`).
    pub id_token_alg: Alg,
}

impl From<OidcClient> for FlowClient {
    fn from(c: OidcClient) -> Self {
        FlowClient {
            client_id: c.client_id,
            name: c.name,
            contract_id: c.contract_id,
            // Clients register one list of addresses; logout may return to any of them.
            post_logout_redirect_uris: c.redirect_uris.clone(),
            redirect_uris: c.redirect_uris,
            public: c.public,
            first_party: c.first_party,
            require_2fa: c.require_2fa,
            groups: c.groups,
            id_token_alg: c.id_token_signed_response_alg,
        }
    }
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
        tx: &mut S::Tx,
        client_id: &str,
    ) -> Result<Option<FlowClient>> {
        Ok(tx
            .oidc_client_by_client_id(client_id)
            .await?
            .map(|stored| FlowClient::from(stored.client)))
    }

    /// Signs the ID token's claims with the current key of the client's algorithm
    /// (`id_token_signed_response_alg`, RS256 unless it asked for another).
    pub(crate) async fn sign_id_token(
        &self,
        client: &FlowClient,
        claims: &Value,
    ) -> Result<String> {
        self.oidc_sign_with(client.id_token_alg, claims).await
    }

    /// The audience and subject of an ID token we signed with a key still published (expired
    /// ones too: a logout hint may be old), or `None`.
    pub(crate) async fn verified_id_token(&self, token: &str) -> Result<Option<(String, String)>> {
        let jwks = self.oidc_jwks().await?;
        let Some(claims) = verified_claims(token, &jwks) else {
            return Ok(None);
        };
        if claims.get("iss").and_then(Value::as_str) != Some(self.settings.oidc_issuer.as_str()) {
            return Ok(None);
        }
        let aud = claims.get("aud").and_then(Value::as_str);
        let sub = claims.get("sub").and_then(Value::as_str);
        Ok(aud.zip(sub).map(|(a, s)| (a.to_owned(), s.to_owned())))
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
        // The OIDC store compares the secret's digest in constant time, unknown clients alike.
        let secret = creds.secret.as_ref().map(Token::expose);
        let proved = match self.oidc_authenticate_client(client_id, secret).await {
            Ok(c) => Some(FlowClient::from(c)),
            Err(crate::Error::InvalidClient) => None,
            Err(e) => return Err(e.into()),
        };
        match proved {
            Some(client) => Ok(client),
            None => {
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
