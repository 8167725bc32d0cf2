//! A person's language and time zone. Pages, emails and SMS are written in English or German;
//! dates are shown in the person's time zone. Both are chosen by the person (stored on the
//! account), otherwise a browser's own (the `Accept-Language` header, the zone the browser
//! reports), otherwise the deployment's default language and UTC.

use serde::{Deserialize, Serialize};

/// The languages every page, email and SMS is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::De];

    /// The BCP 47 tag: `en`, `de`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }

    /// `de`, `DE`, `de-AT`, `de_CH` → German; any other tag is no language we write.
    pub fn parse(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("en") {
            Some(Language::En)
        } else if primary.eq_ignore_ascii_case("de") {
            Some(Language::De)
        } else {
            None
        }
    }

    /// The language an `Accept-Language` header prefers among ours: the highest `q`, the
    /// first listed among equals; `None` when it names none of ours (or only with `q=0`).
    pub fn negotiate(header: &str) -> Option<Language> {
        let mut best: Option<(u16, Language)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(language) = Language::parse(parts.next().unwrap_or("")) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality);
            let Some(q) = q else { continue };
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, language));
            }
        }
        best.map(|(_, language)| language)
    }
}

/// `q=0.8` as thousandths; `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// An IANA time zone name the server knows ("Europe/Berlin", "UTC").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// A name from the IANA database bundled with the server, exactly as it spells it.
    pub fn parse(name: &str) -> Option<TimeZoneName> {
        let plausible = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !plausible {
            return None;
        }
        let zone = jiff::tz::db().get(name).ok()?;
        // The database matches names without regard to case; keep its own spelling.
        let canonical = zone.iana_name().unwrap_or(name);
        Some(TimeZoneName(canonical.to_owned()))
    }

    pub fn utc() -> TimeZoneName {
        TimeZoneName("UTC".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every name the database knows, sorted: the choices on the account page.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_owned())
            .filter(|n| !n.starts_with("Etc/") && !n.contains("posix") && !n.contains("right/"))
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TimeZoneName::parse(&value).ok_or_else(|| format!("unknown time zone {value:?}"))
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> String {
        value.0
    }
}

/// What a message to one person is written in: their language and time zone, chosen on their
/// account, else the deployment's language and UTC.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Locale {
    pub language: Language,
    /// `None`: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZoneName>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_headers() {
        assert_eq!(Language::parse("de-AT"), Some(Language::De));
        assert_eq!(Language::parse("EN_gb"), Some(Language::En));
        assert_eq!(Language::parse("fr"), None);
        assert_eq!(
            Language::negotiate("fr-CH, fr;q=0.9, de;q=0.7, en;q=0.5"),
            Some(Language::De)
        );
        assert_eq!(Language::negotiate("de;q=0.2, en-US"), Some(Language::En));
        assert_eq!(Language::negotiate("de;q=0, fr"), None);
        assert_eq!(Language::negotiate("de;q=abc"), None);
        assert_eq!(Language::negotiate(""), None);
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            TimeZoneName::parse("Europe/Berlin").unwrap().as_str(),
            "Europe/Berlin"
        );
        assert!(TimeZoneName::parse("Mars/Olympus").is_none());
        assert!(TimeZoneName::parse("../../etc/passwd").is_none());
        assert!(TimeZoneName::parse("").is_none());
        assert!(TimeZoneName::all().iter().any(|n| n == "America/New_York"));
    }
}
