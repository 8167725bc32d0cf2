//! The authorization endpoint's use cases: a new request, its continuation once the person has
//! signed in (`/oauth2/authorize/continue/{id}`), and the consent decision. The client and its
//! redirect URI are checked before anything else and, when wrong, answered with a page: an
//! error sent to an unchecked URI would make us an open redirector (RFC 9700 §4.11). Every
//! later refusal goes back to the client with `state` and `iss` (RFC 9207, against mix-up).

use crate::audit::{AuditEvent, OidcConsent, Outcome};
use crate::error::Result;
use crate::model::RequestMeta;
use crate::oidc::decision::{ClientDemands, Next, next_step};
use crate::oidc::oauth_error::{OAuthCode, OAuthError};
use crate::oidc::request::{
    AcrLevel, AuthorizeParams, AuthorizeRequest, scope_words, scopes_cover, validate,
};
use crate::service::{Authenticated, Services};
use crate::store::{
    AuditLog, Consent, Groups, OidcGrants, PendingAuthorization, Store, Transaction,
};

use super::client::FlowClient;
use super::code::client_url;
use super::facts_of;

/// What the browser is sent to next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// The client or the redirect URI is wrong, or the request expired: a page says why, and
    /// nothing is sent to the client.
    Refused(&'static str),
    /// On to this address at the client: the code, or an error.
    ToClient(String),
    /// Sign in (more strongly, or again), then come back to the pending request.
    SignIn {
        pending_id: String,
        acr: Option<AcrLevel>,
        /// The current session was ended (`prompt=login`, or older than `max_age`): the page
        /// forgets its cookie.
        end_session: bool,
    },
    /// Ask for consent.
    Consent(ConsentPrompt),
}

/// The consent page's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPrompt {
    pub pending_id: String,
    pub client_name: String,
    /// What each requested scope lets the client learn, in words.
    pub claims: Vec<&'static str>,
}

impl<S: Store> Services<S> {
    pub(super) fn issuer(&self) -> &str {
        &self.settings.oidc_issuer
    }

    fn error_to_client(&self, req: &AuthorizeRequest, code: OAuthCode, desc: &str) -> String {
        client_url(
            &req.redirect_uri,
            &[
                ("error", Some(code.as_str())),
                ("error_description", Some(desc)),
                ("state", req.state.as_deref()),
                ("iss", Some(self.issuer())),
            ],
        )
    }

    /// `GET /oauth2/authorize`.
    pub async fn authorize(
        &self,
        params: &AuthorizeParams,
        auth: Option<&Authenticated>,
        meta: &RequestMeta,
    ) -> Result<AuthorizeOutcome> {
        let Some(client_id) = params.client_id.as_deref() else {
            return Ok(AuthorizeOutcome::Refused(
                "The application did not say who it is.",
            ));
        };
        let Some(client) = self.flow_client(client_id).await? else {
            return Ok(AuthorizeOutcome::Refused(
                "This application is not known here. Tell its administrator.",
            ));
        };
        let redirect_uri = match params.redirect_uri.as_deref() {
            Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri,
            _ => {
                return Ok(AuthorizeOutcome::Refused(
                    "The application asked to return to an address it has not registered. \
                     Tell its administrator.",
                ));
            }
        };
        let req = match validate(params, &client.client_id, redirect_uri, client.public) {
            Ok(req) => req,
            Err(OAuthError::Refused { code, description }) => {
                let url = client_url(
                    redirect_uri,
                    &[
                        ("error", Some(code.as_str())),
                        ("error_description", Some(&description)),
                        ("state", params.state.as_deref()),
                        ("iss", Some(self.issuer())),
                    ],
                );
                return Ok(AuthorizeOutcome::ToClient(url));
            }
            Err(_) => return Ok(AuthorizeOutcome::Refused("The request could not be read.")),
        };
        self.proceed(&client, &req, None, auth, meta).await
    }

    /// `GET /oauth2/authorize/continue/{id}`: back from the sign-in page.
    pub async fn continue_authorization(
        &self,
        pending_id: &str,
        auth: Option<&Authenticated>,
        meta: &RequestMeta,
    ) -> Result<AuthorizeOutcome> {
        let Some((pending, req, client)) = self.pending(pending_id).await? else {
            return Ok(expired());
        };
        self.proceed(&client, &req, Some(&pending), auth, meta)
            .await
    }

    /// The consent page's Allow or Deny. A remembered consent grows to cover these scopes.
    pub async fn decide_consent(
        &self,
        pending_id: &str,
        auth: &Authenticated,
        allow: bool,
        meta: &RequestMeta,
    ) -> Result<AuthorizeOutcome> {
        let Some((pending, req, client)) = self.pending(pending_id).await? else {
            return Ok(expired());
        };
        // The page was shown to a session that may have ended or weakened since; an Allow
        // counts only while consent is still the next step. A Deny always ends the request.
        if allow {
            let again = self
                .proceed(&client, &req, Some(&pending), Some(auth), meta)
                .await?;
            if !matches!(again, AuthorizeOutcome::Consent(_)) {
                return Ok(again);
            }
        }
        let now = self.now();
        let detail = OidcConsent {
            client_id: client.client_id.clone(),
            scope: req.scope(),
        };
        let user = &auth.user;
        let mut tx = self.store.begin().await?;
        if !allow {
            if !tx.delete_pending_authorization(&pending.id).await? {
                return Ok(expired());
            }
            let event = AuditEvent::new(
                crate::audit::AuditDetail::OidcConsentDenied(detail),
                Outcome::Denied,
                now,
                meta,
            )
            .by_self(&user.id, &user.contract_id);
            tx.append_audit(&event).await?;
            tx.commit().await?;
            let url = self.error_to_client(&req, OAuthCode::AccessDenied, "the person said no");
            return Ok(AuthorizeOutcome::ToClient(url));
        }
        let mut scopes = req.scopes.clone();
        if let Some(old) = tx.consent(&user.id, &client.client_id).await? {
            for s in old.scope.split(' ').filter(|s| !s.is_empty()) {
                if !scopes.iter().any(|x| x == s) {
                    scopes.push(s.to_owned());
                }
            }
        }
        tx.put_consent(&Consent {
            user_id: user.id.clone(),
            client_id: client.client_id.clone(),
            scope: scopes.join(" "),
            granted_at: now,
        })
        .await?;
        let event = AuditEvent::new(
            crate::audit::AuditDetail::OidcConsentGranted(detail),
            Outcome::Success,
            now,
            meta,
        )
        .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        let url = self
            .issue_code(&mut tx, &client, &req, Some(&pending.id), auth, meta)
            .await?;
        tx.commit().await?;
        Ok(AuthorizeOutcome::ToClient(url))
    }

    /// The pending request, its parsed form and its client, while all three still hold.
    async fn pending(
        &self,
        id: &str,
    ) -> Result<Option<(PendingAuthorization, AuthorizeRequest, FlowClient)>> {
        let mut tx = self.store.begin_read().await?;
        let Some(pending) = tx.pending_authorization(id, self.now()).await? else {
            return Ok(None);
        };
        let Ok(req) = serde_json::from_str::<AuthorizeRequest>(&pending.request) else {
            return Ok(None);
        };
        let Some(client) = self.flow_client_in(&mut tx, &pending.client_id).await? else {
            return Ok(None);
        };
        // The client may have dropped this redirect URI meanwhile.
        if !client.redirect_uris.contains(&req.redirect_uri) {
            return Ok(None);
        }
        Ok(Some((pending, req, client)))
    }

    async fn proceed(
        &self,
        client: &FlowClient,
        req: &AuthorizeRequest,
        pending: Option<&PendingAuthorization>,
        auth: Option<&Authenticated>,
        meta: &RequestMeta,
    ) -> Result<AuthorizeOutcome> {
        let now = self.now();
        let requested_at = pending.map(|p| p.created_at);
        let demands = ClientDemands {
            require_2fa: client.require_2fa,
            first_party: client.first_party,
        };
        let mut tx = self.store.begin_read().await?;
        let consented = match auth {
            Some(a) => tx
                .consent(&a.user.id, &client.client_id)
                .await?
                .is_some_and(|c| scopes_cover(&c.scope, &req.scopes)),
            None => false,
        };
        let facts = auth.map(|a| facts_of(&a.session));
        let next = next_step(req, facts, demands, consented, requested_at, now);
        // Whoever is signed in must be someone the client admits, before consent or a code.
        if let (Some(a), Next::Consent | Next::Issue) = (auth, next) {
            let groups = tx.groups_of_user(&a.user.id).await?;
            if !client.admits(&a.user, &groups) {
                drop(tx);
                self.forget_pending(pending).await?;
                let url = self.error_to_client(
                    req,
                    OAuthCode::AccessDenied,
                    "this person may not use this application",
                );
                return Ok(AuthorizeOutcome::ToClient(url));
            }
        }
        drop(tx);
        match (next, auth) {
            (Next::Refuse(code, desc), _) => {
                self.forget_pending(pending).await?;
                Ok(AuthorizeOutcome::ToClient(
                    self.error_to_client(req, code, desc),
                ))
            }
            (Next::SignIn { acr, fresh }, auth) => {
                let pending_id = self.keep_pending(client, req, pending).await?;
                // `prompt=login` or `max_age`: this session may not stand for the new sign-in.
                if let (true, Some(auth)) = (fresh, auth) {
                    self.logout(auth, meta).await?;
                }
                Ok(AuthorizeOutcome::SignIn {
                    pending_id,
                    acr,
                    end_session: fresh,
                })
            }
            (Next::Consent, _) => {
                let pending_id = self.keep_pending(client, req, pending).await?;
                Ok(AuthorizeOutcome::Consent(ConsentPrompt {
                    pending_id,
                    client_name: client.name.clone(),
                    claims: req.scopes.iter().filter_map(|s| scope_words(s)).collect(),
                }))
            }
            (Next::Issue, Some(auth)) => {
                let mut tx = self.store.begin().await?;
                let url = self
                    .issue_code(
                        &mut tx,
                        client,
                        req,
                        pending.map(|p| p.id.as_str()),
                        auth,
                        meta,
                    )
                    .await?;
                tx.commit().await?;
                Ok(AuthorizeOutcome::ToClient(url))
            }
            // `next_step` issues only to a session; nobody signed in is sent to sign in.
            (Next::Issue, None) => Ok(expired()),
        }
    }
}

fn expired() -> AuthorizeOutcome {
    AuthorizeOutcome::Refused(
        "This sign-in request has expired or was already used. Go back to the application and \
         start again.",
    )
}
