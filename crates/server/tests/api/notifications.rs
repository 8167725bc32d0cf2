//! Security notifications and "this wasn't me", through the real server on SQLite and
//! PostgreSQL: each change to an account emails its holder with a single-use lock link; the link
//! locks the account (sessions end, logins answer 423), alerts the owner, and only an
//! administrator or the operator unlocks it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::server::{PASSWORD, TestApp, error_code};
use crate::harness::totp::code;

fn body(m: &Value) -> String {
    m["body"].as_str().unwrap_or_default().to_owned()
}

/// The token of the `/lock?token=…` link in a message.
fn lock_token(m: &Value) -> String {
    let b = body(m);
    let start = b.find("/lock?token=").expect("a lock link in the notice") + "/lock?token=".len();
    b[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Waits until `n` emails to `to` have been delivered, then checks that no more than `n` came.
async fn exactly(app: &TestApp, to: &str, n: usize) -> Vec<Value> {
    app.nth_message_to("email", to, n).await;
    let all = app.messages_to("email", to);
    assert_eq!(all.len(), n, "one notice per change: {all:#?}");
    all
}

/// The newest email to `to` whose subject or body mentions `needle` (case-insensitive), waiting
/// for the outbox worker to deliver it.
async fn notice_about(app: &TestApp, to: &str, needle: &str) -> Value {
    let needle = needle.to_lowercase();
    app.message_to("email", to, |m| {
        let text = format!("{} {}", m["subject"], m["body"]).to_lowercase();
        text.contains(&needle)
    })
    .await
}

/// Signs up `email` and activates an authenticator; returns (token, secret, recovery codes).
async fn with_totp(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
    let token = app.signed_in(email).await;
    let r = app
        .post_json("/api/v1/me/totp", &json!({}), Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let secret = r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_json(
            "/api/v1/me/totp/activate",
            &json!({ "password": PASSWORD, "code": code(&secret, 0) }),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let codes = r.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (token, secret, codes)
}

/// Logs in with a recovery code as the second step; returns the session token.
async fn login_with_recovery_code(app: &TestApp, email: &str, recovery: &str) -> String {
    let r: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    assert_eq!(r["status"], "second_factor", "{r}");
    let r = app
        .post_json(
            "/api/v1/login/recovery",
            &json!({ "login_ticket": r["login_ticket"], "code": recovery }),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_backends! {
    async fn a_password_change_emails_the_holder_with_a_lock_link(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("ann@example.com").await;
        assert_eq!(app.change_password(&token, PASSWORD, "Brand-New-Pass-8").await.status(), StatusCode::NO_CONTENT);
        let m = notice_about(&app, "ann@example.com", "password of your account was changed").await;
        assert_eq!(m["channel"], "email");
        assert!(!lock_token(&m).is_empty());
        assert!(!body(&m).contains("Brand-New-Pass-8"), "no password in a notice");
        exactly(&app, "ann@example.com", 1).await;
    }

    async fn activating_and_removing_an_authenticator_each_send_a_notice(env: TestEnv) {
        let app = env.spawn().await;
        let (token, _, _) = with_totp(&app, "bob@example.com").await;
        let activated = notice_about(&app, "bob@example.com", "two-factor authentication was turned on").await;
        let r = app.client.delete(app.url("/api/v1/me/totp")).bearer_auth(&token)
            .json(&json!({ "password": PASSWORD })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let deactivated = notice_about(&app, "bob@example.com", "two-factor authentication was turned off").await;
        assert_ne!(lock_token(&activated), lock_token(&deactivated), "each notice has its own link");
        exactly(&app, "bob@example.com", 2).await;
    }

    async fn each_recovery_code_used_says_how_many_are_left_and_three_or_fewer_nudge_to_regenerate(env: TestEnv) {
        let app = env.spawn().await;
        let (_, _, codes) = with_totp(&app, "cat@example.com").await;
        let nudge = "make new recovery codes soon";
        login_with_recovery_code(&app, "cat@example.com", &codes[0]).await;
        let first = body(&notice_about(&app, "cat@example.com", "9 codes are left").await);
        assert!(!first.to_lowercase().contains(nudge), "nine left is no reason to nag: {first}");
        for c in &codes[1..7] {
            login_with_recovery_code(&app, "cat@example.com", c).await;
        }
        let low = body(&notice_about(&app, "cat@example.com", "3 codes are left").await);
        assert!(low.to_lowercase().contains(nudge), "three left nudges to make new codes: {low}");
        assert!(low.contains("/account/security"), "with a link to do it: {low}");
        exactly(&app, "cat@example.com", 8).await;
    }

    async fn regenerating_recovery_codes_and_removing_2fa_by_recovery_code_send_notices(env: TestEnv) {
        let app = env.spawn().await;
        let (token, _, codes) = with_totp(&app, "dan@example.com").await;
        let r = app.post_json("/api/v1/me/recovery-codes", &json!({ "password": PASSWORD }), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let fresh: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_ne!(fresh, codes);
        notice_about(&app, "dan@example.com", "new recovery codes were made").await;
        let r = app.post_json("/api/v1/recover", &json!({ "username": "dan@example.com", "password": PASSWORD, "recovery_code": fresh[0] }), None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let removed = notice_about(&app, "dan@example.com", "used to remove two-factor authentication").await;
        assert!(!lock_token(&removed).is_empty());
        exactly(&app, "dan@example.com", 3).await;
    }

    async fn the_lock_link_locks_the_account_ends_its_sessions_and_alerts_the_owner(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("owner@example.com").await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "eve@example.com", "password": PASSWORD }), Some(&owner)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let eve_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let eve = app.token_for("eve@example.com", PASSWORD).await;
        assert_eq!(app.change_password(&eve, PASSWORD, "Other-Pass-word-9").await.status(), StatusCode::NO_CONTENT);
        let lock = lock_token(&notice_about(&app, "eve@example.com", "password of your account was changed").await);

        // The page asks before it locks: a mail scanner fetching the link locks nothing.
        let page = app.client.get(app.url(&format!("/lock?token={lock}"))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("Lock my account"));
        assert!(page.contains("made with your own credentials"), "{page}");
        assert!(!page.contains("If you did not make the change"), "{page}");
        assert_eq!(app.me(&eve).await.status(), StatusCode::OK);

        let r = app.post_json("/api/v1/lock", &json!({ "token": lock }), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.me(&eve).await.status(), StatusCode::UNAUTHORIZED, "every session ended");
        assert_eq!(error_code(app.login("eve@example.com", "Other-Pass-word-9").await).await, (StatusCode::LOCKED, "account_locked".to_owned()));
        // Only the right password learns of the lock.
        assert_eq!(error_code(app.login("eve@example.com", "Wrong-Pass-word-1").await).await, (StatusCode::UNAUTHORIZED, "invalid_credentials".to_owned()));
        // Single use.
        assert_eq!(error_code(app.post_json("/api/v1/lock", &json!({ "token": lock }), None).await).await, (StatusCode::BAD_REQUEST, "invalid_token".to_owned()));
        let alert = notice_about(&app, "owner@example.com", "eve@example.com locked").await;
        assert_eq!(alert["channel"], "email");

        let users: Value = app.get("/api/v1/users", Some(&owner)).await.json().await.unwrap();
        let listed = users["users"].as_array().unwrap().iter().find(|u| u["email"] == "eve@example.com").unwrap().clone();
        assert!(listed["locked_at"].is_string(), "{listed}");

        let r = app.client.post(app.url(&format!("/api/v1/users/{eve_id}/unlock"))).bearer_auth(&owner).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.login("eve@example.com", "Other-Pass-word-9").await.status(), StatusCode::OK);
        let audit: Value = app.get("/api/v1/me/audit", Some(&app.token_for("eve@example.com", "Other-Pass-word-9").await)).await.json().await.unwrap();
        let kinds: Vec<&str> = audit["events"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
        assert!(kinds.contains(&"account.locked") && kinds.contains(&"account.unlocked"), "{kinds:?}");
    }

    async fn a_lock_link_is_refused_for_anything_else_and_garbage_is_a_clean_4xx(env: TestEnv) {
        let app = env.spawn().await;
        let token = app.signed_in("fay@example.com").await;
        assert_eq!(app.change_password(&token, PASSWORD, "Fresh-Pass-word-3").await.status(), StatusCode::NO_CONTENT);
        let lock = lock_token(&notice_about(&app, "fay@example.com", "password of your account was changed").await);
        // A lock token does not reset a password.
        let r = app.post_json("/api/v1/password-reset/complete", &json!({ "token": lock, "new_password": "Another-Pass-4!" }), None).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_token".to_owned()));
        for bad in [json!({ "token": "nope" }), json!({ "token": "" })] {
            assert_eq!(error_code(app.post_json("/api/v1/lock", &bad, None).await).await, (StatusCode::BAD_REQUEST, "invalid_token".to_owned()));
        }
        assert_eq!(app.post_json("/api/v1/lock", &json!({}), None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = app.client.get(app.url("/lock?token=nope")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        // The lock link still works after all that, and the account was never locked meanwhile.
        assert_eq!(app.me(&token).await.status(), StatusCode::OK);
        assert_eq!(app.post_json("/api/v1/lock", &json!({ "token": lock }), None).await.status(), StatusCode::NO_CONTENT);
    }

    async fn an_admin_reset_and_forcing_2fa_on_and_off_are_told_to_the_user(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("own@example.com").await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "gil@example.com", "password": PASSWORD }), Some(&owner)).await;
        let gil = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let patch = |on: bool| app.client.patch(app.url(&format!("/api/v1/users/{gil}"))).bearer_auth(&owner).json(&json!({ "force_2fa": on })).send();
        assert_eq!(patch(true).await.unwrap().status(), StatusCode::OK);
        notice_about(&app, "gil@example.com", "now required").await;
        assert_eq!(patch(false).await.unwrap().status(), StatusCode::OK);
        notice_about(&app, "gil@example.com", "no longer required").await;
        let r = app.client.delete(app.url(&format!("/api/v1/users/{gil}/two-factor"))).bearer_auth(&owner).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let reset = body(&notice_about(&app, "gil@example.com", "administrator reset").await);
        assert!(reset.contains("own@example.com, the owner of your organisation's account"), "{reset}");
        assert!(!reset.contains("/lock"), "{reset}");
        exactly(&app, "gil@example.com", 3).await;
    }

    async fn an_administrators_changes_name_them_and_offer_no_lock_while_the_persons_own_change_does(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("olga@example.com").await;
        let mut ids = Vec::new();
        for (email, role) in [("ann@example.com", "administrator"), ("kim@example.com", "user")] {
            let r = app.post_json("/api/v1/users", &json!({ "email": email, "password": PASSWORD, "role": role }), Some(&owner)).await;
            assert_eq!(r.status(), StatusCode::CREATED);
            ids.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
        }
        let kim_id = ids[1].clone();
        let ann = app.token_for("ann@example.com", PASSWORD).await;
        let lock_links = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM password_links WHERE user_id = $1 AND purpose = 'lock'")
                .bind(kim_id.clone())
                .fetch_one(app.state.services.store.raw_pool())
                .await
                .unwrap()
        };

        // Kim's own change: made with her password, so it offers the lock.
        let kim = app.token_for("kim@example.com", PASSWORD).await;
        assert_eq!(app.change_password(&kim, PASSWORD, "Brand-New-Pass-8").await.status(), StatusCode::NO_CONTENT);
        let own = notice_about(&app, "kim@example.com", "password of your account was changed").await;
        assert!(!lock_token(&own).is_empty());
        assert_eq!(lock_links().await, 1);

        // An administrator forces 2FA and resets it; the owner changes the role.
        let patch = |token: &str, change: Value| app.client.patch(app.url(&format!("/api/v1/users/{kim_id}"))).bearer_auth(token.to_owned()).json(&change).send();
        assert_eq!(patch(&ann, json!({ "force_2fa": true })).await.unwrap().status(), StatusCode::OK);
        let forced = notice_about(&app, "kim@example.com", "two-factor authentication is now required").await;
        let r = app.client.delete(app.url(&format!("/api/v1/users/{kim_id}/two-factor"))).bearer_auth(&ann).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let reset = notice_about(&app, "kim@example.com", "administrator reset").await;
        for m in [&forced, &reset] {
            let text = body(m);
            assert!(text.contains("ann@example.com, an administrator of your organisation"), "{text}");
            assert!(text.contains("If you did not expect it, ask them about it."), "{text}");
        }
        assert_eq!(patch(&owner, json!({ "role": "administrator" })).await.unwrap().status(), StatusCode::OK);
        let role = notice_about(&app, "kim@example.com", "your role").await;
        let text = body(&role);
        assert!(text.contains("you are now an administrator"), "{text}");
        assert!(text.contains("olga@example.com, the owner of your organisation's account"), "{text}");

        for m in [&forced, &reset, &role] {
            let text = format!("{} {}", m["subject"], body(m));
            assert!(!text.contains("/lock"), "no lock link: {text}");
            assert!(!text.to_lowercase().contains("lock your account"), "{text}");
            assert!(!text.to_lowercase().contains("two-step"), "one name for the thing: {text}");
        }
        // Not even issued: no link exists that could lock the account over someone else's change.
        assert_eq!(lock_links().await, 1);
        exactly(&app, "kim@example.com", 4).await;
    }

    async fn requiring_2fa_for_the_whole_contract_tells_everyone_it_changes_for(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("chief@example.com").await;
        for (email, forced) in [("ida@example.com", false), ("jon@example.com", true)] {
            let r = app.post_json("/api/v1/users", &json!({ "email": email, "password": PASSWORD, "force_2fa": forced }), Some(&owner)).await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let r = app.client.patch(app.url("/api/v1/contract")).bearer_auth(&owner).json(&json!({ "require_2fa": true })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        notice_about(&app, "ida@example.com", "now required").await;
        notice_about(&app, "chief@example.com", "now required").await;
        // Already forced one by one: nothing changes for jon, so he hears nothing.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert!(app.messages_to("email", "jon@example.com").is_empty());
    }

    async fn a_user_cannot_unlock_and_an_administrator_cannot_unlock_outside_the_contract(env: TestEnv) {
        let app = env.spawn().await;
        let owner = app.signed_in("boss@example.com").await;
        let r = app.post_json("/api/v1/users", &json!({ "email": "hal@example.com", "password": PASSWORD }), Some(&owner)).await;
        let hal_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let hal = app.token_for("hal@example.com", PASSWORD).await;
        let stranger = app.signed_in("stranger@example.com").await;
        let unlock = |token: &str| app.client.post(app.url(&format!("/api/v1/users/{hal_id}/unlock"))).bearer_auth(token.to_owned()).send();
        assert_eq!(unlock(&hal).await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(unlock(&stranger).await.unwrap().status(), StatusCode::NOT_FOUND);
    }
}
