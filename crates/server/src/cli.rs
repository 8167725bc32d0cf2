//! The operator's `portcullis user …` commands: run at the server's shell against the configured
//! database, for instance to rescue an owner locked out by a lost phone. Each command takes the
//! same storage options as `serve`, opens the use cases with the master key as `serve` does, acts
//! through the operator's [`AdminSession`] (so every change is audited `{"by":"operator"}`), prints
//! one line (`list`: a table, or JSON lines) and closes the database. Who may be acted on is
//! decided by the use cases (the owner, for one, is never deleted or demoted).

pub mod access_rule;
pub mod backup;
pub mod checkpassword;
pub mod oidc;
pub mod outbox;
pub mod radius_client;
pub mod rotate_key;
pub mod service_token;
pub mod support;
pub mod sweep;

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use portcullis_core::Error;
use portcullis_core::email::Email;
use portcullis_core::model::{RequestMeta, Role, User};
use portcullis_core::password::{Password, check_policy};
use portcullis_core::service::{AdminSession, ManagedUser, Services};
use portcullis_store::SqlStore;
use serde_json::json;

use crate::config::{Config, LogFormat, ServeArgs};
use crate::http::time::{human_time, rfc3339};
use crate::keys::MasterKey;

#[derive(Subcommand)]
pub enum UserCommand {
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
    /// List users with their role, 2FA state and last login: every contract's, or one's
    List {
        /// Only the contract of this member (its owner, an administrator or a user)
        #[arg(long, value_name = "EMAIL")]
        contract_of: Option<String>,
        /// One JSON object per line instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Create a user in an existing contract; without a password they get an invitation link
    Create {
        #[arg(long)]
        email: String,
        /// Any member of the contract the new user joins
        #[arg(long, value_name = "EMAIL")]
        in_contract_of: String,
        #[arg(long, value_enum, default_value_t = AssignableRole::User)]
        role: AssignableRole,
        /// Require the user to set up two-factor authentication at their first login
        #[arg(long = "force-2fa")]
        force_2fa: bool,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Change a user's role (the owner's role never changes)
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: AssignableRole,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Require two-factor authentication of a user from their next login ("Force 2-Factor Auth")
    #[command(name = "force-2fa")]
    Force2fa {
        #[arg(long)]
        email: String,
        /// Stop requiring it (the contract's own policy still applies)
        #[arg(long)]
        off: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Remove a user's second factors and recovery codes and sign them out everywhere
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Lift the lock a user set with "this wasn't me" in a security notice
    Unlock {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Delete a user and everything that hangs on them (not the owner)
    Delete {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

/// The roles the shell may give: a contract has exactly one owner, made by `create-owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssignableRole {
    User,
    Administrator,
}

impl From<AssignableRole> for Role {
    fn from(role: AssignableRole) -> Role {
        match role {
            AssignableRole::User => Role::User,
            AssignableRole::Administrator => Role::Administrator,
        }
    }
}

impl UserCommand {
    /// Reads and checks the input, opens the configured database, acts, and closes it again.
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        let password = self.password()?;
        let config = Config::resolve(self.serve_args().clone(), config_file)?;
        init_logs(config.log_format);
        let master_key =
            MasterKey::load_or_create(config.master_key.as_deref(), &config.data_folder()?)?;
        let services = crate::open_services(&config, &master_key).await?;
        let done = self.execute(&services, password).await;
        services.store.close().await;
        done
    }

    fn serve_args(&self) -> &ServeArgs {
        match self {
            UserCommand::CreateOwner { serve, .. }
            | UserCommand::List { serve, .. }
            | UserCommand::Create { serve, .. }
            | UserCommand::SetRole { serve, .. }
            | UserCommand::Force2fa { serve, .. }
            | UserCommand::Reset2fa { serve, .. }
            | UserCommand::Unlock { serve, .. }
            | UserCommand::Delete { serve, .. } => serve,
        }
    }

    /// The password from standard input, checked against the policy before the data folder or
    /// the database is touched; also a bad email is refused this early.
    fn password(&self) -> anyhow::Result<Option<Password>> {
        let (email, from_stdin) = match self {
            UserCommand::CreateOwner {
                password_stdin: false,
                ..
            } => bail!("pass the password on standard input with --password-stdin"),
            UserCommand::CreateOwner { email, .. } => (email, true),
            UserCommand::Create {
                email,
                password_stdin,
                ..
            } => (email, *password_stdin),
            _ => return Ok(None),
        };
        let parsed = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        if !from_stdin {
            return Ok(None);
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password")?;
        let password = Password::new(line.trim_end_matches(['\r', '\n']));
        check_policy(&password, Some(&parsed)).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Some(password))
    }

    async fn execute(
        self,
        services: &Services<SqlStore>,
        password: Option<Password>,
    ) -> anyhow::Result<()> {
        // The shell has no client address or user agent to record.
        let meta = RequestMeta::default();
        match self {
            UserCommand::CreateOwner { email, .. } => {
                let password = password.expect("`password` insists on one for create-owner");
                let (user, contract) = services.create_owner_from_shell(&email, &password).await?;
                println!("Created owner {email} (user {user}, contract {contract})");
            }
            UserCommand::List {
                contract_of, json, ..
            } => {
                let users = match &contract_of {
                    Some(member) => {
                        let (admin, _) = operator_session(services, member).await?;
                        services.list_users(&admin).await?
                    }
                    None => services.all_users_for_operator().await?,
                };
                if json {
                    for user in &users {
                        println!("{}", json_line(user));
                    }
                } else {
                    // One table per contract, in the order the users came.
                    let mut start = 0;
                    while start < users.len() {
                        let contract = users[start].user.contract_id.clone();
                        let end = users[start..]
                            .iter()
                            .position(|u| u.user.contract_id != contract)
                            .map_or(users.len(), |n| start + n);
                        print!("{}", table(contract.as_str(), &users[start..end]));
                        start = end;
                    }
                }
            }
            UserCommand::Create {
                email,
                in_contract_of,
                role,
                force_2fa,
                ..
            } => {
                let (admin, _) = operator_session(services, &in_contract_of).await?;
                let role = Role::from(role);
                let id = services
                    .create_user(&admin, &email, password.as_ref(), role, force_2fa, &meta)
                    .await?;
                let (verb, note) = match password {
                    Some(_) => ("Created", ""),
                    None => ("Invited", "; the set-password link is in the outbox"),
                };
                let role = role.as_str();
                let contract = admin.contract();
                println!("{verb} {role} {email} (user {id}, contract {contract}){note}");
            }
            UserCommand::SetRole { email, role, .. } => {
                let (admin, user) = operator_session(services, &email).await?;
                let role = Role::from(role);
                if user.role == role {
                    println!("{email} already has the role {}", role.as_str());
                } else {
                    services
                        .update_user(&admin, &user.id, None, Some(role), &meta)
                        .await?;
                    let (from, to) = (user.role.as_str(), role.as_str());
                    println!("{email} is now {to} (was {from})");
                }
            }
            UserCommand::Force2fa { email, off, .. } => {
                let (admin, user) = operator_session(services, &email).await?;
                let on = !off;
                services
                    .update_user(&admin, &user.id, Some(on), None, &meta)
                    .await?;
                let state = if on { "on" } else { "off" };
                let change = if user.force_2fa == on {
                    "was already"
                } else {
                    "is now"
                };
                println!("Force 2-Factor Auth {change} {state} for {email}");
            }
            UserCommand::Reset2fa { email, .. } => {
                let (admin, user) = operator_session(services, &email).await?;
                services.reset_two_factor(&admin, &user.id, &meta).await?;
                println!(
                    "Reset the two-factor authentication of {email}: factors and recovery codes \
                     removed, signed out everywhere"
                );
            }
            UserCommand::Unlock { email, .. } => {
                let (admin, user) = operator_session(services, &email).await?;
                if user.locked_at.is_none() {
                    println!("{email} is not locked");
                } else {
                    services.unlock_user(&admin, &user.id, &meta).await?;
                    println!("Unlocked {email}; they can sign in again");
                }
            }
            UserCommand::Delete { email, .. } => {
                let (admin, user) = operator_session(services, &email).await?;
                services.delete_user(&admin, &user.id, &meta).await?;
                let role = user.role.as_str();
                println!("Deleted {role} {email} (user {})", user.id);
            }
        }
        Ok(())
    }
}

/// The operator's session for the contract of `email`, with an unknown email named as such.
async fn operator_session(
    services: &Services<SqlStore>,
    email: &str,
) -> anyhow::Result<(AdminSession, User)> {
    match services.operator_session(email).await {
        Err(Error::NotFound(_)) => bail!("no account has the email {email}"),
        other => Ok(other?),
    }
}

/// One user as a JSON object, shaped like the API's `/me` answer.
fn json_line(m: &ManagedUser) -> serde_json::Value {
    let u = &m.user;
    json!({
        "id": u.id.as_str(),
        "email": u.email.as_str(),
        "contract_id": u.contract_id.as_str(),
        "role": u.role.as_str(),
        "created_at": rfc3339(u.created_at),
        "last_login_at": u.last_login_at.map(rfc3339),
        "locked_at": u.locked_at.map(rfc3339),
        "two_factor": {
            "enabled": m.two_factor.enabled,
            "methods": m.two_factor.methods.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
            "forced": m.two_factor.forced,
            "recovery_codes_left": m.two_factor.recovery_codes_left,
        },
    })
}

/// The contract on one line, then one aligned row per user, oldest first.
fn table(contract: &str, users: &[ManagedUser]) -> String {
    let header = ["EMAIL", "ROLE", "2FA", "FORCED", "LAST LOGIN"].map(str::to_owned);
    let rows: Vec<[String; 5]> = users
        .iter()
        .map(|m| {
            [
                m.user.email.as_str().to_owned(),
                m.user.role.as_str().to_owned(),
                yes_no(m.two_factor.enabled, "on", "off"),
                yes_no(m.two_factor.forced, "yes", "no"),
                m.user
                    .last_login_at
                    .map(human_time)
                    .unwrap_or_else(|| "never".to_owned()),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let count = match users.len() {
        1 => "1 user".to_owned(),
        n => format!("{n} users"),
    };
    let mut out = format!("Contract {contract}: {count}\n");
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn yes_no(value: bool, yes: &str, no: &str) -> String {
    if value { yes } else { no }.to_owned()
}

/// Logs go to standard error, so that standard output holds only what the command reports.
pub fn init_logs(format: LogFormat) {
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

#[cfg(test)]
mod tests {
    use portcullis_core::UnixTime;
    use portcullis_core::model::{ContractId, UserId};
    use portcullis_core::service::TwoFactorSummary;

    use super::*;

    fn managed(email: &str, role: Role, last_login: Option<i64>, enabled: bool) -> ManagedUser {
        ManagedUser {
            user: User {
                id: UserId(format!("id-{email}")),
                contract_id: ContractId("c-1".to_owned()),
                email: Email::parse(email).unwrap(),
                password_hash: None,
                role,
                created_at: UnixTime(0),
                last_login_at: last_login.map(UnixTime),
                force_2fa: false,
                locked_at: None,
                language: None,
                time_zone: None,
            },
            two_factor: TwoFactorSummary {
                enabled,
                methods: vec![],
                forced: enabled,
                recovery_codes_left: 0,
            },
        }
    }

    #[test]
    fn the_table_aligns_its_columns_and_says_never_for_no_login() {
        let users = [
            managed("owner@example.com", Role::Owner, Some(1_795_896_900), true),
            managed("al@example.com", Role::Administrator, None, false),
        ];
        assert_eq!(
            table("c-1", &users),
            "Contract c-1: 2 users\n\
             EMAIL              ROLE           2FA  FORCED  LAST LOGIN\n\
             owner@example.com  owner          on   yes     2026-11-28 20:15 UTC\n\
             al@example.com     administrator  off  no      never\n"
        );
    }
}
