//! `portcullis sweep`: one pass of the sweep from the shell, with the same settings as `serve`
//! (`--retention-days`), for a cron job on nodes started with `--sweep-interval 0`, or to see
//! at once what a pass removes. It takes the lease like a server node: when a node is sweeping
//! right now it says so and does nothing. It prints the rows removed per table.

use std::path::Path;

use anyhow::bail;
use clap::Args;
use portcullis_core::service::sweep::SweepOutcome;

use super::backup::DataLock;
use super::init_logs;
use crate::config::{Config, ServeArgs};
use crate::keys::MasterKey;
use crate::sweep::{run_once, summary};

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    serve: ServeArgs,
}

impl SweepArgs {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let config = Config::resolve(self.serve, config_file)?;
        init_logs(config.log_format);
        // Like a serving node, so `portcullis restore` never swaps the database under a pass.
        let _data_lock = DataLock::shared(&config.data_folder()?)?;
        let master_key =
            MasterKey::load_or_create(config.master_key.as_deref(), &config.data_folder()?)?;
        let services = crate::open_services(&config, &master_key).await?;
        let outcome = run_once(&services, config.retention_days).await;
        services.store.close().await;
        match outcome? {
            SweepOutcome::Swept(removed) if removed.is_empty() => {
                println!("Swept: nothing had expired.");
            }
            SweepOutcome::Swept(removed) => println!("Swept: {}", summary(&removed)),
            SweepOutcome::Busy => {
                println!("Another node is sweeping right now; nothing was done.");
            }
            SweepOutcome::Interrupted(removed) => {
                bail!(
                    "the sweep's lease ran out during the pass after {}; another node goes on",
                    summary(&removed)
                );
            }
        }
        Ok(())
    }
}
