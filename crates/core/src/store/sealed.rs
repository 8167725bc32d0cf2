//! Every sealed secret, whatever table it lives in, for a key rotation: find the ones a key other
//! than the current one sealed, and put a newly sealed copy in their place. Also the key material
//! kept in the database itself (sealed under the master key).

use std::future::Future;

use crate::clock::UnixTime;
use crate::crypto::Sealed;
use crate::error::Result;

/// The tables that hold sealed secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealedTable {
    /// Authenticator keys of enrolments not yet activated.
    TotpPending,
    /// Authenticator keys of active factors.
    TotpFactors,
    /// Emergency kits (recovery codes and the key, 15 minutes after activation).
    EmergencyKits,
    /// What a page shows once after a form (`held`: codes, an app password, a pairing link),
    /// for a few minutes, to the session that made it.
    Held,
    /// Queued notices (what an email or SMS will say, codes included).
    Outbox,
    /// Keys that must outlive a rotation, such as the key of the recovery codes' digests.
    KeyMaterial,
    /// The OpenID Connect provider's private signing keys (PKCS #8).
    OidcSigningKeys,
    /// The shared secrets of RADIUS clients.
    RadiusClients,
}

impl SealedTable {
    pub const ALL: [SealedTable; 8] = [
        SealedTable::TotpPending,
        SealedTable::TotpFactors,
        SealedTable::EmergencyKits,
        SealedTable::Held,
        SealedTable::Outbox,
        SealedTable::KeyMaterial,
        SealedTable::OidcSigningKeys,
        SealedTable::RadiusClients,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SealedTable::TotpPending => "totp_pending",
            SealedTable::TotpFactors => "totp_factors",
            SealedTable::EmergencyKits => "emergency_kits",
            SealedTable::Held => "held",
            SealedTable::Outbox => "outbox",
            SealedTable::KeyMaterial => "key_material",
            SealedTable::OidcSigningKeys => "oidc_signing_keys",
            SealedTable::RadiusClients => "radius_clients",
        }
    }

    /// The associated data a row's secret is sealed with: it binds the ciphertext to its row.
    pub fn context(self, id: &str) -> Vec<u8> {
        match self {
            SealedTable::TotpPending | SealedTable::TotpFactors => format!("totp:{id}"),
            SealedTable::EmergencyKits => format!("kit:{id}"),
            SealedTable::Held => format!("held:{id}"),
            SealedTable::Outbox => id.to_owned(),
            SealedTable::KeyMaterial => format!("key:{id}"),
            SealedTable::OidcSigningKeys => format!("oidc-key:{id}"),
            SealedTable::RadiusClients => format!("radius-client:{id}"),
        }
        .into_bytes()
    }
}

/// One sealed secret and the row it belongs to (the row's key: a user, session, message or name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRow {
    pub table: SealedTable,
    pub id: String,
    pub sealed: Sealed,
}

pub trait SealedSecrets {
    /// Up to `limit` rows of `table` sealed by a key other than `key_id`.
    fn sealed_not_under(
        &mut self,
        table: SealedTable,
        key_id: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SealedRow>>> + Send;
    /// How many rows of `table` a key other than `key_id` sealed.
    fn count_sealed_not_under(
        &mut self,
        table: SealedTable,
        key_id: &str,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Replaces `row`'s secret by `resealed` if the row still holds exactly what was read (one
    /// conditional update: a secret replaced meanwhile, say by a new enrolment, is left alone);
    /// false if it did not.
    fn reseal(
        &mut self,
        row: &SealedRow,
        resealed: &Sealed,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The key material called `name`, sealed.
    fn key_material(&mut self, name: &str) -> impl Future<Output = Result<Option<Sealed>>> + Send;
    /// Stores key material unless some is already stored under `name` (several nodes may start
    /// at once: the first one's stays).
    fn insert_key_material(
        &mut self,
        name: &str,
        sealed: &Sealed,
        at: UnixTime,
    ) -> impl Future<Output = Result<()>> + Send;
}
