//! Dates as users type and read them: parsing a day ("2026-12-31" or "31/12/2026"), the first
//! and last millisecond of a day in local time, and a time stamp written back as text.

use chrono::{Local, NaiveDate, TimeZone};

use super::{DResult, invalid};

/// Parses "YYYY-MM-DD" (also "DD/MM/YYYY").
pub fn parse_date(s: &str) -> DResult<NaiveDate> {
    let t = s.trim();
    if t.is_empty() {
        return invalid("falta la fecha (por ejemplo 31/12/2026)");
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .or_else(|_| {
            invalid(format!(
                "«{t}» no es una fecha válida (DD/MM/AAAA, por ejemplo 31/12/2026)"
            ))
        })
}

/// The last millisecond of `d` in local time.
pub fn end_of_day_ms(d: NaiveDate) -> i64 {
    let t = d.and_hms_milli_opt(23, 59, 59, 999).unwrap_or_default();
    Local
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc().timestamp_millis(), |x| x.timestamp_millis())
}

/// The first millisecond of `d` in local time.
pub fn start_of_day_ms(d: NaiveDate) -> i64 {
    let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc().timestamp_millis(), |x| x.timestamp_millis())
}

/// The day of a time stamp ("-" for none).
pub fn date_of_ms(ms: i64) -> String {
    use chrono::Datelike;
    // Written out rather than through `format` (a page shows one per row; chrono parses its
    // format string each time).
    Local.timestamp_millis_opt(ms).single().map_or_else(
        || "-".into(),
        |d| match d.year() {
            0..=9999 => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            _ => d.format("%Y-%m-%d").to_string(),
        },
    )
}

/// Day and minute of a time stamp ("-" for none).
pub fn datetime_of_ms(ms: i64) -> String {
    if ms <= 0 {
        return "-".into();
    }
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d %H:%M").to_string())
}

/// Day, minute and second of a time stamp (the event log, where seconds matter).
pub fn datetime_secs_of_ms(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Today, in local time.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A day written as the forms expect it.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_a_day_and_a_clear_message_for_an_empty_field() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(parse_date("2026-12-31").unwrap(), d);
        assert_eq!(parse_date(" 31/12/2026 ").unwrap(), d);
        assert!(
            parse_date("")
                .unwrap_err()
                .to_string()
                .starts_with("falta la fecha")
        );
        assert!(
            parse_date("mañana")
                .unwrap_err()
                .to_string()
                .contains("«mañana»")
        );
        assert!(start_of_day_ms(d) < end_of_day_ms(d));
        assert_eq!(date_of_ms(end_of_day_ms(d)), "2026-12-31");
    }
}
