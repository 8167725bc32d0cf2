//! The master key: 32 random bytes from which each purpose derives a key of its own
//! (HMAC-SHA256 of the purpose's name), so that a key used to sign CSRF tokens is never the key
//! that encrypts TOTP secrets.
//! Taken from `PORTCULLIS_MASTER_KEY` (base64) when set, otherwise generated once into
//! `DATA/master.key`, created with mode 0600 so only the server's user can read it.
//!
//! During a rotation (`portcullis rotate-key`) there are several keys: the first one (the first
//! line of the file, or the first of a comma-separated `PORTCULLIS_MASTER_KEY`) seals, the others
//! only open what they sealed. A server whose key came from the file notices when the file
//! changes ([`watch`]) and puts the new keys in place without a restart.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::service::ServiceKeys;
use zeroize::Zeroizing;

/// Where the keys came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `PORTCULLIS_MASTER_KEY` or the configuration: fixed for the process's life.
    Configured,
    /// A file (`DATA/master.key`) that a rotation rewrites.
    File(PathBuf),
}

#[derive(Clone)]
pub struct MasterKey {
    /// The current key first, then older ones that still open what they sealed.
    roots: Vec<Zeroizing<[u8; 32]>>,
    csrf: Zeroizing<[u8; 32]>,
    source: KeySource,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    fn new(roots: Vec<Zeroizing<[u8; 32]>>, source: KeySource) -> MasterKey {
        let csrf = Zeroizing::new(derive(&roots[0], "portcullis csrf v1"));
        MasterKey {
            roots,
            csrf,
            source,
        }
    }

    /// A key made of `root` alone (tests and tools).
    pub fn from_bytes(root: [u8; 32]) -> MasterKey {
        MasterKey::new(vec![Zeroizing::new(root)], KeySource::Configured)
    }

    /// The key for a new purpose; each purpose names itself with a distinct label.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        derive(&self.roots[0], purpose)
    }

    /// The sealing keys: the current one and those of the older master keys.
    fn sealing_keys(&self) -> (SealingKey, Vec<SealingKey>) {
        let mut keys = self
            .roots
            .iter()
            .map(|root| SealingKey::new(&derive(root, SEALING)));
        let current = keys.next().expect("at least one key");
        (current, keys.collect())
    }

    /// The keyring that seals with the current key and opens with any.
    pub fn keyring(&self) -> Keyring {
        let (current, older) = self.sealing_keys();
        Keyring::new(current, older)
    }

    /// Puts this key's sealing keys into `ring` (a running server's, after the file changed).
    pub fn install_into(&self, ring: &Keyring) {
        let (current, older) = self.sealing_keys();
        ring.replace(current, older);
    }

    /// The id of the current sealing key, as stored beside every sealed secret.
    pub fn current_id(&self) -> String {
        self.sealing_keys().0.id().to_owned()
    }

    /// How many keys there are: more than one while a rotation is under way.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The digest key the current master key derives; the database keeps the first one it saw
    /// (see `portcullis_core::service::key_rotation::settle_digest_key`).
    pub fn derived_digest_key(&self) -> [u8; 32] {
        self.derive("portcullis recovery codes v1")
    }

    /// The keys the use cases need, with the digest key derived from the current master key
    /// (the server uses the one kept in the database instead; see `open_services`).
    pub fn service_keys(&self) -> ServiceKeys {
        ServiceKeys {
            sealing: self.keyring(),
            recovery: self.derived_digest_key(),
        }
    }

    /// The key that signs the web forms' CSRF tokens (from the key current when the process
    /// started).
    pub fn csrf_key(&self) -> &[u8; 32] {
        &self.csrf
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Keys in base64, separated by commas or line breaks; blank lines and `#` comments are
    /// skipped. The first is the current one.
    fn decode(text: &str, source: KeySource) -> anyhow::Result<MasterKey> {
        let mut roots: Vec<Zeroizing<[u8; 32]>> = Vec::new();
        for part in text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(part)
                    .context("the master key is not valid base64")?,
            );
            let root: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                anyhow::anyhow!("the master key must be 32 bytes (44 base64 characters)")
            })?;
            if !roots.iter().any(|r| **r == root) {
                roots.push(Zeroizing::new(root));
            }
        }
        if roots.is_empty() {
            bail!("no master key given");
        }
        Ok(MasterKey::new(roots, source))
    }

    /// The configured key, or the one in the data folder, created on first start.
    pub fn load_or_create(configured: Option<&str>, data: &Path) -> anyhow::Result<MasterKey> {
        if let Some(text) = configured {
            return MasterKey::decode(text, KeySource::Configured);
        }
        let path = key_file(data);
        match MasterKey::load_file(&path) {
            Ok(key) => Ok(key),
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) =>
            {
                let key = Zeroizing::new(generate()?);
                let mut file = create_private(&path)?;
                writeln!(file, "{}", STANDARD.encode(*key))?;
                file.sync_all()?;
                Ok(MasterKey::new(vec![key], KeySource::File(path)))
            }
            Err(e) => Err(e),
        }
    }

    /// The keys in `path` (which must be private to the server's user).
    pub fn load_file(path: &Path) -> anyhow::Result<MasterKey> {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        check_private(path)?;
        MasterKey::decode(&text, KeySource::File(path.to_owned()))
            .with_context(|| format!("in {}", path.display()))
    }

    /// A copy of this key with `keys` instead (the current first), same source.
    pub fn with_roots(&self, keys: Vec<[u8; 32]>) -> MasterKey {
        MasterKey::new(
            keys.into_iter().map(Zeroizing::new).collect(),
            self.source.clone(),
        )
    }

    /// The raw keys, the current first (for rewriting the key file).
    pub fn roots(&self) -> Vec<[u8; 32]> {
        self.roots.iter().map(|r| **r).collect()
    }

    /// Replaces the key file with this key's keys, atomically: the file is written beside it
    /// (mode 0600), synced, renamed over it, and the folder synced, so a crash leaves either
    /// the old file or the new one.
    pub fn write_file(&self, path: &Path) -> anyhow::Result<()> {
        let folder = path.parent().unwrap_or(Path::new("."));
        let temp = folder.join(format!(
            ".master.key.{}.tmp",
            hex::encode(&generate()?[..8])
        ));
        let mut text = Zeroizing::new(String::new());
        for root in &self.roots {
            text.push_str(&STANDARD.encode(**root));
            text.push('\n');
        }
        let written = (|| -> anyhow::Result<()> {
            let mut file = create_private(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
                .with_context(|| format!("cannot replace {}", path.display()))?;
            std::fs::File::open(folder)?.sync_all()?;
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }
}

const SEALING: &str = "portcullis sealing v1";

/// The key file in a data folder.
pub fn key_file(data: &Path) -> PathBuf {
    data.join("master.key")
}

/// 32 bytes from the operating system's generator.
pub fn generate() -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).context("no randomness from the operating system")?;
    Ok(key)
}

/// How often a running server looks at its key file.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// Watches the key file `key` came from, if any, and puts its keys into `ring` whenever it
/// changes, until the task is dropped. A file that cannot be read or parsed is reported and
/// the keys in use are kept.
pub async fn watch(key: MasterKey, ring: std::sync::Arc<portcullis_core::service::ServiceKeys>) {
    let KeySource::File(path) = key.source.clone() else {
        return;
    };
    let stamp = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.modified().ok(), m.len(), file_id(&m)))
    };
    let mut seen = stamp(&path);
    let mut current = key.roots();
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        let now = stamp(&path);
        if now == seen {
            continue;
        }
        seen = now;
        match MasterKey::load_file(&path) {
            Ok(new) if new.roots() != current => {
                new.install_into(&ring.sealing);
                current = new.roots();
                tracing::info!(
                    sealing_key = %new.current_id(),
                    keys = new.len(),
                    "the master key file changed; new secrets are sealed with its first key"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(
                error = %e,
                "the master key file changed but cannot be read; keeping the keys in use"
            ),
        }
    }
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.ino()
}

#[cfg(not(unix))]
fn file_id(_m: &std::fs::Metadata) -> u64 {
    0
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
