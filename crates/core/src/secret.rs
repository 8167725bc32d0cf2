//! Random secrets handed to clients (session tokens, tickets, setup links). They redact in `Debug`,
//! zeroize on drop, and are stored only as a SHA-256 digest: they carry 256 bits of entropy, so a
//! fast hash is enough and lets the database find a row by its digest.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Fills `buf` from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// A bearer secret as the client sees it.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        Token(URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
    }
    /// Wraps what a client sent; nothing is checked until its digest is looked up.
    pub fn from_client(s: &str) -> Token {
        Token(s.to_owned())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(hex_digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// What the database keeps of a [`Token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDigest(pub String);

fn hex_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Compares two secrets without an early exit, so timing reveals nothing about how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hidden_from_debug_output() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert!(!format!("{a:?}").contains(a.expose()));
        assert_eq!(a.digest(), Token::from_client(a.expose()).digest());
        assert_ne!(a.digest().0, a.expose());
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
