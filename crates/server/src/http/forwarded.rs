//! What a request says about its own origin through a reverse proxy: `X-Forwarded-For`, `-Proto`,
//! `-Host`. These headers are believed only when the connection itself comes from one of the
//! configured `trusted_proxies`; from anyone else they are ignored, because a client can send
//! any header it likes. This module is pure (a peer address, headers, the trusted networks in;
//! an answer out), so every rule is tested here; [`super::Meta`] and forward auth call it.
//!
//! The client's address follows RFC 7239 §7.4's reasoning: each proxy appends the address it saw
//! to the right of the list, so only the entries our own proxies wrote can be believed. Walking
//! from the right, trusted proxies are skipped, and the first address that is not one of ours is
//! the client (whatever stands further left was written by that client and proves nothing). When
//! every entry is trusted, the leftmost one is the best we know. An entry that is not an address
//! ends the walk: nothing to its left can be believed either.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// `X-Forwarded-For`.
pub const FOR: &str = "x-forwarded-for";
/// `X-Forwarded-Proto`.
pub const PROTO: &str = "x-forwarded-proto";
/// `X-Forwarded-Host`.
pub const HOST: &str = "x-forwarded-host";

/// Whether `peer` is one of the configured proxies. IPv4 peers on a dual-stack socket arrive as
/// `::ffff:a.b.c.d` and are compared as the IPv4 address they are.
pub fn is_trusted(peer: IpAddr, trusted: &[IpNet]) -> bool {
    let peer = peer.to_canonical();
    trusted.iter().any(|net| net.contains(&peer))
}

/// The client's address: the connection's, unless it comes from a trusted proxy, in which case
/// the rightmost `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return peer;
    }
    // Several headers are one list in order (RFC 9110 §5.3).
    let entries: Vec<&str> = headers
        .get_all(FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else { break };
        client = ip;
        if !is_trusted(ip, trusted) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: `192.0.2.1`, `2001:db8::1`, and the forms with a port some
/// proxies write (`192.0.2.1:4711`, `[2001:db8::1]:4711`); anything else is garbage.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    entry
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .and_then(|s| s.parse::<IpAddr>().ok())
}

/// The scheme the client used, as our nearest proxy says (`http` or `https`), or `None` when the
/// peer is not trusted or says nothing sensible. With a list, the rightmost value: that is the one
/// our own proxy wrote, whatever the client put before it.
pub fn proto(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Option<&'static str> {
    match last_value(peer, headers, trusted, PROTO)?
        .to_ascii_lowercase()
        .as_str()
    {
        "https" => Some("https"),
        "http" => Some("http"),
        _ => None,
    }
}

/// The host (and port) the client asked for, as our nearest proxy says, lower-cased; `None` when
/// the peer is not trusted or the value is not a host name or address with an optional port.
pub fn host(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Option<String> {
    let value = last_value(peer, headers, trusted, HOST)?;
    valid_host(value).then(|| value.to_ascii_lowercase())
}

/// `host`, `host:port` or `[v6]:port`: letters, digits, `.-:[]` only, so that nothing else (a
/// slash, `@`, a space) can sneak into a URL built from it.
pub fn valid_host(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 255
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// The rightmost value of a header that may be a list, from a trusted peer only.
pub fn last_value<'h>(
    peer: IpAddr,
    headers: &'h HeaderMap,
    trusted: &[IpNet],
    name: &str,
) -> Option<&'h str> {
    if !is_trusted(peer, trusted) {
        return None;
    }
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|s| s.parse().expect("test networks parse"))
            .collect()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_forged_header_from_an_untrusted_peer_is_ignored() {
        let h = headers(&[
            (FOR, "198.51.100.9"),
            (PROTO, "https"),
            (HOST, "app.example.com"),
        ]);
        let trusted = nets(&["10.0.0.0/8"]);
        let peer = ip("203.0.113.5");
        assert_eq!(client_ip(peer, &h, &trusted), peer);
        assert_eq!(proto(peer, &h, &trusted), None);
        assert_eq!(host(peer, &h, &trusted), None);
        // Without any trusted network, nothing is believed from anyone.
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &[]), ip("10.0.0.1"));
    }

    #[test]
    fn the_client_is_the_rightmost_entry_that_is_not_a_trusted_proxy() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client forged the first entry; our proxy appended the address it saw.
        let h = headers(&[(FOR, "1.2.3.4, 198.51.100.9")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
        // Two of our proxies in a row: both are skipped.
        let h = headers(&[(FOR, "1.2.3.4, 198.51.100.9, 10.1.1.1"), (FOR, "10.2.2.2")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
    }

    #[test]
    fn when_every_entry_is_trusted_the_leftmost_is_taken() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[(FOR, "10.9.9.9, 10.1.1.1")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.9.9.9"));
        // A trusted peer without the header is the client itself.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn ipv6_entries_ports_and_mapped_peers_are_understood() {
        let trusted = nets(&["127.0.0.1/32", "fd00::/8"]);
        let h = headers(&[(FOR, "[2001:db8::7]:51000, fd00::1")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("2001:db8::7")
        );
        let h = headers(&[(FOR, "192.0.2.8:4711")]);
        assert_eq!(client_ip(ip("fd00::2"), &h, &trusted), ip("192.0.2.8"));
        let h = headers(&[(FOR, "2001:db8::9")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("2001:db8::9"));
    }

    #[test]
    fn garbage_ends_the_walk_at_the_last_address_believed() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[(FOR, "198.51.100.1, unknown, 10.3.3.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.3.3.3"));
        let h = headers(&[(FOR, "not an address")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
        let h = headers(&[(FOR, "")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn proto_and_host_come_from_the_nearest_trusted_proxy_and_are_checked() {
        let trusted = nets(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        let h = headers(&[
            (PROTO, "http, HTTPS"),
            (HOST, "evil.example, App.Example.com:8443"),
        ]);
        assert_eq!(proto(peer, &h, &trusted), Some("https"));
        assert_eq!(
            host(peer, &h, &trusted).as_deref(),
            Some("app.example.com:8443")
        );
        let h = headers(&[(PROTO, "gopher"), (HOST, "a.example/evil")]);
        assert_eq!(proto(peer, &h, &trusted), None);
        assert_eq!(host(peer, &h, &trusted), None);
        let h = headers(&[(HOST, "user@a.example")]);
        assert_eq!(host(peer, &h, &trusted), None);
    }
}
