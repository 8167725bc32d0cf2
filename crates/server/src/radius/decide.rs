//! One authentic Access-Request, decided: the use case [`Services::radius_access`] and, for a
//! `push` client, the wait for the companion app's answer; then the answer's code and words.
//!
//! A push wait holds only its own task. It re-reads the request each time this node is woken for
//! it (the device's answer on this node, or on another through PostgreSQL's LISTEN), and at the
//! client's timeout gives up. When the server stops, the wait ends without an answer: the client
//! asks again, or another node, and the pending request stays answerable until it expires.
//!
//! [`Services::radius_access`]: portcullis_core::service::Services::radius_access

use std::net::IpAddr;
use std::time::Duration;

use portcullis_core::model::{PushChallengeId, RequestMeta};
use portcullis_core::radius::RadiusClient;
use portcullis_core::service::radius::{RadiusAnswer, RadiusOutcome, RadiusRequest};
use tokio::time::Instant;

use super::packet::{AccessRequest, Answer};
use super::reply;
use crate::push_wake;
use crate::state::AppState;

/// What to send.
#[derive(Debug)]
pub struct Decision {
    pub answer: Answer,
    pub reply: Option<String>,
    pub state: Option<Vec<u8>>,
}

/// The person's side: the Calling-Station-Id when it is an IP address (a VPN reports the
/// person's), so that guesses count against it as against a browser's; never the client's own
/// address, which every person behind it shares.
pub fn request_meta(client: &RadiusClient, request: &AccessRequest) -> RequestMeta {
    RequestMeta {
        ip: request
            .calling_station_id
            .as_deref()
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
            .map(|ip| ip.to_string()),
        user_agent: Some(format!("RADIUS client {}", client.name)),
    }
}

/// Decides `request`; `Ok(None)` when the server stops during a push wait (no answer).
pub async fn decide(
    state: &AppState,
    client: &RadiusClient,
    request: &AccessRequest,
) -> portcullis_core::Result<Option<Decision>> {
    let meta = request_meta(client, request);
    let answer = state
        .services
        .radius_access(
            client,
            RadiusRequest {
                username: request.user_name.trim(),
                password: &request.password,
                state: request.state.as_deref(),
                meta: &meta,
            },
        )
        .await?;
    let answer = match answer.outcome {
        RadiusOutcome::Push(started) => {
            push_wake::announce_sent(&state.push, &started.sent);
            let wait = Duration::from_secs(u64::from(started.timeout_secs));
            match wait_for_push(state, client, &started.sent.challenge_id, &meta, wait).await? {
                Some(answer) => answer,
                None => return Ok(None),
            }
        }
        _ => answer,
    };
    Ok(Some(words(state, answer)))
}

/// Waits for the push request's outcome until `wait` has passed; `None` when the server stops.
async fn wait_for_push(
    state: &AppState,
    client: &RadiusClient,
    challenge: &PushChallengeId,
    meta: &RequestMeta,
    wait: Duration,
) -> portcullis_core::Result<Option<RadiusAnswer>> {
    let deadline = Instant::now() + wait;
    loop {
        // Subscribed before reading, so an answer between the read and the wait is not lost.
        let mut waiter = state.push.waiter();
        if let Some(answer) = state
            .services
            .radius_push_outcome(client, challenge, meta)
            .await?
        {
            return Ok(Some(answer));
        }
        if Instant::now() >= deadline {
            let answer = state
                .services
                .radius_push_give_up(client, challenge, meta)
                .await?;
            // The app's screen for it goes away now, on this node too.
            state.push.wake(challenge.as_str());
            return Ok(Some(answer));
        }
        if !waiter.until(challenge.as_str(), deadline).await && waiter.shutting_down() {
            return Ok(None);
        }
    }
}

/// The answer's code and words.
fn words(state: &AppState, answer: RadiusAnswer) -> Decision {
    let language = answer
        .locale
        .map_or_else(|| state.services.default_language(), |l| l.language);
    match answer.outcome {
        RadiusOutcome::Accept => Decision {
            answer: Answer::Accept,
            reply: None,
            state: None,
        },
        RadiusOutcome::Reject(refusal) => Decision {
            answer: Answer::Reject,
            reply: Some(reply::refusal(language, refusal, &state.config.public_url)),
            state: None,
        },
        RadiusOutcome::Challenge {
            state: token,
            prompt,
        } => Decision {
            answer: Answer::Challenge,
            reply: Some(reply::prompt(language, prompt)),
            state: Some(token.expose().as_bytes().to_vec()),
        },
        // A push outcome is never a push again; answer it as the timeout it amounts to.
        RadiusOutcome::Push(_) => Decision {
            answer: Answer::Reject,
            reply: Some(reply::refusal(
                language,
                portcullis_core::service::radius::RadiusRefusal::PushTimedOut,
                &state.config.public_url,
            )),
            state: None,
        },
    }
}
