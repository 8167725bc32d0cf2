//! `portcullis rotate-key`: seals every secret anew under a new master key while the servers
//! keep running, and can be run again to resume after a crash.
//!
//! With the key in `DATA/master.key` the command does every step itself:
//! 1. it writes a new key as the file's first line, keeping the old one after it (an atomic
//!    replace); running servers notice within a second and seal new secrets with the new key
//!    while still opening old ones;
//! 2. it seals every secret anew in small transactions (`--batch`), each row by one conditional
//!    update, until none is left under the old key;
//! 3. after a grace period it looks once more (a request that was sealing with the old key as
//!    the file changed), then removes the old key from the file.
//!
//! A file with more than one key means a rotation is under way: running the command again goes
//! on from step 2. With `PORTCULLIS_MASTER_KEY` the operator does steps 1 and 3 (the variable
//! holds `NEW,OLD` on every node, then `NEW` alone, each a rolling restart); the command does
//! step 2.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use portcullis_core::service::Services;
use portcullis_store::{Backend, SqlStore};

use super::init_logs;
use crate::config::{Config, ServeArgs};
use crate::keys::{self, KeySource, MasterKey};

#[derive(Args)]
pub struct RotateKeyArgs {
    /// Secrets sealed anew per transaction (and table)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch: u32,
    /// Seconds to wait after changing the key file, for running servers to load it (they look
    /// every second)
    #[arg(long, default_value_t = 5)]
    settle_secs: u64,
    /// On PostgreSQL with the key in DATA/master.key: this is the only node (others would keep
    /// their own copy of the old key file and could not open what the new key seals)
    #[arg(long)]
    single_node: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

impl RotateKeyArgs {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let config = Config::resolve(self.serve.clone(), config_file)?;
        init_logs(config.log_format);
        let settle = Duration::from_secs(self.settle_secs);
        let data = config.data_folder()?;
        let configured = config.master_key.is_some();
        let key = if configured {
            MasterKey::load_or_create(config.master_key.as_deref(), &data)?
        } else {
            let path = keys::key_file(&data);
            if !path.exists() {
                bail!(
                    "there is no master key in {} yet: the server creates it at its first start",
                    data.display()
                );
            }
            MasterKey::load_file(&path)?
        };
        let shared_database =
            Backend::from_url(&config.effective_database_url()) == Some(Backend::Postgres);
        let key = match key.source() {
            KeySource::File(_) if key.len() == 1 && shared_database && !self.single_node => {
                bail!(
                    "several nodes may share this PostgreSQL database, each with its own copy of \
                     the key file, and a new key written here would not reach them: set \
                     PORTCULLIS_MASTER_KEY=NEW,OLD on every node instead (docs/backups-and-keys.md), \
                     or pass --single-node if this is the only node"
                );
            }
            KeySource::File(path) if key.len() == 1 => {
                let new = key.with_roots([vec![keys::generate()?], key.roots()].concat());
                new.write_file(path)?;
                println!(
                    "New master key {} written to {} (the old key {} stays beside it until every \
                     secret is sealed anew).",
                    new.current_id(),
                    path.display(),
                    key.current_id()
                );
                wait_for_servers(settle).await;
                new
            }
            KeySource::File(path) => {
                println!(
                    "Resuming the rotation to master key {} ({} has {} keys).",
                    key.current_id(),
                    path.display(),
                    key.len()
                );
                key
            }
            KeySource::Configured => key,
        };

        let services = crate::open_services(&config, &key).await?;
        let resealed = reseal_all(&services, self.batch, settle).await;
        services.store.close().await;
        let resealed = resealed?;

        match key.source() {
            KeySource::File(path) if key.len() > 1 => {
                key.with_roots(vec![key.roots()[0]])
                    .write_file(path)
                    .with_context(|| {
                        format!("cannot remove the old key from {}", path.display())
                    })?;
                println!(
                    "Done: {resealed} secret(s) sealed anew; every secret is sealed with master key \
                     {}, and the old key is removed from {}.",
                    key.current_id(),
                    path.display()
                );
            }
            KeySource::File(_) => println!(
                "Done: {resealed} secret(s) sealed anew; every secret is sealed with master key {}.",
                key.current_id()
            ),
            KeySource::Configured if key.len() > 1 => println!(
                "Done: {resealed} secret(s) sealed anew; every secret is sealed with master key {}. \
                 Now remove the older keys from PORTCULLIS_MASTER_KEY on every node (a rolling \
                 restart).",
                key.current_id()
            ),
            KeySource::Configured => println!(
                "Done: {resealed} secret(s) sealed anew; every secret is sealed with master key {}. \
                 To rotate, set PORTCULLIS_MASTER_KEY to NEW,OLD on every node (a new key from \
                 `openssl rand -base64 32`), restart them one by one, and run this command again.",
                key.current_id()
            ),
        }
        println!(
            "Backups taken before the rotation need the old key: keep it with them, or take a new \
             backup now."
        );
        Ok(())
    }
}

async fn wait_for_servers(settle: Duration) {
    if !settle.is_zero() {
        println!(
            "Waiting {} s for running servers to load the new key.",
            settle.as_secs()
        );
        tokio::time::sleep(settle).await;
    }
}

/// Seals anew until nothing is left under an older key, then waits `settle` and makes sure
/// again (a server may have sealed with the old key just before it loaded the new one).
async fn reseal_all(
    services: &Services<SqlStore>,
    batch: u32,
    settle: Duration,
) -> anyhow::Result<u64> {
    let mut total = 0;
    for round in 0..2 {
        let mut idle = 0;
        loop {
            let done = services.reseal_batch(batch).await?;
            total += done;
            if done > 0 {
                println!("resealed {total}");
                idle = 0;
                continue;
            }
            let remaining = services.sealed_remaining().await?;
            if remaining.total() == 0 {
                break;
            }
            // Rows rewritten between the read and the conditional update: try again.
            idle += 1;
            if idle > 50 {
                bail!(
                    "{} secret(s) keep changing under the rotation",
                    remaining.total()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if round == 0 {
            wait_for_servers(settle).await;
        }
    }
    Ok(total)
}
