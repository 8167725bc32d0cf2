//! The OpenID Connect flow through the real server, as a relying party and a browser would
//! drive it over plain HTTP: the browser is a client that follows no redirect and carries the
//! session cookie (an API sign-in's token), the relying party posts to the token endpoint. Each
//! scenario runs on SQLite and PostgreSQL. ID tokens are checked against the server's JWKS; an
//! independent relying-party library drives the same flow in the rp-tests.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use portcullis_core::FixedClock;
use portcullis_core::oidc::jose::Alg;
use portcullis_core::oidc::verify::verified_claims;
use portcullis_core::secret::Token;
use portcullis_core::service::Reveal;
use portcullis_core::service::oidc::NewOidcClient;
use portcullis_server::config::ServeArgs;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::server::{PASSWORD, TestApp};
use crate::harness::totp::unix_now;

pub(crate) const REDIRECT: &str = "https://rp.example/callback";
pub(crate) const OWNER: &str = "owner@example.com";

/// A registered client as the relying party knows it.
pub(crate) struct Rp {
    pub client_id: String,
    pub secret: Option<String>,
}

#[derive(Default)]
pub(crate) struct Kind {
    pub public: bool,
    pub first_party: bool,
    pub require_2fa: bool,
    pub groups: Vec<String>,
    /// Its `id_token_signed_response_alg`; `None`: the default, RS256.
    pub id_token_alg: Option<Alg>,
}

/// Registers a client in the owner's contract (through the services: the admin API is the
/// OIDC store's to test).
pub(crate) async fn register(app: &TestApp, owner_token: &str, kind: Kind) -> Rp {
    let services = &app.state.services;
    let auth = services
        .authenticate(&Token::from_client(owner_token))
        .await
        .unwrap();
    let admin = services.admin_session(&auth).unwrap();
    let new = NewOidcClient {
        name: "Panel".into(),
        redirect_uris: vec![REDIRECT.into()],
        public: kind.public,
        first_party: kind.first_party,
        require_2fa: kind.require_2fa,
        groups: kind.groups,
        id_token_alg: kind.id_token_alg,
    };
    let (view, secret) = services
        .create_oidc_client(&admin, &new, Reveal::InAnswer, &Default::default())
        .await
        .unwrap();
    Rp {
        client_id: view.client.client_id,
        secret: secret.map(|s| s.expose().to_owned()),
    }
}

pub(crate) fn first_party() -> Kind {
    Kind {
        first_party: true,
        ..Kind::default()
    }
}

/// A browser that follows nothing, so each hop can be checked.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A PKCE verifier and its S256 challenge.
pub(crate) fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(portcullis_core::secret::random_bytes::<32>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub(crate) fn location(r: &Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub(crate) fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `GET /oauth2/authorize` as the browser of `session` (no session: `None`).
pub(crate) async fn authorize(
    app: &TestApp,
    session: Option<&str>,
    params: &[(&str, &str)],
) -> Response {
    let url = url::Url::parse_with_params(&app.url("/oauth2/authorize"), params).unwrap();
    let mut req = browser().get(url.as_str());
    if let Some(token) = session {
        req = req.header(COOKIE, format!("portcullis_session={token}"));
    }
    req.send().await.unwrap()
}

/// The usual request of `rp` with a fresh PKCE pair; returns the answer and the verifier.
pub(crate) async fn ask(
    app: &TestApp,
    session: Option<&str>,
    rp: &Rp,
    scope: &str,
    extra: &[(&str, &str)],
) -> (Response, String) {
    let (verifier, challenge) = pkce();
    let mut params = vec![
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    (authorize(app, session, &params).await, verifier)
}

/// A code for `rp` (which needs no consent) and its verifier.
pub(crate) async fn code_for(
    app: &TestApp,
    session: &str,
    rp: &Rp,
    scope: &str,
) -> (String, String) {
    let (r, verifier) = ask(app, Some(session), rp, scope, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "authorize redirects");
    let to = location(&r);
    assert!(to.starts_with(REDIRECT), "{to}");
    let q = query_of(&to);
    assert_eq!(q["state"], "st-1");
    assert_eq!(
        q["iss"], app.state.config.issuer,
        "RFC 9207: the issuer comes back"
    );
    (q["code"].clone(), verifier)
}

/// `POST /oauth2/token` with `client_secret_basic` (confidential) or the id alone (public).
pub(crate) async fn token(app: &TestApp, rp: &Rp, form: &[(&str, &str)]) -> Response {
    let mut req = app.client.post(app.url("/oauth2/token"));
    let mut form: Vec<(&str, &str)> = form.to_vec();
    match &rp.secret {
        Some(secret) => {
            req = req.header(
                "authorization",
                format!(
                    "Basic {}",
                    STANDARD.encode(format!("{}:{secret}", rp.client_id))
                ),
            );
        }
        None => form.push(("client_id", rp.client_id.as_str())),
    }
    req.form(&form).send().await.unwrap()
}

pub(crate) async fn redeem(app: &TestApp, rp: &Rp, code: &str, verifier: &str) -> Response {
    token(
        app,
        rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub(crate) async fn oauth_error(r: Response) -> (StatusCode, String) {
    let status = r.status();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    (status, body["error"].as_str().unwrap().to_owned())
}

pub(crate) async fn userinfo(app: &TestApp, access_token: &str) -> Response {
    app.client
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

/// The ID token's claims, once its signature holds under the server's published keys.
pub(crate) async fn id_token_claims(app: &TestApp, id_token: &str) -> Value {
    let jwks: Value = app.get("/oauth2/jwks", None).await.json().await.unwrap();
    verified_claims(id_token, &jwks).expect("the ID token is signed by a published key")
}

/// RFC 7662 as the confidential client `who` asks it.
pub(crate) async fn introspect(app: &TestApp, who: &Rp, token: &str) -> Value {
    let r = app
        .client
        .post(app.url("/oauth2/introspect"))
        .basic_auth(&who.client_id, who.secret.as_ref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The consent page for `rp`: the form's path, its CSRF value and the CSRF cookie.
pub(crate) async fn consent_page(
    app: &TestApp,
    session: &str,
    rp: &Rp,
) -> (String, String, String) {
    let (r, _) = ask(app, Some(session), rp, "openid email", &[]).await;
    assert_eq!(r.status(), StatusCode::OK, "a consent page");
    let csrf_cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("portcullis_csrf="))
        .unwrap();
    let html = r.text().await.unwrap();
    let action = html
        .split("action=\"/oauth2/consent/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .map(|id| format!("/oauth2/consent/{id}"))
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (action, csrf, csrf_cookie)
}

pub(crate) async fn owner(app: &TestApp) -> String {
    app.signed_in(OWNER).await
}

pub(crate) async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app.me(token).await.json().await.unwrap();
    me["id"].as_str().unwrap().to_owned()
}

on_both_backends! {
    async fn a_confidential_client_trades_a_code_for_tokens_whose_id_token_verifies(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid email groups").await;

        let r = redeem(&app, &rp, &code, &verifier).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert!(body.get("refresh_token").is_none(), "no offline_access, no refresh token");
        let claims = id_token_claims(&app, body["id_token"].as_str().unwrap()).await;
        assert_eq!(claims["iss"], app.state.config.issuer);
        assert_eq!(claims["sub"], user_id(&app, &session).await);
        assert_eq!(claims["aud"], rp.client_id);
        assert_eq!(claims["azp"], rp.client_id);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["acr"], "pwd");
        assert_eq!(claims["amr"], json!(["pwd"]));
        assert_eq!(claims["email"], OWNER);
        let access = body["access_token"].as_str().unwrap();
        let half = &Sha256::digest(access.as_bytes())[..16];
        assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(half));
        assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

        let info: Value = userinfo(&app, access).await.json().await.unwrap();
        assert_eq!(info["sub"], claims["sub"]);
        assert_eq!(info["email"], OWNER);
        assert_eq!(info["groups"], json!([]));
        let types = app.audit_types(&session).await;
        assert!(types.contains(&"oidc.code_issued".to_owned()), "{types:?}");
        assert!(types.contains(&"oidc.token_issued".to_owned()), "{types:?}");
    }

    async fn a_public_client_must_send_pkce_and_redeems_with_its_id_and_the_right_verifier(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, Kind { public: true, first_party: true, ..Kind::default() }).await;
        let r = authorize(&app, Some(&session), &[
            ("client_id", &rp.client_id), ("redirect_uri", REDIRECT), ("response_type", "code"),
            ("scope", "openid"), ("state", "st-2"),
        ]).await;
        let q = query_of(&location(&r));
        assert_eq!(q["error"], "invalid_request", "no code_challenge from a public client");
        assert_eq!(q["state"], "st-2");
        assert!(!q.contains_key("code"));

        let (code, _) = code_for(&app, &session, &rp, "openid").await;
        let (wrong, _) = pkce();
        let r = redeem(&app, &rp, &code, &wrong).await;
        assert_eq!(oauth_error(r).await, (StatusCode::BAD_REQUEST, "invalid_grant".into()));

        let (code, verifier) = code_for(&app, &session, &rp, "openid").await;
        let r = redeem(&app, &rp, &code, &verifier).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn a_code_used_twice_is_refused_and_revokes_the_tokens_it_bought(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid").await;
        let first: Value = redeem(&app, &rp, &code, &verifier).await.json().await.unwrap();
        let access = first["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&app, access).await.status(), StatusCode::OK);

        let again = redeem(&app, &rp, &code, &verifier).await;
        assert_eq!(oauth_error(again).await, (StatusCode::BAD_REQUEST, "invalid_grant".into()));
        let r = userinfo(&app, access).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"");
        assert!(app.audit_types(&session).await.contains(&"oidc.code_reuse_detected".to_owned()));
    }

    async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_whole_family(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid offline_access").await;
        let first: Value = redeem(&app, &rp, &code, &verifier).await.json().await.unwrap();
        let old = first["refresh_token"].as_str().expect("offline_access gives a refresh token");

        let r = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", old)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let second: Value = r.json().await.unwrap();
        let new = second["refresh_token"].as_str().unwrap();
        assert_ne!(new, old, "each use issues a new refresh token");
        let access = second["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&app, access).await.status(), StatusCode::OK);

        let replay = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", old)]).await;
        assert_eq!(oauth_error(replay).await, (StatusCode::BAD_REQUEST, "invalid_grant".into()));
        let r = token(&app, &rp, &[("grant_type", "refresh_token"), ("refresh_token", new)]).await;
        assert_eq!(oauth_error(r).await.1, "invalid_grant", "the family died with the replay");
        assert_eq!(userinfo(&app, access).await.status(), StatusCode::UNAUTHORIZED);
        assert!(app.audit_types(&session).await.contains(&"oidc.refresh_reuse_detected".to_owned()));
    }

    async fn a_code_older_than_sixty_seconds_is_refused(env: TestEnv) {
        let clock = FixedClock::at(unix_now());
        let moved = clock.clone();
        let args = ServeArgs {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            data: Some(env.data.clone()),
            database_url: env.database_url.clone(),
            open_registration: Some(true),
            ..Default::default()
        };
        let app = TestApp::start_prepared(args, |mut server| async move {
            server.set_clock(Arc::new(moved));
            server
        })
        .await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid").await;
        clock.advance(61);
        let r = redeem(&app, &rp, &code, &verifier).await;
        assert_eq!(oauth_error(r).await, (StatusCode::BAD_REQUEST, "invalid_grant".into()));
    }

    async fn a_wrong_redirect_uri_or_client_gets_a_page_and_never_a_redirect(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        for (client, redirect) in [
            (rp.client_id.as_str(), "https://evil.example/callback"),
            (rp.client_id.as_str(), "https://rp.example/callback/extra"),
            ("no-such-client", REDIRECT),
        ] {
            let r = authorize(&app, Some(&session), &[
                ("client_id", client), ("redirect_uri", redirect), ("response_type", "code"),
                ("scope", "openid"),
            ]).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{client} {redirect}");
            assert!(r.headers().get(LOCATION).is_none());
            assert!(r.text().await.unwrap().contains("Sign-in request refused"));
        }
    }

    async fn a_wrong_client_secret_is_invalid_client_with_a_basic_challenge(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid").await;
        let wrong = Rp { client_id: rp.client_id.clone(), secret: Some("not-the-secret".into()) };
        let r = redeem(&app, &wrong, &code, &verifier).await;
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Basic realm=\"portcullis\"");
        assert_eq!(oauth_error(r).await, (StatusCode::UNAUTHORIZED, "invalid_client".into()));
        // client_secret_post, and no secret at all, fail alike.
        let r = app.client.post(app.url("/oauth2/token")).form(&[
            ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier), ("client_id", &rp.client_id), ("client_secret", "nope"),
        ]).send().await.unwrap();
        assert_eq!(oauth_error(r).await, (StatusCode::UNAUTHORIZED, "invalid_client".into()));
        let r = app.client.post(app.url("/oauth2/token")).form(&[
            ("grant_type", "authorization_code"), ("code", &code), ("client_id", &rp.client_id),
        ]).send().await.unwrap();
        assert_eq!(oauth_error(r).await.1, "invalid_client");
        // The code was never touched: the right secret still redeems it.
        assert_eq!(redeem(&app, &rp, &code, &verifier).await.status(), StatusCode::OK);
    }

    async fn without_a_session_prompt_none_answers_login_required_and_otherwise_the_sign_in_page(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (r, _) = ask(&app, None, &rp, "openid", &[("prompt", "none")]).await;
        let q = query_of(&location(&r));
        assert_eq!(q["error"], "login_required");
        assert_eq!(q["state"], "st-1");

        let (r, verifier) = ask(&app, None, &rp, "openid", &[]).await;
        let to = location(&r);
        let next = to.strip_prefix("/login?next=/oauth2/authorize/continue/").expect(&to);
        // Back from the sign-in page, the pending request issues the code, through a page of
        // ours: a redirect at the end of the sign-in form's POST would be blocked by the CSP.
        let r = browser().get(app.url(&format!("/oauth2/authorize/continue/{next}")))
            .header(COOKIE, format!("portcullis_session={session}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let onward = crate::harness::oidc_rp::meta_refresh(&r.text().await.unwrap()).expect("onward");
        let code = query_of(&onward)["code"].clone();
        assert_eq!(redeem(&app, &rp, &code, &verifier).await.status(), StatusCode::OK);
        // Used once: the same continuation is now a page, not a second code.
        let r = browser().get(app.url(&format!("/oauth2/authorize/continue/{next}")))
            .header(COOKIE, format!("portcullis_session={session}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn prompt_login_ends_the_current_session_and_asks_for_a_new_sign_in(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (r, verifier) = ask(&app, Some(&session), &rp, "openid", &[("prompt", "login")]).await;
        let to = location(&r);
        let pending = to.strip_prefix("/login?next=/oauth2/authorize/continue/").expect(&to).to_owned();
        let cleared = r.headers().get_all(SET_COOKIE).iter()
            .any(|v| v.to_str().unwrap().starts_with("portcullis_session=;"));
        assert!(cleared, "the cookie of the ended session is forgotten");
        assert_eq!(app.me(&session).await.status(), StatusCode::UNAUTHORIZED, "the session ended");
        // A new sign-in continues the request to a code with its auth_time.
        let fresh = app.token_for(OWNER, PASSWORD).await;
        let r = browser().get(app.url(&format!("/oauth2/authorize/continue/{pending}")))
            .header(COOKIE, format!("portcullis_session={fresh}")).send().await.unwrap();
        let onward = crate::harness::oidc_rp::meta_refresh(&r.text().await.unwrap()).expect("onward");
        let code = query_of(&onward)["code"].clone();
        let body: Value = redeem(&app, &rp, &code, &verifier).await.json().await.unwrap();
        let claims = id_token_claims(&app, body["id_token"].as_str().unwrap()).await;
        assert!(claims["auth_time"].as_i64().unwrap() >= unix_now() - 60);
        // max_age=0 on arrival asks again too.
        let (r, _) = ask(&app, Some(&fresh), &rp, "openid", &[("max_age", "0"), ("prompt", "none")]).await;
        assert_eq!(query_of(&location(&r))["error"], "login_required");
    }

    async fn acr_values_mfa_or_a_client_requiring_2fa_sends_a_password_only_session_to_step_up(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[("acr_values", "mfa")]).await;
        let to = location(&r);
        assert!(to.starts_with("/login?acr=mfa&next=/oauth2/authorize/continue/"), "{to}");
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[("acr_values", "mfa"), ("prompt", "none")]).await;
        assert_eq!(query_of(&location(&r))["error"], "interaction_required");

        let strict = register(&app, &session, Kind { first_party: true, require_2fa: true, ..Kind::default() }).await;
        let (r, _) = ask(&app, Some(&session), &strict, "openid", &[]).await;
        assert!(location(&r).starts_with("/login?acr=mfa&next="), "{}", location(&r));
    }
}
