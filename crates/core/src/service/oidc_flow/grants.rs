//! What an issued token is worth afterwards: userinfo (a live access token's claims),
//! revocation (RFC 7009), introspection (RFC 7662, confidential clients, their own tokens
//! only), the connected apps on the security page, and RP-initiated logout. A token is live
//! while unrevoked, unexpired and its person unlocked; the revocations that make tokens stop
//! working (a reset of the person's factors, a lock, a revoked app) live with those acts.

use serde_json::{Map, Value};

use crate::audit::{AuditEvent, OidcConsentRevoked, OidcLogout, Outcome};
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::oidc::oauth_error::{OAuthCode, OAuthError, OAuthResult};
use crate::secret::Token;
use crate::service::{Authenticated, Services};
use crate::store::{
    AuditLog, OidcGrants, Sessions, Store, TokenKind, TokenRecord, Transaction, Users,
};

use super::client::ClientCredentials;
use super::is_live;

/// The claims `/oauth2/userinfo` answers.
pub type UserInfo = Map<String, Value>;

/// RFC 7662's answer; only `active` when the token is not (or not the asking client's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Introspection {
    pub active: bool,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub sub: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub token_type: Option<&'static str>,
}

/// A client the person consented to, for the security page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    pub scope: String,
    pub granted_at: crate::UnixTime,
}

/// What RP-initiated logout does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// The client proved it asked (a valid ID token hint): sign out now, then go to
    /// `redirect` (with `state`), or to our signed-out page.
    SignOutNow {
        client_id: String,
        redirect: Option<String>,
    },
    /// Ask the person first (no valid hint: a drive-by link must not sign anyone out); after
    /// they confirm, offer `redirect`.
    Confirm { redirect: Option<String> },
    /// The post-logout address is not registered: a page, never a redirect.
    Refused(&'static str),
}

fn with_state(uri: &str, state: Option<&str>) -> String {
    match (url::Url::parse(uri), state) {
        (Ok(mut url), Some(state)) => {
            url.query_pairs_mut().append_pair("state", state);
            url.into()
        }
        _ => uri.to_owned(),
    }
}

impl<S: Store> Services<S> {
    /// A live access token's record and its person.
    async fn live_access_token(
        &self,
        token: &str,
    ) -> Result<Option<(TokenRecord, crate::model::User)>> {
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let Some(record) = tx
            .token_by_digest(&Token::from_client(token).digest())
            .await?
        else {
            return Ok(None);
        };
        if record.kind != TokenKind::Access
            || record.revoked_at.is_some()
            || !is_live(record.expires_at, now)
        {
            return Ok(None);
        }
        match tx.user_by_id(&record.user_id).await? {
            Some(user) if user.locked_at.is_none() => Ok(Some((record, user))),
            _ => Ok(None),
        }
    }

    /// `/oauth2/userinfo`: the claims the token's scope allows; `invalid_token` otherwise.
    pub async fn userinfo(&self, access_token: &str) -> OAuthResult<UserInfo> {
        let Some((record, user)) = self.live_access_token(access_token).await? else {
            return Err(OAuthError::new(
                OAuthCode::InvalidToken,
                "the access token is not valid",
            ));
        };
        let mut tx = self.store.begin_read().await?;
        Ok(self.person_claims(&mut tx, &user, &record.scope).await?)
    }

    /// RFC 7009: revokes the token if it is the client's; unknown tokens are not an error. A
    /// token ends its whole family (the refresh token and the access tokens it bought).
    pub async fn revoke_oidc_token(
        &self,
        creds: &ClientCredentials,
        token: Option<&str>,
        meta: &RequestMeta,
    ) -> OAuthResult<()> {
        let token =
            token.ok_or_else(|| OAuthError::new(OAuthCode::InvalidRequest, "token is missing"))?;
        let client = self.authenticate_client(creds, meta).await?;
        let mut tx = self.store.begin().await?;
        let found = tx
            .token_by_digest(&Token::from_client(token).digest())
            .await?;
        // Another client's token is left alone, and the answer is the same 200.
        if let Some(record) = found.filter(|r| r.client_id == client.client_id) {
            tx.revoke_token_family(&record.family_id, self.now())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// RFC 7662, for confidential clients about their own tokens.
    pub async fn introspect(
        &self,
        creds: &ClientCredentials,
        token: Option<&str>,
        meta: &RequestMeta,
    ) -> OAuthResult<Introspection> {
        let token =
            token.ok_or_else(|| OAuthError::new(OAuthCode::InvalidRequest, "token is missing"))?;
        let client = self.authenticate_client(creds, meta).await?;
        if client.public {
            return Err(OAuthError::new(
                OAuthCode::UnauthorizedClient,
                "only confidential clients may introspect tokens",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let Some(record) = tx
            .token_by_digest(&Token::from_client(token).digest())
            .await?
        else {
            return Ok(Introspection::default());
        };
        let user_ok = tx
            .user_by_id(&record.user_id)
            .await?
            .is_some_and(|u| u.locked_at.is_none());
        let active = record.client_id == client.client_id
            && record.revoked_at.is_none()
            && record.used_at.is_none()
            && is_live(record.expires_at, now)
            && user_ok;
        if !active {
            return Ok(Introspection::default());
        }
        Ok(Introspection {
            active: true,
            scope: Some(record.scope),
            client_id: Some(record.client_id),
            sub: Some(record.user_id.0),
            exp: Some(record.expires_at.0),
            iat: Some(record.created_at.0),
            token_type: Some(match record.kind {
                TokenKind::Access => "access_token",
                TokenKind::Refresh => "refresh_token",
            }),
        })
    }

    /// The clients the person consented to, oldest first.
    pub async fn connected_apps(&self, auth: &Authenticated) -> Result<Vec<ConnectedApp>> {
        let mut tx = self.store.begin_read().await?;
        let consents = tx.consents_of_user(&auth.user.id).await?;
        let mut apps = Vec::with_capacity(consents.len());
        for c in consents {
            let name = self
                .flow_client_in(&mut tx, &c.client_id)
                .await?
                .map_or_else(|| c.client_id.clone(), |client| client.name);
            apps.push(ConnectedApp {
                client_id: c.client_id,
                name,
                scope: c.scope,
                granted_at: c.granted_at,
            });
        }
        Ok(apps)
    }

    /// Forgets the consent and revokes that client's tokens for this person.
    pub async fn revoke_connected_app(
        &self,
        auth: &Authenticated,
        client_id: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let user = &auth.user;
        let mut tx = self.store.begin().await?;
        if !tx.delete_consent(&user.id, client_id).await? {
            return Err(Error::NotFound("connected app"));
        }
        let revoked = tx
            .revoke_tokens_of_user(&user.id, Some(client_id), now)
            .await?;
        let detail = OidcConsentRevoked {
            client_id: client_id.to_owned(),
            tokens_revoked: revoked,
        };
        let event = AuditEvent::new(detail, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }

    /// RP-initiated logout 1.0: what to do with this request. The hint counts only when it is
    /// an ID token we signed, for a client, and names the signed-in person (if anyone is).
    pub async fn plan_logout(
        &self,
        id_token_hint: Option<&str>,
        client_id: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
        auth: Option<&Authenticated>,
    ) -> Result<LogoutOutcome> {
        let hinted = match id_token_hint {
            Some(hint) => self.verified_id_token(hint).await?,
            None => None,
        };
        let hinted = hinted.filter(|(aud, sub)| {
            client_id.is_none_or(|c| c == aud) && auth.is_none_or(|a| a.user.id.as_str() == sub)
        });
        let client_id = hinted.as_ref().map(|(aud, _)| aud.as_str()).or(client_id);
        let client = match client_id {
            Some(id) => self.flow_client(id).await?,
            None => None,
        };
        let redirect = match (post_logout_redirect_uri, &client) {
            (None, _) => None,
            (Some(uri), Some(c))
                if c.post_logout_redirect_uris.iter().any(|r| r == uri)
                    || c.redirect_uris.iter().any(|r| r == uri) =>
            {
                Some(with_state(uri, state))
            }
            (Some(_), _) => {
                return Ok(LogoutOutcome::Refused(
                    "The application asked to continue to an address it has not registered. \
                     Tell its administrator.",
                ));
            }
        };
        Ok(match (hinted, client) {
            (Some(_), Some(client)) => LogoutOutcome::SignOutNow {
                client_id: client.client_id,
                redirect,
            },
            _ => LogoutOutcome::Confirm { redirect },
        })
    }

    /// Ends the browser session for RP-initiated logout (the cookie is the page's to clear).
    pub async fn logout_for_client(
        &self,
        auth: &Authenticated,
        client_id: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let user = &auth.user;
        let mut tx = self.store.begin().await?;
        tx.revoke_session(&user.id, &auth.session.id, now).await?;
        let detail = OidcLogout {
            client_id: client_id.map(str::to_owned),
        };
        let event = AuditEvent::new(detail, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await
    }
}
