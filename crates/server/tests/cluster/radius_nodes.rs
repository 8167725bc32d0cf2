//! RADIUS on two real nodes sharing PostgreSQL, as two RADIUS servers behind one NAS (which
//! fails over between them): the State of an Access-Challenge from one node answers its code on
//! the other, once; a code accepted through one node is spent on the other, and at the sign-in
//! API; a client added by the operator reaches both nodes without a restart.

use std::time::{Duration, Instant};

use radius::core::code::Code;
use reqwest::StatusCode;
use serde_json::json;

use crate::cluster_support::Cluster;
use crate::harness::radius::{Nas, access_request, answering, read_answer, read_challenge};
use crate::harness::server::{self, Backend};

/// How long one request may take (a password hash on a busy machine).
const WAIT: Duration = Duration::from_secs(15);

/// Sends `request` through `nas` until the node answers (it learns of a new client at its next
/// reload, within 2 s; until then the datagram is dropped unanswered).
async fn first_answer(nas: &Nas, request: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(answer) = nas.ask(request, Duration::from_millis(500)).await {
            return answer;
        }
        assert!(Instant::now() < deadline, "no answer within 10 s");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_challenge_from_one_node_is_answered_on_the_other_once() {
    server::run(Backend::Postgres, |env| async move {
        let cluster = Cluster::start_with(&env, 2, &["--radius-bind", "127.0.0.1:0"]).await;
        let email = "ray@example.com";
        let token = cluster.signed_up(0, email).await;
        let mut phone = cluster.activate_totp(0, &token).await;
        let secret = cluster.radius_client(email, "vpn", "challenge").await;
        let nodes: Vec<Nas> = {
            let mut v = Vec::new();
            for node in &cluster.nodes {
                v.push(Nas::at(node.radius_addr.expect("RADIUS listens")).await);
            }
            v
        };

        // The password on node 0: a challenge with a State.
        let request = access_request(&secret, email, crate::harness::server::PASSWORD, true);
        let answer = first_answer(&nodes[0], &request).await;
        let (code, reply, state) = read_challenge(&answer, &request, &secret);
        assert_eq!(code, Code::AccessChallenge, "{reply:?}");
        let state = state.expect("a State");

        // The code with that State on node 1 (which must know the client first).
        let code_now = phone.next_code();
        let request = answering(&secret, email, &code_now, true, Some(&state));
        let answer = first_answer(&nodes[1], &request).await;
        assert_eq!(
            read_answer(&answer, &request, &secret).0,
            Code::AccessAccept
        );

        // The same State again, as a new request, on node 0: used up.
        let replay = answering(&secret, email, &phone.next_code(), true, Some(&state));
        let answer = nodes[0].ask(&replay, WAIT).await.expect("an answer");
        assert_eq!(read_answer(&answer, &replay, &secret).0, Code::AccessReject);

        // The code accepted through node 1 is spent at the sign-in API on node 0 too.
        let ticket = cluster.ticket(0, email).await;
        let body = json!({ "login_ticket": ticket, "code": code_now });
        let (status, body) = cluster
            .call(cluster.post(0, "/api/v1/login/totp", None, body))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

        // Both nodes' decisions are in the contract's one audit trail.
        let (status, audit) = cluster
            .call(cluster.request(
                1,
                reqwest::Method::GET,
                "/api/v1/audit?limit=50",
                Some(&token),
                None,
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let kinds: Vec<&str> = audit["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["type"].as_str())
            .filter(|k| k.starts_with("radius."))
            .collect();
        assert_eq!(
            kinds,
            ["radius.reject", "radius.accept", "radius.challenge"],
            "newest first"
        );
    })
    .await;
}
