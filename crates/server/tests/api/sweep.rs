//! The sweep through the real server: an expired session disappears from the database on a
//! pinned clock while a live one stays; two nodes on one database sweep one at a time, and the
//! other takes over when the holder stops; `/metrics` with a token answers only to that token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portcullis_core::FixedClock;
use portcullis_core::service::sweep::GRACE_SECS;
use portcullis_server::config::ServeArgs;
use reqwest::StatusCode;

use crate::harness::server::{TestApp, TestEnv, error_code};

const TOKEN: &str = "metrics-7cT2qL9xW4bN8vR1";
const T: i64 = 1_800_000_000;

/// `/metrics` as a scraper with `token` sees it.
async fn metrics(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    request.send().await.unwrap()
}

/// The value of one series in `/metrics` (0 when absent).
async fn series(app: &TestApp, name: &str) -> u64 {
    let text = metrics(app, None).await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

async fn sessions_in_database(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap()
}

/// Waits (polling, at most 15 s) until `$done` holds; the sweep runs on its own schedule.
macro_rules! eventually {
    ($what:expr, $done:expr) => {{
        let start = Instant::now();
        while !$done {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting until {}",
                $what
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }};
}

async fn on_a_pinned_clock(env: &TestEnv, clock: &FixedClock) -> TestApp {
    let args = ServeArgs {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        data: Some(env.data.clone()),
        database_url: env.database_url.clone(),
        open_registration: Some(true),
        sweep_interval: Some(1),
        ..Default::default()
    };
    let clock = clock.clone();
    TestApp::start_prepared(args, |mut server| async move {
        server.set_clock(Arc::new(clock));
        server
    })
    .await
}

const SWEPT: &str = "portcullis_sweep_runs_total{outcome=\"swept\"}";
const BUSY: &str = "portcullis_sweep_runs_total{outcome=\"busy\"}";

on_both_backends! {
    async fn an_expired_session_is_swept_and_a_live_one_stays(env: TestEnv) {
        let clock = FixedClock::at(T);
        let app = on_a_pinned_clock(&env, &clock).await;
        let old = app.signed_in("old@example.com").await;
        assert_eq!(sessions_in_database(&app).await, 1);
        // Ten hours (the absolute limit) and the grace later, the session is long over.
        clock.set(T + 10 * 3600 + GRACE_SECS);
        // (The sweep may already have run; the new session cannot be swept either way.)
        let new = app.signed_in("new@example.com").await;
        eventually!("the expired session is swept", sessions_in_database(&app).await == 1);
        assert_eq!(app.me(&old).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.me(&new).await.status(), StatusCode::OK, "the live session stays");
        // The row is gone once its batch commits; the pass records its metrics after that, and
        // its time only when the whole pass has ended.
        eventually!(
            "the swept session is counted",
            series(&app, "portcullis_sweep_rows_total{table=\"sessions\"}").await == 1
        );
        eventually!(
            "the pass that swept it is recorded",
            series(&app, "portcullis_sweep_last_success_timestamp_seconds").await >= T as u64
        );
        app.shutdown().await;
    }

    async fn two_nodes_sweep_one_at_a_time_and_the_other_takes_over(env: TestEnv) {
        let first = env.spawn_with(|a| a.sweep_interval = Some(1)).await;
        let second = env.spawn_with(|a| a.sweep_interval = Some(1)).await;
        // Each node has tried a few times by now.
        eventually!(
            "both nodes have tried twice",
            series(&first, SWEPT).await + series(&first, BUSY).await >= 2
                && series(&second, SWEPT).await + series(&second, BUSY).await >= 2
        );
        let (holder, other) = if series(&first, SWEPT).await > 0 {
            (first, second)
        } else {
            (second, first)
        };
        assert_eq!(series(&other, SWEPT).await, 0, "only one node sweeps");
        assert!(series(&other, BUSY).await >= 2, "the other finds the lease taken");
        assert!(series(&holder, BUSY).await == 0, "the holder keeps its lease");
        let leases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leases")
            .fetch_one(other.state.services.store.raw_pool())
            .await
            .unwrap();
        assert_eq!(leases, 1);

        // The holder stops and gives the lease up: the other sweeps at its next turn.
        holder.shutdown().await;
        eventually!("the other node sweeps", series(&other, SWEPT).await > 0);
        other.shutdown().await;
    }

    async fn metrics_with_a_token_answer_only_to_that_token(env: TestEnv) {
        let app = env
            .spawn_with(|a| a.metrics_token = Some(TOKEN.to_owned()))
            .await;
        let refused = metrics(&app, None).await;
        assert_eq!(
            refused.headers().get("www-authenticate").map(|v| v.to_str().unwrap()),
            Some("Bearer")
        );
        assert_eq!(
            error_code(refused).await,
            (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned())
        );
        for wrong in ["metrics-7cT2qL9xW4bN8vR2", "metrics-7cT2qL9xW4bN8vR1x", ""] {
            let r = metrics(&app, Some(wrong)).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{wrong:?}");
        }
        let basic = app
            .client
            .get(app.url("/metrics"))
            .basic_auth("prometheus", Some(TOKEN))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);

        let r = metrics(&app, Some(TOKEN)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        assert!(text.contains("# TYPE portcullis_sweep_rows_total counter"), "{text}");
        assert!(text.contains("portcullis_sweep_rows_total{table=\"sessions\"} "), "{text}");
        app.shutdown().await;

        // Without the setting /metrics stays open.
        let open = env.spawn().await;
        assert_eq!(metrics(&open, None).await.status(), StatusCode::OK);
        open.shutdown().await;
    }
}
