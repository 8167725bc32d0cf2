//! A reload never repeats an action, and what is shown once is shown once: every form that
//! changes something answers with a redirect (POST/redirect/GET), and new recovery codes, a new
//! app password and a pairing link are held for the session for a few minutes and taken by the
//! page once. A reload of that page (a plain re-`GET`, and Chromium's `refresh()`) says "already
//! shown" and acts no more: the codes just printed keep working, no second app password appears.
//! Also the re-checks and confirmations that must be alike: the support PIN and a new app
//! password need the current password (pages and JSON API, wrong ones counted as guesses), and
//! revoking an app password asks first.
//!
//! Skipping works as in `browser.rs`: without chromium, chromedriver or oathtool the tests that
//! need them say SKIPPED, unless `PORTCULLIS_REQUIRE_BROWSER=1`.

use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::browser::*;
use crate::harness::outbox;

const CODES_PAGE: &str = "/account/security/recovery-codes";

async fn get(http: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    http.get(app.url(path)).send().await.unwrap()
}

async fn text(http: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(http, app, path).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.text().await.unwrap()
}

/// Posts `fields` with the CSRF token of the form on `from`.
async fn post_form(
    http: &reqwest::Client,
    app: &TestApp,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = app.form_token(http, from).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(to)).form(&form).send().await.unwrap()
}

fn codes_on(html: &str) -> Vec<String> {
    between(html, "<li><code>", "</code>")
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// A JSON call: (status, body).
async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Signs `EMAIL` in through the API with the password and, when asked for, the recovery `code`;
/// the token, or the error code the second step answered.
async fn api_sign_in_with_recovery(app: &TestApp, code: &str) -> Result<String, String> {
    let login = json!({ "username": EMAIL, "password": PASSWORD });
    let (status, body) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/login",
        None,
        Some(login),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "second_factor", "{body}");
    let second = json!({ "login_ticket": body["login_ticket"], "code": code });
    let (status, body) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/login/recovery",
        None,
        Some(second),
    )
    .await;
    if status == StatusCode::OK {
        Ok(body["token"].as_str().unwrap().to_owned())
    } else {
        Err(body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }
}

async fn recovery_codes_left(app: &TestApp, token: &str) -> i64 {
    let (status, me) = api(app, reqwest::Method::GET, "/api/v1/me", Some(token), None).await;
    assert_eq!(status, StatusCode::OK);
    me["two_factor"]["recovery_codes_left"].as_i64().unwrap()
}

async fn api_token(app: &TestApp) -> String {
    let login = json!({ "username": EMAIL, "password": PASSWORD });
    let (status, body) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/login",
        None,
        Some(login),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"]
        .as_str()
        .expect("no second step yet")
        .to_owned()
}

async fn app_passwords(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = api(
        app,
        reqwest::Method::GET,
        "/api/v1/me/app-passwords",
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    body["app_passwords"].as_array().unwrap().clone()
}

/// What the mail server hears for `EMAIL` with `password`.
async fn mail_login(app: &TestApp, service_token: &str, password: &str) -> bool {
    let body = json!({ "username": EMAIL, "password": password, "client_ip": "203.0.113.7" });
    let (status, answer) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/app-auth",
        Some(service_token),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["ok"].as_bool().expect("ok is a boolean")
}

#[tokio::test]
async fn reloading_new_recovery_codes_says_already_shown_and_the_set_shown_keeps_working() {
    if !oathtool_available("recovery codes reload") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    enable_totp(&app, &http).await;

    let res = post_form(
        &http,
        &app,
        "/account/security",
        CODES_PAGE,
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), CODES_PAGE);
    let first = text(&http, &app, CODES_PAGE).await;
    let shown = codes_on(&first);
    assert_eq!(shown.len(), 10, "{first}");
    assert!(first.contains("The old ones no longer work."));
    assert!(!first.contains("id=\"already-shown\""));

    // The reload: no codes, no new set, and the way to make new ones if they were lost.
    let again = text(&http, &app, CODES_PAGE).await;
    assert!(codes_on(&again).is_empty(), "{again}");
    assert!(again.contains("id=\"already-shown\""), "{again}");
    assert!(again.contains("Already shown"), "{again}");
    assert!(
        again.contains("action=\"/account/security/recovery-codes\""),
        "the form to make new ones: {again}"
    );
    for code in &shown {
        assert!(!again.contains(code.as_str()), "a code shown twice");
    }
    // The emergency kit of the set shown still downloads, in this session.
    let kit = get(&http, &app, "/account/security/emergency-kit.pdf").await;
    assert_eq!(kit.status(), StatusCode::OK);
    assert_eq!(
        kit.headers().get("content-type").unwrap(),
        "application/pdf"
    );

    // The set shown is the one that works: a sign-in with its first code, nine left after it.
    let token = api_sign_in_with_recovery(&app, &shown[0])
        .await
        .expect("the first code shown signs in");
    assert_eq!(recovery_codes_left(&app, &token).await, 9);
    assert_eq!(
        api_sign_in_with_recovery(&app, &shown[0]).await,
        Err("invalid_code".to_owned()),
        "each code signs in once"
    );
    app.stop().await;
}

#[tokio::test]
async fn two_requests_at_once_for_the_codes_page_show_the_codes_at_most_once() {
    if !oathtool_available("recovery codes race") {
        return;
    }
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    enable_totp(&app, &http).await;
    for round in 0..3 {
        let res = post_form(
            &http,
            &app,
            "/account/security",
            CODES_PAGE,
            &[("password", PASSWORD)],
        )
        .await;
        assert_eq!(location(&res), CODES_PAGE);
        let mut asking = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let (http, url) = (http.clone(), app.url(CODES_PAGE));
            asking.spawn(async move { http.get(url).send().await.unwrap().text().await.unwrap() });
        }
        let pages = asking.join_all().await;
        let with_codes = pages.iter().filter(|p| !codes_on(p).is_empty()).count();
        let already = pages
            .iter()
            .filter(|p| p.contains("id=\"already-shown\""))
            .count();
        assert_eq!(with_codes, 1, "round {round}: shown exactly once");
        assert_eq!(already, 5, "round {round}: the others say already shown");
    }
    app.stop().await;
}

#[tokio::test]
async fn refreshing_in_chromium_after_activating_or_regenerating_repeats_nothing() {
    if !oathtool_available("refresh in Chromium") {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::with_user().await;
    let c = browser.client();
    sign_in_with_password(c, &app).await;
    c.goto(&app.url("/account/security")).await.unwrap();
    click(c, "form[action='/account/security/totp/start'] button").await;
    assert_eq!(path_of(c).await, "/account/security/totp");
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    // A reload of the assistant keeps the key the person may have scanned already.
    c.refresh().await.unwrap();
    assert_eq!(key_from_grouped(&text_of(c, "#totp-key").await), key);

    fill(c, "password", PASSWORD).await;
    fill(c, "code", &totp_code(&key, 0)).await;
    click(c, "form[action='/account/security/totp/activate'] button").await;
    assert_eq!(path_of(c).await, CODES_PAGE);
    assert_eq!(text_of(c, "h1").await, "Two-factor authentication is on");
    let activated = texts_of(c, "#recovery-codes li").await;
    assert_eq!(activated.len(), 10);
    c.refresh().await.unwrap();
    assert!(
        text_of(c, "#already-shown")
            .await
            .starts_with("Already shown")
    );
    assert!(!has(c, "#recovery-codes").await);
    let source = c.source().await.unwrap();
    assert!(activated.iter().all(|code| !source.contains(code.as_str())));

    // New codes from the security page; the refresh shows none and makes none.
    c.goto(&app.url("/account/security")).await.unwrap();
    click_in_page(c, "#totp summary").await;
    fill(c, "regenerate_password", PASSWORD).await;
    click(
        c,
        "#totp form[action='/account/security/recovery-codes'] button",
    )
    .await;
    assert_eq!(path_of(c).await, CODES_PAGE);
    assert_eq!(text_of(c, "h1").await, "New recovery codes");
    let regenerated = texts_of(c, "#recovery-codes li").await;
    assert_eq!(regenerated.len(), 10);
    c.refresh().await.unwrap();
    assert!(
        text_of(c, "#already-shown")
            .await
            .starts_with("Already shown")
    );
    assert_eq!(text_of(c, "h1").await, "Recovery codes already shown");

    // The set on screen before the refresh is the valid one; the activation's set is void.
    assert_eq!(
        api_sign_in_with_recovery(&app, &activated[0]).await,
        Err("invalid_code".to_owned())
    );
    let token = api_sign_in_with_recovery(&app, &regenerated[0])
        .await
        .expect("the codes shown before the refresh work");
    assert_eq!(recovery_codes_left(&app, &token).await, 9);

    browser.close().await;
    app.stop().await;
}

async fn texts_of(c: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

async fn has(c: &fantoccini::Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

#[tokio::test]
async fn the_forced_setup_at_sign_in_ends_on_the_codes_page_by_a_redirect() {
    if !oathtool_available("forced setup reload") {
        return;
    }
    let app = TestApp::with_user().await;
    let owner = api_token(&app).await;
    let bob = "bob@example.com";
    let (status, body) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(&owner),
        Some(json!({ "email": bob, "password": PASSWORD, "force_2fa": true })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let http = app.http();
    let res = app.sign_in_as(&http, bob, PASSWORD).await;
    assert_eq!(location(&res), "/login/setup");
    let setup = text(&http, &app, "/login/setup").await;
    let key = key_from_grouped(between(&setup, r#"id="totp-key" data-copy-compact>"#, "<")[0]);
    let csrf = hidden_csrf(&setup);
    let res = http
        .post(app.url("/login/setup"))
        .form(&[("csrf", csrf.as_str()), ("code", &totp_code(&key, 0))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), CODES_PAGE);
    assert!(set_cookie(res.headers(), "portcullis_session").is_some());
    let shown = text(&http, &app, CODES_PAGE).await;
    assert_eq!(codes_on(&shown).len(), 10, "{shown}");
    assert!(shown.contains("you are signed in"), "{shown}");
    let again = text(&http, &app, CODES_PAGE).await;
    assert!(codes_on(&again).is_empty());
    assert!(again.contains("id=\"already-shown\""), "{again}");
    app.stop().await;
}

#[tokio::test]
async fn reloading_a_new_app_password_makes_no_second_one_and_the_first_works() {
    let (app, service_token) = TestApp::with_mail_service(None).await;
    let http = app.http();
    app.sign_in(&http).await;
    let res = post_form(
        &http,
        &app,
        "/account/app-passwords",
        "/account/app-passwords",
        &[("name", "Thunderbird"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/app-passwords?done=created");
    let page = text(&http, &app, "/account/app-passwords?done=created").await;
    let password = between(&page, r#"id="app-password">"#, "<")[0].to_owned();
    assert_eq!(password.len(), 19, "{password}");

    let again = text(&http, &app, "/account/app-passwords?done=created").await;
    assert!(!again.contains(&password), "shown once");
    assert!(!again.contains("id=\"app-password\""));
    assert!(again.contains("Already shown"), "{again}");

    let token = api_token(&app).await;
    assert_eq!(app_passwords(&app, &token).await.len(), 1, "no duplicate");
    assert!(mail_login(&app, &service_token, &password).await);
    app.stop().await;
}

#[tokio::test]
async fn a_pairing_link_is_shown_once_and_a_reload_says_so() {
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    let res = post_form(
        &http,
        &app,
        "/account/security",
        "/account/security/push-devices",
        &[("name", "Phone"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/security/push-devices");
    let page = text(&http, &app, "/account/security/push-devices").await;
    assert!(page.contains("portcullis://pair"), "{page}");
    let res = get(&http, &app, "/account/security/push-devices").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/security?done=pairing_shown#push");
    let security = text(&http, &app, "/account/security?done=pairing_shown").await;
    assert!(security.contains("Already shown"), "{security}");
    assert!(!security.contains("portcullis://pair"));
    app.stop().await;
}

#[tokio::test]
async fn the_support_pin_and_a_new_app_password_need_the_current_password_in_the_api() {
    let app = TestApp::with_user().await;
    let token = api_token(&app).await;
    let put = reqwest::Method::PUT;
    let post = reqwest::Method::POST;
    let pin = "/api/v1/me/support-pin";
    let made = "/api/v1/me/app-passwords";

    let (status, body) = api(
        &app,
        put.clone(),
        pin,
        Some(&token),
        Some(json!({ "pin": "48213" })),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("invalid_body"))
    );
    let (status, body) = api(
        &app,
        post.clone(),
        made,
        Some(&token),
        Some(json!({ "name": "Mail" })),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("invalid_body"))
    );
    // Wrong passwords: refused like a wrong password at the phone number, and counted. Five at
    // each, ten in all, is what the account throttle allows before it locks.
    for _ in 0..5 {
        let wrong = json!({ "pin": "48213", "password": "Not-My-Password-1" });
        let (status, body) = api(&app, put.clone(), pin, Some(&token), Some(wrong)).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::FORBIDDEN, &json!("invalid_password"))
        );
        let wrong = json!({ "name": "Mail", "password": "Not-My-Password-1" });
        let (status, body) = api(&app, post.clone(), made, Some(&token), Some(wrong)).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::FORBIDDEN, &json!("invalid_password"))
        );
    }
    let (_, me) = api(&app, reqwest::Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["support_pin"]["set"], false);
    assert!(app_passwords(&app, &token).await.is_empty());
    let login = json!({ "username": EMAIL, "password": PASSWORD });
    let (status, body) = api(&app, post.clone(), "/api/v1/login", None, Some(login)).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("too_many_attempts")),
        "the wrong passwords counted as guesses"
    );
    let right = json!({ "pin": "48213", "password": PASSWORD });
    let (status, _) = api(&app, put, pin, Some(&token), Some(right)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked for now, even when right"
    );
    app.stop().await;
}

#[tokio::test]
async fn with_the_right_password_the_api_sets_the_pin_and_makes_an_app_password() {
    let app = TestApp::with_user().await;
    let token = api_token(&app).await;
    let right = json!({ "pin": "48213", "password": PASSWORD });
    let (status, _) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/me/support-pin",
        Some(&token),
        Some(right),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let right = json!({ "name": "Mail", "password": PASSWORD });
    let (status, body) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/app-passwords",
        Some(&token),
        Some(right),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, me) = api(&app, reqwest::Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["support_pin"]["set"], true);
    assert_eq!(app_passwords(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_pages_ask_for_the_current_password_before_a_pin_or_an_app_password() {
    let app = TestApp::with_user().await;
    let http = app.http();
    app.sign_in(&http).await;
    let pin = [("pin", "48213"), ("pin_confirm", "48213")];
    for (password, status, says) in [
        (
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your current password",
        ),
        (
            "Not-My-Password-1",
            StatusCode::FORBIDDEN,
            "password is not correct",
        ),
    ] {
        let mut form = pin.to_vec();
        form.push(("password", password));
        let res = post_form(
            &http,
            &app,
            "/account/support-pin",
            "/account/support-pin",
            &form,
        )
        .await;
        assert_eq!(res.status(), status);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"password-error\""), "{html}");
        assert!(html.contains(says), "{html}");

        let form = [("name", "Mail"), ("password", password)];
        let res = post_form(
            &http,
            &app,
            "/account/app-passwords",
            "/account/app-passwords",
            &form,
        )
        .await;
        assert_eq!(res.status(), status);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"app-password-current-error\""), "{html}");
        assert!(html.contains(says), "{html}");
        assert!(html.contains("value=\"Mail\""), "the name stays: {html}");
    }
    let token = api_token(&app).await;
    let (_, me) = api(&app, reqwest::Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(me["support_pin"]["set"], false);
    assert!(app_passwords(&app, &token).await.is_empty());

    let mut form = pin.to_vec();
    form.push(("password", PASSWORD));
    let res = post_form(
        &http,
        &app,
        "/account/support-pin",
        "/account/support-pin",
        &form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/support-pin?done=pin_set");
    app.stop().await;
}

#[tokio::test]
async fn revoking_an_app_password_asks_first() {
    let (app, service_token) = TestApp::with_mail_service(None).await;
    let http = app.http();
    app.sign_in(&http).await;
    let res = post_form(
        &http,
        &app,
        "/account/app-passwords",
        "/account/app-passwords",
        &[("name", "Thunderbird"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(&http, &app, "/account/app-passwords?done=created").await;
    let password = between(&page, r#"id="app-password">"#, "<")[0].to_owned();
    let revoke = between(&page, r#"<form method="post" action=""#, "\"")
        .into_iter()
        .find(|a| a.ends_with("/revoke"))
        .expect("a revoke button")
        .to_owned();

    // The button leads to the question; nothing is revoked yet.
    let res = post_form(&http, &app, "/account/app-passwords", &revoke, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let question = res.text().await.unwrap();
    assert!(
        question.contains("Revoke the app password “Thunderbird”?"),
        "{question}"
    );
    assert!(question.contains("name=\"confirm\" value=\"yes\""));
    assert!(
        question.contains("href=\"/account/app-passwords\""),
        "a way back"
    );
    assert!(mail_login(&app, &service_token, &password).await);

    let csrf = hidden_csrf(&question);
    let res = http
        .post(app.url(&revoke))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account/app-passwords?done=revoked");
    assert!(!mail_login(&app, &service_token, &password).await);
    app.stop().await;
}

/// The newest email of `kind` to `EMAIL` in the outbox's file transport, waiting for it.
async fn mail(app: &TestApp, kind: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let found = outbox::messages_to(app.data(), "email", EMAIL)
            .into_iter()
            .rev()
            .find(|m| m["kind"] == kind);
        if let Some(m) = found {
            return m["body"].as_str().unwrap().to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no {kind} email");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_password_reset_answers_with_a_redirect_and_a_reload_changes_nothing_more() {
    let app = TestApp::with_user().await;
    let http = app.http();
    let res = post_form(&http, &app, "/forgot", "/forgot", &[("username", EMAIL)]).await;
    assert_eq!(location(&res), "/forgot?done=sent");
    let body = mail(&app, "password_reset").await;
    let start = body.find("/reset?token=").expect("a reset link");
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    let form = text(&http, &app, &link).await;
    let csrf = hidden_csrf(&form);
    let token = link.trim_start_matches("/reset?token=");
    let new_password = "Quiet-Lantern-Orbit-58";
    let fields = [
        ("csrf", csrf.as_str()),
        ("token", token),
        ("password", new_password),
        ("password_confirm", new_password),
    ];
    let res = http
        .post(app.url("/reset"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/reset?done=changed");
    let done = text(&http, &app, "/reset?done=changed").await;
    assert!(done.contains("Password changed"), "{done}");
    // What a "Confirm form resubmission" would send: the used link changes nothing more.
    let res = http
        .post(app.url("/reset"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let signed_in = app.sign_in_as(&app.http(), EMAIL, new_password).await;
    assert_eq!(location(&signed_in), "/account");
    app.stop().await;
}

#[tokio::test]
async fn locking_from_a_notice_redirects_and_a_reload_shows_the_lock_again() {
    let app = TestApp::with_user().await;
    let token = api_token(&app).await;
    let new_password = "Quiet-Lantern-Orbit-58";
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/password",
        Some(&token),
        Some(json!({ "old_password": PASSWORD, "new_password": new_password })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let body = mail(&app, "security").await;
    let start = body.find("/lock?token=").expect("a lock link");
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    let http = app.http();
    let form = text(&http, &app, &link).await;
    let fields = [
        ("csrf", hidden_csrf(&form)),
        ("token", link.trim_start_matches("/lock?token=").to_owned()),
    ];
    let res = http
        .post(app.url("/lock"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/lock?done=locked");
    for _ in 0..2 {
        // The first look, then what a reload shows: the outcome, not "link no longer valid".
        let page = text(&http, &app, "/lock?done=locked").await;
        assert!(page.contains("Your account is locked"), "{page}");
        assert!(!page.contains("no longer valid"), "{page}");
    }
    // What a "Confirm form resubmission" would send: the used link locks nothing twice.
    let res = http
        .post(app.url("/lock"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let refused = app.sign_in_as(&app.http(), EMAIL, new_password).await;
    assert!(
        set_cookie(refused.headers(), "portcullis_session").is_none(),
        "a locked account never signs in"
    );
    assert!(refused.text().await.unwrap().contains("locked"));
    app.stop().await;
}
