//! Load shedding at the password-hashing pool: with one hashing thread and room for one waiting
//! hash, a burst of logins gets some 503 `overloaded` answers with `Retry-After` at once instead
//! of queueing, never a 500; the others are answered as usual, cheap requests are served
//! throughout, and a refused login leaves no trace (no failure counted, nothing audited).

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::server::{PASSWORD, error_code};

const ALICE: &str = "alice@example.com";
/// Logins sent at once per round; a few of them for unknown users.
const BURST: usize = 20;
const UNKNOWN_PER_BURST: usize = 4;
/// Rounds until some login is shed. Each round's unknown users count against the address
/// throttle (100 failures in 10 minutes), so this stays well below that.
const MAX_ROUNDS: usize = 10;

/// One login as the burst sends it: its status, `Retry-After` and error code if any.
async fn login(
    client: reqwest::Client,
    url: String,
    username: String,
) -> (StatusCode, Option<String>, Option<String>) {
    let r = client
        .post(url)
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("request sent");
    let status = r.status();
    let retry_after = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    let code = if status.is_success() {
        None
    } else {
        Some(error_code(r).await.1)
    };
    (status, retry_after, code)
}

on_both_backends! {
    async fn a_burst_of_logins_beyond_the_hashing_queue_is_shed_with_503_and_nothing_else_suffers(env: TestEnv) {
        let _alone = crate::alone().await;
        let app = env
            .spawn_with(|a| {
                a.open_registration = Some(true);
                a.hash_threads = Some(1);
                a.hash_queue = Some(1);
            })
            .await;
        let token = app.signed_in(ALICE).await;

        let mut shed = 0;
        for round in 0..MAX_ROUNDS {
            let mut logins = Vec::new();
            for i in 0..BURST {
                let username = if i % (BURST / UNKNOWN_PER_BURST) == 0 {
                    format!("nobody-{round}-{i}@example.com")
                } else {
                    ALICE.to_owned()
                };
                let known = username == ALICE;
                let task = tokio::spawn(login(app.client.clone(), app.url("/api/v1/login"), username));
                logins.push((known, task));
            }
            // Cheap requests are answered while the burst is on.
            assert_eq!(app.me(&token).await.status(), StatusCode::OK);
            for (known, task) in logins {
                let (status, retry_after, code) = task.await.unwrap();
                match status {
                    StatusCode::SERVICE_UNAVAILABLE => {
                        shed += 1;
                        assert_eq!(code.as_deref(), Some("overloaded"));
                        let secs: u64 = retry_after.expect("Retry-After").parse().unwrap();
                        assert!(secs >= 1);
                    }
                    StatusCode::OK => assert!(known, "an unknown user logged in"),
                    StatusCode::UNAUTHORIZED => {
                        assert!(!known, "the right password was refused");
                        assert_eq!(code.as_deref(), Some("invalid_credentials"));
                    }
                    other => panic!("unexpected {other} ({code:?})"),
                }
            }
            if shed > 0 {
                break;
            }
        }
        assert!(shed > 0, "no login was shed in {MAX_ROUNDS} bursts of {BURST}");

        // Afterwards a login goes through as usual, and the refused ones left no trace.
        let token = app.token_for(ALICE, PASSWORD).await;
        let types = app.audit_types(&token).await;
        assert!(!types.iter().any(|t| t == "login.failure" || t == "login.throttled"), "{types:?}");
        let metrics = app.get("/metrics", None).await.text().await.unwrap();
        assert!(
            metrics.contains(&format!("\nportcullis_overloaded_total {shed}\n")),
            "{shed} shed; metrics:\n{metrics}"
        );
        assert!(metrics.contains("portcullis_logins_total{outcome=\"overloaded\"}"));
    }
}
