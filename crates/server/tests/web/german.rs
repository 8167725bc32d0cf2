//! The sign-in, the authenticator app's setup wizard and the recovery-code page in German, in a
//! browser that asks for German the way a German browser does: `Accept-Language: de` (Chromium's
//! user-agent override through chromedriver's `goog/cdp/execute`), no cookie, no `?lang=`.
//!
//! The expected words come from `locales/{de,en}/*.ftl` themselves (read with fluent-syntax), so
//! the test follows the translators' wording: every page must say `<html lang="de">`, show German
//! sentences that are not also English ones, and show no English sentence from the English files
//! and nothing that looks like a message id (`sign-in-title`), which is what a missing German
//! message would leave behind.
//!
//! Skipping works as in `browser.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fantoccini::{Client, Locator};
use fluent_syntax::ast::{Entry, Pattern, PatternElement};
use serde_json::json;

use crate::axe::Cdp;
use crate::harness::browser::*;

/// Every message and attribute of one language whose words are plain text (no `{ $variable }`
/// and no selector), by id.
fn plain_messages(language: &str) -> BTreeMap<String, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language);
    let mut found = BTreeMap::new();
    for file in std::fs::read_dir(&dir).expect("a locales folder") {
        let path = file.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let resource = fluent_syntax::parser::parse(source.as_str())
            .unwrap_or_else(|(_, e)| panic!("{}: {e:?}", path.display()));
        for entry in resource.body {
            let Entry::Message(message) = entry else {
                continue;
            };
            let id = message.id.name;
            if let Some(text) = message.value.as_ref().and_then(plain) {
                found.insert(id.to_owned(), text);
            }
            for attribute in &message.attributes {
                if let Some(text) = plain(&attribute.value) {
                    found.insert(format!("{id}.{}", attribute.id.name), text);
                }
            }
        }
    }
    found
}

fn plain(pattern: &Pattern<&str>) -> Option<String> {
    let mut text = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => text.push_str(value),
            PatternElement::Placeable { .. } => return None,
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// What the German pages are checked against.
struct Words {
    /// German sentences that differ from their English counterparts.
    german: Vec<String>,
    /// English sentences that differ from their German counterparts (long enough to be telling).
    english: Vec<String>,
}

impl Words {
    fn load() -> Words {
        let de = plain_messages("de");
        let en = plain_messages("en");
        let differs = |id: &String| de.get(id) != en.get(id);
        Words {
            german: de
                .iter()
                .filter(|(id, text)| differs(id) && text.chars().count() >= 4)
                .map(|(_, text)| text.clone())
                .collect(),
            english: en
                .iter()
                .filter(|(id, text)| differs(id) && text.split(' ').count() >= 3)
                .map(|(_, text)| text.clone())
                .collect(),
        }
    }

    /// The page the browser shows is German, through and through.
    async fn assert_german(&self, c: &Client, page: &str) {
        let lang = c
            .execute("return document.documentElement.lang", vec![])
            .await
            .unwrap();
        assert_eq!(lang, json!("de"), "{page}: <html lang>");
        let text = c
            .execute(
                "return document.body.innerText.replace(/\\s+/g, ' ')",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        // The page's own words, not only the header and footer every page shares.
        let main = c
            .execute(
                "return document.querySelector('main').innerText.replace(/\\s+/g, ' ')",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        let german = self.german.iter().filter(|t| main.contains(*t)).count();
        assert!(
            german >= 1,
            "{page}: no German sentence from locales/de in the page: {main}"
        );
        let english: Vec<&String> = self.english.iter().filter(|t| text.contains(*t)).collect();
        assert!(english.is_empty(), "{page}: English left: {english:?}");
        // Words English cannot write a sentence without and German never uses: they catch
        // English that is still literal in a template, which the English files do not hold.
        let english_words: Vec<&str> = text
            .split(|ch: char| !ch.is_alphabetic())
            // All capitals is a key or a code ("THE5 AND7"), not a word.
            .filter(|w| !w.chars().all(|ch| ch.is_uppercase()))
            .filter(|w| ENGLISH_ONLY.contains(&w.to_lowercase().as_str()))
            .collect();
        assert!(
            english_words.is_empty(),
            "{page}: English words {english_words:?} in: {text}"
        );
        let ids = message_ids_in(&text);
        assert!(ids.is_empty(), "{page}: message ids shown: {ids:?}");
    }
}

/// Common English words that are not German words.
const ENGLISH_ONLY: [&str; 9] = [
    "the", "your", "you", "and", "with", "this", "from", "enter", "sign",
];

/// Words shaped like a message id: lowercase, three or more parts joined by hyphens.
fn message_ids_in(text: &str) -> Vec<&str> {
    text.split(|ch: char| ch.is_whitespace() || ",.:;()„“\"'!?".contains(ch))
        .filter(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            parts.len() >= 3
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
                && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        })
        .collect()
}

/// From now on the browser sends `Accept-Language: de` (and says so in `navigator.language`).
async fn ask_for_german(c: &Client) {
    let agent = c
        .execute("return navigator.userAgent", vec![])
        .await
        .unwrap();
    c.issue_cmd(Cdp(
        "Emulation.setUserAgentOverride",
        json!({ "userAgent": agent, "acceptLanguage": "de" }),
    ))
    .await
    .expect("chromedriver passes Emulation.setUserAgentOverride on");
}

#[tokio::test]
async fn a_german_browser_signs_in_sets_up_the_authenticator_app_and_sees_its_recovery_codes_in_german()
 {
    let Some(browser) = Browser::start().await else {
        return;
    };
    if !oathtool_available("german") {
        return;
    }
    let words = Words::load();
    let app = TestApp::with_user().await;
    let c = browser.client();
    c.goto(&app.url("/static/icon.svg")).await.unwrap();
    ask_for_german(c).await;

    c.goto(&app.url("/login")).await.unwrap();
    words.assert_german(c, "sign-in").await;
    fill(c, "username", EMAIL).await;
    fill(c, "password", "Falsches-Pferd-9!").await;
    click(c, "form[action='/login'] button[type='submit']").await;
    words.assert_german(c, "sign-in, wrong password").await;
    let alert = text_of(c, "[role='alert']").await;
    assert!(
        words.german.iter().any(|t| alert.contains(t.as_str())),
        "the error is German: {alert}"
    );
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account");
    words.assert_german(c, "account").await;

    c.goto(&app.url("/account/security")).await.unwrap();
    words.assert_german(c, "security").await;
    click(c, "form[action='/account/security/totp/start'] button").await;
    assert_eq!(path_of(c).await, "/account/security/totp");
    words.assert_german(c, "authenticator wizard").await;
    let key = key_from_grouped(&text_of(c, "#totp-key").await);
    fill(c, "password", PASSWORD).await;
    fill(c, "code", &wrong_code(&key)).await;
    click(
        c,
        "form[action='/account/security/totp/activate'] button[type='submit']",
    )
    .await;
    words
        .assert_german(c, "authenticator wizard, wrong code")
        .await;
    fill(c, "password", PASSWORD).await;
    fill(c, "code", &totp_code(&key, 0)).await;
    click(
        c,
        "form[action='/account/security/totp/activate'] button[type='submit']",
    )
    .await;
    assert_eq!(path_of(c).await, "/account/security/recovery-codes");
    words.assert_german(c, "recovery codes").await;
    let codes = c.find_all(Locator::Css(".codes li code")).await.unwrap();
    assert_eq!(codes.len(), 10, "ten recovery codes in a list");
    for code in codes {
        assert!(looks_like_recovery_code(&code.text().await.unwrap()));
    }

    // Signing in again asks for the code, in German too.
    click(c, "form[action='/logout'] button").await;
    words.assert_german(c, "signed out").await;
    fill(c, "username", EMAIL).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form[action='/login'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/login/code");
    words.assert_german(c, "sign-in code").await;
    fill(c, "code", &totp_code(&key, 30)).await;
    click(c, "form[action='/login/code'] button[type='submit']").await;
    assert_eq!(path_of(c).await, "/account");
    words.assert_german(c, "account after the code").await;

    let language_cookie = c.get_named_cookie("portcullis_lang").await;
    assert!(
        language_cookie.is_err(),
        "German came from Accept-Language alone, no cookie was needed"
    );
    browser.close().await;
    app.stop().await;
}

#[test]
fn message_ids_are_told_from_german_words() {
    assert_eq!(
        message_ids_in(
            "Bitte sign-in-title eingeben: Zwei-Faktor-Authentifizierung 1234-5678-9012"
        ),
        vec!["sign-in-title"]
    );
}
