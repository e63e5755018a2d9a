//! Argentina's 24 jurisdictions, coded as the spec's example (00 Capital Federal, 01 Buenos
//! Aires, 02 Córdoba, ...), then alphabetically.

pub const PROVINCES: [&str; 24] = [
    "Capital Federal (CABA)",
    "Buenos Aires",
    "Córdoba",
    "Catamarca",
    "Chaco",
    "Chubut",
    "Corrientes",
    "Entre Ríos",
    "Formosa",
    "Jujuy",
    "La Pampa",
    "La Rioja",
    "Mendoza",
    "Misiones",
    "Neuquén",
    "Río Negro",
    "Salta",
    "San Juan",
    "San Luis",
    "Santa Cruz",
    "Santa Fe",
    "Santiago del Estero",
    "Tierra del Fuego",
    "Tucumán",
];

pub fn name(code: u8) -> &'static str {
    PROVINCES
        .get(code as usize)
        .copied()
        .unwrap_or("¿provincia desconocida?")
}

/// Parses a code ("0".."23") or a name, ignoring case and accents.
pub fn parse(input: &str) -> Option<u8> {
    let s = input.trim();
    if let Ok(n) = s.parse::<u8>() {
        return ((n as usize) < PROVINCES.len()).then_some(n);
    }
    let norm = super::catalog::fold;
    let want = norm(s);
    PROVINCES
        .iter()
        .position(|p| norm(p) == want || norm(p).starts_with(&want) && want.len() >= 4)
        .map(|i| i as u8)
}
