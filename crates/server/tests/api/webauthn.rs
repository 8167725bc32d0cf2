//! Passkeys and security keys through the real server, on SQLite and PostgreSQL, with Kanidm's
//! soft token as the authenticator (`harness::webauthn`): adding, listing, renaming and removing
//! a key; the key as the second step; a passkey sign-in without a password; the keys gone after
//! an admin reset or `/recover`; a ceremony that crosses nodes. Refused answers, throttling, a
//! cloned key and "phishing-resistant only" are in `webauthn_refusals`; the endpoint helpers
//! here serve both.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{Backend, PASSWORD, TestApp, error_code, run};
use crate::harness::webauthn::{self, Authenticator};

pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request sent")
}

pub async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.expect("a JSON body");
    assert_eq!(got, status, "{body}");
    body
}

/// `/me/webauthn/registrations/start`: `{"ceremony","publicKey"}`.
pub async fn start_registration(app: &TestApp, token: &str) -> Value {
    let r = app
        .post_json(
            "/api/v1/me/webauthn/registrations/start",
            &json!({}),
            Some(token),
        )
        .await;
    json_of(r, StatusCode::OK).await
}

pub async fn finish_registration(
    app: &TestApp,
    token: &str,
    ceremony: &Value,
    name: &str,
    credential: &Value,
) -> reqwest::Response {
    let body = json!({ "ceremony": ceremony, "name": name, "credential": credential });
    app.post_json(
        "/api/v1/me/webauthn/registrations/finish",
        &body,
        Some(token),
    )
    .await
}

/// Adds `key` to the token's account; the 201 answer.
pub async fn register(app: &TestApp, token: &str, key: &mut Authenticator, name: &str) -> Value {
    let start = start_registration(app, token).await;
    let answer = key.create(&webauthn::origin(app), &start["publicKey"]);
    let r = finish_registration(app, token, &start["ceremony"], name, &answer).await;
    json_of(r, StatusCode::CREATED).await
}

pub async fn credentials(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .get("/api/v1/me/webauthn/credentials", Some(token))
        .await;
    json_of(r, StatusCode::OK).await["credentials"]
        .as_array()
        .unwrap()
        .clone()
}

/// The password step of a user with a key: the login ticket.
pub async fn login_ticket(app: &TestApp, email: &str) -> String {
    let step = json_of(app.login(email, PASSWORD).await, StatusCode::OK).await;
    assert_eq!(step["status"], "second_factor", "{step}");
    step["login_ticket"].as_str().unwrap().to_owned()
}

/// `/login/webauthn/start`: the request options.
pub async fn key_options(app: &TestApp, ticket: &str) -> Value {
    let r = app
        .post_json(
            "/api/v1/login/webauthn/start",
            &json!({ "login_ticket": ticket }),
            None,
        )
        .await;
    json_of(r, StatusCode::OK).await["publicKey"].clone()
}

pub async fn finish_key_login(
    app: &TestApp,
    ticket: &str,
    credential: &Value,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/login/webauthn/finish",
        &json!({ "login_ticket": ticket, "credential": credential }),
        None,
    )
    .await
}

/// Password, then the key: the session token.
pub async fn sign_in_with_key(app: &TestApp, email: &str, key: &mut Authenticator) -> String {
    let ticket = login_ticket(app, email).await;
    let options = key_options(app, &ticket).await;
    let answer = key.get(&webauthn::origin(app), &options);
    let done = json_of(
        finish_key_login(app, &ticket, &answer).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "ok", "{done}");
    done["token"].as_str().unwrap().to_owned()
}

/// `/login/passkey/start`: `{"ceremony","publicKey"}`.
pub async fn passkey_start(app: &TestApp) -> Value {
    let r = app
        .post_json("/api/v1/login/passkey/start", &json!({}), None)
        .await;
    json_of(r, StatusCode::OK).await
}

pub async fn passkey_finish(
    app: &TestApp,
    ceremony: &Value,
    credential: &Value,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/login/passkey/finish",
        &json!({ "ceremony": ceremony, "credential": credential }),
        None,
    )
    .await
}

pub fn is_base64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn two_factor(app: &TestApp, token: &str) -> Value {
    json_of(app.me(token).await, StatusCode::OK).await["two_factor"].clone()
}

/// Whether the token's session counts as 2FA-complete: only such a session may protect a
/// resource (the token's user must own their contract).
async fn may_protect_a_resource(app: &TestApp, token: &str, name: &str) -> bool {
    let body = json!({ "kind": "datacenter", "name": name, "requires_2fa": true });
    let r = call(app, Method::POST, "/api/v1/resources", body, Some(token)).await;
    match r.status() {
        StatusCode::CREATED => true,
        StatusCode::FORBIDDEN => false,
        other => panic!("creating a protected resource: {other}"),
    }
}

on_both_backends! {
    async fn a_key_is_added_listed_renamed_and_removed_with_the_password(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let token = app.signed_in("alice@example.com").await;
        let origin = webauthn::origin(&app);

        let start = start_registration(&app, &token).await;
        let options = &start["publicKey"];
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(options["authenticatorSelection"]["residentKey"], "preferred");
        assert_eq!(options["authenticatorSelection"]["userVerification"], "preferred");
        assert!(is_base64url(options["challenge"].as_str().unwrap()), "{options}");
        assert!(is_base64url(options["user"]["id"].as_str().unwrap()), "{options}");
        let me = json_of(app.me(&token).await, StatusCode::OK).await;
        assert_ne!(options["user"]["name"], json!(""));
        assert!(!options["user"]["id"].as_str().unwrap().contains(&webauthn::b64(b"alice")), "the handle is not the email");
        assert_eq!(options["user"]["id"], json!(webauthn::b64(me["id"].as_str().unwrap().as_bytes())));

        let elsewhere = app.token_for("alice@example.com", PASSWORD).await;
        let mut yubikey = Authenticator::security_key();
        let answer = yubikey.create(&origin, options);
        assert!(is_base64url(answer["response"]["attestationObject"].as_str().unwrap()));
        let r = finish_registration(&app, &token, &start["ceremony"], "YubiKey 5", &answer).await;
        let added = json_of(r, StatusCode::CREATED).await;
        assert_eq!(added["name"], "YubiKey 5");
        assert_eq!(added["passkey"], false, "no user verification: a second step only");
        assert!(added["id"].as_str().is_some() && added["created_at"].as_str().is_some(), "{added}");
        let codes = added["recovery_codes"].as_array().expect("the first factor brings recovery codes");
        assert_eq!(codes.len(), 10);
        // 2FA is on: other sessions sign in again, this one stays.
        assert_eq!(app.me(&elsewhere).await.status(), StatusCode::UNAUTHORIZED);
        let tf = two_factor(&app, &token).await;
        assert_eq!(tf["enabled"], true);
        assert_eq!(tf["methods"], json!(["webauthn", "recovery_code"]));

        // The same authenticator again: its key is excluded, and a client that ignores that and
        // sends the old answer gets a conflict.
        let again = start_registration(&app, &token).await;
        assert!(yubikey.is_excluded(&again["publicKey"]), "{}", again["publicKey"]);
        let r = finish_registration(&app, &token, &again["ceremony"], "YubiKey again", &answer).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "credential_exists".to_owned()));

        let mut laptop = Authenticator::passkey();
        let second = register(&app, &token, &mut laptop, "MacBook Touch ID").await;
        assert_eq!(second["passkey"], true);
        assert!(second.get("recovery_codes").is_none(), "not the first factor: {second}");

        let list = credentials(&app, &token).await;
        // Oldest first, but both were added within the same second (`created_at`'s precision).
        let mut names: Vec<&str> = list.iter().map(|c| c["name"].as_str().unwrap()).collect();
        names.sort_unstable();
        assert_eq!(names, ["MacBook Touch ID", "YubiKey 5"]);
        assert!(list.iter().all(|c| c["last_used_at"].is_null()), "{list:?}");

        let id = added["id"].as_str().unwrap();
        let path = format!("/api/v1/me/webauthn/credentials/{id}");
        let r = call(&app, Method::PATCH, &path, json!({ "name": "Blue YubiKey" }), Some(&token)).await;
        assert_eq!(json_of(r, StatusCode::OK).await["name"], "Blue YubiKey");
        let r = call(&app, Method::PATCH, &path, json!({ "name": "  " }), Some(&token)).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        // Someone else's key is not found, for renaming and removing alike.
        let mallory = app.signed_in("mallory@example.com").await;
        let r = call(&app, Method::PATCH, &path, json!({ "name": "mine" }), Some(&mallory)).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));
        let r = call(&app, Method::DELETE, &path, json!({ "password": PASSWORD }), Some(&mallory)).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));

        let r = call(&app, Method::DELETE, &path, json!({ "password": "Wrong-Pass-1" }), Some(&token)).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "invalid_password".to_owned()));
        assert_eq!(credentials(&app, &token).await.len(), 2);
        let r = call(&app, Method::DELETE, &path, json!({ "password": PASSWORD }), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let list = credentials(&app, &token).await;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["name"], "MacBook Touch ID");
        assert_eq!(two_factor(&app, &token).await["recovery_codes_left"], 10);
        // With the last key gone, 2FA is off and the recovery codes go with it.
        let last = format!("/api/v1/me/webauthn/credentials/{}", list[0]["id"].as_str().unwrap());
        let r = call(&app, Method::DELETE, &last, json!({ "password": PASSWORD }), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let tf = two_factor(&app, &token).await;
        assert_eq!((&tf["enabled"], &tf["recovery_codes_left"]), (&json!(false), &json!(0)), "{tf}");
        let step = json_of(app.login("alice@example.com", PASSWORD).await, StatusCode::OK).await;
        assert_eq!(step["status"], "ok");

        let types = app.audit_types(&token).await;
        for t in ["webauthn.added", "webauthn.removed"] {
            assert!(types.contains(&t.to_owned()), "{t} missing from {types:?}");
        }
        for name in ["YubiKey 5", "Blue YubiKey"] {
            let told = app
                .message_to("email", "alice@example.com", |m| m["body"].as_str().is_some_and(|b| b.contains(name)))
                .await;
            let body = told["body"].as_str().unwrap();
            assert!(body.contains("/lock?token="), "a \"this wasn't me\" link: {body}");
        }
    }

    async fn a_key_after_the_authenticator_app_brings_no_new_recovery_codes(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let token = app.signed_in("tom@example.com").await;
        let start = json_of(app.post_json("/api/v1/me/totp", &json!({}), Some(&token)).await, StatusCode::CREATED).await;
        let secret = start["secret"].as_str().unwrap();
        let body = json!({ "password": PASSWORD, "code": crate::harness::totp::code_now(secret) });
        let r = app.post_json("/api/v1/me/totp/activate", &body, Some(&token)).await;
        json_of(r, StatusCode::OK).await;
        // Without a key, the second step has none to offer.
        let ticket = login_ticket(&app, "tom@example.com").await;
        let body = json!({ "login_ticket": ticket });
        let r = app.post_json("/api/v1/login/webauthn/start", &body, None).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "two_factor_not_enabled".to_owned()));

        let added = register(&app, &token, &mut Authenticator::security_key(), "YubiKey 5").await;
        assert!(added.get("recovery_codes").is_none(), "{added}");
        let tf = two_factor(&app, &token).await;
        assert_eq!(tf["methods"], json!(["totp", "webauthn", "recovery_code"]));
        assert_eq!(tf["recovery_codes_left"], 10);
    }

    async fn a_key_completes_the_login_after_the_password_and_each_answer_works_once(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let token = app.signed_in("bob@example.com").await;
        let mut key = Authenticator::security_key();
        let added = register(&app, &token, &mut key, "YubiKey 5").await;

        let step = json_of(app.login("bob@example.com", PASSWORD).await, StatusCode::OK).await;
        assert_eq!(step["status"], "second_factor");
        assert_eq!(step["methods"], json!(["webauthn", "recovery_code"]));
        assert!(step.get("token").is_none());
        let ticket = step["login_ticket"].as_str().unwrap();
        // A second start (the person clicked twice) replaces the first: its answer is the one.
        key_options(&app, ticket).await;
        let options = key_options(&app, ticket).await;
        let allowed: Vec<&str> = options["allowCredentials"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(allowed, key.credential_ids());
        assert!(is_base64url(options["challenge"].as_str().unwrap()));
        let answer = key.get(&origin, &options);
        let done = json_of(finish_key_login(&app, ticket, &answer).await, StatusCode::OK).await;
        assert_eq!(done["status"], "ok");
        let session = done["token"].as_str().unwrap();
        assert_eq!(app.me(session).await.status(), StatusCode::OK);
        assert!(may_protect_a_resource(&app, session, "vault").await, "a 2FA session");
        let list = credentials(&app, session).await;
        assert!(list[0]["last_used_at"].is_string(), "{list:?}");
        assert_eq!(list[0]["id"], added["id"]);

        // The used ticket is gone; the same answer on a new ticket answers an old challenge.
        let r = finish_key_login(&app, ticket, &answer).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_ticket".to_owned()));
        let ticket = login_ticket(&app, "bob@example.com").await;
        key_options(&app, &ticket).await;
        let r = finish_key_login(&app, &ticket, &answer).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));

        // Another person's key, answering bob's challenge (a client that drops allowCredentials).
        let carol = app.signed_in("carol@example.com").await;
        let mut carols_key = Authenticator::security_key();
        register(&app, &carol, &mut carols_key, "Carol's key").await;
        let ticket = login_ticket(&app, "bob@example.com").await;
        let mut options = key_options(&app, &ticket).await;
        options.as_object_mut().unwrap().remove("allowCredentials");
        let foreign = carols_key.get(&origin, &options);
        let r = finish_key_login(&app, &ticket, &foreign).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        // The start is single use too: its challenge went with the refused answer.
        let right = key.get(&origin, &options);
        let r = finish_key_login(&app, &ticket, &right).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
    }

    async fn a_passkey_signs_in_without_a_password_once_per_ceremony(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&app);
        let password_session = app.signed_in("erin@example.com").await;
        let mut phone = Authenticator::passkey();
        let added = register(&app, &password_session, &mut phone, "Pixel").await;
        assert_eq!(added["passkey"], true, "registered with user verification");

        let start = passkey_start(&app).await;
        let options = &start["publicKey"];
        assert!(options.get("allowCredentials").and_then(Value::as_array).is_none_or(Vec::is_empty), "{options}");
        assert_eq!(options["userVerification"], "required");
        assert_eq!(options["rpId"], "localhost");
        let answer = phone.get(&origin, options);
        assert!(answer["response"]["userHandle"].is_string(), "a discoverable credential names its user");
        let done = json_of(passkey_finish(&app, &start["ceremony"], &answer).await, StatusCode::OK).await;
        assert_eq!(done["status"], "ok");
        let session = done["token"].as_str().unwrap();
        let me = json_of(app.me(session).await, StatusCode::OK).await;
        assert_eq!(me["email"], "erin@example.com");
        assert!(!may_protect_a_resource(&app, &password_session, "vault").await, "the password session is not 2FA");
        assert!(may_protect_a_resource(&app, session, "vault").await, "the passkey session is 2FA-complete");

        // A ceremony works once; its answer does not work for another.
        let r = passkey_finish(&app, &start["ceremony"], &phone.get(&origin, options)).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_ceremony".to_owned()));
        let other = passkey_start(&app).await;
        let r = passkey_finish(&app, &other["ceremony"], &answer).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_passkey".to_owned()));
        // The same answer twice at once: one session, one refusal.
        let start = passkey_start(&app).await;
        let answer = phone.get(&origin, &start["publicKey"]);
        let (one, two) = tokio::join!(
            passkey_finish(&app, &start["ceremony"], &answer),
            passkey_finish(&app, &start["ceremony"], &answer)
        );
        let mut statuses = [one.status().as_u16(), two.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 400], "one wins, the other finds the ceremony taken");

        // A security key registered without user verification is only ever a second step.
        let frank = app.signed_in("frank@example.com").await;
        let mut yubikey = Authenticator::security_key();
        assert_eq!(register(&app, &frank, &mut yubikey, "YubiKey 5").await["passkey"], false);
        let start = passkey_start(&app).await;
        let answer = yubikey.get(&origin, &start["publicKey"]);
        let r = passkey_finish(&app, &start["ceremony"], &answer).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_passkey".to_owned()));
        assert!(credentials(&app, &frank).await[0]["last_used_at"].is_null());
        sign_in_with_key(&app, "frank@example.com", &mut yubikey).await;
    }

    async fn the_owner_or_a_recovery_code_removes_the_keys(env: TestEnv) {
        let app = webauthn::spawn(&env).await;
        let owner = app.signed_in("owner@example.com").await;
        let body = json!({ "email": "hank@example.com", "password": PASSWORD, "role": "user" });
        let r = call(&app, Method::POST, "/api/v1/users", body, Some(&owner)).await;
        let id = json_of(r, StatusCode::CREATED).await["id"].as_str().unwrap().to_owned();
        let hank = app.token_for("hank@example.com", PASSWORD).await;
        let mut key = Authenticator::passkey();
        register(&app, &hank, &mut key, "Pixel").await;
        let hank = sign_in_with_key(&app, "hank@example.com", &mut key).await;

        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{id}/two-factor"), json!({}), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&hank).await.status(), StatusCode::UNAUTHORIZED);
        let hank = app.token_for("hank@example.com", PASSWORD).await;
        assert!(credentials(&app, &hank).await.is_empty());
        let start = passkey_start(&app).await;
        let r = passkey_finish(&app, &start["ceremony"], &key.get(&webauthn::origin(&app), &start["publicKey"])).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_passkey".to_owned()));

        let mut key = Authenticator::passkey();
        let added = register(&app, &hank, &mut key, "Pixel").await;
        let code = added["recovery_codes"][0].clone();
        let body = json!({ "username": "hank@example.com", "password": PASSWORD, "recovery_code": code });
        let done = json_of(app.post_json("/api/v1/recover", &body, None).await, StatusCode::OK).await;
        let hank = done["token"].as_str().unwrap();
        assert!(credentials(&app, hank).await.is_empty());
        assert_eq!(two_factor(&app, hank).await["enabled"], false);
        assert_eq!(json_of(app.login("hank@example.com", PASSWORD).await, StatusCode::OK).await["status"], "ok");
    }
}

/// Two servers on one PostgreSQL database behind one public URL: a ceremony started on one
/// finishes on the other, for each kind of ceremony.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceremony_started_on_one_node_finishes_on_another_on_postgres() {
    run(Backend::Postgres, |env| async move {
        let a = webauthn::spawn(&env).await;
        let origin = webauthn::origin(&a);
        let public_url = origin.clone();
        let b = env
            .spawn_with(move |args| {
                args.open_registration = Some(true);
                args.public_url = Some(public_url);
            })
            .await;
        let token = a.signed_in("ivy@example.com").await;
        let mut key = Authenticator::passkey();

        let start = start_registration(&a, &token).await;
        let answer = key.create(&origin, &start["publicKey"]);
        let r = finish_registration(&b, &token, &start["ceremony"], "Pixel", &answer).await;
        json_of(r, StatusCode::CREATED).await;

        let ticket = login_ticket(&b, "ivy@example.com").await;
        let options = key_options(&b, &ticket).await;
        let done = json_of(
            finish_key_login(&a, &ticket, &key.get(&origin, &options)).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(done["status"], "ok");

        let start = passkey_start(&a).await;
        let answer = key.get(&origin, &start["publicKey"]);
        let done = json_of(
            passkey_finish(&b, &start["ceremony"], &answer).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(done["status"], "ok");
        // Taken on b, the ceremony is gone on a too.
        let r = passkey_finish(&a, &start["ceremony"], &answer).await;
        assert_eq!(
            error_code(r).await,
            (StatusCode::BAD_REQUEST, "invalid_ceremony".to_owned())
        );
        b.shutdown().await;
        a.shutdown().await;
    })
    .await
}
