//! Remembered browsers: "Don't ask for a code on this browser for N days". A browser that has
//! just completed a second step registers the public half of a key pair it cannot export
//! ([`Services::remember_browser`]); at a later sign-in, after the right password, it signs a
//! fresh challenge of the login ticket ([`Services::browser_challenge`],
//! [`Services::sign_in_with_remembered_browser`]) and that signature stands in for the second
//! step. The key's rules (its shape, its id, the signed message) are
//! [`crate::remembered_browser`]'s; listing and forgetting one browser belong to the devices
//! use case; ending them all goes with a password change or reset, an administrator's 2FA reset,
//! the recovery from a lost phone and a lock, each in its own transaction.
//!
//! What it never does: satisfy a ticket that asked for a key (`acr=phr`), finish a forced setup,
//! or outlive the contract's current setting (a contract lowered to 0 days stops every browser at
//! once, and one lowered to 7 stops those remembered more than 7 days ago).
//!
//! Throttling: every challenge is single use, taken by a conditional update before anything else
//! is checked (a challenge that is not the ticket's current one is refused and spends nothing),
//! and only a new visit to the page makes another. A key we do not know, or no longer
//! allow, is refused without cost to the ticket (the page falls back to the code, and it is what
//! an honest browser whose key was forgotten sends). A known key with a wrong signature is
//! counted as a failure of the ticket, like a wrong code: an honest browser never sends one, and
//! the ticket dies after as many of them as of wrong codes.

use crate::audit::{
    AuditEvent, BrowserRemembered, Outcome, RememberedBrowserRefused, RememberedBrowserUsed,
};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::{Acr, Factor};
use crate::model::{
    LoginTicket, RememberedBrowser, RememberedBrowserId, RequestMeta, Session, SessionKind,
    TicketPurpose, User,
};
use crate::remembered_browser::{self as rules, BrowserKey};
use crate::secret::Token;
use crate::store::{AuditLog, Contracts, LoginTickets, RememberedBrowsers, Store, Transaction};

use super::Services;
use super::login::LoginResult;

const DAY_SECS: i64 = 24 * 3600;

/// What the second-step pages may offer: "Don't ask for a code on this browser for `days`
/// days", with the name the page keeps this account's key under in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberOffer {
    pub days: u32,
    pub handle: String,
}

/// What the remembered-browser page gives the browser to sign, and which of its keys to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserChallenge {
    pub challenge: String,
    pub handle: String,
}

impl<S: Store> Services<S> {
    /// The offer for the login `ticket`'s second step: `None` when the contract does not allow
    /// remembering (0 days, "phishing-resistant only"), the ticket asked for a key, or the
    /// ticket is not live (the page then has nothing to offer, and the step itself says why).
    pub async fn remember_offer(&self, ticket: &Token) -> Result<Option<RememberOffer>> {
        let (t, user) = match self.live_ticket(ticket, TicketPurpose::SecondFactor).await {
            Ok(found) => found,
            Err(Error::InvalidTicket | Error::TooManyAttempts { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut tx = self.store.begin_read().await?;
        let days = self.remember_days(&mut tx, &t, &user).await?;
        Ok((days > 0).then(|| RememberOffer {
            days,
            handle: rules::handle(&user.id),
        }))
    }

    /// Registers the browser whose second step just opened `session` for `user`, with the
    /// public key `key` its page made. Only a session that passed a second step other than a
    /// remembered browser registers one (a remembered browser never renews itself). `Ok(None)`
    /// when the contract does not allow it; `Validation` for a key that is no P-256 point.
    pub async fn remember_browser(
        &self,
        user: &User,
        session: &Session,
        key: &str,
        meta: &RequestMeta,
    ) -> Result<Option<RememberedBrowser>> {
        let proven_here = session.user_id == user.id
            && session.second_factor
            && session
                .assurance
                .methods
                .iter()
                .any(|m| m != "password" && m != Factor::RememberedBrowser.method_name());
        if !proven_here {
            return Err(Error::Forbidden(
                "only a completed second step can remember a browser",
            ));
        }
        let key = BrowserKey::parse(key).ok_or_else(|| {
            Error::Validation("the browser's key is not a P-256 public key".into())
        })?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let Some(contract) = tx.contract(&user.contract_id).await? else {
            return Ok(None);
        };
        let days = contract.effective_remember_browser_days();
        if days == 0 {
            return Ok(None);
        }
        let browser = RememberedBrowser {
            id: key.id(),
            user_id: user.id.clone(),
            public_key: key.encoded(),
            created_at: now,
            expires_at: now.plus_secs(i64::from(days) * DAY_SECS),
            last_used_at: None,
            user_agent: meta.user_agent.clone(),
            ip: meta.ip.clone(),
        };
        // At most MAX_PER_USER, this one included: the oldest make room.
        let kept = tx.remembered_browsers_of_user(&user.id, now).await?;
        for old in kept
            .iter()
            .filter(|b| b.id != browser.id)
            .skip(rules::MAX_PER_USER - 1)
        {
            tx.forget_remembered_browser(&user.id, &old.id).await?;
        }
        tx.insert_remembered_browser(&browser).await?;
        let detail = BrowserRemembered {
            browser_id: browser.id.clone(),
            expires_at: browser.expires_at.0,
        };
        let event = AuditEvent::new(detail, Outcome::Success, now, meta)
            .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(Some(browser))
    }

    /// A fresh challenge for the remembered-browser step of the login `ticket`, replacing any
    /// earlier one (a reload makes a new one; the old one is then worthless). `None` when no
    /// browser of this account could pass: the page goes straight to the code.
    pub async fn browser_challenge(&self, ticket: &Token) -> Result<Option<BrowserChallenge>> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let days = self.remember_days(&mut tx, &t, &user).await?;
        let any_usable = days > 0
            && tx
                .remembered_browsers_of_user(&user.id, now)
                .await?
                .iter()
                .any(|b| usable(b, days, now));
        if !any_usable {
            return Ok(None);
        }
        let challenge = Token::generate().expose().to_owned();
        tx.set_browser_challenge(&t.id, &challenge).await?;
        tx.commit().await?;
        Ok(Some(BrowserChallenge {
            challenge,
            handle: rules::handle(&user.id),
        }))
    }

    /// The second step by a remembered browser: `signature` over `challenge` by the key of
    /// `browser_id`. Refused (`SecondFactorFailed`, audited with the reason) unless the
    /// challenge is this ticket's current one (taken here, so never twice), the key is this
    /// account's, inside its date and the contract's current days, and the signature verifies.
    pub async fn sign_in_with_remembered_browser(
        &self,
        ticket: &Token,
        browser_id: &str,
        signature: &str,
        challenge: &str,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !rules::well_formed(challenge) || !tx.take_browser_challenge(&t.id, challenge).await? {
            return self
                .refuse_browser(tx, &user, "stale_challenge", meta)
                .await;
        }
        let days = self.remember_days(&mut tx, &t, &user).await?;
        if days == 0 {
            return self.refuse_browser(tx, &user, "not_allowed", meta).await;
        }
        let browser = if rules::well_formed(browser_id) {
            let id = RememberedBrowserId(browser_id.to_owned());
            tx.remembered_browser(&id)
                .await?
                .filter(|b| b.user_id == user.id)
        } else {
            None
        };
        let Some(browser) = browser else {
            return self.refuse_browser(tx, &user, "unknown_key", meta).await;
        };
        if !usable(&browser, days, now) {
            return self.refuse_browser(tx, &user, "expired", meta).await;
        }
        let verified = BrowserKey::parse(&browser.public_key)
            .is_some_and(|key| key.verifies(challenge, signature));
        if !verified {
            tx.count_ticket_failure(&t.id).await?;
            return self.refuse_browser(tx, &user, "bad_signature", meta).await;
        }
        tx.touch_remembered_browser(&browser.id, now, meta.ip.as_deref())
            .await?;
        let used = RememberedBrowserUsed {
            browser_id: browser.id.clone(),
        };
        let factor = Factor::RememberedBrowser;
        self.finish_ticket(tx, &t, user, factor, used, kind, meta)
            .await
    }

    /// How many days a browser may stand in for the second step of `t`: the contract's current
    /// setting, and 0 for a ticket that asked for a key (a remembered browser is `mfa`).
    async fn remember_days(&self, tx: &mut S::Tx, t: &LoginTicket, user: &User) -> Result<u32> {
        if t.acr > Acr::Mfa {
            return Ok(0);
        }
        Ok(tx
            .contract(&user.contract_id)
            .await?
            .map_or(0, |c| c.effective_remember_browser_days()))
    }

    /// Records a refused browser and refuses; the challenge it came with, when it was the
    /// ticket's current one, is already spent.
    async fn refuse_browser(
        &self,
        mut tx: S::Tx,
        user: &User,
        reason: &'static str,
        meta: &RequestMeta,
    ) -> Result<LoginResult> {
        let event = AuditEvent::new(
            RememberedBrowserRefused { reason },
            Outcome::Failure,
            self.now(),
            meta,
        )
        .by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Err(Error::SecondFactorFailed)
    }
}

/// Is `b` still allowed to stand in for the second step under a contract that allows `days`?
/// Both its own date and the contract's current setting counted from when it was remembered.
fn usable(b: &RememberedBrowser, days: u32, now: UnixTime) -> bool {
    b.expires_at > now && b.created_at.plus_secs(i64::from(days) * DAY_SECS) > now
}
