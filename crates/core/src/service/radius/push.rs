//! The push a `push` client waits for. After the right password a request goes to the account's
//! companion apps, naming the client (`via`); no screen shows a number, so the app approves it
//! without one, and push fatigue is held off as everywhere (a request supersedes the account's
//! other pending ones; more than 3 denied or unanswered in 15 minutes pause push). The request
//! hangs on a login ticket like a sign-in page's, whose token nobody is given.
//!
//! The server waits up to the client's timeout, asking [`Services::radius_push_outcome`] each
//! time the challenge is announced; at the end [`Services::radius_push_give_up`] ends the
//! request, unless an answer beat it (one conditional update decides which).

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::login::Acr;
use crate::model::{PushChallengeId, RequestMeta, TicketPurpose, User};
use crate::push::{self, ChallengeStatus, Observed};
use crate::radius::RadiusClient;
use crate::store::{LoginTickets, PushChallenge, PushStore, RateEvents, Store, Transaction, Users};

use super::access::{accept_in, record, reject_detail};
use super::{RadiusAnswer, RadiusOutcome, RadiusPushStarted, RadiusRefusal, RadiusRequest};
use crate::service::{PushSent, Services};

impl<S: Store> Services<S> {
    /// Sends the request (in `tx`, after the right password) or refuses while push is paused.
    pub(super) async fn start_radius_push(
        &self,
        mut tx: S::Tx,
        client: &RadiusClient,
        user: &User,
        req: &RadiusRequest<'_>,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        // Concurrent sends for one account take turns, as at the sign-in page.
        tx.hold_rate_key("push_send", user.id.as_str()).await?;
        if let Some(retry_after_secs) = self.push_paused_for(&mut tx, user, now).await? {
            drop(tx);
            let refusal = RadiusRefusal::PushPaused { retry_after_secs };
            return self.refuse_push(client, user, refusal, req.meta).await;
        }
        let devices = tx.push_devices_of_user(&user.id).await?;
        let webhooks: Vec<String> = devices.into_iter().filter_map(|d| d.webhook_url).collect();
        let (ticket, _) = self
            .issue_ticket(&mut tx, user, TicketPurpose::SecondFactor, Acr::Mfa, None)
            .await?;
        let ticket = tx
            .ticket_by_digest(&ticket.digest())
            .await?
            .ok_or_else(|| Error::internal_msg("a ticket just issued is missing"))?;
        let c = PushChallenge {
            id: PushChallengeId::generate(),
            user_id: user.id.clone(),
            ticket_id: ticket.id,
            number: push::challenge_number(),
            status: ChallengeStatus::Pending,
            created_at: now,
            expires_at: now.plus_secs(self.settings.push_challenge_secs),
            last_sent_at: now,
            decided_at: None,
            decided_by: None,
            ip: req.meta.ip.clone(),
            user_agent: req.meta.user_agent.clone(),
            token_issued_at: None,
            via: Some(client.name.clone()),
        };
        tx.insert_push_challenge(&c).await?;
        let superseded = self.supersede_others(&mut tx, user, &c.id, now).await?;
        self.audit_sent(&mut tx, user, (&c.id, false, &superseded), req.meta, now)
            .await?;
        tx.announce_push(&format!("user:{}", user.id)).await?;
        tx.commit().await?;
        let started = RadiusPushStarted {
            sent: PushSent {
                challenge_id: c.id,
                number: c.number,
                expires_at: c.expires_at,
                user_id: user.id.clone(),
                account: user.email.to_string(),
                webhooks,
                notify: true,
                superseded,
            },
            timeout_secs: client.push_timeout_secs,
        };
        Ok(self.answer(RadiusOutcome::Push(started), Some(user)))
    }

    async fn refuse_push(
        &self,
        client: &RadiusClient,
        user: &User,
        refusal: RadiusRefusal,
        meta: &RequestMeta,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let detail = reject_detail(client, refusal);
        record(
            &mut tx,
            client,
            Some(user),
            detail,
            Outcome::Failure,
            now,
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(self.answer(RadiusOutcome::Reject(refusal), Some(user)))
    }

    /// Where the request stands: `None` while it waits for an answer; the decision (audited
    /// once) when it was approved, denied, expired or replaced by a newer request.
    pub async fn radius_push_outcome(
        &self,
        client: &RadiusClient,
        challenge: &PushChallengeId,
        meta: &RequestMeta,
    ) -> Result<Option<RadiusAnswer>> {
        let now = self.now();
        let (c, user) = {
            let mut read = self.store.begin_read().await?;
            let c = read
                .push_challenge(challenge)
                .await?
                .ok_or(Error::NotFound("push request"))?;
            let user = read
                .user_by_id(&c.user_id)
                .await?
                .ok_or(Error::NotFound("user"))?;
            (c, user)
        };
        let refusal = match push::observe(c.status, c.expires_at, now) {
            Observed::Pending => return Ok(None),
            Observed::Approved => {
                let mut tx = self.store.begin().await?;
                // The first to see the approval audits it; a second waiter just answers.
                if tx.take_push_token(&c.id, now).await? {
                    accept_in(&mut tx, client, &user, "push", now, meta).await?;
                    tx.commit().await?;
                }
                return Ok(Some(self.answer(RadiusOutcome::Accept, Some(&user))));
            }
            Observed::Denied => RadiusRefusal::PushDenied,
            Observed::Superseded => RadiusRefusal::PushSuperseded,
            Observed::Expired => {
                let mut tx = self.store.begin().await?;
                self.observe_expiry_in(&mut tx, &c.id, &user, meta, now)
                    .await?;
                tx.commit().await?;
                RadiusRefusal::PushTimedOut
            }
        };
        self.refuse_push(client, &user, refusal, meta)
            .await
            .map(Some)
    }

    /// The client's timeout passed: the request ends unanswered (counted against push fatigue,
    /// its screen in the app withdrawn), unless an answer arrived first, which then decides.
    pub async fn radius_push_give_up(
        &self,
        client: &RadiusClient,
        challenge: &PushChallengeId,
        meta: &RequestMeta,
    ) -> Result<RadiusAnswer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = tx
            .push_challenge(challenge)
            .await?
            .ok_or(Error::NotFound("push request"))?;
        let user = tx
            .user_by_id(&c.user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let ended = tx
            .supersede_push_challenges_of_ticket(&c.ticket_id, now)
            .await?;
        if ended.contains(&c.id) {
            tx.announce_push(c.id.as_str()).await?;
            self.count_push_refusal(&mut tx, &user, now).await?;
            let refusal = RadiusRefusal::PushTimedOut;
            let detail = reject_detail(client, refusal);
            record(
                &mut tx,
                client,
                Some(&user),
                detail,
                Outcome::Failure,
                now,
                meta,
            )
            .await?;
            tx.commit().await?;
            return Ok(self.answer(RadiusOutcome::Reject(refusal), Some(&user)));
        }
        drop(tx);
        match self.radius_push_outcome(client, challenge, meta).await? {
            Some(answer) => Ok(answer),
            None => Ok(self.answer(
                RadiusOutcome::Reject(RadiusRefusal::PushTimedOut),
                Some(&user),
            )),
        }
    }
}
