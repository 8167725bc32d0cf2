//! The encrypted state file: one file, sealed under a key derived from the passphrase, replaced
//! atomically on every write.
//!
//! Layout (version 1), all integers little-endian:
//!
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `PORTCAPP` |
//! | 1 | format version, `1` |
//! | 4 + 4 + 4 | Argon2id memory (KiB), iterations, lanes |
//! | 16 | salt, random per file |
//! | 24 | XChaCha20-Poly1305 nonce, fresh for every write |
//! | rest | ciphertext and tag of the JSON state |
//!
//! The header is the AEAD's associated data, so changing the parameters or the salt is detected
//! like any other tampering; a wrong passphrase and an altered file are the same failure and leave
//! the file as it was. A write goes to a temporary file in the same folder (mode 0600), is
//! flushed to disk, then renamed over the old file: a crash leaves the old state or the new one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use portcullis_core::secret::random_bytes;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::state::State;

const MAGIC: &[u8; 8] = b"PORTCAPP";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 8 + 1 + 12 + 16 + 24;
/// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
const DEFAULT_KDF: Kdf = Kdf {
    memory_kib: 19 * 1024,
    iterations: 2,
    lanes: 1,
};

#[derive(Debug, Error)]
pub enum StateFileError {
    #[error(
        "cannot open the state file {0}: the passphrase is wrong or the file was altered \
         (it was left unchanged)"
    )]
    WrongPassphrase(PathBuf),
    #[error("{path} is not a portcullis-app state file: {why}")]
    NotAStateFile { path: PathBuf, why: String },
    #[error("cannot {action} the state file {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kdf {
    memory_kib: u32,
    iterations: u32,
    lanes: u32,
}

/// An opened (or new) state file and the key that seals it. The key is zeroized on drop.
pub struct StateFile {
    path: PathBuf,
    kdf: Kdf,
    salt: [u8; 16],
    key: Zeroizing<[u8; 32]>,
    exists: bool,
}

impl std::fmt::Debug for StateFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StateFile({}, key <redacted>)", self.path.display())
    }
}

impl StateFile {
    /// Opens the file at `path` with `passphrase`; a missing file is an empty state, created by
    /// the first [`StateFile::update`].
    pub fn open(path: &Path, passphrase: &str) -> Result<(StateFile, State), StateFileError> {
        let Some(bytes) = read_if_there(path)? else {
            let salt = random_bytes::<16>();
            let key = derive(passphrase, &salt, DEFAULT_KDF);
            let file = StateFile {
                path: path.to_owned(),
                kdf: DEFAULT_KDF,
                salt,
                key,
                exists: false,
            };
            return Ok((file, State::default()));
        };
        let header = Header::parse(path, &bytes)?;
        let key = derive(passphrase, &header.salt, header.kdf);
        let state = unseal(path, &key, &header, &bytes)?;
        let file = StateFile {
            path: path.to_owned(),
            kdf: header.kdf,
            salt: header.salt,
            key,
            exists: true,
        };
        Ok((file, state))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file was there when opened.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// Reads the file afresh, applies `change` and writes it back, holding an exclusive lock
    /// on `.NAME.lock` beside it all the while: another `portcullis-app` changing the same file
    /// at the same moment (say `add-totp` during a `pair`) waits, and neither change is lost.
    pub fn update<R>(&mut self, change: impl FnOnce(&mut State) -> R) -> Result<R, StateFileError> {
        let _lock = self.lock()?;
        let mut state = match read_if_there(&self.path)? {
            None => State::default(),
            Some(bytes) => {
                let header = Header::parse(&self.path, &bytes)?;
                // Another process may have made a new file with a new salt (or passphrase).
                if header.salt != self.salt || header.kdf != self.kdf {
                    return Err(StateFileError::NotAStateFile {
                        path: self.path.clone(),
                        why: "it was replaced by another one meanwhile; run the command again"
                            .into(),
                    });
                }
                unseal(&self.path, &self.key, &header, &bytes)?
            }
        };
        let result = change(&mut state);
        self.write(&state)?;
        Ok(result)
    }

    /// The folder and file name, for the files that live beside the state.
    fn folder_and_name(&self) -> (PathBuf, String) {
        let folder = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        (folder, name)
    }

    /// An exclusive advisory lock (`File::lock`: flock on Unix, LockFileEx on Windows),
    /// released when the returned file is dropped, also if the process dies.
    fn lock(&self) -> Result<fs::File, StateFileError> {
        let (folder, name) = self.folder_and_name();
        let path = folder.join(format!(".{name}.lock"));
        let io = |source| StateFileError::Io {
            action: "lock",
            path: path.clone(),
            source,
        };
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(file)
    }

    /// Seals `state` under a fresh nonce and replaces the file atomically.
    fn write(&mut self, state: &State) -> Result<(), StateFileError> {
        let io = |action: &'static str, path: &Path| {
            let path = path.to_owned();
            move |source| StateFileError::Io {
                action,
                path,
                source,
            }
        };
        // Room for everything up front: a growing Vec would leave copies of the plaintext in
        // freed memory that no zeroize reaches.
        let room = 4096 + 1024 * (state.accounts.len() + state.authenticators.len());
        let mut plaintext = Zeroizing::new(Vec::with_capacity(room));
        serde_json::to_writer(&mut *plaintext, state).expect("the state serialises");
        let nonce = random_bytes::<24>();
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + 16);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        for w in [self.kdf.memory_kib, self.kdf.iterations, self.kdf.lanes] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&nonce);
        let sealed = XChaCha20Poly1305::new_from_slice(self.key.as_ref())
            .expect("a 32-byte key")
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &out,
                },
            )
            .expect("sealing a buffer in memory cannot fail");
        out.extend_from_slice(&sealed);

        let (folder, name) = self.folder_and_name();
        let temp = folder.join(format!(".{name}.{}.tmp", hex::encode(random_bytes::<6>())));
        let written = write_new_private(&temp, &out)
            .map_err(io("write", &temp))
            .and_then(|()| fs::rename(&temp, &self.path).map_err(io("replace", &self.path)));
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written?;
        // The rename itself is durable only once the folder is flushed.
        #[cfg(unix)]
        if let Ok(dir) = fs::File::open(&folder) {
            let _ = dir.sync_all();
        }
        self.exists = true;
        Ok(())
    }
}

/// The file's bytes, or `None` when there is no file.
fn read_if_there(path: &Path) -> Result<Option<Vec<u8>>, StateFileError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StateFileError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

struct Header {
    kdf: Kdf,
    salt: [u8; 16],
    nonce: [u8; 24],
}

impl Header {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Header, StateFileError> {
        let not_ours = |why: &str| StateFileError::NotAStateFile {
            path: path.to_owned(),
            why: why.to_owned(),
        };
        if bytes.len() < HEADER_LEN + 16 || &bytes[..8] != MAGIC {
            return Err(not_ours("it does not start with the app's header"));
        }
        if bytes[8] != VERSION {
            return Err(not_ours(&format!(
                "format version {} is newer than this app understands",
                bytes[8]
            )));
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let kdf = Kdf {
            memory_kib: word(9),
            iterations: word(13),
            lanes: word(17),
        };
        // Bounds keep a crafted header from making us allocate gigabytes or spin for minutes.
        if !(8 * 1024..=1024 * 1024).contains(&kdf.memory_kib)
            || !(1..=16).contains(&kdf.iterations)
            || !(1..=8).contains(&kdf.lanes)
        {
            return Err(not_ours("its key derivation parameters are out of range"));
        }
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&bytes[21..37]);
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&bytes[37..HEADER_LEN]);
        Ok(Header { kdf, salt, nonce })
    }
}

/// Opens the sealed contents; the header is authenticated with them.
fn unseal(
    path: &Path,
    key: &[u8; 32],
    header: &Header,
    bytes: &[u8],
) -> Result<State, StateFileError> {
    let plaintext = Zeroizing::new(
        XChaCha20Poly1305::new_from_slice(key)
            .expect("a 32-byte key")
            .decrypt(
                &XNonce::from(header.nonce),
                Payload {
                    msg: &bytes[HEADER_LEN..],
                    aad: &bytes[..HEADER_LEN],
                },
            )
            .map_err(|_| StateFileError::WrongPassphrase(path.to_owned()))?,
    );
    serde_json::from_slice(&plaintext).map_err(|_| StateFileError::NotAStateFile {
        path: path.to_owned(),
        why: "its contents do not parse".into(),
    })
}

fn derive(passphrase: &str, salt: &[u8; 16], kdf: Kdf) -> Zeroizing<[u8; 32]> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.lanes, Some(32))
        .expect("parameters checked against bounds");
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .expect("a 32-byte Argon2id output with a 16-byte salt");
    key
}

/// Creates `path` (which must not exist) readable by the owner only, writes and flushes it.
fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otpauth::Authenticator;

    fn temp_path() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pcapp-{}", hex::encode(random_bytes::<8>())));
        fs::create_dir_all(&dir).unwrap();
        dir.join("state.bin")
    }

    fn sample() -> State {
        let mut s = State::default();
        s.add_authenticator(
            Authenticator::parse(
                "otpauth://totp/Acme:ann@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            )
            .unwrap(),
        );
        s
    }

    #[test]
    fn the_state_round_trips_and_nothing_is_in_clear() {
        let path = temp_path();
        let (mut file, state) = StateFile::open(&path, "pass phrase").unwrap();
        assert!(!file.exists() && state.authenticators.is_empty());
        file.update(|s| *s = sample()).unwrap();
        let raw = fs::read(&path).unwrap();
        assert_eq!(&raw[..8], MAGIC);
        let text = String::from_utf8_lossy(&raw);
        for clear in ["ann@example.com", "Acme", "GEZDGNBV", "authenticators"] {
            assert!(!text.contains(clear), "{clear} in clear");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (mut again, state) = StateFile::open(&path, "pass phrase").unwrap();
        assert!(again.exists());
        assert_eq!(state.authenticators, sample().authenticators);
        // Every write seals under a fresh nonce.
        again.update(|_| ()).unwrap();
        assert_ne!(fs::read(&path).unwrap(), raw);
        let mut left: Vec<String> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".state.bin.lock", "state.bin"],
            "no temporary file is left behind"
        );
        let _ = fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn two_writers_at_once_keep_both_changes() {
        let path = temp_path();
        let (mut first, _) = StateFile::open(&path, "p").unwrap();
        first.update(|_| ()).unwrap();
        let (mut a, _) = StateFile::open(&path, "p").unwrap();
        let (mut b, _) = StateFile::open(&path, "p").unwrap();
        let uri =
            |who: &str| format!("otpauth://totp/{who}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        a.update(|s| s.add_authenticator(Authenticator::parse(&uri("a")).unwrap()))
            .unwrap();
        b.update(|s| s.add_authenticator(Authenticator::parse(&uri("b")).unwrap()))
            .unwrap();
        let (_, state) = StateFile::open(&path, "p").unwrap();
        let names: Vec<&str> = state
            .authenticators
            .iter()
            .map(|x| x.account.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        let _ = fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_wrong_passphrase_or_a_changed_byte_is_refused_and_the_file_stays() {
        let path = temp_path();
        let (mut file, _) = StateFile::open(&path, "right").unwrap();
        file.update(|s| *s = sample()).unwrap();
        let before = fs::read(&path).unwrap();
        let e = StateFile::open(&path, "wrong").unwrap_err();
        assert!(matches!(e, StateFileError::WrongPassphrase(_)), "{e}");
        assert_eq!(fs::read(&path).unwrap(), before);
        for at in [9, 25, 40, before.len() - 1] {
            let mut changed = before.clone();
            changed[at] ^= 1;
            fs::write(&path, &changed).unwrap();
            assert!(StateFile::open(&path, "right").is_err(), "byte {at}");
        }
        fs::write(
            &path,
            b"not ours at all, not ours at all, not ours at all, not ours",
        )
        .unwrap();
        assert!(matches!(
            StateFile::open(&path, "right").unwrap_err(),
            StateFileError::NotAStateFile { .. }
        ));
        let _ = fs::remove_dir_all(path.parent().unwrap());
    }
}
