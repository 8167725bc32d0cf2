//! The account page's "Language and time zone" form over plain HTTP, on SQLite and PostgreSQL:
//! choosing German and a time zone shows the account page in German (`<html lang="de">`) with
//! its dates in that zone, on this browser and on any other the person signs in with; an unknown
//! time zone is refused and changes nothing; choosing "the browser's" again gives the page back
//! to the browser's language.

use reqwest::{Client, StatusCode, header};

use crate::harness::server::{PASSWORD, TestApp};

const PAGE: &str = "/account";

/// A browser without scripts that sends no `Accept-Language` and reports no time zone: what it
/// sees comes from the account alone (or the server's default, English and UTC).
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn hidden_csrf(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let rest = &html[html.find(marker).expect("a form with a CSRF token") + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn get(http: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = http.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn sign_in(app: &TestApp, email: &str) -> Client {
    let http = browser();
    let (_, html) = get(&http, app, "/login").await;
    let csrf = hidden_csrf(&html);
    let r = http
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    http
}

/// Posts the language and time zone form with the account page's token.
async fn choose(
    http: &Client,
    app: &TestApp,
    language: &str,
    time_zone: &str,
) -> reqwest::Response {
    let (_, html) = get(http, app, PAGE).await;
    let csrf = hidden_csrf(&html);
    http.post(app.url("/account/locale"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("language", language),
            ("time_zone", time_zone),
        ])
        .send()
        .await
        .unwrap()
}

/// The text of the element with this id.
fn element(html: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}">"#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}

/// The `lang` of the page's `<html>` element.
fn page_language(html: &str) -> String {
    let marker = r#"<html lang=""#;
    let rest = &html[html.find(marker).expect("an <html lang>") + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

const GERMAN_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

on_both_backends! {
    async fn choosing_german_and_a_time_zone_shows_the_account_page_in_german_in_that_zone(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("ann@a.example").await;
        let http = sign_in(&app, "ann@a.example").await;

        let (status, before) = get(&http, &app, PAGE).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page_language(&before), "en");
        assert!(before.contains("Language and time zone"), "the form is on the page");
        assert!(before.contains(r#"<option value="" selected>The language of this browser</option>"#), "{before}");
        assert!(element(&before, "member-since").ends_with(" UTC"), "no zone chosen or reported: UTC");

        let r = choose(&http, &app, "de", "Asia/Tokyo").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[header::LOCATION], "/account?done=locale");

        let (status, after) = get(&http, &app, "/account?done=locale").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page_language(&after), "de");
        assert!(after.contains("Sprache und Zeitzone wurden gespeichert."), "{after}");
        assert!(after.contains("<h1>Ihr Konto</h1>"), "{after}");
        assert!(after.contains(r#"<option value="de" selected lang="de">Deutsch</option>"#), "{after}");
        assert!(after.contains(r#"<option value="Asia/Tokyo" selected>Asia/Tokyo</option>"#), "{after}");
        // "7. Dezember 2026, 23:25 JST": German words, in Tokyo's time.
        let since = element(&after, "member-since");
        assert!(since.ends_with(" JST"), "{since}");
        assert!(GERMAN_MONTHS.iter().any(|m| since.contains(&format!(". {m} "))), "{since}");

        // Stored on the account: another browser, without the cookie, sees the same.
        let other = sign_in(&app, "ann@a.example").await;
        let (_, elsewhere) = get(&other, &app, PAGE).await;
        assert_eq!(page_language(&elsewhere), "de");
        assert!(element(&elsewhere, "member-since").ends_with(" JST"));
    }

    async fn an_unknown_time_zone_is_refused_and_changes_nothing(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("ben@a.example").await;
        let http = sign_in(&app, "ben@a.example").await;
        assert_eq!(choose(&http, &app, "de", "Europe/Berlin").await.status(), StatusCode::SEE_OTHER);

        let r = choose(&http, &app, "en", "Mars/Olympus_Mons").await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        let (_, page) = get(&http, &app, PAGE).await;
        assert_eq!(page_language(&page), "de", "the refused form changed nothing");
        let since = element(&page, "member-since");
        assert!(since.ends_with(" CET") || since.ends_with(" CEST"), "{since}");
    }

    async fn choosing_the_browsers_language_again_follows_the_browser(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("cem@a.example").await;
        let http = sign_in(&app, "cem@a.example").await;
        assert_eq!(choose(&http, &app, "de", "").await.status(), StatusCode::SEE_OTHER);
        let (_, german) = get(&http, &app, PAGE).await;
        assert_eq!(page_language(&german), "de");

        // A fresh browser asking for English, once the account follows the browser again.
        assert_eq!(choose(&http, &app, "", "").await.status(), StatusCode::SEE_OTHER);
        let other = sign_in(&app, "cem@a.example").await;
        let r = other
            .get(app.url(PAGE))
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        let page = r.text().await.unwrap();
        assert_eq!(page_language(&page), "en");
        assert!(page.contains(r#"<option value="" selected>The language of this browser</option>"#), "{page}");
    }
}

/// Posts a form of `page` (with its token) to `to`; the redirect it answers with.
async fn post_form(
    http: &Client,
    app: &TestApp,
    page: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = get(http, app, page).await;
    let csrf = hidden_csrf(&html);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    http.post(app.url(to)).form(&form).send().await.unwrap()
}

/// A message id shown instead of its words: `admin-…` or `account-…` in the page's text.
fn leaked_ids(html: &str) -> Vec<String> {
    let mut leaked = Vec::new();
    for prefix in ["admin-", "account-"] {
        let mut rest = html;
        while let Some(at) = rest.find(prefix) {
            let before = &rest[..at];
            // An id, class or address that merely contains the word is no message.
            if !before.ends_with(['"', '#', '/', '-']) {
                let end = rest[at..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .map_or(rest.len(), |e| at + e);
                leaked.push(rest[at..end].to_owned());
            }
            rest = &rest[at + prefix.len()..];
        }
    }
    leaked
}

on_both_backends! {
    async fn every_administration_page_reads_in_german_without_a_message_id_showing(env: TestEnv) {
        // The check finds an id shown as text, and not an address or an element's id.
        assert_eq!(leaked_ids(r#"<p id="admin-x">admin-users-title</p>"#), ["admin-users-title"]);
        assert!(leaked_ids(r#"<a href="/admin/access-rules">"#).is_empty());

        let app = env.spawn().await;
        app.signed_in("owner@a.example").await;
        let http = sign_in(&app, "owner@a.example").await;
        assert_eq!(choose(&http, &app, "de", "Europe/Berlin").await.status(), StatusCode::SEE_OTHER);
        // Something on every page, so its rows and forms are shown too.
        let made = [
            ("/admin/users", "/admin/users", vec![("email", "bo@a.example"), ("password", ""), ("role", "user")]),
            ("/admin/groups", "/admin/groups", vec![("name", "Betrieb")]),
            ("/admin/access-rules", "/admin/access-rules", vec![("host", "app.example.com"), ("path_prefix", "/"), ("policy", "signed-in"), ("groups", "")]),
            ("/resources", "/resources", vec![("kind", "datacenter"), ("name", "Frankfurt")]),
        ];
        for (page, to, fields) in &made {
            let r = post_form(&http, &app, page, to, fields).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {to}");
        }
        let (_, users) = get(&http, &app, "/admin/users").await;
        // The link in the invited person's row: the last one before their address.
        let marker = r#"href="/admin/users/"#;
        let row = users.find(">bo@a.example<").unwrap_or_else(|| panic!("bo is listed: {users}"));
        let link = users[..row].rfind(marker).expect("the invited person's page is linked");
        let id = &users[link + marker.len()..];
        let person = id[..id.find('"').unwrap()].to_owned();

        for page in [
            "/account".to_owned(),
            "/admin/users".to_owned(),
            format!("/admin/users/{person}"),
            "/admin/groups".to_owned(),
            "/admin/access-rules".to_owned(),
            "/admin/oidc-clients".to_owned(),
            "/admin/radius-clients".to_owned(),
            "/resources".to_owned(),
            "/resources?done=created".to_owned(),
        ] {
            let (status, html) = get(&http, &app, &page).await;
            assert_eq!(status, StatusCode::OK, "GET {page}");
            assert_eq!(page_language(&html), "de", "{page}");
            let leaked = leaked_ids(&html);
            assert!(leaked.is_empty(), "{page} shows message ids {leaked:?}:\n{html}");
        }
        let (_, person_page) = get(&http, &app, &format!("/admin/users/{person}")).await;
        assert!(person_page.contains("Einladung"), "{person_page}");
        let (_, resources) = get(&http, &app, "/resources?done=created").await;
        assert!(resources.contains("Die Ressource wurde angelegt."), "{resources}");
    }
}

on_both_backends! {
    async fn a_signed_out_page_of_the_area_follows_accept_language(env: TestEnv) {
        let app = env.spawn().await;
        app.signed_in("owner@a.example").await;
        // A used setup link, once an owner exists: its own page, in the browser's language.
        let r = browser()
            .get(app.url("/setup?token=used"))
            .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::GONE);
        let html = r.text().await.unwrap();
        assert_eq!(page_language(&html), "de");
        assert!(html.contains("<title>Einrichtungslink bereits verwendet · Portcullis</title>"), "{html}");
        assert!(html.contains("es gibt schon einen Inhaber"), "{html}");
        assert!(leaked_ids(&html).is_empty(), "{html}");
    }
}
