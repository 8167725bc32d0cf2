//! Details of the access rules owners, administrators and the operator keep for applications
//! behind forward authentication. The checks themselves are not audited: they happen on every
//! request of a protected application, and the application's own log has them.

use serde::Serialize;

use crate::access::AccessPolicy;
use crate::model::{AccessRuleId, GroupId};

/// `access_rule.created`.
#[derive(Debug, Clone, Serialize)]
pub struct AccessRuleCreated {
    pub rule_id: AccessRuleId,
    pub host: String,
    pub path_prefix: String,
    pub policy: AccessPolicy,
    pub groups: Vec<GroupId>,
}

/// `access_rule.removed`.
#[derive(Debug, Clone, Serialize)]
pub struct AccessRuleRemoved {
    pub rule_id: AccessRuleId,
    pub host: String,
    pub path_prefix: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditDetail;

    fn stored_text(detail: impl Into<AuditDetail>) -> String {
        serde_json::to_value(detail.into()).unwrap().to_string()
    }

    #[test]
    fn access_rule_details_keep_their_stored_json() {
        let created = AccessRuleCreated {
            rule_id: AccessRuleId("r1".into()),
            host: "app.example.com".into(),
            path_prefix: "/admin".into(),
            policy: AccessPolicy::TwoFactor,
            groups: vec![GroupId("g1".into())],
        };
        assert_eq!(
            stored_text(created),
            r#"{"groups":["g1"],"host":"app.example.com","path_prefix":"/admin","policy":"two-factor","rule_id":"r1"}"#
        );
        let removed = AccessRuleRemoved {
            rule_id: AccessRuleId("r1".into()),
            host: "app.example.com".into(),
            path_prefix: "/".into(),
        };
        assert_eq!(
            stored_text(removed),
            r#"{"host":"app.example.com","path_prefix":"/","rule_id":"r1"}"#
        );
    }
}
