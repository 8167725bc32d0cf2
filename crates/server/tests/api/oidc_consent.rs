//! Consent and who may sign in, through the real server on both backends: a third-party
//! client's consent page (Allow remembered, `prompt=consent` asking again, revoked from the
//! connected apps; Deny sending `access_denied` and remembering nothing), and the people a
//! client refuses (outside its groups, of another contract). The flow's helpers are
//! `oidc_flow`'s.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;

use portcullis_core::secret::Token;

use crate::harness::server::PASSWORD;
use crate::oidc_flow::{
    Kind, ask, browser, consent_page, first_party, location, owner, query_of, redeem, register,
};

on_both_backends! {
    async fn consent_is_asked_once_remembered_and_asked_again_after_revoking_it(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, Kind::default()).await;
        let cookie = |extra: &str| format!("portcullis_session={session}{extra}");

        let (r, verifier) = ask(&app, Some(&session), &rp, "openid email", &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "a consent page");
        let csrf_cookie = r.headers().get_all(SET_COOKIE).iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("portcullis_csrf=")).unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("Allow Panel?"));
        assert!(html.contains("Your email address"));
        let action = html.split("action=\"/oauth2/consent/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = browser().post(app.url(&format!("/oauth2/consent/{action}")))
            .header(COOKIE, cookie(&format!("; {csrf_cookie}")))
            .form(&[("csrf", csrf.as_str()), ("decision", "allow")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a page continues to the client, not a redirect after a POST");
        let page = r.text().await.unwrap();
        let onward = page.split("id=\"onward\" class=\"button button--primary\" href=\"").nth(1).unwrap()
            .split('"').next().unwrap().replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x3d;", "=");
        let code = query_of(&onward)["code"].clone();
        assert_eq!(redeem(&app, &rp, &code, &verifier).await.status(), StatusCode::OK);

        // Remembered: the next sign-in goes straight back with a code.
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[]).await;
        assert!(query_of(&location(&r)).contains_key("code"));
        // prompt=consent asks again all the same.
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[("prompt", "consent")]).await;
        assert_eq!(r.status(), StatusCode::OK);

        let services = &app.state.services;
        let auth = services.authenticate(&Token::from_client(&session)).await.unwrap();
        let apps = services.connected_apps(&auth).await.unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].name, "Panel");
        services.revoke_connected_app(&auth, &rp.client_id, &Default::default()).await.unwrap();
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[("prompt", "none")]).await;
        assert_eq!(query_of(&location(&r))["error"], "consent_required");
    }

    async fn denying_consent_sends_access_denied_and_remembers_nothing(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let rp = register(&app, &session, Kind::default()).await;
        let (action, csrf, csrf_cookie) = consent_page(&app, &session, &rp).await;
        assert!(action.starts_with("/oauth2/consent/"), "{action}");
        let r = browser().post(app.url(&action))
            .header(COOKIE, format!("portcullis_session={session}; {csrf_cookie}"))
            .form(&[("csrf", csrf.as_str()), ("decision", "deny")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("access_denied"), "{page}");
        assert!(page.contains("st-1"));
        let (r, _) = ask(&app, Some(&session), &rp, "openid", &[("prompt", "none")]).await;
        assert_eq!(query_of(&location(&r))["error"], "consent_required");
        // The same form again finds the request gone.
        let r = browser().post(app.url(&action))
            .header(COOKIE, format!("portcullis_session={session}; {csrf_cookie}"))
            .form(&[("csrf", csrf.as_str()), ("decision", "allow")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_person_outside_the_clients_groups_or_contract_is_refused_with_access_denied(env: TestEnv) {
        let app = env.spawn().await;
        let session = owner(&app).await;
        let r = app.post_json("/api/v1/groups", &json!({ "name": "ops" }), Some(&session)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let rp = register(&app, &session, Kind { first_party: true, groups: vec!["ops".into()], ..Kind::default() }).await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "eve@example.com", "password": PASSWORD }), Some(&session)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let eve = app.token_for("eve@example.com", PASSWORD).await;
        let (r, _) = ask(&app, Some(&eve), &rp, "openid", &[]).await;
        let q = query_of(&location(&r));
        assert_eq!(q["error"], "access_denied");
        assert!(!q.contains_key("code"));

        let stranger = app.signed_in("stranger@example.com").await;
        let open = register(&app, &session, first_party()).await;
        let (r, _) = ask(&app, Some(&stranger), &open, "openid", &[]).await;
        assert_eq!(query_of(&location(&r))["error"], "access_denied");
        let (r, _) = ask(&app, Some(&session), &open, "openid", &[]).await;
        assert!(query_of(&location(&r)).contains_key("code"), "the owner's own contract is admitted");
    }
}
