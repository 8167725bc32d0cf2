//! Contract administration: the user manager, "Force 2-Factor Auth", the
//! admin reset of a user's 2FA, and the contract-wide 2FA policy. Every decision about who may
//! act on whom is asked of [`crate::policy`]; an [`AdminSession`] is the only way in, and only
//! [`Services::admin_session`] (for owners and administrators) or the operator's shell makes one.

use crate::audit::{
    AccountUnlocked, AuditDetail, AuditEvent, Outcome, TwoFactorForced, TwoFactorResetByAdmin,
    TwoFactorUnforced, UserCreated, UserDeleted, UserRoleChanged,
};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{ContractId, RequestMeta, Role, User, UserId};
use crate::notice::{ChangedBy, SecurityEvent};
use crate::password::{Password, check_policy};
use crate::policy;
use crate::store::{
    AuditLog, OidcGrants, PushStore, RecoveryCodes, RememberedBrowsers, Sessions, Store,
    TotpFactors, Transaction, Users, WebauthnStore,
};

use super::{Authenticated, Services, TwoFactorSummary};

#[derive(Debug, Clone)]
enum Actor {
    Person {
        user: User,
        second_factor: bool,
    },
    /// The operator at the server's shell: trusted with every account, including the owner's.
    Operator,
}

/// Proof that the caller may administer `contract`. Made only by [`Services::admin_session`]
/// (owners and administrators) and [`Services::operator_session`].
#[derive(Debug, Clone)]
pub struct AdminSession {
    actor: Actor,
    contract: ContractId,
}

impl AdminSession {
    pub fn contract(&self) -> &ContractId {
        &self.contract
    }
    /// The operator acting on `contract` (the shell, for commands that name a record of it).
    pub(crate) fn operator_for(contract: ContractId) -> AdminSession {
        AdminSession {
            actor: Actor::Operator,
            contract,
        }
    }
    fn actor_id(&self) -> Option<UserId> {
        match &self.actor {
            Actor::Person { user, .. } => Some(user.id.clone()),
            Actor::Operator => None,
        }
    }
    /// The role the actor acts with; the operator acts as the owner.
    pub fn role(&self) -> Role {
        match &self.actor {
            Actor::Person { user, .. } => user.role,
            Actor::Operator => Role::Owner,
        }
    }
    pub(crate) fn viewer(&self) -> policy::Viewer {
        match &self.actor {
            Actor::Person {
                user,
                second_factor,
            } => policy::Viewer {
                role: user.role,
                second_factor_session: *second_factor,
            },
            Actor::Operator => policy::Viewer {
                role: Role::Owner,
                second_factor_session: true,
            },
        }
    }
    fn may_manage(&self, target: &User) -> bool {
        match &self.actor {
            Actor::Operator => true,
            Actor::Person { user, .. } => {
                user.id != target.id && policy::may_manage(user.role, target.role)
            }
        }
    }
    fn may_assign(&self, role: Role) -> bool {
        match &self.actor {
            Actor::Operator => role != Role::Owner,
            Actor::Person { user, .. } => policy::may_assign(user.role, role),
        }
    }
    /// Who `recipient` is told made a change: the administrator by email (or the operator).
    /// An administrator's change to their own account (a contract-wide policy includes them)
    /// was made with their own credentials, so it reads as theirs, with the lock link.
    pub(crate) fn changed_by(&self, recipient: &User) -> ChangedBy {
        match &self.actor {
            Actor::Person { user, .. } if user.id == recipient.id => ChangedBy::Holder,
            Actor::Person { user, .. } => ChangedBy::Administrator {
                email: user.email.to_string(),
                owner: user.role == Role::Owner,
            },
            Actor::Operator => ChangedBy::Operator,
        }
    }
    pub(crate) fn event(
        &self,
        detail: impl Into<AuditDetail>,
        at: crate::UnixTime,
        meta: &RequestMeta,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(detail, Outcome::Success, at, meta);
        e.actor = self.actor_id();
        e.contract = Some(self.contract.clone());
        if matches!(self.actor, Actor::Operator) {
            e = e.by_operator();
        }
        e
    }
}

/// A user as the user manager shows them.
#[derive(Debug, Clone)]
pub struct ManagedUser {
    pub user: User,
    pub two_factor: TwoFactorSummary,
}

impl<S: Store> Services<S> {
    /// The admin view of a signed-in owner or administrator; a plain user gets `Forbidden`.
    pub fn admin_session(&self, auth: &Authenticated) -> Result<AdminSession> {
        if !policy::is_admin(auth.user.role) {
            return Err(Error::Forbidden(
                "only the owner and administrators may do this",
            ));
        }
        Ok(AdminSession {
            actor: Actor::Person {
                user: auth.user.clone(),
                second_factor: auth.session.second_factor,
            },
            contract: auth.user.contract_id.clone(),
        })
    }

    /// The operator's session for a contract known by id (the shell only, acting on a record of
    /// that contract, such as an access rule).
    pub(super) fn operator_session_for(contract: ContractId) -> AdminSession {
        AdminSession {
            actor: Actor::Operator,
            contract,
        }
    }

    /// The operator's session for the contract of the account `email` (the shell only).
    pub async fn operator_session(&self, email: &str) -> Result<(AdminSession, User)> {
        let key = Email::parse(email).map_err(Error::InvalidEmail)?.key();
        let mut tx = self.store.begin_read().await?;
        let user = tx
            .user_by_email_key(&key)
            .await?
            .ok_or(Error::NotFound("user"))?;
        Ok((
            AdminSession {
                actor: Actor::Operator,
                contract: user.contract_id.clone(),
            },
            user,
        ))
    }

    /// A user of the admin's contract that the admin may act on: another contract's id is
    /// `NotFound`, a user out of the admin's reach `Forbidden`.
    pub(super) async fn managed_target(
        &self,
        tx: &mut S::Tx,
        admin: &AdminSession,
        id: &UserId,
    ) -> Result<User> {
        let user = tx
            .user_by_id(id)
            .await?
            .filter(|u| &u.contract_id == admin.contract())
            .ok_or(Error::NotFound("user"))?;
        if !admin.may_manage(&user) {
            return Err(Error::Forbidden("you may not manage this account"));
        }
        Ok(user)
    }

    pub async fn create_user(
        &self,
        admin: &AdminSession,
        email: &str,
        password: Option<&Password>,
        role: Role,
        force_2fa: bool,
        meta: &RequestMeta,
    ) -> Result<UserId> {
        if !admin.may_assign(role) {
            return Err(Error::Forbidden("you may not give this role"));
        }
        let email = Email::parse(email).map_err(Error::InvalidEmail)?;
        let phc = match password {
            Some(p) => {
                check_policy(p, Some(&email)).map_err(Error::WeakPassword)?;
                Some(self.hasher.hash(p).await?)
            }
            None => None,
        };
        let now = self.now();
        let user = User {
            id: UserId::generate(),
            contract_id: admin.contract().clone(),
            email: email.clone(),
            password_hash: phc,
            role,
            created_at: now,
            last_login_at: None,
            force_2fa,
            locked_at: None,
            language: None,
            time_zone: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_user(&user).await?;
        if password.is_none() {
            // No password yet: an invitation with a single-use link to set one.
            self.issue_invitation(&mut tx, &user, true, now).await?;
        }
        let created = UserCreated {
            role,
            force_2fa,
            invited: password.is_none(),
        };
        let mut event = admin.event(created, now, meta);
        event.subject = Some(user.id.clone());
        tx.append_audit(&event).await?;
        if force_2fa {
            let mut forced = admin.event(TwoFactorForced, now, meta);
            forced.subject = Some(user.id.clone());
            tx.append_audit(&forced).await?;
        }
        tx.commit().await?;
        Ok(user.id)
    }

    pub async fn list_users(&self, admin: &AdminSession) -> Result<Vec<ManagedUser>> {
        let users = {
            let mut tx = self.store.begin_read().await?;
            tx.users_of_contract(admin.contract()).await?
        };
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let two_factor = self.two_factor_summary(&user).await?;
            out.push(ManagedUser { user, two_factor });
        }
        Ok(out)
    }

    /// Every user of every contract: the operator's overview at the shell, which has no
    /// contract of its own. Not reachable from the API.
    pub async fn all_users_for_operator(&self) -> Result<Vec<ManagedUser>> {
        let users = {
            let mut tx = self.store.begin_read().await?;
            tx.all_users().await?
        };
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let two_factor = self.two_factor_summary(&user).await?;
            out.push(ManagedUser { user, two_factor });
        }
        Ok(out)
    }

    /// One user of the admin's contract (anyone in it may be looked at; acting needs more).
    pub async fn get_user(&self, admin: &AdminSession, id: &UserId) -> Result<ManagedUser> {
        let user = {
            let mut tx = self.store.begin_read().await?;
            tx.user_by_id(id)
                .await?
                .filter(|u| &u.contract_id == admin.contract())
                .ok_or(Error::NotFound("user"))?
        };
        let two_factor = self.two_factor_summary(&user).await?;
        Ok(ManagedUser { user, two_factor })
    }

    /// "Force 2-Factor Auth" and role changes; effective with the user's next login.
    pub async fn update_user(
        &self,
        admin: &AdminSession,
        id: &UserId,
        force_2fa: Option<bool>,
        role: Option<Role>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let target = self.managed_target(&mut tx, admin, id).await?;
        if let Some(role) = role.filter(|r| *r != target.role) {
            if policy::owner_is_permanent(target.role) {
                return Err(Error::Forbidden("the owner cannot have another role"));
            }
            if !admin.may_assign(role) {
                return Err(Error::Forbidden("you may not give this role"));
            }
            tx.set_role(id, role).await?;
            let changed = UserRoleChanged {
                from: target.role,
                to: role,
            };
            let mut e = admin.event(changed, now, meta);
            e.subject = Some(id.clone());
            tx.append_audit(&e).await?;
            let event = SecurityEvent::RoleChanged {
                to: role.as_str().to_owned(),
            };
            let by = admin.changed_by(&target);
            self.notify_security_by(&mut tx, &target, event, by, meta, now)
                .await?;
        }
        if let Some(on) = force_2fa.filter(|f| *f != target.force_2fa) {
            if !on && !policy::may_unforce(admin.role()) {
                return Err(Error::Forbidden(
                    "only the contract owner may stop requiring two-factor authentication",
                ));
            }
            tx.set_force_2fa(id, on).await?;
            let (kind, event): (AuditDetail, _) = if on {
                (TwoFactorForced.into(), SecurityEvent::TwoFactorForced)
            } else {
                (TwoFactorUnforced.into(), SecurityEvent::TwoFactorUnforced)
            };
            let mut e = admin.event(kind, now, meta);
            e.subject = Some(id.clone());
            tx.append_audit(&e).await?;
            let by = admin.changed_by(&target);
            self.notify_security_by(&mut tx, &target, event, by, meta, now)
                .await?;
        }
        tx.commit().await
    }

    pub async fn delete_user(
        &self,
        admin: &AdminSession,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let target = self.managed_target(&mut tx, admin, id).await?;
        if policy::owner_is_permanent(target.role) {
            return Err(Error::Forbidden("the owner cannot be deleted"));
        }
        tx.delete_user(id).await?;
        let deleted = UserDeleted {
            email: target.email.to_string(),
            role: target.role,
        };
        let mut e = admin.event(deleted, now, meta);
        e.subject = Some(id.clone());
        tx.append_audit(&e).await?;
        tx.commit().await
    }

    /// An administrator removes every factor and recovery code of a user and ends
    /// their sessions; the user is told by email. If 2FA is still forced, the next login runs the
    /// setup wizard again.
    pub async fn reset_two_factor(
        &self,
        admin: &AdminSession,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let target = self.managed_target(&mut tx, admin, id).await?;
        tx.delete_totp(id).await?;
        tx.delete_push_devices_of_user(id).await?;
        tx.delete_webauthn_credentials_of_user(id).await?;
        tx.delete_recovery_codes(id).await?;
        // A remembered browser stands in for a factor: it goes with them.
        tx.forget_remembered_browsers_of_user(id).await?;
        let revoked = tx.revoke_other_sessions(id, None, now).await?;
        // Applications' tokens end with the sessions: whoever took the account over keeps none.
        tx.revoke_tokens_of_user(id, None, now).await?;
        self.notify_security_by(
            &mut tx,
            &target,
            SecurityEvent::TwoFactorResetByAdmin,
            admin.changed_by(&target),
            meta,
            now,
        )
        .await?;
        let reset = TwoFactorResetByAdmin {
            sessions_revoked: revoked,
        };
        let mut e = admin.event(reset, now, meta);
        e.subject = Some(id.clone());
        tx.append_audit(&e).await?;
        tx.commit().await
    }

    /// Lifts a "this wasn't me" lock. The person signs in again with their password (and second
    /// factor); an administrator who suspects a stolen password resets it separately.
    pub async fn unlock_user(
        &self,
        admin: &AdminSession,
        id: &UserId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let target = self.managed_target(&mut tx, admin, id).await?;
        if target.locked_at.is_none() {
            return Ok(());
        }
        tx.set_locked(id, None).await?;
        let mut e = admin.event(AccountUnlocked, now, meta);
        e.subject = Some(id.clone());
        tx.append_audit(&e).await?;
        tx.commit().await
    }
}
