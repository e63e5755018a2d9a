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
    // Written out rather than through chrono's `format` or its calendar types (a page shows
    // one per row): the local day number, then the civil date by integer arithmetic.
    const DAY_MS: i64 = 86_400_000;
    let Some(off) = local_offset(ms) else {
        return "-".into();
    };
    let Some(local) = ms.checked_add(i64::from(off.local_minus_utc()) * 1000) else {
        return "-".into();
    };
    match civil_from_days(local.div_euclid(DAY_MS)) {
        (y @ 0..=9999, m, d) => {
            let (y, mut s) = (y as u32, String::with_capacity(10));
            for (v, sep) in [
                (y / 100, None),
                (y % 100, Some('-')),
                (m, Some('-')),
                (d, None),
            ] {
                s.push(char::from(b'0' + (v / 10) as u8));
                s.push(char::from(b'0' + (v % 10) as u8));
                if let Some(c) = sep {
                    s.push(c);
                }
            }
            s
        }
        _ => chrono::DateTime::from_timestamp_millis(ms).map_or_else(
            || "-".into(),
            |d| d.with_timezone(&off).format("%Y-%m-%d").to_string(),
        ),
    }
}

/// The proleptic Gregorian (year, month, day) of day `z` counted from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`; exact for every `i64` day a time stamp in ms can give).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (era * 400 + yoe + i64::from(m <= 2), m, d)
}

/// The local time zone's offset at `ms`. Asking the system zone costs a rule search each time
/// (a page writes a date per row), so the offset of each UTC day whose first and last
/// millisecond share it is remembered, for about a minute (the clock is looked at every 256
/// answers; a zone changed meanwhile is seen after that); a day with a change of offset is
/// asked each time.
fn local_offset(ms: i64) -> Option<chrono::FixedOffset> {
    use chrono::Offset;
    use std::cell::RefCell;
    use std::time::{Duration, Instant};
    const DAY_MS: i64 = 86_400_000;
    const KEEP: Duration = Duration::from_secs(60);
    const MAX_DAYS: usize = 4096;
    thread_local! {
        static DAYS: RefCell<Days> = RefCell::default();
    }
    #[derive(Default)]
    struct Days {
        since: Option<Instant>,
        answers: u8,
        offsets: crate::storage::fasthash::HashMap<i64, i32>,
    }
    let day = ms.div_euclid(DAY_MS);
    let known = DAYS.with(|d| {
        let mut d = d.borrow_mut();
        d.answers = d.answers.wrapping_add(1);
        if (d.answers == 0 || d.since.is_none()) && d.since.is_none_or(|t| t.elapsed() > KEEP) {
            d.since = Some(Instant::now());
            d.offsets.clear();
        }
        d.offsets.get(&day).copied()
    });
    if let Some(secs) = known {
        return chrono::FixedOffset::east_opt(secs);
    }
    let at = |t: i64| {
        Local
            .timestamp_millis_opt(t)
            .single()
            .map(|d| d.offset().fix())
    };
    let here = at(ms)?;
    let first = day.checked_mul(DAY_MS)?;
    if at(first) == Some(here) && at(first.checked_add(DAY_MS - 1)?) == Some(here) {
        DAYS.with(|d| {
            let mut d = d.borrow_mut();
            if d.offsets.len() >= MAX_DAYS {
                d.offsets.clear();
            }
            d.offsets.insert(day, here.local_minus_utc());
        });
    }
    Some(here)
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

    /// The local day of `ms` as chrono writes it (what `date_of_ms` must say).
    fn direct(ms: i64) -> String {
        Local
            .timestamp_millis_opt(ms)
            .single()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap()
    }

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

    #[test]
    fn remembered_offsets_give_the_zone_s_own_days() {
        // Every 7 h 13 min over six years (both sides of any change of offset the zone has),
        // twice: the second pass answers from the remembered days.
        let start = 1_600_000_000_000i64;
        for _ in 0..2 {
            for k in 0..7_300 {
                let ms = start + k * 26_000_000;
                assert_eq!(date_of_ms(ms), direct(ms), "at {ms}");
                assert_eq!(date_of_ms(ms - 1), direct(ms - 1), "at {}", ms - 1);
            }
        }
        assert_eq!(date_of_ms(i64::MIN), "-");
    }

    #[test]
    fn civil_days_agree_with_chrono() {
        // Every 97th day from year -400 to 10400, and the edges of 0..=9999 where the written
        // out form hands over to chrono's.
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let days = |d: NaiveDate| (d - epoch).num_days();
        let (lo, hi) = (
            days(NaiveDate::from_ymd_opt(-400, 1, 1).unwrap()),
            days(NaiveDate::from_ymd_opt(10_400, 12, 31).unwrap()),
        );
        let edges = [
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-1, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2000, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(1900, 3, 1).unwrap(),
        ];
        let mut n = 0;
        for z in (lo..=hi).step_by(97).chain(edges.iter().map(|&d| days(d))) {
            let want = epoch + chrono::Duration::days(z);
            use chrono::Datelike;
            assert_eq!(
                civil_from_days(z),
                (i64::from(want.year()), want.month(), want.day()),
                "day {z}"
            );
            n += 1;
        }
        assert!(n > 40_000);
        // Through date_of_ms at noon UTC (no zone moves noon across a day).
        let noon = |d: NaiveDate| days(d) * 86_400_000 + 43_200_000;
        for d in edges {
            assert_eq!(date_of_ms(noon(d)), direct(noon(d)), "{d}");
        }
    }
}
