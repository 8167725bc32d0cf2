//! Dates and times as each language writes them, in the person's time zone: "7 December 2026,
//! 14:05 CET", "7. Dezember 2026, 14:05 CET". The time zone is named by its abbreviation (or
//! offset), so a time is never ambiguous.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use portcullis_core::UnixTime;
use portcullis_core::locale::{Language, TimeZoneName};

use super::{Arg, current, text};

/// A moment as a date and a time, in the current page's language and time zone.
pub fn datetime(t: UnixTime) -> String {
    let locale = current();
    datetime_in(locale.language, locale.time_zone.as_ref(), t)
}

/// A moment's date alone ("7 December 2026").
pub fn date(t: UnixTime) -> String {
    let locale = current();
    parts(locale.language, locale.time_zone.as_ref(), t)
        .map(|p| p.date)
        .unwrap_or_else(|| "—".to_owned())
}

/// A moment's time of day with its zone ("14:05 CET").
pub fn time(t: UnixTime) -> String {
    let locale = current();
    parts(locale.language, locale.time_zone.as_ref(), t)
        .map(|p| p.time)
        .unwrap_or_default()
}

/// A moment as `language` writes it, in `time_zone` (`None`: UTC).
pub fn datetime_in(language: Language, time_zone: Option<&TimeZoneName>, t: UnixTime) -> String {
    match parts(language, time_zone, t) {
        Some(p) => text(
            language,
            "date-time",
            &[("date", Arg::from(p.date)), ("time", Arg::from(p.time))],
        ),
        None => "—".to_owned(),
    }
}

struct Parts {
    date: String,
    time: String,
}

fn parts(language: Language, time_zone: Option<&TimeZoneName>, t: UnixTime) -> Option<Parts> {
    let zone = time_zone
        .and_then(|z| TimeZone::get(z.as_str()).ok())
        .unwrap_or(TimeZone::UTC);
    let zoned = Timestamp::from_second(t.0).ok()?.to_zoned(zone);
    let month = text(language, &format!("month-{}", zoned.month()), &[]);
    let date = text(
        language,
        "date",
        &[
            ("day", Arg::from(i64::from(zoned.day()))),
            ("month", Arg::from(month)),
            ("year", Arg::from(i64::from(zoned.year()))),
        ],
    );
    let abbreviation = zoned
        .time_zone()
        .to_offset_info(zoned.timestamp())
        .abbreviation()
        .to_owned();
    let time = format!("{:02}:{:02} {abbreviation}", zoned.hour(), zoned.minute());
    Some(Parts { date, time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_in_a_zone() {
        let t = UnixTime(1_796_653_500); // 2026-12-07 14:25 UTC
        let berlin = TimeZoneName::parse("Europe/Berlin");
        assert_eq!(
            datetime_in(Language::En, berlin.as_ref(), t),
            "7 December 2026, 15:25 CET"
        );
        assert_eq!(
            datetime_in(Language::De, berlin.as_ref(), t),
            "7. Dezember 2026, 15:25 CET"
        );
        assert_eq!(
            datetime_in(Language::En, None, t),
            "7 December 2026, 14:25 UTC"
        );
    }
}
