//! OpenID Connect clients through `/api/v1/oidc/clients`, and the provider's discovery and JWKS
//! answers, on SQLite and PostgreSQL: the owner registers, lists, changes, rotates and deletes;
//! the secret appears once; bad input is a 422 that writes nothing; another contract and a plain
//! user are refused. The client check the token endpoint uses is called on the server's own
//! services, as oidc-flow will.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::Error;
use portcullis_core::oidc::jose::Alg;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};

const CLIENTS: &str = "/api/v1/oidc/clients";

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

fn grafana() -> Value {
    json!({
        "name": "Grafana",
        "redirect_uris": ["https://grafana.example.com/login/generic_oauth"],
    })
}

/// Registers a client; returns the whole answer.
async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = call(app, Method::POST, CLIENTS, token, Some(body)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn list(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(app, Method::GET, CLIENTS, token, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["clients"]
        .as_array()
        .unwrap()
        .clone()
}

async fn authenticates(app: &TestApp, client_id: &str, secret: Option<&str>) -> bool {
    match app
        .state
        .services
        .oidc_authenticate_client(client_id, secret)
        .await
    {
        Ok(client) => client.client_id == client_id,
        Err(Error::InvalidClient) => false,
        Err(e) => panic!("unexpected {e:?}"),
    }
}

fn unb64(s: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s.as_str().unwrap()).unwrap()
}

on_both_backends! {
    async fn an_owner_registers_a_confidential_client_whose_secret_is_shown_once(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let created = create(&app, &owner, grafana()).await;
        let client_id = created["client_id"].as_str().unwrap().to_owned();
        let secret = created["client_secret"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 43, "32 random bytes, base64url");
        assert!(client_id.len() >= 22 && client_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(created["public"], false);
        assert_eq!(created["redirect_uris"], json!(["https://grafana.example.com/login/generic_oauth"]));

        let listed = list(&app, &owner).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["client_id"], client_id.as_str());
        let one: Value = call(&app, Method::GET, &format!("{CLIENTS}/{client_id}"), &owner, None).await.json().await.unwrap();
        for answer in [&listed[0], &one] {
            assert!(answer.get("client_secret").is_none());
            assert!(!answer.to_string().contains(&secret), "the secret is never shown again");
        }

        assert!(authenticates(&app, &client_id, Some(&secret)).await);
        assert!(!authenticates(&app, &client_id, Some("wrong")).await);
        assert!(!authenticates(&app, &client_id, None).await, "a confidential client needs its secret");
        assert!(!authenticates(&app, "no-such-client", Some(&secret)).await);
        assert!(app.audit_types(&owner).await.contains(&"oidc.client_created".to_owned()));
    }

    async fn a_public_client_has_no_secret_and_must_not_send_one(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let created = create(&app, &owner, json!({
            "name": "CLI", "redirect_uris": ["http://127.0.0.1:53123/callback"], "public": true,
        })).await;
        let client_id = created["client_id"].as_str().unwrap();
        assert_eq!(created["client_secret"], Value::Null);
        assert!(authenticates(&app, client_id, None).await);
        assert!(!authenticates(&app, client_id, Some("anything")).await);
        let r = call(&app, Method::POST, &format!("{CLIENTS}/{client_id}/secret"), &owner, None).await;
        assert_eq!(error_code(r).await, (StatusCode::CONFLICT, "conflict".to_owned()));
    }

    async fn a_new_secret_replaces_the_old_one_at_once(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let created = create(&app, &owner, grafana()).await;
        let client_id = created["client_id"].as_str().unwrap();
        let old = created["client_secret"].as_str().unwrap();
        let r = call(&app, Method::POST, &format!("{CLIENTS}/{client_id}/secret"), &owner, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        let new = body["client_secret"].as_str().unwrap();
        assert_ne!(new, old);
        assert!(!authenticates(&app, client_id, Some(old)).await);
        assert!(authenticates(&app, client_id, Some(new)).await);
        assert!(app.audit_types(&owner).await.contains(&"oidc.client_secret_rotated".to_owned()));
    }

    async fn an_owner_changes_and_deletes_a_client(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let r = call(&app, Method::POST, "/api/v1/groups", &owner, Some(json!({ "name": "ops" }))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created = create(&app, &owner, grafana()).await;
        let client_id = created["client_id"].as_str().unwrap();
        let path = format!("{CLIENTS}/{client_id}");
        let r = call(&app, Method::PATCH, &path, &owner, Some(json!({
            "name": "Grafana (ops)",
            "redirect_uris": ["https://grafana.example.com/cb", "http://localhost:3000/cb"],
            "require_2fa": true,
            "first_party": true,
            "groups": ["ops"],
        }))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let one: Value = call(&app, Method::GET, &path, &owner, None).await.json().await.unwrap();
        assert_eq!(one["name"], "Grafana (ops)");
        assert_eq!(one["redirect_uris"], json!(["https://grafana.example.com/cb", "http://localhost:3000/cb"]));
        assert_eq!((one["require_2fa"].clone(), one["first_party"].clone()), (json!(true), json!(true)));
        assert_eq!(one["groups"], json!(["ops"]));
        let stored = app.state.services.client_by_client_id(client_id).await.unwrap().unwrap();
        assert_eq!(stored.groups.len(), 1);

        let r = call(&app, Method::DELETE, &path, &owner, None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = call(&app, Method::GET, &path, &owner, None).await;
        assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()));
        let r = call(&app, Method::DELETE, &path, &owner, None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(app.state.services.client_by_client_id(client_id).await.unwrap().is_none());
        let kinds = app.audit_types(&owner).await;
        assert!(kinds.contains(&"oidc.client_updated".to_owned()) && kinds.contains(&"oidc.client_deleted".to_owned()));
    }

    async fn bad_registrations_are_refused_with_422_and_write_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        for (body, code) in [
            (json!({ "name": "x", "redirect_uris": ["http://app.example.com/cb"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": ["https://app.example.com/cb#top"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": ["https://*.example.com/cb"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": ["/cb"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": [] }), "validation_failed"),
            (json!({ "name": "  ", "redirect_uris": ["https://a.example/cb"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": ["https://a.example/cb"], "groups": ["nobody"] }), "validation_failed"),
            (json!({ "name": "x", "redirect_uris": ["https://a.example/cb"], "secret": "mine" }), "invalid_body"),
            (json!({ "name": "x" }), "invalid_body"),
        ] {
            let r = call(&app, Method::POST, CLIENTS, &owner, Some(body.clone())).await;
            assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned()), "{body}");
        }
        assert!(list(&app, &owner).await.is_empty());

        let created = create(&app, &owner, grafana()).await;
        let path = format!("{CLIENTS}/{}", created["client_id"].as_str().unwrap());
        let r = call(&app, Method::PATCH, &path, &owner, Some(json!({ "redirect_uris": ["ftp://a.example/cb"] }))).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let one: Value = call(&app, Method::GET, &path, &owner, None).await.json().await.unwrap();
        assert_eq!(one["redirect_uris"], created["redirect_uris"], "a refused change changes nothing");
    }

    async fn another_contract_and_plain_users_cannot_see_or_touch_clients(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@a.example").await;
        let stranger = app.signed_in("owner@b.example").await;
        let created = create(&app, &owner, grafana()).await;
        let path = format!("{CLIENTS}/{}", created["client_id"].as_str().unwrap());
        assert!(list(&app, &stranger).await.is_empty());
        for (method, suffix, body) in [
            (Method::GET, "", None),
            (Method::PATCH, "", Some(json!({ "name": "mine now" }))),
            (Method::POST, "/secret", None),
            (Method::DELETE, "", None),
        ] {
            let r = call(&app, method.clone(), &format!("{path}{suffix}"), &stranger, body).await;
            assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "not_found".to_owned()), "{method} {suffix}");
        }

        let r = call(&app, Method::POST, "/api/v1/users", &owner, Some(json!({
            "email": "user@a.example", "password": PASSWORD, "role": "user",
        }))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let user = app.token_for("user@a.example", PASSWORD).await;
        let r = call(&app, Method::GET, CLIENTS, &user, None).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = call(&app, Method::POST, CLIENTS, &user, Some(grafana())).await;
        assert_eq!(error_code(r).await, (StatusCode::FORBIDDEN, "forbidden".to_owned()));
        let r = call(&app, Method::DELETE, &path, &user, None).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app.get(CLIENTS, None).await;
        assert_eq!(error_code(r).await.0, StatusCode::UNAUTHORIZED);

        let one: Value = call(&app, Method::GET, &path, &owner, None).await.json().await.unwrap();
        assert_eq!(one["name"], "Grafana", "nothing the others tried changed it");
    }

    async fn discovery_names_the_issuer_exactly_and_the_flow_endpoints(env: TestEnv) {
        let app = env.spawn_with(|a| {
            a.open_registration = Some(true);
            a.public_url = Some("https://id.example.com/".to_owned());
        }).await;
        let r = app.get("/.well-known/openid-configuration", None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age"));
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["issuer"], "https://id.example.com/", "exactly as given, slash and all");
        assert_eq!(doc["authorization_endpoint"], "https://id.example.com/oauth2/authorize");
        assert_eq!(doc["token_endpoint"], "https://id.example.com/oauth2/token");
        assert_eq!(doc["jwks_uri"], "https://id.example.com/oauth2/jwks");
        assert_eq!(doc["end_session_endpoint"], "https://id.example.com/oauth2/logout");
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["RS256", "ES256", "EdDSA"]));
        assert_eq!(doc["acr_values_supported"], json!(["pwd", "mfa", "phr"]));
        assert_eq!(doc["subject_types_supported"], json!(["public"]));
    }

    async fn jwks_publishes_one_key_per_algorithm_that_checks_the_tokens_we_sign(env: TestEnv) {
        let app = env.spawn().await;
        let r = app.get("/oauth2/jwks", None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.starts_with("public, max-age="), "{cache}");
        let jwks: Value = r.json().await.unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
        algs.sort();
        assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);
        for key in keys {
            assert_eq!(key["use"], "sig");
            assert!(key.get("d").is_none() && key.get("p").is_none(), "no private part");
        }

        let claims = json!({ "iss": app.state.config.issuer, "sub": "u1", "aud": "c1" });
        let token = app.state.services.oidc_sign_with(Alg::EdDsa, &claims).await.unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let header: Value = serde_json::from_slice(&unb64(&json!(parts[0]))).unwrap();
        let jwk = keys.iter().find(|k| k["kid"] == header["kid"]).expect("the token's kid is published");
        let public: [u8; 32] = unb64(&jwk["x"]).try_into().unwrap();
        let verifying = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
        let signature = ed25519_dalek::Signature::from_slice(&unb64(&json!(parts[2]))).unwrap();
        verifying.verify_strict(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).unwrap();

        let rs: Value = serde_json::from_slice(&unb64(&json!(app.state.services.oidc_sign(&claims).await.unwrap().split('.').next().unwrap()))).unwrap();
        assert_eq!(rs["alg"], "RS256", "ID tokens default to RS256");
    }

    async fn a_rotated_key_stays_published_beside_the_new_one(env: TestEnv) {
        let app = env.spawn().await;
        let before: Value = app.get("/oauth2/jwks", None).await.json().await.unwrap();
        let old = before["keys"].as_array().unwrap().iter().find(|k| k["alg"] == "RS256").unwrap()["kid"].clone();
        let rotated = app.state.services.rotate_oidc_signing_key(Alg::Rs256).await.unwrap();
        assert!(rotated.old_published_until.is_some());
        let after: Value = app.get("/oauth2/jwks", None).await.json().await.unwrap();
        let kids: Vec<Value> = after["keys"].as_array().unwrap().iter().filter(|k| k["alg"] == "RS256").map(|k| k["kid"].clone()).collect();
        assert_eq!(kids.len(), 2);
        assert!(kids.contains(&old) && kids.contains(&json!(rotated.kid)));
        let token = app.state.services.oidc_sign(&json!({ "sub": "u1" })).await.unwrap();
        let header: Value = serde_json::from_slice(&unb64(&json!(token.split('.').next().unwrap()))).unwrap();
        assert_eq!(header["kid"], json!(rotated.kid), "new tokens are signed with the new key");

        // A second node on the same database keeps the keys the first one made.
        let second = env.spawn().await;
        let there: Value = second.get("/oauth2/jwks", None).await.json().await.unwrap();
        assert_eq!(there["keys"].as_array().unwrap().len(), 4);
    }
}
