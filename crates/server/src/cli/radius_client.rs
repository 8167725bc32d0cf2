//! `portcullis radius-client …`: the RADIUS clients (network access servers: VPN concentrators,
//! Wi-Fi controllers, `pam_radius`) of a contract, as the contract with outside clients
//! fixes them. Everything is done through the operator's session, so each change is audited
//! `{"by":"operator"}`. `add` prints the shared secret alone on standard output, so a script can
//! capture it (`SECRET=$(portcullis radius-client add …)`); what to configure on the NAS goes to
//! standard error. `list` prints one client a line and nothing else on standard output.

use std::path::Path;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};
use portcullis_core::Error;
use portcullis_core::model::RequestMeta;
use portcullis_core::radius::{
    DEFAULT_PUSH_TIMEOUT_SECS, Network, RadiusClient, RadiusMode, check_name, check_push_timeout,
};
use portcullis_core::service::radius::NewRadiusClient;
use portcullis_core::service::{AdminSession, Services};
use portcullis_store::SqlStore;
use serde_json::json;

use super::support::open_services;
use crate::config::ServeArgs;
use crate::http::time::rfc3339;

#[derive(Subcommand)]
pub enum RadiusClientCommand {
    /// Register a RADIUS client; its shared secret is printed once, alone on standard output
    Add {
        /// Any member of the contract the client belongs to (its owner, usually)
        #[arg(long, value_name = "OWNER_EMAIL")]
        contract_of: String,
        /// A name unique on this deployment ("office-vpn")
        #[arg(long)]
        name: String,
        /// Where its requests come from: an address or a CIDR block (192.0.2.10, 10.0.0.0/8)
        #[arg(long, value_name = "CIDR")]
        address: String,
        /// How people answer at it
        #[arg(long, value_enum, default_value_t = Mode::PasswordAndCode)]
        mode: Mode,
        /// How long a push request waits for approval, in seconds (mode push)
        #[arg(long, value_name = "SECS", default_value_t = DEFAULT_PUSH_TIMEOUT_SECS)]
        push_timeout: u32,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List the clients, one a line (NAME  ADDRESS  MODE): every contract's, or one's
    List {
        /// Only the contract of this member
        #[arg(long, value_name = "EMAIL")]
        contract_of: Option<String>,
        /// One JSON object per line instead
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Remove a client: running servers drop its requests within seconds
    Remove {
        name: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

/// The four modes under the names the contract gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// The password with the code typed right after it, in one request
    #[value(name = "password+code")]
    PasswordAndCode,
    /// The password; an Access-Challenge asks for the code
    #[value(name = "challenge")]
    Challenge,
    /// The password; then approval in the companion app
    #[value(name = "push")]
    Push,
    /// The code alone
    #[value(name = "code-only")]
    CodeOnly,
}

impl From<Mode> for RadiusMode {
    fn from(m: Mode) -> RadiusMode {
        match m {
            Mode::PasswordAndCode => RadiusMode::PasswordAndCode,
            Mode::Challenge => RadiusMode::Challenge,
            Mode::Push => RadiusMode::Push,
            Mode::CodeOnly => RadiusMode::CodeOnly,
        }
    }
}

fn serve_args(command: &RadiusClientCommand) -> &ServeArgs {
    match command {
        RadiusClientCommand::Add { serve, .. }
        | RadiusClientCommand::List { serve, .. }
        | RadiusClientCommand::Remove { serve, .. } => serve,
    }
}

impl RadiusClientCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        self.check_input()?;
        let services = open_services(serve_args(&self), config_file).await?;
        let done = self.execute(&services).await;
        services.store.close().await;
        done
    }

    /// A typo is refused before the data folder or the database is touched; the use case
    /// checks the same again.
    fn check_input(&self) -> anyhow::Result<()> {
        if let RadiusClientCommand::Add {
            name,
            address,
            push_timeout,
            ..
        } = self
        {
            check_name(name)?;
            Network::parse(address)?;
            check_push_timeout(*push_timeout)?;
        }
        Ok(())
    }

    async fn execute(self, services: &Services<SqlStore>) -> anyhow::Result<()> {
        // The shell has no client address or user agent to record.
        let meta = RequestMeta::default();
        match self {
            RadiusClientCommand::Add {
                contract_of,
                name,
                address,
                mode,
                push_timeout,
                ..
            } => {
                let admin = operator_session(services, &contract_of).await?;
                let new = NewRadiusClient {
                    name,
                    address,
                    mode: mode.into(),
                    push_timeout_secs: Some(push_timeout),
                };
                let (client, secret) = services
                    .add_radius_client(
                        &admin,
                        &new,
                        portcullis_core::service::Reveal::InAnswer,
                        &meta,
                    )
                    .await?;
                println!("{}", secret.expose());
                eprintln!("{}", nas_note(&client));
            }
            RadiusClientCommand::List {
                contract_of, json, ..
            } => {
                let clients = match &contract_of {
                    Some(member) => {
                        let admin = operator_session(services, member).await?;
                        services.list_radius_clients(&admin).await?
                    }
                    None => services.radius_clients_for_operator().await?,
                };
                // Standard output holds the clients and nothing else: a script counts lines.
                if clients.is_empty() && !json {
                    eprintln!("No RADIUS clients yet; add one with `portcullis radius-client add`");
                }
                for client in &clients {
                    if json {
                        println!("{}", json_line(client));
                    } else {
                        println!("{}", row(client));
                    }
                }
            }
            RadiusClientCommand::Remove { name, .. } => {
                let admin = match services.operator_session_for_radius_client(&name).await {
                    Err(Error::NotFound(_)) => bail!("no RADIUS client is called {name}"),
                    other => other?,
                };
                let client = match services.remove_radius_client(&admin, &name, &meta).await {
                    Err(Error::NotFound(_)) => bail!("no RADIUS client is called {name}"),
                    other => other?,
                };
                println!(
                    "Removed RADIUS client {} ({}, {}); running servers drop its requests within seconds",
                    client.name, client.network, client.mode
                );
            }
        }
        Ok(())
    }
}

async fn operator_session(
    services: &Services<SqlStore>,
    email: &str,
) -> anyhow::Result<AdminSession> {
    match services.operator_session(email).await {
        Err(Error::NotFound(_)) => bail!("no account has the email {email}"),
        other => Ok(other?.0),
    }
}

/// What the person at the NAS has to enter, beside the secret printed on standard output.
fn nas_note(client: &RadiusClient) -> String {
    let mut note = format!(
        "Added RADIUS client {name} for requests from {network}, mode {mode}.\n\
         The shared secret above is shown only this once. On the NAS, enter it as the RADIUS \
         server's secret, with this server's address and the UDP port of `serve --radius-bind` \
         (1812 usually); send Message-Authenticator with every request.",
        name = client.name,
        network = client.network,
        mode = client.mode,
    );
    let ask = match client.mode {
        RadiusMode::PasswordAndCode => {
            "People type their password followed by the 6-digit code from their app.".to_owned()
        }
        RadiusMode::Challenge => {
            "People type their password; the NAS must show the Reply-Message of the \
             Access-Challenge and send the code with its State."
                .to_owned()
        }
        RadiusMode::Push => format!(
            "People type their password and approve in the companion app; set the NAS's \
             timeout above {} seconds.",
            client.push_timeout_secs
        ),
        RadiusMode::CodeOnly => "People type the code from their app alone.".to_owned(),
    };
    note.push('\n');
    note.push_str(&ask);
    note
}

/// `NAME  ADDRESS  MODE`: two spaces apart, so a name with one space inside stays one field.
fn row(client: &RadiusClient) -> String {
    format!("{}  {}  {}", client.name, client.network, client.mode)
}

/// One client as a JSON object, shaped like the API's answer (and its contract, as the
/// operator's list spans them all).
fn json_line(client: &RadiusClient) -> serde_json::Value {
    json!({
        "name": client.name,
        "address": client.network.to_string(),
        "mode": client.mode.as_str(),
        "push_timeout_secs": client.push_timeout_secs,
        "contract_id": client.contract_id.as_str(),
        "created_at": rfc3339(client.created_at),
    })
}

#[cfg(test)]
mod tests {
    use portcullis_core::UnixTime;
    use portcullis_core::model::{ContractId, RadiusClientId};

    use super::*;

    fn client(name: &str, address: &str, mode: RadiusMode) -> RadiusClient {
        RadiusClient {
            id: RadiusClientId("r-1".to_owned()),
            contract_id: ContractId("c-1".to_owned()),
            name: name.to_owned(),
            network: Network::parse(address).unwrap(),
            mode,
            push_timeout_secs: 25,
            created_at: UnixTime(0),
        }
    }

    #[test]
    fn a_row_is_name_address_and_mode_two_spaces_apart() {
        let c = client("office vpn", "10.1.2.3/8", RadiusMode::PasswordAndCode);
        assert_eq!(row(&c), "office vpn  10.0.0.0/8  password+code");
    }

    #[test]
    fn every_mode_has_the_name_the_contract_gives_it() {
        for mode in [
            Mode::PasswordAndCode,
            Mode::Challenge,
            Mode::Push,
            Mode::CodeOnly,
        ] {
            let value = mode.to_possible_value().unwrap();
            assert_eq!(value.get_name(), RadiusMode::from(mode).as_str());
        }
    }
}
