//! A stand-in SMS gateway for the delivery tests: a small axum server on `127.0.0.1:0` that
//! records every request it gets (method, URI, headers, body) before it answers, and answers
//! from a plan (`500`, then `503`, ... or never), then `200` once the plan is used up.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};

/// How the gateway answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Never answers: a gateway that hangs.
    Hang,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: String,
    pub at: Instant,
}

#[derive(Clone, Default)]
struct Shared {
    seen: Arc<Mutex<Vec<Received>>>,
    plan: Arc<Mutex<VecDeque<Answer>>>,
    hang_always: bool,
}

pub struct Gateway {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    shared: Shared,
}

async fn answer(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    shared.seen.lock().unwrap().push(Received {
        method: method.to_string(),
        uri: uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    let next = shared.plan.lock().unwrap().pop_front();
    match next {
        Some(Answer::Hang) => std::future::pending().await,
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap(),
        None if shared.hang_always => std::future::pending().await,
        None => StatusCode::OK,
    }
}

impl Gateway {
    /// A gateway that answers by `plan`, then 200.
    pub async fn start(plan: Vec<Answer>) -> Gateway {
        Self::spawn(Shared {
            plan: Arc::new(Mutex::new(plan.into())),
            ..Default::default()
        })
        .await
    }

    /// A gateway that takes every request and never answers.
    pub async fn hanging() -> Gateway {
        Self::spawn(Shared {
            hang_always: true,
            ..Default::default()
        })
        .await
    }

    async fn spawn(shared: Shared) -> Gateway {
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Gateway { base, shared }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until at least `n` requests arrived, and returns all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let seen = self.received();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the gateway got {} of {n} requests in 20 s",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
