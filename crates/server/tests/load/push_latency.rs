//! The push latency benchmark (issue 6, "Tests and figures"): how long from the moment the app
//! sends its approval until the login screen's waiting long-poll has its answer (with the
//! session token), over N approvals: on one node (SQLite, in-process wake-up) and across two
//! nodes on PostgreSQL (approve on B, long-poll on A, LISTEN/NOTIFY). Prints median and p99 and
//! writes them into BENCHMARKS.md at the repository root. Ignored by default:
//!
//! ```sh
//! PORTCULLIS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo test --release -p portcullis-server --test load push_latency -- --ignored --nocapture
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::harness::companion::{self, Device, poll_body, pushed, ticket};
use crate::harness::server::{self, Backend, TestApp};

const N: usize = 200;

/// Runs N approvals: the long-poll waits on `poll_node`, the app answers on `answer_node`.
async fn measure(poll_node: &TestApp, answer_node: &TestApp, email: &str) -> Vec<Duration> {
    let token = poll_node.signed_in(email).await;
    let phone = Device::paired(answer_node, &token).await;
    let mut samples = Vec::with_capacity(N);
    for _ in 0..N {
        let (t, _) = ticket(poll_node, email).await;
        let (id, number) = pushed(poll_node, &t).await;
        let remote = companion::detached(poll_node.base.clone(), poll_node.client.clone());
        let waiting = {
            let (id, t) = (id.clone(), t.clone());
            tokio::spawn(async move {
                let body = poll_body(&remote, &id, &t, 20).await;
                (Instant::now(), body)
            })
        };
        // Let the long-poll reach its wait before the app answers.
        tokio::time::sleep(Duration::from_millis(40)).await;
        let sent = Instant::now();
        let r = phone.approve(answer_node, &id, number).await;
        assert_eq!(r.status(), StatusCode::OK);
        let (answered, body) = waiting.await.unwrap();
        assert_eq!(body["status"], "approved");
        assert!(body["token"].is_string());
        samples.push(answered.saturating_duration_since(sent));
    }
    samples.sort();
    samples
}

fn figures(samples: &[Duration]) -> (f64, f64) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(samples[samples.len() / 2]);
    let p99 = ms(samples[((samples.len() * 99).div_ceil(100)).min(samples.len()) - 1]);
    (median, p99)
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cores} cores, {model}")
}

/// Replaces (or appends) the section titled `title` in BENCHMARKS.md.
fn record(title: &str, body: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../BENCHMARKS.md");
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Benchmarks\n\nFigures measured on this repository's code; each section says how to \
         run it again.\n"
            .to_owned()
    });
    let heading = format!("## {title}\n");
    if let Some(start) = text.find(&heading) {
        let rest = &text[start + heading.len()..];
        // Up to the next section: a heading, or a block `portcullis-bench` writes.
        let end = [rest.find("\n## "), rest.find("\n<!-- bench:")]
            .into_iter()
            .flatten()
            .min()
            .map(|i| start + heading.len() + i + 1)
            .unwrap_or(text.len());
        text.replace_range(start..end, "");
    }
    if !text.ends_with("\n\n") {
        text.push('\n');
    }
    text.push_str(&heading);
    text.push('\n');
    text.push_str(body);
    std::fs::write(&path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
async fn push_approval_reaches_the_waiting_login_within_the_targets() {
    let _alone = crate::alone().await;
    let one_node = Arc::new(Mutex::new(None));
    let slot = one_node.clone();
    server::run(Backend::Sqlite, |env| async move {
        let app = env.spawn().await;
        let s = measure(&app, &app, "bench1@example.com").await;
        app.shutdown().await;
        let f = figures(&s);
        println!("one node (SQLite): median {:.1} ms, p99 {:.1} ms", f.0, f.1);
        *slot.lock().unwrap() = Some(f);
    })
    .await;
    let two_nodes = Arc::new(Mutex::new(None));
    if std::env::var("PORTCULLIS_TEST_DATABASE_URL").is_ok() {
        let slot = two_nodes.clone();
        server::run(Backend::Postgres, |env| async move {
            let a = env.spawn().await;
            let b = env.spawn().await;
            let s = measure(&a, &b, "bench2@example.com").await;
            a.shutdown().await;
            b.shutdown().await;
            let f = figures(&s);
            println!(
                "two nodes (PostgreSQL): median {:.1} ms, p99 {:.1} ms",
                f.0, f.1
            );
            *slot.lock().unwrap() = Some(f);
        })
        .await;
    }
    let two_nodes = *two_nodes.lock().unwrap();
    let one_node = *one_node.lock().unwrap();
    let (m1, p1) = one_node.expect("the one-node run");
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut body = format!(
        "From the companion app sending its approval (`POST /api/v1/push/device/challenges/{{id}}`) \
         to the login's waiting long-poll (`GET /api/v1/login/push/{{id}}?wait=20`) having its \
         answer with the session token, over {N} approvals, client and servers on one machine.\n\n\
         - Machine: {}\n- Date: {date}\n- Command: `PORTCULLIS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
         cargo test --release -p portcullis-server --test load push_latency -- --ignored --nocapture`\n\n\
         | setup | median | p99 | target |\n| --- | --- | --- | --- |\n\
         | one node, SQLite (in-process wake-up) | {m1:.1} ms | {p1:.1} ms | < 50 ms |\n",
        machine()
    );
    match two_nodes {
        Some((m2, p2)) => body.push_str(&format!(
            "| two nodes, PostgreSQL (approve on B, long-poll on A; LISTEN/NOTIFY) | {m2:.1} ms | {p2:.1} ms | < 100 ms |\n"
        )),
        None => body.push_str(
            "| two nodes, PostgreSQL | not measured (no `PORTCULLIS_TEST_DATABASE_URL`) | | < 100 ms |\n",
        ),
    }
    record("Push approval latency", &body);
    assert!(m1 < 50.0, "one node: median {m1:.1} ms");
    if let Some((m2, _)) = two_nodes {
        assert!(m2 < 100.0, "two nodes: median {m2:.1} ms");
    }
}
