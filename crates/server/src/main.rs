//! `portcullis`: the server binary. `serve` runs the server; `user …` manages accounts from the
//! shell (see [`portcullis_server::cli`]).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use portcullis_server::Server;
use portcullis_server::cli::access_rule::AccessRuleCommand;
use portcullis_server::cli::backup::{BackupArgs, RestoreArgs};
use portcullis_server::cli::checkpassword::CheckpasswordArgs;
use portcullis_server::cli::oidc::{OidcClientCommand, OidcCommand};
use portcullis_server::cli::outbox::OutboxCommand;
use portcullis_server::cli::radius_client::RadiusClientCommand;
use portcullis_server::cli::rotate_key::RotateKeyArgs;
use portcullis_server::cli::service_token::ServiceTokenCommand;
use portcullis_server::cli::support::SupportAgentCommand;
use portcullis_server::cli::sweep::SweepArgs;
use portcullis_server::cli::{UserCommand, init_logs};
use portcullis_server::config::{Config, ServeArgs};

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
    /// Manage users from the shell, as the operator (audited as such)
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the support agents who check callers' support PINs
    SupportAgent {
        #[command(subcommand)]
        command: SupportAgentCommand,
    },
    /// Manage the tokens of services (mail servers) that check credentials
    ServiceToken {
        #[command(subcommand)]
        command: ServiceTokenCommand,
    },
    /// Manage the access rules of forward authentication (applications behind a reverse proxy)
    AccessRule {
        #[command(subcommand)]
        command: AccessRuleCommand,
    },
    /// Manage the OpenID Connect clients (relying parties) of a contract
    OidcClient {
        #[command(subcommand)]
        command: OidcClientCommand,
    },
    /// The OpenID Connect provider's signing keys
    Oidc {
        #[command(subcommand)]
        command: OidcCommand,
    },
    /// Manage the RADIUS clients (VPN concentrators, Wi-Fi controllers, pam_radius) of a contract
    RadiusClient {
        #[command(subcommand)]
        command: RadiusClientCommand,
    },
    /// Read the messages written to DATA/outbox/ when no SMTP server or SMS gateway is configured
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Copy the SQLite database, consistently, while the server runs
    Backup(BackupArgs),
    /// Put a copy made by `backup` in place of the database (with every server stopped)
    Restore(RestoreArgs),
    /// Seal every secret anew under a new master key, while the servers run; run again to resume
    RotateKey(RotateKeyArgs),
    /// Delete what has expired once now, as a serving node does every --sweep-interval
    Sweep(SweepArgs),
    /// Dovecot's checkpassword interface: check fd 3's credentials with /api/v1/app-auth
    Checkpassword(CheckpasswordArgs),
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
            if let Some(radius) = server.radius_addr() {
                println!("Portcullis RADIUS is listening on udp://{radius}");
            }
            if config.database_url.is_none() {
                println!("Data: {} (SQLite)", config.data.display());
            }
            for line in server.delivery_summary() {
                println!("{line}");
            }
            if let Some(link) = server.setup_link() {
                println!("No account exists yet and registration is closed.");
                println!("Create the first owner in your browser (one-time link): {link}");
            }
            server
                .run_draining(shutdown, portcullis_server::DRAIN_GRACE)
                .await?;
            println!("Portcullis stopped.");
            Ok(())
        }
        Command::User { command } => command.run(cli.config.as_deref()).await,
        Command::SupportAgent { command } => command.run(cli.config.as_deref()).await,
        Command::ServiceToken { command } => command.run(cli.config.as_deref()).await,
        Command::AccessRule { command } => command.run(cli.config.as_deref()).await,
        Command::OidcClient { command } => command.run(cli.config.as_deref()).await,
        Command::Oidc { command } => command.run(cli.config.as_deref()).await,
        Command::RadiusClient { command } => command.run(cli.config.as_deref()).await,
        Command::Outbox { command } => command.run(cli.config.as_deref()).await,
        Command::Backup(args) => args.run(cli.config.as_deref()).await,
        Command::Restore(args) => args.run(cli.config.as_deref()).await,
        Command::RotateKey(args) => args.run(cli.config.as_deref()).await,
        Command::Sweep(args) => args.run(cli.config.as_deref()).await,
        Command::Checkpassword(args) => std::process::exit(args.run().await),
    }
}
