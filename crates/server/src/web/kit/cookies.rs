//! Reading the `Cookie` header and writing `Set-Cookie` values for the cookies the pages use.
//! Small enough to need no crate: names and values are ours (base64url tokens), so no quoting or
//! percent-decoding is involved. It knows nothing of what the cookies mean.

use axum::http::{HeaderMap, HeaderValue, header};

/// The session token of a signed-in browser.
pub const SESSION: &str = "portcullis_session";
/// The secret half of the double-submit CSRF token.
pub const CSRF: &str = "portcullis_csrf";
/// The login ticket between the password and the second step; only `/login/…` ever sees it.
pub const TICKET: &str = "portcullis_ticket";
/// The enrolment ticket between the password and the setup an administrator required; only
/// `/login/…` ever sees it.
pub const ENROL: &str = "portcullis_enrol";
/// Which step of a sign-in this browser was in (`code` or `setup`), kept longer than the ticket
/// so that a step taken after the ticket's cookie expired can say "too late" instead of showing
/// a bare sign-in page. Holds no secret; only `/login/…` sees it.
pub const STEP: &str = "portcullis_step";
/// The ways of taking the second step the password step found for this login
/// (`LoginResult::SecondFactor`'s `methods`), so that the code page offers only those. Only a
/// hint for the page: it grants nothing, and the services check every way on its own. Only
/// `/login/…` sees it.
pub const METHODS: &str = "portcullis_methods";
/// Where a sign-in returns when it is done: a path on this server or an application's address
/// (`return_to::safe_next`), checked before it is set and again when it is read. Only `/login/…`
/// sees it.
pub const NEXT: &str = "portcullis_next";
/// The level (`acr`: `mfa` or `phr`) the application a sign-in is for asked for, so that the
/// steps know a weaker session is not yet done. A hint for the pages: the ticket holds the
/// requirement the services enforce. Only `/login/…` sees it.
pub const ACR: &str = "portcullis_acr";

/// The value of the first cookie called `name`, across every `Cookie` header.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// How a cookie may travel. `Lax` lets the session follow a link from another site (so a link to
/// the account page works); `Strict` keeps the CSRF secret to our own pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// A `Set-Cookie` value for a browser-session cookie: no `Max-Age`, so it ends with the browser,
/// and `HttpOnly` always, because no script of ours ever needs to read it.
pub fn set(name: &str, value: &str, same_site: SameSite, secure: bool) -> HeaderValue {
    header_value(format!(
        "{name}={value}{}",
        attributes("/", same_site, secure)
    ))
}

/// A `Set-Cookie` value that makes the browser forget the cookie at once.
pub fn clear(name: &str, same_site: SameSite, secure: bool) -> HeaderValue {
    clear_at(name, "/", same_site, secure)
}

/// A short-lived cookie sent only to `path` and below, forgotten after `max_age_secs` even if the
/// browser stays open: for values that are useless, and better gone, once their time is up.
pub fn set_scoped(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
    same_site: SameSite,
    secure: bool,
) -> HeaderValue {
    header_value(format!(
        "{name}={value}{}; Max-Age={}",
        attributes(path, same_site, secure),
        max_age_secs.max(0)
    ))
}

/// Forgets a cookie set for `path`: a browser only replaces a cookie with the same name and path.
pub fn clear_at(name: &str, path: &str, same_site: SameSite, secure: bool) -> HeaderValue {
    header_value(format!(
        "{name}={}; Max-Age=0",
        attributes(path, same_site, secure)
    ))
}

fn attributes(path: &str, same_site: SameSite, secure: bool) -> String {
    let same_site = match same_site {
        SameSite::Lax => "Lax",
        SameSite::Strict => "Strict",
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("; Path={path}; HttpOnly; SameSite={same_site}{secure}")
}

fn header_value(text: String) -> HeaderValue {
    HeaderValue::from_str(&text).expect("cookie names and base64url values are valid header text")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn finds_a_cookie_among_others_and_across_headers() {
        let h = headers(&["a=1; portcullis_session=tok-en_1", "portcullis_csrf=xyz"]);
        assert_eq!(get(&h, SESSION), Some("tok-en_1"));
        assert_eq!(get(&h, CSRF), Some("xyz"));
        assert_eq!(get(&h, "missing"), None);
    }

    #[test]
    fn a_name_must_match_exactly_and_empty_values_count_as_absent() {
        let h = headers(&["xportcullis_session=1; portcullis_session="]);
        assert_eq!(get(&h, SESSION), None);
    }

    #[test]
    fn set_cookie_values_carry_the_protective_attributes() {
        let v = set(SESSION, "abc", SameSite::Lax, true);
        assert_eq!(
            v.to_str().unwrap(),
            "portcullis_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        let v = clear(CSRF, SameSite::Strict, false);
        assert_eq!(
            v.to_str().unwrap(),
            "portcullis_csrf=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn a_scoped_cookie_carries_its_path_and_lifetime() {
        let v = set_scoped(TICKET, "t", "/login", 299, SameSite::Strict, true);
        assert_eq!(
            v.to_str().unwrap(),
            "portcullis_ticket=t; Path=/login; HttpOnly; SameSite=Strict; Secure; Max-Age=299"
        );
        let v = set_scoped(TICKET, "t", "/login", -5, SameSite::Strict, false);
        assert!(v.to_str().unwrap().ends_with("; Max-Age=0"));
        let v = clear_at(TICKET, "/login", SameSite::Strict, false);
        assert_eq!(
            v.to_str().unwrap(),
            "portcullis_ticket=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }
}
