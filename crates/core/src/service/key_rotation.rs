//! Rotation of the master key: every sealed secret is opened with whichever key sealed it and
//! sealed anew with the current one, in small transactions, while the server keeps serving. Each
//! row is replaced by one conditional update, so a secret rewritten meanwhile (a new enrolment)
//! is never overwritten with an older one; a rotation that stops half-way is resumed by running
//! it again, because what is left is simply "every row a key other than the current one sealed".
//!
//! The key of the recovery codes' digests cannot be rotated (the codes are stored as digests
//! only), so it is kept in the database, sealed like any other secret: see [`settle_digest_key`].

use crate::clock::UnixTime;
use crate::crypto::Keyring;
use crate::error::{Error, Result};
use crate::store::{SealedSecrets, SealedTable, Store, Transaction};

use super::Services;

/// The name under which the recovery codes' digest key is kept in `key_material`.
pub const DIGEST_KEY: &str = "recovery digests";

/// The key of recovery-code (and phone-code) digests: the one kept in the database, or, on the
/// first start, `derived` (from the master key), which is then stored sealed for every later
/// start and every other node.
pub async fn settle_digest_key<S: Store>(
    store: &S,
    sealing: &Keyring,
    derived: [u8; 32],
    now: UnixTime,
) -> Result<[u8; 32]> {
    let context = SealedTable::KeyMaterial.context(DIGEST_KEY);
    let mut read = store.begin_read().await?;
    let stored = read.key_material(DIGEST_KEY).await?;
    drop(read);
    let sealed = match stored {
        Some(sealed) => sealed,
        None => {
            let mut tx = store.begin().await?;
            tx.insert_key_material(DIGEST_KEY, &sealing.seal(&derived, &context)?, now)
                .await?;
            // Several nodes may have started at once: whichever stored first is the key.
            let sealed = tx
                .key_material(DIGEST_KEY)
                .await?
                .ok_or_else(|| Error::internal_msg("the digest key was not stored"))?;
            tx.commit().await?;
            sealed
        }
    };
    let key = sealing.open(&sealed, &context).map_err(|_| {
        Error::internal_msg(format!(
            "the database's keys are sealed with master key {}, which is not configured \
             (configured: {})",
            sealed.key_id,
            sealing.ids().join(", ")
        ))
    })?;
    key.as_slice()
        .try_into()
        .map_err(|_| Error::internal_msg("the stored digest key is not 32 bytes"))
}

/// What is still sealed by a key other than the current one, by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remaining(pub Vec<(SealedTable, u64)>);

impl Remaining {
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

impl<S: Store> Services<S> {
    /// Seals anew, under the current key, up to `batch` secrets of each table that another key
    /// sealed, one transaction per table; how many rows it replaced.
    pub async fn reseal_batch(&self, batch: u32) -> Result<u64> {
        let keys = &self.keys.sealing;
        let current = keys.current_id();
        let mut replaced = 0;
        for table in SealedTable::ALL {
            let mut tx = self.store.begin().await?;
            let rows = tx.sealed_not_under(table, &current, batch).await?;
            for row in &rows {
                let context = table.context(&row.id);
                let plain = keys.open(&row.sealed, &context).map_err(|_| {
                    Error::internal_msg(format!(
                        "a secret in {} is sealed with key {}, which is not configured \
                         (configured: {})",
                        table.name(),
                        row.sealed.key_id,
                        keys.ids().join(", ")
                    ))
                })?;
                if tx.reseal(row, &keys.seal(&plain, &context)?).await? {
                    replaced += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(replaced)
    }

    /// How many secrets, by table, a key other than the current one sealed.
    pub async fn sealed_remaining(&self) -> Result<Remaining> {
        let current = self.keys.sealing.current_id();
        let mut read = self.store.begin_read().await?;
        let mut counts = Vec::new();
        for table in SealedTable::ALL {
            counts.push((table, read.count_sealed_not_under(table, &current).await?));
        }
        Ok(Remaining(counts))
    }
}
