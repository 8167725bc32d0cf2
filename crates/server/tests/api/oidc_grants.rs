//! What an issued token is worth afterwards, through the real server on both backends:
//! introspection and revocation by the client, the connected-apps page's Revoke, the account
//! events that end every application token (an administrator's reset of the second factor),
//! and RP-initiated logout (at once with a valid ID token hint, only after a confirmation
//! without one, never to an unregistered address). The flow that issues them is `oidc_flow`.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::harness::server::PASSWORD;
use crate::oidc_flow::{
    REDIRECT, Rp, browser, code_for, first_party, introspect, location, owner, query_of, redeem,
    register, user_id, userinfo,
};

/// Tokens for `rp` with a refresh token: (access, refresh, id_token).
async fn tokens(
    app: &crate::harness::server::TestApp,
    session: &str,
    rp: &Rp,
) -> (String, String, String) {
    let (code, verifier) = code_for(app, session, rp, "openid offline_access").await;
    let body: Value = redeem(app, rp, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let field = |k: &str| body[k].as_str().unwrap().to_owned();
    (
        field("access_token"),
        field("refresh_token"),
        field("id_token"),
    )
}

on_both_backends! {
    async fn introspection_and_revocation_answer_a_client_about_its_own_tokens_only(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let other = register(&app, &session, first_party()).await;
        let (code, verifier) = code_for(&app, &session, &rp, "openid offline_access").await;
        let tokens: Value = redeem(&app, &rp, &code, &verifier).await.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let mine = introspect(&app, &rp, access).await;
        assert_eq!(mine["active"], true);
        assert_eq!(mine["client_id"], rp.client_id);
        assert_eq!(mine["token_type"], "access_token");
        assert_eq!(mine["scope"], "openid offline_access");
        assert_eq!(mine["sub"], user_id(&app, &session).await);
        assert_eq!(introspect(&app, &other, access).await, json!({"active": false}));

        let revoke = |t: &str| app.client.post(app.url("/oauth2/revoke"))
            .basic_auth(rp.client_id.clone(), rp.secret.clone()).form(&[("token", t)]).send();
        assert_eq!(revoke("an-unknown-token").await.unwrap().status(), StatusCode::OK);
        assert_eq!(revoke(refresh).await.unwrap().status(), StatusCode::OK);
        assert_eq!(introspect(&app, &rp, refresh).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rp, access).await, json!({"active": false}), "the family went with it");
        assert_eq!(userinfo(&app, access).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_code_presented_at_two_nodes_at_once_is_redeemed_once(env: TestEnv) {
        let a = env.spawn().await;
        let b = env.spawn().await;
        let session = owner(&a).await;
        let rp = register(&a, &session, first_party()).await;
        let (code, verifier) = code_for(&a, &session, &rp, "openid").await;
        let (one, two) = tokio::join!(redeem(&a, &rp, &code, &verifier), redeem(&b, &rp, &code, &verifier));
        let mut statuses = [one.status(), two.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST], "one node redeems it, the other sees a replay");
        let winner: Value = if one.status() == StatusCode::OK { one.json().await.unwrap() } else { two.json().await.unwrap() };
        // The replay revoked what the winner got, as RFC 6749 §4.1.2 asks.
        let access = winner["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&a, access).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(userinfo(&b, access).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn deleting_a_client_ends_every_token_it_holds(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (access, _, _) = tokens(&app, &session, &rp).await;
        assert_eq!(userinfo(&app, &access).await.status(), StatusCode::OK);
        let r = app.delete(&format!("/api/v1/oidc/clients/{}", rp.client_id), Some(&session)).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(userinfo(&app, &access).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn revoking_a_connected_app_on_the_security_page_ends_its_tokens(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (access, refresh, _) = tokens(&app, &session, &rp).await;
        // A first-party client asks no consent, so remember one as the page would have.
        let services = &app.state.services;
        let auth = services.authenticate(&portcullis_core::secret::Token::from_client(&session)).await.unwrap();
        let cookie = format!("portcullis_session={session}");
        let r = browser().get(app.url("/account/security/connected-apps")).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csrf_cookie = r.headers().get_all(SET_COOKIE).iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("portcullis_csrf=")).unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("No application has access"), "first-party clients are not listed");
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let revoke = |client: String| browser().post(app.url(&format!("/account/security/connected-apps/{client}/revoke")))
            .header(COOKIE, format!("{cookie}; {csrf_cookie}")).form(&[("csrf", csrf.clone())]).send();
        assert_eq!(revoke(rp.client_id.clone()).await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(userinfo(&app, &access).await.status(), StatusCode::OK, "nothing revoked without a consent");

        let third = register(&app, &session, crate::oidc_flow::Kind::default()).await;
        let consent = portcullis_core::store::Consent {
            user_id: auth.user.id.clone(), client_id: third.client_id.clone(),
            scope: "openid offline_access".into(), granted_at: portcullis_core::UnixTime(0),
        };
        {
            use portcullis_core::store::{OidcGrants, Store, Transaction};
            let mut tx = services.store.begin().await.unwrap();
            tx.put_consent(&consent).await.unwrap();
            tx.commit().await.unwrap();
        }
        let (access, refresh3, _) = tokens(&app, &session, &third).await;
        let html = browser().get(app.url("/account/security/connected-apps")).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Panel"));
        let r = revoke(third.client_id.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/account/security/connected-apps?done=revoked");
        assert_eq!(userinfo(&app, &access).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(introspect(&app, &third, &refresh3).await, json!({"active": false}));
        assert_eq!(introspect(&app, &rp, &refresh).await["active"], true, "other clients keep theirs");
        assert!(app.audit_types(&session).await.contains(&"oidc.consent_revoked".to_owned()));
    }

    async fn an_administrators_reset_of_the_second_factor_ends_the_persons_application_tokens(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "eve@example.com", "password": PASSWORD }), Some(&session)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let eve = app.token_for("eve@example.com", PASSWORD).await;
        let eve_id = user_id(&app, &eve).await;
        let (access, refresh, _) = tokens(&app, &eve, &rp).await;
        assert_eq!(introspect(&app, &rp, &refresh).await["active"], true);
        let r = app.delete(&format!("/api/v1/users/{eve_id}/two-factor"), Some(&session)).await;
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(userinfo(&app, &access).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(introspect(&app, &rp, &refresh).await, json!({"active": false}));
    }

    async fn logout_with_a_valid_hint_ends_the_session_and_returns_to_the_client(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, first_party()).await;
        let (_, _, id_token) = tokens(&app, &session, &rp).await;
        let cookie = format!("portcullis_session={session}");
        let logout = |params: Vec<(&'static str, String)>| {
            let url = url::Url::parse_with_params(&app.url("/oauth2/logout"), params).unwrap();
            browser().get(url.as_str()).header(COOKIE, cookie.clone()).send()
        };

        // Without a hint: a question, and the session lives on.
        let r = logout(vec![("post_logout_redirect_uri", REDIRECT.into())]).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no client named: the address cannot be checked");
        let r = logout(vec![]).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("Sign out?"));
        assert_eq!(app.me(&session).await.status(), StatusCode::OK);
        // An unregistered address is a page, never a redirect.
        let r = logout(vec![("id_token_hint", id_token.clone()), ("post_logout_redirect_uri", "https://evil.example/".into())]).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get(LOCATION).is_none());
        // A forged hint counts as none.
        let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        let r = logout(vec![("id_token_hint", parts.join("."))]).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the confirmation page");
        assert_eq!(app.me(&session).await.status(), StatusCode::OK);

        let r = logout(vec![
            ("id_token_hint", id_token), ("post_logout_redirect_uri", REDIRECT.into()), ("state", "bye".into()),
        ]).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = location(&r);
        assert!(to.starts_with(REDIRECT), "{to}");
        assert_eq!(query_of(&to)["state"], "bye");
        assert_eq!(app.me(&session).await.status(), StatusCode::UNAUTHORIZED);
    }
}
