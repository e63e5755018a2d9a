//! Words as search sees them: text folded (lower case, no accents), cut into words, each word
//! reduced to a stem so a Spanish plural meets its singular.
//!
//! The stemmer is deliberately small and applied the same way to the listings and to what a
//! user types, so both sides always agree. On a folded word of four letters or more:
//!
//! 1. a final `s` after a vowel goes (`guitarras` → `guitarra`, `televisores` → `televisore`,
//!    `luces` → `luce`);
//! 2. a final vowel + `ce` becomes vowel + `z` (`luce` → `luz`, `cruce` → `cruz`; `dulce`
//!    stays);
//! 3. a final `e` after `r l n d j y s` goes (`televisore` → `televisor`, `papele` → `papel`,
//!    `calle` → `call`, `cancione` → `cancion`, `clase` → `clas`).
//!
//! So "guitarras" finds "guitarra", "televisores" finds "televisor", "luces" finds "luz",
//! "canciones" finds "canción". Gender is not merged ("nuevo" does not find "nueva"), and a
//! word must be typed whole ("guit" does not find "guitarra").

use std::collections::BTreeSet;

use super::text::fold;

/// The words of `text`, folded and stemmed, each once, in order of first appearance.
pub fn stems(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for w in folded.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        let s = stem(w);
        if seen.insert(s.clone()) {
            out.push(s);
        }
    }
    out
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// The stem of one folded word (see the module's rules).
pub fn stem(word: &str) -> String {
    let mut w: Vec<char> = word.chars().collect();
    if w.len() < 4 {
        return word.to_string();
    }
    let n = w.len();
    if w[n - 1] == 's' && is_vowel(w[n - 2]) {
        w.pop();
    }
    let n = w.len();
    if n >= 4 && w[n - 1] == 'e' && w[n - 2] == 'c' && is_vowel(w[n - 3]) {
        w.truncate(n - 2);
        w.push('z');
    }
    let n = w.len();
    if n >= 4 && w[n - 1] == 'e' && matches!(w[n - 2], 'r' | 'l' | 'n' | 'd' | 'j' | 'y' | 's') {
        w.pop();
    }
    w.into_iter().collect()
}

/// 64-bit FNV-1a of a stem: the word index stores hashes, not words.
pub fn hash(stem: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stem.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(stems(a), stems(b), "«{a}» y «{b}»");
    }

    #[test]
    fn plurals_meet_their_singular() {
        same("guitarras", "guitarra");
        same("Guitarras", "GUITARRA");
        same("televisores", "televisor");
        same("luces", "luz");
        same("canciones", "canción");
        same("papeles", "papel");
        same("calles", "calle");
        same("ciudades", "ciudad");
        same("relojes", "reloj");
        same("reyes", "rey");
        same("clases", "clase");
        same("meses", "mes");
        same("noches", "noche");
        same("autos", "auto");
        same("sofás", "sofá");
        same("lápices", "lápiz");
        same("dulces", "dulce");
        same("cruces", "cruz");
    }

    #[test]
    fn different_words_stay_apart() {
        assert_ne!(stems("guitarra"), stems("guitarrista"));
        assert_ne!(stems("mesa"), stems("mes"));
        assert_ne!(stems("nuevo"), stems("usado"));
        assert_eq!(stems("sol"), vec!["sol".to_string()]);
    }

    #[test]
    fn text_is_cut_into_distinct_words() {
        assert_eq!(
            stems("Guitarra criolla, guitarras: ¡nueva!"),
            vec!["guitarra", "criolla", "nueva"]
        );
        assert_eq!(stems("  ...  "), Vec::<String>::new());
        assert_eq!(stems("TV 55\" 4K"), vec!["tv", "55", "4k"]);
    }
}
