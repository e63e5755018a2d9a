//! Argentine formats for people: `$ 1.500,50`, `12,5 %`, `31/12/2026`, `31/12/2026 14:05`,
//! `1.234` (thousands with a dot, decimals with a comma). Only text meant to be read uses
//! them; JSON and machine files keep machine formats (cents, ISO dates).

use chrono::{Local, NaiveDate, TimeZone};

/// `1.234.567` — an integer with thousands grouped by dots.
pub fn integer(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `1.500,50` — an amount in cents, without the currency sign.
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{},{:02}", integer((a / 100) as i64), a % 100)
}

/// `$ 1.500,50`; a negative amount is `-$ 1.500,50`.
pub fn money(cents: i64) -> String {
    if cents < 0 {
        format!("-$ {}", amount(-cents))
    } else {
        format!("$ {}", amount(cents))
    }
}

/// `12,5 %` from basis points (1250); whole percentages drop the decimals (`9 %`).
pub fn percent(bp: u32) -> String {
    format!("{} %", percent_number(bp))
}

/// `12,5` from basis points, without the sign.
pub fn percent_number(bp: u32) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    match frac {
        0 => integer(whole as i64),
        f if f % 10 == 0 => format!("{},{}", integer(whole as i64), f / 10),
        f => format!("{},{f:02}", integer(whole as i64)),
    }
}

/// `31/12/2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `31/12/2026` in local time, `-` for no time (0 or negative).
pub fn date_of_ms(ms: i64) -> String {
    if ms <= 0 {
        return "-".into();
    }
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "-".into(), |d| d.format("%d/%m/%Y").to_string())
}

/// `31/12/2026 14:05` in local time, `-` for no time (0 or negative).
pub fn datetime_of_ms(ms: i64) -> String {
    if ms <= 0 {
        return "-".into();
    }
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| "-".into(), |d| d.format("%d/%m/%Y %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argentine_numbers() {
        assert_eq!(integer(0), "0");
        assert_eq!(integer(999), "999");
        assert_eq!(integer(1000), "1.000");
        assert_eq!(integer(-1234567), "-1.234.567");
        assert_eq!(amount(150050), "1.500,50");
        assert_eq!(amount(5), "0,05");
        assert_eq!(money(57449817), "$ 574.498,17");
        assert_eq!(money(-150050), "-$ 1.500,50");
        assert_eq!(money(0), "$ 0,00");
        assert_eq!(percent(900), "9 %");
        assert_eq!(percent(1250), "12,5 %");
        assert_eq!(percent(1255), "12,55 %");
        assert_eq!(percent(5), "0,05 %");
    }

    #[test]
    fn argentine_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(date(d), "07/03/2026");
        let ms = Local
            .from_local_datetime(&d.and_hms_opt(9, 5, 0).unwrap())
            .single()
            .unwrap()
            .timestamp_millis();
        assert_eq!(date_of_ms(ms), "07/03/2026");
        assert_eq!(datetime_of_ms(ms), "07/03/2026 09:05");
        assert_eq!(datetime_of_ms(0), "-");
    }
}
