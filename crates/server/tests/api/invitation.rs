//! Accepting an invitation through the real server, on SQLite and PostgreSQL: an owner invites a
//! person without a password, the person follows the link from the queued message, chooses a
//! password on the `/invite` page and signs in with it; the link works once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp};

const INVITED: &str = "invited@example.com";

/// A browser: keeps cookies (the CSRF cookie) and shows redirects instead of following them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The owner's invitation of `email` by the JSON API, without a password.
async fn invite(app: &TestApp, owner: &str, email: &str) {
    let r = app
        .post_json("/api/v1/users", &json!({ "email": email }), Some(owner))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "invite {email}");
}

/// The `/invite?token=…` path of the link in the invitation delivered to `email`.
async fn invitation_path(app: &TestApp, email: &str) -> String {
    let message = app
        .message_to("email", email, |m| {
            m["body"]
                .as_str()
                .is_some_and(|b| b.contains("/invite?token="))
        })
        .await;
    let body = message["body"].as_str().unwrap();
    let link = format!("{}/invite?token=", app.base);
    let start = body.find(&link).expect("a link to this server") + app.base.len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

/// The value of the hidden input `name` in a page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).expect("the hidden field") + marker.len();
    let len = html[start..].find('"').unwrap();
    html[start..start + len].to_owned()
}

/// Opens the link, then submits the form on it with `password` twice.
async fn accept(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    password: &str,
) -> reqwest::Response {
    let page = http.get(app.url(path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "GET {path}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"name="password" type="password""#),
        "{html}"
    );
    assert!(html.contains(r#"name="password_confirm""#), "{html}");
    http.post(app.url("/invite"))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("token", hidden(&html, "token").as_str()),
            ("password", password),
            ("password_confirm", password),
        ])
        .send()
        .await
        .unwrap()
}

on_both_backends! {
    async fn an_invited_person_chooses_a_password_on_the_invite_page_and_signs_in_with_it(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        invite(&app, &owner, INVITED).await;
        let path = invitation_path(&app, INVITED).await;
        let http = browser();

        let r = accept(&app, &http, &path, "Welcome-Horse-8").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Signed in at once with the new password, and greeted as new.
        assert_eq!(r.headers()["location"], "/account/security?done=welcome");
        let page = http
            .get(app.url("/account/security?done=welcome"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Welcome to Portcullis — your account is ready."), "{html}");

        let r = app.login(INVITED, "Welcome-Horse-8").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
        app.shutdown().await;
    }

    async fn an_invited_person_whose_administrator_requires_2fa_goes_on_into_the_setup(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let r = app
            .post_json(
                "/api/v1/users",
                &json!({ "email": INVITED, "force_2fa": true }),
                Some(&owner),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let path = invitation_path(&app, INVITED).await;
        let http = browser();
        let r = accept(&app, &http, &path, "Quiet-River-8!").await;
        assert_eq!(r.headers()["location"], "/login/setup?welcome=1");
        assert!(
            !r.headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("portcullis_session=")),
            "no session before the second factor is set up"
        );
        let page = http
            .get(app.url("/login/setup?welcome=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Welcome to Portcullis — your account is ready."), "{html}");
        assert!(html.contains(r#"id="totp-key""#), "{html}");
        app.shutdown().await;
    }

    async fn an_invitation_link_works_only_once(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        invite(&app, &owner, INVITED).await;
        let path = invitation_path(&app, INVITED).await;
        let http = browser();
        // The form is kept open in a second tab while the first one sets the password.
        let stale = http.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        let r = accept(&app, &http, &path, "Welcome-Horse-8").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let again = http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::FORBIDDEN);
        let html = again.text().await.unwrap();
        assert!(html.contains("Ask your administrator"), "{html}");
        assert!(!html.contains(r#"name="password""#));

        let r = http
            .post(app.url("/invite"))
            .form(&[
                ("csrf", hidden(&stale, "csrf").as_str()),
                ("token", hidden(&stale, "token").as_str()),
                ("password", "Another-Horse-9"),
                ("password_confirm", "Another-Horse-9"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("Ask your administrator"), "refused for the link, not the form");
        assert_eq!(app.login(INVITED, "Another-Horse-9").await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.login(INVITED, "Welcome-Horse-8").await.status(), StatusCode::OK);
        app.shutdown().await;
    }

    async fn a_rejected_password_keeps_the_link_usable(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        invite(&app, &owner, INVITED).await;
        let path = invitation_path(&app, INVITED).await;
        let http = browser();

        let page = http.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        let r = http
            .post(app.url("/invite"))
            .form(&[
                ("csrf", hidden(&page, "csrf").as_str()),
                ("token", hidden(&page, "token").as_str()),
                ("password", "Welcome-Horse-8"),
                ("password_confirm", "Welcome-Horse-9"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("The two passwords do not match."));

        let r = accept(&app, &http, &path, "short").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.login(INVITED, "short").await.status(), StatusCode::UNAUTHORIZED);

        let r = accept(&app, &http, &path, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.login(INVITED, PASSWORD).await.status(), StatusCode::OK);
        app.shutdown().await;
    }

    async fn a_form_without_its_csrf_token_sets_no_password(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        invite(&app, &owner, INVITED).await;
        let path = invitation_path(&app, INVITED).await;
        let token = path.trim_start_matches("/invite?token=");
        let r = browser()
            .post(app.url("/invite"))
            .form(&[("token", token), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.login(INVITED, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        let r = browser().get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the link is still usable");
        app.shutdown().await;
    }

    async fn an_unknown_or_missing_invitation_token_gets_the_explanation_page(env: TestEnv) {
        let app = env.spawn().await;
        for path in ["/invite?token=not-a-real-token", "/invite"] {
            let r = browser().get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
            assert!(r.text().await.unwrap().contains("new invitation"), "{path}");
        }
        app.shutdown().await;
    }
}
