//! "Don't ask for a code on this browser", in headless Chromium on a persistent profile: ticked at
//! the code, the browser keeps a key it cannot export in IndexedDB; closed and started again on
//! the same profile, it signs in without a code. Its cookies copied into a fresh profile (no key
//! there) ask for the code, and so does the same browser after a password change. A contract
//! that does not allow remembering shows no checkbox.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use reqwest::StatusCode;

use crate::harness::browser::*;

const NEW_PASSWORD: &str = "Another-Horse-10!";

/// A scratch folder that goes when the test ends, whatever its outcome.
struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until the browser, navigating on its own (scripts, redirects), reaches `path`.
async fn until_path(c: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = c.current_url().await.unwrap();
        if now.path() == path && c.find(Locator::Css("main")).await.is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "never reached {path}; at {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The password page, signed out first if the browser still has a session.
async fn password(c: &Client, app: &TestApp, password: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    if path_of(c).await == "/account" {
        click(c, "form[action='/logout'] button").await;
    }
    sign_in_as(c, app, EMAIL, password).await;
}

/// Is the code asked (the code form shown), after the password?
async fn code_asked(c: &Client) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let path = path_of(c).await;
        if path == "/account" {
            return false;
        }
        if path == "/login/code" && c.find(Locator::Id("code")).await.is_ok() {
            return true;
        }
        assert!(
            Instant::now() < deadline,
            "neither signed in nor asked: {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_remembered_browser_skips_the_code_after_a_restart_but_its_copied_cookies_do_not() {
    if !oathtool_available("remembered browser") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    let (key, _codes) = enable_totp(&app, &http).await;
    let profile = Folder(
        std::env::temp_dir().join(format!("portcullis-remembered-{}", uuid::Uuid::new_v4())),
    );

    // Sign in with a code and tick the box.
    let Some(laptop) = Browser::start_on(&profile.0).await else {
        return;
    };
    let c = laptop.client();
    password(c, &app, PASSWORD).await;
    assert!(code_asked(c).await);
    let label = text_of(c, "label[for='remember']").await;
    assert_eq!(label, "Don't ask for a code on this browser for 30 days");
    screenshot(c, "login-code-remember").await;
    c.find(Locator::Id("remember"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "code", &totp_code(&key, 30)).await;
    click(c, "form[action='/login/code'] button").await;
    until_path(c, "/account").await;
    // The cookies a browser keeps when it closes (the session cookie ends with it), read where
    // they are sent: a page under /login.
    c.goto(&app.url("/login/nothing-here")).await.unwrap();
    let kept: Vec<_> = c
        .get_all_cookies()
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.name() != "portcullis_session")
        .collect();
    assert!(
        kept.iter().any(|k| k.name() == "portcullis_remembered"),
        "{kept:?}"
    );
    laptop.close().await;

    // The same profile again: the password, and no code.
    let laptop = Browser::start_on(&profile.0).await.unwrap();
    let c = laptop.client();
    password(c, &app, PASSWORD).await;
    assert!(!code_asked(c).await, "a remembered browser asks no code");
    assert_eq!(text_of(c, "h1").await, "Your account");
    laptop.close().await;

    // The cookies in a fresh profile, which has no key: the code is asked.
    let copy = Browser::start().await.unwrap();
    let c = copy.client();
    c.goto(&app.url("/login/nothing-here")).await.unwrap();
    for kept in kept {
        // By script: WebDriver sets no cookie for an IP address. (A cookie a script sets is not
        // HttpOnly, which the server cannot tell.)
        let line = format!(
            "{}={}; path={}",
            kept.name(),
            kept.value(),
            kept.path().unwrap_or("/")
        );
        c.execute("document.cookie = arguments[0];", vec![line.into()])
            .await
            .unwrap();
    }
    c.goto(&app.url("/login/nothing-here")).await.unwrap();
    let copied = c.get_all_cookies().await.unwrap();
    assert!(
        copied.iter().any(|k| k.name() == "portcullis_remembered"),
        "{copied:?}"
    );
    password(c, &app, PASSWORD).await;
    assert!(code_asked(c).await, "copied cookies skip nothing");
    copy.close().await;

    // A changed password ends every remembered browser.
    let csrf = app.form_token(&http, "/account").await;
    let r = http
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("old_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("new_password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let laptop = Browser::start_on(&profile.0).await.unwrap();
    let c = laptop.client();
    password(c, &app, NEW_PASSWORD).await;
    assert!(
        code_asked(c).await,
        "the code again after a password change"
    );
    laptop.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_contract_that_forbids_remembering_shows_no_checkbox() {
    if !oathtool_available("remembered browser") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    let (_key, _codes) = enable_totp(&app, &http).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = browser.client();

    // Allowed (the default): the script shows the box.
    password(c, &app, PASSWORD).await;
    assert!(code_asked(c).await);
    let shown = c.find(Locator::Id("remember")).await.unwrap();
    assert!(shown.is_displayed().await.unwrap());

    // Forbidden: no box at all.
    let services = &app.server().state.services;
    let owner = services
        .operator_session(EMAIL)
        .await
        .expect("the owner's administrator handle")
        .0;
    let change = portcullis_core::service::ContractPolicyChange {
        remember_browser_days: Some(0),
        ..Default::default()
    };
    let meta = portcullis_core::model::RequestMeta::default();
    services
        .set_contract_policy(&owner, change, &meta)
        .await
        .expect("the contract changes");
    password(c, &app, PASSWORD).await;
    assert!(code_asked(c).await);
    assert!(
        c.find(Locator::Id("remember")).await.is_err(),
        "no checkbox"
    );
    browser.close().await;
    app.stop().await;
}
