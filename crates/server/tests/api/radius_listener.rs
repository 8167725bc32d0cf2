//! The RADIUS listener through the real server on SQLite and PostgreSQL, spoken to over UDP as a
//! network access server would: Access-Requests built with the `radius` crate's client side and
//! a Message-Authenticator computed here, answers checked as a client checks them (Response
//! Authenticator and Message-Authenticator). Outside clients (radclient, pyrad, the companion
//! app) are in `tests/cli/`.

use std::time::{Duration, Instant};

use portcullis_core::model::RequestMeta;
use portcullis_core::radius::RadiusMode;
use portcullis_core::service::radius::NewRadiusClient;
use radius::core::code::Code;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::companion::Device;
use crate::harness::radius::{Nas, access_request, answering, read_answer, read_challenge};
use crate::harness::server::{PASSWORD, TestApp, TestEnv};
use crate::harness::totp::code;

/// How long a decided request may take to be answered (a password hash on a busy machine).
const WAIT: Duration = Duration::from_secs(15);

async fn spawn_with_radius(env: &TestEnv) -> TestApp {
    env.spawn_with(|a| {
        a.open_registration = Some(true);
        a.radius_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await
}

/// Registers a client for 127.0.0.1 in `owner`'s contract, as `radius-client add` does; returns
/// its shared secret.
async fn add_client(app: &TestApp, owner: &str, name: &str, mode: RadiusMode) -> String {
    add_client_waiting(app, owner, name, mode, None).await
}

/// [`add_client`] with a push timeout.
async fn add_client_waiting(
    app: &TestApp,
    owner: &str,
    name: &str,
    mode: RadiusMode,
    push_timeout_secs: Option<u32>,
) -> String {
    let services = &app.state.services;
    let (admin, _) = services.operator_session(owner).await.unwrap();
    let new = NewRadiusClient {
        name: name.into(),
        address: "127.0.0.1".into(),
        mode,
        push_timeout_secs,
    };
    let (_, secret) = services
        .add_radius_client(
            &admin,
            &new,
            portcullis_core::service::Reveal::InAnswer,
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    secret.expose().to_owned()
}

/// Waits until the listener knows this client (its table is reloaded every 2 s), at most
/// 8 s: an unsigned request from a known client is counted as
/// `missing_message_authenticator`, from an unknown one as `unknown_client`. Returns that
/// count once it is reached.
async fn until_known(nas: &Nas, app: &TestApp, secret: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(8);
    let series = "portcullis_radius_dropped_total{reason=\"missing_message_authenticator\"}";
    let before = metric(app, series).await;
    loop {
        let probe = access_request(secret, "probe@example.com", "x", false);
        nas.0.send_to(&probe, nas.1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = metric(app, series).await;
        if now > before {
            return now;
        }
        assert!(Instant::now() < deadline, "the client is unknown after 8 s");
    }
}

/// Signs `email` up with an active authenticator app (activated on the previous step, so the
/// current one is fresh); returns (session, secret).
async fn with_totp(app: &TestApp, email: &str) -> (String, String) {
    let token = app.signed_in(email).await;
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(&token))
        .await;
    let secret = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "password": PASSWORD, "code": code(&secret, -1) });
    let r = app
        .post_json("/api/v1/me/totp/activate", &body, Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    (token, secret)
}

async fn metric(app: &TestApp, series: &str) -> u64 {
    let text = app.get("/metrics", None).await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
}

async fn count_of(app: &TestApp, token: &str, kind: &str) -> usize {
    app.audit_types(token)
        .await
        .iter()
        .filter(|t| *t == kind)
        .count()
}

on_both_backends! {
    async fn a_password_with_its_code_is_accepted_and_a_retransmission_gets_the_same_bytes(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        let (session, totp) = with_totp(&app, "ann@example.com").await;
        let secret = add_client(&app, "ann@example.com", "office-vpn", RadiusMode::PasswordAndCode).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        until_known(&nas, &app, &secret).await;
        let typed = format!("{PASSWORD}{}", code(&totp, 0));
        let request = access_request(&secret, "ann@example.com", &typed, true);
        let answer = nas.ask(&request, WAIT).await.expect("an answer");
        assert_eq!(read_answer(&answer, &request, &secret).0, Code::AccessAccept);

        let again = nas.ask(&request, WAIT).await.expect("an answer again");
        assert_eq!(again, answer, "the same bytes, not a second decision");
        assert_eq!(count_of(&app, &session, "radius.accept").await, 1, "audited once");
        assert_eq!(metric(&app, "portcullis_radius_retransmissions_total").await, 1);
        assert_eq!(metric(&app, "portcullis_radius_responses_total{code=\"accept\"}").await, 1);

        // The code is spent: a new request with it is refused.
        let replay = access_request(&secret, "ann@example.com", &typed, true);
        let answer = nas.ask(&replay, WAIT).await.expect("an answer");
        assert_eq!(read_answer(&answer, &replay, &secret).0, Code::AccessReject);
    }

    async fn an_unknown_user_another_contracts_user_and_a_wrong_password_get_the_same_reject(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        with_totp(&app, "ann@example.com").await;
        // Bob signs up on his own: another contract than the client's.
        app.signed_in("bob@example.com").await;
        let secret = add_client(&app, "ann@example.com", "office-vpn", RadiusMode::PasswordAndCode).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        until_known(&nas, &app, &secret).await;
        let mut answers = Vec::new();
        for (user, typed) in [
            ("nobody@example.com", format!("{PASSWORD}123456")),
            ("bob@example.com", PASSWORD.to_owned()),
            ("ann@example.com", "Wrong-Horse-7123456".to_owned()),
        ] {
            let request = access_request(&secret, user, &typed, true);
            let answer = nas.ask(&request, WAIT).await.expect("an answer");
            answers.push(read_answer(&answer, &request, &secret));
        }
        let wrong = (
            Code::AccessReject,
            Some("Wrong email address, password or code.".to_owned()),
        );
        assert_eq!(answers, vec![wrong.clone(), wrong.clone(), wrong]);
    }

    async fn requests_without_a_right_message_authenticator_are_dropped_and_counted(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        app.signed_in("ann@example.com").await;
        let secret = add_client(&app, "ann@example.com", "office-vpn", RadiusMode::PasswordAndCode).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        let missing = until_known(&nas, &app, &secret).await;

        let unsigned = access_request(&secret, "ann@example.com", PASSWORD, false);
        assert_eq!(nas.ask(&unsigned, Duration::from_secs(1)).await, None);
        let forged = access_request("not-the-secret", "ann@example.com", PASSWORD, true);
        assert_eq!(nas.ask(&forged, Duration::from_secs(1)).await, None);
        let mut accounting = access_request(&secret, "ann@example.com", PASSWORD, true);
        accounting[0] = 4;
        assert_eq!(nas.ask(&accounting, Duration::from_secs(1)).await, None);
        assert_eq!(nas.ask(&[1, 2, 3], Duration::from_secs(1)).await, None);

        let dropped = |reason: &str| format!("portcullis_radius_dropped_total{{reason=\"{reason}\"}}");
        assert_eq!(metric(&app, &dropped("missing_message_authenticator")).await, missing + 1);
        assert_eq!(metric(&app, &dropped("bad_message_authenticator")).await, 1);
        assert_eq!(metric(&app, &dropped("unsupported_code")).await, 1);
        assert_eq!(metric(&app, &dropped("malformed")).await, 1);
        // Nothing of it reached a decision.
        for code in ["accept", "reject", "challenge"] {
            let series = format!("portcullis_radius_responses_total{{code=\"{code}\"}}");
            assert_eq!(metric(&app, &series).await, 0);
        }
    }

    async fn a_client_added_while_the_server_runs_is_answered_within_seconds(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        app.signed_in("ann@example.com").await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        let before = access_request("unknown", "ann@example.com", PASSWORD, true);
        assert_eq!(nas.ask(&before, Duration::from_secs(1)).await, None);
        assert_eq!(
            metric(&app, "portcullis_radius_dropped_total{reason=\"unknown_client\"}").await,
            1
        );

        let secret = add_client(&app, "ann@example.com", "wifi", RadiusMode::PasswordAndCode).await;
        let added = Instant::now();
        until_known(&nas, &app, &secret).await;
        assert!(added.elapsed() < Duration::from_secs(5), "{:?}", added.elapsed());
        let request = access_request(&secret, "ann@example.com", PASSWORD, true);
        let answer = nas.ask(&request, WAIT).await.expect("an answer");
        // No factor and none required: the password alone lets Ann in.
        assert_eq!(read_answer(&answer, &request, &secret).0, Code::AccessAccept);
    }

    async fn a_challenge_asks_for_the_code_and_its_state_works_once(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        let (session, totp) = with_totp(&app, "ann@example.com").await;
        let secret = add_client(&app, "ann@example.com", "office-vpn", RadiusMode::Challenge).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        until_known(&nas, &app, &secret).await;
        let first = access_request(&secret, "ann@example.com", PASSWORD, true);
        let answer = nas.ask(&first, WAIT).await.expect("an answer");
        let (code_, reply, state) = read_challenge(&answer, &first, &secret);
        assert_eq!(code_, Code::AccessChallenge);
        assert_eq!(reply.as_deref(), Some("Enter the code from your authenticator app."));
        let state = state.expect("a State");

        let second = answering(&secret, "ann@example.com", &code(&totp, 0), true, Some(&state));
        let answer = nas.ask(&second, WAIT).await.expect("an answer");
        assert_eq!(read_answer(&answer, &second, &secret).0, Code::AccessAccept);

        // The State is spent: the next code with it is refused, and says why.
        let again = answering(&secret, "ann@example.com", &code(&totp, 1), true, Some(&state));
        let answer = nas.ask(&again, WAIT).await.expect("an answer");
        assert_eq!(
            read_answer(&answer, &again, &secret),
            (
                Code::AccessReject,
                Some("This sign-in took too long or was already used. Please sign in again.".into())
            )
        );
        let audit = app.audit_types(&session).await;
        for kind in ["radius.challenge", "radius.accept", "radius.reject"] {
            assert!(audit.iter().any(|t| t == kind), "{kind} in {audit:?}");
        }
    }

    async fn a_push_denied_in_the_app_is_rejected_and_copies_meanwhile_are_dropped(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        let token = app.signed_in("ann@example.com").await;
        let device = Device::paired(&app, &token).await;
        let secret = add_client(&app, "ann@example.com", "office-vpn", RadiusMode::Push).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        until_known(&nas, &app, &secret).await;
        let request = access_request(&secret, "ann@example.com", PASSWORD, true);
        nas.send(&request).await;
        let pending = device.challenges(&app, 10).await;
        assert_eq!(pending.len(), 1, "{pending:?}");
        // A copy while the push waits: dropped, not a second push.
        nas.send(&request).await;
        let in_progress = "portcullis_radius_dropped_total{reason=\"in_progress\"}";
        let deadline = Instant::now() + Duration::from_secs(5);
        while metric(&app, in_progress).await < 1 {
            assert!(Instant::now() < deadline, "the copy was not dropped");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let id = pending[0]["id"].as_str().unwrap();
        let r = device.answer(&app, id, json!({ "decision": "deny" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let answer = nas.answer(WAIT).await.expect("an answer");
        assert_eq!(
            read_answer(&answer, &request, &secret),
            (
                Code::AccessReject,
                Some("The sign-in request was denied in the companion app.".into())
            )
        );
        assert_eq!(nas.answer(Duration::from_millis(300)).await, None, "one answer");
    }

    async fn an_unanswered_push_is_rejected_at_the_clients_timeout(env: TestEnv) {
        let app = spawn_with_radius(&env).await;
        let token = app.signed_in("ann@example.com").await;
        let device = Device::paired(&app, &token).await;
        let secret =
            add_client_waiting(&app, "ann@example.com", "wifi", RadiusMode::Push, Some(2)).await;
        let nas = Nas::at(app.radius.expect("a RADIUS listener")).await;
        until_known(&nas, &app, &secret).await;
        let request = access_request(&secret, "ann@example.com", PASSWORD, true);
        let sent = Instant::now();
        let answer = nas.ask(&request, WAIT).await.expect("an answer");
        assert!(sent.elapsed() >= Duration::from_secs(2), "{:?}", sent.elapsed());
        assert_eq!(
            read_answer(&answer, &request, &secret),
            (
                Code::AccessReject,
                Some("The sign-in request was not approved in time. Please sign in again.".into())
            )
        );
        // The request left the app's list.
        assert!(device.challenges(&app, 0).await.is_empty());
    }
}
