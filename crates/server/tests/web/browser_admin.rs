//! The administration pages, black-box, through the real server and headless Chromium: the user
//! manager with "Force 2-Factor Auth" and the setup wizard it leads to at sign-in, the
//! admin reset of a user's two-factor authentication, groups, and resources that
//! exist only for sessions signed in with a second factor. Plain HTTP checks what a
//! browser hides: the wizard's ticket cookie, and refusals for people who may not act.
//!
//! Skipping works as in `browser.rs`: without chromium, chromedriver or oathtool the tests say
//! SKIPPED, unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use fantoccini::{Client, Locator};
use reqwest::StatusCode;

use crate::harness::browser::*;
use crate::harness::outbox;

const BOB: &str = "bob@example.com";
const BOB_PASSWORD: &str = "Blue-Secret-42!";

/// The owner (signed in on `http`) adds a user through the user manager's form.
async fn add_user(
    app: &TestApp,
    http: &reqwest::Client,
    email: &str,
    password: &str,
    role: &str,
    force_2fa: bool,
) -> reqwest::Response {
    let csrf = app.form_token(http, "/admin/users").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", password),
        ("role", role),
    ];
    if force_2fa {
        form.push(("force_2fa", "on"));
    }
    http.post(app.url("/admin/users"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The id in the user manager's link to `email`.
fn user_id(users_page: &str, email: &str) -> String {
    let link_end = format!("\">{email}</a>");
    let end = users_page.find(&link_end).expect("a link to the user");
    let start = users_page[..end].rfind("/admin/users/").unwrap() + "/admin/users/".len();
    users_page[start..end].to_owned()
}

async fn has(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

async fn sign_out(c: &Client) {
    click(c, "form[action='/logout'] button").await;
}

/// XPath of the user manager's row for `email`.
fn user_row(email: &str) -> String {
    format!("//table[@id='users']//tr[.//a[text()='{email}']]")
}

/// XPath of the resource card called `name`.
fn resource_card(name: &str) -> String {
    format!("//li[contains(@class,'resource')][.//h2[text()='{name}']]")
}

async fn xpath_text(c: &Client, xpath: &str) -> String {
    c.find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("no element {xpath}: {e}"))
        .text()
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Flows in the browser

#[tokio::test]
async fn a_user_with_forced_two_factor_must_set_it_up_at_sign_in_and_again_after_an_admin_reset() {
    if !oathtool_available("forced setup wizard") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();

    // The owner adds Bob in the user manager, with "Force 2-Factor Auth".
    sign_in_with_password(c, &app).await;
    let nav = text_of(c, ".site-nav").await;
    for section in ["Account", "Security", "Resources", "Users", "Groups"] {
        assert!(nav.contains(section), "{nav}");
    }
    click(c, ".site-nav a[href='/admin/users']").await;
    assert_eq!(text_of(c, "h1").await, "Users");
    fill(c, "invite_email", BOB).await;
    fill(c, "invite_password", BOB_PASSWORD).await;
    click_in_page(c, "#invite_force_2fa").await;
    click(c, "form[action='/admin/users'] button[type='submit']").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("The user was created")
    );
    let bob_row = xpath_text(c, &user_row(BOB)).await;
    assert!(bob_row.contains(BOB), "{bob_row}");
    assert!(
        bob_row.contains("Not set up") && bob_row.contains("Forced"),
        "{bob_row}"
    );
    screenshot(c, "admin-users").await;
    click_on(c, Locator::LinkText(BOB)).await;
    assert_eq!(text_of(c, "h1").await, BOB);
    let force = c.find(Locator::Id("force_2fa")).await.unwrap();
    assert!(force.is_selected().await.unwrap(), "the box is ticked");
    assert_eq!(
        text_of(c, "label[for='force_2fa']").await,
        "Force 2-Factor Auth"
    );
    screenshot(c, "admin-user").await;
    sign_out(c).await;

    // Bob's password leads to the setup wizard, not to his account.
    sign_in_as(c, &app, BOB, BOB_PASSWORD).await;
    assert_eq!(path_of(c).await, "/login/setup");
    assert_eq!(text_of(c, "h1").await, "Set up two-factor authentication");
    let required = text_of(c, "#wizard-required").await;
    assert!(
        required.contains("Your administrator requires two-factor authentication")
            && required.contains("signing in is not possible"),
        "{required}"
    );
    assert!(!has(c, ".site-nav").await, "nobody is signed in yet");
    c.find(Locator::Css(".qr[role='img'] svg"))
        .await
        .expect("the QR code is drawn inline");
    assert!(text_of(c, ".steps").await.contains(BOB), "the account name");
    assert!(
        !has(c, "input[type='password']").await,
        "the password was just checked"
    );
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    screenshot(c, "login-setup").await;

    // A typo asks for the code again and keeps the key the app already has.
    fill(c, "code", &wrong_code(&key)).await;
    click(c, "form[action='/login/setup'] button").await;
    assert!(
        text_of(c, "[role='alert']")
            .await
            .starts_with("That code is not right.")
    );
    assert!(!has(c, "#totp-key").await);
    assert!(has(c, "a[href='/login/setup']").await, "a way to a new key");
    screenshot(c, "login-setup-error").await;
    fill(c, "code", &totp_code(&key, 0)).await;
    click(c, "form[action='/login/setup'] button").await;

    // The recovery codes, once, and the kit for this new session.
    assert_eq!(text_of(c, "h1").await, "Two-factor authentication is on");
    assert!(
        text_of(c, "[role='status']")
            .await
            .contains("you are signed in")
    );
    let codes = texts(c, "#recovery-codes li").await;
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|c| looks_like_recovery_code(c)),
        "{codes:?}"
    );
    let session = c.get_named_cookie("portcullis_session").await.unwrap();
    let pdf = reqwest::Client::new()
        .get(app.url("/account/security/emergency-kit.pdf"))
        .header(
            reqwest::header::COOKIE,
            format!("portcullis_session={}", session.value()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    screenshot(c, "login-setup-done").await;
    // "Continue" goes on through the wizard's address, which leads to the page asked for:
    // here none, so the account page.
    click(c, "a.button[href='/login/setup']").await;
    assert_eq!(text_of(c, "h1").await, "Your account");

    // The app cannot be removed, and the page says why; the admin pages are not Bob's.
    c.goto(&app.url("/account/security")).await.unwrap();
    let tile = text_of(c, "#totp").await;
    assert!(tile.contains("Active"), "{tile}");
    assert!(tile.contains("Required by your administrator"), "{tile}");
    assert!(
        tile.contains("Your administrator requires two-factor authentication for your account"),
        "{tile}"
    );
    assert!(!has(c, "form[action$='/deactivate']").await);
    assert!(
        !texts(c, "#totp summary")
            .await
            .contains(&"Deactivate".to_owned())
    );
    screenshot(c, "security-forced").await;
    assert!(!has(c, ".site-nav a[href='/admin/users']").await);
    assert!(has(c, ".site-nav a[href='/resources']").await);
    c.goto(&app.url("/admin/users")).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Not allowed");
    c.goto(&app.url("/account")).await.unwrap();
    sign_out(c).await;

    // The owner resets Bob's two-factor authentication, after a confirmation.
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/admin/users")).await.unwrap();
    assert!(xpath_text(c, &user_row(BOB)).await.contains("Active"));
    click_on(c, Locator::LinkText(BOB)).await;
    click(c, "form[action$='/reset-2fa'] button").await;
    assert_eq!(
        text_of(c, "h1").await,
        format!("Reset two-factor authentication for {BOB}?")
    );
    screenshot(c, "admin-reset-confirm").await;
    click(c, "form[action$='/reset-2fa'] button[type='submit']").await;
    assert!(
        text_of(c, "[role='status']")
            .await
            .starts_with("Two-factor authentication was reset")
    );
    let state = text_of(c, "#user-two-factor").await;
    assert!(
        state.contains("Not set up") && state.contains("Forced"),
        "{state}"
    );
    sign_out(c).await;

    // Bob's next sign-in runs the wizard again, with a new key.
    sign_in_as(c, &app, BOB, BOB_PASSWORD).await;
    assert_eq!(path_of(c).await, "/login/setup");
    let new_key = key_from_grouped(&text_of(c, "#totp-key").await);
    assert_ne!(new_key, key);

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_protected_data_centre_exists_only_for_sessions_signed_in_with_two_factor() {
    if !oathtool_available("protected resources") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();

    // The owner, with only a password: protected resources are out of reach.
    sign_in_with_password(c, &app).await;
    click(c, ".site-nav a[href='/admin/users']").await;
    fill(c, "invite_email", BOB).await;
    fill(c, "invite_password", BOB_PASSWORD).await;
    click(c, "form[action='/admin/users'] button[type='submit']").await;
    click(c, ".site-nav a[href='/admin/groups']").await;
    fill(c, "group_name", "Operations").await;
    click(c, "form[action='/admin/groups'] button").await;
    let group = c.find(Locator::Css("section.group select")).await.unwrap();
    group.select_by_label(BOB).await.unwrap();
    click(c, "section.group form[action$='/members'] button").await;
    assert_eq!(
        text_of(c, "[role='status']").await,
        "The person was added to the group."
    );
    assert!(text_of(c, "section.group .rows").await.contains(BOB));
    screenshot(c, "admin-groups").await;

    click(c, ".site-nav a[href='/resources']").await;
    assert_eq!(text_of(c, "h1").await, "Resources");
    assert!(
        text_of(c, "#two-factor-note")
            .await
            .contains("Resources protected with two-factor authentication are hidden from you")
    );
    let protect = c.find(Locator::Id("requires_2fa")).await.unwrap();
    assert!(!protect.is_enabled().await.unwrap());
    c.find(Locator::Id("kind"))
        .await
        .unwrap()
        .select_by_label("Snapshot")
        .await
        .unwrap();
    fill(c, "resource_name", "Nightly backup").await;
    click(c, "form[action='/resources'] button").await;
    assert_eq!(
        text_of(c, "[role='status']").await,
        "The resource was created."
    );
    click_in_page(c, ".resource summary").await;
    click(c, ".resource form[action$='/grants'] button").await;
    assert!(text_of(c, ".resource__groups").await.contains("Operations"));
    screenshot(c, "resources-no-2fa").await;

    // A forged form is refused by the services as well.
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let csrf = app.form_token(&laptop, "/resources").await;
    let res = laptop
        .post(app.url("/resources"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "datacenter"),
            ("name", "Sneaky"),
            ("requires_2fa", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("second factor"), "{html}");
    assert!(!html.contains("<h2 class=\"resource__name break\">Sneaky</h2>"));

    // With an authenticator app and a sign-in through it, the owner protects a data centre.
    let (owner_key, _) = enable_totp(&app, &laptop).await;
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(
        path_of(c).await,
        "/login",
        "activation signed the browser out"
    );
    sign_in_with_password(c, &app).await;
    fill(c, "code", &totp_code(&owner_key, 30)).await;
    click(c, "form[action='/login/code'] button").await;
    c.goto(&app.url("/resources")).await.unwrap();
    assert!(!has(c, "#two-factor-note").await);
    fill(c, "resource_name", "Frankfurt").await;
    click_in_page(c, "#requires_2fa").await;
    click(c, "form[action='/resources'] button").await;
    let frankfurt = resource_card("Frankfurt");
    let card = xpath_text(c, &frankfurt).await;
    assert!(
        card.contains("Data centre") && card.contains("2FA protected"),
        "{card}"
    );
    assert!(card.contains("Granted to: no group yet"), "{card}");
    c.find(Locator::XPath(&format!("{frankfurt}//summary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    screenshot(c, "resources-manage").await;
    click_on(
        c,
        Locator::XPath(&format!(
            "{frankfurt}//form[contains(@action,'/grants')]//button"
        )),
    )
    .await;
    assert!(
        xpath_text(c, &frankfurt)
            .await
            .contains("Granted to: Operations"),
        "{card}"
    );
    assert_eq!(
        text_of(c, "[role='status']").await,
        "The resource was granted to the group."
    );
    screenshot(c, "resources-admin").await;
    sign_out(c).await;

    // Bob is in the granted group, but his password alone does not show the data centre.
    sign_in_as(c, &app, BOB, BOB_PASSWORD).await;
    click(c, ".site-nav a[href='/resources']").await;
    let list = text_of(c, "#resources").await;
    assert!(list.contains("Nightly backup"), "{list}");
    assert!(!list.contains("Frankfurt"), "{list}");
    assert!(
        text_of(c, "#two-factor-note")
            .await
            .contains("shown only when you sign in with it")
    );
    assert!(
        !has(c, "form[action='/resources']").await,
        "users only look"
    );
    assert!(!has(c, ".resource summary").await);
    screenshot(c, "resources-user-no-2fa").await;

    // After setting up an app and signing in with it, he sees it.
    let phone = app.http();
    app.sign_in_as(&phone, BOB, BOB_PASSWORD).await;
    let (bob_key, _) = enable_totp_as(&app, &phone, BOB_PASSWORD).await;
    sign_in_as(c, &app, BOB, BOB_PASSWORD).await;
    assert_eq!(path_of(c).await, "/login/code");
    fill(c, "code", &totp_code(&bob_key, 30)).await;
    click(c, "form[action='/login/code'] button").await;
    c.goto(&app.url("/resources")).await.unwrap();
    let list = text_of(c, "#resources").await;
    assert!(
        list.contains("Frankfurt") && list.contains("2FA protected"),
        "{list}"
    );
    assert!(!has(c, "#two-factor-note").await);
    screenshot(c, "resources-user-2fa").await;

    browser.close().await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// What a browser does not show

#[tokio::test]
async fn the_wizard_ticket_is_a_strict_login_only_cookie_and_opens_no_session_by_itself() {
    let app = TestApp::with_user().await;
    let owner = app.http();
    app.sign_in(&owner).await;
    let res = add_user(&app, &owner, BOB, BOB_PASSWORD, "user", true).await;
    assert_eq!(location(&res), "/admin/users?done=user_created");

    let http = app.http();
    let res = app.sign_in_as(&http, BOB, BOB_PASSWORD).await;
    assert_eq!(location(&res), "/login/setup");
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    let cookie = set_cookie(res.headers(), "portcullis_enrol").expect("an enrolment ticket");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/login;", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let res = http.get(app.url("/account")).send().await.unwrap();
    assert_eq!(
        location(&res),
        "/login",
        "the password alone opened no session"
    );
    let page = http.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let csrf = hidden_csrf(&html);

    // Nothing typed is refused without a guess being counted.
    let res = http
        .post(app.url("/login/setup"))
        .form(&[("csrf", csrf.as_str()), ("code", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Going back to the password page abandons the setup.
    let res = http.get(app.url("/login")).send().await.unwrap();
    let cleared = set_cookie(res.headers(), "portcullis_enrol").expect("the ticket is forgotten");
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Path=/login"),
        "{cleared}"
    );
    let res = http.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    app.stop().await;
}

#[tokio::test]
async fn administrators_manage_users_only_and_cannot_lift_the_policy_for_everyone() {
    let app = TestApp::with_user().await;
    let owner = app.http();
    app.sign_in(&owner).await;
    const ADA: &str = "ada@example.com";
    const CAROL: &str = "carol@example.com";
    let res = add_user(&app, &owner, ADA, BOB_PASSWORD, "administrator", false).await;
    assert_eq!(location(&res), "/admin/users?done=user_created");
    add_user(&app, &owner, CAROL, BOB_PASSWORD, "administrator", false).await;
    let res = add_user(&app, &owner, ADA, BOB_PASSWORD, "user", false).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="field__error" id="invite-email-error">"#),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"value="{ADA}""#)),
        "the form keeps the email"
    );
    add_user(&app, &owner, BOB, BOB_PASSWORD, "user", false).await;

    let ada = app.http();
    app.sign_in_as(&ada, ADA, BOB_PASSWORD).await;
    let users = ada
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !users.contains(r#"<option value="administrator""#),
        "an administrator makes no administrators"
    );

    // Another administrator's page offers nothing, and a forged reset is refused.
    let carol = user_id(&users, CAROL);
    let page = ada
        .get(app.url(&format!("/admin/users/{carol}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/reset-2fa"), "{page}");
    assert!(page.contains("You cannot change this account here"));
    let csrf = hidden_csrf(&page);
    let res = ada
        .post(app.url(&format!("/admin/users/{carol}/reset-2fa")))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You may not manage this account.")
    );

    // A user is Ada's to manage.
    let bob = user_id(&users, BOB);
    let res = ada
        .post(app.url(&format!("/admin/users/{bob}")))
        .form(&[("csrf", csrf.as_str()), ("force_2fa", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&res),
        format!("/admin/users/{bob}?done=saved").as_str()
    );

    // Ada may require 2FA of everyone, but only the owner may lift it again.
    let res = ada
        .post(app.url("/admin/policy"))
        .form(&[("csrf", csrf.as_str()), ("require_2fa", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/admin/users?done=policy_on");
    let users = ada
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(users.contains("Only the contract owner can turn this off."));
    assert!(!users.contains(r#"action="/admin/policy""#));
    let res = ada
        .post(app.url("/admin/policy"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="policy-error""#), "{html}");
    assert!(html.contains("Only the contract owner may stop requiring"));

    let owner_csrf = app.form_token(&owner, "/admin/users").await;
    let res = owner
        .post(app.url("/admin/policy"))
        .form(&[("csrf", owner_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/admin/users?done=policy_off");

    // A plain user is refused the admin pages and forms.
    let bob_http = app.http();
    let res = app.sign_in_as(&bob_http, BOB, BOB_PASSWORD).await;
    assert_eq!(location(&res), "/login/setup", "Ada forced 2FA on Bob");
    let stranger = app.http();
    add_user(&app, &owner, "dan@example.com", BOB_PASSWORD, "user", false).await;
    app.sign_in_as(&stranger, "dan@example.com", BOB_PASSWORD)
        .await;
    let res = stranger.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let csrf = app.form_token(&stranger, "/account").await;
    let res = stranger
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "eve@example.com"),
            ("password", BOB_PASSWORD),
            ("role", "user"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let users = owner
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!users.contains("eve@example.com"), "nobody was created");
    app.stop().await;
}

/// A password that breaks no rule for Bob (his name is not in it).
const FRESH_PASSWORD: &str = "Quiet-Lantern-Orbit-58";

/// The messages of `kind` to `to` that the file transport wrote (no SMTP or SMS gateway in the
/// tests), oldest first, after waiting until there are at least `count`.
async fn outbox_bodies(
    app: &TestApp,
    channel: &str,
    to: &str,
    kind: &str,
    count: usize,
) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let found: Vec<serde_json::Value> = outbox::messages_to(app.data(), channel, to)
            .into_iter()
            .filter(|m| m["kind"] == kind)
            .collect();
        if found.len() >= count {
            return found
                .iter()
                .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
                .collect();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {kind} {channel} to {to}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The token of the invitation link in `text`.
fn invitation_token(text: &str) -> String {
    let start = text.find("/invite?token=").expect("an invitation link") + "/invite?token=".len();
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '<' || c == '"')
        .next()
        .unwrap()
        .to_owned()
}

async fn get_text(http: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = http.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.text().await.unwrap()
}

async fn invitation_works(app: &TestApp, token: &str) -> bool {
    let res = app
        .http()
        .get(app.url(&format!("/invite?token={token}")))
        .send()
        .await
        .unwrap();
    res.status() == StatusCode::OK
}

#[tokio::test]
async fn without_a_mail_server_an_admin_copies_a_new_invitation_link_or_sends_it_again_and_only_the_newest_works()
 {
    let app = TestApp::with_user().await;
    let owner = app.http();
    app.sign_in(&owner).await;

    // Inviting says where the invitation went: there is no SMTP server in the tests.
    let res = add_user(&app, &owner, BOB, "", "user", false).await;
    assert_eq!(location(&res), "/admin/users?done=user_invited");
    let users = get_text(&owner, &app, "/admin/users?done=user_invited").await;
    // (Askama escapes the apostrophe of "server's".)
    for said in [
        "No mail server is configured, so the invitation was saved in the server",
        "outbox (portcullis outbox list) instead of being emailed",
    ] {
        assert!(users.contains(said), "{users}");
    }
    assert!(!users.contains("They get an email"), "{users}");
    let first = invitation_token(&outbox_bodies(&app, "email", BOB, "invitation", 1).await[0]);
    assert!(invitation_works(&app, &first).await);

    // The user page offers both ways to a fresh link, and says why copying is the way here.
    let bob = user_id(&users, BOB);
    let page_path = format!("/admin/users/{bob}");
    let page = get_text(&owner, &app, &page_path).await;
    assert!(page.contains(r#"id="no-mail""#), "{page}");
    assert!(page.contains(">Copy invitation link</button>"), "{page}");
    assert!(page.contains(">Send again</button>"), "{page}");
    assert!(
        !page.contains(r#"id="invitation-link""#),
        "no link before one is asked for"
    );

    // "Copy invitation link": a redirect, then the new link once; the emailed one stops working.
    let csrf = hidden_csrf(&page);
    let res = owner
        .post(app.url(&format!("{page_path}/invitation/copy")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let shown_at = format!("{page_path}?done=invitation_link");
    assert_eq!(location(&res), shown_at);
    let page = get_text(&owner, &app, &shown_at).await;
    let shown = between(&page, r#"id="invitation-link">"#, "<");
    assert_eq!(shown.len(), 1, "{page}");
    assert!(shown[0].contains("/invite?token="), "{page}");
    assert!(page.contains(r#"data-copy="invitation-link""#));
    let copied = invitation_token(shown[0]);
    assert_ne!(copied, first);
    assert!(!invitation_works(&app, &first).await, "the older link died");
    assert!(invitation_works(&app, &copied).await);
    // A reload shows no link again and makes none.
    let again = get_text(&owner, &app, &shown_at).await;
    assert!(!again.contains(r#"id="invitation-link""#), "{again}");
    assert!(
        again.contains("This invitation link was already shown."),
        "{again}"
    );
    assert!(invitation_works(&app, &copied).await);
    assert_eq!(
        outbox_bodies(&app, "email", BOB, "invitation", 1)
            .await
            .len(),
        1,
        "no email"
    );

    // "Send again": a new invitation in the outbox; the copied link stops working.
    let res = owner
        .post(app.url(&format!("{page_path}/invitation/resend")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), format!("{page_path}?done=invitation_sent"));
    let page = get_text(&owner, &app, &format!("{page_path}?done=invitation_sent")).await;
    assert!(
        page.contains("No mail server is configured, so the new invitation was saved"),
        "{page}"
    );
    let mails = outbox_bodies(&app, "email", BOB, "invitation", 2).await;
    let resent = mails
        .iter()
        .map(|m| invitation_token(m))
        .find(|t| *t != first)
        .expect("a second invitation");
    assert!(
        !invitation_works(&app, &copied).await,
        "the copied link died"
    );
    assert!(invitation_works(&app, &resent).await);

    // Once Bob has chosen his password, there is nothing to renew.
    let http = app.http();
    let form = get_text(&http, &app, &format!("/invite?token={resent}")).await;
    let res = http
        .post(app.url("/invite"))
        .form(&[
            ("csrf", hidden_csrf(&form).as_str()),
            ("token", resent.as_str()),
            ("password", FRESH_PASSWORD),
            ("password_confirm", FRESH_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = get_text(&owner, &app, &page_path).await;
    assert!(!page.contains(r#"id="invitation""#), "{page}");
    let res = owner
        .post(app.url(&format!("{page_path}/invitation/copy")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("already accepted the invitation")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_person_sees_their_mobile_number_under_security_and_their_organisation_by_its_owner() {
    let app = TestApp::with_user().await;
    let owner = app.http();
    app.sign_in(&owner).await;
    add_user(&app, &owner, BOB, FRESH_PASSWORD, "user", false).await;
    let owner_account = get_text(&owner, &app, "/account").await;
    assert!(owner_account.contains("Your organisation (you are its owner)"));
    let contract = between(&owner_account, r#"<code class="break">"#, "<")[0].to_owned();
    assert_eq!(
        contract.len(),
        36,
        "the owner still sees the contract id: {contract}"
    );

    let bob = app.http();
    app.sign_in_as(&bob, BOB, FRESH_PASSWORD).await;
    let account = get_text(&bob, &app, "/account").await;
    assert!(
        account.contains(&format!("Your organisation (owner: {EMAIL})")),
        "{account}"
    );
    assert!(
        !account.contains(&contract),
        "a plain user sees no contract id"
    );
    assert!(!account.contains("Codes by SMS"), "{account}");

    // The Security page lists the mobile number, even before there is one.
    let security = get_text(&bob, &app, "/account/security").await;
    let tile = between(&security, r#"id="mobile-number">"#, "</li>")[0];
    assert!(tile.contains("Not set"), "{tile}");
    assert!(tile.contains(r#"href="/account/phone""#), "{tile}");
    assert!(tile.contains("It is not used to sign in."), "{tile}");

    // With a number waiting for its code, then verified.
    let csrf = app.form_token(&bob, "/account/phone").await;
    let res = bob
        .post(app.url("/account/phone"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("number", "+49 151 1234 4567"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let security = get_text(&bob, &app, "/account/security").await;
    let tile = between(&security, r#"id="mobile-number">"#, "</li>")[0];
    assert!(
        tile.contains("Not verified") && tile.contains("4567"),
        "{tile}"
    );
    let sms = outbox_bodies(&app, "sms", "+4915112344567", "phone_code", 1).await;
    let code: String = sms[0]
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a six-digit code")
        .to_owned();
    let res = bob
        .post(app.url("/account/phone/verify"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let security = get_text(&bob, &app, "/account/security").await;
    let tile = between(&security, r#"id="mobile-number">"#, "</li>")[0];
    assert!(
        tile.contains("Verified") && !tile.contains("Not verified"),
        "{tile}"
    );
    assert!(tile.contains("Manage mobile number"), "{tile}");

    // The resources page says what resources are and why some stay hidden.
    let resources = get_text(&bob, &app, "/resources").await;
    let explained = between(&resources, r#"<p id="resources-explained">"#, "</p>")[0];
    assert!(explained.contains("data centres"), "{explained}");
    assert!(
        explained.contains("hidden from anyone signed in without two-factor authentication"),
        "{explained}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_recovery_codes_page_gives_the_kits_advice_and_offers_no_copy_of_the_codes() {
    if !oathtool_available("recovery codes page") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    enable_totp(&app, &http).await;
    let csrf = app.form_token(&http, "/account/security").await;
    let res = http
        .post(app.url("/account/security/recovery-codes"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = get_text(&http, &app, "/account/security/recovery-codes").await;
    assert_eq!(between(&page, "<li><code>", "</code>").len(), 10, "{page}");
    let advice = between(&page, r#"id="keep-codes">"#, "</p>")[0];
    assert!(
        advice.contains("Download the emergency kit and print it"),
        "{advice}"
    );
    assert!(
        advice.contains("then delete the downloaded copy."),
        "{advice}"
    );
    assert!(!page.contains("Copy codes"), "{page}");
    assert!(!page.contains(r#"data-copy="recovery-codes""#), "{page}");
    assert!(page.contains(r#"href="/account/security/emergency-kit.pdf""#));
    app.stop().await;
}

#[tokio::test]
async fn a_used_setup_link_says_an_owner_exists_and_offers_the_sign_in() {
    let app = TestApp::fresh_closed().await;
    let token = app
        .setup_token
        .clone()
        .expect("a fresh server issues a setup link");
    let link = format!("/setup?token={token}");
    let http = app.http();

    // Before any account exists, a forged link is only invalid.
    let res = http
        .get(app.url("/setup?token=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("This setup link is invalid or has expired."),
        "{page}"
    );
    assert!(!page.contains('`'), "no literal backticks: {page}");

    let form = get_text(&http, &app, &link).await;
    let res = http
        .post(app.url("/setup"))
        .form(&[
            ("csrf", hidden_csrf(&form).as_str()),
            ("token", token.as_str()),
            ("email", "owner@example.com"),
            ("password", FRESH_PASSWORD),
            ("password_confirm", FRESH_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Afterwards the link, and any other, says an owner exists and leads to the sign-in.
    for path in [link.as_str(), "/setup?token=forged"] {
        let res = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::GONE, "{path}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("<h1 id=\"setup-used-title\">Setup link already used</h1>"),
            "{page}"
        );
        assert!(
            page.contains(
                "This setup link has been used — an owner already exists. Sign in instead."
            ),
            "{page}"
        );
        assert!(page.contains(r#"href="/login""#), "{page}");
        assert!(
            !page.contains("Restart") && !page.contains("Not allowed"),
            "{page}"
        );
    }
    // Posting the used link's form again answers the same.
    let res = http
        .post(app.url("/setup"))
        .form(&[
            ("csrf", hidden_csrf(&form).as_str()),
            ("token", token.as_str()),
            ("email", "second@example.com"),
            ("password", FRESH_PASSWORD),
            ("password_confirm", FRESH_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    app.stop().await;
}

#[tokio::test]
async fn without_a_mail_server_the_forgot_password_page_says_where_the_link_went() {
    let app = TestApp::with_user().await;
    let http = app.http();
    let csrf = app.form_token(&http, "/forgot").await;
    let res = http
        .post(app.url("/forgot"))
        .form(&[("csrf", csrf.as_str()), ("username", EMAIL)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/forgot?done=sent");
    let page = get_text(&http, &app, "/forgot?done=sent").await;
    let said = between(&page, r#"id="reset-outbox">"#, "</p>")[0];
    assert!(
        said.contains("No mail server is configured on this server, so the link was not emailed"),
        "{said}"
    );
    assert!(!page.contains("we have sent it a link"), "{page}");
    assert!(!page.contains("Check your spam folder"), "{page}");
    // The link is where the page says: in the outbox.
    outbox_bodies(&app, "email", EMAIL, "password_reset", 1).await;
    app.stop().await;
}
