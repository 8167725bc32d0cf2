//! The compiled `portcullis` binary as an operator runs it: the command line, configuration
//! sources, data folder, keys and process lifecycle (`binary`, `cli_*`, `outbox_cli`,
//! `key_rotation`, `checkpassword`), and whole-system checks that need the real process:
//! behind nginx (`reverse_proxy`), against its OpenAPI document (`schemathesis`), with RADIUS
//! clients we did not write (`radius`) and with every log and file searched for secrets
//! (`secrets_leak`). Each test gets a folder of its own and none of the developer's
//! `PORTCULLIS_*` settings.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod access_rule_cli;
mod binary;
mod checkpassword;
mod cli_credentials;
mod cli_users;
mod forward_auth_proxies;
mod key_rotation;
mod oidc_cli;
mod outbox_cli;
/// The proxies, upstream and visitor of `forward_auth_proxies`.
mod proxy_kit;
mod radius;
mod radius_client_cli;
/// The site and the outside RADIUS clients of `radius`.
mod radius_kit;
mod reverse_proxy;
mod schemathesis;
mod secrets_leak;
mod sweep_cli;

/// The secret list and search of `secrets_leak`.
mod secrets_support;
