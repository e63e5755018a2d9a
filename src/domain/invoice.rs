//! The one invoice renderer. An [`Invoice`] becomes an [`InvoiceDocument`] — the buyer's or the
//! seller's copy, numbered like an Argentine invoice (`0001-00000029`: point of sale and
//! number) —, which is written as plain text (the console, the window, a `.txt` export) or as
//! PDF (`invoice_pdf.rs`). The console and the window print invoices only from here.
//!
//! Which copy a viewer gets is a rule, so it is decided here too: the buyer gets the buyer's
//! copy (ORIGINAL), which does not show the commission VentaLibre charges the seller; the seller
//! and the administrator get the seller's copy (DUPLICADO), which does.

use serde::Serialize;

use super::format;
use super::{DResult, Invoice, Session, denied};

/// The point of sale of every invoice of a share: the share is one point of sale, and its
/// invoice numbers are consecutive across all terminals.
pub const POINT_OF_SALE: u32 = 1;

/// `0001-00000029`.
pub fn invoice_number(number: u64) -> String {
    format!("{POINT_OF_SALE:04}-{number:08}")
}

/// Which copy of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceCopy {
    /// ORIGINAL, for the buyer: price and total, no commission.
    Buyer,
    /// DUPLICADO, for the seller (and the administration): with the commission and the net.
    Seller,
}

impl InvoiceCopy {
    /// The copy `s` gets by default: the buyer's for the buyer, the seller's for the seller and
    /// the administrator.
    pub fn for_viewer(i: &Invoice, s: &Session) -> InvoiceCopy {
        if i.buyer_id == s.user_id && !s.admin {
            InvoiceCopy::Buyer
        } else {
            InvoiceCopy::Seller
        }
    }

    /// Whether `s` may see this copy: the buyer sees only the buyer's copy; the seller and the
    /// administrator see both.
    pub fn allowed(self, i: &Invoice, s: &Session) -> DResult<InvoiceCopy> {
        match self {
            InvoiceCopy::Seller if i.seller_id != s.user_id && !s.admin => denied(format!(
                "la copia de quien vende de la factura {} no es suya",
                invoice_number(i.number)
            )),
            c => Ok(c),
        }
    }

    /// "ORIGINAL" / "DUPLICADO".
    pub fn label(self) -> &'static str {
        match self {
            InvoiceCopy::Buyer => "ORIGINAL",
            InvoiceCopy::Seller => "DUPLICADO",
        }
    }

    /// Who the copy is for.
    pub fn audience(self) -> &'static str {
        match self {
            InvoiceCopy::Buyer => "ejemplar de quien compra",
            InvoiceCopy::Seller => "ejemplar de quien vende",
        }
    }

    /// A file name for the copy: `factura-0001-00000029.txt` / `…-vendedor.pdf`.
    pub fn file_name(self, number: u64, extension: &str) -> String {
        let who = match self {
            InvoiceCopy::Buyer => "",
            InvoiceCopy::Seller => "-vendedor",
        };
        format!("factura-{}{who}.{extension}", invoice_number(number))
    }
}

/// One party of the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    /// "Vendedor" / "Comprador".
    pub role: &'static str,
    pub name: String,
    pub email: String,
    pub user_id: u64,
    /// The buyer's address (the seller's is not on the invoice record).
    pub address: Option<String>,
}

/// One item line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemLine {
    pub quantity: String,
    /// The article's full title.
    pub description: String,
    /// "Usado · publicación 12".
    pub detail: String,
    pub unit_price: String,
    pub amount: String,
}

/// A labelled amount of the totals block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalLine {
    pub label: String,
    pub amount: String,
    /// The grand total (drawn stronger).
    pub strong: bool,
}

/// An invoice ready to print: every text already in Argentine formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceDocument {
    pub number: String,
    pub copy: InvoiceCopy,
    /// "ORIGINAL — ejemplar de quien compra".
    pub copy_line: String,
    /// `dd/mm/aaaa hh:mm`.
    pub issued: String,
    pub seller: Party,
    pub buyer: Party,
    pub items: Vec<ItemLine>,
    pub totals: Vec<TotalLine>,
    /// Closing notes (the logical time, that it is not a tax invoice).
    pub notes: Vec<String>,
}

impl InvoiceDocument {
    pub fn new(i: &Invoice, copy: InvoiceCopy) -> InvoiceDocument {
        let mut totals = vec![TotalLine {
            label: "TOTAL".into(),
            amount: format::money(i.total),
            strong: true,
        }];
        if copy == InvoiceCopy::Seller {
            totals.push(TotalLine {
                label: format!(
                    "Comisión de VentaLibre ({}) a cargo de quien vende",
                    format::percent(i.commission_bp)
                ),
                amount: format::money(-i.commission),
                strong: false,
            });
            totals.push(TotalLine {
                label: "Neto para quien vende".into(),
                amount: format::money(i.total - i.commission),
                strong: false,
            });
        }
        let kind = match i.kind {
            super::Kind::Used => "Usado",
            super::Kind::New => "Nuevo",
        };
        InvoiceDocument {
            number: invoice_number(i.number),
            copy,
            copy_line: format!("{} — {}", copy.label(), copy.audience()),
            issued: format::datetime_of_ms(i.issued_ms),
            seller: Party {
                role: "Vendedor",
                name: i.seller_name.clone(),
                email: i.seller_email.clone(),
                user_id: i.seller_id,
                address: None,
            },
            buyer: Party {
                role: "Comprador",
                name: i.buyer_name.clone(),
                email: i.buyer_email.clone(),
                user_id: i.buyer_id,
                address: Some(i.buyer_address.clone()),
            },
            items: vec![ItemLine {
                quantity: format::integer(i.quantity as i64),
                description: i.title.clone(),
                detail: format!("{kind} · publicación {}", i.pub_id),
                unit_price: format::money(i.unit_price),
                amount: format::money(i.total),
            }],
            totals,
            notes: vec![
                format!(
                    "Emitida por VentaLibre en la carpeta compartida; marca de tiempo lógica {}.",
                    i.lamport
                ),
                "Documento no válido como factura fiscal.".into(),
            ],
        }
    }

    /// The document as plain text, 72 columns wide; the article's title wraps, never cut.
    pub fn to_text(&self) -> String {
        const WIDTH: usize = 72;
        const DESC: usize = 34;
        let rule = "─".repeat(WIDTH);
        let mut s = String::new();
        let head_left = "VentaLibre";
        let head_right = format!("FACTURA N.º {}", self.number);
        s += &pad_between(head_left, &head_right, WIDTH);
        s += "\n";
        s += &pad_between(&self.copy_line, &format!("Fecha: {}", self.issued), WIDTH);
        s += "\n";
        s += &rule;
        s += "\n";
        for p in [&self.seller, &self.buyer] {
            s += &format!(
                "{:<10} {} <{}> (usuario {})\n",
                format!("{}:", p.role),
                p.name,
                p.email,
                p.user_id
            );
            if let Some(a) = &p.address {
                s += &format!("{:<10} {a}\n", "Domicilio:");
            }
        }
        s += &rule;
        s += "\n";
        s += &format!(
            "{:>5}  {:<DESC$}  {:>13}  {:>13}\n",
            "Cant.", "Artículo", "P. unitario", "Importe"
        );
        for it in &self.items {
            let lines = wrap(&it.description, DESC);
            for (n, l) in lines.iter().enumerate() {
                if n == 0 {
                    s += &format!(
                        "{:>5}  {:<DESC$}  {:>13}  {:>13}\n",
                        it.quantity, l, it.unit_price, it.amount
                    );
                } else {
                    s += &format!("{:>5}  {l}\n", "");
                }
            }
            for l in wrap(&it.detail, DESC) {
                s += &format!("{:>5}  {l}\n", "");
            }
        }
        s += &rule;
        s += "\n";
        for t in &self.totals {
            s += &pad_between(&format!("{}:", t.label), &t.amount, WIDTH);
            s += "\n";
        }
        s += &rule;
        s += "\n";
        for n in &self.notes {
            for l in wrap(n, WIDTH) {
                s += &l;
                s += "\n";
            }
        }
        s
    }
}

impl InvoiceDocument {
    /// The document as a one-page A4 PDF.
    pub fn to_pdf(&self) -> Vec<u8> {
        use super::pdf::{A4, BLACK, Font, Page, Rgb, document, wrap};
        const GREY: Rgb = (0.38, 0.38, 0.38);
        const LIGHT: Rgb = (0.92, 0.94, 0.93);
        const RULE: Rgb = (0.75, 0.75, 0.75);
        const BRAND: Rgb = (0.05, 0.42, 0.30);
        let (w, h) = A4;
        let (left, right) = (50.0, w - 50.0);
        let mut p = Page::new();

        // Heading: the brand on the left, the invoice's number and date in a box on the right.
        let mut y = h - 70.0;
        p.text(left, y, Font::Bold, 24.0, BRAND, "VentaLibre");
        p.text(
            left,
            y - 16.0,
            Font::Regular,
            9.0,
            GREY,
            "Compraventa en red local",
        );
        let box_w = 210.0;
        let box_x = right - box_w;
        p.frame(box_x, y - 34.0, box_w, 58.0, 0.8, BLACK);
        p.text(box_x + 10.0, y + 6.0, Font::Bold, 16.0, BLACK, "FACTURA");
        p.text_right(
            right - 10.0,
            y + 6.0,
            Font::Bold,
            9.0,
            BRAND,
            self.copy.label(),
        );
        p.text(
            box_x + 10.0,
            y - 10.0,
            Font::Regular,
            11.0,
            BLACK,
            &format!("N.º {}", self.number),
        );
        p.text(
            box_x + 10.0,
            y - 25.0,
            Font::Regular,
            9.0,
            BLACK,
            &format!("Fecha de emisión: {}", self.issued),
        );
        y -= 50.0;
        p.text_right(
            right,
            y,
            Font::Regular,
            8.0,
            GREY,
            &capitalized(self.copy.audience()),
        );
        y -= 12.0;
        p.line((left, y), (right, y), 0.8, RULE);

        // The parties, side by side.
        y -= 18.0;
        let col_w = (right - left - 20.0) / 2.0;
        let mut lowest = y;
        for (i, party) in [&self.seller, &self.buyer].into_iter().enumerate() {
            let x = left + i as f32 * (col_w + 20.0);
            let mut yy = y;
            p.text(x, yy, Font::Bold, 9.0, GREY, &party.role.to_uppercase());
            yy -= 14.0;
            for l in wrap(&party.name, Font::Bold, 11.0, col_w) {
                p.text(x, yy, Font::Bold, 11.0, BLACK, &l);
                yy -= 13.0;
            }
            let mut info = vec![party.email.clone(), format!("Usuario {}", party.user_id)];
            if let Some(a) = &party.address {
                info.push(format!("Domicilio: {a}"));
            }
            for line in info {
                for l in wrap(&line, Font::Regular, 9.5, col_w) {
                    p.text(x, yy, Font::Regular, 9.5, BLACK, &l);
                    yy -= 12.0;
                }
            }
            lowest = lowest.min(yy);
        }
        y = lowest - 14.0;

        // The items: header band, then each line with its full title wrapped.
        let qty_right = left + 34.0;
        let desc_x = left + 46.0;
        let amount_right = right - 6.0;
        let unit_right = amount_right - 92.0;
        let desc_w = unit_right - 80.0 - desc_x;
        p.fill(left, y - 6.0, right - left, 20.0, LIGHT);
        p.text_right(qty_right, y, Font::Bold, 9.0, BLACK, "Cant.");
        p.text(desc_x, y, Font::Bold, 9.0, BLACK, "Artículo");
        p.text_right(unit_right, y, Font::Bold, 9.0, BLACK, "P. unitario");
        p.text_right(amount_right, y, Font::Bold, 9.0, BLACK, "Importe");
        y -= 24.0;
        for it in &self.items {
            p.text_right(qty_right, y, Font::Regular, 10.0, BLACK, &it.quantity);
            p.text_right(unit_right, y, Font::Regular, 10.0, BLACK, &it.unit_price);
            p.text_right(amount_right, y, Font::Regular, 10.0, BLACK, &it.amount);
            for l in wrap(&it.description, Font::Regular, 10.0, desc_w) {
                p.text(desc_x, y, Font::Regular, 10.0, BLACK, &l);
                y -= 13.0;
            }
            for l in wrap(&it.detail, Font::Regular, 8.5, desc_w) {
                p.text(desc_x, y, Font::Regular, 8.5, GREY, &l);
                y -= 11.0;
            }
            y -= 6.0;
            p.line((left, y + 4.0), (right, y + 4.0), 0.5, RULE);
            y -= 8.0;
        }

        // Totals, right-aligned.
        y -= 6.0;
        for t in &self.totals {
            let (font, size) = if t.strong {
                (Font::Bold, 12.0)
            } else {
                (Font::Regular, 9.5)
            };
            let label_right = amount_right - 110.0;
            for (n, l) in wrap(&format!("{}:", t.label), font, size, label_right - left)
                .iter()
                .enumerate()
            {
                if n > 0 {
                    y -= size + 3.0;
                }
                p.text_right(label_right, y, font, size, BLACK, l);
            }
            p.text_right(amount_right, y, font, size, BLACK, &t.amount);
            y -= size + 8.0;
        }

        // Notes at the foot of the page.
        let mut fy = 70.0;
        p.line((left, fy + 14.0), (right, fy + 14.0), 0.5, RULE);
        for n in &self.notes {
            for l in wrap(n, Font::Regular, 8.0, right - left) {
                p.text(left, fy, Font::Regular, 8.0, GREY, &l);
                fy -= 11.0;
            }
        }
        document(&format!("Factura {}", self.number), vec![p])
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `left` and `right` on one line of `width` characters (on two when they do not fit).
fn pad_between(left: &str, right: &str, width: usize) -> String {
    let (l, r) = (left.chars().count(), right.chars().count());
    if l + 1 + r <= width {
        format!("{left}{}{right}", " ".repeat(width - l - r))
    } else {
        format!("{left}\n{right:>width$}")
    }
}

/// Splits `text` into lines of at most `width` characters at spaces; a longer word is cut
/// across lines, so nothing is lost.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let cur_len = cur.chars().count();
            let room = if cur_len == 0 {
                width
            } else {
                width.saturating_sub(cur_len + 1)
            };
            if word.len() <= room {
                if cur_len > 0 {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                break;
            }
            if cur_len > 0 {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            // A word longer than a whole line.
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Kind;

    pub(crate) fn sample() -> Invoice {
        Invoice {
            number: 29,
            sale_pos: 28,
            pub_id: 12,
            issued_ms: 1_780_000_000_000,
            buyer_id: 7,
            buyer_name: "Pérez, Ana".into(),
            buyer_email: "ana@ejemplo.com.ar".into(),
            buyer_address: "San Martín 123, Córdoba".into(),
            seller_id: 3,
            seller_name: "Gómez, Luis".into(),
            seller_email: "luis@ejemplo.com.ar".into(),
            title: "Bicicleta rodado 29 con cambios Shimano y frenos a disco hidráulicos, poco uso"
                .into(),
            quantity: 1,
            unit_price: 15_005_050,
            total: 15_005_050,
            commission_bp: 1250,
            commission: 1_875_631,
            kind: Kind::Used,
            lamport: 4711,
        }
    }

    fn session(id: u64, admin: bool) -> Session {
        Session {
            user_id: id,
            email: String::new(),
            name: String::new(),
            admin,
        }
    }

    #[test]
    fn numbered_like_an_argentine_invoice() {
        assert_eq!(invoice_number(29), "0001-00000029");
        let t = InvoiceDocument::new(&sample(), InvoiceCopy::Buyer).to_text();
        assert!(t.contains("FACTURA N.º 0001-00000029"), "{t}");
        assert!(t.contains("$ 150.050,50"), "{t}");
    }

    #[test]
    fn keeps_the_full_title() {
        let t = InvoiceDocument::new(&sample(), InvoiceCopy::Buyer).to_text();
        let words: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains(
                "Bicicleta rodado 29 con cambios $ 150.050,50 $ 150.050,50 Shimano y frenos a disco hidráulicos, poco uso"
            ),
            "{t}"
        );
        assert!(t.lines().all(|l| l.chars().count() <= 72), "{t}");
    }

    #[test]
    fn the_buyers_copy_has_no_commission() {
        let i = sample();
        let buyer = InvoiceDocument::new(&i, InvoiceCopy::Buyer).to_text();
        assert!(buyer.contains("ORIGINAL"));
        assert!(!buyer.to_lowercase().contains("comisi"), "{buyer}");
        assert!(!buyer.contains("18.756,31"), "{buyer}");
        let seller = InvoiceDocument::new(&i, InvoiceCopy::Seller).to_text();
        assert!(seller.contains("DUPLICADO"));
        assert!(
            seller.contains("Comisión de VentaLibre (12,5 %)"),
            "{seller}"
        );
        assert!(seller.contains("-$ 18.756,31"), "{seller}");
        assert!(seller.contains("$ 131.294,19"), "{seller}");
    }

    #[test]
    fn who_gets_which_copy() {
        let i = sample();
        assert_eq!(
            InvoiceCopy::for_viewer(&i, &session(7, false)),
            InvoiceCopy::Buyer
        );
        assert_eq!(
            InvoiceCopy::for_viewer(&i, &session(3, false)),
            InvoiceCopy::Seller
        );
        assert_eq!(
            InvoiceCopy::for_viewer(&i, &session(1, true)),
            InvoiceCopy::Seller
        );
        assert!(InvoiceCopy::Seller.allowed(&i, &session(7, false)).is_err());
        assert!(InvoiceCopy::Buyer.allowed(&i, &session(3, false)).is_ok());
        assert!(InvoiceCopy::Seller.allowed(&i, &session(1, true)).is_ok());
    }

    #[test]
    fn the_pdf_is_one_page_with_the_number_and_no_commission_for_the_buyer() {
        let buyer = InvoiceDocument::new(&sample(), InvoiceCopy::Buyer).to_pdf();
        assert!(buyer.starts_with(b"%PDF-"));
        assert!(
            String::from_utf8_lossy(&buyer).contains("/Count 1"),
            "one page"
        );
        let text = crate::domain::pdf::shown_text(&buyer);
        assert!(text.contains("N.º 0001-00000029"), "{text}");
        assert!(text.contains("Bicicleta rodado 29 con"), "{text}");
        assert!(text.contains("hidráulicos, poco uso"), "{text}");
        assert!(text.contains("$ 150.050,50"), "{text}");
        assert!(!text.contains("Comisi"), "{text}");
        let seller = InvoiceDocument::new(&sample(), InvoiceCopy::Seller).to_pdf();
        let text = crate::domain::pdf::shown_text(&seller);
        assert!(text.contains("Comisión de VentaLibre"), "{text}");
        assert!(text.contains("DUPLICADO"), "{text}");
    }

    #[test]
    fn wrap_never_loses_text() {
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("uno dos tres", 7), vec!["uno dos", "tres"]);
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("a abcdefghij", 5), vec!["a", "abcde", "fghij"]);
    }
}
