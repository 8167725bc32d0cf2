//! Service tokens: how a mail server or another service proves itself before it asks us to check
//! someone's credentials (`app_auth`). The operator makes, lists and revokes them at the shell
//! (`portcullis service-token …`); a token is shown once and stored as a SHA-256 digest. An
//! [`AuthenticatedService`] is made only by [`Services::authenticate_service`], so a use case that
//! takes one can be reached only with a live token, never with a person's session.

use crate::audit::{AuditDetail, AuditEvent, NamedServiceToken, Outcome};
use crate::error::{Error, Result};
use crate::model::{RequestMeta, ServiceTokenId};
use crate::secret::Token;
use crate::store::{AuditLog, ServiceTokenInfo, ServiceTokens, Store, Transaction};

use super::Services;

/// Longest service name, in characters.
const MAX_NAME_CHARS: usize = 64;
/// As with sessions: a minute's precision in "last used" is plenty, and saves a write per check.
const TOUCH_AFTER_SECS: i64 = 60;

/// A request made with a live service token. Only [`Services::authenticate_service`] makes one.
#[derive(Debug, Clone)]
pub struct AuthenticatedService {
    pub id: ServiceTokenId,
    pub name: String,
}

fn operator_event(
    kind: fn(NamedServiceToken) -> AuditDetail,
    info: &ServiceTokenInfo,
    at: crate::UnixTime,
) -> AuditEvent {
    let token = NamedServiceToken {
        service_token_id: info.id.clone(),
        name: info.name.clone(),
    };
    AuditEvent::new(kind(token), Outcome::Success, at, &RequestMeta::default()).by_operator()
}

impl<S: Store> Services<S> {
    /// The operator's `portcullis service-token create`: the token is returned once.
    pub async fn create_service_token_from_shell(
        &self,
        name: &str,
    ) -> Result<(ServiceTokenInfo, Token)> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(Error::Validation(
                "the service name must be 1 to 64 characters, such as \"mail\"".to_owned(),
            ));
        }
        let now = self.now();
        let token = Token::generate();
        let info = ServiceTokenInfo {
            id: ServiceTokenId::generate(),
            name: name.to_owned(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_service_token(&info, &token.digest()).await?;
        tx.append_audit(&operator_event(
            AuditDetail::ServiceTokenCreated,
            &info,
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok((info, token))
    }

    /// Every service token, revoked ones too, oldest first (the operator's shell).
    pub async fn service_tokens_for_operator(&self) -> Result<Vec<ServiceTokenInfo>> {
        let mut tx = self.store.begin_read().await?;
        tx.service_tokens().await
    }

    /// Revokes a token at once, on every node; `NotFound` if it is unknown or already revoked.
    pub async fn revoke_service_token_from_shell(
        &self,
        id: &ServiceTokenId,
    ) -> Result<ServiceTokenInfo> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let info = tx
            .service_tokens()
            .await?
            .into_iter()
            .find(|t| &t.id == id)
            .ok_or(Error::NotFound("service token"))?;
        if !tx.revoke_service_token(&info.id, now).await? {
            return Err(Error::NotFound("service token"));
        }
        tx.append_audit(&operator_event(
            AuditDetail::ServiceTokenRevoked,
            &info,
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(info)
    }

    /// The service a bearer token belongs to; `Unauthenticated` when unknown or revoked.
    pub async fn authenticate_service(&self, token: &Token) -> Result<AuthenticatedService> {
        let now = self.now();
        let info = {
            let mut tx = self.store.begin_read().await?;
            tx.service_token_by_digest(&token.digest())
                .await?
                .ok_or(Error::Unauthenticated)?
        };
        if info
            .last_used_at
            .is_none_or(|t| now.0 - t.0 >= TOUCH_AFTER_SECS)
        {
            let mut tx = self.store.begin().await?;
            tx.touch_service_token(&info.id, now).await?;
            tx.commit().await?;
        }
        Ok(AuthenticatedService {
            id: info.id,
            name: info.name,
        })
    }
}
