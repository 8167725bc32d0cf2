//! The OIDC clients page in headless Chromium: the owner registers a client with the form, reads
//! its secret once, and neither a refresh nor the back button brings it back; the secret shown
//! is the one that works.
//!
//! Skipping works as in `browser.rs`: without chromium and chromedriver the test says SKIPPED,
//! unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use crate::harness::browser::*;

#[tokio::test]
async fn a_client_secret_shown_once_stays_gone_after_a_refresh_and_after_going_back() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/account")).await.unwrap();
    click(c, "a[href='/admin/oidc-clients']").await;
    assert_eq!(text_of(c, "h1").await, "OIDC clients");
    fill(c, "client_name", "Grafana").await;
    fill(
        c,
        "client_uris",
        "https://grafana.example.com/login/generic_oauth",
    )
    .await;
    click(c, "form[action='/admin/oidc-clients'] button").await;
    let secret = text_of(c, "#client-secret").await;
    let client_id = text_of(c, "#new-client-id").await;
    assert_eq!(secret.len(), 43);
    let services = &app.server().state.services;
    assert!(
        services
            .oidc_authenticate_client(&client_id, Some(&secret))
            .await
            .is_ok()
    );

    // Away and back: the page is fetched again (never stored), and the secret is gone.
    c.goto(&app.url("/account")).await.unwrap();
    c.back().await.unwrap();
    assert_eq!(text_of(c, "h1").await, "OIDC clients");
    let source = c.source().await.unwrap();
    assert!(!source.contains(&secret), "going back does not show it");
    assert!(source.contains("Already shown"));

    c.refresh().await.unwrap();
    assert_eq!(text_of(c, "h1").await, "OIDC clients");
    assert!(
        !c.source().await.unwrap().contains(&secret),
        "a refresh does not show it"
    );

    browser.close().await;
    app.stop().await;
}
