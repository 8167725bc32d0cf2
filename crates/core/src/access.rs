//! Access rules for applications behind forward authentication, as pure rules: which rule of a
//! host applies to a path (the longest matching prefix), and what it decides for a caller (let
//! in, send to sign in or to step up, refuse). No storage and no clock here; the use case in
//! `service::access_rules` feeds it, the reverse proxy acts on the answer.
//!
//! Hosts are compared exactly, lower-cased, with their port when the rule names one; a rule
//! without a port covers its host on any port. Paths are compared after the same normalisation
//! an upstream applies before routing (percent-decoding, `.`/`..` resolved, repeated slashes
//! folded), so `/%61dmin` or `/x/../admin` cannot slip past a rule for `/admin`. A prefix
//! matches whole segments: `/admin` covers `/admin` and `/admin/users`, not `/administrators`.

use crate::model::{AccessRuleId, ContractId, GroupId};

/// What a rule asks of the people who open its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessPolicy {
    /// Anyone, signed in or not; no identity is passed on.
    Public,
    /// Any person of the rule's contract with a live session.
    SignedIn,
    /// A person of the rule's contract whose session passed a second factor.
    TwoFactor,
}

impl AccessPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessPolicy::Public => "public",
            AccessPolicy::SignedIn => "signed-in",
            AccessPolicy::TwoFactor => "two-factor",
        }
    }
    pub fn parse(s: &str) -> Option<AccessPolicy> {
        match s {
            "public" => Some(AccessPolicy::Public),
            "signed-in" => Some(AccessPolicy::SignedIn),
            "two-factor" => Some(AccessPolicy::TwoFactor),
            _ => None,
        }
    }
}

/// One rule: a host and path prefix of a contract's application, and who may enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    pub id: AccessRuleId,
    pub contract_id: ContractId,
    /// Lower case, with `:port` when the rule is for one port only.
    pub host: String,
    /// Starts with `/`, no trailing slash except `/` itself.
    pub path_prefix: String,
    pub policy: AccessPolicy,
    /// When not empty, only members of one of these groups may enter.
    pub groups: Vec<GroupId>,
}

/// A host as rules name it: lower case, a name or address with an optional port, nothing else.
pub fn normalise_host(host: &str) -> Result<String, &'static str> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, _)) if !name.ends_with(']') && name.contains(':') => (host.as_str(), None),
        Some((name, port)) => (name, Some(port)),
        None => (host.as_str(), None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if name_ok && port_ok {
        Ok(host)
    } else {
        Err("the host must be a host name such as app.example.com, optionally with :port")
    }
}

/// A path prefix as rules keep it: absolute, normalised, without a trailing slash.
pub fn normalise_prefix(prefix: &str) -> Result<String, &'static str> {
    let prefix = prefix.trim();
    if !prefix.starts_with('/') || prefix.contains(['?', '#']) || prefix.len() > 1000 {
        return Err("the path prefix must start with / and hold no query (?) or fragment (#)");
    }
    Ok(normalise_path(prefix))
}

/// The path of a request as an upstream would route it: the query dropped, percent-decoded,
/// dot segments resolved, empty segments folded. Never climbs above `/`.
pub fn normalise_path(uri: &str) -> String {
    let path = uri.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path);
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    format!("/{}", segments.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Does `prefix` (normalised) cover `path` (normalised)? Whole segments only.
fn covers(prefix: &str, path: &str) -> bool {
    prefix == "/"
        || path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The rule for a request to `host` (lower case, maybe with a port) and `uri`: among the rules
/// of that exact host (and port), else of the host on any port, the longest prefix that covers
/// the path. `None` when no rule covers it: the caller refuses.
pub fn rule_for<'r>(rules: &'r [AccessRule], host: &str, uri: &str) -> Option<&'r AccessRule> {
    let path = normalise_path(uri);
    let bare = without_port(host);
    let best_of = |wanted: &str| {
        rules
            .iter()
            .filter(|r| r.host == wanted && covers(&r.path_prefix, &path))
            .max_by_key(|r| r.path_prefix.len())
    };
    best_of(host).or_else(|| (bare != host).then(|| best_of(bare)).flatten())
}

/// `host` without `:port` (an IPv6 literal keeps its brackets).
pub fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if port.bytes().all(|b| b.is_ascii_digit())
                && (!name.contains(':') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    }
}

/// Who asks, as far as the rules care.
#[derive(Debug, Clone)]
pub struct Caller<'a> {
    pub contract_id: &'a ContractId,
    pub groups: &'a [GroupId],
    /// The session passed a second factor.
    pub second_factor: bool,
}

/// What forward authentication answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let in; `identify` says whether to pass the person on (not for public rules).
    Allow { identify: bool },
    /// Send to the sign-in page; `two_factor` asks it for a second factor too.
    SignIn { two_factor: bool },
    /// This person may not enter (or no rule covers the URL).
    Refuse,
}

/// The decision table of the issue: no rule refuses; a public rule lets anyone in; without a
/// session, sign in; another contract or no shared group refuses (before any step-up, which
/// would be pointless); a two-factor rule sends a password-only session to step up.
pub fn decide(rule: Option<&AccessRule>, caller: Option<&Caller<'_>>) -> Decision {
    let Some(rule) = rule else {
        return Decision::Refuse;
    };
    if rule.policy == AccessPolicy::Public {
        return Decision::Allow { identify: false };
    }
    let two_factor = rule.policy == AccessPolicy::TwoFactor;
    let Some(caller) = caller else {
        return Decision::SignIn { two_factor };
    };
    if caller.contract_id != &rule.contract_id {
        return Decision::Refuse;
    }
    if !rule.groups.is_empty() && !rule.groups.iter().any(|g| caller.groups.contains(g)) {
        return Decision::Refuse;
    }
    if two_factor && !caller.second_factor {
        return Decision::SignIn { two_factor };
    }
    Decision::Allow { identify: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(host: &str, prefix: &str, policy: AccessPolicy, groups: &[&str]) -> AccessRule {
        AccessRule {
            id: AccessRuleId(format!("{host}{prefix}")),
            contract_id: ContractId("c1".into()),
            host: host.into(),
            path_prefix: prefix.into(),
            policy,
            groups: groups.iter().map(|g| GroupId((*g).into())).collect(),
        }
    }

    #[test]
    fn the_longest_prefix_of_the_exact_host_wins() {
        let rules = [
            rule("app.example.com", "/", AccessPolicy::SignedIn, &[]),
            rule("app.example.com", "/admin", AccessPolicy::TwoFactor, &[]),
            rule("app.example.com:8443", "/", AccessPolicy::Public, &[]),
        ];
        let id = |h: &str, u: &str| rule_for(&rules, h, u).map(|r| r.id.0.clone());
        assert_eq!(
            id("app.example.com", "/admin/users?x=1").unwrap(),
            "app.example.com/admin"
        );
        assert_eq!(
            id("app.example.com", "/administrators").unwrap(),
            "app.example.com/"
        );
        assert_eq!(
            id("app.example.com:9000", "/admin").unwrap(),
            "app.example.com/admin"
        );
        assert_eq!(
            id("app.example.com:8443", "/admin").unwrap(),
            "app.example.com:8443/"
        );
        assert_eq!(id("other.example.com", "/"), None);
    }

    #[test]
    fn encoded_and_dotted_paths_cannot_slip_past_a_prefix() {
        let rules = [
            rule("a.example", "/", AccessPolicy::Public, &[]),
            rule("a.example", "/admin", AccessPolicy::TwoFactor, &[]),
        ];
        for uri in [
            "/%61dmin",
            "/x/../admin/",
            "//admin",
            "/./admin/x",
            "/admin%2Fx",
        ] {
            let found = rule_for(&rules, "a.example", uri).unwrap();
            assert_eq!(found.path_prefix, "/admin", "{uri}");
        }
        assert_eq!(normalise_path("/../../etc"), "/etc");
    }

    #[test]
    fn hosts_and_prefixes_are_normalised_or_refused() {
        assert_eq!(
            normalise_host(" App.Example.COM. ").unwrap(),
            "app.example.com"
        );
        assert_eq!(normalise_host("a.example:8443").unwrap(), "a.example:8443");
        assert_eq!(
            normalise_host("[2001:db8::1]:443").unwrap(),
            "[2001:db8::1]:443"
        );
        for bad in [
            "",
            "a.example/x",
            "a b",
            "a.example:0",
            "a.example:99999",
            "u@a.example",
        ] {
            assert!(normalise_host(bad).is_err(), "{bad:?}");
        }
        assert_eq!(normalise_prefix("/admin/").unwrap(), "/admin");
        assert_eq!(normalise_prefix("/").unwrap(), "/");
        for bad in ["admin", "/a?b", "/a#b", ""] {
            assert!(normalise_prefix(bad).is_err(), "{bad:?}");
        }
        assert_eq!(without_port("a.example:80"), "a.example");
        assert_eq!(without_port("[::1]:80"), "[::1]");
        assert_eq!(without_port("::1"), "::1");
    }

    #[test]
    fn the_decision_table_of_forward_authentication() {
        let c1 = ContractId("c1".into());
        let c2 = ContractId("c2".into());
        let ops = [GroupId("ops".into())];
        let me = |contract, groups, second_factor| Caller {
            contract_id: contract,
            groups,
            second_factor,
        };
        let signed_in = rule("h", "/", AccessPolicy::SignedIn, &[]);
        let two_factor = rule("h", "/", AccessPolicy::TwoFactor, &[]);
        let ops_only = rule("h", "/", AccessPolicy::SignedIn, &["ops"]);
        let public = rule("h", "/", AccessPolicy::Public, &[]);
        let allow = Decision::Allow { identify: true };

        assert_eq!(decide(None, Some(&me(&c1, &ops, true))), Decision::Refuse);
        assert_eq!(
            decide(Some(&public), None),
            Decision::Allow { identify: false }
        );
        assert_eq!(
            decide(Some(&signed_in), None),
            Decision::SignIn { two_factor: false }
        );
        assert_eq!(
            decide(Some(&two_factor), None),
            Decision::SignIn { two_factor: true }
        );
        assert_eq!(decide(Some(&signed_in), Some(&me(&c1, &[], false))), allow);
        assert_eq!(
            decide(Some(&signed_in), Some(&me(&c2, &[], true))),
            Decision::Refuse
        );
        assert_eq!(
            decide(Some(&two_factor), Some(&me(&c1, &[], false))),
            Decision::SignIn { two_factor: true }
        );
        assert_eq!(decide(Some(&two_factor), Some(&me(&c1, &[], true))), allow);
        assert_eq!(
            decide(Some(&ops_only), Some(&me(&c1, &[], true))),
            Decision::Refuse
        );
        assert_eq!(decide(Some(&ops_only), Some(&me(&c1, &ops, false))), allow);
        // Refused people are not first sent to step up.
        let ops_2fa = rule("h", "/", AccessPolicy::TwoFactor, &["ops"]);
        assert_eq!(
            decide(Some(&ops_2fa), Some(&me(&c1, &[], false))),
            Decision::Refuse
        );
    }
}
