//! The login screen's side of push approval: after the password, "send a request to my app"
//! makes a challenge with a two-digit number (number matching), sends it again at most once per
//! 10 s, and is refused for 15 minutes after more than 3 denied or unanswered requests in 15
//! minutes (push fatigue); polling the challenge opens the session exactly once after approval.
//! Sending (or sending again) ends the account's other pending requests as superseded, and a
//! login that goes on with a code ends its own: only the request the person is looking at can
//! be approved, so a number typed from the screen never meets an abandoned request.
//! Every write announces itself for the long-polls; the database stays the truth.

use crate::audit::{self, AuditEvent, Outcome, PushExpired};
use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::login::Factor;
use crate::model::{
    PushChallengeId, RequestMeta, Session, SessionKind, TicketPurpose, User, UserId,
};
use crate::push::{self, ChallengeStatus, Observed};
use crate::secret::Token;
use crate::store::{
    AuditLog, LoginTickets, PushChallenge, PushStore, RateEvents, RateLimit, Store, Transaction,
    Users,
};

use crate::service::Services;
use crate::service::login::LoginResult;

/// Denied or unanswered requests counted per account over 15 minutes; more than 3 pause push.
const REFUSED_SCOPE: &str = "push_refused";
const REFUSED_WINDOW_SECS: i64 = 15 * 60;
const REFUSALS_TOLERATED: i64 = 3;
/// The pause, one event per pause: it lasts 15 minutes from the refusal that crossed the line.
const PAUSED_SCOPE: &str = "push_paused";
const PAUSE: RateLimit = RateLimit::new(1, 15 * 60);

/// A challenge sent (or sent again) to the account's devices.
#[derive(Debug, Clone)]
pub struct PushSent {
    pub challenge_id: PushChallengeId,
    pub number: i64,
    pub expires_at: UnixTime,
    /// Whose devices to wake, and how to call them: the server's job after this returns.
    pub user_id: UserId,
    pub account: String,
    pub webhooks: Vec<String>,
    /// False when nothing was (re)sent, e.g. the challenge is already approved.
    pub notify: bool,
    /// The requests this one superseded: their login screens' long-polls are to be woken.
    pub superseded: Vec<PushChallengeId>,
}

/// What a poll of a challenge sees. Short-lived, so the size difference between the variants
/// does not matter (as with `LoginResult`).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum PushStatus {
    Pending,
    /// Approved. The first poll after the approval gets the session (`token`, `session`);
    /// later polls get `None`.
    Approved {
        token: Option<Token>,
        session: Option<Session>,
        user: User,
    },
    Denied,
    Expired,
    /// A newer request, or a code for this login, ended it.
    Superseded,
}

/// What the device's answer did, for the app and for waking the long-poll.
pub type PushAnswer = ChallengeStatus;

impl<S: Store> Services<S> {
    /// `POST /login/push`: a challenge for this ticket, or the same one sent again.
    pub async fn send_push(&self, ticket: &Token, meta: &RequestMeta) -> Result<PushSent> {
        let (t, user) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        self.refuse_unless_phishing_resistant_optional(&user)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        // Concurrent sends for one account take turns (a row lock until commit on PostgreSQL),
        // so one ticket never gets two challenges.
        tx.hold_rate_key("push_send", user.id.as_str()).await?;
        let devices = tx.push_devices_of_user(&user.id).await?;
        if devices.is_empty() {
            return Err(Error::Conflict(
                "no companion app is paired with this account",
            ));
        }
        let webhooks: Vec<String> = devices.into_iter().filter_map(|d| d.webhook_url).collect();
        let sent = |c: &PushChallenge, notify: bool, superseded: Vec<PushChallengeId>| PushSent {
            challenge_id: c.id.clone(),
            number: c.number,
            expires_at: c.expires_at,
            user_id: user.id.clone(),
            account: user.email.to_string(),
            webhooks: webhooks.clone(),
            notify,
            superseded,
        };
        let paused = tx
            .rate_window(PAUSED_SCOPE, user.id.as_str(), PAUSE.since(now))
            .await?;
        if let Some(retry_after_secs) = PAUSE.retry_after(&paused, now) {
            return Err(Error::PushPaused { retry_after_secs });
        }
        if let Some(c) = tx.push_challenge_of_ticket(&t.id).await? {
            match push::observe(c.status, c.expires_at, now) {
                Observed::Approved => return Ok(sent(&c, false, Vec::new())),
                Observed::Pending => {
                    if !tx.mark_push_resent(&c.id, now, push::RESEND_SECS).await? {
                        let retry_after_secs = now
                            .secs_until(c.last_sent_at.plus_secs(push::RESEND_SECS))
                            .max(1);
                        return Err(Error::TooManyAttempts { retry_after_secs });
                    }
                    let superseded = self.supersede_others(&mut tx, &user, &c.id, now).await?;
                    self.audit_sent(&mut tx, &user, (&c.id, true, &superseded), meta, now)
                        .await?;
                    tx.announce_push(&format!("user:{}", user.id)).await?;
                    tx.commit().await?;
                    return Ok(sent(&c, true, superseded));
                }
                Observed::Expired => {
                    self.observe_expiry_in(&mut tx, &c.id, &user, meta, now)
                        .await?;
                    // That may have paused push: the unanswered request counts.
                    let paused = tx
                        .rate_window(PAUSED_SCOPE, user.id.as_str(), PAUSE.since(now))
                        .await?;
                    if let Some(retry_after_secs) = PAUSE.retry_after(&paused, now) {
                        tx.commit().await?;
                        return Err(Error::PushPaused { retry_after_secs });
                    }
                }
                Observed::Denied | Observed::Superseded => {}
            }
        }
        let c = PushChallenge {
            id: PushChallengeId::generate(),
            user_id: user.id.clone(),
            ticket_id: t.id.clone(),
            number: push::challenge_number(),
            status: ChallengeStatus::Pending,
            created_at: now,
            expires_at: now.plus_secs(self.settings.push_challenge_secs),
            last_sent_at: now,
            decided_at: None,
            decided_by: None,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            token_issued_at: None,
            via: None,
        };
        tx.insert_push_challenge(&c).await?;
        let superseded = self.supersede_others(&mut tx, &user, &c.id, now).await?;
        self.audit_sent(&mut tx, &user, (&c.id, false, &superseded), meta, now)
            .await?;
        tx.announce_push(&format!("user:{}", user.id)).await?;
        tx.commit().await?;
        Ok(sent(&c, true, superseded))
    }

    /// The person chose another way to finish this login ("Use a code instead"): its pending
    /// requests end, so the app no longer offers them. A dead ticket is `InvalidTicket`.
    pub async fn leave_push(&self, ticket: &Token) -> Result<Vec<PushChallengeId>> {
        let (t, _) = self
            .live_ticket(ticket, TicketPurpose::SecondFactor)
            .await?;
        let mut tx = self.store.begin().await?;
        let ended = self.end_push_of_ticket_in(&mut tx, &t.id).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Ends every other pending request of the account (a closed tab, an earlier login), so
    /// the app offers only this one; announced so their login screens learn it at once.
    pub(crate) async fn supersede_others(
        &self,
        tx: &mut S::Tx,
        user: &User,
        keep: &PushChallengeId,
        now: UnixTime,
    ) -> Result<Vec<PushChallengeId>> {
        let ended = tx.supersede_push_challenges(&user.id, keep, now).await?;
        for id in &ended {
            tx.announce_push(id.as_str()).await?;
        }
        Ok(ended)
    }

    /// `GET /login/push/{id}`: the challenge's state for the holder of its ticket. The first
    /// poll after approval uses the ticket up and opens the session in one transaction.
    pub async fn push_status(
        &self,
        challenge_id: &PushChallengeId,
        ticket: &Token,
        kind: SessionKind,
        meta: &RequestMeta,
    ) -> Result<PushStatus> {
        let now = self.now();
        let (t, c, user) = {
            let mut tx = self.store.begin_read().await?;
            let t = tx
                .ticket_by_digest(&ticket.digest())
                .await?
                .ok_or(Error::InvalidTicket)?;
            let c = tx
                .push_challenge(challenge_id)
                .await?
                .filter(|c| c.ticket_id == t.id)
                .ok_or(Error::InvalidTicket)?;
            let user = tx
                .user_by_id(&c.user_id)
                .await?
                .ok_or(Error::InvalidTicket)?;
            (t, c, user)
        };
        match push::observe(c.status, c.expires_at, now) {
            Observed::Pending => Ok(PushStatus::Pending),
            Observed::Denied => Ok(PushStatus::Denied),
            Observed::Superseded => Ok(PushStatus::Superseded),
            Observed::Expired => {
                if c.decided_at.is_none() {
                    let mut tx = self.store.begin().await?;
                    self.observe_expiry_in(&mut tx, &c.id, &user, meta, now)
                        .await?;
                    tx.commit().await?;
                }
                Ok(PushStatus::Expired)
            }
            Observed::Approved if c.token_issued_at.is_some() => Ok(PushStatus::Approved {
                token: None,
                session: None,
                user,
            }),
            Observed::Approved => {
                if t.purpose != TicketPurpose::SecondFactor || t.used || t.expires_at <= now {
                    return Err(Error::InvalidTicket);
                }
                self.refuse_unless_phishing_resistant_optional(&user)
                    .await?;
                let mut tx = self.store.begin().await?;
                if !tx.take_push_token(&c.id, now).await? {
                    return Ok(PushStatus::Approved {
                        token: None,
                        session: None,
                        user,
                    });
                }
                match self
                    .finish_second_step(tx, &t, user, Factor::Push, kind, meta)
                    .await?
                {
                    LoginResult::Complete {
                        token,
                        session,
                        user,
                    } => Ok(PushStatus::Approved {
                        token: Some(token),
                        session: Some(session),
                        user,
                    }),
                    _ => Err(Error::internal_msg(
                        "a second step completes with a session",
                    )),
                }
            }
        }
    }

    pub(crate) async fn audit_sent(
        &self,
        tx: &mut S::Tx,
        user: &User,
        (challenge_id, resent, superseded): (&PushChallengeId, bool, &[PushChallengeId]),
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        let sent = audit::PushSent {
            challenge_id: challenge_id.as_str().to_owned(),
            resent,
            superseded: superseded.iter().map(|id| id.as_str().to_owned()).collect(),
        };
        let event =
            AuditEvent::new(sent, Outcome::Success, now, meta).by_self(&user.id, &user.contract_id);
        tx.append_audit(&event).await
    }

    /// How long push stays paused for `user` after too many refusals, if it is.
    pub(crate) async fn push_paused_for(
        &self,
        tx: &mut S::Tx,
        user: &User,
        now: UnixTime,
    ) -> Result<Option<i64>> {
        let paused = tx
            .rate_window(PAUSED_SCOPE, user.id.as_str(), PAUSE.since(now))
            .await?;
        Ok(PAUSE.retry_after(&paused, now))
    }

    /// Counts an expired challenge once (whoever sees it first): the audit row and a refusal.
    pub(crate) async fn observe_expiry_in(
        &self,
        tx: &mut S::Tx,
        challenge_id: &PushChallengeId,
        user: &User,
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        if tx.observe_push_expiry(challenge_id, now).await? {
            let expired = PushExpired {
                challenge_id: challenge_id.as_str().to_owned(),
            };
            let event = AuditEvent::new(expired, Outcome::Failure, now, meta)
                .by_self(&user.id, &user.contract_id);
            tx.append_audit(&event).await?;
            self.count_push_refusal(tx, user, now).await?;
        }
        Ok(())
    }

    /// One more denied or unanswered request; the one that makes more than 3 in 15 minutes
    /// starts a 15-minute pause.
    pub(crate) async fn count_push_refusal(
        &self,
        tx: &mut S::Tx,
        user: &User,
        now: UnixTime,
    ) -> Result<()> {
        let subject = user.id.as_str();
        tx.hold_rate_key(REFUSED_SCOPE, subject).await?;
        let since = now.plus_secs(-REFUSED_WINDOW_SECS);
        tx.prune_rate_events(REFUSED_SCOPE, subject, since).await?;
        tx.record_rate_event(REFUSED_SCOPE, subject, now).await?;
        let refused = tx.rate_window(REFUSED_SCOPE, subject, since).await?;
        if refused.count > REFUSALS_TOLERATED {
            tx.hold_rate_key(PAUSED_SCOPE, subject).await?;
            let paused = tx
                .rate_window(PAUSED_SCOPE, subject, PAUSE.since(now))
                .await?;
            if paused.count == 0 {
                tx.record_rate_event(PAUSED_SCOPE, subject, now).await?;
            }
        }
        Ok(())
    }
}
