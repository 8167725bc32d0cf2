//! A key as the second step after the password: options naming the person's keys (bound to the
//! login ticket; a new start replaces the last), then the assertion, checked against the key
//! it names. A wrong answer of any kind — malformed, for another person's key, replayed, or
//! from a key whose counter went back — is a wrong code: it counts against the ticket and the
//! account, and the session opens only in the transaction that uses the ticket up.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::login::{Factor, Method};
use crate::model::{RequestMeta, SessionKind, TicketPurpose};
use crate::secret::Token;
use crate::store::{CeremonyPurpose, Store, Transaction, WebauthnStore};
use crate::webauthn::{self, Refusal, Verification};

use crate::service::Services;
use crate::service::login::LoginResult;

impl<S: Store> Services<S> {
    /// Options for `navigator.credentials.get()` naming the ticket's person's keys.
    pub async fn start_webauthn_login(&self, ticket: &Token, _meta: &RequestMeta) -> Result<Value> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let mut tx = self.store.begin().await?;
        let keys = tx.webauthn_credentials_of_user(&user.id).await?;
        if keys.is_empty() {
            return Err(Error::TwoFactorNotEnabled);
        }
        let records: Vec<&str> = keys.iter().map(|k| k.record.as_str()).collect();
        let (public_key, state) = self
            .relying_party()?
            .start_authentication(&records, Verification::Preferred)
            .map_err(|r| Error::internal_msg(format!("{r:?}")))?;
        self.keep_ceremony(
            &mut tx,
            CeremonyPurpose::SecondStep,
            Some(&user.id),
            Some(&t.id),
            &state,
        )
        .await?;
        tx.commit().await?;
        Ok(public_key)
    }

    /// The second step with a key's assertion.
    pub async fn login_with_webauthn(
        &self,
        ticket: &Token,
        answer: &Value,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        // Taken whatever follows: one answer per challenge.
        let taken = tx.take_webauthn_ceremony_of_ticket(&t.id, now).await?;
        let parsed = webauthn::parse_assertion(answer).ok();
        if let (Some(taken), Some(assertion)) = (taken, parsed) {
            let named = webauthn::encode_id(&assertion.raw_id);
            let key = tx
                .webauthn_credential_by_credential_id(&named)
                .await?
                .filter(|k| k.credential.user_id == user.id);
            if let Some(key) = key {
                match self.relying_party()?.finish_authentication(
                    &taken.state,
                    &assertion,
                    &key.record,
                    key.sign_count,
                ) {
                    Ok(verified) => {
                        if tx
                            .record_webauthn_use(
                                &key.credential.id,
                                key.sign_count,
                                verified.sign_count,
                                verified.backup_state,
                                now,
                            )
                            .await?
                        {
                            return self
                                .finish_second_step(
                                    tx,
                                    &t,
                                    user,
                                    Factor::Key {
                                        synced: verified.backup_eligible,
                                    },
                                    kind,
                                    meta,
                                )
                                .await;
                        }
                    }
                    Err(Refusal::CounterWentBack) => {
                        let presented = webauthn::presented_count(&assertion).unwrap_or(0);
                        self.audit_clone_suspected(&mut tx, &key, presented, &user, meta)
                            .await?;
                    }
                    Err(_) => {}
                }
            }
        }
        self.second_step_failed(Some(tx), &t, &user, Method::Webauthn, meta)
            .await
    }
}
