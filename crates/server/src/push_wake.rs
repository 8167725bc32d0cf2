//! Waking the long-polls of push approval (docs/push-protocol.md, "Wake-up across nodes").
//!
//! Every node keeps one in-process broadcast of keys: a challenge id when a challenge is
//! decided, `user:<id>` when one of that user's challenges is created or sent again. After a use
//! case returns, this node wakes its own waiters; on PostgreSQL the use case also announced the
//! key with `pg_notify` in its transaction, and [`spawn_listener`] (one per node) wakes the
//! waiters of every other node at commit. A woken waiter re-reads the database, which stays the
//! truth; a missed signal only costs the rest of a wait, and a listener that reconnected wakes
//! everyone. On shutdown every wait ends at once, so long-polls never hold the server open.
//!
//! It also calls the devices' webhooks (UnifiedPush / ntfy style) in the background; a failing
//! webhook never fails a login. Owns no rule: what to wake and when comes from the use cases.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, header};
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use portcullis_core::Result;
use portcullis_core::model::{PushChallengeId, RequestMeta, SessionKind};
use portcullis_core::push::{ChallengeStatus, Decision};
use portcullis_core::secret::Token;
use portcullis_core::service::{DeviceChallenge, PushSent, PushStatus, VerifiedDevice};
use portcullis_store::{PushListener, PushSignal};

use crate::push_webhook::{PublicResolver, webhook_target_allowed};
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use crate::state::AppState;

/// A webhook must answer within this.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// The key that wakes every waiter (after the listener lost its connection).
const EVERYONE: &str = "*";

/// One node's waiters, its shutdown flag and its webhook client.
pub struct PushWake {
    keys: broadcast::Sender<Arc<str>>,
    shutdown: watch::Sender<bool>,
    client: Option<Client<HttpsConnector<HttpConnector<PublicResolver>>, Full<Bytes>>>,
    allow_private: bool,
}

impl std::fmt::Debug for PushWake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushWake")
    }
}

impl Default for PushWake {
    fn default() -> Self {
        Self::new(false)
    }
}

impl PushWake {
    /// `allow_private`: webhooks may reach loopback, private and link-local addresses (see
    /// [`crate::push_webhook`]).
    pub fn new(allow_private: bool) -> PushWake {
        let (keys, _) = broadcast::channel(1024);
        let (shutdown, _) = watch::channel(false);
        let mut http = HttpConnector::new_with_resolver(PublicResolver { allow_private });
        http.enforce_http(false);
        let client = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
            .map(|b| b.https_or_http().enable_http1().wrap_connector(http))
            .map(|https| Client::builder(TokioExecutor::new()).build(https))
            .map_err(|e| tracing::warn!(error = %e, "webhooks disabled: no TLS roots"))
            .ok();
        PushWake {
            keys,
            shutdown,
            client,
            allow_private,
        }
    }

    /// Wakes this node's waiters for `key`.
    pub fn wake(&self, key: &str) {
        // No receiver is not an error: nobody was waiting.
        let _ = self.keys.send(Arc::from(key));
    }

    /// Ends every wait now and every later one at once.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Subscribe before reading the database, then wait: a wake between the read and the wait
    /// is not lost.
    pub fn waiter(&self) -> Waiter {
        Waiter {
            keys: self.keys.subscribe(),
            shutdown: self.shutdown.subscribe(),
        }
    }

    /// Calls each webhook in the background: `text/plain`, no number, no token.
    fn call_webhooks(&self, urls: &[String], account: &str) {
        let Some(client) = &self.client else { return };
        for url in urls {
            // A literal address never reaches the resolver: check it here.
            if !webhook_target_allowed(url, self.allow_private) {
                tracing::warn!("push webhook skipped: an internal address");
                continue;
            }
            let request = Request::post(url.as_str())
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Full::new(Bytes::from(format!(
                    "Sign-in request for {account}"
                ))));
            let Ok(request) = request else {
                tracing::warn!("push webhook skipped: not a valid address");
                continue;
            };
            let client = client.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(WEBHOOK_TIMEOUT, client.request(request)).await {
                    Ok(Ok(r)) if r.status().is_success() => {}
                    Ok(Ok(r)) => {
                        tracing::warn!(status = r.status().as_u16(), "push webhook refused")
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "push webhook unreachable"),
                    Err(_) => tracing::warn!("push webhook timed out"),
                }
            });
        }
    }
}

/// One long-poll's subscription.
pub struct Waiter {
    keys: broadcast::Receiver<Arc<str>>,
    shutdown: watch::Receiver<bool>,
}

impl Waiter {
    /// Waits until `key` is woken, the deadline passes or the server shuts down; true only when
    /// woken (the caller then re-reads the database).
    pub async fn until(&mut self, key: &str, deadline: Instant) -> bool {
        if *self.shutdown.borrow() {
            return false;
        }
        loop {
            tokio::select! {
                got = self.keys.recv() => match got {
                    Ok(k) if &*k == key || &*k == EVERYONE => return true,
                    Ok(_) => continue,
                    // Missed some: re-read rather than risk missing ours.
                    Err(broadcast::error::RecvError::Lagged(_)) => return true,
                    Err(broadcast::error::RecvError::Closed) => return false,
                },
                _ = tokio::time::sleep_until(deadline) => return false,
                _ = self.shutdown.wait_for(|stop| *stop) => return false,
            }
        }
    }

    pub fn shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}

/// The wait a client asked for, within the protocol's bounds.
pub fn wait_secs(asked: Option<u64>) -> Duration {
    Duration::from_secs(
        asked
            .unwrap_or(portcullis_core::push::DEFAULT_WAIT_SECS)
            .min(portcullis_core::push::MAX_WAIT_SECS),
    )
}

/// `Services::send_push`, then wakes the devices of this node and calls the webhooks.
pub async fn send_push(state: &AppState, ticket: &Token, meta: &RequestMeta) -> Result<PushSent> {
    let sent = state.services.send_push(ticket, meta).await?;
    announce_sent(&state.push, &sent);
    Ok(sent)
}

/// After a use case sent a push (the sign-in page's, or a RADIUS client's): wakes the
/// long-polls of the requests it ended and this node's devices of the account, and calls the
/// account's webhooks.
pub fn announce_sent(push: &PushWake, sent: &PushSent) {
    // The requests it ended: their login screens learn it now, not at their next poll.
    for id in &sent.superseded {
        push.wake(id.as_str());
    }
    if sent.notify {
        push.wake(&format!("user:{}", sent.user_id));
        push.call_webhooks(&sent.webhooks, &sent.account);
    }
}

/// `Services::leave_push` ("Use a code instead"), then wakes the long-polls of what it ended.
pub async fn leave_push(state: &AppState, ticket: &Token) -> Result<()> {
    for id in state.services.leave_push(ticket).await? {
        state.push.wake(id.as_str());
    }
    Ok(())
}

/// `Services::approve_push_by_number`, then wakes this node's long-poll of the request it
/// answered.
pub async fn approve_by_number(
    state: &AppState,
    dev: &VerifiedDevice,
    number: i64,
    meta: &RequestMeta,
) -> Result<(ChallengeStatus, DeviceChallenge)> {
    let (status, challenge) = state
        .services
        .approve_push_by_number(dev, number, meta)
        .await?;
    state.push.wake(challenge.id.as_str());
    Ok((status, challenge))
}

/// The login screen's long-poll: the challenge's status as soon as it is not pending, or
/// pending after `wait`. Approval opens the session (once) inside `push_status`.
pub async fn wait_for_status(
    state: &AppState,
    challenge_id: &PushChallengeId,
    ticket: &Token,
    kind: SessionKind,
    meta: &RequestMeta,
    wait: Duration,
) -> Result<PushStatus> {
    let deadline = Instant::now() + wait;
    loop {
        let mut waiter = state.push.waiter();
        let status = state
            .services
            .push_status(challenge_id, ticket, kind, meta)
            .await?;
        if !matches!(status, PushStatus::Pending) || Instant::now() >= deadline {
            return Ok(status);
        }
        // Expiry is a moment, not an event: wake for it too.
        if !waiter.until(challenge_id.as_str(), deadline).await && waiter.shutting_down() {
            return Ok(status);
        }
    }
}

/// Waits until `challenge_id` is announced (decided), `wait` passes or the server shuts down.
/// For callers that read the state themselves; true when woken.
pub async fn wait_for_challenge(state: &AppState, challenge_id: &str, wait: Duration) -> bool {
    state
        .push
        .waiter()
        .until(challenge_id, Instant::now() + wait)
        .await
}

/// The device's long-poll: its account's pending challenges, as soon as there is one.
pub async fn wait_for_device_challenges(
    state: &AppState,
    dev: &VerifiedDevice,
    wait: Duration,
) -> Result<Vec<DeviceChallenge>> {
    let deadline = Instant::now() + wait;
    let key = format!("user:{}", dev.user.id);
    loop {
        let mut waiter = state.push.waiter();
        let pending = state.services.device_challenges(dev).await?;
        if !pending.is_empty() || Instant::now() >= deadline {
            return Ok(pending);
        }
        if !waiter.until(&key, deadline).await && Instant::now() < deadline {
            // Shut down: answer what there is.
            return Ok(pending);
        }
    }
}

/// `Services::answer_push`, then wakes this node's long-poll of that challenge.
pub async fn answer(
    state: &AppState,
    dev: &VerifiedDevice,
    challenge_id: &PushChallengeId,
    decision: Decision,
    meta: &RequestMeta,
) -> Result<ChallengeStatus> {
    let status = state
        .services
        .answer_push(dev, challenge_id, decision, meta)
        .await?;
    state.push.wake(challenge_id.as_str());
    Ok(status)
}

/// On PostgreSQL: LISTENs for the keys other nodes announce and wakes this node's waiters,
/// reconnecting after a pause when the connection cannot be made. Ends with the server.
pub fn spawn_listener(url: String, wake: Arc<PushWake>) -> tokio::task::JoinHandle<()> {
    let mut shutdown = wake.shutdown.subscribe();
    tokio::spawn(async move {
        loop {
            let listener = tokio::select! {
                l = PushListener::connect(&url) => l,
                _ = shutdown.wait_for(|s| *s) => return,
            };
            let mut listener = match listener {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "push wake-ups: cannot LISTEN; retrying in 2 s");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => continue,
                        _ = shutdown.wait_for(|s| *s) => return,
                    }
                }
            };
            // Anything may have happened while not listening.
            wake.wake(EVERYONE);
            loop {
                let signal = tokio::select! {
                    s = listener.next() => s,
                    _ = shutdown.wait_for(|s| *s) => return,
                };
                match signal {
                    Ok(PushSignal::Key(key)) => wake.wake(&key),
                    Ok(PushSignal::Reconnected) => wake.wake(EVERYONE),
                    Err(e) => {
                        tracing::warn!(error = %e, "push wake-ups: LISTEN connection lost");
                        wake.wake(EVERYONE);
                        break;
                    }
                }
            }
        }
    })
}
