//! Push requests caused by a RADIUS client (`via`, docs/push-protocol.md "Requests from RADIUS
//! clients"): the RADIUS side is driven through the core service exactly as the listener calls
//! it, the companion app through the real signed device API. The app sees where the request
//! comes from and that it needs no number; approving it by id without a number lets the VPN
//! sign-in in; a typed number never answers it; a sign-in page's request still needs its number;
//! denials count against push fatigue as everywhere.

use portcullis_core::model::{PushChallengeId, RequestMeta};
use portcullis_core::password::Password;
use portcullis_core::radius::{RadiusClient, RadiusMode};
use portcullis_core::service::radius::{
    NewRadiusClient, RadiusOutcome, RadiusRefusal, RadiusRequest,
};
use portcullis_core::store::{LoginTickets, PushStore, Store, Transaction};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::companion::{Device, Signing, now, poll_body, pushed, send_push, ticket};
use crate::harness::server::{PASSWORD, TestApp, error_code};

/// Where the person signs in from, as the NAS reports it (`Calling-Station-Id`).
fn vpn_meta() -> RequestMeta {
    RequestMeta {
        ip: Some("198.51.100.9".into()),
        user_agent: None,
    }
}

/// A RADIUS client in mode `push` in the contract of `owner`, added as the operator would.
async fn push_client(app: &TestApp, owner: &str) -> RadiusClient {
    let services = &app.state.services;
    let (admin, _) = services.operator_session(owner).await.unwrap();
    let new = NewRadiusClient {
        name: "office-vpn".into(),
        address: "10.0.0.0/8".into(),
        mode: RadiusMode::Push,
        push_timeout_secs: None,
    };
    services
        .add_radius_client(
            &admin,
            &new,
            portcullis_core::service::Reveal::InAnswer,
            &vpn_meta(),
        )
        .await
        .unwrap()
        .0
}

/// An Access-Request with the right password; what it led to.
async fn access(app: &TestApp, client: &RadiusClient, email: &str) -> RadiusOutcome {
    let password = Password::new(PASSWORD);
    let meta = vpn_meta();
    let request = RadiusRequest {
        username: email,
        password: &password,
        state: None,
        meta: &meta,
    };
    let answer = app.state.services.radius_access(client, request).await;
    answer.unwrap().outcome
}

/// An Access-Request that must start a push; the request's id.
async fn radius_push(app: &TestApp, client: &RadiusClient, email: &str) -> String {
    match access(app, client, email).await {
        RadiusOutcome::Push(started) => started.sent.challenge_id.0,
        other => panic!("a push was expected, not {other:?}"),
    }
}

/// What the RADIUS listener would answer now: `None` while the request waits.
async fn radius_outcome(app: &TestApp, client: &RadiusClient, id: &str) -> Option<RadiusOutcome> {
    let id = PushChallengeId(id.to_owned());
    let answer = app
        .state
        .services
        .radius_push_outcome(client, &id, &vpn_meta())
        .await;
    answer.unwrap().map(|a| a.outcome)
}

async fn approve_by_number(app: &TestApp, phone: &Device, number: i64) -> reqwest::Response {
    let body = json!({ "number": number });
    let path = "/api/v1/push/device/approve";
    phone
        .send(app, Method::POST, path, Some(&body), &Signing::default())
        .await
}

on_both_backends! {
    async fn the_app_sees_which_radius_client_asks_and_approves_without_a_number(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("vic@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let client = push_client(&app, "vic@example.com").await;
        let id = radius_push(&app, &client, "vic@example.com").await;

        let pending = phone.challenges(&app, 0).await;
        assert_eq!(pending.len(), 1, "{pending:?}");
        let c = &pending[0];
        assert_eq!(c["id"], id.as_str());
        assert_eq!(c["via"], "office-vpn");
        assert_eq!(c["number_required"], false);
        assert_eq!(c["ip"], "198.51.100.9");
        assert!(c.get("number").is_none(), "{c}");
        assert!(radius_outcome(&app, &client, &id).await.is_none(), "waiting for the app");

        let r = phone.answer(&app, &id, json!({ "decision": "approve" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        assert!(matches!(radius_outcome(&app, &client, &id).await, Some(RadiusOutcome::Accept)));
        assert!(phone.challenges(&app, 0).await.is_empty());
        let types = app.audit_types(&token).await;
        for kind in ["push.sent", "push.approved", "radius.accept"] {
            assert!(types.contains(&kind.to_owned()), "{kind} in {types:?}");
        }
        assert!(!types.contains(&"push.denied".to_owned()), "{types:?}");
    }

    async fn a_number_sent_for_a_radius_request_is_ignored_and_a_denial_rejects_it(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("wes@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let client = push_client(&app, "wes@example.com").await;

        // No screen showed a number, so whatever number an app sends cannot be wrong.
        let id = radius_push(&app, &client, "wes@example.com").await;
        let r = phone.approve(&app, &id, 7).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        assert!(matches!(radius_outcome(&app, &client, &id).await, Some(RadiusOutcome::Accept)));

        let id = radius_push(&app, &client, "wes@example.com").await;
        let r = phone.answer(&app, &id, json!({ "decision": "deny" })).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "denied" }));
        let outcome = radius_outcome(&app, &client, &id).await;
        assert!(
            matches!(outcome, Some(RadiusOutcome::Reject(RadiusRefusal::PushDenied))),
            "{outcome:?}"
        );
        let r = phone.answer(&app, &id, json!({ "decision": "approve" })).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));
    }

    async fn a_sign_in_page_request_still_needs_its_number(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("xia@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "xia@example.com").await;
        let (id, number) = pushed(&app, &t).await;

        let pending = phone.challenges(&app, 0).await;
        assert_eq!(pending[0]["via"], Value::Null);
        assert_eq!(pending[0]["number_required"], true);
        let r = phone.answer(&app, &id, json!({ "decision": "approve" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()));
        assert_eq!(poll_body(&app, &id, &t, 0).await["status"], "pending", "nothing was decided");
        let types = app.audit_types(&token).await;
        assert!(!types.contains(&"push.denied".to_owned()), "not a denial: {types:?}");

        let r = phone.approve(&app, &id, number).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        assert!(poll_body(&app, &id, &t, 0).await["token"].is_string());
    }

    async fn a_typed_number_never_answers_a_radius_request(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("yan@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let client = push_client(&app, "yan@example.com").await;
        let (t_old, _) = ticket(&app, "yan@example.com").await;
        let radius = radius_push(&app, &client, "yan@example.com").await;

        // Only the RADIUS request is pending: no number, typed or not, answers it.
        let r = approve_by_number(&app, &phone, 42).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "challenge_closed".into()));
        assert!(radius_outcome(&app, &client, &radius).await.is_none());

        // An older sign-in page request beside it (written directly: a newer request would end
        // it); a wrong number denies that one, though the RADIUS one is newer.
        let old_number = 42;
        let old = {
            let mut tx = app.state.services.store.begin().await.unwrap();
            let digest = portcullis_core::secret::Token::from_client(&t_old).digest();
            let old_ticket = tx.ticket_by_digest(&digest).await.unwrap().unwrap();
            let at = portcullis_core::UnixTime(now() - 30);
            let c = portcullis_core::store::PushChallenge {
                id: PushChallengeId::generate(),
                user_id: old_ticket.user_id.clone(),
                ticket_id: old_ticket.id.clone(),
                number: old_number,
                status: portcullis_core::push::ChallengeStatus::Pending,
                created_at: at,
                expires_at: at.plus_secs(120),
                last_sent_at: at,
                decided_at: None,
                decided_by: None,
                ip: None,
                user_agent: None,
                token_issued_at: None,
                via: None,
            };
            tx.insert_push_challenge(&c).await.unwrap();
            tx.commit().await.unwrap();
            c.id.0
        };
        let offered = phone.challenges(&app, 0).await;
        let ids: Vec<&Value> = offered.iter().map(|c| &c["id"]).collect();
        assert_eq!(ids, vec![&json!(radius), &json!(old)], "newest first");
        assert_eq!(offered[1]["number_required"], true);

        let r = approve_by_number(&app, &phone, old_number + 1).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "denied", "{body}");
        assert_eq!(body["challenge"]["id"], old.as_str());
        assert_eq!(body["challenge"]["via"], Value::Null);
        assert_eq!(body["challenge"]["number_required"], true);
        assert_eq!(poll_body(&app, &old, &t_old, 0).await["status"], "denied");
        assert!(radius_outcome(&app, &client, &radius).await.is_none(), "still waiting");

        // Answered by id, the RADIUS request goes through.
        let r = phone.answer(&app, &radius, json!({ "decision": "approve" })).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "status": "approved" }));
        assert!(matches!(radius_outcome(&app, &client, &radius).await, Some(RadiusOutcome::Accept)));
    }

    async fn denied_radius_requests_pause_push_like_any_others(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("zed@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let client = push_client(&app, "zed@example.com").await;
        for _ in 0..4 {
            let id = radius_push(&app, &client, "zed@example.com").await;
            let r = phone.answer(&app, &id, json!({ "decision": "deny" })).await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let outcome = access(&app, &client, "zed@example.com").await;
        assert!(
            matches!(outcome, RadiusOutcome::Reject(RadiusRefusal::PushPaused { .. })),
            "{outcome:?}"
        );
        assert!(phone.challenges(&app, 0).await.is_empty(), "nothing was sent");
        // The pause is the account's: the sign-in page is paused too.
        let (t, _) = ticket(&app, "zed@example.com").await;
        assert_eq!(error_code(send_push(&app, &t).await).await.1, "push_paused");
    }
}
