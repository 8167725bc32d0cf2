//! Signing in as a person meets it, black-box over HTTP with a browser's cookies, through the real
//! server whose clock the test holds: the forced setup stays open while the person installs an
//! app and says so when it did run out (the key already scanned still works after the next
//! password); a code page left too long says the sign-in took too long; a signed-in page opened
//! signed out comes back after the password, the code or the setup, and a `next` that would leave
//! the site is ignored; a sign-in form left open until its CSRF cookie went comes back with a
//! fresh token instead of a dead end; and a new account lands signed in and greeted.
//!
//! Time moves by [`FixedClock`] (`Server::set_clock`), never by sleeping; TOTP codes are
//! computed for the server's clock, so no authenticator tool is needed.

use std::sync::Arc;

use portcullis_core::password::Password;
use portcullis_core::totp::{self, TotpParams, TotpSecret};
use portcullis_core::{FixedClock, UnixTime};
use reqwest::StatusCode;

use crate::harness::browser::{
    EMAIL, PASSWORD, TestApp, between, hidden_csrf, key_from_grouped, location, set_cookie,
};
use crate::harness::totp::unix_now;

const BOB: &str = "bob@example.com";
const BOB_PASSWORD: &str = "Kite-Horse-42!";
const MINUTE: i64 = 60;

/// A server with open registration, one owner (`EMAIL`), and a clock the test moves.
async fn app_with_clock() -> (TestApp, FixedClock) {
    let clock = FixedClock::at(unix_now());
    let held = clock.clone();
    let app = TestApp::spawn(true, |mut server| async move {
        server.set_clock(Arc::new(held));
        server
            .state()
            .services
            .create_owner_from_shell(EMAIL, &Password::new(PASSWORD))
            .await
            .expect("the owner is created");
        server
    })
    .await;
    (app, clock)
}

/// The code an authenticator app with `key` shows at the server's time, `steps` time steps on
/// (a code is accepted once, so a second sign-in in the same step takes the next one).
fn code_at(key: &str, clock: &FixedClock, steps: i64) -> String {
    let secret = TotpSecret::from_bytes(totp::base32_decode(key).expect("a base32 key"));
    let params = TotpParams::default();
    let now = portcullis_core::Clock::now(clock);
    totp::code_at(&secret, &params, params.step(UnixTime(now.0)) + steps)
}

fn max_age(cookie: &str) -> i64 {
    cookie
        .rsplit_once("Max-Age=")
        .and_then(|(_, v)| v.split(';').next())
        .and_then(|v| v.parse().ok())
        .expect("a Max-Age")
}

async fn text(http: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = http.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The owner adds Bob, whose administrator requires two-factor authentication.
async fn add_forced_bob(app: &TestApp) {
    let owner = app.http();
    app.sign_in(&owner).await;
    let csrf = app.form_token(&owner, "/admin/users").await;
    let res = owner
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", BOB),
            ("password", BOB_PASSWORD),
            ("role", "user"),
            ("force_2fa", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// The key the setup wizard shows, without its spaces.
fn wizard_key(page: &str) -> String {
    key_from_grouped(between(page, r#"id="totp-key" data-copy-compact>"#, "<")[0])
}

/// The code typed on the wizard page `page`, which may have been open for a while.
async fn post_wizard_code(
    http: &reqwest::Client,
    app: &TestApp,
    page: &str,
    code: &str,
) -> reqwest::Response {
    let csrf = hidden_csrf(page);
    http.post(app.url("/login/setup"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

/// Switches the authenticator app on for whoever `http` is signed in as; returns its key.
async fn enable_totp(app: &TestApp, http: &reqwest::Client, clock: &FixedClock) -> String {
    let csrf = app.form_token(http, "/account/security").await;
    let res = http
        .post(app.url("/account/security/totp/start"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(http, app, "/account/security/totp").await;
    let key = key_from_grouped(between(&page, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    let res = http
        .post(app.url("/account/security/totp/activate"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", PASSWORD),
            ("code", &code_at(&key, clock, 0)),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    key
}

async fn sign_in_next(app: &TestApp, http: &reqwest::Client, next: &str) -> reqwest::Response {
    let csrf = app.form_token(http, "/login").await;
    http.post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

async fn post_code(app: &TestApp, http: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = app.form_token(http, "/login/code").await;
    http.post(app.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The forced setup's time

#[tokio::test]
async fn a_forced_setup_finished_after_forty_busy_minutes_still_signs_in() {
    let (app, clock) = app_with_clock().await;
    add_forced_bob(&app).await;
    let bob = app.http();
    let res = app.sign_in_as(&bob, BOB, BOB_PASSWORD).await;
    assert_eq!(location(&res), "/login/setup");
    let cookie = set_cookie(res.headers(), "portcullis_enrol").expect("a setup ticket");
    assert!(
        (29 * MINUTE..=30 * MINUTE).contains(&max_age(cookie)),
        "the setup waits half an hour: {cookie}"
    );
    let (_, page) = text(&bob, &app, "/login/setup").await;
    let key = wizard_key(&page);
    assert!(page.contains("30 minutes for each step"), "{page}");

    // Installing the app, looking for the QR code again, a typo: each step moves the end on.
    for _ in 0..4 {
        clock.advance(10 * MINUTE);
        let res = bob.get(app.url("/login/setup")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let cookie = set_cookie(res.headers(), "portcullis_enrol").expect("the cookie follows");
        assert!(
            (29 * MINUTE..=30 * MINUTE).contains(&max_age(cookie)),
            "{cookie}"
        );
        assert_eq!(
            wizard_key(&res.text().await.unwrap()),
            key,
            "a reload shows the key already in the app"
        );
    }
    let res = post_wizard_code(&bob, &app, &page, "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Forty minutes after the password, far past the five a second step has.
    let res = post_wizard_code(&bob, &app, &page, &code_at(&key, &clock, 0)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "on to the recovery codes"
    );
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    let (status, account) = text(&bob, &app, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(account.contains(BOB));
    app.stop().await;
}

#[tokio::test]
async fn an_expired_setup_says_so_and_the_key_already_scanned_still_activates() {
    let (app, clock) = app_with_clock().await;
    add_forced_bob(&app).await;
    let bob = app.http();
    app.sign_in_as(&bob, BOB, BOB_PASSWORD).await;
    let (_, page) = text(&bob, &app, "/login/setup").await;
    let scanned = wizard_key(&page);

    // The person went to install the app and came back after more than half an hour.
    clock.advance(31 * MINUTE);
    let res = post_wizard_code(&bob, &app, &page, &code_at(&scanned, &clock, 0)).await;
    assert_eq!(location(&res), "/login?done=setup_expired");
    let (_, login) = text(&bob, &app, "/login?done=setup_expired").await;
    assert!(
        login
            .contains("Your setup took too long; sign in again — the key you scanned stays valid."),
        "{login}"
    );
    let (status, _) = text(&bob, &app, "/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "nothing was signed in");

    // When the browser dropped the ticket's cookie itself, the step marker still tells.
    let dropped = app.http();
    let res = dropped
        .get(app.url("/login/setup"))
        .header("cookie", "portcullis_step=setup")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?done=setup_expired");
    let res = dropped.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(
        location(&res),
        "/login",
        "no sign-in under way, nothing to explain"
    );

    // Signed in again, the wizard offers the key in the app, and its code switches it on.
    let res = app.sign_in_as(&bob, BOB, BOB_PASSWORD).await;
    assert_eq!(location(&res), "/login/setup");
    let (_, page) = text(&bob, &app, "/login/setup").await;
    assert_eq!(wizard_key(&page), scanned);
    let res = post_wizard_code(&bob, &app, &page, &code_at(&scanned, &clock, 0)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "on to the recovery codes"
    );
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    app.stop().await;
}

#[tokio::test]
async fn a_busy_setup_still_ends_two_hours_after_the_password() {
    let (app, clock) = app_with_clock().await;
    add_forced_bob(&app).await;
    let bob = app.http();
    app.sign_in_as(&bob, BOB, BOB_PASSWORD).await;
    for _ in 0..4 {
        clock.advance(25 * MINUTE);
        let (status, _) = text(&bob, &app, "/login/setup").await;
        assert_eq!(status, StatusCode::OK);
    }
    clock.advance(25 * MINUTE);
    let res = bob.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/login?done=setup_expired");
    app.stop().await;
}

#[tokio::test]
async fn a_code_page_left_too_long_says_the_sign_in_took_too_long() {
    let (app, clock) = app_with_clock().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let key = enable_totp(&app, &laptop, &clock).await;

    let http = app.http();
    let res = app.sign_in(&http).await;
    assert_eq!(location(&res), "/login/code");
    let cookie = set_cookie(res.headers(), "portcullis_ticket").expect("a ticket");
    assert!(
        max_age(cookie) <= 5 * MINUTE,
        "the second step stays short: {cookie}"
    );
    let csrf = app.form_token(&http, "/login/code").await;
    clock.advance(6 * MINUTE);
    let res = http
        .post(app.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", &code_at(&key, &clock, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?done=code_expired");
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    let (_, login) = text(&http, &app, "/login?done=code_expired").await;
    assert!(
        login.contains("Your sign-in took too long; sign in again with your password."),
        "{login}"
    );
    // Without the ticket's cookie (the browser dropped it), the marker tells the same.
    let res = app
        .http()
        .get(app.url("/login/code"))
        .header("cookie", "portcullis_step=code")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?done=code_expired");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Deep links

#[tokio::test]
async fn a_deep_link_opened_signed_out_returns_there_after_the_password() {
    let (app, _clock) = app_with_clock().await;
    let http = app.http();
    let res = http
        .get(app.url("/account/app-passwords"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let login = location(&res).to_owned();
    assert_eq!(login, "/login?next=/account/app-passwords");
    let (_, page) = text(&http, &app, &login).await;
    assert!(
        page.contains(r#"<input type="hidden" name="next" value="/account/app-passwords">"#),
        "{page}"
    );
    let res = sign_in_next(&app, &http, "/account/app-passwords").await;
    assert_eq!(location(&res), "/account/app-passwords");
    let (status, _) = text(&http, &app, "/account/app-passwords").await;
    assert_eq!(status, StatusCode::OK);

    // Only the path comes back (a query is where a crafted link hides another address); a form
    // sent signed out has nothing to return to.
    let stranger = app.http();
    let res = stranger
        .get(app.url("/admin/users?q=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?next=/admin/users");
    let res = sign_in_next(&app, &stranger, "/admin/users").await;
    assert_eq!(location(&res), "/admin/users");
    let res = app
        .http()
        .post(app.url("/account/app-passwords"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert!(!location(&res).contains("next="));
    app.stop().await;
}

#[tokio::test]
async fn a_deep_link_returns_there_after_the_code_or_a_recovery_code() {
    let (app, clock) = app_with_clock().await;
    let laptop = app.http();
    app.sign_in(&laptop).await;
    let key = enable_totp(&app, &laptop, &clock).await;

    let http = app.http();
    let res = sign_in_next(&app, &http, "/account/security").await;
    assert_eq!(location(&res), "/login/code");
    let res = post_code(&app, &http, &code_at(&key, &clock, 1)).await;
    assert_eq!(location(&res), "/account/security");
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    assert!(
        set_cookie(res.headers(), "portcullis_next").is_some_and(|c| c.contains("Max-Age=0")),
        "the page to return to is forgotten once there"
    );

    // A sign-in without `next` afterwards goes to the account, not to an old deep link.
    let other = app.http();
    sign_in_next(&app, &other, "/account/support-pin").await;
    let res = app.sign_in(&other).await;
    assert_eq!(location(&res), "/login/code");
    clock.advance(30);
    let res = post_code(&app, &other, &code_at(&key, &clock, 1)).await;
    assert_eq!(location(&res), "/account");
    app.stop().await;
}

#[tokio::test]
async fn a_deep_link_returns_there_after_the_forced_setup() {
    let (app, clock) = app_with_clock().await;
    add_forced_bob(&app).await;
    let bob = app.http();
    let res = bob
        .get(app.url("/account/support-pin"))
        .send()
        .await
        .unwrap();
    let login = location(&res).to_owned();
    let csrf = app.form_token(&bob, &login).await;
    let res = bob
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", BOB),
            ("password", BOB_PASSWORD),
            ("next", "/account/support-pin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login/setup");
    let (_, page) = text(&bob, &app, "/login/setup").await;
    let key = wizard_key(&page);
    let res = post_wizard_code(&bob, &app, &page, &code_at(&key, &clock, 0)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "on to the recovery codes"
    );
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    // The codes page's "Continue" goes on through the wizard's address, which, signed in, leads
    // to the page asked for.
    let (_, codes) = text(&bob, &app, location(&res)).await;
    assert!(
        codes.contains(r#"href="/login/setup">Continue</a>"#),
        "{codes}"
    );
    let res = bob.get(app.url("/login/setup")).send().await.unwrap();
    assert_eq!(location(&res), "/account/support-pin");
    app.stop().await;
}

#[tokio::test]
async fn hostile_next_values_are_ignored() {
    let (app, _clock) = app_with_clock().await;
    let evil = [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "/%0a/evil.example\"><script>",
        "evil.example",
        "/login?next=//evil.example",
    ];
    for next in evil {
        let http = app.http();
        let query: String = next.bytes().map(|b| format!("%{b:02X}")).collect();
        let (status, page) = text(&http, &app, &format!("/login?next={query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains(r#"name="next""#), "{next:?}: {page}");
        assert!(!page.contains("evil.example"), "{next:?}");
        let res = sign_in_next(&app, &http, next).await;
        assert_eq!(location(&res), "/account", "{next:?}");
    }
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// A stale sign-in form

#[tokio::test]
async fn a_stale_sign_in_form_comes_back_with_a_fresh_token_and_then_works() {
    let (app, _clock) = app_with_clock().await;
    let yesterday = app.http();
    let old_token = app
        .form_token(&yesterday, "/login?next=/account/app-passwords")
        .await;
    // The browser was closed and opened again: the page is still there, its cookie is not.
    let http = app.http();
    let res = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", old_token.as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("next", "/account/app-passwords"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "portcullis_session").is_none());
    assert!(set_cookie(res.headers(), "portcullis_csrf").is_some());
    let page = res.text().await.unwrap();
    assert!(
        page.contains("this page was open too long; please try again"),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"value="{EMAIL}""#)),
        "the email is kept"
    );
    assert!(!page.contains(PASSWORD), "never the password");
    assert!(page.contains(r#"name="next" value="/account/app-passwords""#));
    let fresh = hidden_csrf(&page);
    assert_ne!(fresh, old_token);

    let res = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", fresh.as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("next", "/account/app-passwords"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/app-passwords");
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    app.stop().await;
}

#[tokio::test]
async fn stale_sign_up_setup_and_forgot_forms_come_back_with_the_email_and_not_the_password() {
    let (app, _clock) = app_with_clock().await;
    let http = app.http();
    let res = http
        .post(app.url("/signup"))
        .form(&[
            ("csrf", "0".repeat(64).as_str()),
            ("email", "new@example.com"),
            ("password", "Blue-Lamp-77!"),
            ("password_confirm", "Blue-Lamp-77!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("this page was open too long"), "{page}");
    assert!(page.contains(r#"value="new@example.com""#));
    assert!(!page.contains("Blue-Lamp-77!"));
    let csrf = hidden_csrf(&page);
    let res = http
        .post(app.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "new@example.com"),
            ("password", "Blue-Lamp-77!"),
            ("password_confirm", "Blue-Lamp-77!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security?done=welcome");

    // The forgot-password form too: shown again with the email, then it works.
    let res = http
        .post(app.url("/forgot"))
        .form(&[("csrf", "stale"), ("username", "new@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("this page was open too long"), "{page}");
    assert!(page.contains(r#"value="new@example.com""#), "{page}");
    let csrf = hidden_csrf(&page);
    let res = http
        .post(app.url("/forgot"))
        .form(&[("csrf", csrf.as_str()), ("username", "new@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/forgot?done=sent");
    app.stop().await;

    let app = TestApp::fresh_closed().await;
    let token = app.setup_token.clone().expect("a setup link");
    let res = app
        .http()
        .post(app.url("/setup"))
        .form(&[
            ("csrf", "stale"),
            ("token", token.as_str()),
            ("email", "owner@example.com"),
            ("password", "Tall-Tree-1!"),
            ("password_confirm", "Tall-Tree-1!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("this page was open too long"), "{page}");
    assert!(page.contains(&format!(r#"name="token" value="{token}""#)));
    assert!(!page.contains("Tall-Tree-1!"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// New accounts

#[tokio::test]
async fn a_new_account_from_sign_up_or_the_setup_link_lands_signed_in_and_greeted() {
    let (app, _clock) = app_with_clock().await;
    let http = app.http();
    let csrf = app.form_token(&http, "/signup").await;
    let res = http
        .post(app.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "new@example.com"),
            ("password", "Blue-Lamp-77!"),
            ("password_confirm", "Blue-Lamp-77!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security?done=welcome");
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    let (status, page) = text(&http, &app, "/account/security?done=welcome").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Welcome to Portcullis — your account is ready. Next: turn on two-factor"),
        "{page}"
    );
    app.stop().await;

    let app = TestApp::fresh_closed().await;
    let token = app.setup_token.clone().expect("a setup link");
    let http = app.http();
    let csrf = app
        .form_token(&http, &format!("/setup?token={token}"))
        .await;
    let res = http
        .post(app.url("/setup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token.as_str()),
            ("email", "owner@example.com"),
            ("password", "Tall-Tree-1!"),
            ("password_confirm", "Tall-Tree-1!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account/security?done=welcome");
    let (status, page) = text(&http, &app, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("owner@example.com"));
    app.stop().await;
}
