//! Access rules and the hosts they claim (by name, whatever the port). Claiming is an insert that does nothing when the host
//! is taken, then a read of who holds it, in the rule's transaction: on PostgreSQL a concurrent
//! claim of the same host waits for the first to commit, so two contracts never both hold it.

use portcullis_core::access::{AccessPolicy, AccessRule, without_port};
use portcullis_core::model::{AccessRuleId, ContractId, GroupId, UserId};
use portcullis_core::store::AccessRules;
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

/// A rule with its groups, one row per group (a rule without groups: one row, `group_id` null).
macro_rules! select_rules {
    ($rest:literal) => {
        concat!(
            "SELECT r.id, r.contract_id, r.host, r.path_prefix, r.policy, g.group_id \
             FROM access_rules r LEFT JOIN access_rule_groups g ON g.rule_id = r.id ",
            $rest
        )
    };
}

/// Rows of `select_rules!` (one per rule and group, ordered by rule) folded into rules.
fn fold(rows: &[AnyRow]) -> Result<Vec<AccessRule>> {
    let mut rules: Vec<AccessRule> = Vec::new();
    for r in rows {
        let id: String = r.try_get("id").map_err(db_err)?;
        let group: Option<String> = r.try_get("group_id").map_err(db_err)?;
        if rules.last().is_none_or(|last| last.id.0 != id) {
            let policy: String = r.try_get("policy").map_err(db_err)?;
            rules.push(AccessRule {
                id: AccessRuleId(id),
                contract_id: ContractId(r.try_get("contract_id").map_err(db_err)?),
                host: r.try_get("host").map_err(db_err)?,
                path_prefix: r.try_get("path_prefix").map_err(db_err)?,
                policy: AccessPolicy::parse(&policy)
                    .ok_or_else(|| Error::internal_msg("stored access policy unknown"))?,
                groups: Vec::new(),
            });
        }
        if let (Some(group), Some(rule)) = (group, rules.last_mut()) {
            rule.groups.push(GroupId(group));
        }
    }
    Ok(rules)
}

impl AccessRules for SqlTx {
    async fn insert_access_rule(&mut self, rule: &AccessRule, now: UnixTime) -> Result<()> {
        // The claim is on the host whatever the port: another contract's rule for one port of
        // it would otherwise take that port's traffic (and the host's cookies) over.
        let claimed = without_port(&rule.host);
        sqlx::query(
            "INSERT INTO access_rule_hosts (host, contract_id) VALUES ($1, $2) \
             ON CONFLICT (host) DO NOTHING",
        )
        .bind(claimed)
        .bind(rule.contract_id.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let holder: String =
            sqlx::query_scalar("SELECT contract_id FROM access_rule_hosts WHERE host = $1")
                .bind(claimed)
                .fetch_one(&mut *self.tx)
                .await
                .map_err(db_err)?;
        if holder != rule.contract_id.as_str() {
            return Err(Error::Conflict("another contract has rules for this host"));
        }
        sqlx::query(
            "INSERT INTO access_rules (id, contract_id, host, path_prefix, policy, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rule.id.as_str())
        .bind(rule.contract_id.as_str())
        .bind(rule.host.as_str())
        .bind(rule.path_prefix.as_str())
        .bind(rule.policy.as_str())
        .bind(now.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Conflict("this host already has a rule for this path prefix")
            } else {
                db_err(e)
            }
        })?;
        for group in &rule.groups {
            sqlx::query(
                "INSERT INTO access_rule_groups (rule_id, group_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(rule.id.as_str())
            .bind(group.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn access_rules_of_contract(&mut self, contract: &ContractId) -> Result<Vec<AccessRule>> {
        let rows = sqlx::query(select_rules!(
            "WHERE r.contract_id = $1 ORDER BY r.host, r.path_prefix, r.id, g.group_id"
        ))
        .bind(contract.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        fold(&rows)
    }

    async fn all_access_rules(&mut self) -> Result<Vec<AccessRule>> {
        let rows = sqlx::query(select_rules!(
            "ORDER BY r.contract_id, r.host, r.path_prefix, r.id, g.group_id"
        ))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        fold(&rows)
    }

    async fn access_rule(&mut self, id: &AccessRuleId) -> Result<Option<AccessRule>> {
        let rows = sqlx::query(select_rules!("WHERE r.id = $1 ORDER BY g.group_id"))
            .bind(id.as_str())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(fold(&rows)?.pop())
    }

    async fn delete_access_rule(&mut self, id: &AccessRuleId) -> Result<bool> {
        let host: Option<String> =
            sqlx::query_scalar("DELETE FROM access_rules WHERE id = $1 RETURNING host")
                .bind(id.as_str())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db_err)?;
        let Some(host) = host else { return Ok(false) };
        let claimed = without_port(&host);
        sqlx::query(
            "DELETE FROM access_rule_hosts WHERE host = $1 \
             AND NOT EXISTS (SELECT 1 FROM access_rules WHERE host = $1 OR host LIKE $2)",
        )
        .bind(claimed)
        .bind(format!("{claimed}:%"))
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(true)
    }

    async fn access_rules_for_hosts(&mut self, hosts: &[&str]) -> Result<Vec<AccessRule>> {
        let (first, second) = match hosts {
            [] => return Ok(Vec::new()),
            [one] => (*one, *one),
            [one, two, ..] => (*one, *two),
        };
        let rows = sqlx::query(select_rules!("WHERE r.host IN ($1, $2) ORDER BY r.id"))
            .bind(first)
            .bind(second)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        fold(&rows)
    }

    async fn group_names_of_user(&mut self, user: &UserId) -> Result<Vec<(GroupId, String)>> {
        let rows = sqlx::query(
            "SELECT g.id, g.name FROM group_members m JOIN groups g ON g.id = m.group_id \
             WHERE m.user_id = $1 ORDER BY g.name",
        )
        .bind(user.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    GroupId(r.try_get("id").map_err(db_err)?),
                    r.try_get("name").map_err(db_err)?,
                ))
            })
            .collect()
    }
}
