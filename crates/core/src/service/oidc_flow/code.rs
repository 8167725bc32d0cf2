//! Keeping an authorization request while the person signs in or decides, and issuing its code:
//! the code's digest with everything the token endpoint will check (client, redirect URI, PKCE
//! challenge) and everything the ID token will say (nonce, auth_time, amr, acr), written in one
//! transaction with the audit row and the removal of the pending request, so a request yields
//! one code at most. Each code issued also sweeps what expired a day ago.

use crate::audit::{AuditEvent, OidcCodeIssued, Outcome};
use crate::error::Result;
use crate::model::RequestMeta;
use crate::oidc::request::AuthorizeRequest;
use crate::secret::Token;
use crate::service::{Authenticated, Services};
use crate::store::{
    AuditLog, CodeRecord, OidcGrants, PendingAuthorization, SignInFacts, Store, Transaction,
};

use super::client::FlowClient;
use super::{CODE_SECS, PENDING_SECS, PRUNE_AFTER_SECS, sign_in_of};

/// Where the client gets its answer: the redirect URI with the parameters added to its query.
pub(super) fn client_url(redirect_uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        // Registered URIs are absolute URLs; this keeps the type honest.
        return redirect_uri.to_owned();
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            if let Some(v) = v {
                query.append_pair(k, v);
            }
        }
    }
    url.into()
}

impl<S: Store> Services<S> {
    pub(super) async fn keep_pending(
        &self,
        client: &FlowClient,
        req: &AuthorizeRequest,
        pending: Option<&PendingAuthorization>,
    ) -> Result<String> {
        if let Some(p) = pending {
            return Ok(p.id.clone());
        }
        let now = self.now();
        let pending = PendingAuthorization {
            id: Token::generate().expose().to_owned(),
            client_id: client.client_id.clone(),
            request: serde_json::to_string(req).map_err(crate::Error::internal)?,
            created_at: now,
            expires_at: now.plus_secs(PENDING_SECS),
        };
        let mut tx = self.store.begin().await?;
        // Nothing else sweeps the flow's tables: each new request clears what expired a day ago
        // (a code replayed later than that is merely unknown; its tokens expired long before).
        tx.prune_oidc_grants(now.plus_secs(-PRUNE_AFTER_SECS))
            .await?;
        tx.insert_pending_authorization(&pending).await?;
        tx.commit().await?;
        Ok(pending.id)
    }

    pub(super) async fn forget_pending(
        &self,
        pending: Option<&PendingAuthorization>,
    ) -> Result<()> {
        if let Some(p) = pending {
            let mut tx = self.store.begin().await?;
            tx.delete_pending_authorization(&p.id).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Stores a new code (its digest) and answers the address that hands it to the client.
    pub(super) async fn issue_code(
        &self,
        tx: &mut S::Tx,
        client: &FlowClient,
        req: &AuthorizeRequest,
        pending_id: Option<&str>,
        auth: &Authenticated,
        meta: &RequestMeta,
    ) -> Result<String> {
        let now = self.now();
        if let Some(id) = pending_id {
            // Used once: a second continuation of the same request finds it gone.
            if !tx.delete_pending_authorization(id).await? {
                return Err(crate::Error::NotFound("authorization request"));
            }
        }
        // Nothing else sweeps the flow's tables: each code issued clears what expired a day ago
        // (a code replayed later than that is merely unknown; its tokens expired long before).
        tx.prune_oidc_grants(now.plus_secs(-PRUNE_AFTER_SECS))
            .await?;
        let code = Token::generate();
        let (acr, amr) = sign_in_of(&auth.session);
        tx.insert_code(&CodeRecord {
            digest: code.digest(),
            client_id: client.client_id.clone(),
            user_id: auth.user.id.clone(),
            session_id: Some(auth.session.id.clone()),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
            scope: req.scope(),
            nonce: req.nonce.clone(),
            facts: SignInFacts {
                auth_time: auth.session.created_at,
                amr,
                acr: acr.as_str().to_owned(),
            },
            created_at: now,
            expires_at: now.plus_secs(CODE_SECS),
        })
        .await?;
        let issued = OidcCodeIssued {
            client_id: client.client_id.clone(),
            scope: req.scope(),
            acr: acr.as_str().to_owned(),
        };
        let event = AuditEvent::new(issued, Outcome::Success, now, meta)
            .by_self(&auth.user.id, &auth.user.contract_id);
        tx.append_audit(&event).await?;
        Ok(client_url(
            &req.redirect_uri,
            &[
                ("code", Some(code.expose())),
                ("state", req.state.as_deref()),
                ("iss", Some(self.issuer())),
            ],
        ))
    }
}
