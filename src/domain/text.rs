//! Text as users type it: one-line fields checked and tidied, and the folding the search uses
//! (lower case, no accents).

use super::{DResult, invalid};

/// A one-line text field: inner runs of spaces become one, ends trimmed; refused when empty
/// (if `required`), longer than `max` bytes or holding control characters. `field` names the
/// field in the message, with its article ("el domicilio").
pub(crate) fn text(field: &str, v: &str, max: usize, required: bool) -> DResult<String> {
    let t = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && t.is_empty() {
        return invalid(format!("falta {field}"));
    }
    if t.len() > max {
        return invalid(format!(
            "{field} es demasiado largo: {} bytes, máximo {max}",
            t.len()
        ));
    }
    refuse_control(field, &t)?;
    Ok(t)
}

/// Characters that reorder or hide text on a screen or a terminal: bidirectional overrides and
/// isolates, zero-width marks. Refused like control codes (issue 11).
fn is_format_trick(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// Refuses terminal control codes (escape sequences, bells, backspaces...) and format tricks,
/// naming the first one found.
fn refuse_control(field: &str, t: &str) -> DResult<()> {
    match t.chars().find(|&c| c.is_control() || is_format_trick(c)) {
        Some(c) => invalid(format!(
            "{field} contiene caracteres de control (U+{:04X}); se permiten letras, signos y saltos de línea",
            c as u32
        )),
        None => Ok(()),
    }
}

/// A multi-line text field (a question, an answer): like [`text`] line by line, keeping the
/// line breaks (at most one blank line in a row; none at the ends).
pub(crate) fn multiline_text(field: &str, v: &str, max: usize, required: bool) -> DResult<String> {
    let mut lines: Vec<String> = Vec::new();
    for l in v.lines() {
        let t = l.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() && lines.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        lines.push(t);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let joined = lines.join("\n");
    // The line breaks are the only control characters allowed.
    text(field, &joined.replace('\n', " "), max, required)?;
    Ok(joined)
}

/// Lower case without accents, for search.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_line_answer_keeps_its_lines() {
        assert_eq!(
            multiline_text("la respuesta", "  Sí \n\n\n  los   doce \n\n", 272, true).unwrap(),
            "Sí\n\nlos doce"
        );
        assert!(multiline_text("la respuesta", " \n ", 272, true).is_err());
        assert!(multiline_text("la respuesta", "a\u{7}b", 272, true).is_err());
        assert_eq!(text("el nombre", "  a   b ", 10, true).unwrap(), "a b");
    }
}
