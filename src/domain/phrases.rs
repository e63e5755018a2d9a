//! Spanish that reads right, built in one place: counted phrases ("1 venta calificada",
//! "3 ventas calificadas"), a publication's state as a phrase ("la publicación está vendida"),
//! lists ("a, b y c") and messages as sentences (capitalised, with a final period).

use super::PubState;

/// `n` and the noun phrase that agrees with it: `counted(1, "venta calificada", "ventas
/// calificadas")` is "1 venta calificada"; thousands are grouped ("1.500 publicaciones").
pub fn counted(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{} {plural}", group_thousands(n))
    }
}

/// The word that agrees with `n` (a verb: `agree(n, "queda", "quedan")`), without `n`.
pub fn agree<'a>(n: u64, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// "1.500.000" from 1500000.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The adjective of a state for "la publicación" (feminine): "publicada", "vendida"...
pub fn state_adjective(s: PubState) -> &'static str {
    match s {
        PubState::Published => "publicada",
        PubState::Paused => "pausada",
        PubState::Sold => "vendida",
        PubState::Cancelled => "anulada",
        PubState::Blocked => "bloqueada",
    }
}

/// "la publicación está vendida"; "la publicación venció el 31/12/2026" for a published one
/// whose closing date passed.
pub fn state_phrase(s: PubState, expired: bool, closes: &str) -> String {
    if expired && s == PubState::Published {
        format!("la publicación venció el {closes}")
    } else {
        format!("la publicación está {}", state_adjective(s))
    }
}

/// "a", "a y b", "a, b y c".
pub fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} y {last}", init.join(", ")),
    }
}

/// A message as a sentence: the first letter in upper case and a final period (unless it
/// already ends in one, or in "?", "!" or "…").
pub fn sentence(msg: &str) -> String {
    let t = msg.trim();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().collect();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '?', '!', '…', ':']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_agree_with_their_number() {
        assert_eq!(
            counted(1, "venta calificada", "ventas calificadas"),
            "1 venta calificada"
        );
        assert_eq!(counted(0, "mensaje", "mensajes"), "0 mensajes");
        assert_eq!(
            counted(1500, "publicación", "publicaciones"),
            "1.500 publicaciones"
        );
        assert_eq!(group_thousands(1_234_567), "1.234.567");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(
            state_phrase(PubState::Sold, false, "-"),
            "la publicación está vendida"
        );
        assert_eq!(
            state_phrase(PubState::Published, true, "2026-01-02"),
            "la publicación venció el 2026-01-02"
        );
        assert_eq!(list(&["a", "b", "c"]), "a, b y c");
        assert_eq!(list(&["a"]), "a");
        assert_eq!(sentence("falta el email"), "Falta el email.");
        assert_eq!(sentence("¿seguro?"), "¿seguro?");
        assert_eq!(sentence("él vino."), "Él vino.");
    }
}
