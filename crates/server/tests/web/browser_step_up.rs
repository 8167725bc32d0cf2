//! The step-up in Chromium: a person signed in with the password alone opens a link that asks
//! for two-factor authentication (`/login?next=…&acr=mfa`) and is asked only for the missing
//! factor, or, without one, led through the setup, and lands where the link pointed.

use crate::harness::browser::*;

/// Switches on the authenticator app from the security page of the signed-in browser `c`; the
/// session stays the password session it was. Returns the key.
async fn switch_on_the_app(c: &fantoccini::Client, app: &TestApp) -> String {
    c.goto(&app.url("/account/security")).await.unwrap();
    click(c, "form[action='/account/security/totp/start'] button").await;
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    fill(c, "password", PASSWORD).await;
    fill(c, "code", &totp_code(&key, 0)).await;
    click(c, "form[action='/account/security/totp/activate'] button").await;
    assert_eq!(text_of(c, "h1").await, "Two-factor authentication is on");
    key
}

#[tokio::test]
async fn a_password_session_is_asked_only_for_the_code_and_lands_on_next() {
    if !oathtool_available("step-up with a code") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;
    let key = switch_on_the_app(c, &app).await;

    c.goto(&app.url("/login?next=/account/security&acr=mfa"))
        .await
        .unwrap();
    assert_eq!(path_of(c).await, "/login/step-up");
    assert!(
        text_of(c, "#step-up-lead")
            .await
            .contains("asks for two-factor authentication")
    );
    screenshot(c, "step-up").await;
    click(c, "#step-up-continue").await;
    assert_eq!(path_of(c).await, "/login/code");
    assert!(
        c.find(fantoccini::Locator::Id("password")).await.is_err(),
        "no password asked again"
    );
    // The step after the one that switched the app on.
    fill(c, "code", &totp_code(&key, 30)).await;
    click(c, "form[action='/login/code'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account/security");
    assert_eq!(text_of(c, "h1").await, "Security");

    // Asked again, the stronger session goes straight on.
    c.goto(&app.url("/login?next=/account/security&acr=mfa"))
        .await
        .unwrap();
    assert_eq!(path_of(c).await, "/account/security");
    app.stop().await;
    browser.close().await;
}

#[tokio::test]
async fn a_person_without_a_factor_is_led_through_the_setup_and_lands_on_next() {
    if !oathtool_available("step-up through the setup") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;

    c.goto(&app.url("/login?next=/account/security&acr=mfa"))
        .await
        .unwrap();
    click(c, "#step-up-continue").await;
    assert_eq!(path_of(c).await, "/login/setup");
    assert!(
        text_of(c, "#app-asks")
            .await
            .contains("The application you are going to asks for two-factor authentication")
    );
    screenshot(c, "step-up-setup").await;
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    fill(c, "code", &totp_code(&key, 0)).await;
    click(c, "form[action='/login/setup'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    click(c, ".codes__done a").await;
    assert_eq!(path_of(c).await, "/account/security");
    app.stop().await;
    browser.close().await;
}

#[tokio::test]
async fn after_the_password_form_an_application_on_another_origin_is_reached_through_our_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // The public URL is 127.0.0.1; `localhost` (the cookie domain) is another origin, as an
    // application behind the same parent domain would be.
    let app = TestApp::spawn_with(
        |a| {
            a.open_registration = Some(true);
            a.cookie_domain = Some("localhost".into());
        },
        |server| async move {
            let owner = portcullis_core::password::Password::new(PASSWORD);
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
    let elsewhere = format!("http://localhost:{}/account/security", app.addr.port());
    let link = format!(
        "/login?next={}",
        url::form_urlencoded::byte_serialize(elsewhere.as_bytes()).collect::<String>()
    );
    c.goto(&app.url(&link)).await.unwrap();
    fill(c, "username", EMAIL).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/login'] button[type='submit']").await;
    // The page of ours refreshes on to the application; a 303 would have been blocked by the
    // CSP's form-action after the post.
    let mut landed = String::new();
    for _ in 0..50 {
        landed = c.current_url().await.unwrap().to_string();
        if landed.starts_with("http://localhost:") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(landed.starts_with("http://localhost:"), "still at {landed}");
    app.stop().await;
    browser.close().await;
}
