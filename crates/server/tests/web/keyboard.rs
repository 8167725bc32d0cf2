//! Keyboard alone: a person who cannot use a mouse signs in, sets up the authenticator app from
//! the security page, signs out and signs in again with password and code, pressing only Tab,
//! Enter and the characters they type (WebDriver key actions, the browser's real keyboard
//! path). Every control Tab lands on must show a focus indicator: an outline or a box shadow
//! in its computed style while it matches `:focus-visible`.
//!
//! Elements are recognised by id, name and type, never by their words. Skipping works as in
//! `browser.rs`.

use std::time::{Duration, Instant};

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::harness::browser::*;

/// How many Tabs a page may need before the wanted control; more means it is unreachable.
const MAX_TABS: usize = 40;

/// Presses and releases each of `keys`, in order, on the focused element.
async fn press(c: &Client, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for &key in keys {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    c.perform_actions(actions)
        .await
        .expect("the keys are pressed");
}

async fn type_text(c: &Client, text: &str) {
    press(c, &text.chars().collect::<Vec<_>>()).await;
}

/// What the focused element is, and whether its focus can be seen.
async fn focused(c: &Client) -> Value {
    c.execute(
        r#"const el = document.activeElement;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        const shadow = s.boxShadow !== '' && s.boxShadow !== 'none';
        return {
            what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '')
                + (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : ''),
            visible: el.matches(':focus-visible') && (outline || shadow),
            style: s.outlineStyle + ' ' + s.outlineWidth + ' / ' + s.boxShadow,
        };"#,
        vec![],
    )
    .await
    .unwrap()
}

/// Whether the focused element matches `css`.
async fn focus_is(c: &Client, css: &str) -> bool {
    c.execute(
        "return !!document.activeElement && document.activeElement.matches(arguments[0])",
        vec![json!(css)],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

/// Presses Tab until the control `css` has the focus, checking the focus indicator of every
/// control on the way.
async fn tab_to(c: &Client, css: &str) {
    let mut path = Vec::new();
    for _ in 0..MAX_TABS {
        if focus_is(c, css).await {
            return;
        }
        press(c, &[Key::Tab.into()]).await;
        let now = focused(c).await;
        if now.is_null() {
            continue;
        }
        assert_eq!(
            now["visible"],
            json!(true),
            "no visible focus on {} ({}) on {}",
            now["what"],
            now["style"],
            path_of(c).await
        );
        path.push(now["what"].as_str().unwrap_or("?").to_owned());
    }
    panic!(
        "{css} not reached with {MAX_TABS} Tabs on {}; the focus went {path:?}",
        path_of(c).await
    );
}

/// Presses Enter and waits until it has loaded the next page.
async fn enter_and_wait(c: &Client) {
    let old_root = c.find(fantoccini::Locator::Css("html")).await.unwrap();
    press(c, &[Key::Enter.into()]).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while old_root.tag_name().await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "Enter loaded no new page on {}",
            path_of(c).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The password form, by keyboard, from its first Tab.
async fn sign_in_by_keyboard(c: &Client, app: &TestApp) {
    c.goto(&app.url("/login")).await.unwrap();
    tab_to(c, "#username").await;
    type_text(c, EMAIL).await;
    tab_to(c, "#password").await;
    type_text(c, PASSWORD).await;
    enter_and_wait(c).await;
}

#[tokio::test]
async fn a_keyboard_alone_sets_up_the_authenticator_app_and_signs_in_with_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    if !oathtool_available("keyboard") {
        return;
    }
    let app = TestApp::with_user().await;
    let c = browser.client();

    sign_in_by_keyboard(c, &app).await;
    assert_eq!(path_of(c).await, "/account");

    // The security page through the navigation, then the wizard from its authenticator tile.
    tab_to(c, "nav a[href='/account/security']").await;
    enter_and_wait(c).await;
    assert_eq!(path_of(c).await, "/account/security");
    // The first Tab of a page offers the skip link, which jumps past the navigation.
    press(c, &[Key::Tab.into()]).await;
    assert!(focus_is(c, ".skip-link").await, "{}", focused(c).await);
    assert_eq!(
        focused(c).await["visible"],
        json!(true),
        "the skip link shows"
    );
    press(c, &[Key::Enter.into()]).await;
    assert!(focus_is(c, "main").await, "{}", focused(c).await);
    tab_to(c, "form[action='/account/security/totp/start'] button").await;
    enter_and_wait(c).await;
    assert_eq!(path_of(c).await, "/account/security/totp");
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    tab_to(c, "#password").await;
    type_text(c, PASSWORD).await;
    tab_to(c, "#code").await;
    type_text(c, &totp_code(&key, 0)).await;
    enter_and_wait(c).await;
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    let codes = c
        .find_all(fantoccini::Locator::Css(".codes li code"))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10, "the recovery codes are shown");

    tab_to(c, "form[action='/logout'] button").await;
    enter_and_wait(c).await;
    assert_eq!(path_of(c).await, "/login");

    // Password, then the code from the app.
    sign_in_by_keyboard(c, &app).await;
    assert_eq!(path_of(c).await, "/login/code");
    tab_to(c, "#code").await;
    type_text(c, &totp_code(&key, 30)).await;
    enter_and_wait(c).await;
    assert_eq!(path_of(c).await, "/account");

    browser.close().await;
    app.stop().await;
}
