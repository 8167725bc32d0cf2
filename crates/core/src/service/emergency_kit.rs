//! The emergency kit ("Save your secret key"): the recovery codes and the authenticator
//! key, sealed and kept for a short while after activation or regeneration, for the session that
//! did it only. After that the codes exist only as digests and the kit cannot be made again.

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::model::SessionId;
use crate::recovery::RecoveryCode;
use crate::store::{EmergencyKits, Store};

use super::held::{CodesOccasion, HeldCodes};
use super::{Authenticated, Services, TotpEnrolment};

/// What the kit shows. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, serde::Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct KitMaterial {
    pub recovery_codes: Vec<String>,
    pub secret_base32: Option<String>,
    pub otpauth_uri: Option<String>,
}

impl std::fmt::Debug for KitMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KitMaterial(<redacted>)")
    }
}

fn kit_context(session: &SessionId) -> Vec<u8> {
    format!("kit:{session}").into_bytes()
}

impl<S: Store> Services<S> {
    pub(crate) async fn store_kit(
        &self,
        tx: &mut S::Tx,
        session: &SessionId,
        codes: &[RecoveryCode],
        totp: Option<&TotpEnrolment>,
        occasion: CodesOccasion,
    ) -> Result<()> {
        // The page that shows the codes once takes them from here; holding them in the
        // transaction that makes them means no set can exist that its person never saw.
        let held = HeldCodes {
            occasion,
            codes: codes.iter().map(RecoveryCode::display).collect(),
        };
        self.hold_in(tx, session, &held).await?;
        let material = KitMaterial {
            recovery_codes: codes.iter().map(RecoveryCode::display).collect(),
            secret_base32: totp.map(|t| t.secret.base32()),
            otpauth_uri: totp.map(|t| t.otpauth_uri.clone()),
        };
        let json = zeroize::Zeroizing::new(serde_json::to_vec(&material).map_err(Error::internal)?);
        let sealed: Sealed = self.keys.sealing.seal(&json, &kit_context(session))?;
        tx.put_kit(
            session,
            &sealed,
            self.now().plus_secs(self.settings.kit_secs),
        )
        .await
    }

    /// The kit of this session, while it is still available.
    pub async fn emergency_kit(&self, auth: &Authenticated) -> Result<KitMaterial> {
        let mut tx = self.store.begin_read().await?;
        let sealed = tx
            .kit(&auth.session.id, self.now())
            .await?
            .ok_or(Error::KitUnavailable)?;
        let json = self
            .keys
            .sealing
            .open(&sealed, &kit_context(&auth.session.id))?;
        serde_json::from_slice(&json).map_err(Error::internal)
    }
}
