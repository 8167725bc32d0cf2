//! Support agents and the PIN check ("a support PIN ... used to identify callers").
//!
//! Agents are deployment-level accounts: they belong to the reserved support contract, which the
//! first `portcullis support-agent create` makes, hold the role `user` there, and carry a mark in
//! `support_agents`. They log in like everyone; the mark is what lets them check a caller's PIN
//! and nothing else. Every check is audited (agent, customer, outcome). Wrong checks count per
//! customer in a sliding window shared by every node: five in an hour lock further checks for that
//! customer, so an agent's account (or someone at an agent's desk) cannot be used to guess a PIN,
//! and the customer hears of each wrong check. An unknown email, or a customer without a PIN, is
//! simply "no match", counted the same way, so the answer never tells whether an account exists.

use crate::audit::{AuditEvent, Outcome, SupportAgentCreated, SupportPinChecked};
use crate::email::Email;
use crate::error::{Error, Result};
use crate::model::{ContractId, RequestMeta, Role, User, UserId};
use crate::notice::SecurityEvent;
use crate::password::{Password, check_policy};
use crate::pin::{self, SupportPin};
use crate::store::{
    AuditLog, Contracts, RateEvents, RateLimit, Store, SupportAgents, SupportPins, Transaction,
    Users,
};

use super::{Authenticated, Services};

/// The id of the reserved contract support agents belong to.
pub const SUPPORT_CONTRACT: &str = "support";
const SUPPORT_CONTRACT_NAME: &str = "Support staff";
/// The rate-events scope of wrong PIN checks; the subject is the customer's email key.
const CHECK_SCOPE: &str = "support_pin_check";
const CHECK_LIMIT: RateLimit = RateLimit::new(pin::CHECK_LIMIT, pin::CHECK_WINDOW_SECS);

impl<S: Store> Services<S> {
    /// The operator's `portcullis support-agent create`: a support agent with a password, in the
    /// support contract (made on first use).
    pub async fn create_support_agent_from_shell(
        &self,
        email: &str,
        password: &Password,
    ) -> Result<UserId> {
        let email = Email::parse(email).map_err(Error::InvalidEmail)?;
        check_policy(password, Some(&email)).map_err(Error::WeakPassword)?;
        let phc = self.hasher.hash(password).await?;
        let now = self.now();
        let contract = ContractId(SUPPORT_CONTRACT.to_owned());
        let mut tx = self.store.begin().await?;
        if tx.contract(&contract).await?.is_none() {
            tx.insert_contract(&contract, SUPPORT_CONTRACT_NAME, now)
                .await?;
        }
        let user = User {
            id: UserId::generate(),
            contract_id: contract.clone(),
            email,
            password_hash: Some(phc),
            role: Role::User,
            created_at: now,
            last_login_at: None,
            force_2fa: false,
            locked_at: None,
            language: None,
            time_zone: None,
        };
        tx.insert_user(&user).await?;
        tx.insert_support_agent(&user.id, now).await?;
        let mut event = AuditEvent::new(
            SupportAgentCreated,
            Outcome::Success,
            now,
            &RequestMeta::default(),
        )
        .by_operator();
        event.subject = Some(user.id.clone());
        event.contract = Some(contract);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(user.id)
    }

    /// Every support agent, oldest first (the operator's shell).
    pub async fn support_agents_for_operator(&self) -> Result<Vec<User>> {
        let mut tx = self.store.begin_read().await?;
        let mut agents = Vec::new();
        for id in tx.support_agents().await? {
            if let Some(user) = tx.user_by_id(&id).await? {
                agents.push(user);
            }
        }
        Ok(agents)
    }

    /// Does `pin` match the support PIN of the customer `email`? Only support agents may ask.
    pub async fn verify_support_pin(
        &self,
        agent: &Authenticated,
        email: &str,
        pin: &str,
        meta: &RequestMeta,
    ) -> Result<bool> {
        let now = self.now();
        let (key, customer, stored, window) = {
            let mut tx = self.store.begin_read().await?;
            if !tx.is_support_agent(&agent.user.id).await? {
                return Err(Error::Forbidden(
                    "only support agents may check a support PIN",
                ));
            }
            let key = Email::parse(email).map_err(Error::InvalidEmail)?.key();
            let customer = tx.user_by_email_key(&key).await?;
            let stored = match &customer {
                Some(c) => tx.support_pin(&c.id).await?,
                None => None,
            };
            let window = tx
                .rate_window(CHECK_SCOPE, &key, CHECK_LIMIT.since(now))
                .await?;
            (key, customer, stored, window)
        };
        // A guess of the wrong shape can match nothing and is not counted.
        let pin = SupportPin::parse_shape(pin)?;
        let check_event = |outcome: Outcome, detail: SupportPinChecked| {
            let mut event = AuditEvent::new(detail, outcome, now, meta);
            event.actor = Some(agent.user.id.clone());
            event.subject = customer.as_ref().map(|c| c.id.clone());
            event.contract = Some(
                customer
                    .as_ref()
                    .map_or(&agent.user.contract_id, |c| &c.contract_id)
                    .clone(),
            );
            event
        };

        if let Some(retry_after_secs) = CHECK_LIMIT.retry_after(&window, now) {
            let mut tx = self.store.begin().await?;
            let detail = SupportPinChecked::ChecksLocked {
                customer: key.clone(),
            };
            tx.append_audit(&check_event(Outcome::Denied, detail))
                .await?;
            tx.commit().await?;
            return Err(Error::TooManyAttempts { retry_after_secs });
        }

        // Against a dummy hash when there is no PIN to compare with: the same work either way.
        let phc = stored.as_ref().map(|p| p.phc.as_str());
        let matched = self.hasher.verify(&pin.as_password(), phc).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if matched {
            let detail = SupportPinChecked::Checked {
                customer: key.clone(),
                matched: true,
                checks_locked: None,
            };
            tx.append_audit(&check_event(Outcome::Success, detail))
                .await?;
            tx.commit().await?;
            return Ok(true);
        }
        let since = CHECK_LIMIT.since(now);
        // Concurrent wrong checks for one customer take turns here, so each sees the others'.
        tx.hold_rate_key(CHECK_SCOPE, &key).await?;
        tx.prune_rate_events(CHECK_SCOPE, &key, since).await?;
        tx.record_rate_event(CHECK_SCOPE, &key, now).await?;
        let window = tx.rate_window(CHECK_SCOPE, &key, since).await?;
        let checks_locked = CHECK_LIMIT.retry_after(&window, now).is_some();
        let detail = SupportPinChecked::Checked {
            customer: key.clone(),
            matched: false,
            checks_locked: Some(checks_locked),
        };
        tx.append_audit(&check_event(Outcome::Failure, detail))
            .await?;
        if let Some(customer) = &customer {
            // The agent's address would mean nothing to the customer: the notice names none.
            self.notify_security(
                &mut tx,
                customer,
                SecurityEvent::SupportPinCheckFailed { checks_locked },
                &RequestMeta::default(),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(false)
    }
}
