//! `portcullis service-token …`: the credentials of mail servers and other services that call
//! `POST /api/v1/app-auth` (and, later, other service endpoints). `create` prints the token alone
//! on standard output, once, so a script can capture it; the note about it goes to standard error.

use std::path::Path;

use anyhow::bail;
use clap::Subcommand;
use portcullis_core::Error;
use portcullis_core::model::ServiceTokenId;
use portcullis_core::store::ServiceTokenInfo;

use super::support::open_services;
use crate::config::ServeArgs;
use crate::http::time::human_time;

#[derive(Subcommand)]
pub enum ServiceTokenCommand {
    /// Create a token for a service; it is printed once
    Create {
        /// What the service is ("mail"); audit events name it
        #[arg(long)]
        name: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List the tokens (never the tokens themselves)
    List {
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Revoke a token at once, on every node
    Revoke {
        /// The id `list` shows
        id: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

impl ServiceTokenCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        match self {
            ServiceTokenCommand::Create { name, serve } => {
                if name.trim().is_empty() {
                    bail!("give the service a name with --name, such as --name mail");
                }
                let services = open_services(&serve, config_file).await?;
                let done = services.create_service_token_from_shell(&name).await;
                services.store.close().await;
                let (info, token) = done?;
                eprintln!(
                    "Created service token {:?} (id {}). It is shown only this once; give it to \
                     the service as PORTCULLIS_SERVICE_TOKEN.",
                    info.name, info.id
                );
                println!("{}", token.expose());
            }
            ServiceTokenCommand::List { serve } => {
                let services = open_services(&serve, config_file).await?;
                let tokens = services.service_tokens_for_operator().await;
                services.store.close().await;
                let tokens = tokens?;
                if tokens.is_empty() {
                    println!(
                        "No service tokens yet; add one with `portcullis service-token create`"
                    );
                }
                for t in &tokens {
                    println!("{}", row(t));
                }
            }
            ServiceTokenCommand::Revoke { id, serve } => {
                let services = open_services(&serve, config_file).await?;
                let done = services
                    .revoke_service_token_from_shell(&ServiceTokenId(id.clone()))
                    .await;
                services.store.close().await;
                match done {
                    Ok(info) => println!("Revoked service token {:?} (id {})", info.name, info.id),
                    Err(Error::NotFound(_)) => bail!("no active service token has the id {id}"),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

/// `ID  NAME  created …  last used …  active|revoked …`
fn row(t: &ServiceTokenInfo) -> String {
    let last = t
        .last_used_at
        .map(human_time)
        .unwrap_or_else(|| "never".to_owned());
    let state = match t.revoked_at {
        Some(at) => format!("revoked {}", human_time(at)),
        None => "active".to_owned(),
    };
    format!(
        "{}  {}  created {}  last used {last}  {state}",
        t.id,
        t.name,
        human_time(t.created_at)
    )
}
