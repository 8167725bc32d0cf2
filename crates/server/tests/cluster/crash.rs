//! Crash safety (principle 1: nothing is lost and nothing half-done): the real `portcullis serve`
//! is killed with SIGKILL at a random moment while workers sign up, enrol and activate TOTP,
//! regenerate and use recovery codes, create app passwords and queue SMS codes; it is restarted
//! on the same data, and then:
//! - every request that was answered with success is in the database, and works through the API
//!   (the session, the password, a code from the answered secret; a used code stays used);
//! - nothing is half-done, over whole tables (a factor always has its full set of codes, every
//!   notice has its audit row and its link, every sealed secret opens, SQLite's integrity check);
//! - the outbox delivers what was queued, once (a message the killed node had claimed waits for
//!   its lease);
//! - the node starts cleanly: it announces itself, `/readyz` answers, no node logged a panic or
//!   an error.
//!
//! Several cycles per backend, each with new load on the same data. The seed of the run is
//! printed; `PORTCULLIS_CRASH_SEED=N` repeats the kill moments. SQLite relies on WAL with
//! `synchronous = NORMAL`, which loses no committed transaction when the process dies (only a
//! power loss needs `--sqlite-synchronous full`).

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine;
use reqwest::{Method, StatusCode};

use crate::crash_support::checks::{self, Findings};
use crate::crash_support::db::Db;
use crate::crash_support::load::{self, Client, Life, Step};
use crate::crash_support::{Rng, now};
use crate::harness::cli::{Serve, Server};
use crate::harness::server::{self, Backend, TestEnv};

const CYCLES: usize = 6;
const WORKERS: usize = 6;
/// When the kill comes, in milliseconds: in even cycles after the load starts, in odd ones after
/// the first answered recovery login of the cycle (so that the later steps of a life, and not
/// only the first ones, are cut short too).
const KILL_AFTER_START: (u64, u64) = (300, 3000);
const KILL_AFTER_RECOVERY: (u64, u64) = (0, 1500);
/// A used recovery code is tried through the API this often per cycle (wrong codes count
/// against the address: 100 in 10 minutes lock it).
const PROBES: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_keeps_every_answered_write_and_nothing_half_done_on_sqlite() {
    server::run(Backend::Sqlite, crash_cycles).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_keeps_every_answered_write_and_nothing_half_done_on_postgres() {
    server::run(Backend::Postgres, crash_cycles).await
}

fn seed() -> u64 {
    if let Ok(text) = std::env::var("PORTCULLIS_CRASH_SEED") {
        return text.parse().expect("PORTCULLIS_CRASH_SEED is a number");
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    u64::from_le_bytes(bytes)
}

async fn crash_cycles(env: TestEnv) {
    let seed = seed();
    let backend = format!("{:?}", env.backend);
    println!("crash test on {backend}: seed {seed} (PORTCULLIS_CRASH_SEED={seed} repeats it)");
    let mut rng = Rng::new(seed);
    let mut master_key = [0u8; 32];
    for chunk in master_key.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next().to_le_bytes());
    }
    let data = env.data.to_str().expect("a UTF-8 path").to_owned();
    let mut spec = Serve::new(&env.data, &data)
        .arg("--open-registration")
        .arg("--log-format=json")
        .arg("--outbox-poll-ms=100");
    spec.database_url = env.database_url.clone();
    spec.master_key = Some(base64::engine::general_purpose::STANDARD.encode(master_key));

    let mut node = Server::start(spec).await;
    started_cleanly(&node).await;
    let mut lives: Vec<Life> = Vec::new();
    let mut held = BTreeSet::new();
    for cycle in 0..CYCLES {
        let client = Client::new(node.url());
        let progress = load::Progress::default();
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| tokio::spawn(load::worker(client.clone(), cycle, w, progress.clone())))
            .collect();
        let (low, high) = if cycle.is_multiple_of(2) {
            KILL_AFTER_START
        } else {
            first_recovery_login(&progress).await;
            KILL_AFTER_RECOVERY
        };
        let delay = rng.between(low, high);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let killed_log = node.stderr.clone();
        let killed_at = now();
        let spec = node.kill9().await;
        let before = lives.len();
        for worker in workers {
            lives.extend(worker.await.expect("a worker follows its script"));
        }
        println!(
            "cycle {cycle}: killed {delay} ms after {}; {}",
            if cycle.is_multiple_of(2) {
                "the start"
            } else {
                "a recovery login"
            },
            summary(&lives[before..])
        );

        node = Server::start(spec).await;
        started_cleanly(&node).await;
        let mut f = Findings::new(format!("{backend}, seed {seed}, cycle {cycle}"));
        checks::clean_log(&killed_log.lines(), "the killed node", &mut f);
        let db = Db::open(env.database_url.as_deref(), &env.data, &master_key).await;
        checks::lives_hold(&db, &lives, &mut f).await;
        let client = Client::new(node.url());
        checks::lives_answer(&client, &db, &mut lives, cycle, PROBES, &mut f).await;
        checks::invariants(&db, &mut f).await;
        checks::outbox_delivered(&db, &env.data, killed_at, &mut held, &mut f).await;
        db.close().await;
        checks::clean_log(&node.stderr.lines(), "the restarted node", &mut f);
        f.assert_none();
    }

    // The load got far enough for the checks to mean something.
    let total = summary(&lives);
    println!(
        "all cycles: {total}; {} messages held by a lease",
        held.len()
    );
    let reached = |step: fn(&Life) -> bool| lives.iter().filter(|l| step(l)).count();
    assert!(
        reached(|l| l.user_id.is_some()) >= CYCLES,
        "too little load to test: {total}"
    );
    assert!(
        reached(|l| l.factor.as_ref().is_some_and(|f| !f.used.is_empty())) > 0,
        "no recovery code was used before a kill: {total}"
    );

    // And the last node still stops the way an operator stops it.
    let log = node.stderr.clone();
    let (_, status) = node.terminate().await;
    assert!(status.success(), "the node stops cleanly: {status}");
    let mut f = Findings::new(format!("{backend}, seed {seed}, stop"));
    checks::clean_log(&log.lines(), "the stopped node", &mut f);
    f.assert_none();
}

/// Waits until a worker has had a recovery login answered.
async fn first_recovery_login(progress: &load::Progress) {
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while progress.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "no life got to its recovery login in 60 s");
}

/// Announced (else `Server::start` fails), ready, and healthy.
async fn started_cleanly(node: &Server) {
    let client = Client::new(node.url());
    for path in ["/healthz", "/readyz"] {
        let answer = client.send(Method::GET, path, None, None).await;
        assert!(
            matches!(answer, Some((StatusCode::OK, _))),
            "{path} after a start: {answer:?}"
        );
    }
}

/// How far the lives got: answered steps, and the steps the kill left unanswered.
fn summary(lives: &[Life]) -> String {
    let count = |p: &dyn Fn(&Life) -> bool| lives.iter().filter(|l| p(l)).count();
    let lost = |s: &dyn Fn(&Step) -> bool| count(&|l: &Life| l.lost_kind(s));
    format!(
        "{} signups, {} activations, {} recovery codes used, {} app passwords, {} SMS answered; \
         unanswered: {} signups, {} activations, {} regenerations, {} recovery logins, {} other",
        count(&|l| l.user_id.is_some()),
        count(&|l| l.factor.is_some()),
        count(&|l| l.factor.as_ref().is_some_and(|f| !f.used.is_empty())),
        count(&|l| l.app_password_id.is_some()),
        count(&|l| l.sms_sent),
        lost(&|s| *s == Step::Signup),
        lost(&|s| *s == Step::Activate),
        lost(&|s| *s == Step::Regenerate),
        lost(&|s| matches!(s, Step::RecoveryLogin { .. })),
        lost(&|s| {
            !matches!(
                s,
                Step::Signup | Step::Activate | Step::Regenerate | Step::RecoveryLogin { .. }
            )
        }),
    )
}
