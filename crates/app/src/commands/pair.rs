//! `pair URI`: a new device key, paired with the server the URI names, kept in the state file.
//!
//! The state file is opened before the server is called, so a wrong passphrase never uses up
//! the single-use pairing code.

use anyhow::{Context, bail};

use crate::client::{Client, ClientError};
use crate::pairing_uri::PairingUri;
use crate::push;
use crate::state_file::StateFile;

pub struct PairArgs {
    pub uri: String,
    pub name: Option<String>,
    pub webhook: Option<String>,
}

pub async fn run(file: &mut StateFile, args: PairArgs) -> anyhow::Result<()> {
    let uri = PairingUri::parse(&args.uri)
        .map_err(|e| anyhow::anyhow!("this is not a usable pairing URI: {e}"))?;
    if !uri.server.to_ascii_lowercase().starts_with("https://") && !is_this_computer(&uri.server) {
        eprintln!(
            "Warning: {} is reached without TLS; anyone on the way can see your sign-in \
             requests. Servers in production should use https://.",
            uri.server
        );
    }
    let name = args.name.unwrap_or_else(default_name);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        bail!("the device name must be 1 to 64 characters");
    }
    if let Some(url) = &args.webhook {
        push::check_webhook_url(url).map_err(anyhow::Error::msg)?;
    }
    let client = Client::new()?;
    let paired = match push::pair(&client, &uri, name, args.webhook.as_deref()).await {
        Err(ClientError::Refused { code, .. }) if code == "invalid_token" => bail!(
            "the pairing code is used, expired or unknown: ask for a new QR code on the \
             security page"
        ),
        other => other.with_context(|| format!("cannot pair with {}", uri.server))?,
    };
    let (account, server, device, listed_as) = (
        paired.account.clone(),
        paired.server.clone(),
        paired.device_id.clone(),
        paired.name.clone(),
    );
    let replaced = file
        .update(|state| state.add_account(paired))
        .with_context(|| {
            format!(
                "paired as device {device}, but the key could not be saved: remove that device on \
             the security page and pair again"
            )
        })?;
    // The name the security page lists this device under, so the person can tell it apart.
    println!("Paired {account} at {server} as “{listed_as}” (device {device})");
    if let Some(old) = replaced {
        eprintln!(
            "This replaces the earlier pairing of {account} (device {}); remove that device on \
             the security page.",
            old.device_id
        );
    }
    Ok(())
}

/// "portcullis-app on HOST", as the security page will list the device.
fn default_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    let name = match host {
        Some(h) => format!("portcullis-app on {h}"),
        None => "portcullis-app".to_owned(),
    };
    name.chars().take(64).collect()
}

/// Whether an `http://` server is on this computer (development, tests).
fn is_this_computer(server: &str) -> bool {
    let rest = server.split_once("://").map_or(server, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_servers_count_as_this_computer() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:80/x",
        ] {
            assert!(is_this_computer(yes), "{yes}");
        }
        for no in [
            "http://192.0.2.1",
            "http://example.com:8080",
            "http://127.0.0.1.nip.io",
        ] {
            assert!(!is_this_computer(no), "{no}");
        }
    }
}
