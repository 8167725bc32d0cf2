//! Details of what owners, administrators and the operator do to a contract: its users, their
//! roles and 2FA, the contract's policy, groups and resources. When the operator acts at the shell
//! the event says so itself ([`super::AuditEvent::by_operator`]), not these types.

use serde::Serialize;

use crate::model::{GroupId, ResourceId, ResourceKind, Role};

/// `user.created`.
#[derive(Debug, Clone, Serialize)]
pub struct UserCreated {
    pub role: Role,
    pub force_2fa: bool,
    /// Made without a password: an invitation link was issued.
    pub invited: bool,
}

/// `invitation.renewed`: a new link, emailed or shown to copy; older ones died.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationRenewed {
    pub emailed: bool,
}

/// `user.role_changed`.
#[derive(Debug, Clone, Serialize)]
pub struct UserRoleChanged {
    pub from: Role,
    pub to: Role,
}

/// `user.deleted`: the address stays in the trail, the account is gone.
#[derive(Debug, Clone, Serialize)]
pub struct UserDeleted {
    pub email: String,
    pub role: Role,
}

/// `two_factor.forced`.
#[derive(Debug, Clone, Serialize)]
pub struct TwoFactorForced;

/// `two_factor.unforced`.
#[derive(Debug, Clone, Serialize)]
pub struct TwoFactorUnforced;

/// `two_factor.reset_by_admin`: every factor and code removed, every session ended.
#[derive(Debug, Clone, Serialize)]
pub struct TwoFactorResetByAdmin {
    pub sessions_revoked: u64,
}

/// `account.unlocked`.
#[derive(Debug, Clone, Serialize)]
pub struct AccountUnlocked;

/// `contract.policy_changed`.
#[derive(Debug, Clone, Serialize)]
pub struct ContractPolicyChanged {
    pub require_2fa: bool,
}

/// `group.created`.
#[derive(Debug, Clone, Serialize)]
pub struct GroupCreated {
    pub group_id: GroupId,
    pub name: String,
}

/// `group.member_added` (the member is the event's subject).
#[derive(Debug, Clone, Serialize)]
pub struct GroupMemberAdded {
    pub group_id: GroupId,
}

/// `group.member_removed` (the member is the event's subject).
#[derive(Debug, Clone, Serialize)]
pub struct GroupMemberRemoved {
    pub group_id: GroupId,
}

/// `resource.created`.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceCreated {
    pub resource_id: ResourceId,
    pub kind: ResourceKind,
    pub requires_2fa: bool,
}

/// `resource.updated`.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceUpdated {
    pub resource_id: ResourceId,
    pub requires_2fa: bool,
}

/// `resource.deleted`.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceDeleted {
    pub resource_id: ResourceId,
}

/// A resource and a group: `resource.granted` and `resource.grant_revoked` say the same things.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    pub resource_id: ResourceId,
    pub group_id: GroupId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditDetail, stored_text};

    #[test]
    fn admin_details_are_stored_as_they_always_were() {
        let group_id = GroupId("g1".into());
        let resource_id = ResourceId("r1".into());
        let grant = Grant {
            resource_id: resource_id.clone(),
            group_id: group_id.clone(),
        };
        let cases = [
            (
                stored_text(UserCreated {
                    role: Role::Administrator,
                    force_2fa: true,
                    invited: false,
                }),
                r#"{"force_2fa":true,"invited":false,"role":"administrator"}"#,
            ),
            (
                stored_text(InvitationRenewed { emailed: true }),
                r#"{"emailed":true}"#,
            ),
            (
                stored_text(UserRoleChanged {
                    from: Role::User,
                    to: Role::Administrator,
                }),
                r#"{"from":"user","to":"administrator"}"#,
            ),
            (
                stored_text(UserDeleted {
                    email: "bo@example.com".into(),
                    role: Role::User,
                }),
                r#"{"email":"bo@example.com","role":"user"}"#,
            ),
            (stored_text(TwoFactorForced), "null"),
            (stored_text(TwoFactorUnforced), "null"),
            (
                stored_text(TwoFactorResetByAdmin {
                    sessions_revoked: 1,
                }),
                r#"{"sessions_revoked":1}"#,
            ),
            (stored_text(AccountUnlocked), "null"),
            (
                stored_text(ContractPolicyChanged { require_2fa: false }),
                r#"{"require_2fa":false}"#,
            ),
            (
                stored_text(GroupCreated {
                    group_id: group_id.clone(),
                    name: "Ops".into(),
                }),
                r#"{"group_id":"g1","name":"Ops"}"#,
            ),
            (
                stored_text(GroupMemberAdded {
                    group_id: group_id.clone(),
                }),
                r#"{"group_id":"g1"}"#,
            ),
            (
                stored_text(GroupMemberRemoved { group_id }),
                r#"{"group_id":"g1"}"#,
            ),
            (
                stored_text(ResourceCreated {
                    resource_id: resource_id.clone(),
                    kind: ResourceKind::Snapshot,
                    requires_2fa: true,
                }),
                r#"{"kind":"snapshot","requires_2fa":true,"resource_id":"r1"}"#,
            ),
            (
                stored_text(ResourceUpdated {
                    resource_id: resource_id.clone(),
                    requires_2fa: false,
                }),
                r#"{"requires_2fa":false,"resource_id":"r1"}"#,
            ),
            (
                stored_text(ResourceDeleted { resource_id }),
                r#"{"resource_id":"r1"}"#,
            ),
            (
                stored_text(AuditDetail::ResourceGranted(grant.clone())),
                r#"{"group_id":"g1","resource_id":"r1"}"#,
            ),
            (
                stored_text(AuditDetail::ResourceGrantRevoked(grant)),
                r#"{"group_id":"g1","resource_id":"r1"}"#,
            ),
        ];
        for (stored, expected) in cases {
            assert_eq!(stored, expected);
        }
    }
}
