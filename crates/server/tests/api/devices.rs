//! Sessions and remembered browsers through the API, on SQLite and PostgreSQL: the exact JSON
//! contract of `GET /api/v1/me/sessions` and `/me/remembered-browsers`, "sign out everywhere
//! else" (`?others=true`), another person's ids answering 404, an administrator listing and
//! ending a user's sessions (audited), and a session ended on one node refused on another at
//! once. Remembering a browser is the sign-in page's (a browser's key); here the rows are put
//! in through the store, as that flow would leave them.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use portcullis_core::UnixTime;
use portcullis_core::model::{RememberedBrowser, RememberedBrowserId, UserId};
use portcullis_core::store::{RememberedBrowsers, Store, Transaction};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn call(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Signs in with the password from a client that says it is `user_agent`: the session token.
async fn token_from(app: &TestApp, email: &str, user_agent: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/login"))
        .header("user-agent", user_agent)
        .json(&json!({ "username": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["token"].as_str().expect("a token").to_owned()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app.me(token).await.json().await.unwrap();
    me["id"].as_str().unwrap().to_owned()
}

/// Whether `token` still opens `GET /api/v1/me`.
async fn alive(app: &TestApp, token: &str) -> bool {
    let status = app.me(token).await.status();
    assert!(
        status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    status == StatusCode::OK
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A remembered browser of `user`, as the sign-in page's registration leaves it.
async fn remember(app: &TestApp, user: &str, id: &str, expires_in: i64) {
    let now = unix_now();
    let browser = RememberedBrowser {
        id: RememberedBrowserId(id.to_owned()),
        user_id: UserId(user.to_owned()),
        public_key: "BPublicKeyOfTheTest".to_owned(),
        created_at: UnixTime(now - 60),
        expires_at: UnixTime(now + expires_in),
        last_used_at: None,
        user_agent: Some(FIREFOX.to_owned()),
        ip: Some("203.0.113.7".to_owned()),
    };
    let mut tx = app.state.services.store.begin().await.unwrap();
    tx.insert_remembered_browser(&browser).await.unwrap();
    tx.commit().await.unwrap();
}

async fn sessions_of(app: &TestApp, token: &str) -> Vec<Value> {
    app.sessions(token).await["sessions"]
        .as_array()
        .unwrap()
        .clone()
}

async fn browsers_of(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(app, Method::GET, "/api/v1/me/remembered-browsers", token).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["browsers"].as_array().unwrap().clone()
}

/// The audit rows of `token`'s person with this type, newest first.
async fn events(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let body: Value = app.audit(token, "").await.json().await.unwrap();
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// A member of the owner's contract with a password: (id, token).
async fn member(app: &TestApp, owner: &str, email: &str, role: &str) -> (String, String) {
    let r = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(owner)
        .json(&json!({ "email": email, "password": PASSWORD, "role": role }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "create {email}");
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, app.token_for(email, PASSWORD).await)
}

on_both_backends! {
    async fn the_session_list_says_where_when_and_how_each_session_signed_in(env: TestEnv) {
        let app = env.spawn().await;
        let first = app.signed_in("amy@example.com").await;
        let curl = token_from(&app, "amy@example.com", "curl/8.5.0").await;

        let list = sessions_of(&app, &curl).await;
        assert_eq!(list.len(), 2);
        let expected: BTreeSet<String> = [
            "id", "current", "user_agent", "address", "created_at", "last_used_at", "methods",
            "device", "kind", "last_seen_at", "expires_at", "ip", "amr", "acr",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        for s in &list {
            assert_eq!(keys(s), expected, "{s}");
            assert_eq!(s["address"], "127.0.0.1");
            assert_eq!(s["methods"], json!(["password"]));
            assert_eq!(s["kind"], "api");
            assert_eq!(s["last_used_at"], s["last_seen_at"]);
            assert!(s["created_at"].as_str().unwrap().ends_with('Z'), "{s}");
        }
        let mine: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(mine.len(), 1, "exactly one session is the caller's");
        assert_eq!(mine[0]["user_agent"], "curl/8.5.0");
        assert_eq!(mine[0]["device"], "curl");
        // The other one is `first`, seen from its own side as current.
        let other = list.iter().find(|s| s["current"] == false).unwrap();
        let seen_by_first = sessions_of(&app, &first).await;
        let current_of_first = seen_by_first.iter().find(|s| s["current"] == true).unwrap();
        assert_eq!(current_of_first["id"], other["id"]);
    }

    async fn others_true_ends_every_session_but_the_callers(env: TestEnv) {
        let app = env.spawn().await;
        let keep = app.signed_in("amy@example.com").await;
        let a = app.token_for("amy@example.com", PASSWORD).await;
        let b = app.token_for("amy@example.com", PASSWORD).await;
        let bob = app.signed_in("bob@example.com").await;

        // Without `others=true` nothing ends: the client must say it means all of them.
        for query in ["", "?others=false"] {
            let r = call(&app, Method::DELETE, &format!("/api/v1/me/sessions{query}"), &keep).await;
            assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".to_owned()), "{query}");
        }
        let r = call(&app, Method::DELETE, "/api/v1/me/sessions?others=maybe", &keep).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_query".to_owned()));
        assert!(alive(&app, &a).await && alive(&app, &b).await, "a refusal ends nothing");

        let r = call(&app, Method::DELETE, "/api/v1/me/sessions?others=true", &keep).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(alive(&app, &keep).await, "the caller's session stays");
        assert!(!alive(&app, &a).await);
        assert!(!alive(&app, &b).await);
        assert!(alive(&app, &bob).await, "another person's sessions are untouched");
        assert_eq!(sessions_of(&app, &keep).await.len(), 1);

        let revoked = events(&app, &keep, "session.others_revoked").await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0]["detail"]["count"], 2);
        let mine = sessions_of(&app, &keep).await;
        assert_eq!(revoked[0]["detail"]["kept"], mine[0]["id"]);

        // Again, with nothing else left: still 204, and a count of 0.
        let r = call(&app, Method::DELETE, "/api/v1/me/sessions?others=true", &keep).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(events(&app, &keep, "session.others_revoked").await[0]["detail"]["count"], 0);
    }

    async fn remembered_browsers_are_listed_and_forgotten_by_their_owner_only(env: TestEnv) {
        let app = env.spawn().await;
        let amy = app.signed_in("amy@example.com").await;
        let bob = app.signed_in("bob@example.com").await;
        let amy_id = user_id(&app, &amy).await;
        let bob_id = user_id(&app, &bob).await;
        assert!(browsers_of(&app, &amy).await.is_empty());

        remember(&app, &amy_id, "amy-laptop", 30 * 86_400).await;
        remember(&app, &amy_id, "amy-old", -60).await;
        remember(&app, &bob_id, "bob-laptop", 30 * 86_400).await;

        let list = browsers_of(&app, &amy).await;
        assert_eq!(list.len(), 1, "a browser past its date is not listed: {list:?}");
        let b = &list[0];
        let expected: BTreeSet<String> = [
            "id", "device", "user_agent", "address", "created_at", "last_used_at", "expires_at",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        assert_eq!(keys(b), expected);
        assert_eq!(b["id"], "amy-laptop");
        assert_eq!(b["device"], "Firefox on Linux");
        assert_eq!(b["user_agent"], FIREFOX);
        assert_eq!(b["address"], "203.0.113.7");
        assert_eq!(b["last_used_at"], Value::Null);

        // Bob's browser, or one that does not exist, answers 404 to Amy, and stays.
        for id in ["bob-laptop", "nobody"] {
            let r = call(&app, Method::DELETE, &format!("/api/v1/me/remembered-browsers/{id}"), &amy).await;
            assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()), "{id}");
        }
        assert_eq!(browsers_of(&app, &bob).await.len(), 1);
        assert!(events(&app, &amy, "browser.forgotten").await.is_empty());

        let r = call(&app, Method::DELETE, "/api/v1/me/remembered-browsers/amy-laptop", &amy).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(browsers_of(&app, &amy).await.is_empty());
        let forgotten = events(&app, &amy, "browser.forgotten").await;
        assert_eq!(forgotten.len(), 1);
        assert_eq!(forgotten[0]["detail"]["browser_id"], "amy-laptop");
        // Forgotten once: a second time is 404.
        let r = call(&app, Method::DELETE, "/api/v1/me/remembered-browsers/amy-laptop", &amy).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    async fn another_persons_session_answers_404_and_stays(env: TestEnv) {
        let app = env.spawn().await;
        let amy = app.signed_in("amy@example.com").await;
        let bob = app.signed_in("bob@example.com").await;
        let bobs = sessions_of(&app, &bob).await;
        let bob_session = bobs[0]["id"].as_str().unwrap();
        let r = call(&app, Method::DELETE, &format!("/api/v1/me/sessions/{bob_session}"), &amy).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));
        assert!(alive(&app, &bob).await);
    }

    async fn an_administrator_lists_and_ends_a_users_sessions(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let owner_id = user_id(&app, &owner).await;
        let (admin_id, admin) = member(&app, &owner, "admin@example.com", "administrator").await;
        let (user, first) = member(&app, &owner, "user@example.com", "user").await;
        let second = token_from(&app, "user@example.com", FIREFOX).await;
        let third = app.token_for("user@example.com", PASSWORD).await;
        remember(&app, &user, "user-laptop", 30 * 86_400).await;
        let stranger = app.signed_in("stranger@example.com").await;
        let stranger_id = user_id(&app, &stranger).await;

        let r = call(&app, Method::GET, &format!("/api/v1/users/{user}/sessions"), &admin).await;
        assert_eq!(r.status(), StatusCode::OK);
        let list: Value = r.json().await.unwrap();
        let list = list["sessions"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|s| s["current"] == false));
        let firefox = list.iter().find(|s| s["device"] == "Firefox on Linux").unwrap();
        let firefox_id = firefox["id"].as_str().unwrap().to_owned();

        // Who may not: a plain user (403), an administrator on the owner or on themselves (403),
        // another contract's owner or user (404), and a session that is not the user's (404).
        let (_, plain) = member(&app, &owner, "plain@example.com", "user").await;
        let refusals = [
            (&plain, Method::GET, format!("/api/v1/users/{user}/sessions"), StatusCode::FORBIDDEN),
            (&plain, Method::DELETE, format!("/api/v1/users/{user}/sessions"), StatusCode::FORBIDDEN),
            (&admin, Method::GET, format!("/api/v1/users/{owner_id}/sessions"), StatusCode::FORBIDDEN),
            (&admin, Method::DELETE, format!("/api/v1/users/{owner_id}/sessions"), StatusCode::FORBIDDEN),
            (&admin, Method::GET, format!("/api/v1/users/{stranger_id}/sessions"), StatusCode::NOT_FOUND),
            (&stranger, Method::DELETE, format!("/api/v1/users/{user}/sessions/{firefox_id}"), StatusCode::NOT_FOUND),
            (&admin, Method::DELETE, format!("/api/v1/users/{stranger_id}/sessions"), StatusCode::NOT_FOUND),
            (&admin, Method::DELETE, format!("/api/v1/users/{admin_id}/sessions/{firefox_id}"), StatusCode::FORBIDDEN),
            (&owner, Method::DELETE, format!("/api/v1/users/{admin_id}/sessions/{firefox_id}"), StatusCode::NOT_FOUND),
        ];
        for (token, method, path, status) in refusals {
            let r = call(&app, method.clone(), &path, token).await;
            assert_eq!(error_code(r).await.0, status, "{method} {path}");
        }
        assert!(alive(&app, &first).await && alive(&app, &second).await && alive(&app, &third).await);
        assert!(alive(&app, &owner).await);

        // One session.
        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{user}/sessions/{firefox_id}"), &admin).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(!alive(&app, &second).await);
        assert!(alive(&app, &first).await && alive(&app, &third).await);
        let ended = events(&app, &first, "session.revoked").await;
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0]["actor_id"], admin_id.as_str());
        assert_eq!(ended[0]["subject_id"], user.as_str());
        assert_eq!(ended[0]["detail"]["session_id"], firefox_id.as_str());
        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{user}/sessions/{firefox_id}"), &admin).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "ended once");

        // All of them, and the remembered browser with them.
        let r = call(&app, Method::DELETE, &format!("/api/v1/users/{user}/sessions"), &admin).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(!alive(&app, &first).await && !alive(&app, &third).await);
        assert!(alive(&app, &admin).await, "the administrator's own session stays");
        let again = app.token_for("user@example.com", PASSWORD).await;
        assert!(browsers_of(&app, &again).await.is_empty(), "the remembered browser is forgotten");
        let all = events(&app, &again, "session.others_revoked").await;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0]["actor_id"], admin_id.as_str());
        assert_eq!(all[0]["subject_id"], user.as_str());
        assert_eq!(all[0]["detail"], json!({ "count": 2, "kept": null }));
        let forgotten = events(&app, &again, "browser.forgotten").await;
        assert_eq!(forgotten.len(), 1);
        assert_eq!(forgotten[0]["actor_id"], admin_id.as_str());
        assert_eq!(forgotten[0]["detail"]["browser_id"], "user-laptop");
    }

    async fn a_session_ended_on_one_node_is_refused_on_the_other_at_once(env: TestEnv) {
        let a = env.spawn().await;
        let b = env.spawn().await;
        let keep = a.signed_in("amy@example.com").await;
        let other = b.token_for("amy@example.com", PASSWORD).await;
        let single = b.token_for("amy@example.com", PASSWORD).await;
        assert!(alive(&b, &other).await && alive(&a, &other).await);

        // One session, ended on A, used on B next.
        let id = sessions_of(&b, &single)
            .await
            .into_iter()
            .find(|s| s["current"] == true)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = call(&a, Method::DELETE, &format!("/api/v1/me/sessions/{id}"), &keep).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(!alive(&b, &single).await, "node B refuses it at once");

        // Everywhere else, from A.
        let r = call(&a, Method::DELETE, "/api/v1/me/sessions?others=true", &keep).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(!alive(&b, &other).await, "node B refuses it at once");
        assert!(alive(&b, &keep).await, "the caller's session works on both nodes");
    }
}
