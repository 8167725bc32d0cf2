//! The sweep's task: every `--sweep-interval` seconds (and once at start) this node runs a pass
//! of `Services::sweep` (the rules are the core's, `service::sweep`), counts what it removed for
//! `/metrics`, and logs it. Among nodes sharing a PostgreSQL database only the lease holder
//! sweeps; the others find it busy and wait for their next turn. On shutdown a pass in progress
//! is abandoned (its current batch rolls back) and the lease is given up, so another node can
//! take over at once.
//!
//! `portcullis sweep` runs one pass from the shell with [`run_once`].

use std::sync::Arc;
use std::time::Duration;

use portcullis_core::Result;
use portcullis_core::service::Services;
use portcullis_core::service::sweep::{SweepOutcome, SweepRules};
use portcullis_core::store::Swept;
use portcullis_store::SqlStore;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::metrics::Metrics;

/// The periodic sweep of one node, built with the server and started by [`SweepTask::start`].
pub struct SweepTask {
    services: Services<SqlStore>,
    metrics: Arc<Metrics>,
    rules: SweepRules,
    interval: Option<Duration>,
    /// Names this process in the lease; unique per start.
    holder: String,
}

/// The running task, to wait for once it was told to stop.
pub struct SweepHandle(Option<JoinHandle<()>>);

/// Tells the task to stop: a pass in progress is abandoned, then the lease is given up.
pub struct StopSweep(watch::Sender<bool>);

/// A name for this process in the lease: its id and random bytes, unique per start.
pub fn holder_name(prefix: &str) -> String {
    let mut random = [0u8; 6];
    let _ = getrandom::fill(&mut random);
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{}-{suffix}", std::process::id())
}

impl SweepTask {
    /// `interval_secs` 0: this node never sweeps (another node, or `portcullis sweep` from cron,
    /// does).
    pub fn new(
        services: Services<SqlStore>,
        metrics: Arc<Metrics>,
        retention_days: u32,
        interval_secs: u64,
    ) -> SweepTask {
        SweepTask {
            rules: services.sweep_rules(retention_days),
            services,
            metrics,
            interval: (interval_secs > 0).then(|| Duration::from_secs(interval_secs)),
            holder: holder_name(""),
        }
    }

    /// The clock the passes read (a test's pinned one).
    pub fn set_clock(&mut self, clock: Arc<dyn portcullis_core::Clock>) {
        self.services.clock = clock;
    }

    pub fn start(self) -> (SweepHandle, StopSweep) {
        let (stop, stopped) = watch::channel(false);
        let handle = self
            .interval
            .map(|interval| tokio::spawn(self.run(interval, stopped)));
        (SweepHandle(handle), StopSweep(stop))
    }

    async fn run(self, interval: Duration, mut stopped: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(interval);
        // A pass longer than the interval is followed by the next one, not by a burst.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                _ = ticks.tick() => {}
            }
            tokio::select! {
                _ = stopped.changed() => break,
                _ = pass(&self.services, &self.metrics, &self.rules, &self.holder) => {}
            }
        }
        if let Err(e) = self.services.release_sweep_lease(&self.holder).await {
            tracing::warn!(error = %e, "could not give the sweep's lease up; it runs out by itself");
        }
    }
}

impl StopSweep {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

impl SweepHandle {
    /// Waits until the stopped task has given the lease up (before the database closes).
    pub async fn finished(self) {
        if let Some(handle) = self.0 {
            let _ = handle.await;
        }
    }
}

/// One pass: swept rows are counted batch by batch, the outcome once.
async fn pass(
    services: &Services<SqlStore>,
    metrics: &Metrics,
    rules: &SweepRules,
    holder: &str,
) -> Result<SweepOutcome> {
    let outcome = services
        .sweep(holder, rules, &mut |kind: Swept, n| {
            metrics.record_swept(kind.table(), n)
        })
        .await;
    let at = services.clock.now().0;
    match &outcome {
        Ok(SweepOutcome::Swept(removed)) => {
            metrics.record_sweep("swept", at);
            if !removed.is_empty() {
                tracing::info!(removed = %summary(removed), "sweep: expired rows deleted");
            }
        }
        Ok(SweepOutcome::Busy) => {
            metrics.record_sweep("busy", at);
            tracing::debug!("sweep: another node holds the lease");
        }
        Ok(SweepOutcome::Interrupted(removed)) => {
            metrics.record_sweep("interrupted", at);
            tracing::warn!(removed = %summary(removed), "sweep: the lease ran out during the pass; another node goes on");
        }
        Err(e) => {
            metrics.record_sweep("error", at);
            tracing::warn!(error = %e, "sweep failed; trying again at the next interval");
        }
    }
    outcome
}

/// Runs one pass as a process of its own (`portcullis sweep`), under a holder name of its own.
pub async fn run_once(services: &Services<SqlStore>, retention_days: u32) -> Result<SweepOutcome> {
    let metrics = Metrics::default();
    let holder = holder_name("cli-");
    let rules = services.sweep_rules(retention_days);
    let outcome = pass(services, &metrics, &rules, &holder).await;
    // The next server pass need not wait for the command's lease to run out.
    services.release_sweep_lease(&holder).await?;
    outcome
}

/// `sessions=3 outbox=12`: rows per table, for the log and the command's output.
pub fn summary(removed: &[(Swept, u64)]) -> String {
    let mut tables: Vec<(&'static str, u64)> = Vec::new();
    for (kind, n) in removed {
        match tables.iter_mut().find(|(t, _)| *t == kind.table()) {
            Some((_, total)) => *total += n,
            None => tables.push((kind.table(), *n)),
        }
    }
    tables
        .iter()
        .map(|(t, n)| format!("{t}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}
