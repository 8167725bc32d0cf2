//! The sweep on two real `serve` processes sharing one PostgreSQL database, each sweeping every
//! second: only the node holding the lease sweeps (the lease row names its process), the other
//! finds it busy; more expired rows than one batch all go; when the holder stops, the other
//! node takes the lease over at once and sweeps. `/metrics` is read with the token both have.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_store::testing::with_database_on;

use crate::harness::cli::{Serve, Server};

const TOKEN: &str = "cluster-metrics-9fK2xQ7w";
const PATIENCE: Duration = Duration::from_secs(20);

async fn series(http: &reqwest::Client, node: &Server, name: &str) -> u64 {
    let text = http
        .get(format!("{}/metrics", node.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

const SWEPT: &str = "portcullis_sweep_runs_total{outcome=\"swept\"}";
const BUSY: &str = "portcullis_sweep_runs_total{outcome=\"busy\"}";
const RATE_ROWS: &str = "portcullis_sweep_rows_total{table=\"rate_events\"}";

async fn holder(pool: &sqlx::AnyPool) -> String {
    sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'sweep'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_node_sweeps_and_the_other_takes_over_when_it_stops() {
    with_database_on(
        portcullis_store::Backend::Postgres,
        |url, folder, _| async move {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).unwrap();
            let master_key = STANDARD.encode(key);
            let first_node = {
                let mut spec = Serve::new(&folder, folder.join("node0").to_str().unwrap())
                    .arg("--sweep-interval")
                    .arg("3600")
                    .env("PORTCULLIS_METRICS_TOKEN", TOKEN);
                spec.database_url = Some(url.clone());
                spec.master_key = Some(master_key.clone());
                Server::start(spec).await
            };
            // The migrations ran; the first node swept its empty tables once and holds the lease
            // for two minutes. Give it up so the two sweeping nodes below start even.
            first_node.terminate().await;
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            // Rate events from long ago, more than two batches.
            sqlx::query(
                "INSERT INTO rate_events (scope, subject, at) \
             SELECT 'sms', 'someone', 1 FROM generate_series(1, 1234)",
            )
            .execute(&pool)
            .await
            .unwrap();

            let mut nodes = Vec::new();
            for i in 1..=2 {
                let mut spec =
                    Serve::new(&folder, folder.join(format!("node{i}")).to_str().unwrap())
                        .arg("--sweep-interval")
                        .arg("1")
                        .env("PORTCULLIS_METRICS_TOKEN", TOKEN);
                spec.database_url = Some(url.clone());
                spec.master_key = Some(master_key.clone());
                nodes.push(Server::start(spec).await);
            }
            let http = reqwest::Client::new();
            let start = Instant::now();
            loop {
                let mut tries = 0;
                for node in &nodes {
                    tries += series(&http, node, SWEPT).await.min(2)
                        + series(&http, node, BUSY).await.min(2);
                }
                if tries >= 4 {
                    break;
                }
                assert!(start.elapsed() < PATIENCE, "the nodes did not try to sweep");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let (a, b) = (nodes.remove(0), nodes.remove(0));
            let (sweeping, waiting) = if series(&http, &a, SWEPT).await > 0 {
                (a, b)
            } else {
                (b, a)
            };
            assert_eq!(
                series(&http, &waiting, SWEPT).await,
                0,
                "only one node sweeps"
            );
            assert!(series(&http, &waiting, BUSY).await >= 1);
            assert_eq!(series(&http, &sweeping, BUSY).await, 0);
            assert_eq!(series(&http, &sweeping, RATE_ROWS).await, 1234);
            assert_eq!(series(&http, &waiting, RATE_ROWS).await, 0);
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_events")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(left, 0);
            assert!(
                holder(&pool)
                    .await
                    .starts_with(&format!("{}-", sweeping.pid())),
                "the lease names the sweeping node's process"
            );

            // The sweeping node stops (SIGTERM) and gives the lease up; the other takes it over.
            let waiting_pid = waiting.pid();
            let (_, status) = sweeping.terminate().await;
            assert!(status.success());
            let start = Instant::now();
            while series(&http, &waiting, SWEPT).await == 0 {
                assert!(start.elapsed() < PATIENCE, "the other node never took over");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert!(holder(&pool).await.starts_with(&format!("{waiting_pid}-")));
            pool.close().await;
            waiting.terminate().await;
        },
    )
    .await;
}
