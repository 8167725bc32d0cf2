//! A client's redirect URIs, checked when the client is registered or changed. The authorize
//! step compares the one a request names with the registered ones by exact string equality
//! (RFC 9700 §4.1.3: no patterns, no wildcards), so what is checked here is only that a
//! registered URI is one we are willing to send codes to: absolute `https://`, or `http://` only
//! to the loopback interface for native apps (RFC 8252 §7.3), no fragment (RFC 6749 §3.1.2), no
//! user info, no wildcard. The string is kept exactly as given.

use crate::error::{Error, Result};

/// Longest redirect URI, in bytes; browsers and proxies cope with far more, but no real one is
/// longer and it bounds what a page shows.
const MAX_URI_BYTES: usize = 2000;
/// How many redirect URIs one client may have.
pub const MAX_URIS: usize = 20;

fn refuse(uri: &str, why: &str) -> Error {
    let shown: String = uri.chars().take(100).collect();
    Error::Validation(format!("redirect URI \"{shown}\": {why}"))
}

/// Checks one redirect URI and returns it unchanged.
pub fn check_redirect_uri(uri: &str) -> Result<String> {
    if uri.is_empty() || uri.len() > MAX_URI_BYTES {
        return Err(refuse(uri, "must be 1 to 2000 characters"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse(uri, "must not contain spaces or control characters"));
    }
    if uri.contains('*') {
        return Err(refuse(
            uri,
            "wildcards are not allowed; register each URI exactly",
        ));
    }
    if uri.contains('#') {
        return Err(refuse(uri, "must not have a fragment (#…)"));
    }
    let parsed = url::Url::parse(uri).map_err(|_| refuse(uri, "must be an absolute URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse(uri, "must not contain a user name or password"));
    }
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(uri.to_owned()),
        "http" if matches!(host, "localhost" | "127.0.0.1" | "[::1]") => Ok(uri.to_owned()),
        "http" => Err(refuse(
            uri,
            "must use https:// (http:// only for localhost, 127.0.0.1 or [::1])",
        )),
        _ => Err(refuse(uri, "must be an https:// URL")),
    }
}

/// Checks a client's list: 1 to [`MAX_URIS`] URIs, each valid, none twice; order kept.
pub fn check_redirect_uris(uris: &[String]) -> Result<Vec<String>> {
    if uris.is_empty() || uris.len() > MAX_URIS {
        return Err(Error::Validation(format!(
            "a client has 1 to {MAX_URIS} redirect URIs"
        )));
    }
    let mut checked: Vec<String> = Vec::with_capacity(uris.len());
    for uri in uris {
        let uri = check_redirect_uri(uri)?;
        if checked.contains(&uri) {
            return Err(refuse(&uri, "is listed twice"));
        }
        checked.push(uri);
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_and_loopback_http_are_kept_exactly_as_given() {
        for uri in [
            "https://grafana.example.com/login/generic_oauth",
            "https://app.example.com:8443/cb?x=1",
            "https://APP.example.com/Callback/",
            "http://localhost:3000/callback",
            "http://127.0.0.1:53123/",
            "http://[::1]:8080/cb",
        ] {
            assert_eq!(check_redirect_uri(uri).unwrap(), uri);
        }
    }

    #[test]
    fn plain_http_elsewhere_fragments_wildcards_and_relative_urls_are_refused() {
        for uri in [
            "http://app.example.com/cb",
            "http://localhost.example.com/cb",
            "https://app.example.com/cb#frag",
            "https://*.example.com/cb",
            "https://app.example.com/*",
            "/callback",
            "app.example.com/cb",
            "javascript:alert(1)",
            "ftp://example.com/cb",
            "https://user:pw@app.example.com/cb",
            "https://app.example.com/c b",
            "",
        ] {
            assert!(
                matches!(check_redirect_uri(uri), Err(Error::Validation(_))),
                "{uri} should be refused"
            );
        }
    }

    #[test]
    fn a_list_needs_one_uri_at_least_and_no_duplicates() {
        assert!(check_redirect_uris(&[]).is_err());
        let twice = vec!["https://a.example/cb".to_owned(); 2];
        assert!(check_redirect_uris(&twice).is_err());
        let many: Vec<String> = (0..=MAX_URIS)
            .map(|i| format!("https://a.example/{i}"))
            .collect();
        assert!(check_redirect_uris(&many).is_err());
        assert_eq!(check_redirect_uris(&many[..2]).unwrap(), many[..2].to_vec());
    }
}
