//! `portcullis`: the server binary. `serve` runs the server; `user …` manages accounts from the
//! shell (see [`portcullis_server::cli`]).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use portcullis_server::Server;
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
        Command::User { command } => command.run(cli.config.as_deref()).await,
    }
}
