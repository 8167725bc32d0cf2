//! Access rules for applications behind forward authentication: the owner and administrators
//! (and the operator at the shell) add, list and remove their contract's rules, audited; and the
//! check a reverse proxy asks before every request of a protected application
//! ([`Services::check_access`]), which must stay cheap: it reads the rules of one host, then,
//! only when the rule needs a person, the session (touched at most once a minute by
//! [`Services::authenticate`]) and the person's groups. Nothing is cached, so a rule made on any
//! node, or at the shell, applies to the next request everywhere.

use crate::access::{
    self, AccessPolicy, AccessRule, Caller, Decision, normalise_host, normalise_prefix,
};
use crate::audit::{AccessRuleCreated, AccessRuleRemoved};
use crate::error::{Error, Result};
use crate::model::{AccessRuleId, ContractId, Group, GroupId, RequestMeta};
use crate::secret::Token;
use crate::store::{AccessRules, AuditLog, Groups, Store, Transaction};

use super::{AdminSession, Services};

/// A rule as people read it: with the names of its groups.
#[derive(Debug, Clone)]
pub struct NamedAccessRule {
    pub rule: AccessRule,
    pub group_names: Vec<String>,
}

/// What a new rule says, as typed by an administrator: checked and normalised here.
#[derive(Debug, Clone)]
pub struct NewAccessRule<'a> {
    pub host: &'a str,
    pub path_prefix: Option<&'a str>,
    pub policy: AccessPolicy,
    /// Group names of the contract; empty for "everyone of the contract".
    pub groups: &'a [String],
}

/// Who the reverse proxy passes on to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    /// Group names, sorted.
    pub groups: Vec<String>,
}

/// The answer of forward authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCheck {
    /// Let in, passing on the person (`None` for a public rule).
    Allow(Option<Identity>),
    /// Sign in first; `two_factor` when the rule needs a second factor.
    SignIn { two_factor: bool },
    /// Refused: no rule, another contract, not in the rule's groups.
    Refuse,
}

/// Rules with the names of their groups, read with the rules' contracts' groups.
async fn named<T: Transaction>(tx: &mut T, rules: Vec<AccessRule>) -> Result<Vec<NamedAccessRule>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut seen: Vec<ContractId> = Vec::new();
    for rule in &rules {
        if !seen.contains(&rule.contract_id) {
            groups.extend(tx.groups_of_contract(&rule.contract_id).await?);
            seen.push(rule.contract_id.clone());
        }
    }
    Ok(rules
        .into_iter()
        .map(|rule| {
            let mut group_names: Vec<String> = groups
                .iter()
                .filter(|g| rule.groups.contains(&g.id))
                .map(|g| g.name.clone())
                .collect();
            group_names.sort();
            NamedAccessRule { rule, group_names }
        })
        .collect())
}

/// More groups than this on one rule is a mistake, not a policy.
const MAX_GROUPS: usize = 50;

impl<S: Store> Services<S> {
    pub async fn create_access_rule(
        &self,
        admin: &AdminSession,
        new: NewAccessRule<'_>,
        meta: &RequestMeta,
    ) -> Result<NamedAccessRule> {
        let host = normalise_host(new.host).map_err(|m| Error::Validation(m.into()))?;
        let path_prefix = normalise_prefix(new.path_prefix.unwrap_or("/"))
            .map_err(|m| Error::Validation(m.into()))?;
        let mut names: Vec<String> = new.groups.iter().map(|g| g.trim().to_owned()).collect();
        names.sort();
        names.dedup();
        if names.len() > MAX_GROUPS {
            return Err(Error::Validation(format!(
                "a rule names at most {MAX_GROUPS} groups"
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let known = tx.groups_of_contract(admin.contract()).await?;
        let mut groups: Vec<GroupId> = Vec::with_capacity(names.len());
        for name in &names {
            let group = known.iter().find(|g| &g.name == name).ok_or_else(|| {
                Error::Validation(format!("this contract has no group named {name:?}"))
            })?;
            groups.push(group.id.clone());
        }
        let rule = AccessRule {
            id: AccessRuleId::generate(),
            contract_id: admin.contract().clone(),
            host,
            path_prefix,
            policy: new.policy,
            groups,
        };
        tx.insert_access_rule(&rule, now).await?;
        let created = AccessRuleCreated {
            rule_id: rule.id.clone(),
            host: rule.host.clone(),
            path_prefix: rule.path_prefix.clone(),
            policy: rule.policy,
            groups: rule.groups.clone(),
        };
        tx.append_audit(&admin.event(created, now, meta)).await?;
        tx.commit().await?;
        Ok(NamedAccessRule {
            rule,
            group_names: names,
        })
    }

    pub async fn list_access_rules(&self, admin: &AdminSession) -> Result<Vec<NamedAccessRule>> {
        let mut tx = self.store.begin_read().await?;
        let rules = tx.access_rules_of_contract(admin.contract()).await?;
        named(&mut tx, rules).await
    }

    /// Every contract's rules, for the operator at the shell.
    pub async fn access_rules_for_operator(&self) -> Result<Vec<NamedAccessRule>> {
        let mut tx = self.store.begin_read().await?;
        let rules = tx.all_access_rules().await?;
        named(&mut tx, rules).await
    }

    /// Removes any contract's rule, as the operator at the shell (audited as such).
    pub async fn remove_access_rule_from_shell(&self, id: &AccessRuleId) -> Result<AccessRule> {
        let contract = {
            let mut tx = self.store.begin_read().await?;
            tx.access_rule(id)
                .await?
                .ok_or(Error::NotFound("access rule"))?
                .contract_id
        };
        let operator = Services::<S>::operator_session_for(contract);
        self.remove_access_rule(&operator, id, &RequestMeta::default())
            .await
    }

    /// Removes a rule of the admin's contract; another contract's id is `NotFound`.
    pub async fn remove_access_rule(
        &self,
        admin: &AdminSession,
        id: &AccessRuleId,
        meta: &RequestMeta,
    ) -> Result<AccessRule> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let rule = tx
            .access_rule(id)
            .await?
            .filter(|r| &r.contract_id == admin.contract())
            .ok_or(Error::NotFound("access rule"))?;
        if !tx.delete_access_rule(id).await? {
            return Err(Error::NotFound("access rule"));
        }
        let removed = AccessRuleRemoved {
            rule_id: rule.id.clone(),
            host: rule.host.clone(),
            path_prefix: rule.path_prefix.clone(),
        };
        tx.append_audit(&admin.event(removed, now, meta)).await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Forward authentication: may the holder of `token` (if any) open `uri` on `host` (lower
    /// case, maybe with a port)? A token that is unknown, expired, idle too long, or of a locked
    /// account counts as no session, as on the pages.
    pub async fn check_access(
        &self,
        token: Option<&Token>,
        host: &str,
        uri: &str,
    ) -> Result<AccessCheck> {
        let bare = access::without_port(host);
        let rules = {
            let mut tx = self.store.begin_read().await?;
            tx.access_rules_for_hosts(&[host, bare]).await?
        };
        let rule = access::rule_for(&rules, host, uri);
        let needs_person = rule.is_some_and(|r| r.policy != AccessPolicy::Public);
        let auth = match token {
            Some(token) if needs_person => match self.authenticate(token).await {
                Ok(auth) => Some(auth),
                Err(Error::Unauthenticated) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let groups = match &auth {
            Some(auth) => {
                let mut tx = self.store.begin_read().await?;
                tx.group_names_of_user(&auth.user.id).await?
            }
            None => Vec::new(),
        };
        let group_ids: Vec<GroupId> = groups.iter().map(|(id, _)| id.clone()).collect();
        let caller = auth.as_ref().map(|auth| Caller {
            contract_id: &auth.user.contract_id,
            groups: &group_ids,
            second_factor: auth.session.second_factor,
        });
        Ok(match access::decide(rule, caller.as_ref()) {
            Decision::Refuse => AccessCheck::Refuse,
            Decision::SignIn { two_factor } => AccessCheck::SignIn { two_factor },
            Decision::Allow { identify: false } => AccessCheck::Allow(None),
            Decision::Allow { identify: true } => {
                let auth = auth.ok_or_else(|| Error::internal_msg("allowed without a person"))?;
                let mut names: Vec<String> = groups.into_iter().map(|(_, n)| n).collect();
                names.sort();
                AccessCheck::Allow(Some(Identity {
                    email: auth.user.email.to_string(),
                    groups: names,
                }))
            }
        })
    }
}
