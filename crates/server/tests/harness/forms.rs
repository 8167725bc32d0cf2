//! A browser without scripts over plain HTTP, against the server in the test's process: a cookie
//! jar, no redirects followed, forms posted with the CSRF token of the page they sit on. For page
//! tests that need no Chromium (the admin pages' add, show-once and remove flows).

use reqwest::{Client, StatusCode, header};

use super::browser::hidden_csrf;
use super::server::{PASSWORD, TestApp};

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn get(http: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = http.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts `fields` to `to` with the CSRF token of `page`; the answer, redirects not followed.
pub async fn post_from(
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

/// A browser signed in as `email` (with the harness's password, no second factor).
pub async fn sign_in(app: &TestApp, email: &str) -> Client {
    let http = browser();
    let fields = [("username", email), ("password", PASSWORD)];
    let r = post_from(&http, app, "/login", "/login", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    http
}

/// Follows a form's redirect; the page it leads to.
pub async fn follow(http: &Client, app: &TestApp, r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let (status, html) = get(http, app, &to).await;
    assert_eq!(status, StatusCode::OK, "GET {to}");
    html
}

/// The text of the element with this id, up to its first tag.
pub fn element(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!(r#"id="{id}">"#))?;
    let rest = &html[at + id.len() + 6..];
    Some(rest[..rest.find('<').unwrap()].to_owned())
}
