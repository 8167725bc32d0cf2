//! The token endpoint's use cases: a code for tokens, and a refresh token for new ones. A code
//! is used up by a conditional update; presented again, it revokes everything issued from it
//! (RFC 6749 §4.1.2). A refresh token is used up the same way and replaced (rotation); presented
//! again, it revokes its whole family (RFC 9700 §4.14.2). Codes are bound to the client, the
//! redirect URI and the PKCE challenge; a code issued without a challenge refuses a verifier, so
//! PKCE cannot be downgraded (RFC 9700 §4.8.2). Refusals say `invalid_grant` whatever the
//! reason, as the RFC asks; the ID token is signed after the commit, outside the transaction.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha512};

use crate::audit::{
    AuditEvent, OidcCodeReuseDetected, OidcRefreshReuseDetected, OidcTokenIssued, Outcome,
};
use crate::clock::UnixTime;
use crate::model::{RequestMeta, User, UserId};
use crate::oidc::jose::Alg;
use crate::oidc::oauth_error::{OAuthCode, OAuthError, OAuthResult};
use crate::oidc::request::{known_scopes, scopes_cover, verifier_matches};
use crate::secret::{Token, TokenDigest};
use crate::service::Services;
use crate::store::{
    AuditLog, CodeUse, Groups, OidcGrants, SignInFacts, Store, TokenKind, TokenRecord, Transaction,
    Users,
};

use super::client::{ClientCredentials, FlowClient};
use super::{ACCESS_TOKEN_SECS, ID_TOKEN_SECS, REFRESH_TOKEN_SECS, is_live, subject};

/// What the token endpoint answers.
#[derive(Debug)]
pub struct TokenResponse {
    pub access_token: Token,
    pub expires_in: i64,
    pub refresh_token: Option<Token>,
    pub id_token: Option<String>,
    pub scope: String,
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::new(OAuthCode::InvalidGrant, description)
}

/// What tokens and the ID token are issued from.
struct Grant {
    client_id: String,
    user_id: UserId,
    scope: String,
    code_digest: TokenDigest,
    family_id: String,
    facts: SignInFacts,
    nonce: Option<String>,
}

/// `at_hash` (OpenID Connect Core §3.1.3.6): the left half of the access token's digest under
/// the signature's hash, base64url.
fn at_hash(alg: Alg, access_token: &str) -> String {
    let digest: Vec<u8> = match alg {
        // Ed25519 hashes with SHA-512 (the practice of relying-party libraries for EdDSA).
        Alg::EdDsa => Sha512::digest(access_token.as_bytes()).to_vec(),
        Alg::Rs256 | Alg::Es256 => Sha256::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

impl<S: Store> Services<S> {
    /// The claims about the person a scope allows: `email` and `email_verified`,
    /// `preferred_username`, `groups` (names). `sub` is always there.
    pub(crate) async fn person_claims(
        &self,
        tx: &mut S::Tx,
        user: &User,
        scope: &str,
    ) -> crate::Result<Map<String, Value>> {
        let scopes = known_scopes(scope);
        let has = |s: &str| scopes.iter().any(|x| x == s);
        let mut claims = Map::new();
        claims.insert("sub".into(), subject(user).into());
        if has("email") {
            claims.insert("email".into(), user.email.as_str().into());
            // Nothing records that a person proved they read this mailbox; saying so would be
            // a guess.
            claims.insert("email_verified".into(), false.into());
        }
        if has("profile") {
            claims.insert("preferred_username".into(), user.email.as_str().into());
        }
        if has("groups") {
            let mine = tx.groups_of_user(&user.id).await?;
            let mut names: Vec<String> = tx
                .groups_of_contract(&user.contract_id)
                .await?
                .into_iter()
                .filter(|g| mine.contains(&g.id))
                .map(|g| g.name)
                .collect();
            names.sort();
            claims.insert("groups".into(), names.into());
        }
        Ok(claims)
    }

    /// `grant_type=authorization_code`.
    pub async fn exchange_code(
        &self,
        creds: &ClientCredentials,
        code: Option<&str>,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        meta: &RequestMeta,
    ) -> OAuthResult<TokenResponse> {
        let code =
            code.ok_or_else(|| OAuthError::new(OAuthCode::InvalidRequest, "code is missing"))?;
        let client = self.authenticate_client(creds, meta).await?;
        let now = self.now();
        let digest = Token::from_client(code).digest();
        let mut tx = self.store.begin().await?;
        let record = match tx.take_code(&digest, now).await? {
            CodeUse::Unknown => return Err(invalid_grant("the code is not valid")),
            CodeUse::AlreadyUsed(record) => {
                let revoked = tx.revoke_tokens_of_code(&digest, now).await?;
                let detail = OidcCodeReuseDetected {
                    client_id: record.client_id.clone(),
                    tokens_revoked: revoked,
                };
                let mut event = AuditEvent::new(detail, Outcome::Denied, now, meta);
                event.subject = Some(record.user_id.clone());
                event.contract = Some(client.contract_id.clone());
                tx.append_audit(&event).await?;
                tx.commit().await?;
                return Err(invalid_grant("the code was already used"));
            }
            CodeUse::Taken(record) => record,
        };
        // From here the code is used up whatever happens: a failed attempt burns it.
        let refused = if record.client_id != client.client_id {
            Some("the code was issued to another client")
        } else if !is_live(record.expires_at, now) {
            Some("the code has expired")
        } else if redirect_uri != Some(record.redirect_uri.as_str()) {
            Some("redirect_uri does not match the authorization request")
        } else {
            match (&record.code_challenge, verifier) {
                (Some(challenge), Some(v)) if verifier_matches(v, challenge) => None,
                (Some(_), _) => Some("the PKCE code_verifier is missing or wrong"),
                (None, Some(_)) => Some("the authorization request had no code_challenge"),
                (None, None) => None,
            }
        };
        if let Some(reason) = refused {
            tx.commit().await?;
            return Err(invalid_grant(reason));
        }
        let user = self.live_user(&mut tx, &record.user_id).await?;
        let grant = Grant {
            client_id: client.client_id.clone(),
            user_id: record.user_id.clone(),
            scope: record.scope.clone(),
            code_digest: digest,
            family_id: uuid::Uuid::new_v4().to_string(),
            facts: record.facts.clone(),
            nonce: record.nonce.clone(),
        };
        self.issue(tx, &client, &user, grant, "authorization_code", now, meta)
            .await
    }

    /// `grant_type=refresh_token`; `scope` may narrow, never widen.
    pub async fn refresh_tokens(
        &self,
        creds: &ClientCredentials,
        refresh_token: Option<&str>,
        scope: Option<&str>,
        meta: &RequestMeta,
    ) -> OAuthResult<TokenResponse> {
        let presented = refresh_token.ok_or_else(|| {
            OAuthError::new(OAuthCode::InvalidRequest, "refresh_token is missing")
        })?;
        let client = self.authenticate_client(creds, meta).await?;
        let now = self.now();
        let digest = Token::from_client(presented).digest();
        let mut tx = self.store.begin().await?;
        let Some(old) = tx.token_by_digest(&digest).await? else {
            return Err(invalid_grant("the refresh token is not valid"));
        };
        if old.kind != TokenKind::Refresh || old.client_id != client.client_id {
            return Err(invalid_grant("the refresh token is not valid"));
        }
        if old.revoked_at.is_some() || !is_live(old.expires_at, now) {
            return Err(invalid_grant(
                "the refresh token has expired or was revoked",
            ));
        }
        // Used before (or by a concurrent request just now): a replay. The family dies.
        if old.used_at.is_some() || !tx.use_refresh_token(&digest, now).await? {
            let revoked = tx.revoke_token_family(&old.family_id, now).await?;
            let detail = OidcRefreshReuseDetected {
                client_id: client.client_id.clone(),
                tokens_revoked: revoked,
            };
            let mut event = AuditEvent::new(detail, Outcome::Denied, now, meta);
            event.subject = Some(old.user_id.clone());
            event.contract = Some(client.contract_id.clone());
            tx.append_audit(&event).await?;
            tx.commit().await?;
            return Err(invalid_grant("the refresh token was already used"));
        }
        let scope = match scope {
            None => old.scope.clone(),
            Some(asked) => {
                let asked = known_scopes(asked);
                if !scopes_cover(&old.scope, &asked) {
                    return Err(OAuthError::new(
                        OAuthCode::InvalidScope,
                        "a refresh cannot widen the scope",
                    ));
                }
                asked.join(" ")
            }
        };
        let user = self.live_user(&mut tx, &old.user_id).await?;
        let grant = Grant {
            client_id: client.client_id.clone(),
            user_id: old.user_id.clone(),
            scope,
            code_digest: old.code_digest.clone(),
            family_id: old.family_id.clone(),
            facts: old.facts.clone(),
            nonce: None,
        };
        self.issue(tx, &client, &user, grant, "refresh_token", now, meta)
            .await
    }

    /// The person a grant is for, unless deleted or locked since.
    async fn live_user(&self, tx: &mut S::Tx, id: &UserId) -> OAuthResult<User> {
        match tx.user_by_id(id).await? {
            Some(user) if user.locked_at.is_none() => Ok(user),
            _ => Err(invalid_grant("the account can no longer sign in")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn issue(
        &self,
        mut tx: S::Tx,
        client: &FlowClient,
        user: &User,
        grant: Grant,
        grant_type: &'static str,
        now: UnixTime,
        meta: &RequestMeta,
    ) -> OAuthResult<TokenResponse> {
        let access = Token::generate();
        let record = |digest: TokenDigest, kind: TokenKind, secs: i64| TokenRecord {
            digest,
            kind,
            family_id: grant.family_id.clone(),
            client_id: grant.client_id.clone(),
            user_id: grant.user_id.clone(),
            scope: grant.scope.clone(),
            code_digest: grant.code_digest.clone(),
            facts: grant.facts.clone(),
            created_at: now,
            expires_at: now.plus_secs(secs),
            used_at: None,
            revoked_at: None,
        };
        tx.insert_token(&record(
            access.digest(),
            TokenKind::Access,
            ACCESS_TOKEN_SECS,
        ))
        .await?;
        let refresh = if known_scopes(&grant.scope)
            .iter()
            .any(|s| s == "offline_access")
        {
            let refresh = Token::generate();
            tx.insert_token(&record(
                refresh.digest(),
                TokenKind::Refresh,
                REFRESH_TOKEN_SECS,
            ))
            .await?;
            Some(refresh)
        } else {
            None
        };
        let mut claims = self.person_claims(&mut tx, user, &grant.scope).await?;
        let issued = OidcTokenIssued {
            client_id: grant.client_id.clone(),
            grant_type,
            scope: grant.scope.clone(),
            refresh_token: refresh.is_some(),
        };
        let event = AuditEvent::new(issued, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;

        let issuer = self.settings.oidc_issuer.clone();
        claims.insert("iss".into(), issuer.into());
        claims.insert("aud".into(), grant.client_id.clone().into());
        claims.insert("azp".into(), grant.client_id.clone().into());
        claims.insert("iat".into(), now.0.into());
        claims.insert("exp".into(), now.plus_secs(ID_TOKEN_SECS).0.into());
        claims.insert("auth_time".into(), grant.facts.auth_time.0.into());
        claims.insert("acr".into(), grant.facts.acr.clone().into());
        claims.insert("amr".into(), json!(grant.facts.amr));
        if let Some(nonce) = &grant.nonce {
            claims.insert("nonce".into(), nonce.clone().into());
        }
        let mut claims = Value::Object(claims);
        // The hash depends on the algorithm, which is the client's setting.
        claims["at_hash"] = at_hash(client.id_token_alg, access.expose()).into();
        let id_token = self.sign_id_token(client, &claims).await?;
        Ok(TokenResponse {
            access_token: access,
            expires_in: ACCESS_TOKEN_SECS,
            refresh_token: refresh,
            id_token: Some(id_token),
            scope: grant.scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Alg, at_hash};

    #[test]
    fn at_hash_is_the_left_half_of_the_access_token_digest() {
        // OpenID Connect Core's example (A.3): this access token's at_hash under RS256.
        assert_eq!(
            at_hash(Alg::Rs256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(
            at_hash(Alg::Es256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn an_eddsa_at_hash_is_the_left_half_of_a_sha512_digest() {
        // 32 of SHA-512's 64 bytes: 43 base64url characters, not SHA-256's 22.
        let hash = at_hash(Alg::EdDsa, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
        assert_eq!(hash.len(), 43);
        assert_ne!(&hash[..22], "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
