//! The companion app's side of push approval: the device's signed requests, verified
//! (signature, timestamp window, nonce taken once) before anything in them is trusted; listing
//! the pending challenges; answering one ("this wasn't me" locks the account as a security
//! notice's link does); setting a webhook. A request from a RADIUS client (`via`) is approved
//! without a number and is never the one a typed number answers ([`push::number_required`]).
//! Wake-ups are announced in the deciding transaction; waiting for them is the server's.

use crate::audit::{AuditDetail, AuditEvent, Outcome, PushDecision};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::{PushChallengeId, PushDeviceId, RequestMeta, User};
use crate::push::{self, ChallengeStatus, Decision};
use crate::store::{AuditLog, PushChallenge, PushDevice, PushStore, Store, Transaction, Users};

use crate::service::Services;

/// A device request as received, before anything in it is trusted.
#[derive(Debug, Clone, Copy)]
pub struct DeviceRequest<'a> {
    pub device_id: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
    pub method: &'a str,
    /// The path and query exactly as sent.
    pub path_and_query: &'a str,
    pub body: &'a [u8],
}

/// A device whose request was signed by its key, fresh, and not a replay.
#[derive(Debug, Clone)]
pub struct VerifiedDevice {
    pub device: PushDevice,
    pub user: User,
}

/// A pending challenge as the app shows it (no number: the person types it from the screen).
#[derive(Debug, Clone)]
pub struct DeviceChallenge {
    pub id: PushChallengeId,
    pub account: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub browser: Option<&'static str>,
    /// The RADIUS client whose sign-in caused it (a VPN, Wi-Fi controller, SSH server), which the
    /// app names; `None` for a sign-in page's request.
    pub via: Option<String>,
    /// Whether approving needs the number from the sign-in screen: false exactly when `via` is
    /// set (no screen shows one).
    pub number_required: bool,
}

impl<S: Store> Services<S> {
    /// Checks a device request: known device, fresh timestamp, well-formed nonce, a signature by
    /// the device's key over exactly what was sent, and a nonce never used before (taken in one
    /// write, so a replay fails on every node). Every failure is the same `InvalidSignature`.
    pub async fn verify_device_request(&self, req: &DeviceRequest<'_>) -> Result<VerifiedDevice> {
        let now = self.now();
        let stored = {
            let mut tx = self.store.begin_read().await?;
            tx.push_device(&PushDeviceId(req.device_id.to_owned()))
                .await?
        };
        let stored = stored.ok_or(Error::InvalidSignature)?;
        let message = push::signed_message(
            req.method,
            req.path_and_query,
            req.timestamp,
            req.nonce,
            req.body,
        );
        if !push::timestamp_fresh(req.timestamp, now)
            || !push::nonce_well_formed(req.nonce)
            || !push::verify_signature(&stored.public_key, message.as_bytes(), req.signature)
        {
            return Err(Error::InvalidSignature);
        }
        let mut tx = self.store.begin().await?;
        let fresh = tx
            .take_device_nonce(
                &stored.device.id,
                req.nonce,
                now,
                now.plus_secs(push::NONCE_SECS),
            )
            .await?;
        if !fresh {
            return Err(Error::InvalidSignature);
        }
        let user = tx
            .user_by_id(&stored.device.user_id)
            .await?
            .ok_or(Error::InvalidSignature)?;
        tx.commit().await?;
        Ok(VerifiedDevice {
            device: stored.device,
            user,
        })
    }

    /// The pending, unexpired challenges of the device's account, newest first; records that
    /// the device was seen. A locked account has none to answer.
    pub async fn device_challenges(&self, dev: &VerifiedDevice) -> Result<Vec<DeviceChallenge>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.touch_push_device(&dev.device.id, now).await?;
        let locked = tx
            .user_by_id(&dev.user.id)
            .await?
            .is_none_or(|u| u.locked_at.is_some());
        let pending = if locked {
            Vec::new()
        } else {
            tx.pending_push_challenges(&dev.user.id, now).await?
        };
        tx.commit().await?;
        Ok(pending
            .into_iter()
            .map(|c| device_challenge(dev, c))
            .collect())
    }

    /// Sets (`Some`) or clears the device's webhook.
    pub async fn set_push_webhook(&self, dev: &VerifiedDevice, url: Option<&str>) -> Result<()> {
        let url = url
            .map(push::parse_webhook_url)
            .transpose()
            .map_err(|e| Error::Validation(e.into()))?;
        let mut tx = self.store.begin().await?;
        tx.set_push_webhook(&dev.device.id, url.as_deref()).await?;
        tx.commit().await
    }

    /// The device answers a challenge of its account. One conditional write decides it; a
    /// challenge decided or expired before is `ChallengeClosed`. A wrong number is a denial;
    /// "this wasn't me" also locks the account. Approving a request that needs a number without
    /// one is `Validation` (before anything is written); a request from a RADIUS client needs
    /// none, and a number sent for it is ignored.
    pub async fn answer_push(
        &self,
        dev: &VerifiedDevice,
        challenge_id: &PushChallengeId,
        decision: Decision,
        meta: &RequestMeta,
    ) -> Result<ChallengeStatus> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = tx
            .push_challenge(challenge_id)
            .await?
            .filter(|c| c.user_id == dev.user.id)
            .ok_or(Error::NotFound("challenge"))?;
        let user = tx
            .user_by_id(&dev.user.id)
            .await?
            .ok_or(Error::NotFound("challenge"))?;
        let status = status_of(&c, decision)?;
        if c.status == ChallengeStatus::Pending && c.expires_at <= now {
            self.observe_expiry_in(&mut tx, &c.id, &user, meta, now)
                .await?;
            tx.commit().await?;
            return Err(Error::ChallengeClosed);
        }
        if c.status != ChallengeStatus::Pending || user.locked_at.is_some() {
            return Err(Error::ChallengeClosed);
        }
        self.decide_in(tx, dev, &user, &c, (decision, status), meta)
            .await
    }

    /// The device approves with the number the person typed, without naming a request: the
    /// pending request of its account whose number it is, or, when none has it, the newest,
    /// which the wrong number then denies. The number stays unknown to the app (number
    /// matching): it learns only the verdict and which request it applied to. Requests from
    /// RADIUS clients show no number and are left alone. No pending request with a number (or a
    /// locked account) is `ChallengeClosed`.
    pub async fn approve_push_by_number(
        &self,
        dev: &VerifiedDevice,
        number: i64,
        meta: &RequestMeta,
    ) -> Result<(ChallengeStatus, DeviceChallenge)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = tx
            .user_by_id(&dev.user.id)
            .await?
            .filter(|u| u.locked_at.is_none())
            .ok_or(Error::ChallengeClosed)?;
        let mut pending = tx.pending_push_challenges(&user.id, now).await?;
        let numbers: Vec<Option<i64>> = pending
            .iter()
            .map(|c| push::number_required(c.via.as_deref()).then_some(c.number))
            .collect();
        let i = push::answered_by_number(&numbers, number).ok_or(Error::ChallengeClosed)?;
        let c = pending.swap_remove(i);
        let decision = Decision::Approve {
            number: Some(number),
        };
        let status = status_of(&c, decision)?;
        let status = self
            .decide_in(tx, dev, &user, &c, (decision, status), meta)
            .await?;
        Ok((status, device_challenge(dev, c)))
    }

    /// Decides a pending challenge (one conditional write) with the status its decision leads
    /// to ([`push::decide`]), audits it, counts a refusal and locks for "this wasn't me", and
    /// announces it; commits `tx`.
    async fn decide_in(
        &self,
        mut tx: S::Tx,
        dev: &VerifiedDevice,
        user: &User,
        c: &PushChallenge,
        (decision, status): (Decision, ChallengeStatus),
        meta: &RequestMeta,
    ) -> Result<ChallengeStatus> {
        let now = self.now();
        if !tx
            .decide_push_challenge(&c.id, status, &dev.device.id, now)
            .await?
        {
            return Err(Error::ChallengeClosed);
        }
        let (kind, outcome): (fn(PushDecision) -> AuditDetail, _) = match status {
            ChallengeStatus::Approved => (AuditDetail::PushApproved, Outcome::Success),
            ChallengeStatus::Fraud => (AuditDetail::PushReportedFraud, Outcome::Denied),
            _ => (AuditDetail::PushDenied, Outcome::Denied),
        };
        let wrong_number =
            matches!(decision, Decision::Approve { .. }) && status == ChallengeStatus::Denied;
        let decided = PushDecision {
            challenge_id: c.id.as_str().to_owned(),
            device_id: dev.device.id.clone(),
            wrong_number,
        };
        let event =
            AuditEvent::new(kind(decided), outcome, now, meta).by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await?;
        if status != ChallengeStatus::Approved {
            self.count_push_refusal(&mut tx, user, now).await?;
        }
        if status == ChallengeStatus::Denied {
            // Someone typed the right password and the holder said no: a wrong answer after a
            // right password, told with the sign-in's address and browser, not the phone's.
            let sign_in = RequestMeta {
                ip: c.ip.clone(),
                user_agent: c.user_agent.clone(),
            };
            self.note_second_factor_failure(&mut tx, user, &sign_in, now)
                .await?;
        }
        if status == ChallengeStatus::Fraud {
            self.lock_user_in(&mut tx, user, meta, "companion_app", now)
                .await?;
        }
        tx.announce_push(c.id.as_str()).await?;
        tx.commit().await?;
        Ok(status)
    }
}

/// The status `decision` leads to for `c`; an approval without the number `c` needs is
/// `Validation`.
fn status_of(c: &PushChallenge, decision: Decision) -> Result<ChallengeStatus> {
    push::decide(c.number, push::number_required(c.via.as_deref()), decision).map_err(
        |push::NumberMissing| {
            Error::Validation("approve needs the number shown on the sign-in screen".into())
        },
    )
}

fn device_challenge(dev: &VerifiedDevice, c: PushChallenge) -> DeviceChallenge {
    DeviceChallenge {
        number_required: push::number_required(c.via.as_deref()),
        via: c.via,
        browser: c.user_agent.as_deref().and_then(push::browser_name),
        id: c.id,
        account: dev.user.email.to_string(),
        created_at: c.created_at,
        expires_at: c.expires_at,
        ip: c.ip,
        user_agent: c.user_agent,
    }
}
