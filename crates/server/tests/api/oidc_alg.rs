//! Each client's ID token algorithm (`id_token_signed_response_alg`), through the real server on
//! SQLite and PostgreSQL: RS256 unless the client was registered with ES256 or EdDSA, whose ID
//! tokens then carry that `alg` and the `kid` of a key of that algorithm in `/oauth2/jwks`, with
//! the `at_hash` of that algorithm's hash; such a token is a valid logout hint; the admin API
//! takes, shows and changes the setting, and answers 422 to any other name, writing nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::oidc::jose::Alg;
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::oidc_flow::{
    Kind, OWNER, REDIRECT, Rp, browser, code_for, id_token_claims, location, owner, redeem,
    register,
};

const CLIENTS: &str = "/api/v1/oidc/clients";

/// A first-party client of the owner's contract whose ID tokens are signed with `alg`.
async fn client_signing_with(app: &TestApp, session: &str, alg: Option<Alg>) -> Rp {
    let kind = Kind {
        first_party: true,
        id_token_alg: alg,
        ..Kind::default()
    };
    register(app, session, kind).await
}

/// The token endpoint's answer to a fresh code of `rp`.
async fn tokens_of(app: &TestApp, session: &str, rp: &Rp) -> Value {
    let (code, verifier) = code_for(app, session, rp, "openid").await;
    let r = redeem(app, rp, &code, &verifier).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The JOSE header of a compact JWS.
fn header(jws: &str) -> Value {
    let part = jws.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

on_both_backends! {
    async fn oidc_id_tokens_are_signed_with_the_clients_algorithm_and_a_key_published_for_it(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let jwks: Value = app.get("/oauth2/jwks", None).await.json().await.unwrap();
        for (asked, alg) in [(None, "RS256"), (Some(Alg::Es256), "ES256"), (Some(Alg::EdDsa), "EdDSA")] {
            let rp = client_signing_with(&app, &session, asked).await;
            let body = tokens_of(&app, &session, &rp).await;
            let id_token = body["id_token"].as_str().unwrap();
            let head = header(id_token);
            assert_eq!(head["alg"], alg, "the client's algorithm");
            let key = jwks["keys"].as_array().unwrap().iter()
                .find(|k| k["kid"] == head["kid"])
                .expect("the kid names a key of /oauth2/jwks");
            assert_eq!(key["alg"], alg, "a key of that algorithm");
            let claims = id_token_claims(&app, id_token).await;
            assert_eq!(claims["aud"], rp.client_id);
            // at_hash: the left half of the access token's digest under the algorithm's hash.
            let access = body["access_token"].as_str().unwrap().as_bytes();
            let digest = if alg == "EdDSA" { Sha512::digest(access).to_vec() } else { Sha256::digest(access).to_vec() };
            assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]), "{alg}");
        }
    }

    async fn oidc_logout_takes_an_eddsa_or_es256_id_token_as_its_hint(env: TestEnv) {
        let app = env.spawn().await;
        let admin = owner(&app).await;
        for alg in [Alg::EdDsa, Alg::Es256] {
            let rp = client_signing_with(&app, &admin, Some(alg)).await;
            // A session of its own: the logout ends it.
            let session = app.token_for(OWNER, PASSWORD).await;
            let id_token = tokens_of(&app, &session, &rp).await["id_token"].as_str().unwrap().to_owned();
            let url = url::Url::parse_with_params(&app.url("/oauth2/logout"), [
                ("id_token_hint", id_token.as_str()), ("post_logout_redirect_uri", REDIRECT),
            ]).unwrap();
            let r = browser().get(url.as_str()).header(COOKIE, format!("portcullis_session={session}"))
                .send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{alg}: the hint holds, no confirmation page");
            assert!(location(&r).starts_with(REDIRECT), "{alg}");
            assert_eq!(app.me(&session).await.status(), StatusCode::UNAUTHORIZED, "{alg}");
        }
    }

    async fn the_oidc_client_api_sets_and_shows_the_id_token_algorithm_and_refuses_other_names(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let new = |alg: Value| json!({ "name": "Panel", "redirect_uris": [REDIRECT], "id_token_signed_response_alg": alg });
        for bad in [json!("HS256"), json!("none"), json!("es256"), json!("")] {
            let r = call(&app, Method::POST, CLIENTS, &session, new(bad.clone())).await;
            assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()), "{bad}");
        }
        let listed: Value = app.get(CLIENTS, Some(&session)).await.json().await.unwrap();
        assert_eq!(listed["clients"], json!([]), "a refused client is not written");

        let plain = call(&app, Method::POST, CLIENTS, &session, json!({ "name": "Plain", "redirect_uris": [REDIRECT] })).await;
        assert_eq!(plain.json::<Value>().await.unwrap()["id_token_signed_response_alg"], "RS256", "the default");
        let r = call(&app, Method::POST, CLIENTS, &session, new(json!("ES256"))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["id_token_signed_response_alg"], "ES256");
        let path = format!("{CLIENTS}/{}", created["client_id"].as_str().unwrap());

        let r = call(&app, Method::PATCH, &path, &session, json!({ "id_token_signed_response_alg": "RS512" })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into()));
        let one: Value = app.get(&path, Some(&session)).await.json().await.unwrap();
        assert_eq!(one["id_token_signed_response_alg"], "ES256", "unchanged by the refused change");

        let r = call(&app, Method::PATCH, &path, &session, json!({ "id_token_signed_response_alg": "EdDSA" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["id_token_signed_response_alg"], "EdDSA");
        // The change is what the next ID token is signed with.
        let rp = Rp { client_id: created["client_id"].as_str().unwrap().to_owned(), secret: created["client_secret"].as_str().map(str::to_owned) };
        let r = call(&app, Method::PATCH, &path, &session, json!({ "first_party": true })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let id_token = tokens_of(&app, &session, &rp).await["id_token"].as_str().unwrap().to_owned();
        assert_eq!(header(&id_token)["alg"], "EdDSA");
    }
}
