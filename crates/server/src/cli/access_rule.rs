//! `portcullis access-rule …`: the operator keeps the access rules of forward authentication
//! from the shell (`add`, `list`, `remove`), audited as the operator's. Running servers read the
//! rules on every check, so a rule added here applies to the next request on every node.

use std::path::Path;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};
use portcullis_core::Error;
use portcullis_core::access::AccessPolicy;
use portcullis_core::model::{AccessRuleId, RequestMeta};
use portcullis_core::service::{NamedAccessRule, NewAccessRule};
use serde_json::json;

use super::support::open_services;
use crate::config::ServeArgs;

#[derive(Subcommand)]
pub enum AccessRuleCommand {
    /// Add a rule: who may open a host (and path prefix) behind forward authentication
    Add {
        /// Any member of the contract whose application this is (usually its owner)
        #[arg(long, value_name = "EMAIL")]
        contract_of: String,
        /// app.example.com, or app.example.com:8443 for one port only
        #[arg(long)]
        host: String,
        /// Only URLs under this path (whole segments: /admin covers /admin/x, not /administrators)
        #[arg(long, value_name = "P")]
        path_prefix: Option<String>,
        #[arg(long, value_enum)]
        policy: PolicyArg,
        /// Only members of this group of the contract (repeatable: any of them)
        #[arg(long = "group", value_name = "NAME")]
        groups: Vec<String>,
        /// Print the rule as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// List every contract's rules
    List {
        /// One JSON object per line
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Remove a rule; its URLs are refused from the next request on
    Remove {
        /// The id `list` shows
        id: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    Public,
    SignedIn,
    TwoFactor,
}

impl From<PolicyArg> for AccessPolicy {
    fn from(p: PolicyArg) -> AccessPolicy {
        match p {
            PolicyArg::Public => AccessPolicy::Public,
            PolicyArg::SignedIn => AccessPolicy::SignedIn,
            PolicyArg::TwoFactor => AccessPolicy::TwoFactor,
        }
    }
}

impl AccessRuleCommand {
    pub async fn run(self, config_file: Option<&Path>) -> anyhow::Result<()> {
        match self {
            AccessRuleCommand::Add {
                contract_of,
                host,
                path_prefix,
                policy,
                groups,
                json,
                serve,
            } => {
                let services = open_services(&serve, config_file).await?;
                let done = async {
                    let (admin, _) = match services.operator_session(&contract_of).await {
                        Err(Error::NotFound(_)) => bail!("no account has the email {contract_of}"),
                        other => other?,
                    };
                    let new = NewAccessRule {
                        host: &host,
                        path_prefix: path_prefix.as_deref(),
                        policy: policy.into(),
                        groups: &groups,
                    };
                    Ok(services
                        .create_access_rule(&admin, new, &RequestMeta::default())
                        .await?)
                }
                .await;
                services.store.close().await;
                let rule = done?;
                if json {
                    println!("{}", json_line(&rule));
                } else {
                    println!("Added access rule {}", row(&rule));
                }
            }
            AccessRuleCommand::List { json, serve } => {
                let services = open_services(&serve, config_file).await?;
                let rules = services.access_rules_for_operator().await;
                services.store.close().await;
                let rules = rules?;
                if rules.is_empty() && !json {
                    println!("No access rules yet; add one with `portcullis access-rule add`");
                }
                for rule in &rules {
                    if json {
                        println!("{}", json_line(rule));
                    } else {
                        println!("{}", row(rule));
                    }
                }
            }
            AccessRuleCommand::Remove { id, serve } => {
                let services = open_services(&serve, config_file).await?;
                let done = services
                    .remove_access_rule_from_shell(&AccessRuleId(id.clone()))
                    .await;
                services.store.close().await;
                match done {
                    Ok(rule) => println!(
                        "Removed access rule {} ({}{})",
                        rule.id, rule.host, rule.path_prefix
                    ),
                    Err(Error::NotFound(_)) => bail!("no access rule has the id {id}"),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

/// `ID  HOST/PREFIX  POLICY  groups: a, b  contract C`
fn row(r: &NamedAccessRule) -> String {
    let groups = if r.group_names.is_empty() {
        "everyone of the contract".to_owned()
    } else {
        format!("groups: {}", r.group_names.join(", "))
    };
    format!(
        "{}  {}{}  {}  {groups}  contract {}",
        r.rule.id,
        r.rule.host,
        r.rule.path_prefix,
        r.rule.policy.as_str(),
        r.rule.contract_id
    )
}

/// A rule shaped like the API's answer, with its contract.
fn json_line(r: &NamedAccessRule) -> serde_json::Value {
    json!({
        "id": r.rule.id.as_str(),
        "contract_id": r.rule.contract_id.as_str(),
        "host": r.rule.host,
        "path_prefix": r.rule.path_prefix,
        "policy": r.rule.policy.as_str(),
        "groups": r.group_names,
    })
}
