//! Details of support identification: a person setting their support PIN, an agent checking a
//! customer's PIN, and the operator making agents.

use serde::Serialize;

/// `support_pin.changed`, or the wrong password that refused it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SupportPinChanged {
    InvalidPassword,
    #[serde(untagged)]
    Set {
        /// The person had no PIN before.
        first: bool,
    },
}

/// `support_pin.checked`: the customer's normalised address, and whether the PIN matched.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SupportPinChecked {
    /// Not checked: too many wrong checks for this customer lately.
    ChecksLocked { customer: String },
    #[serde(untagged)]
    Checked {
        customer: String,
        #[serde(rename = "match")]
        matched: bool,
        /// After a wrong PIN: whether it locked further checks (absent after a right one).
        #[serde(skip_serializing_if = "Option::is_none")]
        checks_locked: Option<bool>,
    },
}

/// `support_agent.created` (always the operator's, at the shell).
#[derive(Debug, Clone, Serialize)]
pub struct SupportAgentCreated;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditEvent, Outcome, stored_text};
    use crate::clock::UnixTime;
    use crate::model::RequestMeta;

    #[test]
    fn support_details_are_stored_as_they_always_were() {
        let customer = "cy@example.com".to_owned();
        let cases = [
            (
                stored_text(SupportPinChanged::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(SupportPinChanged::Set { first: true }),
                r#"{"first":true}"#,
            ),
            (
                stored_text(SupportPinChecked::ChecksLocked {
                    customer: customer.clone(),
                }),
                r#"{"customer":"cy@example.com","reason":"checks_locked"}"#,
            ),
            (
                stored_text(SupportPinChecked::Checked {
                    customer: customer.clone(),
                    matched: true,
                    checks_locked: None,
                }),
                r#"{"customer":"cy@example.com","match":true}"#,
            ),
            (
                stored_text(SupportPinChecked::Checked {
                    customer,
                    matched: false,
                    checks_locked: Some(false),
                }),
                r#"{"checks_locked":false,"customer":"cy@example.com","match":false}"#,
            ),
            (stored_text(SupportAgentCreated), "null"),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
        let by_operator = AuditEvent::new(
            SupportAgentCreated,
            Outcome::Success,
            UnixTime(0),
            &RequestMeta::default(),
        )
        .by_operator();
        assert_eq!(
            by_operator.detail_json().to_string(),
            r#"{"by":"operator"}"#
        );
    }
}
