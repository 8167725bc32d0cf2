//! `portcullis oidc-client …` (the relying parties of a contract, as the contract with
//! outside clients fixes them) and `portcullis oidc rotate-signing-key`. Everything is done
//! through the operator's session, so each change is audited `{"by":"operator"}`. A client
//! secret is printed once, on standard output (`--json`: `{"client_id", "client_secret"}`), so
//! a script can capture it; notes about it go to standard error.

use std::path::Path;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};
use portcullis_core::Error;
use portcullis_core::model::RequestMeta;
use portcullis_core::oidc::jose::Alg;
use portcullis_core::secret::Token;
use portcullis_core::service::oidc::{NewOidcClient, OidcClientView};
use portcullis_core::service::{Reveal, Services};
use portcullis_store::SqlStore;
use serde_json::json;

use super::support::open_services;
use crate::config::ServeArgs;
use crate::http::time::{human_time, rfc3339};

#[derive(Subcommand)]
pub enum OidcClientCommand {
    /// Register a relying party; a confidential client's secret is printed once
    Create {
        /// Any member of the contract the client belongs to (its owner, usually)
        #[arg(long, value_name = "OWNER_EMAIL")]
        contract_of: String,
        /// What people see on the consent screen ("Grafana")
        #[arg(long)]
        name: String,
        /// Where codes may be sent, exactly as the client sends it (https://, or http:// to localhost); repeat for several
        #[arg(long = "redirect-uri", value_name = "URI", required = true)]
        redirect_uris: Vec<String>,
        /// A single-page or native app: no secret, PKCE required
        #[arg(long)]
        public: bool,
        /// Our own application: no consent screen
        #[arg(long)]
        first_party: bool,
        /// Only sessions signed in with a second factor may sign in to it
        #[arg(long = "require-2fa")]
        require_2fa: bool,
        /// Only members of this group may sign in; repeat for several (default: everyone)
        #[arg(long = "group", value_name = "NAME")]
        groups: Vec<String>,
        /// The algorithm of its ID tokens (id_token_signed_response_alg)
        #[arg(long = "id-token-alg", value_enum, default_value = "RS256")]
        id_token_alg: SigningAlg,
        /// Print {"client_id", "client_secret"} as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List the clients (never their secrets): every contract's, or one's
    List {
        /// Only the contract of this member
        #[arg(long, value_name = "EMAIL")]
        contract_of: Option<String>,
        /// One JSON object per line instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Give a confidential client a new secret (printed once); the old one stops working at once
    RotateSecret {
        client_id: String,
        /// Print {"client_id", "client_secret"} as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Delete a client: it can no longer sign anyone in
    Delete {
        client_id: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand)]
pub enum OidcCommand {
    /// Make a new current signing key; the old one stays in JWKS until its tokens have expired
    RotateSigningKey {
        /// Only this algorithm's key (default: all three)
        #[arg(long, value_enum)]
        alg: Option<SigningAlg>,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SigningAlg {
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "ES256")]
    Es256,
    #[value(name = "EdDSA")]
    EdDsa,
}

impl From<SigningAlg> for Alg {
    fn from(a: SigningAlg) -> Alg {
        match a {
            SigningAlg::Rs256 => Alg::Rs256,
            SigningAlg::Es256 => Alg::Es256,
            SigningAlg::EdDsa => Alg::EdDsa,
        }
    }
}

fn serve_args(command: &OidcClientCommand) -> &ServeArgs {
    match command {
        OidcClientCommand::Create { serve, .. }
        | OidcClientCommand::List { serve, .. }
        | OidcClientCommand::RotateSecret { serve, .. }
        | OidcClientCommand::Delete { serve, .. } => serve,
    }
}

impl OidcClientCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let services = open_services(serve_args(&self), config_file).await?;
        let done = self.execute(&services).await;
        services.store.close().await;
        done
    }

    async fn execute(self, services: &Services<SqlStore>) -> anyhow::Result<()> {
        // The shell has no client address or user agent to record.
        let meta = RequestMeta::default();
        match self {
            OidcClientCommand::Create {
                contract_of,
                name,
                redirect_uris,
                public,
                first_party,
                require_2fa,
                groups,
                id_token_alg,
                json,
                ..
            } => {
                let admin = operator_session(services, &contract_of).await?;
                let new = NewOidcClient {
                    name,
                    redirect_uris,
                    public,
                    first_party,
                    require_2fa,
                    groups,
                    id_token_alg: Some(id_token_alg.into()),
                };
                let (view, secret) = services
                    .create_oidc_client(&admin, &new, Reveal::InAnswer, &meta)
                    .await?;
                print_credentials(&view.client.client_id, secret.as_ref(), json);
            }
            OidcClientCommand::List {
                contract_of, json, ..
            } => {
                let clients = match &contract_of {
                    Some(member) => {
                        let admin = operator_session(services, member).await?;
                        services.list_oidc_clients(&admin).await?
                    }
                    None => services.oidc_clients_for_operator().await?,
                };
                if clients.is_empty() && !json {
                    println!("No OIDC clients yet; add one with `portcullis oidc-client create`");
                }
                for view in &clients {
                    if json {
                        println!("{}", json_line(view));
                    } else {
                        println!("{}", row(view));
                    }
                }
            }
            OidcClientCommand::RotateSecret {
                client_id, json, ..
            } => {
                let admin = client_session(services, &client_id).await?;
                let (client, secret) = services
                    .rotate_oidc_client_secret(&admin, &client_id, Reveal::InAnswer, &meta)
                    .await?;
                print_credentials(&client.client_id, Some(&secret), json);
            }
            OidcClientCommand::Delete { client_id, .. } => {
                let admin = client_session(services, &client_id).await?;
                let client = services
                    .delete_oidc_client(&admin, &client_id, &meta)
                    .await?;
                println!(
                    "Deleted OIDC client {} ({:?})",
                    client.client_id, client.name
                );
            }
        }
        Ok(())
    }
}

impl OidcCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let OidcCommand::RotateSigningKey { alg, serve } = self;
        let services = open_services(&serve, config_file).await?;
        let algs: Vec<Alg> = match alg {
            Some(alg) => vec![alg.into()],
            None => Alg::ALL.to_vec(),
        };
        let mut done = Ok(());
        for alg in algs {
            match services.rotate_oidc_signing_key(alg).await {
                Ok(rotated) => {
                    let old = match rotated.old_published_until {
                        Some(until) => format!(
                            "; the previous key stays in JWKS until {}",
                            human_time(until)
                        ),
                        None => String::new(),
                    };
                    println!("New {alg} signing key {}{old}", rotated.kid);
                }
                Err(e) => {
                    done = Err(e.into());
                    break;
                }
            }
        }
        services.store.close().await;
        done
    }
}

async fn operator_session(
    services: &Services<SqlStore>,
    email: &str,
) -> anyhow::Result<portcullis_core::service::AdminSession> {
    match services.operator_session(email).await {
        Err(Error::NotFound(_)) => bail!("no account has the email {email}"),
        other => Ok(other?.0),
    }
}

async fn client_session(
    services: &Services<SqlStore>,
    client_id: &str,
) -> anyhow::Result<portcullis_core::service::AdminSession> {
    match services.operator_session_for_oidc_client(client_id).await {
        Err(Error::NotFound(_)) => bail!("no OIDC client has the id {client_id}"),
        other => Ok(other?),
    }
}

fn print_credentials(client_id: &str, secret: Option<&Token>, json: bool) {
    if json {
        println!(
            "{}",
            json!({ "client_id": client_id, "client_secret": secret.map(Token::expose) })
        );
        return;
    }
    println!("client_id: {client_id}");
    match secret {
        Some(secret) => {
            println!("client_secret: {}", secret.expose());
            eprintln!("The client secret is shown only this once; it is stored hashed.");
        }
        None => eprintln!("A public client has no secret; it must use PKCE (S256)."),
    }
}

/// `CLIENT_ID  NAME  confidential|public  [first-party]  [2FA]  [groups …]  ALG  URI …`
fn row(view: &OidcClientView) -> String {
    let c = &view.client;
    let mut parts = vec![
        c.client_id.clone(),
        format!("{:?}", c.name),
        if c.public { "public" } else { "confidential" }.to_owned(),
    ];
    if c.first_party {
        parts.push("first-party".to_owned());
    }
    if c.require_2fa {
        parts.push("2FA".to_owned());
    }
    if !view.group_names.is_empty() {
        parts.push(format!("groups {}", view.group_names.join(",")));
    }
    parts.push(c.id_token_signed_response_alg.as_str().to_owned());
    parts.push(c.redirect_uris.join(" "));
    parts.push(format!("created {}", human_time(c.created_at)));
    parts.join("  ")
}

/// One client as a JSON object, shaped like the API's answer.
fn json_line(view: &OidcClientView) -> serde_json::Value {
    let c = &view.client;
    json!({
        "client_id": c.client_id,
        "name": c.name,
        "public": c.public,
        "first_party": c.first_party,
        "require_2fa": c.require_2fa,
        "redirect_uris": c.redirect_uris,
        "groups": view.group_names,
        "id_token_signed_response_alg": c.id_token_signed_response_alg.as_str(),
        "created_at": rfc3339(c.created_at),
    })
}
