//! A failed login says nothing about the account (PRODUCT.md, "Guessing does not pay"): an
//! unknown user, a wrong password and a wrong password for a locked account ("this wasn't me")
//! get the same status and the same body, and take the same time, because each costs exactly one
//! Argon2id verification (the unknown user against the dummy hash) and the same writes.
//!
//! Timing is measured from the client over loopback, after a warm-up, with the cases
//! interleaved (so a burst of noise from the other tests or the other core hits all of them
//! alike), and compared by medians, which ignore the odd slow request. The margin is generous:
//! every median must lie within a factor of [`MARGIN`] of every other. It can still catch a case
//! that skips the hash, and the test proves that it can: a fourth, control case that is known to
//! answer without hashing (an account the throttle has locked out, refused before any hash) must
//! be at least [`SEEN`] times faster than the slowest case, or the measurement is too noisy to
//! mean anything and the test fails rather than passing vacuously.
//!
//! The throttle must not change the answers mid-measurement: 10 consecutive failures lock an
//! account, and more than 100 failures from one address in 10 minutes lock the address. So each
//! unknown-user sample uses a new name, the wrong passwords are spread over several accounts
//! with at most [`PER_ACCOUNT`] failures each, and the requests come from several loopback
//! addresses (127.0.0.2, 127.0.0.3, …) with at most [`PER_ADDRESS`] failures each.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{self, Backend, PASSWORD, TestApp};

/// Samples per case, after [`WARM_UP`] rounds that are not counted.
const SAMPLES: usize = 48;
const WARM_UP: usize = 3;
/// Failed logins per account, below the 10 that lock it.
const PER_ACCOUNT: usize = 8;
/// Failed logins per source address, below the 100 that lock it.
const PER_ADDRESS: usize = 75;
/// Every case's median within this factor of every other's.
const MARGIN: f64 = 2.0;
/// The control (no hash) must be at least this much faster than the slowest case.
const SEEN: f64 = 2.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    UnknownUser,
    WrongPassword,
    LockedAccount,
    /// Refused by the throttle before any hash: what skipping the hash looks like.
    Control,
}

const CASES: [Case; 4] = [
    Case::UnknownUser,
    Case::WrongPassword,
    Case::LockedAccount,
    Case::Control,
];

struct Answer {
    status: StatusCode,
    body: Value,
    headers: Vec<String>,
    took: Duration,
}

/// A client whose connections come from `127.0.0.{n}`: a source address of its own for the
/// address throttle.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

async fn login(client: &reqwest::Client, app: &TestApp, username: &str, password: &str) -> Answer {
    let started = Instant::now();
    let r = client
        .post(app.url("/api/v1/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("answered");
    let status = r.status();
    let mut headers: Vec<String> = r
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k != "date" && k != "x-request-id")
        .collect();
    headers.sort();
    let body = r.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
        took: started.elapsed(),
    }
}

/// Signs `email` up, then locks the account with the "this wasn't me" link of a security notice.
async fn locked_account(app: &TestApp, email: &str) {
    let token = app.signed_in(email).await;
    let r = app
        .client
        .put(app.url("/api/v1/me/support-pin"))
        .bearer_auth(&token)
        .json(&json!({ "pin": "27182", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let notice = app
        .message_to("email", email, |m| {
            m["body"]
                .as_str()
                .is_some_and(|b| b.contains("/lock?token="))
        })
        .await;
    let body = notice["body"].as_str().unwrap();
    let start = body.find("/lock?token=").unwrap() + "/lock?token=".len();
    let lock: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let r = app
        .post_json("/api/v1/lock", &json!({ "token": lock }), None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Locked: the right password now answers 423, which only the owner of the password learns.
    assert_eq!(
        app.login(email, PASSWORD).await.status(),
        StatusCode::LOCKED
    );
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    let mid = v.len() / 2;
    let m = if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2
    } else {
        v[mid]
    };
    m.as_secs_f64() * 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_wrong_passwords_and_locked_accounts_answer_alike_in_the_same_time() {
    let _alone = crate::alone().await;
    server::run(Backend::Sqlite, |env| async move {
        let app = env.spawn().await;
        let rounds = WARM_UP + SAMPLES;
        let accounts = rounds.div_ceil(PER_ACCOUNT);
        for i in 0..accounts {
            app.signed_in(&format!("wrong{i}@example.com")).await;
            locked_account(&app, &format!("locked{i}@example.com")).await;
        }
        // The control account: an unknown name the throttle has locked out (10 failures).
        let throttler = client_from(250);
        for _ in 0..10 {
            let a = login(&throttler, &app, "throttled@example.com", "Wrong-Horse-1!").await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        }

        let mut times: Vec<(Case, Vec<Duration>)> =
            CASES.iter().map(|c| (*c, Vec::new())).collect();
        let mut answers: Vec<(Case, Answer)> = Vec::new();
        let failing_cases = 3;
        let rounds_per_address = PER_ADDRESS / failing_cases;
        let mut client = client_from(2);
        for round in 0..rounds {
            if round > 0 && round % rounds_per_address == 0 {
                client = client_from(2 + (round / rounds_per_address) as u8);
            }
            let account = round / PER_ACCOUNT;
            // Each round in another order, so no case always runs first or after the same one.
            let mut order = CASES;
            order.rotate_left(round % CASES.len());
            for case in order {
                let a = match case {
                    Case::UnknownUser => {
                        let name = format!("nobody{round}@example.com");
                        login(&client, &app, &name, "Wrong-Horse-1!").await
                    }
                    Case::WrongPassword => {
                        let name = format!("wrong{account}@example.com");
                        login(&client, &app, &name, "Wrong-Horse-1!").await
                    }
                    Case::LockedAccount => {
                        let name = format!("locked{account}@example.com");
                        login(&client, &app, &name, "Wrong-Horse-1!").await
                    }
                    Case::Control => {
                        login(&client, &app, "throttled@example.com", "Wrong-Horse-1!").await
                    }
                };
                if case == Case::Control {
                    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
                }
                if round >= WARM_UP {
                    times
                        .iter_mut()
                        .find(|(c, _)| *c == case)
                        .unwrap()
                        .1
                        .push(a.took);
                }
                if case != Case::Control {
                    answers.push((case, a));
                }
            }
        }

        // The same answer, to the byte, whatever failed.
        let (_, first) = &answers[0];
        assert_eq!(first.status, StatusCode::UNAUTHORIZED);
        assert_eq!(first.body["error"]["code"], "invalid_credentials");
        for (case, a) in &answers {
            assert_eq!(a.status, first.status, "{case:?}: {}", a.body);
            assert_eq!(a.body, first.body, "{case:?}");
            assert_eq!(a.headers, first.headers, "{case:?}");
        }

        let medians: Vec<(Case, f64)> = times.into_iter().map(|(c, t)| (c, median(t))).collect();
        eprintln!("median milliseconds per case: {medians:?}");
        let measured: Vec<f64> = medians
            .iter()
            .filter(|(c, _)| *c != Case::Control)
            .map(|(_, m)| *m)
            .collect();
        let slowest = measured.iter().cloned().fold(f64::MIN, f64::max);
        let fastest = measured.iter().cloned().fold(f64::MAX, f64::min);
        let control = medians.iter().find(|(c, _)| *c == Case::Control).unwrap().1;
        assert!(
            slowest >= SEEN * control,
            "a request without a hash ({control:.1} ms) is not clearly faster than the cases \
             ({medians:?}): the measurement could not see a skipped hash"
        );
        assert!(
            slowest <= MARGIN * fastest,
            "the failed logins take different times: {medians:?}"
        );
        app.shutdown().await;
    })
    .await;
}
