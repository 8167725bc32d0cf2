//! An application's sign-in through the real pages, over plain HTTP with a cookie-keeping client,
//! on SQLite and PostgreSQL: `/oauth2/authorize` without a session leads to the sign-in form,
//! which returns to the pending request and on to the application with a code; an application
//! asking for `acr_values=mfa` gets a password-only session stepped up (the code only, no
//! password again), and the ID token says so. The protocol's details are `tests/api/oidc_flow`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::oidc::verify::verified_claims;
use portcullis_core::secret::Token;
use portcullis_core::service::Reveal;
use portcullis_core::service::oidc::NewOidcClient;
use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::browser::{between, hidden_csrf, key_from_grouped};
use crate::harness::server::{PASSWORD, TestApp};
use crate::harness::totp::code;

const EMAIL: &str = "owner@example.com";
const REDIRECT: &str = "https://rp.example/callback";

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &Response) -> String {
    r.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A confidential first-party client of the owner's contract: (client_id, secret).
async fn register(app: &TestApp) -> (String, String) {
    let services = &app.state.services;
    let token = app.token_for(EMAIL, PASSWORD).await;
    let auth = services
        .authenticate(&Token::from_client(&token))
        .await
        .unwrap();
    let admin = services.admin_session(&auth).unwrap();
    let new = NewOidcClient {
        name: "Panel".into(),
        redirect_uris: vec![REDIRECT.into()],
        first_party: true,
        ..Default::default()
    };
    let (view, secret) = services
        .create_oidc_client(&admin, &new, Reveal::InAnswer, &Default::default())
        .await
        .unwrap();
    (view.client.client_id, secret.unwrap().expose().to_owned())
}

/// The authorization request's address, with a fresh PKCE pair; returns it and the verifier.
fn authorize_url(app: &TestApp, client_id: &str, extra: &[(&str, &str)]) -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(portcullis_core::secret::random_bytes::<32>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut params = vec![
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "s-9"),
        ("nonce", "n-9"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let url = url::Url::parse_with_params(&app.url("/oauth2/authorize"), params).unwrap();
    (url.to_string(), verifier)
}

/// Posts `fields` with the CSRF token of the page at `from`.
async fn post(
    http: &Client,
    app: &TestApp,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> Response {
    let page = http.get(app.url(from)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "GET {from}");
    let csrf = hidden_csrf(&page.text().await.unwrap());
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(to)).form(&form).send().await.unwrap()
}

/// Switches on the authenticator app from the security page of `http`'s session; its key.
async fn with_authenticator(app: &TestApp, http: &Client) -> String {
    let r = post(
        http,
        app,
        "/account/security",
        "/account/security/totp/start",
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = http
        .get(app.url("/account/security/totp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = key_from_grouped(between(&page, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    // The step before now: the step-up's code that follows is the current one.
    let fields = [("password", PASSWORD), ("code", &code(&key, -1))];
    let r = post(
        http,
        app,
        "/account/security/totp",
        "/account/security/totp/activate",
        &fields,
    )
    .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    key
}

/// Follows the pending request back to the application and redeems the code: the ID token's
/// claims, checked against the published keys.
async fn finish(
    app: &TestApp,
    http: &Client,
    continue_at: &str,
    rp: &(String, String),
    verifier: &str,
) -> Value {
    assert!(
        continue_at.starts_with("/oauth2/authorize/continue/"),
        "{continue_at}"
    );
    // Reached right after the sign-in form's POST: a page of ours sends the browser on, as a
    // redirect to the application would be blocked by the CSP's form-action.
    let r = http.get(app.url(continue_at)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let to =
        crate::harness::oidc_rp::meta_refresh(&page).expect("a page that sends the browser on");
    assert!(to.starts_with(REDIRECT), "{to}");
    let q: std::collections::HashMap<String, String> = url::Url::parse(&to)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["state"], "s-9");
    let r = app
        .client
        .post(app.url("/oauth2/token"))
        .basic_auth(&rp.0, Some(&rp.1))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let jwks: Value = app.get("/oauth2/jwks", None).await.json().await.unwrap();
    verified_claims(body["id_token"].as_str().unwrap(), &jwks).expect("a token we signed")
}

on_both_backends! {
    async fn a_sign_in_asked_by_an_application_goes_through_the_form_and_back_with_a_code(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let rp = register(&app).await;
        let http = browser();
        let (url, verifier) = authorize_url(&app, &rp.0, &[]);
        let r = http.get(&url).send().await.unwrap();
        let login = location(&r);
        let next = url::Url::parse(&app.url(&login)).unwrap().query_pairs()
            .find(|(k, _)| k == "next").map(|(_, v)| v.into_owned()).expect(&login);
        let r = post(&http, &app, &login, "/login", &[("username", EMAIL), ("password", PASSWORD), ("next", &next)]).await;
        assert_eq!(location(&r), next, "the sign-in returns to the pending request");
        let claims = finish(&app, &http, &next, &rp, &verifier).await;
        assert_eq!(claims["acr"], "pwd");
        assert_eq!(claims["nonce"], "n-9");
        assert_eq!(claims["email"], EMAIL);
    }

    async fn an_application_asking_for_mfa_gets_a_password_session_stepped_up(env: TestEnv) {
        let app = env.spawn().await;
        assert_eq!(app.signup(EMAIL, PASSWORD).await.status(), StatusCode::CREATED);
        let rp = register(&app).await;
        let http = browser();
        let r = post(&http, &app, "/login", "/login", &[("username", EMAIL), ("password", PASSWORD)]).await;
        assert_eq!(location(&r), "/account");
        let key = with_authenticator(&app, &http).await;

        let (url, verifier) = authorize_url(&app, &rp.0, &[("acr_values", "mfa")]);
        let r = http.get(&url).send().await.unwrap();
        let login = location(&r);
        assert!(login.starts_with("/login?acr=mfa&next="), "{login}");
        let r = http.get(app.url(&login)).send().await.unwrap();
        let step_up = location(&r);
        assert!(step_up.starts_with("/login/step-up"), "a password session is asked to step up: {step_up}");
        let q: Vec<(String, String)> = url::Url::parse(&app.url(&step_up)).unwrap().query_pairs().into_owned().collect();
        let fields: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post(&http, &app, &step_up, "/login/step-up", &fields).await;
        assert_eq!(location(&r), "/login/code");
        let r = post(&http, &app, "/login/code", "/login/code", &[("code", &code(&key, 0))]).await;
        let next = location(&r);
        let claims = finish(&app, &http, &next, &rp, &verifier).await;
        assert_eq!(claims["acr"], "mfa");
        assert!(claims["amr"].as_array().unwrap().contains(&json!("otp")), "{claims}");
    }
}
