//! What a person recognises in a `User-Agent`: the browser and operating system families
//! ("Firefox on Linux"), versions ignored, or the kind of program for clients that are not
//! browsers ("curl", "API client"). Pure and forgiving: an unknown string is an "Unknown
//! browser", never an error. Used by the devices page and by the "new sign-in" notice, which
//! compares families, so the names must stay stable.

/// The browser and OS family of one user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserAgentFamily {
    /// "Firefox", "Chrome", "Edge", "Safari", "Opera", "Chromium", "Samsung Internet",
    /// or for programs "curl", "Python", "Go", "Node.js", "portcullis-app", … and otherwise
    /// "Unknown browser".
    pub browser: &'static str,
    /// "Windows", "macOS", "Linux", "Android", "iOS", "iPadOS", "ChromeOS", "FreeBSD", or `None`.
    pub os: Option<&'static str>,
    /// A browser (a person at a page) rather than a program calling the API.
    pub is_browser: bool,
}

impl UserAgentFamily {
    /// "Firefox on Linux", "curl", "Unknown browser".
    pub fn describe(&self) -> String {
        match self.os {
            Some(os) => format!("{} on {os}", self.browser),
            None => self.browser.to_owned(),
        }
    }
}

/// Programs that call the API, by the product token they start with.
const PROGRAMS: &[(&str, &str)] = &[
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests/", "Python"),
    ("python-urllib", "Python"),
    ("python-httpx/", "Python"),
    ("aiohttp/", "Python"),
    ("go-http-client/", "Go"),
    ("node-fetch", "Node.js"),
    ("node/", "Node.js"),
    ("undici", "Node.js"),
    ("axios/", "Node.js"),
    ("okhttp/", "OkHttp"),
    ("java/", "Java"),
    ("apache-httpclient/", "Java"),
    ("reqwest/", "Rust"),
    ("hyper/", "Rust"),
    ("portcullis-app/", "portcullis-app"),
    ("postmanruntime/", "Postman"),
    ("insomnia/", "Insomnia"),
    ("httpie/", "HTTPie"),
];

/// The family of a user agent; `None` or blank reads as an unknown program.
pub fn family(user_agent: Option<&str>) -> UserAgentFamily {
    let ua = user_agent.unwrap_or("").trim();
    if ua.is_empty() {
        return UserAgentFamily {
            browser: "Unknown client",
            os: None,
            is_browser: false,
        };
    }
    let lower = ua.to_ascii_lowercase();
    for (prefix, name) in PROGRAMS {
        if lower.starts_with(prefix) {
            return UserAgentFamily {
                browser: name,
                os: None,
                is_browser: false,
            };
        }
    }
    let os = os_of(&lower);
    let browser = browser_of(&lower);
    UserAgentFamily {
        browser: browser.unwrap_or("Unknown browser"),
        os,
        is_browser: browser.is_some() || lower.starts_with("mozilla/"),
    }
}

fn os_of(ua: &str) -> Option<&'static str> {
    // Order matters: Android says "Linux", iOS says "like Mac OS X", ChromeOS says "X11".
    if ua.contains("android") {
        Some("Android")
    } else if ua.contains("iphone") || ua.contains("ipod") {
        Some("iOS")
    } else if ua.contains("ipad") {
        Some("iPadOS")
    } else if ua.contains("cros ") {
        Some("ChromeOS")
    } else if ua.contains("windows") {
        Some("Windows")
    } else if ua.contains("mac os x") || ua.contains("macintosh") {
        Some("macOS")
    } else if ua.contains("freebsd") {
        Some("FreeBSD")
    } else if ua.contains("linux") || ua.contains("x11") {
        Some("Linux")
    } else {
        None
    }
}

fn browser_of(ua: &str) -> Option<&'static str> {
    // Most browsers name the engines they imitate too ("Chrome/… Safari/…"), so the rarer names
    // come first.
    let checks: &[(&str, &str)] = &[
        ("edg/", "Edge"),
        ("edga/", "Edge"),
        ("edgios/", "Edge"),
        ("edge/", "Edge"),
        ("opr/", "Opera"),
        ("opera", "Opera"),
        ("samsungbrowser/", "Samsung Internet"),
        ("vivaldi/", "Vivaldi"),
        ("yabrowser/", "Yandex Browser"),
        ("firefox/", "Firefox"),
        ("fxios/", "Firefox"),
        ("crios/", "Chrome"),
        ("headlesschrome/", "Chrome"),
        ("chromium/", "Chromium"),
        ("chrome/", "Chrome"),
        ("safari/", "Safari"),
        ("msie ", "Internet Explorer"),
        ("trident/", "Internet Explorer"),
    ];
    checks
        .iter()
        .find(|(token, _)| ua.contains(token))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(ua: &str) -> String {
        family(Some(ua)).describe()
    }

    #[test]
    fn common_browsers_read_as_browser_and_system_without_versions() {
        assert_eq!(
            described("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
            ),
            "Chrome on Windows"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
            ),
            "Edge on Windows"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
            ),
            "Safari on macOS"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iOS"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            described(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"
            ),
            "Chrome on Linux"
        );
    }

    #[test]
    fn a_new_version_is_the_same_family() {
        let old = family(Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
        ));
        let new = family(Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ));
        assert_eq!(old, new);
    }

    #[test]
    fn programs_are_named_and_not_browsers() {
        let curl = family(Some("curl/8.5.0"));
        assert_eq!(curl.describe(), "curl");
        assert!(!curl.is_browser);
        assert_eq!(family(Some("python-requests/2.32.3")).browser, "Python");
        assert!(!family(None).is_browser);
        assert_eq!(family(Some("   ")).describe(), "Unknown client");
        assert_eq!(family(Some("something odd")).describe(), "Unknown browser");
        assert!(family(Some("Mozilla/5.0 (X11; Linux x86_64) Gecko")).is_browser);
    }
}
