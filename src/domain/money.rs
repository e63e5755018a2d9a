//! Money is integer cents, never floating point. Amounts are typed and shown with two decimals.

use super::{DResult, invalid};

/// Parses "1234", "1234.5", "1234,50", "1.234,50" (Argentine thousands) or "1,234.50" into
/// cents. Negative amounts, more than two decimals and anything that is not a number are
/// refused with a message that quotes the input.
pub fn parse_cents(input: &str) -> DResult<i64> {
    let s = input.trim().trim_start_matches('$').trim();
    let bad = || {
        invalid(format!(
            "«{input}» no es un importe válido (ejemplo: 1.500,50)"
        ))
    };
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return bad();
    }
    // The last '.' or ',' followed by 1 or 2 digits is the decimal mark; other marks group
    // thousands (groups of exactly three digits).
    let (int_part, dec_part) = match s.rfind(['.', ',']) {
        Some(i) if (1..=2).contains(&(s.len() - i - 1)) => (&s[..i], &s[i + 1..]),
        _ => (s, ""),
    };
    let groups: Vec<&str> = int_part.split(['.', ',']).collect();
    let grouped_ok = groups.len() == 1
        || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || dec_part.contains(['.', ',']) || (int_part.is_empty() && dec_part.is_empty())
    {
        return bad();
    }
    let digits: String = groups.concat();
    if digits.len() > 13 {
        return invalid(format!("«{input}» es un importe demasiado grande"));
    }
    let units: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().or_else(|_| bad())?
    };
    let cents: i64 = match dec_part.len() {
        0 => 0,
        1 => dec_part.parse::<i64>().or_else(|_| bad())? * 10,
        _ => dec_part.parse::<i64>().or_else(|_| bad())?,
    };
    Ok(units * 100 + cents)
}

/// "1234.50" (with a minus sign when negative).
pub fn format_cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A percentage in basis points (1250 = 12.50 %) from "12.5" / "12,50".
pub fn parse_percent(input: &str) -> DResult<u32> {
    let c = parse_cents(input.trim().trim_end_matches('%')).map_err(|_| {
        super::DomainError::Invalid(format!(
            "«{input}» no es un porcentaje válido (ejemplo: 8,5)"
        ))
    })?;
    if c > 100_00 {
        return invalid(format!("el porcentaje {input} supera el 100 %"));
    }
    Ok(c as u32)
}

/// The commission of `price` at `bp` basis points, rounded half up to the cent.
pub fn commission(price: i64, bp: u32) -> i64 {
    (price * bp as i64 + 5_000) / 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_people_type_amounts() {
        assert_eq!(parse_cents("1500").unwrap(), 150_000);
        assert_eq!(parse_cents("1500.5").unwrap(), 150_050);
        assert_eq!(parse_cents("1500,50").unwrap(), 150_050);
        assert_eq!(parse_cents("1.500,50").unwrap(), 150_050);
        assert_eq!(parse_cents("1,500.50").unwrap(), 150_050);
        assert_eq!(parse_cents("1.500").unwrap(), 150_000);
        assert_eq!(parse_cents("$ 0.99").unwrap(), 99);
        // Three digits after one mark: thousands.
        assert_eq!(parse_cents("1.234").unwrap(), 123_400);
        for bad in [
            "abc",
            "",
            "-5",
            "1.2.3,456",
            "12,34.5",
            "1e5",
            "0x10",
            "12..5",
            "1.5.0",
            ".",
            "1,5000.00",
        ] {
            assert!(parse_cents(bad).is_err(), "{bad}");
        }
        assert!(parse_cents("99999999999999").is_err());
    }

    #[test]
    fn formats_and_rounds_commissions() {
        assert_eq!(format_cents(150_050), "1500.50");
        assert_eq!(format_cents(-7), "-0.07");
        assert_eq!(commission(10_000, 1250), 1_250);
        assert_eq!(commission(999, 1000), 100);
        assert_eq!(parse_percent("12.5").unwrap(), 1250);
        assert!(parse_percent("101").is_err());
    }
}
