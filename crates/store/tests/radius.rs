//! The RADIUS use cases on a pinned clock, on SQLite and on PostgreSQL: what each mode answers,
//! that unknown users, other contracts' users and wrong passwords look alike, that codes and
//! States are single-use (States across two nodes), the throttles, locked and forced accounts,
//! push approved, denied and timed out, and the audit rows in the client's contract's log.

use std::sync::Arc;

use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::model::{PushDeviceId, RequestMeta, Role, SessionKind, UserId};
use portcullis_core::password::{Password, PasswordHasher};
use portcullis_core::push::ChallengeStatus;
use portcullis_core::radius::{RadiusClient, RadiusMode};
use portcullis_core::service::radius::{
    NewRadiusClient, RadiusAnswer, RadiusOutcome, RadiusPrompt, RadiusRefusal, RadiusRequest,
};
use portcullis_core::service::{
    AdminSession, ContractPolicyChange, LoginResult, Reveal, ServiceKeys, Services, Settings,
};
use portcullis_core::store::{AuditLog, PushDevice, PushStore, Store, Transaction, Users};
use portcullis_core::totp::{TotpParams, TotpSecret, code_at};
use portcullis_core::{Error, FixedClock, UnixTime};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};

const PASSWORD: &str = "Correct-Horse-7";
const START: i64 = 1_800_000_000;

struct World {
    services: Services<SqlStore>,
    clock: FixedClock,
    owner: AdminSession,
}

async fn services_on(url: &str, clock: &FixedClock) -> Services<SqlStore> {
    let store = SqlStore::connect(url, 8).await.expect("connect");
    store.migrate().await.expect("migrate");
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&[9; 32]), vec![]),
        recovery: [8; 32],
    };
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    Services::new(
        store,
        Arc::new(clock.clone()),
        hasher,
        keys,
        Settings::default(),
    )
}

async fn world(url: &str) -> World {
    let clock = FixedClock::at(START);
    let services = services_on(url, &clock).await;
    services
        .create_owner_from_shell("owner@example.com", &Password::new(PASSWORD))
        .await
        .unwrap();
    let owner = services
        .operator_session("owner@example.com")
        .await
        .unwrap()
        .0;
    World {
        services,
        clock,
        owner,
    }
}

fn nas() -> RequestMeta {
    RequestMeta {
        ip: Some("198.51.100.7".into()),
        user_agent: Some("RADIUS client vpn".into()),
    }
}

impl World {
    async fn client(&self, name: &str, mode: RadiusMode) -> RadiusClient {
        self.client_of(&self.owner, name, mode).await
    }

    async fn client_of(&self, admin: &AdminSession, name: &str, mode: RadiusMode) -> RadiusClient {
        let new = NewRadiusClient {
            name: name.into(),
            address: "127.0.0.1".into(),
            mode,
            push_timeout_secs: None,
        };
        self.services
            .add_radius_client(admin, &new, Reveal::InAnswer, &RequestMeta::default())
            .await
            .unwrap()
            .0
    }

    async fn user(&self, email: &str, force_2fa: bool) -> UserId {
        self.services
            .create_user(
                &self.owner,
                email,
                Some(&Password::new(PASSWORD)),
                Role::User,
                force_2fa,
                &RequestMeta::default(),
            )
            .await
            .unwrap()
    }

    /// Turns on an authenticator app for `email`; its secret and parameters.
    async fn with_totp(&self, email: &str, params: TotpParams) -> (TotpSecret, TotpParams) {
        let meta = RequestMeta::default();
        let token = match self
            .services
            .sign_in(email, &Password::new(PASSWORD), SessionKind::Api, &meta)
            .await
            .unwrap()
        {
            LoginResult::Complete { token, .. } => token,
            other => panic!("{other:?}"),
        };
        let auth = self.services.authenticate(&token).await.unwrap();
        let enrolment = self
            .services
            .start_totp(&auth, params, &meta)
            .await
            .unwrap();
        // Activate with the step before this one, so the current step is free for the test.
        let code = code_at(&enrolment.secret, &params, params.step(self.now()) - 1);
        self.services
            .activate_totp(&auth, &Password::new(PASSWORD), &code, &meta)
            .await
            .unwrap();
        (enrolment.secret.clone(), params)
    }

    fn now(&self) -> UnixTime {
        UnixTime(self.clock_now())
    }

    fn clock_now(&self) -> i64 {
        use portcullis_core::clock::Clock;
        self.clock.now().0
    }

    async fn ask(
        &self,
        client: &RadiusClient,
        username: &str,
        typed: &str,
        state: Option<&[u8]>,
    ) -> RadiusAnswer {
        let password = Password::new(typed);
        let meta = nas();
        self.services
            .radius_access(
                client,
                RadiusRequest {
                    username,
                    password: &password,
                    state,
                    meta: &meta,
                },
            )
            .await
            .unwrap()
    }

    /// The contract's audit rows of `kind`, oldest first, as (reason or method, client).
    async fn audit(&self, kind: &str) -> Vec<serde_json::Value> {
        let mut events = self
            .services
            .contract_audit(&self.owner, None, 200)
            .await
            .unwrap();
        events.reverse();
        events
            .into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.detail)
            .collect()
    }
}

fn refusal(answer: &RadiusAnswer) -> RadiusRefusal {
    match &answer.outcome {
        RadiusOutcome::Reject(r) => *r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn accepted(answer: &RadiusAnswer) -> bool {
    matches!(answer.outcome, RadiusOutcome::Accept)
}

macro_rules! on_both_backends {
    ($(async fn $name:ident($url:ident: String) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn scenario($url: String, _folder: std::path::PathBuf, _backend: Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() { with_database_on(Backend::Sqlite, scenario).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() { with_database_on(Backend::Postgres, scenario).await }
        }
    )*};
}

on_both_backends! {
    async fn password_and_code_accepts_once_and_refuses_strangers_alike(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn", RadiusMode::PasswordAndCode).await;
        w.user("ann@example.com", false).await;
        let (secret, p) = w.with_totp("ann@example.com", TotpParams::default()).await;
        let code = code_at(&secret, &p, p.step(w.now()));

        let ok = w.ask(&vpn, "ann@example.com", &format!("{PASSWORD}{code}"), None).await;
        assert!(accepted(&ok), "{ok:?}");
        assert_eq!(ok.locale.map(|l| l.language.as_str()), Some("en"));
        // The same code again is a replay.
        let again = w.ask(&vpn, "ann@example.com", &format!("{PASSWORD}{code}"), None).await;
        assert_eq!(refusal(&again), RadiusRefusal::WrongCredentials);

        // Another contract's user with the right password and a right code, an unknown user, a
        // wrong password: one refusal, told in the default language (nothing about the account).
        w.services.create_owner_from_shell("other@example.net", &Password::new(PASSWORD)).await.unwrap();
        let wrong_password = w.ask(&vpn, "ann@example.com", &format!("Wrong-Horse-7{code}"), None).await;
        let unknown = w.ask(&vpn, "nobody@example.com", &format!("{PASSWORD}123456"), None).await;
        let stranger = w.ask(&vpn, "other@example.net", PASSWORD, None).await;
        for answer in [&wrong_password, &unknown, &stranger] {
            assert_eq!(refusal(answer), RadiusRefusal::WrongCredentials);
            assert!(answer.locale.is_none(), "{answer:?}");
        }
        let rejects = w.audit("radius.reject").await;
        assert_eq!(rejects.len(), 4, "{rejects:?}");
        assert!(rejects.iter().all(|d| d["client"] == "vpn" && d["mode"] == "password+code"));
        let accepts = w.audit("radius.accept").await;
        assert_eq!(accepts.len(), 1);
        assert_eq!(accepts[0]["method"], "totp");
    }

    async fn an_eight_digit_authenticator_gives_the_last_eight_digits(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn8", RadiusMode::PasswordAndCode).await;
        w.user("eight@example.com", false).await;
        let params = TotpParams::new(portcullis_core::totp::Algorithm::Sha1, 8, 30).unwrap();
        let (secret, p) = w.with_totp("eight@example.com", params).await;
        let code = code_at(&secret, &p, p.step(w.now()));
        assert_eq!(code.len(), 8);
        let ok = w.ask(&vpn, "eight@example.com", &format!("{PASSWORD}{code}"), None).await;
        assert!(accepted(&ok), "{ok:?}");
    }

    async fn without_a_factor_the_password_alone_unless_two_factor_is_required(url: String) {
        let w = world(&url).await;
        let vpn = w.client("plain", RadiusMode::PasswordAndCode).await;
        let wifi = w.client("wifi", RadiusMode::Challenge).await;
        w.user("free@example.com", false).await;
        w.user("forced@example.com", true).await;
        assert!(accepted(&w.ask(&vpn, "free@example.com", PASSWORD, None).await));
        assert!(accepted(&w.ask(&wifi, "free@example.com", PASSWORD, None).await));
        let forced = w.ask(&vpn, "forced@example.com", PASSWORD, None).await;
        assert_eq!(refusal(&forced), RadiusRefusal::EnrolmentRequired);
        assert!(forced.locale.is_some(), "told in the person's language: the password was right");
        let forced = w.ask(&wifi, "forced@example.com", PASSWORD, None).await;
        assert_eq!(refusal(&forced), RadiusRefusal::EnrolmentRequired);
        let accepts = w.audit("radius.accept").await;
        assert!(accepts.iter().all(|d| d["method"] == "password"), "{accepts:?}");
    }

    async fn a_locked_account_is_refused_and_says_so_only_after_the_right_password(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn", RadiusMode::Challenge).await;
        let id = w.user("locked@example.com", false).await;
        w.with_totp("locked@example.com", TotpParams::default()).await;
        let mut tx = w.services.store.begin().await.unwrap();
        tx.set_locked(&id, Some(w.now())).await.unwrap();
        tx.commit().await.unwrap();
        let right = w.ask(&vpn, "locked@example.com", PASSWORD, None).await;
        assert_eq!(refusal(&right), RadiusRefusal::AccountLocked);
        let wrong = w.ask(&vpn, "locked@example.com", "Wrong-Horse-7", None).await;
        assert_eq!(refusal(&wrong), RadiusRefusal::WrongCredentials);
    }

    async fn a_challenge_state_answers_one_code_on_any_node_for_two_minutes(url: String) {
        let w = world(&url).await;
        let second_node = services_on(&url, &w.clock).await;
        let vpn = w.client("vpn", RadiusMode::Challenge).await;
        let other = w.client("other-nas", RadiusMode::Challenge).await;
        w.user("cat@example.com", false).await;
        let (secret, p) = w.with_totp("cat@example.com", TotpParams::default()).await;

        let start = w.ask(&vpn, "cat@example.com", PASSWORD, None).await;
        let state = match start.outcome {
            RadiusOutcome::Challenge { state, prompt } => {
                assert_eq!(prompt, RadiusPrompt::AuthenticatorCode);
                state
            }
            other => panic!("{other:?}"),
        };
        let code = code_at(&secret, &p, p.step(w.now()));
        // Another client cannot use this client's State, and does not use it up.
        let elsewhere = w.ask(&other, "cat@example.com", &code, Some(state.expose().as_bytes())).await;
        assert_eq!(refusal(&elsewhere), RadiusRefusal::StateInvalid);
        // The second packet reaches the other node.
        let password = Password::new(code.clone());
        let meta = nas();
        let ok = second_node
            .radius_access(&vpn, RadiusRequest { username: "cat@example.com", password: &password, state: Some(state.expose().as_bytes()), meta: &meta })
            .await
            .unwrap();
        assert!(matches!(ok.outcome, RadiusOutcome::Accept), "{ok:?}");
        // Replayed: used up.
        let replay = w.ask(&vpn, "cat@example.com", &code, Some(state.expose().as_bytes())).await;
        assert_eq!(refusal(&replay), RadiusRefusal::StateInvalid);

        // A State lives two minutes.
        let late = match w.ask(&vpn, "cat@example.com", PASSWORD, None).await.outcome {
            RadiusOutcome::Challenge { state, .. } => state,
            other => panic!("{other:?}"),
        };
        w.clock.advance(121);
        let code = code_at(&secret, &p, p.step(w.now()));
        let expired = w.ask(&vpn, "cat@example.com", &code, Some(late.expose().as_bytes())).await;
        assert_eq!(refusal(&expired), RadiusRefusal::StateInvalid);

        // A wrong code uses the State up too.
        let fresh = match w.ask(&vpn, "cat@example.com", PASSWORD, None).await.outcome {
            RadiusOutcome::Challenge { state, .. } => state,
            other => panic!("{other:?}"),
        };
        let wrong = w.ask(&vpn, "cat@example.com", "000000", Some(fresh.expose().as_bytes())).await;
        assert_eq!(refusal(&wrong), RadiusRefusal::WrongCode);
        let after = w.ask(&vpn, "cat@example.com", &code, Some(fresh.expose().as_bytes())).await;
        assert_eq!(refusal(&after), RadiusRefusal::StateInvalid);
        // Someone else's user name with a State: refused, the State spent.
        w.user("dog@example.com", false).await;
        let cats = match w.ask(&vpn, "cat@example.com", PASSWORD, None).await.outcome {
            RadiusOutcome::Challenge { state, .. } => state,
            other => panic!("{other:?}"),
        };
        let theirs = w.ask(&vpn, "dog@example.com", &code, Some(cats.expose().as_bytes())).await;
        assert_eq!(refusal(&theirs), RadiusRefusal::StateInvalid);
        let spent = w.ask(&vpn, "cat@example.com", &code, Some(cats.expose().as_bytes())).await;
        assert_eq!(refusal(&spent), RadiusRefusal::StateInvalid);
        // Not a State we issued at all.
        let made_up = w.ask(&vpn, "cat@example.com", &code, Some(&[0xff, 0x00, 0x41])).await;
        assert_eq!(refusal(&made_up), RadiusRefusal::StateInvalid);
        assert_eq!(w.audit("radius.challenge").await.len(), 4);
    }

    async fn code_only_takes_the_code_alone_and_recovery_codes(url: String) {
        let w = world(&url).await;
        let gate = w.client("gate", RadiusMode::CodeOnly).await;
        w.user("dot@example.com", false).await;
        let meta = RequestMeta::default();
        let token = match w.services.sign_in("dot@example.com", &Password::new(PASSWORD), SessionKind::Api, &meta).await.unwrap() {
            LoginResult::Complete { token, .. } => token,
            other => panic!("{other:?}"),
        };
        let auth = w.services.authenticate(&token).await.unwrap();
        let p = TotpParams::default();
        let enrolment = w.services.start_totp(&auth, p, &meta).await.unwrap();
        let first = code_at(&enrolment.secret, &p, p.step(w.now()) - 1);
        let codes = w.services.activate_totp(&auth, &Password::new(PASSWORD), &first, &meta).await.unwrap();
        let code = code_at(&enrolment.secret, &p, p.step(w.now()));
        assert!(accepted(&w.ask(&gate, "dot@example.com", &code, None).await));
        assert_eq!(refusal(&w.ask(&gate, "dot@example.com", &code, None).await), RadiusRefusal::WrongCredentials);
        let recovery = codes[0].display();
        assert!(accepted(&w.ask(&gate, "dot@example.com", &recovery, None).await));
        assert_eq!(refusal(&w.ask(&gate, "dot@example.com", &recovery, None).await), RadiusRefusal::WrongCredentials);
        let methods: Vec<_> = w.audit("radius.accept").await.into_iter().map(|d| d["method"].clone()).collect();
        assert_eq!(methods, ["totp", "recovery_code"]);
    }

    async fn wrong_guesses_throttle_the_account_even_for_the_right_password(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn", RadiusMode::PasswordAndCode).await;
        w.user("tom@example.com", false).await;
        let (secret, p) = w.with_totp("tom@example.com", TotpParams::default()).await;
        for _ in 0..10 {
            let wrong = w.ask(&vpn, "tom@example.com", "Wrong-Horse-7123456", None).await;
            assert_eq!(refusal(&wrong), RadiusRefusal::WrongCredentials);
        }
        let code = code_at(&secret, &p, p.step(w.now()));
        let throttled = w.ask(&vpn, "tom@example.com", &format!("{PASSWORD}{code}"), None).await;
        assert!(matches!(refusal(&throttled), RadiusRefusal::Throttled { retry_after_secs } if retry_after_secs > 0), "{throttled:?}");
        assert!(throttled.locale.is_none());
        // The web sign-in shares the counter.
        let web = w.services.sign_in("tom@example.com", &Password::new(PASSWORD), SessionKind::Api, &nas()).await;
        assert!(matches!(web, Err(Error::TooManyAttempts { .. })), "{web:?}");
    }

    async fn a_contract_that_accepts_only_security_keys_refuses_every_radius_request(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn", RadiusMode::PasswordAndCode).await;
        w.user("key@example.com", false).await;
        let change = ContractPolicyChange { require_phishing_resistant: Some(true), ..Default::default() };
        w.services.set_contract_policy(&w.owner, change, &RequestMeta::default()).await.unwrap();
        let answer = w.ask(&vpn, "key@example.com", PASSWORD, None).await;
        assert_eq!(refusal(&answer), RadiusRefusal::PhishingResistantRequired);
    }

    async fn push_is_approved_denied_or_given_up_and_names_the_client(url: String) {
        let w = world(&url).await;
        let vpn = w.client("office-vpn", RadiusMode::Push).await;
        let id = w.user("pia@example.com", false).await;
        let device = PushDeviceId::generate();
        let mut tx = w.services.store.begin().await.unwrap();
        tx.insert_push_device(&PushDevice { id: device.clone(), user_id: id.clone(), name: "phone".into(), created_at: w.now(), last_seen_at: None }, &[7; 32], None).await.unwrap();
        tx.commit().await.unwrap();
        let meta = nas();

        let started = |a: RadiusAnswer| match a.outcome {
            RadiusOutcome::Push(p) => p,
            other => panic!("expected a push, got {other:?}"),
        };
        // Approved.
        let push = started(w.ask(&vpn, "pia@example.com", PASSWORD, None).await);
        assert_eq!(push.timeout_secs, 25);
        let id1 = push.sent.challenge_id.clone();
        let stored = { let mut r = w.services.store.begin_read().await.unwrap(); r.push_challenge(&id1).await.unwrap().unwrap() };
        assert_eq!(stored.via.as_deref(), Some("office-vpn"));
        assert!(w.services.radius_push_outcome(&vpn, &id1, &meta).await.unwrap().is_none());
        let mut tx = w.services.store.begin().await.unwrap();
        assert!(tx.decide_push_challenge(&id1, ChallengeStatus::Approved, &device, w.now()).await.unwrap());
        tx.commit().await.unwrap();
        let done = w.services.radius_push_outcome(&vpn, &id1, &meta).await.unwrap().unwrap();
        assert!(matches!(done.outcome, RadiusOutcome::Accept));
        // Asked again (a second waiter): the same answer, audited once.
        assert!(matches!(w.services.radius_push_outcome(&vpn, &id1, &meta).await.unwrap().unwrap().outcome, RadiusOutcome::Accept));

        // Denied.
        let id2 = started(w.ask(&vpn, "pia@example.com", PASSWORD, None).await).sent.challenge_id;
        let mut tx = w.services.store.begin().await.unwrap();
        tx.decide_push_challenge(&id2, ChallengeStatus::Denied, &device, w.now()).await.unwrap();
        tx.commit().await.unwrap();
        let denied = w.services.radius_push_outcome(&vpn, &id2, &meta).await.unwrap().unwrap();
        assert_eq!(refusal(&denied), RadiusRefusal::PushDenied);

        // Unanswered: given up, the request ends (a late approval changes nothing).
        let id3 = started(w.ask(&vpn, "pia@example.com", PASSWORD, None).await).sent.challenge_id;
        let gave_up = w.services.radius_push_give_up(&vpn, &id3, &meta).await.unwrap();
        assert_eq!(refusal(&gave_up), RadiusRefusal::PushTimedOut);
        let mut tx = w.services.store.begin().await.unwrap();
        assert!(!tx.decide_push_challenge(&id3, ChallengeStatus::Approved, &device, w.now()).await.unwrap());
        tx.commit().await.unwrap();

        // A newer sign-in replaces a pending request.
        let id4 = started(w.ask(&vpn, "pia@example.com", PASSWORD, None).await).sent.challenge_id;
        let _id5 = started(w.ask(&vpn, "pia@example.com", PASSWORD, None).await).sent.challenge_id;
        let replaced = w.services.radius_push_outcome(&vpn, &id4, &meta).await.unwrap().unwrap();
        assert_eq!(refusal(&replaced), RadiusRefusal::PushSuperseded);

        let accepts = w.audit("radius.accept").await;
        assert_eq!(accepts.len(), 1);
        assert_eq!(accepts[0]["method"], "push");
        let reasons: Vec<_> = w.audit("radius.reject").await.into_iter().map(|d| d["reason"].clone()).collect();
        assert_eq!(reasons, ["push_denied", "push_timeout", "push_superseded"]);
    }

    async fn push_pauses_after_more_than_three_refusals(url: String) {
        let w = world(&url).await;
        let vpn = w.client("vpn", RadiusMode::Push).await;
        let id = w.user("max@example.com", false).await;
        let device = PushDeviceId::generate();
        let mut tx = w.services.store.begin().await.unwrap();
        tx.insert_push_device(&PushDevice { id: device.clone(), user_id: id.clone(), name: "phone".into(), created_at: w.now(), last_seen_at: None }, &[7; 32], None).await.unwrap();
        tx.commit().await.unwrap();
        let meta = nas();
        for _ in 0..4 {
            let RadiusOutcome::Push(p) = w.ask(&vpn, "max@example.com", PASSWORD, None).await.outcome else {
                panic!("expected a push");
            };
            w.services.radius_push_give_up(&vpn, &p.sent.challenge_id, &meta).await.unwrap();
        }
        let paused = w.ask(&vpn, "max@example.com", PASSWORD, None).await;
        assert!(matches!(refusal(&paused), RadiusRefusal::PushPaused { .. }), "{paused:?}");
    }

    async fn clients_are_added_listed_opened_and_removed_per_contract(url: String) {
        let w = world(&url).await;
        let meta = RequestMeta::default();
        let new = NewRadiusClient { name: "vpn".into(), address: "10.1.2.3/8".into(), mode: RadiusMode::Challenge, push_timeout_secs: Some(40) };
        let (client, secret) = w.services.add_radius_client(&w.owner, &new, Reveal::InAnswer, &meta).await.unwrap();
        assert_eq!(client.network.to_string(), "10.0.0.0/8");
        assert_eq!(client.push_timeout_secs, 40);
        let taken = w.services.add_radius_client(&w.owner, &new, Reveal::InAnswer, &meta).await;
        assert!(matches!(taken, Err(Error::Conflict(_))), "{taken:?}");
        for bad in [
            NewRadiusClient { address: "10.0.0.0/33".into(), ..new.clone() },
            NewRadiusClient { name: " ".into(), ..new.clone() },
            NewRadiusClient { push_timeout_secs: Some(0), ..new.clone() },
        ] {
            let r = w.services.add_radius_client(&w.owner, &bad, Reveal::InAnswer, &meta).await;
            assert!(matches!(r, Err(Error::Validation(_))), "{r:?}");
        }
        let keys = w.services.radius_client_keys().await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].secret, secret);

        // Another contract neither sees nor removes it.
        w.services.create_owner_from_shell("other@example.net", &Password::new(PASSWORD)).await.unwrap();
        let other = w.services.operator_session("other@example.net").await.unwrap().0;
        assert!(w.services.list_radius_clients(&other).await.unwrap().is_empty());
        let r = w.services.remove_radius_client(&other, "vpn", &meta).await;
        assert!(matches!(r, Err(Error::NotFound(_))), "{r:?}");
        assert_eq!(w.services.list_radius_clients(&w.owner).await.unwrap().len(), 1);
        w.services.remove_radius_client(&w.owner, "vpn", &meta).await.unwrap();
        assert!(w.services.radius_client_keys().await.unwrap().is_empty());
        let kinds: Vec<_> = {
            let mut events = w.services.contract_audit(&w.owner, None, 50).await.unwrap();
            events.reverse();
            events.into_iter().map(|e| e.kind).filter(|k| k.starts_with("radius_client")).collect()
        };
        assert_eq!(kinds, ["radius_client.added", "radius_client.removed"]);
        let mut read = w.services.store.begin_read().await.unwrap();
        assert!(read.audit_of_user(&UserId("none".into()), None, 10).await.unwrap().is_empty());
    }
}
