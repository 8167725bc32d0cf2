//! Contract administration through the real server, on SQLite and PostgreSQL: the role × action
//! matrix, forced 2FA with the login-time wizard, the admin reset, the contract policy, 2FA-protected
//! resources, and tenant isolation.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp::code;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn login_json(app: &TestApp, email: &str) -> Value {
    app.login(email, PASSWORD).await.json().await.unwrap()
}

/// Creates a member of the admin's contract with a password; returns (id, token after login).
async fn member(app: &TestApp, admin: &str, email: &str, role: &str) -> (String, String) {
    let r = call(
        app,
        Method::POST,
        "/api/v1/users",
        admin,
        Some(json!({ "email": email, "password": PASSWORD, "role": role })),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED, "create {email}");
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = app.token_for(email, PASSWORD).await;
    (id, token)
}

/// Activates TOTP for the token's user; returns the secret.
async fn with_totp(app: &TestApp, token: &str) -> String {
    let start: Value = call(app, Method::POST, "/api/v1/me/totp", token, Some(json!({})))
        .await
        .json()
        .await
        .unwrap();
    let secret = start["secret"].as_str().unwrap().to_owned();
    let r = call(
        app,
        Method::POST,
        "/api/v1/me/totp/activate",
        token,
        Some(json!({ "password": PASSWORD, "code": code(&secret, 0) })),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    secret
}

/// A session completed with a second factor (the code of the next step, so it is fresh).
async fn two_factor_token(app: &TestApp, email: &str, secret: &str) -> String {
    let step = login_json(app, email).await;
    assert_eq!(step["status"], "second_factor");
    let r = app
        .post_json(
            "/api/v1/login/totp",
            &json!({ "login_ticket": step["login_ticket"], "code": code(secret, 1) }),
            None,
        )
        .await;
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .expect("a session")
        .to_owned()
}

/// (who, their token, method, path, body, expected status)
type Case<'a> = (&'a str, &'a str, Method, String, Option<Value>, u16);

on_both_backends! {
    async fn each_role_may_do_exactly_what_the_policy_allows(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let (admin_id, admin) = member(&app, &owner, "admin@example.com", "administrator").await;
        let (user_id, user) = member(&app, &owner, "user@example.com", "user").await;
        let (other_admin_id, _) = member(&app, &owner, "admin2@example.com", "administrator").await;
        let (victim_id, _) = member(&app, &owner, "victim@example.com", "user").await;
        let stranger = app.signed_in("stranger@example.com").await;
        let me: Value = app.me(&owner).await.json().await.unwrap();
        let owner_id = me["id"].as_str().unwrap().to_owned();

        let status = |r: reqwest::Response| r.status().as_u16();
        // (who, method, path, body, expected)
        let cases: Vec<Case> = vec![
            ("owner", owner.as_str(), Method::GET, "/api/v1/users".into(), None, 200),
            ("admin", admin.as_str(), Method::GET, "/api/v1/users".into(), None, 200),
            ("user", user.as_str(), Method::GET, "/api/v1/users".into(), None, 403),
            ("stranger", stranger.as_str(), Method::GET, format!("/api/v1/users/{user_id}"), None, 404),
            ("admin", admin.as_str(), Method::GET, format!("/api/v1/users/{user_id}"), None, 200),
            ("user", user.as_str(), Method::POST, "/api/v1/users".into(), Some(json!({ "email": "x1@example.com", "password": PASSWORD })), 403),
            ("admin", admin.as_str(), Method::POST, "/api/v1/users".into(), Some(json!({ "email": "x2@example.com", "password": PASSWORD, "role": "administrator" })), 403),
            ("admin", admin.as_str(), Method::POST, "/api/v1/users".into(), Some(json!({ "email": "x3@example.com", "password": PASSWORD })), 201),
            ("owner", owner.as_str(), Method::POST, "/api/v1/users".into(), Some(json!({ "email": "x4@example.com", "password": PASSWORD, "role": "owner" })), 422),
            ("admin", admin.as_str(), Method::PATCH, format!("/api/v1/users/{user_id}"), Some(json!({ "force_2fa": true })), 200),
            ("admin", admin.as_str(), Method::PATCH, format!("/api/v1/users/{user_id}"), Some(json!({ "force_2fa": false })), 403),
            ("admin", admin.as_str(), Method::PATCH, format!("/api/v1/users/{other_admin_id}"), Some(json!({ "force_2fa": true })), 403),
            ("admin", admin.as_str(), Method::PATCH, format!("/api/v1/users/{owner_id}"), Some(json!({ "force_2fa": true })), 403),
            ("admin", admin.as_str(), Method::PATCH, format!("/api/v1/users/{user_id}"), Some(json!({ "role": "administrator" })), 403),
            ("owner", owner.as_str(), Method::PATCH, format!("/api/v1/users/{other_admin_id}"), Some(json!({ "force_2fa": true })), 200),
            ("owner", owner.as_str(), Method::PATCH, format!("/api/v1/users/{owner_id}"), Some(json!({ "force_2fa": true })), 403),
            ("user", user.as_str(), Method::PATCH, format!("/api/v1/users/{user_id}"), Some(json!({ "force_2fa": false })), 403),
            ("stranger", stranger.as_str(), Method::PATCH, format!("/api/v1/users/{user_id}"), Some(json!({ "force_2fa": false })), 404),
            ("admin", admin.as_str(), Method::DELETE, format!("/api/v1/users/{admin_id}/two-factor"), None, 403),
            ("admin", admin.as_str(), Method::DELETE, format!("/api/v1/users/{victim_id}/two-factor"), None, 204),
            ("stranger", stranger.as_str(), Method::DELETE, format!("/api/v1/users/{victim_id}/two-factor"), None, 404),
            ("user", user.as_str(), Method::GET, "/api/v1/contract".into(), None, 403),
            ("admin", admin.as_str(), Method::PATCH, "/api/v1/contract".into(), Some(json!({ "require_2fa": true })), 200),
            ("admin", admin.as_str(), Method::PATCH, "/api/v1/contract".into(), Some(json!({ "require_2fa": false })), 403),
            ("owner", owner.as_str(), Method::PATCH, "/api/v1/contract".into(), Some(json!({ "require_2fa": false })), 200),
            ("user", user.as_str(), Method::POST, "/api/v1/groups".into(), Some(json!({ "name": "ops" })), 403),
            ("admin", admin.as_str(), Method::POST, "/api/v1/groups".into(), Some(json!({ "name": "ops" })), 201),
            ("owner", owner.as_str(), Method::POST, "/api/v1/groups".into(), Some(json!({ "name": "ops" })), 409),
            ("user", user.as_str(), Method::POST, "/api/v1/resources".into(), Some(json!({ "kind": "datacenter", "name": "dc" })), 403),
            ("admin", admin.as_str(), Method::POST, "/api/v1/resources".into(), Some(json!({ "kind": "datacenter", "name": "dc" })), 201),
            ("admin", admin.as_str(), Method::POST, "/api/v1/resources".into(), Some(json!({ "kind": "snapshot", "name": "s", "requires_2fa": true })), 403),
            ("admin", admin.as_str(), Method::POST, "/api/v1/resources".into(), Some(json!({ "kind": "vm", "name": "s" })), 422),
            ("user", user.as_str(), Method::GET, "/api/v1/resources".into(), None, 200),
            ("admin", admin.as_str(), Method::DELETE, format!("/api/v1/users/{other_admin_id}"), None, 403),
            ("owner", owner.as_str(), Method::DELETE, format!("/api/v1/users/{owner_id}"), None, 403),
            ("user", user.as_str(), Method::DELETE, format!("/api/v1/users/{user_id}"), None, 403),
            ("admin", admin.as_str(), Method::DELETE, format!("/api/v1/users/{user_id}"), None, 204),
            ("owner", owner.as_str(), Method::DELETE, format!("/api/v1/users/{other_admin_id}"), None, 204),
        ];
        let mut wrong = Vec::new();
        for (who, token, method, path, body, expected) in cases {
            let got = status(call(&app, method.clone(), &path, token, body).await);
            if got != expected {
                wrong.push(format!("{who} {method} {path}: {got}, expected {expected}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(app.me(&user).await.status(), StatusCode::UNAUTHORIZED, "a deleted user's session is gone");
        let types = app.audit_types(&owner).await;
        assert!(types.contains(&"user.created".to_owned()), "{types:?}");
    }

    async fn a_forced_user_is_led_through_the_wizard_and_cannot_remove_their_factor(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let (id, user) = member(&app, &owner, "frank@example.com", "user").await;
        let r = call(&app, Method::PATCH, &format!("/api/v1/users/{id}"), &owner, Some(json!({ "force_2fa": true }))).await;
        assert_eq!(r.json::<Value>().await.unwrap()["two_factor"]["forced"], true);
        assert_eq!(app.me(&user).await.status(), StatusCode::OK, "effective with the next login");

        let step = login_json(&app, "frank@example.com").await;
        assert_eq!(step["status"], "enrollment_required");
        assert_eq!(step["methods"], json!(["totp", "webauthn"]), "the setups on offer");
        assert!(step.get("token").is_none());
        let ticket = step["login_ticket"].as_str().unwrap().to_owned();
        // The ticket allows the wizard only: not the second step, not the API.
        let r = app.post_json("/api/v1/login/totp", &json!({ "login_ticket": ticket, "code": "123456" }), None).await;
        assert_eq!(error_code(r).await.1, "invalid_ticket");
        assert_eq!(app.me(&ticket).await.status(), StatusCode::UNAUTHORIZED);

        let start: Value = app.post_json("/api/v1/login/enroll/totp", &json!({ "login_ticket": ticket }), None).await.json().await.unwrap();
        let secret = start["secret"].as_str().unwrap().to_owned();
        assert!(start["qr_svg"].as_str().unwrap().contains("<svg"));
        let r = app.post_json("/api/v1/login/enroll/totp/activate", &json!({ "login_ticket": ticket, "code": "000000" }), None).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code".to_owned()));
        let done: Value = app
            .post_json("/api/v1/login/enroll/totp/activate", &json!({ "login_ticket": ticket, "code": code(&secret, 0) }), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(done["status"], "ok");
        assert_eq!(done["recovery_codes"].as_array().unwrap().len(), 10);
        let token = done["token"].as_str().unwrap().to_owned();
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["two_factor"]["forced"], true);
        assert_eq!(me["two_factor"]["enabled"], true);
        let r = app.client.delete(app.url("/api/v1/me/totp")).bearer_auth(&token).json(&json!({ "password": PASSWORD })).send().await.unwrap();
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "two_factor_enforced".to_owned()));

        // The admin resets: factors gone, sessions ended, and the wizard runs again.
        assert_eq!(call(&app, Method::DELETE, &format!("/api/v1/users/{id}/two-factor"), &owner, None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&token).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(login_json(&app, "frank@example.com").await["status"], "enrollment_required");
        // Unforced, the password alone logs in again.
        call(&app, Method::PATCH, &format!("/api/v1/users/{id}"), &owner, Some(json!({ "force_2fa": false }))).await;
        assert_eq!(login_json(&app, "frank@example.com").await["status"], "ok");
        let frank = app.token_for("frank@example.com", PASSWORD).await;
        let types = app.audit_types(&frank).await;
        for t in ["two_factor.forced", "two_factor.unforced", "two_factor.reset_by_admin", "totp.activated"] {
            assert!(types.contains(&t.to_owned()), "{t} missing from {types:?}");
        }
        let told = app.message_to("email", "frank@example.com", |m| m["subject"].as_str().is_some_and(|s| s.contains("administrator reset"))).await;
        let told = told["body"].as_str().unwrap();
        assert!(told.contains("owner@example.com, the owner of your organisation's account"), "the user is told who reset it: {told}");
        assert!(!told.contains("/lock?token="), "no lock link for a change the owner made: {told}");
    }

    async fn the_contract_policy_forces_everyone_and_only_the_owner_clears_it(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let (_, admin) = member(&app, &owner, "admin@example.com", "administrator").await;
        member(&app, &owner, "user@example.com", "user").await;
        let r = call(&app, Method::PATCH, "/api/v1/contract", &admin, Some(json!({ "require_2fa": true }))).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({ "require_2fa": true, "require_phishing_resistant": false, "remember_browser_days": 30, "new_sign_in_notice": true }));
        assert_eq!(login_json(&app, "user@example.com").await["status"], "enrollment_required");
        assert_eq!(login_json(&app, "owner@example.com").await["status"], "enrollment_required");
        let r = call(&app, Method::PATCH, "/api/v1/contract", &admin, Some(json!({ "require_2fa": false }))).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = call(&app, Method::PATCH, "/api/v1/contract", &owner, Some(json!({ "require_2fa": false }))).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(login_json(&app, "user@example.com").await["status"], "ok");
    }


    async fn protected_resources_appear_only_after_a_second_factor_login(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let (user_id, user) = member(&app, &owner, "user@example.com", "user").await;
        let owner_secret = with_totp(&app, &owner).await;
        // Protecting needs a 2FA session: the password session that set up 2FA has none.
        let r = call(&app, Method::POST, "/api/v1/resources", &owner, Some(json!({ "kind": "datacenter", "name": "vault", "requires_2fa": true }))).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let owner2 = two_factor_token(&app, "owner@example.com", &owner_secret).await;
        let vault: Value = call(&app, Method::POST, "/api/v1/resources", &owner2, Some(json!({ "kind": "datacenter", "name": "vault", "requires_2fa": true }))).await.json().await.unwrap();
        let open: Value = call(&app, Method::POST, "/api/v1/resources", &owner2, Some(json!({ "kind": "snapshot", "name": "daily" }))).await.json().await.unwrap();
        let hidden: Value = call(&app, Method::POST, "/api/v1/resources", &owner2, Some(json!({ "kind": "snapshot", "name": "not granted" }))).await.json().await.unwrap();
        let group: Value = call(&app, Method::POST, "/api/v1/groups", &owner2, Some(json!({ "name": "ops" }))).await.json().await.unwrap();
        let gid = group["id"].as_str().unwrap();
        assert_eq!(call(&app, Method::PUT, &format!("/api/v1/groups/{gid}/members/{user_id}"), &owner2, None).await.status(), StatusCode::NO_CONTENT);
        for r in [&vault, &open] {
            let path = format!("/api/v1/resources/{}/grants/{gid}", r["id"].as_str().unwrap());
            assert_eq!(call(&app, Method::PUT, &path, &owner2, None).await.status(), StatusCode::NO_CONTENT);
        }
        let names = |v: Value| -> Vec<String> {
            v["resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
        };
        let list = |t: String| { let app = &app; async move { names(call(app, Method::GET, "/api/v1/resources", &t, None).await.json().await.unwrap()) } };
        assert_eq!(list(owner2.clone()).await, ["daily", "not granted", "vault"]);
        assert_eq!(list(owner.clone()).await, ["daily", "not granted"], "the owner's password session does not see it");
        assert_eq!(list(user.clone()).await, ["daily"], "granted, but no second factor");
        let vault_path = format!("/api/v1/resources/{}", vault["id"].as_str().unwrap());
        assert_eq!(call(&app, Method::GET, &vault_path, &user, None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::GET, &format!("/api/v1/resources/{}", hidden["id"].as_str().unwrap()), &user, None).await.status(), StatusCode::NOT_FOUND);

        let user_secret = with_totp(&app, &user).await;
        let user2 = two_factor_token(&app, "user@example.com", &user_secret).await;
        assert_eq!(list(user2.clone()).await, ["daily", "vault"]);
        assert_eq!(call(&app, Method::GET, &vault_path, &user2, None).await.status(), StatusCode::OK);
        // Unprotecting is allowed; re-protecting needs a 2FA session again.
        let r = call(&app, Method::PATCH, &vault_path, &owner2, Some(json!({ "requires_2fa": false }))).await;
        assert_eq!(r.json::<Value>().await.unwrap()["requires_2fa"], false);
        let r = call(&app, Method::PATCH, &vault_path, &owner, Some(json!({ "requires_2fa": true }))).await;
        assert_eq!(error_code(r).await.0, StatusCode::FORBIDDEN);
        let types = app.audit_types(&owner2).await;
        assert!(types.contains(&"resource.created".to_owned()) && types.contains(&"resource.granted".to_owned()), "{types:?}");
    }

    async fn one_contract_never_sees_another(env: TestEnv) {
        let app = env.spawn().await;
        let a = app.signed_in("a@example.com").await;
        let b = app.signed_in("b@example.com").await;
        let (a_user, _) = member(&app, &a, "a-user@example.com", "user").await;
        let group: Value = call(&app, Method::POST, "/api/v1/groups", &a, Some(json!({ "name": "ops" }))).await.json().await.unwrap();
        let res: Value = call(&app, Method::POST, "/api/v1/resources", &a, Some(json!({ "kind": "datacenter", "name": "dc" }))).await.json().await.unwrap();
        let (gid, rid) = (group["id"].as_str().unwrap(), res["id"].as_str().unwrap());
        let list: Value = call(&app, Method::GET, "/api/v1/users", &b, None).await.json().await.unwrap();
        assert_eq!(list["users"].as_array().unwrap().len(), 1, "only b itself");
        for (method, path) in [
            (Method::GET, format!("/api/v1/users/{a_user}")),
            (Method::DELETE, format!("/api/v1/users/{a_user}")),
            (Method::PUT, format!("/api/v1/groups/{gid}/members/{a_user}")),
            (Method::GET, format!("/api/v1/resources/{rid}")),
            (Method::DELETE, format!("/api/v1/resources/{rid}")),
            (Method::PUT, format!("/api/v1/resources/{rid}/grants/{gid}")),
        ] {
            let r = call(&app, method.clone(), &path, &b, None).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        }
        let groups: Value = call(&app, Method::GET, "/api/v1/groups", &b, None).await.json().await.unwrap();
        assert_eq!(groups, json!({ "groups": [] }));
        let resources: Value = call(&app, Method::GET, "/api/v1/resources", &b, None).await.json().await.unwrap();
        assert_eq!(resources, json!({ "resources": [] }));
    }

    async fn an_invited_user_gets_a_set_password_link_in_the_outbox(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let r = call(&app, Method::POST, "/api/v1/users", &owner, Some(json!({ "email": "new@example.com" }))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(app.login("new@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        let invitation = app.nth_message_to("email", "new@example.com", 1).await;
        let link = format!("{}/invite?token=", app.base);
        assert!(invitation["body"].as_str().unwrap().contains(&link), "{invitation}");
        assert!(invitation["html"].as_str().unwrap().contains(&link), "{invitation}");
        // Once marked sent, the link no longer rests in the database: the payload is wiped.
        let mut kept = -1;
        for _ in 0..200 {
            kept = sqlx_count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = 'new@example.com' AND (sealed IS NOT NULL OR body <> '' OR sent_at IS NULL)").await;
            if kept == 0 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(kept, 0);
        let links = sqlx_count(&app, "SELECT COUNT(*) FROM password_links").await;
        assert_eq!(links, 1);
    }
}

async fn sqlx_count(app: &TestApp, sql: &'static str) -> i64 {
    use sqlx::Row;
    let row = sqlx::query(sql)
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap();
    row.try_get::<i64, _>(0).unwrap()
}
