//! Secrets that must be read back (TOTP keys, a short-lived emergency kit) are sealed with
//! XChaCha20-Poly1305 under a key derived from the master key. Each ciphertext is stored beside
//! the id of the key that sealed it, so a [`Keyring`] can hold old keys for reading while new
//! secrets are sealed with the current one (rotation). The associated data binds a ciphertext to
//! its row (e.g. the user id), so a sealed secret copied to another user's row does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::random_bytes;

/// One sealing key and its id (the first 8 bytes of its SHA-256, in hex; not secret).
pub struct SealingKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl SealingKey {
    pub fn new(key: &[u8; 32]) -> SealingKey {
        let id = hex::encode(&Sha256::digest(key)[..8]);
        let cipher = XChaCha20Poly1305::new_from_slice(key).expect("a 32-byte key");
        SealingKey { id, cipher }
    }
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The current key plus older ones that may still open what they sealed. The keys can be
/// replaced while the server runs ([`Keyring::replace`]): a key rotation makes a new key current
/// while the old one still opens what it sealed, until every secret has been sealed anew.
pub struct Keyring {
    ring: std::sync::RwLock<Ring>,
}

struct Ring {
    current: SealingKey,
    older: Vec<SealingKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring(current {})", self.current_id())
    }
}

/// A sealed secret as stored: the key id and `nonce || ciphertext`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub data: Vec<u8>,
}

impl Keyring {
    pub fn new(current: SealingKey, older: Vec<SealingKey>) -> Keyring {
        Keyring {
            ring: std::sync::RwLock::new(Ring { current, older }),
        }
    }

    /// Puts other keys in place: from now on `current` seals, and it or any of `older` opens.
    pub fn replace(&self, current: SealingKey, older: Vec<SealingKey>) {
        *self.ring.write().unwrap_or_else(|e| e.into_inner()) = Ring { current, older };
    }

    fn ring(&self) -> std::sync::RwLockReadGuard<'_, Ring> {
        // A panic while replacing cannot leave a half-written ring: the assignment is one move.
        self.ring.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> String {
        self.ring().current.id.clone()
    }

    /// The ids of every key that opens, the current one first.
    pub fn ids(&self) -> Vec<String> {
        let ring = self.ring();
        std::iter::once(&ring.current)
            .chain(&ring.older)
            .map(|k| k.id.clone())
            .collect()
    }

    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let nonce_bytes = random_bytes::<24>();
        let nonce = XNonce::from(nonce_bytes);
        let ring = self.ring();
        let ct = ring
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| Error::internal_msg("sealing failed"))?;
        let mut data = nonce_bytes.to_vec();
        data.extend_from_slice(&ct);
        Ok(Sealed {
            key_id: ring.current.id.clone(),
            data,
        })
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let ring = self.ring();
        let key = std::iter::once(&ring.current)
            .chain(&ring.older)
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| {
                Error::internal_msg(format!(
                    "no key with id {} to open a sealed secret",
                    sealed.key_id
                ))
            })?;
        if sealed.data.len() < 24 {
            return Err(Error::internal_msg("sealed secret too short"));
        }
        let (nonce, ct) = sealed.data.split_at(24);
        let nonce: [u8; 24] = nonce
            .try_into()
            .map_err(|_| Error::internal_msg("bad nonce"))?;
        key.cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| Error::internal_msg("a sealed secret failed authentication"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_row() {
        let ring = Keyring::new(SealingKey::new(&[7; 32]), vec![]);
        let sealed = ring.seal(b"top secret", b"user-1").unwrap();
        assert!(!sealed.data.windows(10).any(|w| w == b"top secret"));
        assert_eq!(
            ring.open(&sealed, b"user-1").unwrap().as_slice(),
            b"top secret"
        );
        assert!(ring.open(&sealed, b"user-2").is_err(), "bound to its row");
        let mut tampered = sealed.clone();
        *tampered.data.last_mut().unwrap() ^= 1;
        assert!(ring.open(&tampered, b"user-1").is_err());
        assert_ne!(
            ring.seal(b"top secret", b"user-1").unwrap().data,
            sealed.data,
            "fresh nonce"
        );
    }

    #[test]
    fn a_rotated_keyring_still_opens_old_secrets() {
        let old = Keyring::new(SealingKey::new(&[1; 32]), vec![]);
        let sealed = old.seal(b"kept", b"").unwrap();
        let rotated = Keyring::new(SealingKey::new(&[2; 32]), vec![SealingKey::new(&[1; 32])]);
        assert_eq!(rotated.open(&sealed, b"").unwrap().as_slice(), b"kept");
        assert_ne!(rotated.seal(b"new", b"").unwrap().key_id, sealed.key_id);
        let forgotten = Keyring::new(SealingKey::new(&[2; 32]), vec![]);
        assert!(forgotten.open(&sealed, b"").is_err());
    }

    #[test]
    fn a_replaced_keyring_seals_with_its_new_key() {
        let ring = Keyring::new(SealingKey::new(&[1; 32]), vec![]);
        let old = ring.seal(b"kept", b"row").unwrap();
        ring.replace(SealingKey::new(&[2; 32]), vec![SealingKey::new(&[1; 32])]);
        let new = ring.seal(b"new", b"row").unwrap();
        assert_eq!(new.key_id, SealingKey::new(&[2; 32]).id());
        assert_eq!(ring.current_id(), new.key_id);
        assert_eq!(ring.ids(), vec![new.key_id.clone(), old.key_id.clone()]);
        assert_eq!(ring.open(&old, b"row").unwrap().as_slice(), b"kept");
        ring.replace(SealingKey::new(&[2; 32]), vec![]);
        assert!(ring.open(&old, b"row").is_err(), "the retired key is gone");
        assert_eq!(ring.open(&new, b"row").unwrap().as_slice(), b"new");
    }
}
