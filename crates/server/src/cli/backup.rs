//! `portcullis backup --to FILE` and `portcullis restore --from FILE` for SQLite.
//!
//! A backup is one consistent snapshot taken while the servers run (`VACUUM INTO`), written
//! beside its destination and renamed into place, private to the operator (mode 0600). It holds
//! the database only: the secrets in it are sealed with the master key, which is never in it, so
//! the key must be kept too, apart from the backups.
//!
//! A restore checks the copy (integrity, that it is a Portcullis database, and that the
//! configured master key opens its secrets), refuses while a server uses the data folder, keeps
//! the database it replaces beside it, and puts the copy in place with one rename. On PostgreSQL
//! both commands say how to do it with `pg_dump` and `pg_restore`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use portcullis_store::{Backend, SqlStore, inspect_sqlite};

use super::init_logs;
use crate::config::{Config, ServeArgs};
use crate::keys::{self, MasterKey};

#[derive(Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist)
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file written by `portcullis backup`
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    #[command(flatten)]
    serve: ServeArgs,
}

const PG_BACKUP: &str = "this server uses PostgreSQL: back it up with PostgreSQL's own tool, e.g. \
     pg_dump --format=custom --file FILE \"$DATABASE_URL\" (see docs/backups-and-keys.md)";
const PG_RESTORE: &str = "this server uses PostgreSQL: restore with PostgreSQL's own tool, e.g. \
     pg_restore --clean --if-exists --dbname \"$DATABASE_URL\" FILE, with every node stopped \
     (see docs/backups-and-keys.md)";

impl BackupArgs {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let config = Config::resolve(self.serve, config_file)?;
        init_logs(config.log_format);
        let Some(database) = sqlite_file(&config) else {
            bail!(PG_BACKUP);
        };
        if !database.exists() {
            bail!("there is no database at {} to back up", database.display());
        }
        if self.to.exists() {
            bail!(
                "{} exists already; give the backup a new name",
                self.to.display()
            );
        }
        let partial = sibling(&self.to, "partial")?;
        // An empty private file first: the copy is as private as the database.
        create_private(&partial)?;
        let url = format!("sqlite://{}?mode=rw", database.display());
        let store = SqlStore::connect(&url, 1).await?;
        let copied = store.backup_into(&partial).await;
        store.close().await;
        let written = copied
            .map_err(anyhow::Error::from)
            .and_then(|()| finish_file(&partial, &self.to));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("cannot back up {}", database.display())));
        }
        let summary = inspect_sqlite(&self.to).await?;
        println!(
            "Backed up {} to {} ({} account(s), schema version {}).",
            database.display(),
            self.to.display(),
            summary.users,
            summary.schema_version
        );
        println!(
            "Its secrets are sealed with master key {}; the key is not in the backup. Keep {} \
             (or PORTCULLIS_MASTER_KEY) safe and apart from the backups: without it the \
             authenticator keys in the backup cannot be read.",
            summary.key_ids.join(", "),
            keys::key_file(&config.data).display()
        );
        Ok(())
    }
}

impl RestoreArgs {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let config = Config::resolve(self.serve, config_file)?;
        init_logs(config.log_format);
        let Some(database) = sqlite_file(&config) else {
            bail!(PG_RESTORE);
        };
        let summary = inspect_sqlite(&self.from)
            .await
            .with_context(|| format!("{} is not a usable backup", self.from.display()))?;
        let key_file = keys::key_file(&config.data);
        let key = match config.master_key.as_deref() {
            Some(text) => MasterKey::load_or_create(Some(text), &config.data)?,
            None if key_file.exists() => MasterKey::load_file(&key_file)?,
            None => bail!(
                "there is no master key in {}: put the key that was in use when the backup was \
                 taken in {} (mode 600), or set PORTCULLIS_MASTER_KEY",
                config.data.display(),
                key_file.display()
            ),
        };
        let known = key.keyring().ids();
        let missing: Vec<&String> = summary
            .key_ids
            .iter()
            .filter(|id| !known.contains(id))
            .collect();
        if !missing.is_empty() {
            bail!(
                "the backup's secrets are sealed with master key {}, but the configured key is \
                 {}: restore with the key that was in use when the backup was taken",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                known.join(", ")
            );
        }
        let data = config.data_folder()?;
        let _lock = DataLock::exclusive(&data)?;

        let restoring = sibling(&database, "restoring")?;
        let _ = std::fs::remove_file(&restoring);
        create_private(&restoring)?;
        let copied = std::fs::copy(&self.from, &restoring)
            .map_err(anyhow::Error::from)
            .and_then(|_| Ok(std::fs::File::open(&restoring)?.sync_all()?));
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&restoring);
            return Err(e.context(format!("cannot copy {}", self.from.display())));
        }
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut kept = None;
        if database.exists() {
            let aside = sibling(&database, &format!("before-restore-{stamp}"))?;
            std::fs::rename(&database, &aside)?;
            kept = Some(aside);
        }
        // The old database's write-ahead log belongs to it, not to the restored copy.
        for suffix in ["wal", "shm"] {
            let file = PathBuf::from(format!("{}-{suffix}", database.display()));
            if file.exists() {
                let aside = PathBuf::from(format!(
                    "{}.before-restore-{stamp}-{suffix}",
                    database.display()
                ));
                std::fs::rename(&file, aside)?;
            }
        }
        finish_file(&restoring, &database)?;
        println!(
            "Restored {} into {} ({} account(s), schema version {}).",
            self.from.display(),
            database.display(),
            summary.users,
            summary.schema_version
        );
        if let Some(aside) = kept {
            println!("The database it replaced is kept as {}.", aside.display());
        }
        Ok(())
    }
}

/// The SQLite file the configuration points at; None on PostgreSQL.
fn sqlite_file(config: &Config) -> Option<PathBuf> {
    let url = config.effective_database_url();
    if Backend::from_url(&url) != Some(Backend::Sqlite) {
        return None;
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    Some(PathBuf::from(path))
}

/// `FILE.suffix`, in the same folder (so that a rename is atomic).
fn sibling(file: &Path, suffix: &str) -> anyhow::Result<PathBuf> {
    let name = file
        .file_name()
        .with_context(|| format!("{} is not a file name", file.display()))?;
    Ok(file.with_file_name(format!("{}.{suffix}", name.to_string_lossy())))
}

fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Syncs `from`, renames it to `to`, and syncs the folder: a crash leaves one or the other.
fn finish_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::File::open(from)?.sync_all()?;
    std::fs::rename(from, to)
        .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))?;
    let folder = to.parent().filter(|p| !p.as_os_str().is_empty());
    std::fs::File::open(folder.unwrap_or(Path::new(".")))?.sync_all()?;
    Ok(())
}

/// A lock on the data folder: every running server holds it shared, a restore exclusively.
pub struct DataLock {
    _file: std::fs::File,
}

impl DataLock {
    fn open(data: &Path) -> anyhow::Result<std::fs::File> {
        let path = data.join("portcullis.lock");
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))
    }

    /// Held by `serve` for as long as it runs; several servers may share a folder.
    pub fn shared(data: &Path) -> anyhow::Result<DataLock> {
        let file = DataLock::open(data)?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockShared)
            .context("cannot lock the data folder")?;
        Ok(DataLock { _file: file })
    }

    /// Refused at once while a server holds the folder.
    pub fn exclusive(data: &Path) -> anyhow::Result<DataLock> {
        let file = DataLock::open(data)?;
        if rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err() {
            bail!(
                "a server is running on {}: stop every server that uses it first",
                data.display()
            );
        }
        Ok(DataLock { _file: file })
    }
}
