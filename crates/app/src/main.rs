//! `portcullis-app`: the command line. Parses arguments, opens the state file, runs one command
//! and turns its outcome into an exit code (listed in `--help`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portcullis_app::client::Client;
use portcullis_app::commands::{
    Exit, accounts, answer, authenticator, open_existing_state, open_state, pair, watch,
};
use portcullis_app::push::{self, Decision};
use portcullis_app::state_file::StateFileError;

const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  an error: the server could not be reached or refused, bad input, …
  2  wrong usage
  3  approve: the request was denied because the number did not match the login screen
  4  approve, deny: no sign-in request came within the timeout
  5  the state file cannot be opened: wrong passphrase, altered, or not a state file

The passphrase is taken from PORTCULLIS_APP_PASSPHRASE, else asked on the terminal (without
echo), else read as the first line of standard input.";

/// The Portcullis companion app: approve sign-ins from your phone (or any computer), and show
/// authenticator codes.
#[derive(Debug, Parser)]
#[command(name = "portcullis-app", version, after_help = EXIT_CODES)]
struct Cli {
    /// The encrypted state file: device keys, paired accounts, authenticators
    #[arg(long, env = "PORTCULLIS_APP_STATE", global = true)]
    state: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Pair with a server from a pairing URI (what the security page's QR code holds)
    Pair {
        /// portcullis://pair?v=1&server=…&code=…&account=…
        uri: String,
        /// The name the security page lists this device under, unless one was given there
        /// [default: portcullis-app on HOST]
        #[arg(long)]
        name: Option<String>,
        /// A UnifiedPush/ntfy URL the server calls to wake this device
        #[arg(long)]
        webhook: Option<String>,
    },
    /// List paired accounts and imported authenticators
    Accounts,
    /// Wait for sign-in requests and ask about each one
    Watch {
        /// Watch only this paired account
        #[arg(long)]
        account: Option<String>,
        /// Stop after answering one request
        #[arg(long)]
        once: bool,
    },
    /// Approve the pending sign-in request whose login screen shows NUMBER; without --number,
    /// the newest request if it needs no number (a VPN, Wi-Fi or SSH sign-in)
    Approve {
        /// The number shown on the login screen (10 to 99); not needed for a request from a
        /// VPN, Wi-Fi or SSH gateway, which shows none
        #[arg(long, value_parser = clap::value_parser!(u32).range(10..=99))]
        number: Option<u32>,
        /// Answer a request of this paired account only
        #[arg(long)]
        account: Option<String>,
        /// Seconds to wait for a request
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Deny the pending sign-in request
    Deny {
        /// The number shown on the login screen (not needed to deny)
        #[arg(long, value_parser = clap::value_parser!(u32).range(10..=99))]
        number: Option<u32>,
        /// Answer a request of this paired account only
        #[arg(long)]
        account: Option<String>,
        /// Seconds to wait for a request
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// "This wasn't me": deny and lock the account (every session ends)
        #[arg(long)]
        not_me: bool,
    },
    /// Set or clear the URL the server calls to wake this device (UnifiedPush / ntfy)
    Webhook {
        /// http(s)://…; leave out with --clear
        url: Option<String>,
        #[arg(long, conflicts_with = "url")]
        clear: bool,
        /// For this paired account only
        #[arg(long)]
        account: Option<String>,
    },
    /// Import an authenticator from an otpauth://totp/ URI
    AddTotp {
        /// otpauth://totp/ISSUER:ACCOUNT?secret=…
        uri: String,
    },
    /// Show the current code of every imported authenticator
    Code,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portcullis-app: {e:#}");
            if let Some(exit) = e.downcast_ref::<Exit>() {
                ExitCode::from(exit.code())
            } else if e.downcast_ref::<StateFileError>().is_some_and(|s| {
                matches!(
                    s,
                    StateFileError::WrongPassphrase(_) | StateFileError::NotAStateFile { .. }
                )
            }) {
                ExitCode::from(5)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(path) = cli.state else {
        anyhow::bail!("say where the state file is: --state FILE (or PORTCULLIS_APP_STATE)");
    };
    match cli.command {
        Command::Pair { uri, name, webhook } => {
            let (mut file, _) = open_state(&path)?;
            let args = pair::PairArgs { uri, name, webhook };
            pair::run(&mut file, args).await
        }
        Command::Accounts => {
            let (_, state) = open_existing_state(&path)?;
            accounts::run(&state);
            Ok(())
        }
        Command::Watch { account, once } => {
            let (_, state) = open_existing_state(&path)?;
            watch::run(&state, watch::WatchArgs { account, once }).await
        }
        Command::Approve {
            number,
            account,
            timeout,
        } => {
            let (_, state) = open_existing_state(&path)?;
            let args = answer::AnswerArgs {
                account,
                decision: Decision::Approve,
                number,
                timeout_secs: timeout,
            };
            answer::run(&state, args).await
        }
        Command::Deny {
            number,
            account,
            timeout,
            not_me,
        } => {
            let (_, state) = open_existing_state(&path)?;
            let decision = if not_me {
                Decision::Fraud
            } else {
                Decision::Deny
            };
            let args = answer::AnswerArgs {
                account,
                decision,
                number,
                timeout_secs: timeout,
            };
            answer::run(&state, args).await
        }
        Command::Webhook {
            url,
            clear,
            account,
        } => {
            if url.is_none() && !clear {
                anyhow::bail!("give a webhook URL, or --clear");
            }
            if let Some(u) = &url {
                push::check_webhook_url(u).map_err(anyhow::Error::msg)?;
            }
            let (_, state) = open_existing_state(&path)?;
            let devices = state.accounts_matching(account.as_deref());
            if devices.is_empty() {
                anyhow::bail!("no matching paired account");
            }
            let client = Client::new()?;
            for d in &devices {
                push::set_webhook(&client, d, url.as_deref()).await?;
                println!(
                    "Webhook {} for {}",
                    if clear { "cleared" } else { "set" },
                    d.account
                );
            }
            Ok(())
        }
        Command::AddTotp { uri } => {
            let (mut file, _) = open_state(&path)?;
            authenticator::add(&mut file, &uri)
        }
        Command::Code => {
            let (_, state) = open_existing_state(&path)?;
            authenticator::codes(&state);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        assert_eq!(Exit::Denied.code(), 3);
    }
}
