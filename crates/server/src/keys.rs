//! The master key: 32 random bytes that later encrypt TOTP secrets and now sign CSRF tokens.
//! Taken from `PORTCULLIS_MASTER_KEY` (base64) when set, otherwise generated once into
//! `DATA/master.key`, created with mode 0600 so only the server's user can read it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn decode(text: &str) -> anyhow::Result<MasterKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .context("the master key is not valid base64")?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!("the master key must be 32 bytes (44 base64 characters)")
        })?;
        Ok(MasterKey(arr))
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
                Ok(MasterKey(key))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
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
