//! How times are written wherever the server writes one: RFC 3339 in the API and in files other
//! programs read, and to the minute in UTC for people (mail, the command line, the pages). The
//! server knows no time zone, so people read UTC, said as such.

use portcullis_core::UnixTime;

/// `2026-11-22 20:15 UTC`, for documents people read; empty for a time no calendar holds.
pub fn human_time(t: UnixTime) -> String {
    to_the_minute(t).unwrap_or_default()
}

/// `2026-11-22 20:15 UTC`, or `None` for a time no calendar holds.
pub fn to_the_minute(t: UnixTime) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(t.0)
        .ok()
        .and_then(|d| d.format(&format).ok())
}

/// RFC 3339 in UTC, as every timestamp in the API is written.
pub fn rfc3339(t: UnixTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.0)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
