//! Signing keys: one current key per algorithm (RS256, ES256, EdDSA), sealed under the master
//! key in `oidc_signing_keys`. [`Services::ensure_oidc_signing_keys`] makes the missing ones at
//! start (several nodes starting together keep the first one stored: a unique index);
//! [`Services::rotate_oidc_signing_key`] retires the current key, which stays in JWKS for
//! [`RETIRED_KEY_PUBLISHED_SECS`] so every token it signed can still be checked, and stores a
//! new one. Signing reads the keys through [`KeyCache`], refreshed every [`KEY_CACHE_SECS`], so
//! a rotation made on another node or at the shell is in use everywhere within seconds.

use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::audit::{AuditEvent, OidcSigningKeyRotated, Outcome};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::RequestMeta;
use crate::oidc::jose::{self, Alg, SigningKey};
use crate::oidc::{KEY_CACHE_SECS, RETIRED_KEY_PUBLISHED_SECS};
use crate::store::{AuditLog, OidcSigningKeys, SealedTable, Store, StoredSigningKey, Transaction};

use super::super::Services;

/// The keys as last read: the current private keys, opened, and the JWKS document.
struct Loaded {
    at: UnixTime,
    current: Vec<Arc<SigningKey>>,
    jwks: Value,
}

/// The signing keys one node keeps in memory for a few seconds.
#[derive(Default)]
pub(crate) struct KeyCache {
    loaded: RwLock<Option<Arc<Loaded>>>,
}

impl KeyCache {
    fn fresh(&self, now: UnixTime) -> Option<Arc<Loaded>> {
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        loaded
            .as_ref()
            .filter(|l| now.0 >= l.at.0 && now.0 - l.at.0 < KEY_CACHE_SECS)
            .cloned()
    }

    fn store(&self, loaded: Arc<Loaded>) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Some(loaded);
    }

    fn forget(&self) {
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct RotatedKey {
    pub alg: Alg,
    pub kid: String,
    /// When the key it replaced leaves JWKS (`None` if there was none).
    pub old_published_until: Option<UnixTime>,
}

impl<S: Store> Services<S> {
    fn seal_signing_key(&self, key: &SigningKey, now: UnixTime) -> Result<StoredSigningKey> {
        let der = key.to_pkcs8()?;
        let context = SealedTable::OidcSigningKeys.context(key.kid());
        Ok(StoredSigningKey {
            kid: key.kid().to_owned(),
            alg: key.alg(),
            sealed: self.keys.sealing.seal(&der, &context)?,
            public_jwk: key.public_jwk().to_string(),
            created_at: now,
            retired_at: None,
            publish_until: None,
        })
    }

    /// Makes a current key for every algorithm that has none (the first start). Key generation
    /// happens before the transaction opens (RSA takes a while); a key another node stored
    /// meanwhile wins, and ours is dropped.
    pub async fn ensure_oidc_signing_keys(&self) -> Result<()> {
        let now = self.now();
        let present: Vec<Alg> = {
            let mut read = self.store.begin_read().await?;
            read.published_signing_keys(now)
                .await?
                .into_iter()
                .filter(|k| k.retired_at.is_none())
                .map(|k| k.alg)
                .collect()
        };
        let missing: Vec<Alg> = Alg::ALL
            .into_iter()
            .filter(|a| !present.contains(a))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut stored = Vec::new();
        for alg in missing {
            stored.push(self.seal_signing_key(&SigningKey::generate(alg)?, now)?);
        }
        let mut tx = self.store.begin().await?;
        for key in &stored {
            if tx.insert_current_signing_key(key).await? {
                tracing::info!(alg = %key.alg, kid = %key.kid, "made an OIDC signing key");
            }
        }
        tx.commit().await?;
        self.oidc_keys.forget();
        Ok(())
    }

    /// The operator's `portcullis oidc rotate-signing-key`: a new current key of `alg`; the old
    /// one is retired and published until every token it signed has expired.
    pub async fn rotate_oidc_signing_key(&self, alg: Alg) -> Result<RotatedKey> {
        let key = SigningKey::generate(alg)?;
        let now = self.now();
        let stored = self.seal_signing_key(&key, now)?;
        let until = UnixTime(now.0 + RETIRED_KEY_PUBLISHED_SECS);
        let mut tx = self.store.begin().await?;
        let retired = tx.retire_signing_key(alg, now, until).await?;
        if !tx.insert_current_signing_key(&stored).await? {
            return Err(Error::Conflict(
                "another rotation of this algorithm's key happened at the same moment",
            ));
        }
        let rotated = RotatedKey {
            alg,
            kid: key.kid().to_owned(),
            old_published_until: retired.then_some(until),
        };
        let detail = OidcSigningKeyRotated {
            alg: alg.as_str().to_owned(),
            kid: rotated.kid.clone(),
            publish_old_until: rotated.old_published_until.map(|t| t.0),
        };
        let event = AuditEvent::new(detail, Outcome::Success, now, &RequestMeta::default());
        tx.append_audit(&event.by_operator()).await?;
        tx.commit().await?;
        self.oidc_keys.forget();
        Ok(rotated)
    }

    /// The keys from the cache, or read again when it is older than [`KEY_CACHE_SECS`].
    async fn loaded_keys(&self) -> Result<Arc<Loaded>> {
        let now = self.now();
        if let Some(loaded) = self.oidc_keys.fresh(now) {
            return Ok(loaded);
        }
        let stored = {
            let mut read = self.store.begin_read().await?;
            read.published_signing_keys(now).await?
        };
        let mut current = Vec::new();
        let mut public = Vec::new();
        for key in &stored {
            public.push(serde_json::from_str::<Value>(&key.public_jwk).map_err(Error::internal)?);
            if key.retired_at.is_none() {
                let context = SealedTable::OidcSigningKeys.context(&key.kid);
                let der = self.keys.sealing.open(&key.sealed, &context).map_err(|_| {
                    Error::internal_msg(format!(
                        "OIDC signing key {} is sealed with master key {}, which is not configured",
                        key.kid, key.sealed.key_id
                    ))
                })?;
                current.push(Arc::new(SigningKey::from_pkcs8(key.alg, &der)?));
            }
        }
        let loaded = Arc::new(Loaded {
            at: now,
            current,
            jwks: jose::jwks(public),
        });
        self.oidc_keys.store(loaded.clone());
        Ok(loaded)
    }

    /// Signs `claims` as a JWT with the current RS256 key (OpenID Connect's default).
    pub async fn oidc_sign(&self, claims: &Value) -> Result<String> {
        self.oidc_sign_with(Alg::Rs256, claims).await
    }

    /// Signs `claims` as a JWT with the current key of `alg` (a client's
    /// `id_token_signed_response_alg`).
    pub async fn oidc_sign_with(&self, alg: Alg, claims: &Value) -> Result<String> {
        let loaded = self.loaded_keys().await?;
        let key = loaded
            .current
            .iter()
            .find(|k| k.alg() == alg)
            .ok_or_else(|| Error::internal_msg(format!("there is no current {alg} signing key")))?;
        key.sign(claims)
    }

    /// The JWKS document: the current keys and the retired ones still published.
    pub async fn oidc_jwks(&self) -> Result<Value> {
        Ok(self.loaded_keys().await?.jwks.clone())
    }
}
