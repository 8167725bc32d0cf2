//! What the server refuses about passkeys and security keys, on SQLite and PostgreSQL: answers
//! that are malformed, for another challenge, origin or account, or late — each a 4xx with our
//! error body that writes nothing; wrong answers counted like wrong codes; a cloned key whose
//! counter goes back; and "phishing-resistant only", where codes no longer complete a sign-in
//! and the forced setup adds a key.

use std::sync::Arc;

use portcullis_core::FixedClock;
use portcullis_server::config::ServeArgs;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, TestEnv, error_code};
use crate::harness::totp::{code, unix_now};
use crate::harness::webauthn::{self, Authenticator, b64};
use crate::webauthn::{
    call, credentials, finish_key_login, finish_registration, json_of, key_options, login_ticket,
    passkey_finish, passkey_start, register, sign_in_with_key, start_registration,
};

/// The server of `webauthn::spawn`, on a clock the test moves.
async fn spawn_with_clock(env: &TestEnv, clock: FixedClock) -> TestApp {
    let args = ServeArgs {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        data: Some(env.data.clone()),
        database_url: env.database_url.clone(),
        open_registration: Some(true),
        public_url: Some("http://localhost:0".to_owned()),
        ..Default::default()
    };
    TestApp::start_prepared(args, |mut server| async move {
        server.set_clock(Arc::new(clock));
        server
    })
    .await
}

/// One way to spoil a good answer.
type Tamper = fn(&Value) -> Value;

/// `answer` with `pointer`'s member replaced by `value`.
fn tampered(answer: &Value, pointer: &str, value: Value) -> Value {
    let mut answer = answer.clone();
    *answer.pointer_mut(pointer).expect("the member exists") = value;
    answer
}

/// `answer` as if made by a key the server never saw.
fn from_unknown_key(answer: &Value) -> Value {
    let id = b64(&[7u8; 32]);
    let answer = tampered(answer, "/id", json!(id));
    tampered(&answer, "/rawId", json!(id))
}

fn refused(status: StatusCode, code: &str) -> (StatusCode, String) {
    (status, code.to_owned())
}

on_both_backends! {
    async fn bad_registration_answers_get_our_error_and_add_nothing(env: TestEnv) {
        let clock = FixedClock::at(unix_now());
        let app = spawn_with_clock(&env, clock.clone()).await;
        let origin = webauthn::origin(&app);
        let token = app.signed_in("alice@example.com").await;
        let mut key = Authenticator::security_key();
        let bad = refused(StatusCode::BAD_REQUEST, "invalid_webauthn_response");
        let gone = refused(StatusCode::BAD_REQUEST, "invalid_ceremony");

        let cases: Vec<(&str, Tamper)> = vec![
            ("malformed credential", |_| json!({ "nonsense": true })),
            ("not an object", |_| json!("credential")),
            ("malformed CBOR", |a| tampered(a, "/response/attestationObject", json!(b64(b"\xa1\x63not cbor")))),
            ("clientDataJSON not base64", |a| tampered(a, "/response/clientDataJSON", json!("not base64!"))),
            ("clientDataJSON not JSON", |a| tampered(a, "/response/clientDataJSON", json!(b64(b"{nope")))),
        ];
        for (what, tamper) in cases {
            let start = start_registration(&app, &token).await;
            let answer = key.create(&origin, &start["publicKey"]);
            let r = finish_registration(&app, &token, &start["ceremony"], "k", &tamper(&answer)).await;
            assert_eq!(error_code(r).await, bad, "{what}");
            // The ceremony went with its one answer: the right one comes too late.
            let r = finish_registration(&app, &token, &start["ceremony"], "k", &answer).await;
            assert_eq!(error_code(r).await, gone, "{what}, then the right answer");
        }

        // An answer to another ceremony's challenge, and one made on another origin.
        let first = start_registration(&app, &token).await;
        let second = start_registration(&app, &token).await;
        let answer = key.create(&origin, &first["publicKey"]);
        let r = finish_registration(&app, &token, &second["ceremony"], "k", &answer).await;
        assert_eq!(error_code(r).await, bad, "another challenge");
        let start = start_registration(&app, &token).await;
        let answer = key.create("http://localhost:1", &start["publicKey"]);
        let r = finish_registration(&app, &token, &start["ceremony"], "k", &answer).await;
        assert_eq!(error_code(r).await, bad, "another origin");

        // Unknown, someone else's, and expired ceremonies.
        let start = start_registration(&app, &token).await;
        let answer = key.create(&origin, &start["publicKey"]);
        let r = finish_registration(&app, &token, &json!("no-such-ceremony"), "k", &answer).await;
        assert_eq!(error_code(r).await, gone, "unknown");
        let mallory = app.signed_in("mallory@example.com").await;
        let r = finish_registration(&app, &mallory, &start["ceremony"], "k", &answer).await;
        assert_eq!(error_code(r).await, gone, "someone else's");
        let r = passkey_finish(&app, &start["ceremony"], &answer).await;
        assert_eq!(error_code(r).await, gone, "a registration's ceremony, to sign in");
        clock.advance(301);
        let r = finish_registration(&app, &token, &start["ceremony"], "k", &answer).await;
        assert_eq!(error_code(r).await, gone, "expired");

        // A name the rules refuse, and a body without one.
        let start = start_registration(&app, &token).await;
        let answer = key.create(&origin, &start["publicKey"]);
        let r = finish_registration(&app, &token, &start["ceremony"], &"x".repeat(65), &answer).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let body = json!({ "ceremony": start["ceremony"], "credential": answer });
        let r = app.post_json("/api/v1/me/webauthn/registrations/finish", &body, Some(&token)).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        assert!(credentials(&app, &token).await.is_empty());
        let me = json_of(app.me(&token).await, StatusCode::OK).await;
        assert_eq!(me["two_factor"]["enabled"], false);
        assert!(!app.audit_types(&token).await.contains(&"webauthn.added".to_owned()));
        assert!(credentials(&app, &mallory).await.is_empty());
    }

    async fn bad_assertions_are_refused_and_use_nothing(env: TestEnv) {
        let clock = FixedClock::at(unix_now());
        let app = spawn_with_clock(&env, clock.clone()).await;
        let origin = webauthn::origin(&app);
        let bob = app.signed_in("bob@example.com").await;
        let mut key = Authenticator::passkey();
        register(&app, &bob, &mut key, "Pixel").await;
        let carl = app.signed_in("carl@example.com").await;
        let mut carls = Authenticator::passkey();
        register(&app, &carl, &mut carls, "Carl's phone").await;

        // The second step: each a wrong code on a ticket of its own.
        let wrong = refused(StatusCode::UNAUTHORIZED, "invalid_code");
        let cases: Vec<(&str, Tamper)> = vec![
            ("malformed credential", |_| json!({ "id": "AA" })),
            ("malformed CBOR", |a| tampered(a, "/response/authenticatorData", json!(b64(b"\xa1short")))),
            ("clientDataJSON not base64", |a| tampered(a, "/response/clientDataJSON", json!("not base64!"))),
            ("unknown key", from_unknown_key),
        ];
        for (what, tamper) in cases {
            let ticket = login_ticket(&app, "bob@example.com").await;
            let answer = key.get(&origin, &key_options(&app, &ticket).await);
            let r = finish_key_login(&app, &ticket, &tamper(&answer)).await;
            assert_eq!(error_code(r).await, wrong, "{what}");
        }
        let ticket = login_ticket(&app, "bob@example.com").await;
        let answer = key.get_for_page("http://evil.example", &key_options(&app, &ticket).await);
        assert_eq!(error_code(finish_key_login(&app, &ticket, &answer).await).await, wrong, "another origin");
        let other = login_ticket(&app, "bob@example.com").await;
        let answer = key.get(&origin, &key_options(&app, &other).await);
        let ticket = login_ticket(&app, "bob@example.com").await;
        key_options(&app, &ticket).await;
        assert_eq!(error_code(finish_key_login(&app, &ticket, &answer).await).await, wrong, "another ticket's challenge");
        let ticket = login_ticket(&app, "bob@example.com").await;
        let answer = key.get(&origin, &key_options(&app, &ticket).await);
        clock.advance(301);
        let r = finish_key_login(&app, &ticket, &answer).await;
        assert_eq!(error_code(r).await, refused(StatusCode::UNAUTHORIZED, "invalid_ticket"), "expired");
        assert!(credentials(&app, &bob).await[0]["last_used_at"].is_null(), "no answer used the key");

        // Without a password: one answer whatever failed.
        let wrong = refused(StatusCode::UNAUTHORIZED, "invalid_passkey");
        let cases: Vec<(&str, Tamper)> = vec![
            ("malformed credential", |_| json!([])),
            ("malformed CBOR", |a| tampered(a, "/response/authenticatorData", json!(b64(b"\xa1short")))),
            ("clientDataJSON not base64", |a| tampered(a, "/response/clientDataJSON", json!("not base64!"))),
            ("unknown key", from_unknown_key),
        ];
        for (what, tamper) in cases {
            let start = passkey_start(&app).await;
            let answer = carls.get(&origin, &start["publicKey"]);
            let r = passkey_finish(&app, &start["ceremony"], &tamper(&answer)).await;
            assert_eq!(error_code(r).await, wrong, "{what}");
            let r = passkey_finish(&app, &start["ceremony"], &answer).await;
            assert_eq!(error_code(r).await, refused(StatusCode::BAD_REQUEST, "invalid_ceremony"), "{what}, then the right answer");
        }
        let start = passkey_start(&app).await;
        let answer = carls.get_for_page("http://evil.example", &start["publicKey"]);
        assert_eq!(error_code(passkey_finish(&app, &start["ceremony"], &answer).await).await, wrong, "another origin");
        assert!(credentials(&app, &carl).await[0]["last_used_at"].is_null(), "no answer used the key");
        // The same relay, from the right origin, is an ordinary sign-in: only the origin was wrong.
        let start = passkey_start(&app).await;
        let answer = carls.get_for_page(&origin, &start["publicKey"]);
        assert_eq!(json_of(passkey_finish(&app, &start["ceremony"], &answer).await, StatusCode::OK).await["status"], "ok");
        let first = passkey_start(&app).await;
        let second = passkey_start(&app).await;
        let answer = carls.get(&origin, &first["publicKey"]);
        assert_eq!(error_code(passkey_finish(&app, &second["ceremony"], &answer).await).await, wrong, "another challenge");
        // Carl's key, claiming to speak for bob.
        let bobs_handle = key.get(&origin, &passkey_start(&app).await["publicKey"])["response"]["userHandle"].clone();
        let start = passkey_start(&app).await;
        let answer = tampered(&carls.get(&origin, &start["publicKey"]), "/response/userHandle", bobs_handle);
        assert_eq!(error_code(passkey_finish(&app, &start["ceremony"], &answer).await).await, wrong, "another user handle");
        let start = passkey_start(&app).await;
        let answer = carls.get(&origin, &start["publicKey"]);
        let r = passkey_finish(&app, &json!("no-such-ceremony"), &answer).await;
        assert_eq!(error_code(r).await, refused(StatusCode::BAD_REQUEST, "invalid_ceremony"), "unknown ceremony");
        clock.advance(301);
        let r = passkey_finish(&app, &start["ceremony"], &answer).await;
        assert_eq!(error_code(r).await, refused(StatusCode::BAD_REQUEST, "invalid_ceremony"), "expired ceremony");
        let used = credentials(&app, &carl).await[0]["last_used_at"].clone();
        assert!(used.is_string(), "only the control sign-in used the key");
    }

    async fn wrong_answers_count_against_the_ticket_and_the_account(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let token = app.signed_in("dan@example.com").await;
        let mut key = Authenticator::security_key();
        register(&app, &token, &mut key, "YubiKey 5").await;
        let mut thief = Authenticator::security_key();
        register(&app, &app.signed_in("thief@example.com").await, &mut thief, "theirs").await;

        // Five wrong answers end the ticket, as five wrong codes do.
        let ticket = login_ticket(&app, "dan@example.com").await;
        for _ in 0..5 {
            let mut options = key_options(&app, &ticket).await;
            options.as_object_mut().unwrap().remove("allowCredentials");
            let r = finish_key_login(&app, &ticket, &thief.get(&origin, &options)).await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        }
        let r = app.post_json("/api/v1/login/webauthn/start", &json!({ "login_ticket": ticket }), None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()));

        // Five more on a new ticket make ten on the account, which locks it: then even the
        // right password must wait.
        let ticket = login_ticket(&app, "dan@example.com").await;
        for _ in 0..5 {
            let mut options = key_options(&app, &ticket).await;
            options.as_object_mut().unwrap().remove("allowCredentials");
            let r = finish_key_login(&app, &ticket, &thief.get(&origin, &options)).await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        }
        let r = app.login("dan@example.com", PASSWORD).await;
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".to_owned()));

        // Without a password, wrong answers from a known key count against its account alike.
        let ed = app.signed_in("ed@example.com").await;
        let mut phone = Authenticator::passkey();
        register(&app, &ed, &mut phone, "Pixel").await;
        for _ in 0..10 {
            let start = passkey_start(&app).await;
            let answer = phone.get_for_page("http://evil.example", &start["publicKey"]);
            let r = passkey_finish(&app, &start["ceremony"], &answer).await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_passkey".to_owned()));
        }
        let start = passkey_start(&app).await;
        let r = passkey_finish(&app, &start["ceremony"], &phone.get(&origin, &start["publicKey"])).await;
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".to_owned()));
        let r = app.login("ed@example.com", PASSWORD).await;
        assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".to_owned()));
    }

    async fn a_cloned_key_whose_counter_goes_back_is_refused_and_audited(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let token = app.signed_in("gina@example.com").await;
        let mut key = Authenticator::passkey();
        register(&app, &token, &mut key, "Pixel").await;
        let mut copy = key.cloned();
        // The original signs twice; the copy's counter is one behind.
        sign_in_with_key(&app, "gina@example.com", &mut key).await;
        let session = sign_in_with_key(&app, "gina@example.com", &mut key).await;

        let ticket = login_ticket(&app, "gina@example.com").await;
        let options = key_options(&app, &ticket).await;
        let r = finish_key_login(&app, &ticket, &copy.get(&origin, &options)).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        // Without a password too.
        let start = passkey_start(&app).await;
        let r = passkey_finish(&app, &start["ceremony"], &copy.get(&origin, &start["publicKey"])).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_passkey".to_owned()));

        let body = json_of(app.audit(&session, "").await, StatusCode::OK).await;
        let clones: Vec<&Value> = body["events"].as_array().unwrap().iter().filter(|e| e["type"] == "webauthn.clone_suspected").collect();
        assert_eq!(clones.len(), 2, "{body:#}");
        // The original still works: its count stayed where it was.
        sign_in_with_key(&app, "gina@example.com", &mut key).await;
    }

    async fn phishing_resistant_only_refuses_codes_and_leads_to_a_key(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let owner = app.signed_in("owner@example.com").await;
        for (email, role) in [("admin@example.com", "administrator"), ("ursula@example.com", "user")] {
            let body = json!({ "email": email, "password": PASSWORD, "role": role });
            json_of(call(&app, Method::POST, "/api/v1/users", body, Some(&owner)).await, StatusCode::CREATED).await;
        }
        let admin = app.token_for("admin@example.com", PASSWORD).await;
        let ursula = app.token_for("ursula@example.com", PASSWORD).await;
        let start = json_of(app.post_json("/api/v1/me/totp", &json!({}), Some(&ursula)).await, StatusCode::CREATED).await;
        let secret = start["secret"].as_str().unwrap().to_owned();
        let body = json!({ "password": PASSWORD, "code": code(&secret, 0) });
        let codes = json_of(app.post_json("/api/v1/me/totp/activate", &body, Some(&ursula)).await, StatusCode::OK).await["recovery_codes"].clone();
        let before = login_ticket(&app, "ursula@example.com").await;

        let on = json!({ "require_phishing_resistant": true });
        let r = call(&app, Method::PATCH, "/api/v1/contract", on.clone(), Some(&admin)).await;
        assert_eq!(error_code(r).await.0, StatusCode::FORBIDDEN, "owner only");
        let r = call(&app, Method::PATCH, "/api/v1/contract", on, Some(&owner)).await;
        assert_eq!(json_of(r, StatusCode::OK).await["require_phishing_resistant"], true);
        assert!(app.audit_types(&owner).await.contains(&"contract.phishing_resistant_changed".to_owned()));

        // A right code no longer completes the sign-in, even on a ticket from before.
        let body = json!({ "login_ticket": before, "code": code(&secret, 1) });
        let r = app.post_json("/api/v1/login/totp", &body, None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::FORBIDDEN, "phishing_resistant_required"));

        // The password leads to the setup, which offers a key and no authenticator app.
        let step = json_of(app.login("ursula@example.com", PASSWORD).await, StatusCode::OK).await;
        assert_eq!(step["status"], "enrollment_required", "{step}");
        assert_eq!(step["methods"], json!(["webauthn"]), "only a key may be set up");
        assert!(step.get("token").is_none());
        let ticket = step["login_ticket"].as_str().unwrap().to_owned();
        let r = app.post_json("/api/v1/login/enroll/totp", &json!({ "login_ticket": ticket }), None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::FORBIDDEN, "phishing_resistant_required"));

        let enrol = |ticket: String| {
            let app = &app;
            async move {
                let r = app.post_json("/api/v1/login/enroll/webauthn/start", &json!({ "login_ticket": ticket }), None).await;
                json_of(r, StatusCode::OK).await
            }
        };
        // A wrong code counts against the ticket and uses up the ceremony it came with.
        let wrong_code = enrol(ticket.clone()).await;
        let answer = Authenticator::passkey().create(&origin, &wrong_code["publicKey"]);
        let body = json!({ "login_ticket": ticket, "ceremony": wrong_code["ceremony"], "name": "Pixel", "credential": answer, "code": "000000" });
        let r = app.post_json("/api/v1/login/enroll/webauthn/finish", &body, None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid_code"));
        let body = json!({ "login_ticket": ticket, "ceremony": wrong_code["ceremony"], "name": "Pixel", "credential": answer, "code": code(&secret, 1) });
        let r = app.post_json("/api/v1/login/enroll/webauthn/finish", &body, None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::BAD_REQUEST, "invalid_ceremony"));

        let mut key = Authenticator::passkey();
        let start = enrol(ticket.clone()).await;
        assert_eq!(start["publicKey"]["authenticatorSelection"]["residentKey"], "preferred");
        let answer = key.create(&origin, &start["publicKey"]);
        let finish = |code: Option<String>| {
            let body = json!({ "login_ticket": ticket, "ceremony": start["ceremony"], "name": "Pixel", "credential": answer, "code": code });
            let app = &app;
            async move { app.post_json("/api/v1/login/enroll/webauthn/finish", &body, None).await }
        };
        // The account has a factor: the password alone may not add a key.
        assert_eq!(error_code(finish(None).await).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let done = json_of(finish(Some(code(&secret, 1))).await, StatusCode::OK).await;
        assert_eq!(done["status"], "ok", "{done}");
        assert_eq!(done["recovery_codes"].as_array().unwrap().len(), 10);
        let session = done["token"].as_str().unwrap();
        let list = credentials(&app, session).await;
        assert_eq!((list.len(), &list[0]["passkey"]), (1, &json!(true)));
        let fresh = done["recovery_codes"].clone();

        // Now the second step offers the key and the recovery codes, and both complete it.
        let step = json_of(app.login("ursula@example.com", PASSWORD).await, StatusCode::OK).await;
        assert_eq!(step["status"], "second_factor");
        assert_eq!(step["methods"], json!(["webauthn", "recovery_code"]));
        let ticket = step["login_ticket"].as_str().unwrap();
        let body = json!({ "login_ticket": ticket, "code": code(&secret, 0) });
        let r = app.post_json("/api/v1/login/totp", &body, None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::FORBIDDEN, "phishing_resistant_required"));
        let body = json!({ "login_ticket": ticket, "code": codes[0] });
        let r = app.post_json("/api/v1/login/recovery", &body, None).await;
        assert_eq!(error_code(r).await, refused(StatusCode::UNAUTHORIZED, "invalid_code"), "the old set was replaced");
        let body = json!({ "login_ticket": ticket, "code": fresh[0] });
        let done = json_of(app.post_json("/api/v1/login/recovery", &body, None).await, StatusCode::OK).await;
        assert_eq!(done["status"], "ok");
        sign_in_with_key(&app, "ursula@example.com", &mut key).await;
    }
}
