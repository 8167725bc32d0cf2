//! A person signs in to another application through Portcullis: a real relying party
//! (`openid-client`, see `harness/oidc_rp.rs`) sends headless Chromium to the provider, the
//! person signs in on the real pages (password, authenticator code, the step-up, the setup
//! assistant, the consent screen), and Chromium lands back at the RP, whose library has checked
//! the ID token's signature against the JWKS, its issuer, audience and nonce. Two browser sessions
//! in all, each with several phases, on SQLite; the refusals and the tokens' life run over plain
//! HTTP on both backends in `oidc_rp_refusals.rs`.
//!
//! Skipping works as in `browser.rs`, and also without node or the npm packages.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use portcullis_core::totp::TotpParams;
use portcullis_core::{Clock, FixedClock};
use serde_json::Value;

use crate::harness::browser::*;
use crate::harness::oidc_rp::*;
use crate::harness::server::{Backend, run};
use crate::harness::totp::{code_at_step, unix_now};

const BOB: &str = "bob@example.com";
const BOB_PASSWORD: &str = "Blue-Secret-42!";
const CAROL: &str = "carol@example.com";
const CAROL_PASSWORD: &str = "Green-Secret-42!";

/// Whoever the browser signs in as, and the key of their authenticator app once they have one.
struct Person {
    email: &'static str,
    password: &'static str,
    key: Option<String>,
    /// Seconds from now of the next code to type: each time step is accepted once, and only
    /// one step either side of the server's time, so two codes at most this way.
    code_offset: i64,
    /// The server's clock, when the test moves it: each code is then that of the next step,
    /// and the clock moves there, so a person may sign in any number of times.
    clock: Option<FixedClock>,
}

impl Person {
    fn new(email: &'static str, password: &'static str) -> Person {
        Person {
            email,
            password,
            key: None,
            code_offset: 0,
            clock: None,
        }
    }

    fn next_code(&mut self) -> String {
        let key = self.key.as_deref().expect("an authenticator key");
        if let Some(clock) = &self.clock {
            clock.advance(30);
            return code_at_step(key, TotpParams::default().step(clock.now()));
        }
        let code = totp_code(key, self.code_offset);
        self.code_offset += 30;
        code
    }
}

async fn exists(c: &Client, locator: Locator<'_>) -> bool {
    c.find(locator).await.is_ok()
}

/// Does what each Portcullis page asks until Chromium is back at the RP; the steps it saw:
/// `password`, `step-up`, `code`, `setup`, `recovery-codes`, `consent`, `logout`. The page
/// after a form post that leads on to the RP (`<meta http-equiv="refresh">`) is no step.
async fn through_portcullis(c: &Client, rp: &RelyingParty, who: &mut Person) -> Vec<&'static str> {
    let mut steps = Vec::new();
    let mut idle_since = Instant::now();
    loop {
        let url = c.current_url().await.unwrap().to_string();
        if rp.owns(&url) {
            return steps;
        }
        let submit_code = "//input[@id='code']/ancestor::form//button[@type='submit']";
        let step = if exists(c, Locator::Id("totp-key")).await {
            who.key = Some(key_from_grouped(&text_of(c, "#totp-key").await));
            if exists(c, Locator::Id("password")).await {
                fill(c, "password", who.password).await;
            }
            fill(c, "code", &who.next_code()).await;
            click_on(c, Locator::XPath(submit_code)).await;
            "setup"
        } else if exists(c, Locator::Id("code")).await {
            fill(c, "code", &who.next_code()).await;
            click_on(c, Locator::XPath(submit_code)).await;
            "code"
        } else if exists(c, Locator::Id("password")).await {
            let username = c.find(Locator::Id("username")).await;
            if let Ok(username) = username
                && username.prop("readOnly").await.unwrap().as_deref() != Some("true")
            {
                fill(c, "username", who.email).await;
            }
            fill(c, "password", who.password).await;
            click_on(
                c,
                Locator::XPath("//input[@id='password']/ancestor::form//button[@type='submit']"),
            )
            .await;
            "password"
        } else if exists(c, Locator::Id("recovery-codes")).await {
            click(c, ".codes__done a").await;
            "recovery-codes"
        } else if exists(c, Locator::Id("step-up-continue")).await {
            click(c, "#step-up-continue").await;
            "step-up"
        } else if exists(c, Locator::Id("consent-allow")).await {
            click(c, "#consent-allow").await;
            "consent"
        } else if exists(c, Locator::Id("logout-confirm")).await {
            click(c, "#logout-confirm").await;
            "logout"
        } else {
            // A page that sends the browser on by itself (`<meta http-equiv="refresh">`).
            let body = c
                .find(Locator::Css("body"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                idle_since.elapsed() < Duration::from_secs(5),
                "stuck at {url} after {steps:?}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        steps.push(step);
        idle_since = Instant::now();
        assert!(
            steps.len() < 10,
            "no way back to the RP: {steps:?} at {url}"
        );
    }
}

/// What the RP shows at `/result` (or `/logged-out`): its JSON.
async fn rp_result(c: &Client) -> Value {
    serde_json::from_str(&text_of(c, "#result").await).expect("the RP shows JSON")
}

#[track_caller]
fn assert_amr_has(claims: &Value, methods: &[&str]) {
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap_or_else(|| panic!("amr is a list: {claims}"))
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for method in methods {
        assert!(amr.contains(method), "amr has {method}: {claims}");
    }
}

/// Chromium, node and oathtool, or a SKIPPED line.
async fn tools(test: &str) -> Option<Browser> {
    if !relying_party_available(test) || !oathtool_available(test) {
        return None;
    }
    Browser::start().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_to_an_application_with_password_and_code_and_the_application_uses_and_ends_the_session()
 {
    run(Backend::Sqlite, |env| async move {
        let Some(browser) = tools("OIDC sign-in in the browser").await else {
            return;
        };
        // The server's clock moves only with the codes typed (see `Person::next_code`).
        let clock = FixedClock::at(unix_now());
        let provider = Provider::start(&env, Some(clock.clone())).await;
        let http = provider.app.http();
        provider.app.sign_in(&http).await;
        let (key, _) = enable_totp(&provider.app, &http).await;
        let rp = RelyingParty::start().await;
        let client = provider
            .create_client("Grafana", &rp.redirect_uris(), &["--first-party"])
            .await;
        assert!(
            client.secret.is_some(),
            "a confidential client has a secret"
        );
        rp.configure(&provider.issuer, &client, "basic").await;
        wait_for_client(&rp).await;
        let c = browser.client();
        // The key was switched on with the code of the wall clock's step; the server's clock
        // starts past it.
        clock.advance(30);
        let mut alice = Person {
            key: Some(key),
            clock: Some(clock.clone()),
            ..Person::new(EMAIL, PASSWORD)
        };

        // The application sends the person to Portcullis, which asks for password and code.
        let before = clock.now().0;
        c.goto(&rp.url("/login?scope=openid%20profile%20email%20offline_access"))
            .await
            .unwrap();
        assert_eq!(path_of(c).await, "/login");
        assert_eq!(
            through_portcullis(c, &rp, &mut alice).await,
            ["password", "code"]
        );
        let result = rp_result(c).await;
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(
            result["id_token_alg"], "RS256",
            "the default signing algorithm"
        );
        let claims = &result["claims"];
        assert_eq!(claims["iss"], provider.issuer);
        assert!(
            claims["aud"] == client.id.as_str() || claims["aud"] == serde_json::json!([client.id]),
            "the audience is the client alone: {claims}"
        );
        assert_eq!(
            claims["sub"],
            provider.user_id(EMAIL).await,
            "sub is the user id"
        );
        assert_ne!(claims["sub"], EMAIL);
        assert_eq!(claims["email"], EMAIL);
        assert_eq!(claims["acr"], "mfa");
        assert_amr_has(claims, &["pwd", "otp", "mfa"]);
        let auth_time = claims["auth_time"].as_i64().expect("auth_time");
        assert!((before..=clock.now().0).contains(&auth_time), "{claims}");

        // The application reads userinfo and refreshes its tokens.
        let userinfo = rp.json("/userinfo").await;
        assert_eq!(userinfo["ok"], true, "{userinfo}");
        assert_eq!(userinfo["userinfo"]["sub"], claims["sub"]);
        assert_eq!(userinfo["userinfo"]["email"], EMAIL);
        let first_refresh = result["refresh_token"]
            .as_str()
            .expect("offline_access: a refresh token");
        let refreshed = rp.json("/refresh").await;
        assert_eq!(refreshed["ok"], true, "{refreshed}");
        assert_ne!(refreshed["refresh_token"], first_refresh);

        // Signed in already: the next visit comes straight back, with the same sign-in.
        c.goto(&rp.url("/login?scope=openid")).await.unwrap();
        assert!(through_portcullis(c, &rp, &mut alice).await.is_empty());
        let again = rp_result(c).await;
        assert_eq!(again["claims"]["sub"], claims["sub"], "sub is stable");
        assert_eq!(again["claims"]["auth_time"], auth_time);

        // prompt=login (and max_age, which the library checks against auth_time): a new sign-in.
        // A sign-in from the request's own second counts as made for it: let a second pass.
        clock.advance(1);
        c.goto(&rp.url("/login?scope=openid&prompt=login&max_age=600"))
            .await
            .unwrap();
        assert_eq!(
            through_portcullis(c, &rp, &mut alice).await,
            ["password", "code"]
        );
        let fresh = rp_result(c).await;
        assert_eq!(fresh["ok"], true, "{fresh}");
        assert!(
            fresh["claims"]["auth_time"].as_i64().unwrap() > auth_time,
            "{fresh}"
        );

        // RP-initiated logout ends the Portcullis session and returns to the application.
        c.goto(&rp.url("/logout")).await.unwrap();
        through_portcullis(c, &rp, &mut alice).await;
        assert_eq!(path_of(c).await, "/logged-out");
        assert_eq!(rp_result(c).await["logged_out"], true);
        c.goto(&provider.app.url("/account")).await.unwrap();
        assert_eq!(path_of(c).await, "/login", "the Portcullis session is gone");
        browser.close().await;
        provider.app.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_asking_for_mfa_has_a_password_session_step_up_or_set_up_a_factor_and_asks_consent_once()
 {
    run(Backend::Sqlite, |env| async move {
        let Some(browser) = tools("OIDC step-up in the browser").await else {
            return;
        };
        let provider = Provider::start(&env, None).await;
        provider.add_user(BOB, BOB_PASSWORD).await;
        provider.add_user(CAROL, CAROL_PASSWORD).await;
        let rp = RelyingParty::start().await;
        // Public (PKCE, no secret) and not first-party: the person is asked to consent.
        let client = provider
            .create_client("Webmail", &rp.redirect_uris(), &["--public"])
            .await;
        assert_eq!(client.secret, None, "a public client has no secret");
        rp.configure(&provider.issuer, &client, "none").await;
        wait_for_client(&rp).await;
        let c = browser.client();

        // Bob signs in with his password, then switches the authenticator app on: his session
        // still knows only the password.
        let mut bob = Person::new(BOB, BOB_PASSWORD);
        sign_in_as(c, &provider.app, BOB, BOB_PASSWORD).await;
        assert_eq!(path_of(c).await, "/account");
        c.goto(&provider.app.url("/account/security"))
            .await
            .unwrap();
        click(c, "form[action='/account/security/totp/start'] button").await;
        bob.key = Some(key_from_grouped(&text_of(c, "#totp-key").await));
        fill(c, "password", BOB_PASSWORD).await;
        fill(c, "code", &bob.next_code()).await;
        click(c, "form[action='/account/security/totp/activate'] button").await;
        assert_eq!(text_of(c, "h1").await, "Two-factor authentication is on");

        // The application asks for mfa: only the code is asked, then consent.
        c.goto(&rp.url("/login?scope=openid%20email&acr_values=mfa"))
            .await
            .unwrap();
        let steps = through_portcullis(c, &rp, &mut bob).await;
        assert_eq!(
            steps,
            ["step-up", "code", "consent"],
            "a step-up, not a new sign-in"
        );
        let result = rp_result(c).await;
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["claims"]["email"], BOB);
        assert_eq!(result["claims"]["acr"], "mfa");
        assert_amr_has(&result["claims"], &["otp"]);

        // The consent is remembered for this person and application.
        c.goto(&rp.url("/login?scope=openid%20email"))
            .await
            .unwrap();
        assert!(through_portcullis(c, &rp, &mut bob).await.is_empty());
        assert_eq!(rp_result(c).await["claims"]["email"], BOB);

        // Carol has no second factor: asked for mfa, she is led through the setup first.
        c.delete_all_cookies().await.unwrap();
        let mut carol = Person::new(CAROL, CAROL_PASSWORD);
        sign_in_as(c, &provider.app, CAROL, CAROL_PASSWORD).await;
        assert_eq!(path_of(c).await, "/account");
        c.goto(&rp.url("/login?scope=openid%20email&acr_values=mfa"))
            .await
            .unwrap();
        let steps = through_portcullis(c, &rp, &mut carol).await;
        assert!(
            steps.contains(&"setup") && steps.ends_with(&["consent"]),
            "{steps:?}"
        );
        assert!(!steps.contains(&"password"), "her session stays: {steps:?}");
        let result = rp_result(c).await;
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["claims"]["email"], CAROL);
        assert_eq!(result["claims"]["acr"], "mfa");
        assert_amr_has(&result["claims"], &["otp"]);
        browser.close().await;
        provider.app.stop().await;
    })
    .await;
}
