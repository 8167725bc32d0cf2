//! Prometheus metrics in the text exposition format: request counts and latencies by route and
//! status, logins by outcome, requests shed because the password-hashing queue was full, what
//! the sweep removed (rows by table, passes by outcome, the last pass), and the RADIUS
//! listener's answers, retransmissions and dropped datagrams. Routes are the matched patterns
//! (`/api/v1/me/sessions/{id}`), never raw paths, so ids and tokens never become label values.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use portcullis_core::store::Swept;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    logins: BTreeMap<&'static str, u64>,
    deliveries: BTreeMap<(&'static str, &'static str), u64>,
    overloaded: u64,
    swept: BTreeMap<&'static str, u64>,
    sweeps: BTreeMap<&'static str, u64>,
    last_sweep: Option<i64>,
    radius_dropped: BTreeMap<&'static str, u64>,
    radius_responses: BTreeMap<&'static str, u64>,
    radius_retransmissions: u64,
}

#[derive(Default)]
pub struct Metrics(Mutex<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn record_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        let h = m.latency.entry(route.to_owned()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// `outcome`: success, failure, throttled, second_factor, enrollment_required, second_factor_failure,
    /// invalid_ticket, overloaded, error.
    pub fn record_login(&self, outcome: &'static str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.logins.entry(outcome).or_default() += 1;
    }

    /// An outbox delivery attempt by channel (`email`, `sms`) and outcome (`sent`, `retry`,
    /// `failed`).
    pub fn record_delivery(&self, channel: &'static str, outcome: &'static str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.deliveries.entry((channel, outcome)).or_default() += 1;
    }

    /// A request refused because every password-hashing thread was busy and the queue full.
    pub fn record_overloaded(&self) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.overloaded += 1;
    }

    /// Rows of `table` the sweep deleted in one batch.
    pub fn record_swept(&self, table: &'static str, rows: u64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.swept.entry(table).or_default() += rows;
    }

    /// A sweep pass by `outcome` (`swept`, `busy`: another node holds the lease, `interrupted`,
    /// `error`); a pass that swept also sets the time of the last one (Unix seconds).
    pub fn record_sweep(&self, outcome: &'static str, at: i64) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.sweeps.entry(outcome).or_default() += 1;
        if outcome == "swept" {
            m.last_sweep = Some(at);
        }
    }

    /// A RADIUS datagram dropped unanswered, by `reason` (see `radius::packet::Dropped`).
    pub fn record_radius_dropped(&self, reason: &'static str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.radius_dropped.entry(reason).or_default() += 1;
    }

    /// A RADIUS answer to a decided request, by `code` (`accept`, `reject`, `challenge`).
    pub fn record_radius_response(&self, code: &'static str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.radius_responses.entry(code).or_default() += 1;
    }

    /// A retransmitted RADIUS request answered from the duplicate cache.
    pub fn record_radius_retransmission(&self) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.radius_retransmissions += 1;
    }

    pub fn render(&self) -> String {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP portcullis_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE portcullis_http_requests_total counter\n");
        for ((route, method, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "portcullis_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP portcullis_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE portcullis_http_request_duration_seconds histogram\n");
        for (route, h) in &m.latency {
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "portcullis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "portcullis_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "portcullis_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP portcullis_overloaded_total Requests refused with 503 because the password-hashing queue was full.\n",
        );
        out.push_str("# TYPE portcullis_overloaded_total counter\n");
        let _ = writeln!(out, "portcullis_overloaded_total {}", m.overloaded);
        out.push_str("# HELP portcullis_logins_total Login attempts by outcome.\n");
        out.push_str("# TYPE portcullis_logins_total counter\n");
        for (outcome, n) in &m.logins {
            let _ = writeln!(out, "portcullis_logins_total{{outcome=\"{outcome}\"}} {n}");
        }
        out.push_str(
            "# HELP portcullis_outbox_deliveries_total Outbox delivery attempts by channel and outcome.\n",
        );
        out.push_str("# TYPE portcullis_outbox_deliveries_total counter\n");
        for ((channel, outcome), n) in &m.deliveries {
            let _ = writeln!(
                out,
                "portcullis_outbox_deliveries_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        render_sweep(&m, &mut out);
        render_radius(&m, &mut out);
        out
    }
}

/// The sweep's series. Every swept table is shown from the start (at 0), so a rate over the
/// counter works from the first scrape and a missing series means a missing server.
fn render_sweep(m: &Inner, out: &mut String) {
    out.push_str(
        "# HELP portcullis_sweep_rows_total Expired rows the sweep deleted on this node, by table.\n",
    );
    out.push_str("# TYPE portcullis_sweep_rows_total counter\n");
    let mut tables: BTreeMap<&'static str, u64> =
        Swept::ALL.iter().map(|k| (k.table(), 0)).collect();
    for (table, n) in &m.swept {
        *tables.entry(table).or_default() += n;
    }
    for (table, n) in &tables {
        let _ = writeln!(out, "portcullis_sweep_rows_total{{table=\"{table}\"}} {n}");
    }
    out.push_str(
        "# HELP portcullis_sweep_runs_total Sweep passes on this node by outcome: swept, busy (another node holds the lease), interrupted (the lease was lost), error.\n",
    );
    out.push_str("# TYPE portcullis_sweep_runs_total counter\n");
    for (outcome, n) in &m.sweeps {
        let _ = writeln!(
            out,
            "portcullis_sweep_runs_total{{outcome=\"{outcome}\"}} {n}"
        );
    }
    if let Some(at) = m.last_sweep {
        out.push_str(
            "# HELP portcullis_sweep_last_success_timestamp_seconds When this node last finished a sweep pass.\n",
        );
        out.push_str("# TYPE portcullis_sweep_last_success_timestamp_seconds gauge\n");
        let _ = writeln!(out, "portcullis_sweep_last_success_timestamp_seconds {at}");
    }
}

/// The RADIUS listener's series, every label shown from the start (at 0) like the sweep's.
fn render_radius(m: &Inner, out: &mut String) {
    use crate::radius::packet::{Answer, Dropped};
    out.push_str(
        "# HELP portcullis_radius_dropped_total RADIUS datagrams dropped unanswered, by reason.\n",
    );
    out.push_str("# TYPE portcullis_radius_dropped_total counter\n");
    let mut dropped: BTreeMap<&'static str, u64> =
        Dropped::ALL.iter().map(|d| (d.reason(), 0)).collect();
    for (reason, n) in &m.radius_dropped {
        *dropped.entry(reason).or_default() += n;
    }
    for (reason, n) in &dropped {
        let _ = writeln!(
            out,
            "portcullis_radius_dropped_total{{reason=\"{reason}\"}} {n}"
        );
    }
    out.push_str(
        "# HELP portcullis_radius_responses_total RADIUS requests decided and answered, by code.\n",
    );
    out.push_str("# TYPE portcullis_radius_responses_total counter\n");
    let mut responses: BTreeMap<&'static str, u64> =
        [Answer::Accept, Answer::Reject, Answer::Challenge]
            .iter()
            .map(|a| (a.label(), 0))
            .collect();
    for (code, n) in &m.radius_responses {
        *responses.entry(code).or_default() += n;
    }
    for (code, n) in &responses {
        let _ = writeln!(
            out,
            "portcullis_radius_responses_total{{code=\"{code}\"}} {n}"
        );
    }
    out.push_str(
        "# HELP portcullis_radius_retransmissions_total Retransmitted RADIUS requests answered again from the duplicate cache.\n",
    );
    out.push_str("# TYPE portcullis_radius_retransmissions_total counter\n");
    let _ = writeln!(
        out,
        "portcullis_radius_retransmissions_total {}",
        m.radius_retransmissions
    );
}

/// The label a login attempt is counted under, the same for the API and the web form.
pub fn login_outcome(
    result: &Result<portcullis_core::service::LoginResult, portcullis_core::Error>,
) -> &'static str {
    use portcullis_core::Error;
    use portcullis_core::service::LoginResult;
    match result {
        Ok(LoginResult::Complete { .. }) => "success",
        Ok(LoginResult::SecondFactor { .. }) => "second_factor",
        Ok(LoginResult::EnrollmentRequired { .. }) => "enrollment_required",
        Err(Error::TooManyAttempts { .. }) => "throttled",
        Err(Error::Overloaded { .. }) => "overloaded",
        Err(Error::InvalidCredentials) => "failure",
        Err(Error::SecondFactorFailed) => "second_factor_failure",
        Err(Error::InvalidTicket) => "invalid_ticket",
        Err(_) => "error",
    }
}

/// Middleware that records every request.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let response = next.run(req).await;
    metrics.record_request(&route, &method, response.status().as_u16(), start.elapsed());
    // 503 is the answer of a full password-hashing queue (`overloaded`) and of nothing else.
    if response.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE {
        metrics.record_overloaded();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record_request("/healthz", "GET", 200, Duration::from_millis(3));
        m.record_request("/healthz", "GET", 200, Duration::from_millis(30));
        m.record_login("failure");
        m.record_overloaded();
        let text = m.render();
        assert!(text.contains(
            "portcullis_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "portcullis_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.05\"} 2"
        ));
        assert!(text.contains("portcullis_logins_total{outcome=\"failure\"} 1"));
        assert!(text.contains("\nportcullis_overloaded_total 1\n"));
    }

    #[test]
    fn radius_series_show_every_label_from_the_start_and_count_up() {
        let m = Metrics::default();
        let text = m.render();
        assert!(text.contains("portcullis_radius_dropped_total{reason=\"unknown_client\"} 0\n"));
        assert!(text.contains(
            "portcullis_radius_dropped_total{reason=\"missing_message_authenticator\"} 0\n"
        ));
        assert!(text.contains("portcullis_radius_responses_total{code=\"challenge\"} 0\n"));
        assert!(text.contains("\nportcullis_radius_retransmissions_total 0\n"));
        m.record_radius_dropped("in_progress");
        m.record_radius_dropped("in_progress");
        m.record_radius_response("accept");
        m.record_radius_retransmission();
        let text = m.render();
        assert!(text.contains("portcullis_radius_dropped_total{reason=\"in_progress\"} 2\n"));
        assert!(text.contains("portcullis_radius_responses_total{code=\"accept\"} 1\n"));
        assert!(text.contains("\nportcullis_radius_retransmissions_total 1\n"));
    }

    #[test]
    fn every_swept_table_shows_from_the_start_and_counts_up() {
        let m = Metrics::default();
        let text = m.render();
        assert!(text.contains("portcullis_sweep_rows_total{table=\"sessions\"} 0\n"));
        assert!(text.contains("portcullis_sweep_rows_total{table=\"outbox\"} 0\n"));
        assert!(!text.contains("portcullis_sweep_last_success_timestamp_seconds "));
        m.record_swept("sessions", 500);
        m.record_swept("sessions", 7);
        m.record_sweep("busy", 10);
        m.record_sweep("swept", 1_800_000_000);
        let text = m.render();
        assert!(text.contains("portcullis_sweep_rows_total{table=\"sessions\"} 507\n"));
        assert!(text.contains("portcullis_sweep_runs_total{outcome=\"busy\"} 1\n"));
        assert!(text.contains("portcullis_sweep_runs_total{outcome=\"swept\"} 1\n"));
        assert!(text.contains("portcullis_sweep_last_success_timestamp_seconds 1800000000\n"));
    }
}
