//! A person's language and time zone through the real server, on SQLite and PostgreSQL: the
//! API stores and shows them, pages before sign-in follow `Accept-Language`, `?lang=` and the
//! switch's cookie, and a signed-in person's pages follow the account.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::harness::server::{TestApp, error_code};

const PERSON: &str = "dora@example.com";

async fn patch_me(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `lang` of a page's `<html>` element.
fn html_lang(page: &str) -> &str {
    let start = page
        .find("<html lang=\"")
        .expect("an html element with lang")
        + 12;
    &page[start..start + page[start..].find('"').unwrap()]
}

on_both_backends! {
    async fn the_api_stores_and_shows_language_and_time_zone(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(PERSON).await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["language"], Value::Null);
        assert_eq!(me["time_zone"], Value::Null);

        let r = patch_me(&app, &token, json!({ "language": "de" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["language"], "de");
        assert_eq!(body["email"], PERSON);

        let r = patch_me(&app, &token, json!({ "time_zone": "Europe/Berlin" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["language"], "de", "a field left out keeps its value");
        assert_eq!(me["time_zone"], "Europe/Berlin");

        // Refusals write nothing, not even the valid half of the request.
        for (body, code) in [
            (json!({ "language": "fr", "time_zone": "UTC" }), "validation_failed"),
            (json!({ "language": "DE" }), "validation_failed"),
            (json!({ "time_zone": "Mars/Olympus" }), "validation_failed"),
            (json!({ "time_zone": "../../etc/passwd" }), "validation_failed"),
            (json!({ "language": 7 }), "invalid_body"),
        ] {
            let r = patch_me(&app, &token, body.clone()).await;
            let (status, got) = error_code(r).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(got, code, "{body}");
        }
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!((me["language"].as_str(), me["time_zone"].as_str()), (Some("de"), Some("Europe/Berlin")));

        let r = patch_me(&app, &token, json!({ "language": null, "time_zone": null })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!((me["language"].clone(), me["time_zone"].clone()), (Value::Null, Value::Null));

        let r = app
            .client
            .patch(app.url("/api/v1/me"))
            .json(&json!({ "language": "de" }))
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(r).await.0, StatusCode::UNAUTHORIZED);
        app.shutdown().await;
    }

    async fn pages_before_sign_in_follow_the_browser_and_the_switch(env: TestEnv) {
        let app = env.spawn().await;
        let page = |lang: Option<&'static str>, path: &'static str| {
            let mut req = app.client.get(app.url(path));
            if let Some(l) = lang {
                req = req.header(ACCEPT_LANGUAGE, l);
            }
            req.send()
        };
        let html = page(Some("de-DE,de;q=0.9,en;q=0.5"), "/login").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");
        assert!(html.contains("Sprache"), "the switch speaks German");
        let html = page(Some("fr-FR, en;q=0.4"), "/login").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "en");
        let html = page(None, "/forgot").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "en", "the deployment's default");
        // Error pages too.
        let html = page(Some("de"), "/no/such/page").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");
        assert!(html.contains("Seite nicht gefunden"));

        // `?lang=` on any page sets the cookie.
        let r = page(Some("en"), "/forgot?lang=de").await.unwrap();
        let cookie = r.headers().get_all(SET_COOKIE).iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("portcullis_lang="))
            .expect("the language cookie")
            .to_owned();
        assert!(cookie.starts_with("portcullis_lang=de;"), "{cookie}");
        assert_eq!(html_lang(&r.text().await.unwrap()), "de");
        // The cookie beats Accept-Language.
        let html = app.client.get(app.url("/login")).header(ACCEPT_LANGUAGE, "en")
            .header(COOKIE, "portcullis_lang=de").send().await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");

        // The switch: a form posting to /language, back to the page it was on.
        let direct = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = direct.post(app.url("/language"))
            .form(&[("lang", "de"), ("return_to", "/forgot?email=x")])
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[LOCATION], "/forgot?email=x");
        assert!(r.headers().get_all(SET_COOKIE).iter()
            .any(|v| v.to_str().unwrap().starts_with("portcullis_lang=de;")));
        // Never back to another site.
        let r = direct.post(app.url("/language"))
            .form(&[("lang", "en"), ("return_to", "//evil.example/")])
            .send().await.unwrap();
        assert_eq!(r.headers()[LOCATION], "/");
        let r = app.client.post(app.url("/language")).form(&[("lang", "fr")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = app.client.post(app.url("/language")).header("sec-fetch-site", "cross-site")
            .form(&[("lang", "de")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.headers().get(SET_COOKIE).is_none());
        // A browser without Sec-Fetch-Site still names the other site in Origin.
        let r = app.client.post(app.url("/language")).header("origin", "https://evil.example")
            .form(&[("lang", "de")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = direct.post(app.url("/language")).header("origin", app.url("").trim_end_matches('/'))
            .form(&[("lang", "de")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "our own origin");
        app.shutdown().await;
    }

    async fn a_signed_in_persons_pages_follow_the_account(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in(PERSON).await;
        let session = format!("portcullis_session={token}");
        let account = |lang: &'static str, path: &'static str| {
            app.client.get(app.url(path)).header(COOKIE, session.clone())
                .header(ACCEPT_LANGUAGE, lang).send()
        };
        // Nothing chosen yet: the browser's language, which the account then keeps (for its
        // emails and SMS too).
        let html = account("de", "/account").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["language"], "de");
        // The account's language wins over another browser's.
        let html = account("en", "/account").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");
        // `?lang=` is a new choice, stored.
        let html = account("de", "/account?lang=en").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "en");
        let me: Value = app.me(&token).await.json().await.unwrap();
        assert_eq!(me["language"], "en");
        // And the API's choice shows on the pages.
        patch_me(&app, &token, json!({ "language": "de" })).await;
        let html = account("en", "/account/security").await.unwrap().text().await.unwrap();
        assert_eq!(html_lang(&html), "de");
        app.shutdown().await;
    }
}
