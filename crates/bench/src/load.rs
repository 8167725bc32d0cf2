//! The load generator: `concurrency` workers, each with its own keep-alive connection, send
//! requests (or units of several calls) back to back for a fixed time (or until the work runs
//! out) and record every latency.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub type Http = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> Http {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build(connector)
}

/// One request to send; `None` from the maker ends the phase (the work ran out).
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub url: String,
    pub bearer: Option<String>,
    /// `(content type, body)`.
    pub body: Option<(&'static str, Vec<u8>)>,
    /// Further headers (a proxy's `X-Forwarded-*` for forward authentication).
    pub headers: Vec<(&'static str, String)>,
}

impl Req {
    pub fn json(url: String, body: &serde_json::Value, bearer: Option<&str>) -> Req {
        Req {
            method: Method::POST,
            url,
            bearer: bearer.map(str::to_owned),
            body: Some(("application/json", serde_json::to_vec(body).unwrap())),
            headers: Vec::new(),
        }
    }

    pub fn form(url: String, pairs: &[(&str, &str)]) -> Req {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", form_escape(v)))
            .collect::<Vec<_>>()
            .join("&");
        Req {
            method: Method::POST,
            url,
            bearer: None,
            body: Some(("application/x-www-form-urlencoded", body.into_bytes())),
            headers: Vec::new(),
        }
    }

    pub fn get(url: String, bearer: Option<&str>) -> Req {
        Req {
            method: Method::GET,
            url,
            bearer: bearer.map(str::to_owned),
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.headers.push((name, value.into()));
        self
    }

    pub fn build(&self) -> Request<Full<Bytes>> {
        let mut b = Request::builder()
            .method(self.method.clone())
            .uri(&self.url);
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (name, value) in &self.headers {
            b = b.header(*name, value.as_str());
        }
        let body = match &self.body {
            Some((ct, bytes)) => {
                b = b.header(header::CONTENT_TYPE, *ct);
                Full::new(Bytes::from(bytes.clone()))
            }
            None => Full::new(Bytes::new()),
        };
        b.body(body).expect("a valid request")
    }
}

/// `v` as one form-urlencoded value.
pub fn form_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What an answer meant for the workload: the expected outcome, the other one, or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Expected,
    Unexpected,
}

pub type Maker = Arc<dyn Fn(u64) -> Option<Req> + Send + Sync>;
pub type Judge = Arc<dyn Fn(u16, &[u8]) -> Verdict + Send + Sync>;

/// What one phase measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub elapsed: Duration,
    pub latencies_us: Vec<u32>,
    pub statuses: BTreeMap<u16, u64>,
    pub expected: u64,
    pub unexpected: u64,
    pub transport_errors: u64,
}

impl Outcome {
    pub fn requests(&self) -> u64 {
        self.latencies_us.len() as u64
    }

    pub fn rps(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The q-quantile (0..=1) latency in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        quantile_ms(&self.latencies_us, q)
    }

    pub fn statuses_text(&self) -> String {
        let mut parts: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect();
        if self.transport_errors > 0 {
            parts.push(format!("errors×{}", self.transport_errors));
        }
        parts.join(" ")
    }
}

/// `latencies` need not be sorted.
pub fn quantile_ms(latencies_us: &[u32], q: f64) -> f64 {
    if latencies_us.is_empty() {
        return f64::NAN;
    }
    let mut v = latencies_us.to_vec();
    v.sort_unstable();
    let idx = ((v.len() as f64 - 1.0) * q).round() as usize;
    f64::from(v[idx.min(v.len() - 1)]) / 1000.0
}

/// Runs `concurrency` workers for `duration` (or until `make` returns `None`, or `max`
/// requests were sent). Request numbers passed to `make` are unique across workers.
pub async fn run(
    http: &Http,
    concurrency: usize,
    duration: Duration,
    max: Option<u64>,
    make: Maker,
    judge: Judge,
) -> Outcome {
    run_flow(http, concurrency, duration, max, flow_of(make, judge)).await
}

/// A workload of single requests as units: each request made by `make`, judged by `judge`.
pub fn flow_of(make: Maker, judge: Judge) -> Flow {
    Arc::new(move |http: Http, n| {
        let req = make(n)?;
        let judge = judge.clone();
        Some(Box::pin(async move {
            let (status, body) = send(&http, req.build()).await?;
            Ok((status, judge(status, &body)))
        }) as Step)
    })
}

/// One unit of work that may take several calls (a passkey sign-in is `start` then `finish`):
/// the status of its last answer and what the whole meant, or a transport error.
pub type Step = Pin<Box<dyn Future<Output = anyhow::Result<(u16, Verdict)>> + Send>>;
/// Makes unit `n` of a workload; `None` ends the phase (the work ran out).
pub type Flow = Arc<dyn Fn(Http, u64) -> Option<Step> + Send + Sync>;

/// As [`run`], for units of several calls: each unit's latency is the time of the whole unit,
/// and each unit counts once.
pub async fn run_flow(
    http: &Http,
    concurrency: usize,
    duration: Duration,
    max: Option<u64>,
    flow: Flow,
) -> Outcome {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (http, next, flow) = (http.clone(), next.clone(), flow.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            loop {
                if Instant::now() >= deadline {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                if max.is_some_and(|m| n >= m) {
                    break;
                }
                let Some(step) = flow(http.clone(), n) else {
                    break;
                };
                let t0 = Instant::now();
                match step.await {
                    Ok((status, verdict)) => {
                        let us = t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                        out.latencies_us.push(us);
                        *out.statuses.entry(status).or_default() += 1;
                        match verdict {
                            Verdict::Expected => out.expected += 1,
                            Verdict::Unexpected => out.unexpected += 1,
                        }
                    }
                    Err(_) => out.transport_errors += 1,
                }
            }
            out
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        if let Ok(o) = t.await {
            all.latencies_us.extend(o.latencies_us);
            for (s, n) in o.statuses {
                *all.statuses.entry(s).or_default() += n;
            }
            all.expected += o.expected;
            all.unexpected += o.unexpected;
            all.transport_errors += o.transport_errors;
        }
    }
    all.elapsed = start.elapsed();
    all
}

/// Sends one request and reads the whole answer.
pub async fn send(http: &Http, request: Request<Full<Bytes>>) -> anyhow::Result<(u16, Bytes)> {
    let response = tokio::time::timeout(Duration::from_secs(60), http.request(request)).await??;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Sends one request and parses a JSON answer (for set-up steps).
pub async fn call(http: &Http, req: &Req) -> anyhow::Result<(u16, serde_json::Value)> {
    let (status, body) = send(http, req.build()).await?;
    let value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    Ok((status, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_nearest_rank() {
        let v: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(quantile_ms(&v, 0.5), 51.0);
        assert_eq!(quantile_ms(&v, 0.99), 99.0);
        assert_eq!(quantile_ms(&v, 0.0), 1.0);
        assert!(quantile_ms(&[], 0.5).is_nan());
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_escape("a b&c=d@x"), "a%20b%26c%3Dd%40x");
    }
}
