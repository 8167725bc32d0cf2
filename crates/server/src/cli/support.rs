//! `portcullis support-agent …`: the operator makes the deployment's support agents, who may
//! check a caller's support PIN and nothing else. An agent is an account of the
//! reserved support contract; it signs in like everyone (2FA is recommended). Removing one is
//! `portcullis user delete --email …`.

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, bail};
use clap::Subcommand;
use portcullis_core::email::Email;
use portcullis_core::password::{Password, check_policy};
use portcullis_core::service::Services;
use portcullis_store::SqlStore;

use super::init_logs;
use crate::config::{Config, ServeArgs};
use crate::http::time::human_time;
use crate::keys::MasterKey;

#[derive(Subcommand)]
pub enum SupportAgentCommand {
    /// Create a support agent with a password (read from standard input)
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List the support agents
    List {
        #[command(flatten)]
        serve: ServeArgs,
    },
}

impl SupportAgentCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        match self {
            SupportAgentCommand::Create {
                email,
                password_stdin,
                serve,
            } => {
                // Input first: a typo must not create a data folder or touch the database.
                if !password_stdin {
                    bail!("pass the password on standard input with --password-stdin");
                }
                let parsed = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
                let password = read_password()?;
                check_policy(&password, Some(&parsed)).map_err(|e| anyhow::anyhow!("{e}"))?;
                let services = open_services(&serve, config_file).await?;
                let done = services
                    .create_support_agent_from_shell(&email, &password)
                    .await;
                services.store.close().await;
                let id = done?;
                println!("Created support agent {parsed} (user {id})");
            }
            SupportAgentCommand::List { serve } => {
                let services = open_services(&serve, config_file).await?;
                let agents = services.support_agents_for_operator().await;
                services.store.close().await;
                let agents = agents?;
                if agents.is_empty() {
                    println!(
                        "No support agents yet; add one with `portcullis support-agent create`"
                    );
                }
                for agent in agents {
                    let last = agent
                        .last_login_at
                        .map(human_time)
                        .unwrap_or_else(|| "never".to_owned());
                    println!(
                        "{}  created {}  last login {last}",
                        agent.email,
                        human_time(agent.created_at)
                    );
                }
            }
        }
        Ok(())
    }
}

fn read_password() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password")?;
    Ok(Password::new(line.trim_end_matches(['\r', '\n'])))
}

/// The use cases on the configured database, as `serve` would open them.
pub(super) async fn open_services(
    serve: &ServeArgs,
    config_file: Option<&Path>,
) -> anyhow::Result<Services<SqlStore>> {
    let config = Config::resolve(serve.clone(), config_file)?;
    init_logs(config.log_format);
    let master_key =
        MasterKey::load_or_create(config.master_key.as_deref(), &config.data_folder()?)?;
    crate::open_services(&config, &master_key).await
}
