//! "New sign-in to your account" and "Someone knows your password", through the real server on
//! SQLite and PostgreSQL behind a trusted proxy (so each request names its client's address in
//! `X-Forwarded-For`) with a clock the test moves: what is news (a browser family or a network
//! not seen in 90 days, never the account's first sign-in), how often (one of each an hour), the
//! contract's switch, what the messages say, and that their lock link locks the account, app
//! passwords included, until an administrator unlocks it.
//!
//! Whether a notice was queued is read from the outbox table, which the sign-in's transaction
//! wrote before it answered; what it says is read from the file the outbox worker delivered.

use std::sync::Arc;

use portcullis_core::{Clock, FixedClock};
use portcullis_server::config::ServeArgs;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::companion::{Device, pushed, ticket};
use crate::harness::server::{PASSWORD, TestApp, TestEnv, error_code};
use crate::harness::totp::{code_at_step, unix_now};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
/// The same family, a later version: versions are ignored.
const FIREFOX_LATER: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CURL: &str = "curl/8.5.0";

const HOME: &str = "192.0.2.10";
/// Another address in the same /24 as [`HOME`].
const HOME_NEXT_DOOR: &str = "192.0.2.200";
const ELSEWHERE: &str = "198.51.100.7";
const FARTHER: &str = "203.0.113.5";

/// A server behind a trusted proxy on 127.0.0.1, open for sign-ups, on a clock the test moves.
/// The clock starts a year ago: the outbox worker keeps the real clock, and a message must be
/// due for it however far a test moves its own.
async fn app(env: &TestEnv) -> (TestApp, FixedClock) {
    let clock = FixedClock::at(unix_now() - 365 * 86_400);
    let held = clock.clone();
    let args = ServeArgs {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        data: Some(env.data.clone()),
        database_url: env.database_url.clone(),
        open_registration: Some(true),
        trusted_proxies: Some(vec!["127.0.0.1".into()]),
        ..Default::default()
    };
    let app = TestApp::start_prepared(args, |mut server| async move {
        server.set_clock(Arc::new(held));
        server
    })
    .await;
    (app, clock)
}

/// `POST path` from a client with user agent `ua` at `ip`.
async fn post_from(app: &TestApp, path: &str, body: Value, ua: &str, ip: &str) -> Response {
    app.client
        .post(app.url(path))
        .header("User-Agent", ua)
        .header("X-Forwarded-For", ip)
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

/// Creates the account `email` and signs in to it for the first time, from `ua` at `ip`; the
/// session's token.
async fn sign_up_from(app: &TestApp, email: &str, ua: &str, ip: &str) -> String {
    let body = json!({ "email": email, "password": PASSWORD });
    let r = post_from(app, "/api/v1/signup", body, ua, ip).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    sign_in_from(app, email, ua, ip).await
}

/// The answer to the password step from `ua` at `ip`.
async fn password_from(app: &TestApp, email: &str, ua: &str, ip: &str) -> Value {
    let body = json!({ "username": email, "password": PASSWORD });
    let r = post_from(app, "/api/v1/login", body, ua, ip).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Signs in with the password alone from `ua` at `ip`; the session's token.
async fn sign_in_from(app: &TestApp, email: &str, ua: &str, ip: &str) -> String {
    let body = password_from(app, email, ua, ip).await;
    assert_eq!(body["status"], "ok", "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// How many notices of `kind` were queued for `to`, delivered or not.
async fn queued(app: &TestApp, to: &str, kind: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE recipient = $1 AND kind = $2")
        .bind(to)
        .bind(kind)
        .fetch_one(app.state.services.store.raw_pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// The text of the `n`th (1-based, oldest first) notice of `kind` to `to`, once the outbox
/// worker has delivered it.
async fn delivered(app: &TestApp, to: &str, kind: &str, n: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let found: Vec<Value> = app
            .messages_to("email", to)
            .into_iter()
            .filter(|m| m["kind"] == kind)
            .collect();
        if let Some(m) = found.get(n - 1) {
            return m["body"].as_str().unwrap().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {kind} #{n} to {to} after 15 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The token of the `/lock?token=…` link in a message's text.
fn lock_token(text: &str) -> String {
    let start = text.find("/lock?token=").expect("a lock link") + "/lock?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// "When: 7 December 2026, 19:30 UTC" for the clock's minute (an account without a time zone).
fn when(clock: &FixedClock) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(clock.now().0).unwrap();
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    format!("When: {}", t.format(&format).unwrap())
}

/// Turns on an authenticator app for the signed-in `token`; its secret.
async fn enable_totp(app: &TestApp, clock: &FixedClock, token: &str) -> String {
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let secret = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = code_at_step(&secret, clock.now().0 / 30);
    let body = json!({ "password": PASSWORD, "code": code });
    let r = app
        .post_json("/api/v1/me/totp/activate", &body, Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    secret
}

/// A six-digit code that is none of the codes the authenticator shows around the clock's time.
fn wrong_code(secret: &str, clock: &FixedClock) -> String {
    let step = clock.now().0 / 30;
    let shown: Vec<String> = (-2..=2).map(|d| code_at_step(secret, step + d)).collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !shown.contains(c))
        .unwrap()
}

/// The password from `ua` at `ip`, then `code` as the second step on `path` (`/login/totp` or
/// `/login/recovery`); the second step's answer.
async fn second_step_from(
    app: &TestApp,
    email: &str,
    path: &str,
    code: &str,
    ua: &str,
    ip: &str,
) -> Response {
    let body = password_from(app, email, ua, ip).await;
    assert_eq!(body["status"], "second_factor", "{body}");
    let step = json!({ "login_ticket": body["login_ticket"], "code": code });
    post_from(app, &format!("/api/v1{path}"), step, ua, ip).await
}

on_both_backends! {
    async fn the_first_sign_in_and_the_same_browser_and_network_again_send_nothing(env: TestEnv) {
        let (app, clock) = app(&env).await;
        sign_up_from(&app, "ann@example.com", FIREFOX, HOME).await;
        assert_eq!(queued(&app, "ann@example.com", "new_sign_in").await, 0, "the very first sign-in is no news");
        // A later Firefox on the same /24 a day later: the same family and network.
        clock.advance(86_400);
        sign_in_from(&app, "ann@example.com", FIREFOX_LATER, HOME_NEXT_DOOR).await;
        sign_in_from(&app, "ann@example.com", FIREFOX, HOME).await;
        assert_eq!(queued(&app, "ann@example.com", "new_sign_in").await, 0);
        // 89 days on, still known; 91 days after that, both were forgotten: news again.
        clock.advance(89 * 86_400);
        sign_in_from(&app, "ann@example.com", FIREFOX, HOME).await;
        assert_eq!(queued(&app, "ann@example.com", "new_sign_in").await, 0, "seen 89 days ago");
        clock.advance(91 * 86_400);
        sign_in_from(&app, "ann@example.com", FIREFOX, HOME).await;
        assert_eq!(queued(&app, "ann@example.com", "new_sign_in").await, 1, "not seen for 91 days");
    }

    async fn a_new_browser_family_sends_one_notice_with_time_address_browser_and_a_lock_link_that_locks(env: TestEnv) {
        let (app, clock) = app(&env).await;
        let first = sign_up_from(&app, "bob@example.com", FIREFOX, HOME).await;
        clock.advance(600);
        sign_in_from(&app, "bob@example.com", CHROME, HOME).await;
        assert_eq!(queued(&app, "bob@example.com", "new_sign_in").await, 1);
        let text = delivered(&app, "bob@example.com", "new_sign_in", 1).await;
        for needle in [
            "Someone just signed in to your account from a browser or a network your account has not used in the last 90 days.",
            &when(&clock),
            &format!("From: {HOME}\n"),
            "Using: Chrome on Windows\n",
            "Account: bob@example.com\n",
            "If this wasn't you, lock your account: ",
        ] {
            assert!(text.contains(needle), "{needle:?} in {text}");
        }
        let m = app.message_to("email", "bob@example.com", |m| m["kind"] == "new_sign_in").await;
        assert_eq!(m["subject"], "New sign-in to your Portcullis account");

        // The link's page asks first; confirmed, the account locks and every session ends.
        let lock = lock_token(&text);
        let page = app.client.get(app.url(&format!("/lock?token={lock}"))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("Lock my account"));
        assert_eq!(app.me(&first).await.status(), StatusCode::OK);
        let r = app.post_json("/api/v1/lock", &json!({ "token": lock }), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&first).await.status(), StatusCode::UNAUTHORIZED);
        let body = json!({ "username": "bob@example.com", "password": PASSWORD });
        let r = post_from(&app, "/api/v1/login", body, FIREFOX, HOME).await;
        assert_eq!(error_code(r).await, (StatusCode::LOCKED, "account_locked".to_owned()));
    }

    async fn a_new_network_sends_one_a_second_within_the_hour_none_and_the_next_hour_one(env: TestEnv) {
        let (app, clock) = app(&env).await;
        sign_up_from(&app, "cat@example.com", FIREFOX, HOME).await;
        clock.advance(60);
        sign_in_from(&app, "cat@example.com", FIREFOX, ELSEWHERE).await;
        assert_eq!(queued(&app, "cat@example.com", "new_sign_in").await, 1, "a new network");
        let text = delivered(&app, "cat@example.com", "new_sign_in", 1).await;
        assert!(text.contains(&format!("From: {ELSEWHERE}\n")), "{text}");
        assert!(text.contains("Using: Firefox on Linux\n"), "{text}");

        // Another new one 59 minutes later: one notice an hour at most.
        clock.advance(59 * 60);
        sign_in_from(&app, "cat@example.com", CURL, FARTHER).await;
        assert_eq!(queued(&app, "cat@example.com", "new_sign_in").await, 1, "within the hour");

        // The hour is over: a program calling the API from yet another network is news, by name.
        clock.advance(2 * 60);
        sign_in_from(&app, "cat@example.com", CURL, "2001:db8:7::1").await;
        assert_eq!(queued(&app, "cat@example.com", "new_sign_in").await, 2);
        let text = delivered(&app, "cat@example.com", "new_sign_in", 2).await;
        assert!(text.contains("Using: API client: curl\n"), "{text}");
        assert!(text.contains("From: 2001:db8:7::1\n"), "{text}");
        // Everything seen is known now, including what the held-back sign-in used.
        clock.advance(3600);
        sign_in_from(&app, "cat@example.com", CURL, FARTHER).await;
        sign_in_from(&app, "cat@example.com", FIREFOX, ELSEWHERE).await;
        assert_eq!(queued(&app, "cat@example.com", "new_sign_in").await, 2);
    }

    async fn the_contract_switch_stops_the_new_sign_in_notice(env: TestEnv) {
        let (app, clock) = app(&env).await;
        let owner = sign_up_from(&app, "dan@example.com", FIREFOX, HOME).await;
        let off = json!({ "new_sign_in_notice": false });
        let r = app.client.patch(app.url("/api/v1/contract")).bearer_auth(&owner).json(&off).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        clock.advance(60);
        sign_in_from(&app, "dan@example.com", CHROME, ELSEWHERE).await;
        assert_eq!(queued(&app, "dan@example.com", "new_sign_in").await, 0, "switched off");

        // Switched on again, the next new sign-in is told; what was seen meanwhile stays known.
        let on = json!({ "new_sign_in_notice": true });
        let r = app.client.patch(app.url("/api/v1/contract")).bearer_auth(&owner).json(&on).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        sign_in_from(&app, "dan@example.com", CHROME, ELSEWHERE).await;
        assert_eq!(queued(&app, "dan@example.com", "new_sign_in").await, 0, "seen while off");
        sign_in_from(&app, "dan@example.com", CURL, FARTHER).await;
        assert_eq!(queued(&app, "dan@example.com", "new_sign_in").await, 1);
    }

    async fn three_wrong_codes_in_an_hour_send_one_someone_knows_your_password(env: TestEnv) {
        let (app, clock) = app(&env).await;
        let token = sign_up_from(&app, "eve@example.com", FIREFOX, HOME).await;
        let secret = enable_totp(&app, &clock, &token).await;
        let wrong = wrong_code(&secret, &clock);
        let kind = "second_factor_failures";

        // Two wrong codes: a slip.
        for path in ["/login/totp", "/login/recovery"] {
            let code = if path == "/login/totp" { wrong.clone() } else { "aaaa-bbbb-cccc".to_owned() };
            let r = second_step_from(&app, "eve@example.com", path, &code, CHROME, ELSEWHERE).await;
            assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()), "{path}");
            clock.advance(60);
        }
        assert_eq!(queued(&app, "eve@example.com", kind).await, 0);
        // The third within the hour: someone knows the password.
        let r = second_step_from(&app, "eve@example.com", "/login/totp", &wrong, CHROME, ELSEWHERE).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".to_owned()));
        assert_eq!(queued(&app, "eve@example.com", kind).await, 1);
        let text = delivered(&app, "eve@example.com", kind, 1).await;
        for needle in [
            "Someone typed the right password for your account, then failed the second step 3 times within an hour",
            "Whoever it was knows your password.",
            &when(&clock),
            &format!("From: {ELSEWHERE}\n"),
            "Using: Chrome on Windows\n",
            "change your password now: ",
            "/account\n",
            "lock your account: ",
        ] {
            assert!(text.contains(needle), "{needle:?} in {text}");
        }
        assert!(!lock_token(&text).is_empty());
        let m = app.message_to("email", "eve@example.com", |m| m["kind"] == kind).await;
        assert_eq!(m["subject"], "Someone knows your Portcullis password");

        // More within the hour send no more.
        for _ in 0..2 {
            let r = second_step_from(&app, "eve@example.com", "/login/totp", &wrong, CHROME, ELSEWHERE).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        assert_eq!(queued(&app, "eve@example.com", kind).await, 1, "one an hour");
        // An hour later the count starts again: two are not enough, the third is.
        clock.advance(3601);
        let wrong = wrong_code(&secret, &clock);
        for expected in [1, 1, 2] {
            let r = second_step_from(&app, "eve@example.com", "/login/totp", &wrong, CHROME, ELSEWHERE).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(queued(&app, "eve@example.com", kind).await, expected);
        }
        // The right code still signs in, and nothing of this made a "new sign-in" notice twice.
        let right = code_at_step(&secret, clock.now().0 / 30);
        let r = second_step_from(&app, "eve@example.com", "/login/totp", &right, CHROME, ELSEWHERE).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(queued(&app, "eve@example.com", "new_sign_in").await, 1);
    }

    async fn three_push_requests_denied_in_the_app_count_as_wrong_codes(env: TestEnv) {
        // The real clock: the app's signed answers carry the time.
        let app = env.spawn().await;
        let token = app.signed_in("gus@example.com").await;
        let phone = Device::paired(&app, &token).await;
        let (t, _) = ticket(&app, "gus@example.com").await;
        for expected in [0, 0, 1] {
            let (id, _) = pushed(&app, &t).await;
            let r = phone.answer(&app, &id, json!({ "decision": "deny" })).await;
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(queued(&app, "gus@example.com", "second_factor_failures").await, expected);
        }
        // Told with the sign-in's address and client, not the phone's.
        let text = delivered(&app, "gus@example.com", "second_factor_failures", 1).await;
        assert!(text.contains("then failed the second step 3 times within an hour"), "{text}");
        assert!(text.contains("From: 127.0.0.1\n"), "{text}");
        assert!(text.contains("Using: Unknown program\n"), "{text}");
    }

    async fn a_lock_suspends_app_passwords_until_an_administrator_unlocks(env: TestEnv) {
        let (app, _clock) = app(&env).await;
        let owner = sign_up_from(&app, "owner@example.com", FIREFOX, HOME).await;
        let body = json!({ "email": "fay@example.com", "password": PASSWORD });
        let r = app.post_json("/api/v1/users", &body, Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let fay_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let fay = sign_in_from(&app, "fay@example.com", FIREFOX, HOME).await;
        let body = json!({ "name": "Thunderbird", "password": PASSWORD });
        let r = app.post_json("/api/v1/me/app-passwords", &body, Some(&fay)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let app_password = r.json::<Value>().await.unwrap()["password"].as_str().unwrap().to_owned();
        let (_, service) = app.state.services.create_service_token_from_shell("mail").await.unwrap();
        let service = service.expose().to_owned();
        let mailbox_opens = || async {
            let body = json!({ "username": "fay@example.com", "password": app_password, "client_ip": FARTHER });
            let r = app.post_json("/api/v1/app-auth", &body, Some(&service)).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()["ok"].as_bool().unwrap()
        };
        assert!(mailbox_opens().await);

        // Someone signs in elsewhere; Fay follows the notice's lock link.
        sign_in_from(&app, "fay@example.com", CHROME, ELSEWHERE).await;
        let text = delivered(&app, "fay@example.com", "new_sign_in", 1).await;
        let r = app.post_json("/api/v1/lock", &json!({ "token": lock_token(&text) }), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(!mailbox_opens().await, "a locked account opens no mailbox");

        let r = app.client.post(app.url(&format!("/api/v1/users/{fay_id}/unlock"))).bearer_auth(&owner).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(mailbox_opens().await, "unlocked, the app password works again");
    }
}
