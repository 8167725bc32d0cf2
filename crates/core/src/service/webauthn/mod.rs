//! Passkeys and security keys (WebAuthn), one folder for the factor: `register` (adding a key
//! on the security page, listing, renaming and removing keys), `second_step` (a key after the
//! password), `passkey` (a sign-in with a passkey and no password) and `enrol` (adding a key in
//! the forced setup). What they share is here: the relying party made from the public URL, the
//! ceremonies kept in the store, and making a verified key the account's.
//!
//! Every ceremony's state is in the database, single use and five minutes long, so a ceremony
//! started on one node finishes on another, and a challenge never works twice. The options and
//! the verification are [`crate::webauthn`]'s (Kanidm's webauthn-rs core); the ticket, the
//! guess counting and the session are [`super::login`]'s.

mod enrol;
mod passkey;
mod register;
mod second_step;

use serde_json::Value;

use crate::audit::{AuditEvent, Outcome, WebauthnAdded, WebauthnCloneSuspected, Wizard};
use crate::error::{Error, Result};
use crate::model::{RequestMeta, TicketId, User, UserId, WebauthnCredential, WebauthnCredentialId};
use crate::notice::SecurityEvent;
use crate::recovery::{self, RecoveryCode};
use crate::secret::Token;
use crate::store::{
    AuditLog, CeremonyPurpose, NewCeremony, Phones, RecoveryCodes, Store, StoredCredential,
    Transaction, WebauthnStore,
};
use crate::webauthn::{self, CEREMONY_SECS, Refusal, RelyingParty};

use super::Services;

/// A ceremony's first half: the token that names it for the second call, and the options for
/// `navigator.credentials.create()` or `get()` (WebAuthn Level 3 JSON).
#[derive(Debug)]
pub struct CeremonyStart {
    pub ceremony: Token,
    pub public_key: Value,
}

/// A key just added, and the recovery codes when it was the account's first factor (shown once).
#[derive(Debug)]
pub struct WebauthnRegistered {
    pub credential: WebauthnCredential,
    pub recovery_codes: Vec<RecoveryCode>,
}

/// The opaque user handle an authenticator keeps with a discoverable passkey: the account id,
/// never the email, so the key says nothing about its owner to whoever holds it.
fn user_handle(user: &UserId) -> Vec<u8> {
    user.as_str().as_bytes().to_vec()
}

impl<S: Store> Services<S> {
    /// The relying party of the public URL (read each time: the URL is settled at bind).
    pub(crate) fn relying_party(&self) -> Result<RelyingParty> {
        RelyingParty::for_public_url(&self.settings.public_url, &self.settings.totp_issuer)
            .map_err(Error::internal_msg)
    }

    /// Keeps a ceremony's state for five minutes under a fresh token's digest.
    pub(crate) async fn keep_ceremony(
        &self,
        tx: &mut S::Tx,
        purpose: CeremonyPurpose,
        user: Option<&UserId>,
        ticket: Option<&TicketId>,
        state: &str,
    ) -> Result<Token> {
        let now = self.now();
        let token = Token::generate();
        tx.insert_webauthn_ceremony(&NewCeremony {
            digest: &token.digest(),
            purpose,
            user,
            ticket,
            state,
            now,
            expires_at: now.plus_secs(CEREMONY_SECS),
        })
        .await?;
        Ok(token)
    }

    /// Marks a ceremony used after its answer failed (the failed transaction rolled back its
    /// own take): an answer is tried once.
    pub(crate) async fn use_up_ceremony(
        &self,
        ceremony: &Token,
        purpose: CeremonyPurpose,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.take_webauthn_ceremony(&ceremony.digest(), purpose, self.now())
            .await?;
        tx.commit().await
    }

    /// Creation options for `user`, excluding the keys they already have.
    pub(crate) async fn registration_options(
        &self,
        tx: &mut S::Tx,
        user: &User,
    ) -> Result<(Value, String)> {
        let exclude = tx
            .webauthn_credentials_of_user(&user.id)
            .await?
            .into_iter()
            .filter_map(|c| {
                use base64::Engine as _;
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c.credential_id)
                    .ok()
            })
            .collect();
        self.relying_party()?
            .start_registration(&user_handle(&user.id), user.email.as_str(), exclude)
            .map_err(|r| Error::internal_msg(format!("{r:?}")))
    }

    /// Verifies a new key's answer against the kept `state` and makes the key `user`'s, inside
    /// the caller's transaction, with its audit row and notice. When the account had no factor
    /// yet, 2FA has just been switched on: a new set of recovery codes is made and returned.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn register_key_in(
        &self,
        tx: &mut S::Tx,
        user: &User,
        state: &str,
        name: &str,
        answer: &Value,
        wizard: Option<Wizard>,
        meta: &RequestMeta,
    ) -> Result<WebauthnRegistered> {
        let name =
            webauthn::parse_credential_name(name).map_err(|e| Error::Validation(e.into()))?;
        // A key registered before (to anyone) is named as such rather than as a bad answer.
        if let Some(id) = webauthn::registration_credential_id(answer)
            && tx
                .webauthn_credential_by_credential_id(&webauthn::encode_id(&id))
                .await?
                .is_some()
        {
            return Err(Error::CredentialExists);
        }
        let key = self
            .relying_party()?
            .finish_registration(state, answer)
            .map_err(|r| match r {
                Refusal::Invalid(why) => Error::InvalidWebauthn(why),
                Refusal::CounterWentBack | Refusal::NotVerified => {
                    Error::InvalidWebauthn("the key did not verify".into())
                }
            })?;
        let first_factor = !self.has_factor_in(tx, &user.id).await?;
        if first_factor
            && self.settings.require_phone_for_2fa
            && tx.verified_phone(&user.id).await?.is_none()
        {
            return Err(Error::PhoneNotVerified);
        }
        let now = self.now();
        let credential = WebauthnCredential {
            id: WebauthnCredentialId::generate(),
            user_id: user.id.clone(),
            name,
            created_at: now,
            last_used_at: None,
            passkey: key.user_verified,
            backup_eligible: key.backup_eligible,
            backup_state: key.backup_state,
            transports: key.transports,
            aaguid: key.aaguid,
        };
        tx.insert_webauthn_credential(&StoredCredential {
            credential: credential.clone(),
            credential_id: webauthn::encode_id(&key.credential_id),
            record: key.record,
            sign_count: key.sign_count,
        })
        .await?;
        let recovery_codes = if first_factor || wizard.is_some() {
            let codes = recovery::generate_set();
            let digests: Vec<String> = codes
                .iter()
                .map(|c| c.digest(&self.keys.recovery))
                .collect();
            tx.replace_recovery_codes(&user.id, &digests, now).await?;
            codes
        } else {
            Vec::new()
        };
        let added = WebauthnAdded {
            credential_id: credential.id.clone(),
            name: credential.name.clone(),
            passkey: credential.passkey,
            wizard,
        };
        let event = AuditEvent::new(added, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        let notice = SecurityEvent::WebauthnAdded {
            name: credential.name.clone(),
        };
        self.notify_security(tx, user, notice, meta, now).await?;
        Ok(WebauthnRegistered {
            credential,
            recovery_codes,
        })
    }

    /// Records a refused assertion whose counter went back (a possible clone of the key).
    pub(crate) async fn audit_clone_suspected(
        &self,
        tx: &mut S::Tx,
        key: &StoredCredential,
        presented: u32,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<()> {
        let detail = WebauthnCloneSuspected {
            credential_id: key.credential.id.clone(),
            stored_count: key.sign_count,
            presented_count: presented,
        };
        let event = AuditEvent::new(detail, Outcome::Denied, self.now(), meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await
    }
}
