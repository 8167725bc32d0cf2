//! The master key: 32 random bytes from which each purpose derives a key of its own
//! (HMAC-SHA256 of the purpose's name), so that a key used to sign CSRF tokens is never the key
//! that encrypts TOTP secrets.
//! Taken from `PORTCULLIS_MASTER_KEY` (base64) when set, otherwise generated once into
//! `DATA/master.key`, created with mode 0600 so only the server's user can read it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::service::ServiceKeys;

#[derive(Clone)]
pub struct MasterKey {
    root: [u8; 32],
    csrf: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    fn new(root: [u8; 32]) -> MasterKey {
        let csrf = derive(&root, "portcullis csrf v1");
        MasterKey { root, csrf }
    }

    /// The key for a new purpose; each purpose names itself with a distinct label.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        derive(&self.root, purpose)
    }

    /// The keys the use cases need: one seals TOTP secrets and emergency kits, one makes the
    /// keyed digests of recovery codes.
    pub fn service_keys(&self) -> ServiceKeys {
        ServiceKeys {
            sealing: Keyring::new(
                SealingKey::new(&self.derive("portcullis sealing v1")),
                vec![],
            ),
            recovery: self.derive("portcullis recovery codes v1"),
        }
    }

    /// The key that signs the web forms' CSRF tokens.
    pub fn csrf_key(&self) -> &[u8; 32] {
        &self.csrf
    }

    fn decode(text: &str) -> anyhow::Result<MasterKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .context("the master key is not valid base64")?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!("the master key must be 32 bytes (44 base64 characters)")
        })?;
        Ok(MasterKey::new(arr))
    }

    /// The configured key, or the one in the data folder, created on first start.
    pub fn load_or_create(configured: Option<&str>, data: &Path) -> anyhow::Result<MasterKey> {
        if let Some(text) = configured {
            return MasterKey::decode(text);
        }
        let path = data.join("master.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private(&path)?;
                MasterKey::decode(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).context("no randomness from the operating system")?;
                let mut file = create_private(&path)?;
                writeln!(file, "{}", STANDARD.encode(key))?;
                file.sync_all()?;
                Ok(MasterKey::new(key))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

fn derive(root: &[u8; 32], purpose: &str) -> [u8; 32] {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(root).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

#[cfg(unix)]
fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Refuses to start with a key file others can read: it would mean the secrets are exposed.
#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is readable by others (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}
