//! `portcullis`: the server binary. `serve` runs the server; `user create-owner` creates the first
//! owner from the shell.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use portcullis_core::email::Email;
use portcullis_core::password::{Password, check_policy};
use portcullis_server::Server;
use portcullis_server::config::{Config, LogFormat, ServeArgs};

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Self-hosted account security server"
)]
struct Cli {
    /// TOML configuration file; flags and environment variables win over it
    #[arg(long, env = "PORTCULLIS_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server
    Serve(ServeArgs),
    /// Manage users from the shell
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a contract and its owner (works even when registration is closed)
    CreateOwner {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colour codes only for a person at a terminal, never into journald or a log file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_ansi(ansi)
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let config = Config::resolve(args, cli.config.as_deref())?;
            init_logs(config.log_format);
            let shutdown = portcullis_server::shutdown_signal()?;
            let server = Server::build(config.clone()).await?;
            let addr = server.local_addr();
            let public_url = server.state().config.public_url.clone();
            println!("Portcullis is listening on http://{addr} (public URL {public_url})");
            if config.database_url.is_none() {
                println!("Data: {} (SQLite)", config.data.display());
            }
            if let Some(link) = server.setup_link() {
                println!("No account exists yet and registration is closed.");
                println!("Create the first owner in your browser (one-time link): {link}");
            }
            server.run(shutdown).await?;
            println!("Portcullis stopped.");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::CreateOwner {
                    email,
                    password_stdin,
                    serve,
                },
        } => {
            if !password_stdin {
                bail!("pass the password on standard input with --password-stdin");
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password")?;
            let password = Password::new(line.trim_end_matches(['\r', '\n']));
            // Refuse a bad email or password before the data folder or database is touched.
            let parsed = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
            check_policy(&password, Some(&parsed)).map_err(|e| anyhow::anyhow!("{e}"))?;
            let config = Config::resolve(serve, cli.config.as_deref())?;
            init_logs(config.log_format);
            let master_key = portcullis_server::keys::MasterKey::load_or_create(
                config.master_key.as_deref(),
                &config.data_folder()?,
            )?;
            let services = portcullis_server::open_services(&config, &master_key).await?;
            let (user, contract) = services
                .create_owner_from_shell(&email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Created owner {email} (user {user}, contract {contract})");
            services.store.close().await;
            Ok(())
        }
    }
}
