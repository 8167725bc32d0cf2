//! The access-rules page (`/admin/access-rules`) in headless Chromium: the owner adds a rule for
//! a group through the form, sees it listed, is told what is wrong with a bad host, and removes
//! the rule; forward authentication (asked over plain HTTP, as a proxy would) follows each step.
//!
//! Skipping works as in `browser.rs`: without chromium or chromedriver the test says SKIPPED,
//! unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use portcullis_core::password::Password;
use reqwest::StatusCode;

use crate::harness::browser::*;

/// What a proxy hears for `app.example.com/` without a session.
async fn forward_auth_without_session(app: &TestApp) -> StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/api/v1/authz/forward-auth"))
        .header("X-Forwarded-Host", "app.example.com")
        .header("X-Forwarded-Uri", "/")
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn an_owner_adds_and_removes_an_access_rule_on_its_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn_with(
        |a| a.trusted_proxies = Some(vec!["127.0.0.1".into()]),
        |server| async move {
            let owner = Password::new(PASSWORD);
            server
                .state()
                .services
                .create_owner_from_shell(EMAIL, &owner)
                .await
                .unwrap();
            server
        },
    )
    .await;
    let c = browser.client();
    assert_eq!(
        forward_auth_without_session(&app).await,
        StatusCode::FORBIDDEN
    );

    sign_in_with_password(c, &app).await;
    click(c, ".site-nav a[href='/admin/groups']").await;
    fill(c, "group_name", "ops").await;
    click(c, "form[action='/admin/groups'] button").await;
    click(c, ".site-nav a[href='/admin/access-rules']").await;
    assert_eq!(text_of(c, "h1").await, "Access rules");

    // A host with a path in it is refused beside the form, which keeps what was typed.
    fill(c, "rule_host", "app.example.com/x").await;
    click(
        c,
        "form[action='/admin/access-rules'] button[type='submit']",
    )
    .await;
    assert!(
        text_of(c, "#add-error").await.contains("host"),
        "{}",
        text_of(c, "#add-error").await
    );

    c.find(fantoccini::Locator::Id("rule_host"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    fill(c, "rule_host", "App.Example.com").await;
    c.find(fantoccini::Locator::Id("rule_policy"))
        .await
        .unwrap()
        .select_by_value("two-factor")
        .await
        .unwrap();
    fill(c, "rule_groups", "ops").await;
    click(
        c,
        "form[action='/admin/access-rules'] button[type='submit']",
    )
    .await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("The access rule was added")
    );
    let listed = text_of(c, "ul[aria-label='Access rules']").await;
    assert!(listed.contains("app.example.com/"), "{listed}");
    assert!(listed.contains("two-factor authentication"), "{listed}");
    assert!(listed.contains("ops"), "{listed}");
    screenshot(c, "admin-access-rules").await;
    // The rule holds at once: without a session, the proxy sends the browser to sign in.
    assert_eq!(forward_auth_without_session(&app).await, StatusCode::FOUND);

    click(c, "form[action$='/remove'] button").await;
    assert_eq!(
        text_of(c, "[role='status']").await,
        "The access rule was removed."
    );
    assert_eq!(
        forward_auth_without_session(&app).await,
        StatusCode::FORBIDDEN
    );
    browser.close().await;
    app.stop().await;
}
