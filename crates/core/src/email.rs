//! Email addresses as login names. Parsing normalises once (trim, lower-case domain) so the rest
//! of the code never sees an unchecked string. Lookups and uniqueness use [`Email::key`], the whole
//! address lower-cased, so `Alice@Example.com` and `alice@example.com` are one account, as users
//! of Keycloak and most mail providers expect.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("email is required");
        }
        if s.len() > 254 {
            return Err("email is longer than 254 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("email must not contain spaces or control characters");
        }
        let (local, domain) = s
            .rsplit_once('@')
            .ok_or("email must look like name@example.com")?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err("email must look like name@example.com");
        }
        let domain = domain.to_ascii_lowercase();
        let labels_ok = domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err("email must have a domain like example.com");
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive lookup key.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases_the_domain_but_keeps_the_local_part() {
        let e = Email::parse("  Alice.Smith@Example.COM \n").unwrap();
        assert_eq!(e.as_str(), "Alice.Smith@example.com");
        assert_eq!(e.key(), "alice.smith@example.com");
    }

    #[test]
    fn refuses_addresses_without_a_proper_domain() {
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@localhost",
            "a b@x.com",
            "a@-x.com",
            "a@x..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
