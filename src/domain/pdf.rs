//! A small PDF page writer over `pdf-writer`: text in the standard Helvetica fonts (no font
//! embedded: every PDF reader has them), measured with their metrics so text can be
//! right-aligned and wrapped to a width, plus lines and filled boxes. Text is encoded in
//! WinAnsiEncoding, which covers Spanish (á é í ó ú ü ñ ¿ ¡ º « » —); any other character is
//! written as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
pub const A4: (f32, f32) = (595.0, 842.0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    /// The width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        let table = match self {
            Font::Regular => &REGULAR,
            Font::Bold => &BOLD,
        };
        let units: u32 = winansi(text)
            .iter()
            .map(|&b| {
                if b >= 32 {
                    table[(b - 32) as usize] as u32
                } else {
                    0
                }
            })
            .sum();
        units as f32 * size / 1000.0
    }
}

/// An RGB colour, each channel 0..1.
pub type Rgb = (f32, f32, f32);
pub const BLACK: Rgb = (0.0, 0.0, 0.0);

/// One page being drawn; y grows upwards from the bottom of the page, as in PDF.
pub struct Page {
    content: Content,
}

impl Default for Page {
    fn default() -> Self {
        Page::new()
    }
}

impl Page {
    pub fn new() -> Page {
        Page {
            content: Content::new(),
        }
    }

    /// `text` with its left end at `x`, baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, font: Font, size: f32, color: Rgb, text: &str) {
        let bytes = winansi(text);
        let c = &mut self.content;
        c.set_fill_rgb(color.0, color.1, color.2);
        c.begin_text();
        c.set_font(font.resource(), size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    /// `text` with its right end at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, font: Font, size: f32, color: Rgb, s: &str) {
        let w = font.width(s, size);
        self.text(right - w, y, font, size, color, s);
    }

    /// `text` centred on `center`.
    pub fn text_center(&mut self, center: f32, y: f32, font: Font, size: f32, color: Rgb, s: &str) {
        let w = font.width(s, size);
        self.text(center - w / 2.0, y, font, size, color, s);
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) {
        let c = &mut self.content;
        c.set_stroke_rgb(color.0, color.1, color.2);
        c.set_line_width(width);
        c.move_to(from.0, from.1);
        c.line_to(to.0, to.1);
        c.stroke();
    }

    /// A filled rectangle (x, y is its lower left corner).
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let c = &mut self.content;
        c.set_fill_rgb(color.0, color.1, color.2);
        c.rect(x, y, w, h);
        c.fill_nonzero();
    }

    /// A rectangle's outline.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32, color: Rgb) {
        let c = &mut self.content;
        c.set_stroke_rgb(color.0, color.1, color.2);
        c.set_line_width(width);
        c.rect(x, y, w, h);
        c.stroke();
    }
}

/// Writes `pages` (A4) as one PDF document titled `title`.
pub fn document(title: &str, pages: Vec<Page>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    for (font, id, name) in [
        (Font::Regular, regular, &b"Helvetica"[..]),
        (Font::Bold, bold, &b"Helvetica-Bold"[..]),
    ] {
        let _ = font;
        pdf.type1_font(id)
            .base_font(Name(name))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, page) in pages.into_iter().enumerate() {
        let id = page_ids[i];
        let content_id = Ref::new(id.get() + 1);
        let mut p = pdf.page(id);
        p.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        p.parent(tree);
        p.contents(content_id);
        let mut res = p.resources();
        res.fonts()
            .pair(Font::Regular.resource(), regular)
            .pair(Font::Bold.resource(), bold);
        res.finish();
        p.finish();
        pdf.stream(content_id, &page.content.finish());
    }
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("VentaLibre"));
    pdf.finish()
}

/// Splits `text` into lines no wider than `width` points, at spaces; a longer word is cut
/// between characters, so nothing is lost.
pub fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if font.width(&candidate, size) <= width {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // The word alone: cut it where it overflows.
        for ch in word.chars() {
            let mut next = cur.clone();
            next.push(ch);
            if !cur.is_empty() && font.width(&next, size) > width {
                lines.push(std::mem::take(&mut cur));
                cur.push(ch);
            } else {
                cur = next;
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `s` in WinAnsiEncoding (Windows-1252); characters it lacks become `?`.
pub fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            _ => match c {
                '€' => 0x80,
                '‚' => 0x82,
                'ƒ' => 0x83,
                '„' => 0x84,
                '…' => 0x85,
                '†' => 0x86,
                '‡' => 0x87,
                'ˆ' => 0x88,
                '‰' => 0x89,
                'Š' => 0x8a,
                '‹' => 0x8b,
                'Œ' => 0x8c,
                'Ž' => 0x8e,
                '\u{2018}' => 0x91,
                '\u{2019}' => 0x92,
                '\u{201c}' => 0x93,
                '\u{201d}' => 0x94,
                '•' => 0x95,
                '–' => 0x96,
                '—' => 0x97,
                '˜' => 0x98,
                '™' => 0x99,
                'š' => 0x9a,
                '›' => 0x9b,
                'œ' => 0x9c,
                'ž' => 0x9e,
                'Ÿ' => 0x9f,
                '\t' | '\n' | '\r' => b' ',
                _ => b'?',
            },
        })
        .collect()
}

/// Every string a PDF written by [`document`] shows, decoded from WinAnsi, one per line (for
/// tests: the content streams are not compressed).
pub fn shown_text(pdf: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let decode = |b: u8| -> char {
        match b {
            0x80..=0x9f => {
                let table = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}\u{2018}\u{2019}\u{201c}\u{201d}•–—˜™š›œ\u{9d}žŸ";
                table.chars().nth((b - 0x80) as usize).unwrap_or('?')
            }
            _ => b as char,
        }
    };
    while i < pdf.len() {
        match pdf[i] {
            b'<' if pdf.get(i + 1) != Some(&b'<') && pdf.get(i.wrapping_sub(1)) != Some(&b'<') => {
                let end = pdf[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(pdf.len(), |e| i + e);
                let hex = &pdf[i + 1..end];
                let bytes: Vec<u8> = hex
                    .chunks(2)
                    .filter_map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                    .collect();
                if pdf[end..].starts_with(b"> Tj") || pdf[end..].starts_with(b">Tj") {
                    out.extend(bytes.into_iter().map(decode));
                    out.push('\n');
                }
                i = end + 1;
            }
            b'(' => {
                let mut s = Vec::new();
                let mut j = i + 1;
                while j < pdf.len() && pdf[j] != b')' {
                    if pdf[j] == b'\\' {
                        j += 1;
                    }
                    if let Some(&b) = pdf.get(j) {
                        s.push(b);
                    }
                    j += 1;
                }
                if pdf[j.min(pdf.len())..].starts_with(b") Tj")
                    || pdf[j.min(pdf.len())..].starts_with(b")Tj")
                {
                    out.extend(s.into_iter().map(decode));
                    out.push('\n');
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

// Advance widths (1/1000 em) of the WinAnsi characters 32..=255 in Helvetica and
// Helvetica-Bold, read from the metrics of URW's Nimbus Sans (metric-compatible with
// Helvetica; Debian's fonts-urw-base35, NimbusSans-{Regular,Bold}.afm). Codes WinAnsi leaves
// undefined (127, 129, 141, 143, 144, 157) are 0.
const REGULAR: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];
const BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_helvetica_metrics() {
        // "Hola" in Helvetica: H 722 + o 556 + l 222 + a 556 = 2056 units.
        assert!((Font::Regular.width("Hola", 10.0) - 20.56).abs() < 1e-3);
        assert!(Font::Bold.width("Hola", 10.0) > Font::Regular.width("Hola", 10.0));
        assert_eq!(winansi("ñÁ—€?🙂"), vec![0xf1, 0xc1, 0x97, 0x80, b'?', b'?']);
    }

    #[test]
    fn wraps_to_a_width_without_losing_text() {
        let t = "Bicicleta rodado 29 con cambios Shimano y frenos a disco hidráulicos";
        let lines = wrap(t, Font::Regular, 10.0, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| Font::Regular.width(l, 10.0) <= 120.0));
        assert_eq!(lines.join(" "), t);
        let long = "x".repeat(200);
        let lines = wrap(&long, Font::Regular, 10.0, 50.0);
        assert_eq!(lines.concat(), long);
    }

    #[test]
    fn writes_a_pdf() {
        let mut p = Page::new();
        p.text(
            50.0,
            800.0,
            Font::Bold,
            12.0,
            BLACK,
            "Factura N.º 0001-00000029",
        );
        let pdf = document("Factura", vec![p]);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    }
}
