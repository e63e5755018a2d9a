//! Money is integer cents, never floating point. Amounts are typed and shown with two decimals.

use super::{DResult, invalid};

/// How to write an amount, quoted by every refusal.
const HOW: &str = "escriba los miles con punto y los centavos con coma (1.500,50) o sin \
                   separador de miles (1500.50 o 1500,50), con dos decimales como máximo";

/// Parses an amount into cents. Accepted: the Argentine form (`1.500,50`, `1.500`,
/// `12.345.678,9`: `.` groups thousands, `,` marks the decimals) and the plain one
/// (`1500.50`, `1500,50`, `1500`). Refused, with a message that shows how to write it: negative
/// amounts, more than two decimals, anything that is not a number, and every ambiguous form —
/// one mark followed by three digits that cannot be thousands (`0.500`, `0,001`), or `,`
/// used for thousands (`1,500`, `1,500.50`).
pub fn parse_cents(input: &str) -> DResult<i64> {
    let s = input.trim().trim_start_matches('$').trim();
    let refuse = |why: &str| {
        invalid(format!(
            "«{}» no es un importe válido ({why}): {HOW}",
            input.trim()
        ))
    };
    if s.is_empty() {
        return refuse("no es un número");
    }
    if s.starts_with('-') {
        return refuse("es negativo");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return refuse("no es un número");
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let (int_part, dec_part) = if commas > 1 {
        return refuse("tiene más de una coma");
    } else if commas == 1 {
        // `,` is the decimal mark; `.` may only group thousands before it.
        let (i, d) = s.split_once(',').expect("one comma");
        if d.len() > 2 {
            return refuse(if dots == 0 && d.len() == 3 {
                "es ambiguo: ¿miles o decimales?"
            } else {
                "tiene más de dos decimales"
            });
        }
        if d.is_empty() {
            return refuse("no tiene decimales después de la coma");
        }
        (i, d)
    } else if dots == 1 {
        let (i, d) = s.split_once('.').expect("one dot");
        match d.len() {
            1 | 2 => (i, d),
            // `1.500` is fifteen hundred; `0.500` could be a half or five hundred.
            3 if thousands_lead(i) => (s, ""),
            3 => return refuse("es ambiguo: ¿miles o decimales?"),
            0 => return refuse("no tiene decimales después del punto"),
            _ => return refuse("tiene más de dos decimales"),
        }
    } else {
        (s, "")
    };
    let digits = if int_part.contains('.') {
        let groups: Vec<&str> = int_part.split('.').collect();
        if !thousands_lead(groups[0]) || groups[1..].iter().any(|g| g.len() != 3) {
            return refuse("tiene los miles mal separados");
        }
        groups.concat()
    } else {
        int_part.to_string()
    };
    if digits.is_empty() && dec_part.is_empty() {
        return refuse("no es un número");
    }
    if digits.len() > 13 {
        return invalid(format!("«{}» es un importe demasiado grande", input.trim()));
    }
    let units: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().or_else(|_| refuse("no es un número"))?
    };
    let cents: i64 = match dec_part.len() {
        0 => 0,
        1 => {
            dec_part
                .parse::<i64>()
                .or_else(|_| refuse("no es un número"))?
                * 10
        }
        _ => dec_part
            .parse::<i64>()
            .or_else(|_| refuse("no es un número"))?,
    };
    Ok(units * 100 + cents)
}

/// Whether `g` can open a number whose thousands are grouped: 1 to 3 digits, no leading zero.
fn thousands_lead(g: &str) -> bool {
    (1..=3).contains(&g.len()) && !g.starts_with('0')
}

/// "1234.50" (with a minus sign when negative).
pub fn format_cents(c: i64) -> String {
    // Written out digit by digit (a page writes one per row; `format!` costs more).
    let a = c.unsigned_abs();
    let mut digits = [0u8; 24];
    let mut i = digits.len();
    let mut push = |d: u8| {
        i -= 1;
        digits[i] = d;
    };
    push(b'0' + (a % 10) as u8);
    push(b'0' + (a / 10 % 10) as u8);
    push(b'.');
    let mut units = a / 100;
    loop {
        push(b'0' + (units % 10) as u8);
        units /= 10;
        if units == 0 {
            break;
        }
    }
    if c < 0 {
        push(b'-');
    }
    String::from_utf8_lossy(&digits[i..]).into_owned()
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
        assert_eq!(parse_cents("1500.50").unwrap(), 150_050);
        assert_eq!(parse_cents("1500,50").unwrap(), 150_050);
        assert_eq!(parse_cents("1.500,50").unwrap(), 150_050);
        assert_eq!(parse_cents("1.500").unwrap(), 150_000);
        assert_eq!(parse_cents("12.345.678,9").unwrap(), 1_234_567_890);
        assert_eq!(parse_cents("$ 0.99").unwrap(), 99);
        assert_eq!(parse_cents("0,5").unwrap(), 50);
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
            "1,500.50",
            "1,500",
            "1.500.50",
            "1.50,5",
        ] {
            assert!(parse_cents(bad).is_err(), "{bad}");
        }
        assert!(parse_cents("99999999999999").is_err());
    }

    /// Issue 11, defect 4: three digits after a separator were read as thousands.
    #[test]
    fn three_decimals_are_refused_not_read_as_thousands() {
        for bad in [
            "0.001", "0.500", "0,001", "0,500", "1,234", "1500,505", "5.1234",
        ] {
            let e = parse_cents(bad).expect_err(bad).to_string();
            assert!(
                e.contains("1.500,50") && e.contains("1500.50"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn formats_and_rounds_commissions() {
        assert_eq!(format_cents(150_050), "1500.50");
        assert_eq!(format_cents(-7), "-0.07");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(100), "1.00");
        assert_eq!(format_cents(-123_456_789), "-1234567.89");
        assert_eq!(format_cents(i64::MAX), "92233720368547758.07");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
        assert_eq!(commission(10_000, 1250), 1_250);
        assert_eq!(commission(999, 1000), 100);
        assert_eq!(parse_percent("12.5").unwrap(), 1250);
        assert!(parse_percent("101").is_err());
    }
}
