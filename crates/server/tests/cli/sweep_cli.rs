//! The sweep through the compiled binary (SQLite): a serving node holds the sweep's lease, so
//! `portcullis sweep` does nothing while it runs; once the node has stopped (and given the lease
//! up) the command removes what has expired and says what. The metrics token comes from the
//! environment, as `PORTCULLIS_METRICS_TOKEN`.

#![cfg(unix)]

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::harness::cli::{Install, PATIENCE, Serve, Server};

const TOKEN: &str = "metrics-Zq4v8KxP2mW7tN3c";

async fn metrics(server: &Server, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}/metrics", server.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_sweeps_only_when_no_node_holds_the_lease() {
    let install = Install::with_owner().await;
    let server = Server::start(
        Serve::new(&install.root, &install.data)
            .arg("--sweep-interval")
            .arg("1")
            .env("PORTCULLIS_METRICS_TOKEN", TOKEN),
    )
    .await;
    assert_eq!(
        metrics(&server, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The node sweeps at start and keeps the lease.
    let start = Instant::now();
    loop {
        let text = metrics(&server, Some(TOKEN)).await.text().await.unwrap();
        if text.contains("portcullis_sweep_runs_total{outcome=\"swept\"} ") {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the node never swept: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A rate event from long ago, due for the sweep.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}/portcullis.db", install.data);
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO rate_events (scope, subject, at) VALUES ('sms', 'someone', 1)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    install
        .run(&["sweep"], "")
        .await
        .said("Another node is sweeping right now; nothing was done.");
    let (_, status) = server.terminate().await;
    assert!(status.success());

    install
        .run(&["sweep", "--retention-days", "7"], "")
        .await
        .said("Swept: rate_events=1");
    install
        .run(&["sweep"], "")
        .await
        .said("Swept: nothing had expired.");
    install
        .run(&["sweep", "--retention-days", "0"], "")
        .await
        .refused("retention_days must be between 1 and 3650");
}
