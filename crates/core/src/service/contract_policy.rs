//! The contract's policies, as its owner and administrators set them in the user manager:
//! "require 2FA" (an administrator may switch it on; only the owner may switch it off) and
//! "phishing-resistant only" (only the owner, either way), and the sign-in settings an owner or
//! administrator sets: how many days a browser may be remembered (0–90) and whether new
//! sign-ins are told. Everyone a 2FA change reaches hears of it; each change is audited.

use crate::audit::{ContractPolicyChanged, PhishingResistantChanged, SignInSettingsChanged};
use crate::error::{Error, Result};
use crate::model::{Contract, RequestMeta};
use crate::notice::SecurityEvent;
use crate::policy;
use crate::store::{AuditLog, Contracts, Store, Transaction, Users};

use super::{AdminSession, Services};

/// What to change; `None` leaves a setting as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContractPolicyChange {
    pub require_2fa: Option<bool>,
    pub require_phishing_resistant: Option<bool>,
    /// 0–90; more is refused with `Error::Validation`.
    pub remember_browser_days: Option<u32>,
    pub new_sign_in_notice: Option<bool>,
}

impl<S: Store> Services<S> {
    pub async fn contract_policy(&self, admin: &AdminSession) -> Result<Contract> {
        let mut tx = self.store.begin_read().await?;
        tx.contract(admin.contract())
            .await?
            .ok_or(Error::NotFound("contract"))
    }

    /// Applies `change` to the caller's contract, all or nothing.
    pub async fn set_contract_policy(
        &self,
        admin: &AdminSession,
        change: ContractPolicyChange,
        meta: &RequestMeta,
    ) -> Result<Contract> {
        if let Some(on) = change.require_2fa
            && !policy::may_set_contract_policy(admin.role(), on)
        {
            // Only the main account (the owner) may lower the organisation's protection.
            return Err(Error::Forbidden(
                "only the contract owner may stop requiring two-factor authentication",
            ));
        }
        if change.require_phishing_resistant.is_some()
            && !policy::may_set_phishing_resistant(admin.role())
        {
            return Err(Error::Forbidden(
                "only the contract owner may change whether a security key or passkey is required",
            ));
        }
        if let Some(days) = change.remember_browser_days
            && days > Contract::MAX_REMEMBER_BROWSER_DAYS
        {
            return Err(Error::Validation(format!(
                "remember_browser_days must be between 0 and {}",
                Contract::MAX_REMEMBER_BROWSER_DAYS
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut contract = tx
            .contract(admin.contract())
            .await?
            .ok_or(Error::NotFound("contract"))?;
        let mut events = Vec::new();
        if let Some(require_2fa) = change.require_2fa
            && contract.require_2fa != require_2fa
        {
            tx.set_require_2fa(admin.contract(), require_2fa).await?;
            let e = admin.event(ContractPolicyChanged { require_2fa }, now, meta);
            tx.append_audit(&e).await?;
            contract.require_2fa = require_2fa;
            events.push(if require_2fa {
                SecurityEvent::TwoFactorForced
            } else {
                SecurityEvent::TwoFactorUnforced
            });
        }
        if let Some(on) = change.require_phishing_resistant
            && contract.require_phishing_resistant != on
        {
            tx.set_require_phishing_resistant(admin.contract(), on)
                .await?;
            let detail = PhishingResistantChanged {
                require_phishing_resistant: on,
            };
            tx.append_audit(&admin.event(detail, now, meta)).await?;
            contract.require_phishing_resistant = on;
            if on {
                events.push(SecurityEvent::TwoFactorForced);
            }
        }
        let mut sign_in_changed = false;
        if let Some(days) = change.remember_browser_days
            && contract.remember_browser_days != days
        {
            tx.set_remember_browser_days(admin.contract(), days).await?;
            contract.remember_browser_days = days;
            sign_in_changed = true;
        }
        if let Some(on) = change.new_sign_in_notice
            && contract.new_sign_in_notice != on
        {
            tx.set_new_sign_in_notice(admin.contract(), on).await?;
            contract.new_sign_in_notice = on;
            sign_in_changed = true;
        }
        if sign_in_changed {
            let detail = SignInSettingsChanged {
                remember_browser_days: contract.remember_browser_days,
                new_sign_in_notice: contract.new_sign_in_notice,
            };
            tx.append_audit(&admin.event(detail, now, meta)).await?;
        }
        // Everyone whose requirement changes hears of it: those not forced one by one.
        if let Some(event) = events.first() {
            for user in tx.users_of_contract(admin.contract()).await? {
                if !user.force_2fa && user.password_hash.is_some() {
                    let by = admin.changed_by(&user);
                    self.notify_security_by(&mut tx, &user, event.clone(), by, meta, now)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(contract)
    }
}
