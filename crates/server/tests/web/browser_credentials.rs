//! The support PIN and app password pages, black-box, through the real server and headless
//! Chromium: a person sets their PIN and a support agent's check then matches it; a
//! person makes an app password, sees it once, a mail server accepts it and the list shows its
//! use, and revoking it shuts the mail app out. Plain HTTP checks what a browser hides:
//! forged forms and signed-out visits.
//!
//! Skipping works as in `browser.rs`: without chromium or chromedriver the tests say SKIPPED,
//! unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::browser::*;

const AGENT: &str = "agent@support.example.com";
const AGENT_PASSWORD: &str = "Desk-Secret-42!";

/// A server with the owner `EMAIL`, a support agent, and a service token for the mail server.
async fn app_with_support_and_mail() -> (TestApp, String) {
    TestApp::with_mail_service(Some((AGENT, AGENT_PASSWORD))).await
}

/// What a support agent's check of `EMAIL` with `pin` answers.
async fn agent_check(app: &TestApp, pin: &str) -> Value {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(app.url("/api/v1/login"))
        .json(&json!({ "username": AGENT, "password": AGENT_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("the agent signs in");
    http.post(app.url("/api/v1/support/verify-pin"))
        .bearer_auth(token)
        .json(&json!({ "email": EMAIL, "pin": pin }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// What the mail server hears for `EMAIL` with `password`, from a client at 203.0.113.7.
async fn mail_login(app: &TestApp, service_token: &str, password: &str) -> bool {
    let body = json!({ "username": EMAIL, "password": password, "client_ip": "203.0.113.7" });
    let answer: Value = reqwest::Client::new()
        .post(app.url("/api/v1/app-auth"))
        .bearer_auth(service_token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["ok"].as_bool().expect("ok is a boolean")
}

async fn has(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

#[tokio::test]
async fn a_person_sets_a_support_pin_that_a_support_agent_can_then_check() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _) = app_with_support_and_mail().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/account/security")).await.unwrap();
    let tile = text_of(c, "#support-pin").await;
    assert!(tile.contains("Not set"), "{tile}");
    click(c, "#support-pin a[href='/account/support-pin']").await;
    assert_eq!(text_of(c, "h1").await, "Support PIN");
    assert!(text_of(c, "#pin-status").await.contains("Not set"));
    screenshot(c, "support-pin").await;

    // Typos and weak PINs are explained beside the field, and nothing is stored.
    fill(c, "pin", "48213").await;
    fill(c, "pin_confirm", "48231").await;
    click(c, "form[action='/account/support-pin'] button").await;
    assert_eq!(
        text_of(c, "#pin-confirm-error").await,
        "The two PINs do not match."
    );
    fill(c, "pin", "12345").await;
    fill(c, "pin_confirm", "12345").await;
    click(c, "form[action='/account/support-pin'] button").await;
    assert!(text_of(c, "#pin-error").await.contains("run of digits"));
    let pin_input = c.find(Locator::Id("pin")).await.unwrap();
    assert_eq!(
        pin_input.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(text_of(c, "#pin-status").await.contains("Not set"));
    screenshot(c, "support-pin-error").await;
    assert_eq!(agent_check(&app, "12345").await["match"], false);

    fill(c, "pin", "48213").await;
    fill(c, "pin_confirm", "48213").await;
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/account/support-pin'] button").await;
    assert_eq!(path_of(c).await, "/account/support-pin");
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("Your support PIN is set.")
    );
    let status = text_of(c, "#pin-status").await;
    assert!(
        status.starts_with("Set on ") && status.ends_with(" UTC"),
        "{status}"
    );
    assert!(
        !c.source().await.unwrap().contains("48213"),
        "the PIN is never shown"
    );
    assert_eq!(
        text_of(c, "form[action='/account/support-pin'] button").await,
        "Change PIN"
    );
    screenshot(c, "support-pin-set").await;

    assert_eq!(agent_check(&app, "48213").await["match"], true);
    assert_eq!(agent_check(&app, "48214").await["match"], false);
    c.goto(&app.url("/account/security")).await.unwrap();
    let tile = text_of(c, "#support-pin").await;
    assert!(tile.contains("Set on"), "{tile}");
    screenshot(c, "security-credentials").await;
    c.goto(&app.url("/account")).await.unwrap();
    let activity = text_of(c, ".activity").await;
    assert!(
        activity.contains("Support PIN checked by support"),
        "{activity}"
    );
    assert!(activity.contains("Support PIN set"), "{activity}");

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn an_app_password_is_shown_once_works_for_the_mail_server_and_is_revoked() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, service_token) = app_with_support_and_mail().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/account/security")).await.unwrap();
    assert!(text_of(c, "#app-passwords").await.contains("None"));
    click(c, "#app-passwords a[href='/account/app-passwords']").await;
    assert_eq!(text_of(c, "h1").await, "App passwords");
    assert_eq!(
        text_of(c, "#app-passwords-empty").await,
        "You have no app passwords."
    );

    // A name is required.
    click(c, "form[action='/account/app-passwords'] button").await;
    assert!(
        text_of(c, "#app-password-name-error")
            .await
            .starts_with("Give the app password a name")
    );
    assert!(!has(c, "#app-password").await);

    fill(c, "app_password_name", "Thunderbird").await;
    fill(c, "app_password_current", PASSWORD).await;
    click(c, "form[action='/account/app-passwords'] button").await;
    assert_eq!(
        text_of(c, "#created-title").await,
        "Your app password for “Thunderbird”"
    );
    let password = text_of(c, "#app-password").await;
    let groups: Vec<&str> = password.split('-').collect();
    assert!(
        groups.len() == 4
            && groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_lowercase())),
        "{password}"
    );
    let copy = c
        .find(Locator::Css("button[data-copy='app-password']"))
        .await
        .unwrap();
    assert!(
        copy.is_displayed().await.unwrap(),
        "copy.js shows the button"
    );
    assert_eq!(copy.text().await.unwrap(), "Copy password");
    let row = text_of(c, "#app-passwords").await;
    assert!(
        row.contains("Thunderbird") && row.contains("last used never"),
        "{row}"
    );
    screenshot(c, "app-password-created").await;

    // The mail server accepts it, and the list then shows from where.
    assert!(mail_login(&app, &service_token, &password).await);
    assert!(!mail_login(&app, &service_token, "abcd-efgh-ijkl-mnop").await);
    c.goto(&app.url("/account/app-passwords")).await.unwrap();
    assert!(!has(c, "#app-password").await, "shown only once");
    assert!(!c.source().await.unwrap().contains(&password));
    let row = text_of(c, "#app-passwords").await;
    assert!(row.contains("from 203.0.113.7"), "{row}");
    c.goto(&app.url("/account/security")).await.unwrap();
    assert!(text_of(c, "#app-passwords").await.contains("1 active"));
    c.goto(&app.url("/account/app-passwords")).await.unwrap();
    screenshot(c, "app-passwords").await;

    click(c, "form[action$='/revoke'] button").await;
    assert_eq!(
        text_of(c, "h1").await,
        "Revoke the app password “Thunderbird”?"
    );
    click(c, "form[action$='/revoke'] button").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("The app password was revoked.")
    );
    assert!(has(c, "#app-passwords-empty").await);
    assert!(
        !mail_login(&app, &service_token, &password).await,
        "revoked: the mail app is out"
    );

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_credential_pages_refuse_forged_forms_and_strangers() {
    let (app, _) = app_with_support_and_mail().await;
    let stranger = app.http();
    for path in ["/account/support-pin", "/account/app-passwords"] {
        let res = stranger.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        // The sign-in comes back to the page asked for.
        assert_eq!(location(&res), format!("/login?next={path}"));
    }

    let laptop = app.http();
    app.sign_in(&laptop).await;
    let forged = [
        (
            "/account/support-pin",
            vec![("pin", "48213"), ("pin_confirm", "48213")],
        ),
        ("/account/app-passwords", vec![("name", "Sneaky")]),
    ];
    for (path, form) in forged {
        let res = laptop.post(app.url(path)).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(res.text().await.unwrap().contains("Form expired"));
    }
    let page = laptop
        .get(app.url("/account/support-pin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(between(&page, "id=\"pin-status\">", "</dd>")[0].contains("Not set"));
    let page = laptop
        .get(app.url("/account/app-passwords"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("You have no app passwords."));

    // Another person's app password cannot be revoked from here.
    let csrf = hidden_csrf(&page);
    let res = laptop
        .post(app.url("/account/app-passwords/not-mine/revoke"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
