//! Who may do what. Every "may X do Y to Z" in Portcullis is answered here, as pure functions of
//! roles and facts; handlers and use cases ask, they never decide inline.
//!
//! - The owner manages administrators and users; administrators manage users only; nobody
//!   manages the owner through the API.
//! - 2FA is forced on a user when an owner or administrator set "Force 2-Factor Auth" on them,
//!   or when the contract requires it of everyone. A forced user cannot remove their own factors.
//! - The contract policy may be switched on by the owner or an administrator, and off only by the
//!   owner ("only the main account").
//! - Resources marked `requires_2fa` exist only for sessions completed with a second factor, also
//!   for owners and administrators and also inside an authorised group.

use crate::model::{Resource, Role};

/// May someone with `actor`'s role manage (see, change, reset, delete) a user with `target`'s role?
pub fn may_manage(actor: Role, target: Role) -> bool {
    match actor {
        Role::Owner => target != Role::Owner,
        Role::Administrator => target == Role::User,
        Role::User => false,
    }
}

/// May `actor` give someone the `role` (at creation or by a change)?
pub fn may_assign(actor: Role, role: Role) -> bool {
    match actor {
        Role::Owner => role != Role::Owner,
        Role::Administrator => role == Role::User,
        Role::User => false,
    }
}

/// A contract has exactly one owner, always: nobody (not even the operator) deletes the owner or
/// gives them another role.
pub fn owner_is_permanent(target: Role) -> bool {
    target == Role::Owner
}

/// Administration at all: the owner and administrators.
pub fn is_admin(role: Role) -> bool {
    matches!(role, Role::Owner | Role::Administrator)
}

/// May `actor` clear "Force 2-Factor Auth" on a user? Only the main account clears
/// "2FA required"; administrators may set it but not take it back.
pub fn may_unforce(actor: Role) -> bool {
    actor == Role::Owner
}

/// May `actor` set the contract's "require 2FA" policy to `on`?
pub fn may_set_contract_policy(actor: Role, on: bool) -> bool {
    match actor {
        Role::Owner => true,
        Role::Administrator => on,
        Role::User => false,
    }
}

/// May `actor` switch "phishing-resistant only" on or off? Only the owner: it decides what
/// everyone in the organisation must buy and carry, so an administrator cannot impose it.
pub fn may_set_phishing_resistant(actor: Role) -> bool {
    actor == Role::Owner
}

/// Is 2FA forced on a user?
pub fn two_factor_forced(user_flag: bool, contract_requires: bool) -> bool {
    user_flag || contract_requires
}

/// May a user remove their own second factors?
pub fn may_remove_own_factors(forced: bool) -> bool {
    !forced
}

/// The facts about a viewer that decide which resources exist for them.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub role: Role,
    /// The viewer's current session was completed with a second factor.
    pub second_factor_session: bool,
}

/// Does `resource` exist for `viewer`? `in_granted_group`: one of the viewer's groups is granted it.
pub fn sees_resource(viewer: Viewer, resource: &Resource, in_granted_group: bool) -> bool {
    let authorised = is_admin(viewer.role) || in_granted_group;
    authorised && (!resource.requires_2fa || viewer.second_factor_session)
}

/// May `viewer` mark a resource as needing 2FA (or create one so marked)? Only from a session
/// that itself passed a second factor, so nobody protects what they could not then see.
pub fn may_mark_requires_2fa(viewer: Viewer) -> bool {
    is_admin(viewer.role) && viewer.second_factor_session
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnixTime;
    use crate::model::{ContractId, ResourceId, ResourceKind};

    const ROLES: [Role; 3] = [Role::Owner, Role::Administrator, Role::User];

    #[test]
    fn the_owner_manages_administrators_and_users_and_administrators_only_users() {
        let table: Vec<(Role, Role, bool)> = ROLES
            .iter()
            .flat_map(|a| ROLES.iter().map(move |t| (*a, *t, may_manage(*a, *t))))
            .collect();
        assert_eq!(
            table,
            [
                (Role::Owner, Role::Owner, false),
                (Role::Owner, Role::Administrator, true),
                (Role::Owner, Role::User, true),
                (Role::Administrator, Role::Owner, false),
                (Role::Administrator, Role::Administrator, false),
                (Role::Administrator, Role::User, true),
                (Role::User, Role::Owner, false),
                (Role::User, Role::Administrator, false),
                (Role::User, Role::User, false),
            ]
        );
        for a in ROLES {
            assert!(!may_assign(a, Role::Owner), "nobody makes another owner");
        }
        assert!(may_assign(Role::Owner, Role::Administrator));
        assert!(!may_assign(Role::Administrator, Role::Administrator));
    }

    #[test]
    fn only_the_owner_clears_the_contract_policy() {
        assert!(may_set_contract_policy(Role::Owner, false));
        assert!(may_set_contract_policy(Role::Administrator, true));
        assert!(!may_set_contract_policy(Role::Administrator, false));
        assert!(!may_set_contract_policy(Role::User, true));
    }

    #[test]
    fn only_the_owner_switches_phishing_resistant_only() {
        assert!(may_set_phishing_resistant(Role::Owner));
        assert!(!may_set_phishing_resistant(Role::Administrator));
        assert!(!may_set_phishing_resistant(Role::User));
    }

    #[test]
    fn forced_users_keep_their_factors() {
        assert!(two_factor_forced(true, false) && two_factor_forced(false, true));
        assert!(!two_factor_forced(false, false));
        assert!(!may_remove_own_factors(true));
    }

    fn resource(requires_2fa: bool) -> Resource {
        Resource {
            id: ResourceId::generate(),
            contract_id: ContractId::generate(),
            kind: ResourceKind::Datacenter,
            name: "dc".into(),
            requires_2fa,
            groups: vec![],
            created_at: UnixTime(0),
        }
    }

    #[test]
    fn protected_resources_exist_only_for_second_factor_sessions() {
        let user = |second_factor_session| Viewer {
            role: Role::User,
            second_factor_session,
        };
        let admin = |second_factor_session| Viewer {
            role: Role::Administrator,
            second_factor_session,
        };
        assert!(sees_resource(user(false), &resource(false), true));
        assert!(
            !sees_resource(user(false), &resource(false), false),
            "not granted"
        );
        assert!(
            !sees_resource(user(false), &resource(true), true),
            "granted but no 2FA"
        );
        assert!(sees_resource(user(true), &resource(true), true));
        assert!(sees_resource(admin(false), &resource(false), false));
        assert!(
            !sees_resource(admin(false), &resource(true), false),
            "admins too"
        );
        assert!(sees_resource(admin(true), &resource(true), false));
        assert!(may_mark_requires_2fa(admin(true)));
        assert!(!may_mark_requires_2fa(admin(false)));
        assert!(!may_mark_requires_2fa(user(true)));
    }
}
