//! RADIUS as pure rules: the clients (network access servers) a contract registers, the ways a
//! person answers at one ([`RadiusMode`]), the address block a client's requests come from
//! ([`Network`]), its shared secret ([`SharedSecret`]), and where a password ends and a code
//! begins in `password+code` ([`split_password_and_code`]). The packets themselves (RFC 2865,
//! Message-Authenticator of RFC 3579) are the server's; the decisions are `service::radius`'s.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::clock::UnixTime;
use crate::error::{Error, Result};
use crate::model::{ContractId, RadiusClientId};

/// How long the State of an Access-Challenge answers a code (RFC 2865 §4.4 leaves it to us).
pub const STATE_SECS: i64 = 120;
/// The wait for a push approval when the client names none.
pub const DEFAULT_PUSH_TIMEOUT_SECS: u32 = 25;
/// The longest wait a client may ask for (a NAS gives up long before).
pub const MAX_PUSH_TIMEOUT_SECS: u32 = 600;
/// Longest client name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// How a person answers at a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RadiusMode {
    /// One request: the password with the code typed right after it.
    PasswordAndCode,
    /// The password first; an Access-Challenge asks for the code, which the second request
    /// carries with the challenge's State.
    Challenge,
    /// The password; then a request to the companion app, and the answer once it is approved.
    Push,
    /// The code alone (the client checked a password itself, or none is wanted).
    CodeOnly,
}

impl RadiusMode {
    pub const ALL: [RadiusMode; 4] = [
        RadiusMode::PasswordAndCode,
        RadiusMode::Challenge,
        RadiusMode::Push,
        RadiusMode::CodeOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RadiusMode::PasswordAndCode => "password+code",
            RadiusMode::Challenge => "challenge",
            RadiusMode::Push => "push",
            RadiusMode::CodeOnly => "code-only",
        }
    }

    pub fn parse(s: &str) -> Result<RadiusMode> {
        RadiusMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| {
                Error::Validation(
                    "mode is one of password+code, challenge, push or code-only".into(),
                )
            })
    }
}

impl fmt::Display for RadiusMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An address block in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`); a bare address is a
/// block of one. Stored with the host bits cleared, so `10.1.2.3/8` reads back as `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(s: &str) -> Result<Network> {
        let bad = || {
            Error::Validation(
                "address is an IPv4 or IPv6 address or block, such as 192.0.2.10 or 10.0.0.0/8"
                    .into(),
            )
        };
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 3 => {
                p.parse::<u8>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
        };
        if prefix > max {
            return Err(bad());
        }
        Ok(Network {
            addr: mask(addr, prefix),
            prefix,
        })
    }

    /// Is `ip` in the block? An IPv4 address that arrives mapped into IPv6 (`::ffff:a.b.c.d`,
    /// as a dual-stack socket reports it) counts as the IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.prefix) == self.addr
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }
}

fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Network {
    type Err = Error;
    fn from_str(s: &str) -> Result<Network> {
        Network::parse(s)
    }
}

/// A client's shared secret: it signs every packet both ways and hides the password (RFC 2865
/// §3, §5.2), so it is sealed at rest rather than hashed. Redacted in `Debug`, zeroized on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret(String);

impl SharedSecret {
    /// 32 characters from a 62-letter alphabet (190 bits): typeable into a NAS's form, and
    /// free of characters a configuration file would have to quote.
    pub fn generate() -> SharedSecret {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(32);
        while out.len() < 32 {
            for b in crate::secret::random_bytes::<64>() {
                // 248 = 4 × 62: bytes above are drawn again, so every letter is equally likely.
                if b < 248 && out.len() < 32 {
                    out.push(ALPHABET[usize::from(b % 62)] as char);
                }
            }
        }
        SharedSecret(out)
    }

    pub fn from_stored(s: String) -> SharedSecret {
        SharedSecret(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

/// A RADIUS client as the store keeps it (the sealed secret beside it is the store's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusClient {
    pub id: RadiusClientId,
    pub contract_id: ContractId,
    pub name: String,
    pub network: Network,
    pub mode: RadiusMode,
    pub push_timeout_secs: u32,
    pub created_at: UnixTime,
}

/// A client's name: 1 to 64 characters, no control characters, no spaces at either end.
pub fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Validation(
            "a RADIUS client name has 1 to 64 characters, such as \"office-vpn\"".into(),
        ));
    }
    Ok(name.to_owned())
}

/// The push wait a client asked for, within 1 to 600 seconds.
pub fn check_push_timeout(secs: u32) -> Result<u32> {
    if (1..=MAX_PUSH_TIMEOUT_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(Error::Validation("push timeout is 1 to 600 seconds".into()))
    }
}

/// `password+code`: the last `digits` characters are the code when they are all digits and
/// something comes before them; the rest is the password. `None` when the input cannot hold both.
pub fn split_password_and_code(input: &str, digits: usize) -> Option<(&str, &str)> {
    if input.len() <= digits {
        return None;
    }
    let at = input.len() - digits;
    if !input.is_char_boundary(at) {
        return None;
    }
    let (password, code) = input.split_at(at);
    code.bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((password, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse_mask_and_contain() {
        let n = Network::parse("10.1.2.3/8").unwrap();
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert!(n.contains("10.200.0.1".parse().unwrap()));
        assert!(!n.contains("11.0.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.9.9.9".parse().unwrap()));
        let one = Network::parse("127.0.0.1").unwrap();
        assert_eq!(one.to_string(), "127.0.0.1/32");
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all = Network::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        assert!(!all.contains("2001:db8::1".parse().unwrap()));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "host",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn modes_round_trip_by_name() {
        for m in RadiusMode::ALL {
            assert_eq!(RadiusMode::parse(m.as_str()).unwrap(), m);
        }
        assert!(RadiusMode::parse("pap").is_err());
    }

    #[test]
    fn the_last_digits_are_the_code() {
        assert_eq!(
            split_password_and_code("Correct-Horse-9!123456", 6),
            Some(("Correct-Horse-9!", "123456"))
        );
        assert_eq!(
            split_password_and_code("pw12345678", 8),
            Some(("pw", "12345678"))
        );
        assert_eq!(split_password_and_code("123456", 6), None);
        assert_eq!(split_password_and_code("password12345a", 6), None);
        assert_eq!(
            split_password_and_code("pässwört123456", 6),
            Some(("pässwört", "123456"))
        );
    }

    #[test]
    fn secrets_are_32_letters_and_differ() {
        let a = SharedSecret::generate();
        let b = SharedSecret::generate();
        assert_eq!(a.expose().len(), 32);
        assert!(a.expose().bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert_eq!(format!("{a:?}"), "SharedSecret(<redacted>)");
    }
}
