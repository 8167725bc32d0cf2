//! The web pages, black-box, through the real server on `127.0.0.1:0` with a fresh data folder per
//! test. Headless Chromium (through chromedriver) clicks through the flows a person uses; plain
//! HTTP checks what a browser hides: headers, cookie attributes, refused forms.
//!
//! Without chromium and chromedriver the browser tests print a SKIPPED line and pass, unless
//! `PORTCULLIS_REQUIRE_BROWSER=1` (CI), which makes them fail instead. The two-factor tests read
//! the authenticator key off the page and compute codes with `oathtool` (Debian `oathtool`), as a
//! person's app would; without it they are SKIPPED too, unless `PORTCULLIS_REQUIRE_BROWSER=1` or
//! `PORTCULLIS_REQUIRE_TOOLS=1`. Set `PORTCULLIS_SCREENSHOT_DIR` to keep screenshots of the pages
//! at desktop and phone widths.

use fantoccini::Locator;
use reqwest::StatusCode;
use reqwest::header;

use crate::harness::browser::*;

// ---------------------------------------------------------------------------------------------
// Flows in the browser

#[tokio::test]
async fn a_person_signs_in_after_a_typo_sees_their_account_and_signs_out() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();

    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(path_of(c).await, "/login");
    assert_eq!(c.title().await.unwrap(), "Sign in · Portcullis");
    assert_eq!(text_of(c, "label[for='username']").await, "Email");
    assert_eq!(text_of(c, "label[for='password']").await, "Password");
    let password = c.find(Locator::Id("password")).await.unwrap();
    assert_eq!(
        password.attr("autocomplete").await.unwrap().as_deref(),
        Some("current-password")
    );
    screenshot(c, "login").await;

    fill(c, "username", EMAIL).await;
    fill(c, "password", "Wrong-Horse-9!").await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "Wrong email or password."
    );
    assert_eq!(path_of(c).await, "/login");
    let username = c.find(Locator::Id("username")).await.unwrap();
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some(EMAIL)
    );
    screenshot(c, "login-error").await;

    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(text_of(c, "h1").await, "Your account");
    assert_eq!(path_of(c).await, "/account");
    let profile = text_of(c, ".facts").await;
    assert!(profile.contains(EMAIL), "{profile}");
    assert!(profile.contains("Owner"), "{profile}");
    assert!(text_of(c, ".sessions").await.contains("This browser"));
    let activity = text_of(c, ".activity").await;
    assert!(
        activity.contains("Sign-in with a wrong password"),
        "{activity}"
    );
    assert!(activity.contains("Signed in"), "{activity}");
    screenshot(c, "account").await;

    c.goto(&app.url("/account/security")).await.unwrap();
    let tiles = text_of(c, ".tiles").await;
    for factor in [
        "Authenticator app",
        "Companion app (push)",
        "Support PIN",
        "App passwords",
    ] {
        assert!(tiles.contains(factor), "{tiles}");
    }
    screenshot(c, "security").await;

    click(c, "form[action='/logout'] button").await;
    assert_eq!(text_of(c, "[role='status']").await, "You are signed out.");
    assert_eq!(path_of(c).await, "/login");
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(
        path_of(c).await,
        "/login",
        "the session ended on the server too"
    );

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_person_signs_up_changes_their_password_and_signs_out_another_device() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    let email = "bob@example.com";

    c.goto(&app.url("/login")).await.unwrap();
    click(c, "a[href='/signup']").await;
    assert_eq!(text_of(c, "h1").await, "Create an account");
    fill(c, "email", email).await;
    fill(c, "password", "Blue-Secret-42").await;
    fill(c, "password_confirm", "Blue-Secret-42").await;
    click(c, "form[action='/signup'] button[type='submit']").await;
    // Signed in at once, and greeted as new on the security page.
    assert_eq!(path_of(c).await, "/account/security");
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("Welcome to Portcullis — your account is ready.")
    );
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Your account");

    // Another device signs in; it shows in the list with its own button.
    let other = app.http();
    let csrf = app.form_token(&other, "/login").await;
    let signed_in = other
        .post(app.url("/login"))
        .header(
            header::USER_AGENT,
            "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0",
        )
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", email),
            ("password", "Blue-Secret-42"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);

    fill(c, "old_password", "Blue-Secret-42").await;
    fill(c, "new_password", "Blue-Better-43!").await;
    fill(c, "new_password_confirm", "Blue-Better-44!").await;
    click(c, "form[action='/account/password'] button").await;
    assert_eq!(
        text_of(c, "#new-password-confirm-error").await,
        "The two new passwords do not match."
    );
    let confirm = c.find(Locator::Id("new_password_confirm")).await.unwrap();
    assert_eq!(
        confirm.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );

    c.goto(&app.url("/account")).await.unwrap();
    assert!(text_of(c, ".sessions").await.contains("Firefox on Windows"));
    click(c, ".session form[action$='/revoke'] button").await;
    assert_eq!(
        text_of(c, "[role='status']").await,
        "That session has been signed out."
    );
    assert!(!text_of(c, ".sessions").await.contains("Firefox on Windows"));
    let res = other.get(app.url("/account")).send().await.unwrap();
    assert_eq!(location(&res), "/login", "the other device is signed out");

    fill(c, "old_password", "Blue-Secret-42").await;
    fill(c, "new_password", "Blue-Better-43!").await;
    fill(c, "new_password_confirm", "Blue-Better-43!").await;
    click(c, "form[action='/account/password'] button").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("Your password has been changed.")
    );

    click(c, "form[action='/logout'] button").await;
    fill(c, "username", email).await;
    fill(c, "password", "Blue-Secret-42").await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "Wrong email or password."
    );
    fill(c, "password", "Blue-Better-43!").await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(text_of(c, "h1").await, "Your account");

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_first_owner_registers_through_the_setup_link_which_then_stops_working() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::fresh_closed().await;
    let token = app
        .setup_token
        .clone()
        .expect("a fresh server issues a setup link");
    let c = browser.client();
    let link = app.url(&format!("/setup?token={token}"));

    c.goto(&link).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Set up Portcullis");
    fill(c, "email", "owner@example.com").await;
    fill(c, "password", "password").await;
    fill(c, "password_confirm", "password").await;
    click(c, "form[action='/setup'] button").await;
    // Every broken rule at once, one per line.
    assert_eq!(
        text_of(c, "#password-error").await,
        "This password breaks 3 rules:\nThe password must contain an upper-case letter.\n\
         The password must contain a special character (not a letter or digit).\n\
         The password must not be one of the most common breached passwords, even disguised."
    );
    screenshot(c, "setup-error").await;

    fill(c, "password", "Harbor-Pass-1").await;
    fill(c, "password_confirm", "Harbor-Pass-1").await;
    click(c, "form[action='/setup'] button").await;
    // The owner is signed in at once and greeted.
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("Welcome to Portcullis — your account is ready.")
    );
    c.goto(&app.url("/account")).await.unwrap();
    assert!(text_of(c, ".facts").await.contains("owner@example.com"));

    // The used link says an owner exists and offers the sign-in, not a server restart.
    c.goto(&link).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Setup link already used");
    assert_eq!(
        text_of(c, "#setup-used").await,
        "This setup link has been used — an owner already exists. Sign in instead."
    );
    let main = text_of(c, "main").await;
    assert!(!main.contains("restart") && !main.contains('`'), "{main}");
    assert!(
        c.find(Locator::Css("main a[href='/login']")).await.is_ok(),
        "the page links to the sign-in"
    );

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_person_sets_up_an_authenticator_app_and_signs_in_with_its_codes() {
    if !oathtool_available("authenticator setup") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();

    sign_in_with_password(c, &app).await;
    assert_eq!(path_of(c).await, "/account");
    c.goto(&app.url("/account/security")).await.unwrap();
    let tile = text_of(c, "#totp").await;
    assert!(tile.contains("Not set up"), "{tile}");
    click(c, "form[action='/account/security/totp/start'] button").await;

    // The assistant: an app to install, a QR code, the key as text, then password and code.
    assert_eq!(path_of(c).await, "/account/security/totp");
    assert_eq!(text_of(c, "h1").await, "Set up your authenticator app");
    let steps = text_of(c, ".steps").await;
    for app_name in ["Aegis", "FreeOTP", "Google Authenticator", "1Password"] {
        assert!(steps.contains(app_name), "{steps}");
    }
    c.find(Locator::Css(
        ".qr[role='img'][aria-label] svg[aria-hidden='true']",
    ))
    .await
    .expect("the QR code is drawn inline");
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    let copy = c
        .find(Locator::Css("button[data-copy='totp-key']"))
        .await
        .unwrap();
    assert!(
        copy.is_displayed().await.unwrap(),
        "copy.js shows the button"
    );
    assert_eq!(copy.text().await.unwrap(), "Copy key");
    let code = c.find(Locator::Id("code")).await.unwrap();
    assert_eq!(
        code.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    assert_eq!(
        code.attr("autocomplete").await.unwrap().as_deref(),
        Some("one-time-code")
    );
    assert_eq!(text_of(c, "label[for='code']").await, "Code from the app");
    screenshot(c, "totp-setup").await;

    fill(c, "password", PASSWORD).await;
    fill(c, "code", &wrong_code(&key)).await;
    click(c, "form[action='/account/security/totp/activate'] button").await;
    assert!(
        text_of(c, "#code-error")
            .await
            .starts_with("That code is not right."),
        "a wrong code is explained beside the field"
    );
    assert_eq!(
        key_from_grouped(&text_of(c, "#totp-key").await),
        key,
        "the same setup continues"
    );
    screenshot(c, "totp-setup-error").await;

    fill(c, "password", PASSWORD).await;
    fill(c, "code", &totp_code(&key, 0)).await;
    click(c, "form[action='/account/security/totp/activate'] button").await;
    assert_eq!(text_of(c, "h1").await, "Two-factor authentication is on");
    assert!(text_of(c, "main").await.contains("will not be shown again"));
    let mut codes = Vec::new();
    for li in c
        .find_all(Locator::Css("#recovery-codes li"))
        .await
        .unwrap()
    {
        codes.push(li.text().await.unwrap());
    }
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|code| looks_like_recovery_code(code)),
        "{codes:?}"
    );
    screenshot(c, "totp-done").await;

    // The kit downloads with this browser's session.
    let kit_link = "a[href='/account/security/emergency-kit.pdf']";
    assert_eq!(text_of(c, kit_link).await, "Download emergency kit (PDF)");
    let session = c.get_named_cookie("portcullis_session").await.unwrap();
    let pdf = reqwest::Client::new()
        .get(app.url("/account/security/emergency-kit.pdf"))
        .header(
            header::COOKIE,
            format!("portcullis_session={}", session.value()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    click(c, "a.button[href='/account/security']").await;
    assert_eq!(path_of(c).await, "/account/security");
    assert!(text_of(c, "#totp").await.contains("Active"));
    assert_eq!(text_of(c, "#recovery-codes-left").await, "10 of 10 left");
    screenshot(c, "security-active").await;

    // Removing the app asks for the password first; the folded form opens without script.
    click_in_page(c, "#totp summary:has(+ form[action$='/deactivate'])").await;
    fill(c, "deactivate_password", "Wrong-Horse-9!").await;
    click(c, "form[action='/account/security/totp/deactivate'] button").await;
    assert_eq!(
        text_of(c, "#deactivate-error").await,
        "Your current password is not correct."
    );
    assert!(text_of(c, "#totp").await.contains("Active"));
    screenshot(c, "security-deactivate-error").await;

    // Signing in now takes two pages; a wrong code is refused on the second.
    click(c, "form[action='/logout'] button").await;
    sign_in_with_password(c, &app).await;
    assert_eq!(path_of(c).await, "/login/code");
    assert_eq!(text_of(c, "h1").await, "Enter your code");
    let code = c.find(Locator::Id("code")).await.unwrap();
    assert_eq!(
        code.attr("autocomplete").await.unwrap().as_deref(),
        Some("one-time-code")
    );
    assert_eq!(text_of(c, "label[for='code']").await, "Security code");
    screenshot(c, "login-code").await;
    fill(c, "code", &wrong_code(&key)).await;
    click(c, "form[action='/login/code'] button").await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "That code is not right, or was already used. Try the next code."
    );
    assert_eq!(path_of(c).await, "/login/code");
    screenshot(c, "login-code-error").await;

    // A recovery code works in place of the app, once.
    click(c, "a[href='/login/code?recovery=1']").await;
    assert_eq!(text_of(c, "h1").await, "Use a recovery code");
    screenshot(c, "login-recovery").await;
    fill(c, "recovery_code", &codes[0]).await;
    click(c, "form[action='/login/recovery'] button").await;
    assert_eq!(text_of(c, "h1").await, "Your account");

    click(c, "form[action='/logout'] button").await;
    sign_in_with_password(c, &app).await;
    click(c, "a[href='/login/code?recovery=1']").await;
    fill(c, "recovery_code", &codes[0]).await;
    click(c, "form[action='/login/recovery'] button").await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "That recovery code is not right, or was already used. Each code works once."
    );

    // The code of the step after the one used at activation: fresh, and already accepted.
    click(c, "a[href='/login/code']").await;
    fill(c, "code", &totp_code(&key, 30)).await;
    click(c, "form[action='/login/code'] button").await;
    assert_eq!(text_of(c, "h1").await, "Your account");
    let activity = text_of(c, ".activity").await;
    for event in [
        "Switching on the authenticator app",
        "Wrong authenticator code at sign-in",
        "Signed in with a recovery code",
        "Wrong recovery code at sign-in",
        "Authenticator code accepted at sign-in",
        "Recovery code used",
    ] {
        assert!(activity.contains(event), "{activity}");
    }
    c.goto(&app.url("/account/security")).await.unwrap();
    assert_eq!(text_of(c, "#recovery-codes-left").await, "9 of 10 left");

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_person_who_lost_their_phone_removes_two_factor_with_a_recovery_code() {
    if !oathtool_available("lost phone") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let (_key, codes) = enable_totp(&app, &laptop).await;
    let c = browser.client();

    c.goto(&app.url("/login")).await.unwrap();
    click(c, "a[href='/recover']").await;
    assert_eq!(text_of(c, "h1").await, "Lost your phone?");
    assert!(
        text_of(c, ".notice--warning")
            .await
            .contains("removes two-factor authentication")
    );
    screenshot(c, "recover").await;
    fill(c, "username", EMAIL).await;
    fill(c, "password", PASSWORD).await;
    fill(c, "recovery_code", "1111-2222-3333-4444").await;
    click(c, "form[action='/recover'] button").await;
    assert_eq!(
        text_of(c, "[role='alert']").await,
        "That recovery code is not right, or was already used. Each code works once."
    );

    fill(c, "password", PASSWORD).await;
    fill(c, "recovery_code", &codes[3].replace('-', " ")).await;
    click(c, "form[action='/recover'] button").await;
    assert_eq!(path_of(c).await, "/account/security");
    assert!(
        text_of(c, "[role='status']")
            .await
            .contains("Set up your authenticator app again")
    );
    assert!(text_of(c, "#totp").await.contains("Not set up"));
    screenshot(c, "recovered").await;
    let res = laptop.get(app.url("/account")).send().await.unwrap();
    assert_eq!(location(&res), "/login", "every other device is signed out");

    click(c, "form[action='/logout'] button").await;
    sign_in_with_password(c, &app).await;
    assert_eq!(
        path_of(c).await,
        "/account",
        "the password alone signs in again"
    );

    browser.close().await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// What a browser does not show

#[tokio::test]
async fn a_login_without_its_csrf_token_is_refused_and_signs_nobody_in() {
    let app = TestApp::with_user().await;
    let http = app.http();

    let res = http
        .post(app.url("/login"))
        .form(&[("username", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your form expired: this page was open too long; please try again.")
    );

    // The token of another browser's cookie does not fit this one's.
    let stranger = app.http();
    let foreign = app.form_token(&stranger, "/login").await;
    let _ = app.form_token(&http, "/login").await;
    let res = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", foreign.as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());

    let res = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    app.stop().await;
}

#[tokio::test]
async fn the_login_page_carries_the_csp_no_store_and_a_strict_csrf_cookie() {
    let app = TestApp::with_user().await;
    let res = app.http().get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(
        h.get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let cookie = set_cookie(h, "portcullis_csrf").expect("a CSRF cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Path=/") && !cookie.contains("Secure"),
        "{cookie}"
    );

    let css = app
        .http()
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        css.headers().get(header::CONTENT_TYPE).unwrap(),
        "text/css; charset=utf-8"
    );
    app.stop().await;
}

#[tokio::test]
async fn signing_in_sets_an_http_only_session_cookie_and_signing_out_clears_it() {
    let app = TestApp::with_user().await;
    let http = app.http();
    let res = app.sign_in(&http).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account");
    let cookie = set_cookie(res.headers(), "portcullis_session").expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "{cookie}"
    );

    let account = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK);
    assert_eq!(
        account.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let html = account.text().await.unwrap();
    assert!(html.contains(EMAIL));

    // Sign-out is a form like any other: without the token it changes nothing.
    let refused = http
        .post(app.url("/logout"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let still = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(still.status(), StatusCode::OK);

    let res = http
        .post(app.url("/logout"))
        .form(&[("csrf", hidden_csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?done=signed_out");
    let cleared = set_cookie(res.headers(), "portcullis_session").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let res = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    app.stop().await;
}

#[tokio::test]
async fn too_many_wrong_passwords_answer_429_with_the_wait() {
    let app = TestApp::with_user().await;
    let http = app.http();
    let csrf = app.form_token(&http, "/login").await;
    let mut last = None;
    for _ in 0..20 {
        let res = http
            .post(app.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", EMAIL),
                ("password", "Wrong-Horse-9!"),
            ])
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            last = Some(res);
            break;
        }
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = last.expect("the account throttle engages within 20 attempts");
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many failed attempts. Wait "), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn closed_registration_and_unknown_pages_answer_an_html_404() {
    let app = TestApp::fresh_closed().await;
    let http = app.http();
    for path in ["/signup", "/no/such/page"] {
        let res = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(res.text().await.unwrap().contains("Page not found"));
    }
    let res = http
        .get(app.url("/setup?token=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("setup link is invalid"));
    app.stop().await;
}

#[tokio::test]
async fn the_password_step_hands_over_a_strict_ticket_cookie_that_only_the_login_pages_see() {
    if !oathtool_available("ticket cookie") {
        return;
    }
    let app = TestApp::with_user().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let (key, _codes) = enable_totp(&app, &laptop).await;

    let http = app.http();
    let res = app.sign_in(&http).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login/code");
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    let cookie = set_cookie(res.headers(), "portcullis_ticket").expect("a ticket cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/login;"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let max_age: i64 = cookie
        .rsplit_once("Max-Age=")
        .and_then(|(_, v)| v.split(';').next())
        .and_then(|v| v.parse().ok())
        .expect("a Max-Age");
    assert!((290..=300).contains(&max_age), "{cookie}");
    let res = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(
        location(&res),
        "/login",
        "the password alone opened no session"
    );

    let page = http.get(app.url("/login/code")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"autocomplete="one-time-code""#), "{html}");
    let csrf = hidden_csrf(&html);

    let res = http
        .post(app.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", &totp_code(&key, 30))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account");
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    let cleared = set_cookie(res.headers(), "portcullis_ticket").unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Path=/login"),
        "{cleared}"
    );
    let res = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Without a ticket there is no second page to show.
    let stranger = app.http();
    let res = stranger.get(app.url("/login/code")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    app.stop().await;
}

#[tokio::test]
async fn five_wrong_codes_end_the_sign_in_and_even_the_right_code_then_starts_over() {
    if !oathtool_available("ticket failures") {
        return;
    }
    let app = TestApp::with_user().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let (key, _codes) = enable_totp(&app, &laptop).await;

    let http = app.http();
    app.sign_in(&http).await;
    let csrf = app.form_token(&http, "/login/code").await;
    let wrong = wrong_code(&key);
    for _ in 0..5 {
        let res = http
            .post(app.url("/login/code"))
            .form(&[("csrf", csrf.as_str()), ("code", wrong.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.text().await.unwrap().contains("That code is not right"));
    }
    let res = http
        .post(app.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", &totp_code(&key, 30))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?done=sign_in_expired");
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    let cleared = set_cookie(res.headers(), "portcullis_ticket").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let page = http
        .get(app.url("/login?done=sign_in_expired"))
        .send()
        .await
        .unwrap();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Sign in again with your password")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_emergency_kit_is_a_private_pdf_for_the_session_that_made_the_codes() {
    if !oathtool_available("emergency kit") {
        return;
    }
    let app = TestApp::with_user().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let (key, _codes) = enable_totp(&app, &laptop).await;

    let res = laptop
        .get(app.url("/account/security/emergency-kit.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(
        h.get(header::CONTENT_DISPOSITION).unwrap(),
        r#"attachment; filename="portcullis-emergency-kit.pdf""#
    );
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Another session of the same person gets no kit: the codes were shown to the laptop only.
    let phone = app.http();
    app.sign_in(&phone).await;
    let csrf = app.form_token(&phone, "/login/code").await;
    phone
        .post(app.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", &totp_code(&key, 30))])
        .send()
        .await
        .unwrap();
    let res = phone
        .get(app.url("/account/security/emergency-kit.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("Emergency kit no longer available"), "{html}");
    assert!(html.contains("15 minutes after activation"), "{html}");

    // The assistant loads its one script from a file: the CSP allows no inline script.
    let js = laptop.get(app.url("/static/copy.js")).send().await.unwrap();
    assert_eq!(
        js.headers().get(header::CONTENT_TYPE).unwrap(),
        "text/javascript; charset=utf-8"
    );
    app.stop().await;
}

#[tokio::test]
async fn deactivating_needs_the_current_password_and_then_signing_in_needs_only_the_password() {
    if !oathtool_available("deactivate") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    enable_totp(&app, &http).await;
    let csrf = app.form_token(&http, "/account/security").await;

    let res = http
        .post(app.url("/account/security/totp/deactivate"))
        .form(&[("csrf", csrf.as_str()), ("password", "Wrong-Horse-9!")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="deactivate-error""#), "{html}");
    assert!(html.contains("Your current password is not correct."));
    assert!(
        html.contains(r#"<details class="disclosure" open>"#),
        "the form stays open"
    );

    let res = http
        .post(app.url("/account/security/recovery-codes"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security/recovery-codes");
    let html = http
        .get(app.url("/account/security/recovery-codes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(between(&html, "<li><code>", "</code>").len(), 10);
    assert!(html.contains("The old ones no longer work."));

    let res = http
        .post(app.url("/account/security/totp/deactivate"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security?done=totp_deactivated");
    let other = app.http();
    let res = app.sign_in(&other).await;
    assert_eq!(location(&res), "/account");
    app.stop().await;
}
