//! The receive loop. Each datagram passes, in order: a client whose address block holds the
//! source address (`unknown_client`), a well-formed packet (`malformed`), a code we serve
//! (`unsupported_code`), a Message-Authenticator (`missing_message_authenticator`) that one
//! candidate's secret verifies (`bad_message_authenticator`), readable Access-Request fields
//! (`malformed`), and duplicate detection (`in_progress`, or the earlier answer again). Each
//! check is cheap and runs in the loop; only then is the request decided, in a task of its own,
//! so a push wait never holds up anyone else.
//!
//! Nothing about a dropped datagram is sent back (an answer would help whoever probes), and
//! nothing secret is logged: not the packet, not the password, not the State.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portcullis_core::service::radius::RadiusClientKeys;
use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::clients::ClientTable;
use super::decide::decide;
use super::duplicates::{Duplicates, RequestKey, Seen};
use super::packet::{
    ACCESS_REQUEST, AccessRequest, Answer, Datagram, Dropped, MAX_PACKET, STATUS_SERVER, response,
};
use crate::state::AppState;

/// How long requests being decided may finish once the server stops (push waits end at once).
const FINISH: Duration = Duration::from_secs(5);

/// What the loop and its tasks share.
pub(super) struct Shared {
    pub socket: Arc<UdpSocket>,
    pub table: Arc<ClientTable>,
    pub duplicates: Duplicates,
    pub state: AppState,
}

/// Receives until `stop`, then lets the requests being decided finish (within [`FINISH`]).
pub(super) async fn receive(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut tasks = JoinSet::new();
    let mut buf = vec![0u8; MAX_PACKET + 1];
    loop {
        let received = tokio::select! {
            r = shared.socket.recv_from(&mut buf) => r,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (n, from) = match received {
            Ok(got) => got,
            Err(e) => {
                // An ICMP error from an earlier send surfaces here on some systems: not fatal.
                tracing::debug!(error = %e, "RADIUS: receive failed");
                continue;
            }
        };
        match admit(&shared, &buf[..n], from) {
            Ok(Admitted::Decide(first)) => {
                let shared = shared.clone();
                tasks.spawn(async move { answer(&shared, *first).await });
            }
            Ok(Admitted::Repeat(bytes)) => {
                shared.state.metrics.record_radius_retransmission();
                send(&shared.socket, &bytes, from).await;
            }
            Ok(Admitted::Alive(bytes)) => send(&shared.socket, &bytes, from).await,
            Err(dropped) => shared.state.metrics.record_radius_dropped(dropped.reason()),
        }
    }
    if tokio::time::timeout(FINISH, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("RADIUS: requests still being decided at shutdown were abandoned");
        tasks.shutdown().await;
    }
}

/// A request to decide: the first copy of an authentic Access-Request.
struct Decidable {
    client: RadiusClientKeys,
    request: AccessRequest,
    /// Also what the answer echoes: the identifier and the Request Authenticator.
    key: RequestKey,
}

enum Admitted {
    Decide(Box<Decidable>),
    /// A copy of a request answered lately: its answer again.
    Repeat(Arc<[u8]>),
    /// The answer to a Status-Server (neither a decision nor a retransmission).
    Alive(Vec<u8>),
}

/// The checks before a decision, in the order the module's paragraph gives.
fn admit(shared: &Shared, bytes: &[u8], from: SocketAddr) -> Result<Admitted, Dropped> {
    let candidates = shared.table.candidates(from.ip());
    if candidates.is_empty() {
        return Err(Dropped::UnknownClient);
    }
    let datagram = Datagram::parse(bytes)?;
    let code = datagram.code();
    if code != ACCESS_REQUEST && code != STATUS_SERVER {
        return Err(Dropped::UnsupportedCode);
    }
    if !datagram.has_message_authenticator() {
        return Err(Dropped::MissingMessageAuthenticator);
    }
    let client = candidates
        .into_iter()
        .find(|c| datagram.signed_with(c.secret.expose().as_bytes()))
        .ok_or(Dropped::BadMessageAuthenticator)?;
    let secret = client.secret.expose().as_bytes();
    if code == STATUS_SERVER {
        // RFC 5997 §3: "I am alive", answered with an Access-Accept that asserts nothing.
        return Ok(Admitted::Alive(response(
            Answer::Accept,
            datagram.identifier(),
            &datagram.authenticator(),
            secret,
            None,
            None,
        )));
    }
    let request = datagram.access_request(secret)?;
    let key = RequestKey {
        from,
        identifier: datagram.identifier(),
        authenticator: datagram.authenticator(),
    };
    match shared.duplicates.seen(key, Instant::now()) {
        Seen::New => Ok(Admitted::Decide(Box::new(Decidable {
            client,
            request,
            key,
        }))),
        Seen::InProgress => Err(Dropped::InProgress),
        Seen::Answered(bytes) => Ok(Admitted::Repeat(bytes)),
    }
}

/// Decides one request and sends the answer (or, on failure, nothing: the client retries).
async fn answer(shared: &Shared, first: Decidable) {
    let Decidable {
        client: keys,
        request,
        key,
    } = first;
    let metrics = &shared.state.metrics;
    let decision = match decide(&shared.state, &keys.client, &request).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            shared.duplicates.forget(key);
            return;
        }
        Err(e) => {
            tracing::warn!(client = %keys.client.name, error = %e, "RADIUS: the decision failed; no answer");
            shared.duplicates.forget(key);
            metrics.record_radius_dropped(Dropped::Error.reason());
            return;
        }
    };
    let bytes: Arc<[u8]> = Arc::from(response(
        decision.answer,
        key.identifier,
        &key.authenticator,
        keys.secret.expose().as_bytes(),
        decision.reply.as_deref(),
        decision.state.as_deref(),
    ));
    shared
        .duplicates
        .answered(key, bytes.clone(), Instant::now());
    metrics.record_radius_response(decision.answer.label());
    send(&shared.socket, &bytes, key.from).await;
}

async fn send(socket: &UdpSocket, bytes: &[u8], to: SocketAddr) {
    if let Err(e) = socket.send_to(bytes, to).await {
        tracing::warn!(error = %e, "RADIUS: cannot send an answer");
    }
}
