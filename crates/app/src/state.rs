//! What the app remembers: paired accounts (server, device id, the device's signing key) and
//! imported authenticators. It exists in clear only in memory; on disk it is the encrypted file
//! of [`crate::state_file`]. Secrets are serialised as base64url only into the plaintext that is
//! sealed there, and that buffer is zeroized.

use serde::{Deserialize, Serialize};

use crate::device_key::DeviceKey;
use crate::otpauth::Authenticator;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub accounts: Vec<PairedAccount>,
    #[serde(default)]
    pub authenticators: Vec<Authenticator>,
}

/// One pairing with one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedAccount {
    /// The server's public URL, without a trailing slash.
    pub server: String,
    pub account: String,
    pub issuer: String,
    pub device_id: String,
    /// The name this device gave itself when pairing.
    pub name: String,
    #[serde(with = "b64_secret")]
    pub key: DeviceKey,
    /// Unix seconds.
    pub paired_at: i64,
}

impl State {
    /// Adds a pairing; an earlier pairing of the same account on the same server is replaced
    /// (returned, so the caller can say so).
    pub fn add_account(&mut self, account: PairedAccount) -> Option<PairedAccount> {
        let old = self
            .accounts
            .iter()
            .position(|a| a.server == account.server && a.account == account.account)
            .map(|i| self.accounts.remove(i));
        self.accounts.push(account);
        old
    }

    /// Adds an authenticator; one with the same issuer and account is replaced.
    pub fn add_authenticator(&mut self, auth: Authenticator) -> bool {
        let old = self
            .authenticators
            .iter()
            .position(|a| a.issuer == auth.issuer && a.account == auth.account)
            .map(|i| self.authenticators.remove(i));
        self.authenticators.push(auth);
        old.is_some()
    }

    /// The paired accounts `filter` names (by account, case-insensitively), or all of them.
    pub fn accounts_matching(&self, filter: Option<&str>) -> Vec<PairedAccount> {
        self.accounts
            .iter()
            .filter(|a| filter.is_none_or(|f| a.account.eq_ignore_ascii_case(f)))
            .cloned()
            .collect()
    }
}

/// Secret bytes as base64url inside the sealed plaintext.
pub mod b64_secret {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;

    use crate::device_key::DeviceKey;
    use crate::otpauth::OtpSecret;

    /// The two secret kinds the state holds.
    pub trait SecretBytes: Sized {
        fn bytes(&self) -> Zeroizing<Vec<u8>>;
        fn from_bytes(bytes: &[u8]) -> Option<Self>;
    }

    impl SecretBytes for DeviceKey {
        fn bytes(&self) -> Zeroizing<Vec<u8>> {
            Zeroizing::new(self.secret().to_vec())
        }
        fn from_bytes(bytes: &[u8]) -> Option<Self> {
            let seed: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.try_into().ok()?);
            Some(DeviceKey::from_secret(&seed))
        }
    }

    impl SecretBytes for OtpSecret {
        fn bytes(&self) -> Zeroizing<Vec<u8>> {
            Zeroizing::new(self.expose().to_vec())
        }
        fn from_bytes(bytes: &[u8]) -> Option<Self> {
            Some(OtpSecret::from_bytes(bytes.to_vec()))
        }
    }

    pub fn serialize<T: SecretBytes, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*value.bytes()));
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, T: SecretBytes, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(text.as_bytes())
                .map_err(|_| D::Error::custom("a secret is not base64url"))?,
        );
        T::from_bytes(&bytes).ok_or_else(|| D::Error::custom("a secret has the wrong length"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(server: &str, account: &str, device: &str) -> PairedAccount {
        PairedAccount {
            server: server.into(),
            account: account.into(),
            issuer: "Portcullis".into(),
            device_id: device.into(),
            name: "phone".into(),
            key: DeviceKey::generate(),
            paired_at: 0,
        }
    }

    #[test]
    fn pairing_the_same_account_again_replaces_the_old_pairing() {
        let mut s = State::default();
        assert!(
            s.add_account(paired("http://a", "ann@x.org", "d1"))
                .is_none()
        );
        assert!(
            s.add_account(paired("http://b", "ann@x.org", "d2"))
                .is_none()
        );
        let old = s
            .add_account(paired("http://a", "ann@x.org", "d3"))
            .unwrap();
        assert_eq!(old.device_id, "d1");
        assert_eq!(s.accounts.len(), 2);
        assert_eq!(s.accounts_matching(Some("ANN@x.org")).len(), 2);
        assert_eq!(s.accounts_matching(Some("bob@x.org")).len(), 0);
    }

    #[test]
    fn keys_survive_serialisation() {
        let mut s = State::default();
        s.add_account(paired("http://a", "ann@x.org", "d1"));
        let json = serde_json::to_vec(&s).unwrap();
        let back: State = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            back.accounts[0].key.public_key_b64(),
            s.accounts[0].key.public_key_b64()
        );
        let secret = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            *s.accounts[0].key.secret(),
        );
        assert!(String::from_utf8_lossy(&json).contains(&secret));
        assert!(!format!("{back:?}").contains(&secret));
    }
}
