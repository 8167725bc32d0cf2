//! The outbox worker: delivers what use cases queued, in the background, so a slow or broken
//! transport never fails or slows a request.
//!
//! Every poll interval it claims due messages with a lease (one statement; see
//! `portcullis_store`'s outbox), unseals each notice, renders it ([`render`]) and hands it to
//! the channel's transport: SMTP ([`smtp`]) or the HTTP gateway ([`sms`]) when configured, else
//! a JSON file per message ([`file`]). A delivered message is marked sent and its payload wiped;
//! a failed one is retried with exponential back-off (`retry_base · 2^(attempts-1)`, at most an
//! hour) and given up after [`MAX_ATTEMPTS`]. Each message is sent in a task of its own, so one
//! that hangs holds one slot, not the queue. A node that dies mid-send leaves its claim to run
//! out; another node (or the same after a restart) then sends the message again: delivery is
//! at least once, and exactly once whenever nothing crashes.
//!
//! Logs name the message (id, channel, kind, attempts) and the error, never its text: bodies
//! hold links and codes.

pub mod config;
pub mod file;
pub mod render;
mod sms;
mod smtp;

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::locale::Locale;
use portcullis_core::notice::{Channel, OpenedNotice};
use portcullis_core::service::Services;
use portcullis_core::store::{
    NodeId, OutboxDelivery, OutboxMessageId, QueuedMessage, QueuedPayload, Store, Transaction,
};
use portcullis_core::{Result, UnixTime};
use portcullis_store::SqlStore;
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::config::DeliveryConfig;
use self::file::FileTransport;
use self::render::{Rendered, Renderer};
use self::sms::SmsGateway;
use self::smtp::SmtpTransport;
use crate::metrics::Metrics;

/// After this many attempts a message is given up (about 3½ hours with the default base).
pub const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;
/// How long a claim holds: longer than any one send may take ([`SEND_TIMEOUT`]).
const LEASE_SECS: i64 = 120;
/// One send, from the first byte to the answer, whatever the transport's own timeouts.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Messages in flight at once on one node.
const MAX_IN_FLIGHT: usize = 16;
/// How long a stopping server waits for sends in flight before it abandons them to the lease.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// What an attempt came to.
enum Record {
    Sent,
    Retry(UnixTime, String),
    Failed(String),
}

/// Why a send did not happen, and whether trying again can help.
#[derive(Debug)]
pub enum SendError {
    Retry(String),
    GiveUp(String),
}

enum EmailTransport {
    Smtp(SmtpTransport),
    File(FileTransport),
}

enum SmsTransport {
    Gateway(Box<SmsGateway>),
    File(FileTransport),
}

/// Everything the worker needs; built with the server, started by [`Delivery::start`].
pub struct Delivery {
    services: Services<SqlStore>,
    renderer: Renderer,
    email: EmailTransport,
    sms: SmsTransport,
    metrics: Arc<Metrics>,
    /// Names this process's claims; unique per start.
    node: NodeId,
    poll: Duration,
    retry_base_secs: i64,
    summary: Vec<String>,
}

/// The wait before the next attempt, after `attempts` attempts.
pub fn backoff_secs(base: i64, attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF_SECS)
}

fn node_id() -> NodeId {
    let mut random = [0u8; 6];
    let _ = getrandom::fill(&mut random);
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    NodeId(format!("{}-{suffix}", std::process::id()))
}

impl Delivery {
    /// Sets up the transports `config` names; a channel without one writes files under `data`,
    /// which `read_with` (the `portcullis outbox list` command for this data folder) lists.
    pub fn new(
        config: &DeliveryConfig,
        data: &std::path::Path,
        read_with: &str,
        services: Services<SqlStore>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Delivery> {
        let files_line = |channel: Channel, what: &str| {
            format!(
                "{}: no {what} configured; written to {}/ (read with `{read_with}`)",
                if channel == Channel::Email {
                    "Email"
                } else {
                    "SMS"
                },
                file::folder(data, channel).display()
            )
        };
        let mut summary = Vec::new();
        let email = match &config.smtp {
            Some(smtp) => {
                summary.push(format!(
                    "Email: SMTP {}:{} ({}), from {}",
                    smtp.host,
                    smtp.port,
                    smtp.security.as_str(),
                    smtp.from.email
                ));
                EmailTransport::Smtp(SmtpTransport::new(smtp)?)
            }
            None => {
                summary.push(files_line(Channel::Email, "SMTP"));
                EmailTransport::File(FileTransport::new(data, Channel::Email))
            }
        };
        let sms = match &config.sms {
            Some(gateway) => {
                summary.push(format!(
                    "SMS: gateway {} {}",
                    gateway.method,
                    gateway.endpoint()
                ));
                SmsTransport::Gateway(Box::new(SmsGateway::new(gateway)?))
            }
            None => {
                summary.push(files_line(Channel::Sms, "SMS gateway"));
                SmsTransport::File(FileTransport::new(data, Channel::Sms))
            }
        };
        let renderer = Renderer::new(
            &config.product_name,
            &services.settings.public_url,
            services.settings.lock_link_secs,
        );
        Ok(Delivery {
            services,
            renderer,
            email,
            sms,
            metrics,
            node: node_id(),
            poll: config.poll,
            retry_base_secs: config.retry_base_secs,
            summary,
        })
    }

    /// One line per channel saying where its messages go, for `serve` to print.
    pub fn summary(&self) -> &[String] {
        &self.summary
    }

    /// Runs the worker until the returned [`StopDelivery`] is used or dropped.
    pub fn start(self) -> (DeliveryWorker, StopDelivery) {
        let (stop, stopped) = watch::channel(false);
        let handle = tokio::spawn(Arc::new(self).run(stopped));
        (DeliveryWorker { handle }, StopDelivery(stop))
    }

    async fn run(self: Arc<Self>, mut stopped: watch::Receiver<bool>) {
        let mut in_flight = JoinSet::new();
        loop {
            while in_flight.try_join_next().is_some() {}
            let room = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
            if room > 0 {
                match self.claim(room).await {
                    Ok(batch) => {
                        for message in batch {
                            in_flight.spawn(self.clone().deliver(message));
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot claim outbox messages"),
                }
            }
            tokio::select! {
                _ = stopped.changed() => break,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
        let drain = async { while in_flight.join_next().await.is_some() {} };
        if tokio::time::timeout(STOP_GRACE, drain).await.is_err() {
            tracing::warn!(
                in_flight = in_flight.len(),
                "stopping with messages still being sent; they are retried when their claim runs out"
            );
            in_flight.abort_all();
        }
    }

    fn now(&self) -> UnixTime {
        self.services.clock.now()
    }

    async fn claim(&self, limit: usize) -> Result<Vec<QueuedMessage>> {
        let now = self.now();
        let mut tx = self.services.store.begin().await?;
        let batch = tx
            .claim_due(&self.node, now, now.plus_secs(LEASE_SECS), limit as i64)
            .await?;
        tx.commit().await?;
        Ok(batch)
    }

    async fn deliver(self: Arc<Self>, message: QueuedMessage) {
        let outcome = match self.prepare(&message) {
            Ok(rendered) => tokio::time::timeout(SEND_TIMEOUT, self.send(&message, &rendered))
                .await
                .unwrap_or_else(|_| Err(SendError::Retry("the send timed out".into()))),
            Err(e) => Err(e),
        };
        let channel = message.channel.as_str();
        let kind = message.kind.as_deref().unwrap_or("legacy");
        let (id, attempts) = (message.id.as_str(), message.attempts);
        let now = self.now();
        let record = match outcome {
            Ok(()) => {
                tracing::info!(id, channel, kind, attempts, "message delivered");
                self.metrics.record_delivery(channel, "sent");
                Record::Sent
            }
            Err(SendError::Retry(error)) if attempts < MAX_ATTEMPTS => {
                let wait = backoff_secs(self.retry_base_secs, attempts);
                tracing::warn!(
                    id,
                    channel,
                    kind,
                    attempts,
                    retry_in_secs = wait,
                    error,
                    "delivery failed; will retry"
                );
                self.metrics.record_delivery(channel, "retry");
                Record::Retry(now.plus_secs(wait), error)
            }
            Err(SendError::Retry(error) | SendError::GiveUp(error)) => {
                tracing::error!(id, channel, kind, attempts, error, "delivery given up");
                self.metrics.record_delivery(channel, "failed");
                Record::Failed(error)
            }
        };
        match self.record(&message.id, now, record).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                id,
                channel,
                kind,
                "the claim ran out before the outcome was recorded"
            ),
            Err(e) => {
                tracing::error!(id, channel, kind, error = %e, "cannot record the delivery outcome")
            }
        }
    }

    /// Records the outcome of an attempt, conditional on this node's claim, in a transaction
    /// of its own.
    async fn record(&self, id: &OutboxMessageId, now: UnixTime, record: Record) -> Result<bool> {
        let mut tx = self.services.store.begin().await?;
        let node = &self.node;
        let done = match &record {
            Record::Sent => tx.mark_sent(id, node, now).await?,
            Record::Retry(at, error) => tx.mark_retry(id, node, *at, truncate(error)).await?,
            Record::Failed(error) => tx.mark_failed(id, node, now, truncate(error)).await?,
        };
        tx.commit().await?;
        Ok(done)
    }

    /// Opens and renders the notice; a message that cannot be opened never will be.
    fn prepare(&self, message: &QueuedMessage) -> std::result::Result<Rendered, SendError> {
        match &message.payload {
            QueuedPayload::Plain { subject, body } => {
                Ok(Rendered::plain(subject.clone(), body.clone()))
            }
            QueuedPayload::Sealed(sealed) => {
                let plain = self
                    .services
                    .keys
                    .sealing
                    .open(sealed, message.id.as_str().as_bytes())
                    .map_err(|_| {
                        SendError::GiveUp(
                            "the notice cannot be unsealed (unknown key or damaged)".into(),
                        )
                    })?;
                let opened = OpenedNotice::from_json(&plain)
                    .map_err(|_| SendError::GiveUp("the notice cannot be read".into()))?;
                // In the recipient's language and time zone, as queued (one queued before
                // messages were translated: the deployment's language).
                let locale = opened.locale.unwrap_or_else(|| Locale {
                    language: self.services.default_language(),
                    time_zone: None,
                });
                crate::i18n::with_locale(locale.language, locale.time_zone, || {
                    self.renderer.render(&opened.notice)
                })
                .map_err(|e| SendError::GiveUp(format!("cannot render the notice: {e}")))
            }
        }
    }

    async fn send(
        &self,
        message: &QueuedMessage,
        rendered: &Rendered,
    ) -> std::result::Result<(), SendError> {
        let to = message.recipient.as_str();
        match message.channel {
            Channel::Email => match &self.email {
                EmailTransport::Smtp(smtp) => smtp.send(to, rendered).await,
                EmailTransport::File(files) => files
                    .send(message, rendered)
                    .await
                    .map_err(SendError::Retry),
            },
            Channel::Sms => match &self.sms {
                SmsTransport::Gateway(gateway) => gateway.send(to, &rendered.text).await,
                SmsTransport::File(files) => files
                    .send(message, rendered)
                    .await
                    .map_err(SendError::Retry),
            },
        }
    }
}

/// Errors are stored with the message; keep them short.
fn truncate(error: &str) -> &str {
    match error.char_indices().nth(500) {
        Some((i, _)) => &error[..i],
        None => error,
    }
}

/// The running worker.
pub struct DeliveryWorker {
    handle: tokio::task::JoinHandle<()>,
}

impl DeliveryWorker {
    /// Waits until the worker has stopped (after [`StopDelivery::stop`]), sends in flight
    /// included, up to a grace period.
    pub async fn finished(self) {
        if let Err(e) = self.handle.await
            && e.is_panic()
        {
            tracing::error!("the outbox worker panicked");
        }
    }
}

/// Tells the worker to stop claiming and finish what it is sending; dropping it does the same.
pub struct StopDelivery(watch::Sender<bool>);

impl StopDelivery {
    pub fn stop(self) {
        let _ = self.0.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_the_base_up_to_an_hour() {
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS).map(|a| backoff_secs(10, a)).collect();
        assert_eq!(&waits[..5], &[10, 20, 40, 80, 160]);
        assert_eq!(waits[MAX_ATTEMPTS as usize - 1], 3600);
        assert_eq!(backoff_secs(1, 1), 1);
        assert_eq!(backoff_secs(3600, 50), 3600);
    }
}
