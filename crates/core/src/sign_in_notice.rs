//! When a sign-in is news to the account holder, and when wrong codes mean that someone else
//! knows their password: the pure rules behind the "New sign-in to your account" and "Someone
//! knows your password" notices. The service (`service::sign_in_notices`) reads the facts in
//! the sign-in's transaction and queues the notice; nothing here reads a clock or a store.
//!
//! A sign-in is described by two things a person recognises: the browser and OS family of its
//! user agent ([`crate::user_agent::family`], versions ignored, so an update is not news) and
//! its network, the address's IPv4 /24 or IPv6 /48 (a home router's new address or a phone
//! moving between cells of one provider usually stays inside it).

use std::net::IpAddr;

use crate::clock::UnixTime;
use crate::store::RateLimit;
use crate::user_agent::UserAgentFamily;

/// A browser family or network not seen for this long is new again.
pub const SEEN_WITHIN_SECS: i64 = 90 * 86_400;

/// At most one "new sign-in" notice per account per hour, however many new browsers sign in.
pub const NEW_SIGN_IN_NOTICES: RateLimit = RateLimit::new(1, 3600);

/// Wrong second-factor codes after a right password, per account: the third within an hour
/// tells the holder that someone knows their password.
pub const WRONG_CODES: RateLimit = RateLimit::new(3, 3600);

/// At most one "someone knows your password" notice per account per hour.
pub const WRONG_CODE_NOTICES: RateLimit = RateLimit::new(1, 3600);

/// The network of an address as stored in the sign-in history: `192.0.2.0/24`,
/// `2001:db8:1::/48`; an IPv4 address mapped into IPv6 counts as IPv4. A missing or unreadable
/// address is its own network, `unknown`.
pub fn network_of(ip: Option<&str>) -> String {
    let Some(addr) = ip.and_then(|s| s.trim().parse::<IpAddr>().ok()) else {
        return "unknown".to_owned();
    };
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    };
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{prefix}/48")
        }
    }
}

/// What the notice calls the client: "Firefox on Linux" for a browser, "API client: curl" for a
/// program calling the API, "Unknown program" for a user agent that names neither.
pub fn client_name(family: &UserAgentFamily) -> String {
    match (family.is_browser, family.browser) {
        (true, _) => family.describe(),
        (false, "Unknown browser" | "Unknown client") => "Unknown program".to_owned(),
        (false, _) => format!("API client: {}", family.describe()),
    }
}

/// What the sign-in's transaction found out before deciding on a "new sign-in" notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFacts {
    /// The account signed in before (any history row at all); its very first sign-in is no news.
    pub signed_in_before: bool,
    /// The sign-in skipped the second step with a remembered browser's key: a browser the
    /// holder chose to trust is never new.
    pub remembered_browser: bool,
    /// The browser family was seen since [`seen_since`].
    pub family_seen: bool,
    /// The network was seen since [`seen_since`].
    pub network_seen: bool,
    /// The contract's `new_sign_in_notice` switch.
    pub notices_on: bool,
    /// A "new sign-in" notice already went out within [`NEW_SIGN_IN_NOTICES`]' window.
    pub notified_lately: bool,
}

/// Where the look-back for known families and networks starts.
pub fn seen_since(now: UnixTime) -> UnixTime {
    now.plus_secs(-SEEN_WITHIN_SECS)
}

/// Whether this sign-in sends "New sign-in to your account": a new family or a new network, on
/// an account that signed in before, without a remembered browser, with the switch on, and not
/// more than once an hour.
pub fn new_sign_in_notice_due(f: &SignInFacts) -> bool {
    f.signed_in_before
        && !f.remembered_browser
        && !(f.family_seen && f.network_seen)
        && f.notices_on
        && !f.notified_lately
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RateWindow;
    use crate::user_agent::family;

    #[test]
    fn a_network_is_the_v4_slash_24_or_the_v6_slash_48() {
        assert_eq!(network_of(Some("192.0.2.77")), "192.0.2.0/24");
        assert_eq!(
            network_of(Some("192.0.2.1")),
            network_of(Some("192.0.2.254"))
        );
        assert_ne!(network_of(Some("192.0.2.1")), network_of(Some("192.0.3.1")));
        assert_eq!(network_of(Some("2001:db8:1:2:3::9")), "2001:db8:1::/48");
        assert_eq!(
            network_of(Some("2001:db8:1:ffff::1")),
            network_of(Some("2001:db8:1::2"))
        );
        assert_ne!(
            network_of(Some("2001:db8:1::1")),
            network_of(Some("2001:db8:2::1"))
        );
        assert_eq!(network_of(Some("::ffff:198.51.100.9")), "198.51.100.0/24");
    }

    #[test]
    fn an_unknown_address_is_its_own_network() {
        assert_eq!(network_of(None), "unknown");
        assert_eq!(network_of(Some("")), "unknown");
        assert_eq!(network_of(Some("not an address")), "unknown");
        assert_ne!(network_of(Some("0.0.0.1")), "unknown");
    }

    #[test]
    fn programs_are_named_as_api_clients_and_browsers_by_their_family() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(client_name(&family(Some(firefox))), "Firefox on Linux");
        assert_eq!(client_name(&family(Some("curl/8.5.0"))), "API client: curl");
        assert_eq!(client_name(&family(None)), "Unknown program");
        assert_eq!(
            client_name(&family(Some("acme-sync 1.0"))),
            "Unknown program"
        );
    }

    fn usual() -> SignInFacts {
        SignInFacts {
            signed_in_before: true,
            remembered_browser: false,
            family_seen: true,
            network_seen: true,
            notices_on: true,
            notified_lately: false,
        }
    }

    #[test]
    fn a_new_family_or_a_new_network_is_news_and_a_known_pair_is_not() {
        assert!(!new_sign_in_notice_due(&usual()));
        let new_family = SignInFacts {
            family_seen: false,
            ..usual()
        };
        assert!(new_sign_in_notice_due(&new_family));
        let new_network = SignInFacts {
            network_seen: false,
            ..usual()
        };
        assert!(new_sign_in_notice_due(&new_network));
    }

    #[test]
    fn no_notice_for_a_first_sign_in_a_remembered_browser_a_switched_off_contract_or_within_the_hour()
     {
        let new = SignInFacts {
            family_seen: false,
            network_seen: false,
            ..usual()
        };
        assert!(new_sign_in_notice_due(&new));
        for quiet in [
            SignInFacts {
                signed_in_before: false,
                ..new
            },
            SignInFacts {
                remembered_browser: true,
                ..new
            },
            SignInFacts {
                notices_on: false,
                ..new
            },
            SignInFacts {
                notified_lately: true,
                ..new
            },
        ] {
            assert!(!new_sign_in_notice_due(&quiet), "{quiet:?}");
        }
    }

    #[test]
    fn seen_means_within_ninety_days_and_the_limits_are_hourly() {
        let now = UnixTime(100 * 86_400);
        assert_eq!(seen_since(now), UnixTime(10 * 86_400));
        // One notice an hour: a notice 59 minutes ago holds the next; one 61 minutes ago is
        // outside the window read since `since`, so the window is empty.
        assert_eq!(NEW_SIGN_IN_NOTICES.since(now), now.plus_secs(-3600));
        let one = RateWindow {
            count: 1,
            oldest: Some(now.plus_secs(-59 * 60)),
        };
        assert_eq!(NEW_SIGN_IN_NOTICES.retry_after(&one, now), Some(60));
        // The third wrong code within the hour reaches the limit; two do not.
        let two = RateWindow {
            count: 2,
            oldest: Some(now.plus_secs(-600)),
        };
        assert!(WRONG_CODES.retry_after(&two, now).is_none());
        let three = RateWindow { count: 3, ..two };
        assert!(WRONG_CODES.retry_after(&three, now).is_some());
    }
}
