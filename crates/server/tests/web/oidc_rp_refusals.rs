//! What the OpenID Connect provider refuses, and the tokens' life after the sign-in, seen by a
//! real relying party (`openid-client`, see `harness/oidc_rp.rs`) on SQLite and PostgreSQL. A
//! cookie-keeping HTTP client plays the browser of a person who signed in with their password:
//! Chromium would add nothing to a token request. The person's sign-in in the browser is in
//! `oidc_rp.rs`. Time moves by a [`FixedClock`], so the code's 60-second life needs no sleep.

use portcullis_core::FixedClock;
use serde_json::Value;

use crate::harness::browser::{EMAIL, PASSWORD};
use crate::harness::oidc_rp::*;
use crate::harness::server::TestEnv;
use crate::harness::totp::unix_now;

const DORA: &str = "dora@example.com";
const DORA_PASSWORD: &str = "Violet-Lamp-42!";

/// The provider with a first-party confidential client, its RP authenticating with `token_auth`
/// (`basic` or `post`), and an HTTP client signed in as `DORA`, a user without a second factor.
async fn world(
    env: &TestEnv,
    clock: Option<FixedClock>,
    token_auth: &str,
) -> (Provider, RelyingParty, reqwest::Client) {
    let provider = Provider::start(env, clock).await;
    provider.add_user(DORA, DORA_PASSWORD).await;
    let rp = RelyingParty::start().await;
    let client = provider
        .create_client("Panel", &rp.redirect_uris(), &["--first-party"])
        .await;
    rp.configure(&provider.issuer, &client, token_auth).await;
    wait_for_client(&rp).await;
    let http = provider.app.http();
    let res = provider.app.sign_in_as(&http, DORA, DORA_PASSWORD).await;
    assert!(res.status().is_redirection(), "Dora is signed in");
    (provider, rp, http)
}

#[track_caller]
fn refused_with(result: &Value, error: &str) {
    assert_eq!(result["ok"], false, "refused: {result}");
    assert_eq!(result["error"], error, "{result}");
}

#[track_caller]
fn accepted(result: &Value) {
    assert_eq!(result["ok"], true, "accepted: {result}");
}

on_both_backends! {
    async fn codes_work_once_for_their_client_verifier_and_redirect_uri_and_for_a_minute(
        env: TestEnv
    ) {
        if !relying_party_available("OIDC code refusals") {
            return;
        }
        let clock = FixedClock::at(unix_now());
        let (provider, rp, http) = world(&env, Some(clock.clone()), "basic").await;

        // A redirect URI the client did not register: an error page, never a redirect there.
        let elsewhere = rp.url("/elsewhere");
        let authorize = rp
            .authorization_url(&format!("scope=openid&redirect_uri={elsewhere}"))
            .await;
        let page = follow_to_rp(&http, &authorize, &rp)
            .await
            .expect_err("no redirect to an unregistered URI");
        assert!(page.status.is_client_error(), "{page:?}");
        assert!(page.headers.get("location").is_none(), "{page:?}");
        assert!(!page.body.contains("code="), "{page:?}");

        // A code without its PKCE verifier, or with another one, is refused.
        refused_with(&sign_in_at_rp(&http, &rp, "scope=openid&pkce=missing").await, "invalid_grant");
        refused_with(&sign_in_at_rp(&http, &rp, "scope=openid&pkce=wrong").await, "invalid_grant");

        // A wrong client secret at the token endpoint.
        let wrong = sign_in_at_rp(&http, &rp, "scope=openid&client_secret=not-the-secret").await;
        refused_with(&wrong, "invalid_client");

        // The ID token carries another nonce than the RP expects: the library refuses it.
        let mismatch = sign_in_at_rp(&http, &rp, "scope=openid&nonce=mismatch").await;
        assert_eq!(mismatch["ok"], false, "{mismatch}");
        assert_eq!(mismatch["code"], "OAUTH_JWT_CLAIM_COMPARISON_FAILED", "{mismatch}");
        assert_eq!(mismatch["claim"], "nonce", "{mismatch}");

        // A code used twice: refused, and the tokens from its first use stop working.
        let first = sign_in_at_rp(&http, &rp, "scope=openid%20email").await;
        accepted(&first);
        assert_eq!(first["claims"]["email"], DORA);
        assert_eq!(first["claims"]["acr"], "pwd", "a password alone is acr pwd");
        accepted(&rp.json("/userinfo").await);
        refused_with(&rp.json("/replay-code").await, "invalid_grant");
        let userinfo = rp.json("/userinfo").await;
        assert_eq!(userinfo["ok"], false, "the first use's access token is revoked: {userinfo}");
        assert_eq!(userinfo["status"], 401, "{userinfo}");

        // A code older than 60 seconds.
        let authorize = rp.authorization_url("scope=openid").await;
        let callback = follow_to_rp(&http, &authorize, &rp).await.expect("a code");
        clock.advance(61);
        refused_with(&rp.deliver(&callback).await, "invalid_grant");
        provider.app.stop().await;
    }

    async fn refresh_tokens_rotate_a_reused_one_ends_the_family_and_revoked_tokens_stop_working(
        env: TestEnv
    ) {
        if !relying_party_available("OIDC refresh and revocation") {
            return;
        }
        let (provider, rp, http) = world(&env, None, "post").await;

        // No refresh token without offline_access.
        let plain = sign_in_at_rp(&http, &rp, "scope=openid").await;
        accepted(&plain);
        assert_eq!(plain["refresh_token"], Value::Null, "{plain}");

        let signed_in = sign_in_at_rp(&http, &rp, "scope=openid%20offline_access").await;
        accepted(&signed_in);
        let first = signed_in["refresh_token"].as_str().expect("a refresh token").to_owned();
        let rotated = rp.json("/refresh").await;
        accepted(&rotated);
        let second = rotated["refresh_token"].as_str().expect("a new refresh token");
        assert_ne!(second, first, "each refresh hands out a new refresh token");
        accepted(&rp.json("/userinfo").await);

        // The old one again: refused, and the whole family with it, the new one too.
        refused_with(&rp.json("/refresh?use=previous").await, "invalid_grant");
        refused_with(&rp.json("/refresh").await, "invalid_grant");
        let userinfo = rp.json("/userinfo").await;
        assert_eq!(userinfo["status"], 401, "the family's access token ends too: {userinfo}");

        // Revocation (RFC 7009): the access token, then the refresh token, stop working.
        accepted(&sign_in_at_rp(&http, &rp, "scope=openid%20offline_access").await);
        let active = rp.json("/introspect").await;
        assert_eq!(active["introspection"]["active"], true, "{active}");
        accepted(&rp.json("/revoke?token=access").await);
        assert_eq!(rp.json("/userinfo").await["status"], 401);
        let inactive = rp.json("/introspect").await;
        assert_eq!(inactive["introspection"]["active"], false, "{inactive}");
        accepted(&rp.json("/revoke?token=refresh").await);
        refused_with(&rp.json("/refresh").await, "invalid_grant");

        // The owner, who is in the same contract, signs in too; each person gets their own sub.
        let owner = provider.app.http();
        provider.app.sign_in_as(&owner, EMAIL, PASSWORD).await;
        let theirs = sign_in_at_rp(&owner, &rp, "scope=openid").await;
        accepted(&theirs);
        assert_ne!(theirs["claims"]["sub"], signed_in["claims"]["sub"]);
        provider.app.stop().await;
    }
}
