//! Details of companion-app push: pairing and removing devices, sending a login request, and
//! how each request ended. Challenge ids stay text, as the store keeps them.

use serde::Serialize;

use crate::model::PushDeviceId;

/// `push.device_paired`, or the wrong password that refused pairing.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PushDevicePaired {
    InvalidPassword,
    #[serde(untagged)]
    Paired {
        device_id: PushDeviceId,
        name: String,
    },
}

/// `push.device_removed`, or the wrong password that kept it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PushDeviceRemoved {
    InvalidPassword,
    #[serde(untagged)]
    Removed {
        device_id: PushDeviceId,
        name: String,
    },
}

/// `push.sent`: a login request went to the person's devices.
#[derive(Debug, Clone, Serialize)]
pub struct PushSent {
    pub challenge_id: String,
    /// Sent again for a challenge already pending.
    pub resent: bool,
    /// The person's other pending requests this one ended.
    pub superseded: Vec<String>,
}

/// How a device answered a request: `push.approved`, `push.denied` and `push.reported_fraud`
/// say the same things.
#[derive(Debug, Clone, Serialize)]
pub struct PushDecision {
    pub challenge_id: String,
    pub device_id: PushDeviceId,
    /// An approval with a number other than the one on the login screen (counted as denied).
    pub wrong_number: bool,
}

/// `push.expired`: nobody answered in time.
#[derive(Debug, Clone, Serialize)]
pub struct PushExpired {
    pub challenge_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDetail, stored_text};

    #[test]
    fn push_details_are_stored_as_they_always_were() {
        let device_id = PushDeviceId("d1".into());
        let decision = PushDecision {
            challenge_id: "c1".into(),
            device_id: device_id.clone(),
            wrong_number: false,
        };
        let cases = [
            (
                stored_text(PushDevicePaired::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(PushDevicePaired::Paired {
                    device_id: device_id.clone(),
                    name: "Pixel".into(),
                }),
                r#"{"device_id":"d1","name":"Pixel"}"#,
            ),
            (
                stored_text(PushDeviceRemoved::InvalidPassword),
                r#"{"reason":"invalid_password"}"#,
            ),
            (
                stored_text(PushDeviceRemoved::Removed {
                    device_id,
                    name: "Pixel".into(),
                }),
                r#"{"device_id":"d1","name":"Pixel"}"#,
            ),
            (
                stored_text(PushSent {
                    challenge_id: "c1".into(),
                    resent: false,
                    superseded: vec!["c0".into()],
                }),
                r#"{"challenge_id":"c1","resent":false,"superseded":["c0"]}"#,
            ),
            (
                stored_text(AuditDetail::PushApproved(decision.clone())),
                r#"{"challenge_id":"c1","device_id":"d1","wrong_number":false}"#,
            ),
            (
                stored_text(AuditDetail::PushDenied(PushDecision {
                    wrong_number: true,
                    ..decision.clone()
                })),
                r#"{"challenge_id":"c1","device_id":"d1","wrong_number":true}"#,
            ),
            (
                stored_text(AuditDetail::PushReportedFraud(decision)),
                r#"{"challenge_id":"c1","device_id":"d1","wrong_number":false}"#,
            ),
            (
                stored_text(PushExpired {
                    challenge_id: "c1".into(),
                }),
                r#"{"challenge_id":"c1"}"#,
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}
