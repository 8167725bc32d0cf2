//! "Devices and sessions" in headless Chromium: the page marks this browser, forgets a
//! remembered browser, ends another session (one an API client opened), signs out everywhere
//! else, and ending its own session signs it out; an administrator ends a user's sessions from the user page, one and then all;
//! the user manager's sign-in settings refuse a number of days out of range beside the field.
//! The API clients' tokens tell whether their sessions still work.
//!
//! Skipping works as in `browser.rs`: without chromium or chromedriver the tests say SKIPPED,
//! unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use std::time::{SystemTime, UNIX_EPOCH};

use fantoccini::{Client, Locator};
use portcullis_core::UnixTime;
use portcullis_core::model::{RememberedBrowser, RememberedBrowserId, UserId};
use portcullis_core::store::{RememberedBrowsers, Store, Transaction};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::browser::*;

const BOB: &str = "bob@example.com";

/// An API session of `email` opened with the password: (token, session id).
async fn api_session(app: &TestApp, email: &str) -> (String, String) {
    let server = app.server();
    let token = server.token_for(email, PASSWORD).await;
    let list = server.sessions(&token).await;
    let id = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, id)
}

async fn works(app: &TestApp, token: &str) -> bool {
    let status = app.server().me(token).await.status();
    assert!(
        status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    status == StatusCode::OK
}

/// A remembered browser of the person of `token`, as the sign-in page's registration leaves it
/// (that flow is tested with the sign-in; here only the list and "Forget" matter).
async fn remember(app: &TestApp, token: &str, id: &str) {
    let me: Value = app.server().me(token).await.json().await.unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let browser = RememberedBrowser {
        id: RememberedBrowserId(id.to_owned()),
        user_id: UserId(me["id"].as_str().unwrap().to_owned()),
        public_key: "BPublicKeyOfTheTest".to_owned(),
        created_at: UnixTime(now - 86_400),
        expires_at: UnixTime(now + 29 * 86_400),
        last_used_at: None,
        user_agent: Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
                .to_owned(),
        ),
        ip: Some("203.0.113.7".to_owned()),
    };
    let mut tx = app.server().state.services.store.begin().await.unwrap();
    tx.insert_remembered_browser(&browser).await.unwrap();
    tx.commit().await.unwrap();
}

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_devices_page_marks_this_browser_and_ends_the_others() {
    let app = TestApp::with_user().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = browser.client();
    let (first, first_id) = api_session(&app, EMAIL).await;
    let (second, _) = api_session(&app, EMAIL).await;

    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/account/security")).await.unwrap();
    click_on(c, Locator::LinkText("See devices and sessions")).await;
    assert_eq!(path_of(c).await, "/account/security/devices");
    assert_eq!(count(c, "#sessions li.session").await, 3);
    assert_eq!(
        count(c, "#sessions .badge--ok").await,
        1,
        "one session is this browser"
    );
    let mine = text_of(c, "#sessions li.session:has(.badge--ok) .session__meta").await;
    assert!(mine.contains("with password"), "{mine}");
    let api = text_of(
        c,
        &format!("li[data-session='{first_id}'] .session__device"),
    )
    .await;
    assert!(api.starts_with("API client"), "{api}");
    assert!(text_of(c, "#browsers-empty").await.contains("No browser"));

    // A remembered browser is listed, and forgotten.
    remember(&app, &first, "work-laptop").await;
    c.refresh().await.unwrap();
    let row = text_of(c, "#browsers li.session").await;
    assert!(row.contains("Firefox on Windows"), "{row}");
    assert!(row.contains("From 203.0.113.7"), "{row}");
    assert!(row.contains("last used never"), "{row}");
    screenshot(c, "devices").await;
    click(c, "#browsers li.session button").await;
    assert!(
        text_of(c, ".notice")
            .await
            .starts_with("That browser has been forgotten")
    );
    assert!(text_of(c, "#browsers-empty").await.contains("No browser"));
    let list: Value = app
        .server()
        .get("/api/v1/me/remembered-browsers", Some(&first))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["browsers"], json!([]));

    // End the first API client's session.
    click(c, &format!("li[data-session='{first_id}'] button")).await;
    assert_eq!(
        text_of(c, ".notice").await,
        "That session has been signed out."
    );
    assert_eq!(count(c, "#sessions li.session").await, 2);
    assert!(!works(&app, &first).await);
    assert!(works(&app, &second).await);

    // Everywhere else: the second one ends, this browser stays.
    click(c, "#sign-out-others").await;
    assert!(
        text_of(c, ".notice")
            .await
            .starts_with("Every other session")
    );
    assert!(!works(&app, &second).await);
    assert_eq!(count(c, "#sessions li.session").await, 1);
    assert!(text_of(c, "#only-this-browser").await.contains("only here"));
    // A reload shows the same, nothing posted again.
    c.refresh().await.unwrap();
    assert_eq!(count(c, "#sessions li.session").await, 1);

    // Ending this browser's own session signs it out.
    click(c, "#sessions li.session button").await;
    assert_eq!(path_of(c).await, "/login");
    c.goto(&app.url("/account/security/devices")).await.unwrap();
    assert_eq!(
        path_of(c).await,
        "/login",
        "signed out, the page asks to sign in"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_ends_a_users_sessions_from_the_user_page() {
    let app = TestApp::with_user().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = browser.client();
    let (owner, _) = api_session(&app, EMAIL).await;
    let r = app
        .server()
        .post_json(
            "/api/v1/users",
            &json!({ "email": BOB, "password": PASSWORD }),
            Some(&owner),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let bob_id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (one, one_id) = api_session(&app, BOB).await;
    let (two, _) = api_session(&app, BOB).await;

    sign_in_with_password(c, &app).await;
    c.goto(&app.url(&format!("/admin/users/{bob_id}")))
        .await
        .unwrap();
    assert_eq!(count(c, "#user-sessions li.session").await, 2);
    screenshot(c, "admin-user-sessions").await;
    click(c, &format!("li[data-session='{one_id}'] button")).await;
    assert_eq!(
        text_of(c, ".notice").await,
        "That session has been signed out."
    );
    assert!(!works(&app, &one).await);
    assert!(works(&app, &two).await);
    assert_eq!(count(c, "#user-sessions li.session").await, 1);

    click(c, "#end-all-sessions").await;
    assert!(
        text_of(c, ".notice")
            .await
            .starts_with("The person was signed out everywhere")
    );
    assert!(!works(&app, &two).await);
    assert!(
        text_of(c, "#user-sessions-empty")
            .await
            .contains("not signed in")
    );
    assert!(
        works(&app, &owner).await,
        "the administrator's own sessions stay"
    );

    // Bob sees it in his own activity: ended by someone else.
    let bob = app.server().token_for(BOB, PASSWORD).await;
    let kinds = app.server().audit_types(&bob).await;
    assert!(
        kinds.iter().any(|k| k == "session.others_revoked"),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| k == "session.revoked"), "{kinds:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_settings_refuse_days_out_of_range_beside_the_field() {
    let app = TestApp::with_user().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = browser.client();
    let (owner, _) = api_session(&app, EMAIL).await;
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/admin/users")).await.unwrap();
    assert_eq!(
        c.find(Locator::Id("remember_browser_days"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("30")
    );

    for bad in ["120", "-1", "two weeks"] {
        fill(c, "remember_browser_days", bad).await;
        click(c, "form[action='/admin/sign-in-settings'] button").await;
        let error = text_of(c, "#remember-days-error").await;
        assert!(error.contains("from 0 to 90"), "{bad}: {error}");
        screenshot(c, "sign-in-settings-refused").await;
        let kept = c
            .find(Locator::Id("remember_browser_days"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some(bad), "what was typed stays");
    }
    let contract: Value = app
        .server()
        .get("/api/v1/contract", Some(&owner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contract["remember_browser_days"], 30, "nothing was saved");

    fill(c, "remember_browser_days", "14").await;
    click_in_page(c, "#new_sign_in_notice").await;
    click(c, "form[action='/admin/sign-in-settings'] button").await;
    assert!(
        text_of(c, ".notice")
            .await
            .starts_with("The sign-in settings were saved")
    );
    let contract: Value = app
        .server()
        .get("/api/v1/contract", Some(&owner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contract["remember_browser_days"], 14);
    assert_eq!(contract["new_sign_in_notice"], false);
    browser.close().await;
}
