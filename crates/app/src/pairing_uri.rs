//! The pairing URI a server's QR code holds (docs/push-protocol.md, "Pairing"):
//! `portcullis://pair?v=1&server=<URL>&code=<code>&account=<email>&issuer=<name>`.
//!
//! Parsed strictly: the server must be an `http(s)://` URL without credentials, query or
//! fragment (the app will send its public key there and trust it with sign-in decisions), the
//! code is base64url as the server makes it. The code is a one-time secret: `Debug` hides it.

use std::fmt;

use crate::uri::{UriError, invalid, query_params, strip_scheme};

pub struct PairingUri {
    /// The server's public URL, without a trailing slash.
    pub server: String,
    pub code: String,
    pub account: String,
    pub issuer: String,
}

impl fmt::Debug for PairingUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairingUri")
            .field("server", &self.server)
            .field("code", &"<redacted>")
            .field("account", &self.account)
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl PairingUri {
    pub fn parse(text: &str) -> Result<PairingUri, UriError> {
        let rest = strip_scheme(text, "portcullis")?;
        let (action, query) = rest.split_once('?').unwrap_or((rest, ""));
        if action.trim_end_matches('/') != "pair" {
            return Err(invalid(
                "this is not a pairing URI (expected portcullis://pair?…)",
            ));
        }
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let mut params = query_params(query)?;
        let mut take = |name: &str| {
            params
                .remove(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| invalid(format!("the pairing URI has no `{name}`")))
        };
        let version = take("v")?;
        if version != "1" {
            return Err(invalid(format!(
                "pairing URI version {version} is not supported by this app (it knows 1)"
            )));
        }
        let server = server_url(&take("server")?)?;
        let code = take("code")?;
        if code.len() > 256
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("the pairing code is malformed"));
        }
        let account = take("account")?;
        let issuer = params
            .remove("issuer")
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "Portcullis".to_owned());
        if account.len() > 320 || issuer.len() > 200 {
            return Err(invalid("the pairing URI's account or issuer is too long"));
        }
        Ok(PairingUri {
            server,
            code,
            account,
            issuer,
        })
    }
}

/// An `http://` or `https://` base URL: a host, optionally a port and a path; no user info,
/// query or fragment. Returned without a trailing slash.
pub fn server_url(text: &str) -> Result<String, UriError> {
    let lower = text.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &text[8..]
    } else if lower.starts_with("http://") {
        &text[7..]
    } else {
        return Err(invalid("the server must be an http:// or https:// URL"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty()
        || authority.contains('@')
        || rest.contains(['?', '#'])
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(format!("the server URL {text:?} is not usable")));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "portcullis://pair?v=1&server=http%3A%2F%2F127.0.0.1%3A8080&code=abc_DEF-123\
                        &account=ann%40example.com&issuer=Example%20Hosting";

    #[test]
    fn a_pairing_uri_gives_server_code_account_and_issuer() {
        let p = PairingUri::parse(GOOD).unwrap();
        assert_eq!(p.server, "http://127.0.0.1:8080");
        assert_eq!(p.code, "abc_DEF-123");
        assert_eq!(p.account, "ann@example.com");
        assert_eq!(p.issuer, "Example Hosting");
        assert!(!format!("{p:?}").contains("abc_DEF-123"));
    }

    #[test]
    fn the_issuer_is_optional_and_a_path_on_the_server_is_kept() {
        let p = PairingUri::parse(
            "PORTCULLIS://pair/?server=https://id.example.com/auth/&code=x&account=a&v=1",
        )
        .unwrap();
        assert_eq!(p.server, "https://id.example.com/auth");
        assert_eq!(p.issuer, "Portcullis");
    }

    #[test]
    fn no_input_makes_the_parser_panic() {
        let pieces = [
            "portcullis://",
            "pair",
            "?",
            "&",
            "=",
            "v=1",
            "server=",
            "http://",
            "%",
            "%C3",
            "é",
            "[",
            "]",
            "@",
            "code=",
            "account=",
            "\u{0}",
            "/",
        ];
        let mut text = String::new();
        for i in 0..3000usize {
            text.push_str(pieces[(i * 7 + i / 5) % pieces.len()]);
            let _ = PairingUri::parse(&text);
            let _ = server_url(&text);
            if text.len() > 80 {
                text.clear();
            }
        }
    }

    #[test]
    fn malformed_pairing_uris_are_refused_with_a_reason() {
        for (uri, says) in [
            ("https://example.com", "portcullis://"),
            ("portcullis://lock?v=1", "not a pairing URI"),
            (
                "portcullis://pair?v=2&server=http://a&code=x&account=a",
                "version 2",
            ),
            ("portcullis://pair?v=1&code=x&account=a", "no `server`"),
            (
                "portcullis://pair?v=1&server=ftp://a&code=x&account=a",
                "http://",
            ),
            (
                "portcullis://pair?v=1&server=http://u@a&code=x&account=a",
                "not usable",
            ),
            (
                "portcullis://pair?v=1&server=http://&code=x&account=a",
                "not usable",
            ),
            (
                "portcullis://pair?v=1&server=http://a&code=x%2Fy&account=a",
                "malformed",
            ),
            (
                "portcullis://pair?v=1&server=http://a&code=&account=a",
                "no `code`",
            ),
            (
                "portcullis://pair?v=1&server=http://a&code=x",
                "no `account`",
            ),
            (
                "portcullis://pair?v=1&v=1&server=http://a&code=x&account=a",
                "twice",
            ),
            (
                "portcullis://pair?v=1&server=http://a&code=x&account=%ZZ",
                "escape",
            ),
        ] {
            let e = PairingUri::parse(uri).unwrap_err().to_string();
            assert!(e.contains(says), "{uri}: {e}");
        }
    }
}
