//! The page a sign-in returns to: a signed-in page opened without a session sends the person to
//! `/login?next=…`, and once signed in they land where they meant to go. This module checks that
//! such a place is a path on this server, builds the sign-in link that carries it, and reads it
//! back from the cookie a sign-in in progress keeps it in (`kit::sign_in` writes that cookie). It
//! never decides whether the person may see the page: the page itself does, once they arrive.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::cookies;

/// `next` when it is a path on this server and nothing else: one leading `/` (not `//` or `/\`,
/// which browsers read as another host), printable ASCII without `\`, quotes, `,` `;` or spaces
/// (so it is also a valid cookie value), no longer than 512 bytes, and not a sign-in page itself
/// (which would go round in a circle). Anything else is ignored, never repaired.
pub fn safe_next(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let ok = bytes.len() <= 512
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes
            .iter()
            .all(|b| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e))
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    ok.then_some(next)
}

/// The sign-in page that returns to `next` afterwards; plain `/login` when `next` is not safe or
/// is the account page, where a sign-in goes anyway.
pub fn sign_in_then(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != "/account" => {
            let mut url = String::from("/login?next=");
            for b in next.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                    url.push(char::from(b));
                } else {
                    url.push_str(&format!("%{b:02X}"));
                }
            }
            url
        }
        _ => "/login".to_owned(),
    }
}

/// The page a sign-in in progress returns to, from its cookie; checked again, since a cookie is
/// the browser's to change.
pub struct ReturnTo(Option<String>);

impl ReturnTo {
    /// Where to go once signed in.
    pub fn path(&self) -> &str {
        self.0.as_deref().unwrap_or("/account")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReturnTo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let next = cookies::get(&parts.headers, cookies::NEXT).and_then(safe_next);
        Ok(ReturnTo(next.map(str::to_owned)))
    }
}

/// [`ReturnTo`] where only the headers are at hand.
pub fn return_path(headers: &HeaderMap) -> &str {
    cookies::get(headers, cookies::NEXT)
        .and_then(safe_next)
        .unwrap_or("/account")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_server_is_a_place_to_return_to() {
        for good in [
            "/account/app-passwords",
            "/admin/users?page=2&q=a%40b",
            "/account/security#totp",
        ] {
            assert_eq!(safe_next(good), Some(good));
        }
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "/\tevil",
            "/a\nb",
            "/a b",
            "/a\"b",
            "/a;b",
            "/a\\b",
            "/caf\u{e9}",
            "/login",
            "/login/code",
            "/logout",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(600))), None);
    }

    #[test]
    fn the_sign_in_link_carries_the_page_encoded() {
        assert_eq!(
            sign_in_then("/admin/users?q=a&b=c"),
            "/login?next=/admin/users%3Fq%3Da%26b%3Dc"
        );
        assert_eq!(sign_in_then("/account"), "/login");
        assert_eq!(sign_in_then("//evil.example"), "/login");
    }
}
