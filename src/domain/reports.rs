//! The administrator's listings, as plain tables (title, columns, rows, totals at the foot)
//! that the console prints, the GUI shows and both export to CSV.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::catalog::{Ctx, date_of_ms, datetime_of_ms, end_of_day_ms, start_of_day_ms};
use super::market::*;
use super::records::*;
use super::trade::{all_sales, conversation_view, purchases_of, sale_view};
use super::{DResult, Market, format, format_cents, invalid, not_found};
use crate::storage::Tx;

/// A listing. Cells hold machine text (`1234.50`, `2026-12-31`, `12.50`), which is what JSON
/// carries; `kinds` says what each column holds, so the text table shows Argentine formats
/// (`$ 1.234,50`, `31/12/2026`, `12,5 %`) and the CSV gives Excel numbers and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub name: String,
    pub title: String,
    pub columns: Vec<String>,
    /// What each column holds (missing entries are [`Kind::Text`]).
    pub kinds: Vec<ColumnKind>,
    pub rows: Vec<Vec<String>>,
    /// Totals at the foot (same width as `columns`; empty when the listing has none).
    pub footer: Vec<String>,
}

/// What a report column holds. A cell that does not parse as its column's kind (`-`, a
/// footer's "38 ventas") is shown as the text it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnKind {
    #[default]
    Text,
    /// A number that names something (a sale, a user): never grouped.
    Id,
    /// A quantity: `1.234` in text.
    Count,
    /// Cents written `1234.50`: `$ 1.234,50` in text, `1234,50` in CSV.
    Money,
    /// Percentage written `12.50`: `12,5 %` in text, `12,5` in CSV.
    Percent,
    /// `2026-12-31`: `31/12/2026`.
    Date,
    /// `2026-12-31 14:05`: `31/12/2026 14:05`.
    DateTime,
}

/// A cell's value, read from its machine text by its column's kind.
enum Value<'a> {
    Text(&'a str),
    Int(i64),
    Cents(i64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl ColumnKind {
    fn is_number(self) -> bool {
        matches!(
            self,
            ColumnKind::Id | ColumnKind::Count | ColumnKind::Money | ColumnKind::Percent
        )
    }

    fn value(self, cell: &str) -> Value<'_> {
        let v = match self {
            ColumnKind::Text => None,
            ColumnKind::Id | ColumnKind::Count => cell.parse().ok().map(Value::Int),
            ColumnKind::Money | ColumnKind::Percent => machine_cents(cell).map(Value::Cents),
            ColumnKind::Date => NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                .ok()
                .map(Value::Date),
            ColumnKind::DateTime => NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M")
                .ok()
                .map(Value::DateTime),
        };
        v.unwrap_or(Value::Text(cell))
    }

    /// The cell as a person reads it (Argentine formats).
    pub fn display(self, cell: &str) -> String {
        match (self, self.value(cell)) {
            (_, Value::Text(t)) => t.to_string(),
            (ColumnKind::Count, Value::Int(n)) => format::integer(n),
            (_, Value::Int(n)) => n.to_string(),
            (ColumnKind::Percent, Value::Cents(c)) => format::percent(c.max(0) as u32),
            (_, Value::Cents(c)) => format::money(c),
            (_, Value::Date(d)) => format::date(d),
            (_, Value::DateTime(t)) => t.format("%d/%m/%Y %H:%M").to_string(),
        }
    }

    /// The cell for a spreadsheet with Argentine settings: numbers with a decimal comma and no
    /// grouping or symbols (so Excel reads a number), dates `dd/mm/aaaa`.
    fn spreadsheet(self, cell: &str) -> String {
        match (self, self.value(cell)) {
            (_, Value::Text(t)) => t.to_string(),
            (_, Value::Int(n)) => n.to_string(),
            (ColumnKind::Percent, Value::Cents(c)) => {
                format::percent_number(c.max(0) as u32).replace('.', "")
            }
            (_, Value::Cents(c)) => format::amount(c).replace('.', ""),
            (_, Value::Date(d)) => format::date(d),
            (_, Value::DateTime(t)) => t.format("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

/// "1234.50" / "-12.5" / "7" (what `format_cents` writes) into cents.
fn machine_cents(s: &str) -> Option<i64> {
    let (neg, t) = match s.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, s),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let units: i64 = int.parse().ok()?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let v = units.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -v } else { v })
}

/// Parameters some listings need.
#[derive(Debug, Clone, Default)]
pub struct ReportParams {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub user: Option<String>,
    pub category: Option<u64>,
}

/// (name, description, parameters) of every listing.
pub const REPORTS: [(&str, &str, &str); 11] = [
    (
        "categorias",
        "Listado general de categorías con la cantidad de publicaciones",
        "",
    ),
    (
        "ranking-categorias",
        "Categorías con más artículos: en venta, vendidos, pausados, bloqueados",
        "",
    ),
    ("usuarios-bloqueados", "Usuarios bloqueados", ""),
    ("mejores-vendedores", "Usuarios que hicieron más ventas", ""),
    (
        "compras-de-usuario",
        "Artículos comprados por un usuario",
        "--user",
    ),
    (
        "ventas-por-calificacion",
        "Ventas según la calificación, entre fechas",
        "--from --to",
    ),
    (
        "conversaciones-comprador",
        "Conversaciones de un usuario comprador",
        "--user",
    ),
    (
        "conversaciones-vendedor",
        "Conversaciones de un usuario vendedor",
        "--user",
    ),
    (
        "publicaciones-de-vendedor",
        "Publicaciones de un vendedor con estado, comprador y comisión",
        "--user",
    ),
    (
        "ventas-entre-fechas",
        "Ventas entre dos fechas con comisión y estado de cobro",
        "--from --to",
    ),
    (
        "vencidas-sin-venta",
        "Publicaciones de una categoría que caducaron sin venta, entre fechas",
        "--category --from --to",
    ),
];

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

fn range(p: &ReportParams) -> DResult<(i64, i64)> {
    let (Some(f), Some(t)) = (p.from, p.to) else {
        return invalid("este listado necesita las fechas desde y hasta");
    };
    if f > t {
        return invalid(format!(
            "la fecha desde ({}) es posterior a la fecha hasta ({})",
            format::date(f),
            format::date(t)
        ));
    }
    Ok((start_of_day_ms(f), end_of_day_ms(t)))
}

fn need_user(tx: &mut impl Tx, p: &ReportParams) -> DResult<User> {
    match &p.user {
        Some(e) => user_by_email(tx, e),
        None => invalid("este listado necesita un usuario"),
    }
}

fn kinds(k: &[ColumnKind]) -> Vec<ColumnKind> {
    k.to_vec()
}

impl Report {
    /// The kind of column `i`.
    pub fn kind(&self, i: usize) -> ColumnKind {
        self.kinds.get(i).copied().unwrap_or_default()
    }

    /// Row `r` (or the footer, for `r == rows.len()`) as a person reads it.
    pub fn display_row(&self, row: &[String]) -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, c)| self.kind(i).display(c))
            .collect()
    }

    /// The foot in one line: "Totales: 38 ventas · Importe: $ 8.123,45 · …" (numbers carry
    /// their column's name); `None` when the listing has no foot.
    pub fn totals_line(&self) -> Option<String> {
        let parts: Vec<String> = self
            .footer
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty() && v.as_str() != "Totales")
            .map(|(i, v)| {
                let k = self.kind(i);
                let shown = k.display(v);
                match k.value(v) {
                    Value::Text(_) => shown,
                    _ => format!("{}: {shown}", self.columns.get(i).map_or("", |c| c)),
                }
            })
            .collect();
        (!parts.is_empty()).then(|| format!("Totales: {}", parts.join(" · ")))
    }

    /// CSV for a spreadsheet with Argentine settings (Excel in Spanish (Argentina), LibreOffice):
    /// UTF-8 with a byte-order mark, `;` between fields, CRLF line ends, numbers with a decimal
    /// comma and nothing else (`1234,50`, `12,5`: numbers, not text), dates `dd/mm/aaaa`. A
    /// field is quoted when it holds `;`, `"` or a line break; a text that a spreadsheet would
    /// run as a formula (starting with `=`, `+`, `-`, `@`) gets a leading `'`.
    pub fn to_csv(&self) -> String {
        let quote = |s: &str| {
            if s.contains([';', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let field = |i: usize, cell: &str, header: bool| {
            let k = if header {
                ColumnKind::Text
            } else {
                self.kind(i)
            };
            let v = k.spreadsheet(cell);
            let is_text = header || matches!(k.value(cell), Value::Text(_));
            if is_text && v.starts_with(['=', '+', '-', '@', '\t']) {
                quote(&format!("'{v}"))
            } else {
                quote(&v)
            }
        };
        let mut out = String::from("\u{feff}");
        let mut line = |r: &[String], header: bool| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| field(i, c, header))
                .collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        };
        line(&self.columns, true);
        for r in &self.rows {
            line(r, false);
        }
        if !self.footer.is_empty() {
            line(&self.footer, false);
        }
        out
    }

    /// A plain-text table, line by line, for the console and for printing to a file: Argentine
    /// formats, numbers aligned to the right.
    pub fn to_text(&self) -> String {
        let shown: Vec<Vec<String>> = self.rows.iter().map(|r| self.display_row(r)).collect();
        let foot = self.display_row(&self.footer);
        let mut w: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for r in shown.iter().chain(std::iter::once(&foot)) {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count().min(40));
                }
            }
        }
        let fmt = |r: &[String]| {
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    let c: String = c.chars().take(40).collect();
                    let width = w.get(i).copied().unwrap_or(0);
                    if self.kind(i).is_number() {
                        format!("{c:>width$}")
                    } else {
                        format!("{c:<width$}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = format!("{}\n\n{}\n", self.title, fmt(&self.columns));
        out.push_str(&format!(
            "{}\n",
            w.iter()
                .map(|n| "-".repeat(*n))
                .collect::<Vec<_>>()
                .join("  ")
        ));
        for r in &shown {
            out.push_str(&fmt(r));
            out.push('\n');
        }
        if !self.footer.is_empty() {
            out.push_str(&format!(
                "{}\n",
                w.iter()
                    .map(|n| "=".repeat(*n))
                    .collect::<Vec<_>>()
                    .join("  ")
            ));
            out.push_str(&fmt(&foot));
            out.push('\n');
        }
        if self.rows.is_empty() {
            out.push_str("(sin datos)\n");
        }
        out
    }
}

impl Market {
    /// Runs the listing `name` (see [`REPORTS`]); administrator only.
    pub fn report(&self, s: &Session, name: &str, p: &ReportParams) -> DResult<Report> {
        self.read(|tx| {
            current_admin(tx, s)?;
            match name {
                "categorias" => categories_report(tx),
                "ranking-categorias" => ranking(tx),
                "usuarios-bloqueados" => blocked_users(tx),
                "mejores-vendedores" => top_sellers(tx),
                "compras-de-usuario" => {
                    let u = need_user(tx, p)?;
                    purchases_report(tx, &u)
                }
                "ventas-por-calificacion" => sales_by_rating(tx, p),
                "conversaciones-comprador" => {
                    let u = need_user(tx, p)?;
                    conversations_report(tx, &u, true)
                }
                "conversaciones-vendedor" => {
                    let u = need_user(tx, p)?;
                    conversations_report(tx, &u, false)
                }
                "publicaciones-de-vendedor" => {
                    let u = need_user(tx, p)?;
                    seller_publications(tx, &u)
                }
                "ventas-entre-fechas" => sales_between(tx, p),
                "vencidas-sin-venta" => expired_unsold(tx, p),
                other => not_found(format!(
                    "no existe el listado «{other}»; los listados son: {}",
                    REPORTS.iter().map(|r| r.0).collect::<Vec<_>>().join(", ")
                )),
            }
        })
    }

    /// The event log in Lamport order (administrator only).
    pub fn events(&self, s: &Session) -> DResult<Vec<super::views::LoggedEvent>> {
        self.read(|tx| {
            current_admin(tx, s)?;
            // A block's event keeps only the start of its reason; the blocks file has it all.
            let reasons = super::blocks::reasons_by_event(tx)?;
            Ok(crate::storage::events::read_events(tx)?
                .into_iter()
                .map(|e| {
                    let mut v = super::views::LoggedEvent::from(e);
                    if let Some(r) = reasons.get(&v.lamport)
                        && let Some((what, _)) = v.detail.split_once(": ")
                    {
                        v.detail = format!("{what}: {r}");
                    }
                    v
                })
                .collect())
        })
    }
}

/// Per category: (key, name, published, sold, paused, blocked, cancelled, total).
pub(crate) fn category_counts(tx: &mut impl Tx) -> DResult<Vec<(u64, String, [u64; 6])>> {
    let mut out = Vec::new();
    let now = crate::storage::ident::now_ms();
    for (key, v) in CATEGORIES.iter(tx)? {
        let c = Category::decode(&v);
        let mut n = [0u64; 6];
        for p in {
            let ps = BY_CATEGORY.find(tx, key)?;
            pubs_at(tx, ps)?
        } {
            let i = match p.state {
                PubState::Published if p.expired(now) => 4,
                PubState::Published => 0,
                PubState::Sold => 1,
                PubState::Paused => 2,
                PubState::Blocked => 3,
                PubState::Cancelled => 4,
            };
            n[i] += 1;
            n[5] += 1;
        }
        out.push((key, c.name.to_string(), n));
    }
    Ok(out)
}

fn categories_report(tx: &mut impl Tx) -> DResult<Report> {
    let counts = category_counts(tx)?;
    let cats = categories_map(tx)?;
    let total: u64 = counts.iter().map(|c| c.2[5]).sum();
    Ok(Report {
        name: "categorias".into(),
        title: "Listado general de categorías".into(),
        columns: cols(&["Clave", "Categoría", "Comisión %", "Publicaciones"]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Percent,
            ColumnKind::Count,
        ]),
        rows: counts
            .iter()
            .map(|(k, name, n)| {
                vec![
                    k.to_string(),
                    name.clone(),
                    format_cents(cats[k].commission_bp as i64),
                    n[5].to_string(),
                ]
            })
            .collect(),
        footer: vec![
            "".into(),
            format!("{} categorías", counts.len()),
            "".into(),
            total.to_string(),
        ],
    })
}

fn ranking(tx: &mut impl Tx) -> DResult<Report> {
    let mut counts = category_counts(tx)?;
    counts.sort_by(|a, b| b.2[5].cmp(&a.2[5]).then(a.0.cmp(&b.0)));
    let mut tot = [0u64; 6];
    for c in &counts {
        for i in 0..6 {
            tot[i] += c.2[i];
        }
    }
    Ok(Report {
        name: "ranking-categorias".into(),
        title: "Categorías con mayor cantidad de artículos".into(),
        columns: cols(&[
            "Clave",
            "Categoría",
            "En venta",
            "Vendidos",
            "Pausados",
            "Bloqueados",
            "Total",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Count,
            ColumnKind::Count,
            ColumnKind::Count,
            ColumnKind::Count,
            ColumnKind::Count,
        ]),
        rows: counts
            .iter()
            .map(|(k, name, n)| {
                vec![
                    k.to_string(),
                    name.clone(),
                    n[0].to_string(),
                    n[1].to_string(),
                    n[2].to_string(),
                    n[3].to_string(),
                    n[5].to_string(),
                ]
            })
            .collect(),
        footer: vec![
            "".into(),
            "Totales".into(),
            tot[0].to_string(),
            tot[1].to_string(),
            tot[2].to_string(),
            tot[3].to_string(),
            tot[5].to_string(),
        ],
    })
}

fn blocked_users(tx: &mut impl Tx) -> DResult<Report> {
    let mut users: Vec<User> = users_by_id(tx)?
        .into_values()
        .filter(|u| u.is_blocked())
        .collect();
    users.sort_by_key(|u| u.id);
    Ok(Report {
        name: "usuarios-bloqueados".into(),
        title: "Usuarios bloqueados".into(),
        columns: cols(&[
            "Id",
            "Apellido y nombre",
            "Email",
            "Teléfono",
            "Provincia",
            "Última conexión",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::DateTime,
        ]),
        rows: users
            .iter()
            .map(|u| {
                vec![
                    u.id.to_string(),
                    u.name.to_string(),
                    u.email.to_string(),
                    if u.phone.is_empty() {
                        "-".into()
                    } else {
                        u.phone.clone()
                    },
                    super::provinces::name(u.province).into(),
                    datetime_of_ms(u.last_login_ms),
                ]
            })
            .collect(),
        footer: vec![
            format!("{} usuarios", users.len()),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
    })
}

fn top_sellers(tx: &mut impl Tx) -> DResult<Report> {
    let ctx = Ctx::load(tx)?;
    let mut by: HashMap<u64, (u64, i64, u64)> = HashMap::new();
    for (_, s) in all_sales(tx)? {
        let e = by.entry(s.seller).or_default();
        e.0 += 1;
        e.1 += s.price;
        if s.rating == Rating::Recommend {
            e.2 += 1;
        }
    }
    let mut v: Vec<(u64, (u64, i64, u64))> = by.into_iter().collect();
    v.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then(b.1.1.cmp(&a.1.1))
            .then(a.0.cmp(&b.0))
    });
    Ok(Report {
        name: "mejores-vendedores".into(),
        title: "Usuarios con más ventas".into(),
        columns: cols(&[
            "Puesto",
            "Id",
            "Vendedor",
            "Email",
            "Ventas",
            "Importe vendido",
            "Recomendaciones",
        ]),
        kinds: kinds(&[
            ColumnKind::Count,
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Count,
            ColumnKind::Money,
            ColumnKind::Count,
        ]),
        rows: v
            .iter()
            .enumerate()
            .map(|(i, (id, (n, amount, rec)))| -> DResult<Vec<String>> {
                let u = ctx.user(tx, *id)?;
                let u = u.as_deref();
                Ok(vec![
                    (i + 1).to_string(),
                    id.to_string(),
                    u.map_or("(baja)".into(), |u| u.name.to_string()),
                    u.map_or("-".into(), |u| u.email.to_string()),
                    n.to_string(),
                    format_cents(*amount),
                    rec.to_string(),
                ])
            })
            .collect::<DResult<_>>()?,
        footer: Vec::new(),
    })
}

fn purchases_report(tx: &mut impl Tx, u: &User) -> DResult<Report> {
    let sales = purchases_of(tx, u.id)?;
    let total: i64 = sales.iter().map(|s| s.price_cents).sum();
    Ok(Report {
        name: "compras-de-usuario".into(),
        title: format!("Artículos comprados por {} ({})", u.name, u.email),
        columns: cols(&[
            "Venta",
            "Fecha",
            "Publicación",
            "Artículo",
            "Vendedor",
            "Importe",
            "Calificación",
            "Factura",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::DateTime,
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Money,
            ColumnKind::Text,
            ColumnKind::Id,
        ]),
        rows: sales
            .iter()
            .map(|s| {
                vec![
                    s.sale.to_string(),
                    datetime_of_ms(s.sold_ms),
                    s.publication.to_string(),
                    s.title.clone(),
                    s.seller_name.clone(),
                    s.price.clone(),
                    s.rating.label().into(),
                    s.invoice.to_string(),
                ]
            })
            .collect(),
        footer: vec![
            format!("{} compras", sales.len()),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            format_cents(total),
            "".into(),
            "".into(),
        ],
    })
}

fn sales_by_rating(tx: &mut impl Tx, p: &ReportParams) -> DResult<Report> {
    let (from, to) = range(p)?;
    let ctx = Ctx::load(tx)?;
    let mut v: Vec<_> = all_sales(tx)?
        .into_iter()
        .filter(|(_, s)| s.sold_ms >= from && s.sold_ms <= to)
        .collect();
    v.sort_by_key(|(pos, s)| (s.rating as u8, *pos));
    let mut counts = [0u64; 4];
    for (_, s) in &v {
        counts[s.rating as usize] += 1;
    }
    Ok(Report {
        name: "ventas-por-calificacion".into(),
        title: format!(
            "Ventas por calificación del {} al {}",
            day(p.from),
            day(p.to)
        ),
        columns: cols(&[
            "Calificación",
            "¿Le gustó?",
            "Venta",
            "Fecha",
            "Artículo",
            "Comprador",
            "Vendedor",
            "Importe",
        ]),
        kinds: kinds(&[
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Id,
            ColumnKind::DateTime,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Money,
        ]),
        rows: v
            .iter()
            .map(|(pos, s)| -> DResult<Vec<String>> {
                let sv = sale_view(tx, &ctx, *pos, s)?;
                let liked = match s.rating {
                    Rating::Recommend => "sí",
                    Rating::NotRecommend => "no",
                    Rating::Neutral => "indiferente",
                    Rating::Unrated => "-",
                };
                Ok(vec![
                    s.rating.label().into(),
                    liked.into(),
                    sv.sale.to_string(),
                    datetime_of_ms(s.sold_ms),
                    s.title.clone(),
                    sv.buyer_name,
                    sv.seller_name,
                    sv.price,
                ])
            })
            .collect::<DResult<_>>()?,
        footer: vec![
            format!(
                "recomendable {}, neutral {}, no recomendable {}, sin calificar {}",
                counts[1], counts[2], counts[3], counts[0]
            ),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            format_cents(v.iter().map(|(_, s)| s.price).sum()),
        ],
    })
}

fn conversations_report(tx: &mut impl Tx, u: &User, as_buyer: bool) -> DResult<Report> {
    let ctx = Ctx::load(tx)?;
    let mine: std::collections::HashSet<u64> = BY_SELLER
        .find(tx, u.id)?
        .into_iter()
        .map(|p| p + 1)
        .collect();
    let mut rows = Vec::new();
    let mut total = 0;
    let mut heads = MESSAGES.all_heads(tx)?;
    heads.sort_by(|a, b| b.last_time_ms.cmp(&a.last_time_ms));
    for h in heads {
        let relevant = if as_buyer {
            h.b == u.id
        } else {
            mine.contains(&h.a)
        };
        if !relevant {
            continue;
        }
        let c = conversation_view(tx, &ctx, &h, false)?;
        total += c.count;
        rows.push(vec![
            c.publication.to_string(),
            c.title,
            if as_buyer {
                c.seller_name
            } else {
                format!("{} ({})", c.buyer_name, c.buyer_email)
            },
            c.count.to_string(),
            c.unanswered.to_string(),
            datetime_of_ms(c.last_ms),
        ]);
    }
    Ok(Report {
        name: if as_buyer {
            "conversaciones-comprador"
        } else {
            "conversaciones-vendedor"
        }
        .into(),
        title: format!(
            "Conversaciones de {} como {}",
            u.email,
            if as_buyer { "comprador" } else { "vendedor" }
        ),
        columns: cols(&[
            "Publicación",
            "Artículo",
            if as_buyer { "Vendedor" } else { "Comprador" },
            "Mensajes",
            "Sin responder",
            "Último mensaje",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Count,
            ColumnKind::Count,
            ColumnKind::DateTime,
        ]),
        footer: vec![
            format!("{} conversaciones", rows.len()),
            "".into(),
            "".into(),
            total.to_string(),
            "".into(),
            "".into(),
        ],
        rows,
    })
}

fn seller_publications(tx: &mut impl Tx, u: &User) -> DResult<Report> {
    let pubs = Market::publications_of_seller(tx, u.id)?;
    Ok(Report {
        name: "publicaciones-de-vendedor".into(),
        title: format!("Publicaciones de {} ({})", u.name, u.email),
        columns: cols(&[
            "Id",
            "Publicada",
            "Cierre",
            "Artículo",
            "Precio",
            "Estado",
            "Comprador",
            "Calificación",
            "Comisión",
            "Cobrada",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Date,
            ColumnKind::Date,
            ColumnKind::Text,
            ColumnKind::Money,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Money,
            ColumnKind::Text,
        ]),
        rows: pubs
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    date_of_ms(p.published_ms),
                    p.closes.clone(),
                    p.title.to_string(),
                    p.price.clone(),
                    p.state_label.to_string(),
                    p.buyer_name.as_deref().unwrap_or("-").to_string(),
                    p.rating.map_or("-".into(), |r| r.label().into()),
                    p.commission.clone().unwrap_or_else(|| "-".into()),
                    p.commission_collected
                        .map_or("-".into(), |c| if c { "sí" } else { "no" }.into()),
                ]
            })
            .collect(),
        footer: vec![
            format!("{} publicaciones", pubs.len()),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
    })
}

fn sales_between(tx: &mut impl Tx, p: &ReportParams) -> DResult<Report> {
    let (from, to) = range(p)?;
    let ctx = Ctx::load(tx)?;
    let sales: Vec<_> = all_sales(tx)?
        .into_iter()
        .filter(|(_, s)| s.sold_ms >= from && s.sold_ms <= to)
        .collect();
    let (mut amount, mut comm, mut collected, mut pending) = (0i64, 0i64, 0i64, 0i64);
    let rows = sales
        .iter()
        .map(|(pos, s)| -> DResult<Vec<String>> {
            amount += s.price;
            comm += s.commission;
            if s.collected {
                collected += s.commission
            } else {
                pending += s.commission
            }
            let sv = sale_view(tx, &ctx, *pos, s)?;
            Ok(vec![
                datetime_of_ms(s.sold_ms),
                sv.sale.to_string(),
                s.title.clone(),
                format!("{} ({})", sv.buyer_name, sv.buyer_email),
                format!("{} ({})", sv.seller_name, sv.seller_email),
                sv.price,
                sv.commission_pct,
                sv.commission,
                if s.collected { "cobrada" } else { "pendiente" }.into(),
            ])
        })
        .collect::<DResult<Vec<_>>>()?;
    Ok(Report {
        name: "ventas-entre-fechas".into(),
        title: format!("Ventas del {} al {}", day(p.from), day(p.to)),
        columns: cols(&[
            "Fecha",
            "Venta",
            "Artículo",
            "Comprador",
            "Vendedor",
            "Importe",
            "Comisión %",
            "Comisión",
            "Cobro",
        ]),
        kinds: kinds(&[
            ColumnKind::DateTime,
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Money,
            ColumnKind::Percent,
            ColumnKind::Money,
            ColumnKind::Text,
        ]),
        rows,
        footer: vec![
            "Totales".into(),
            format!("{} ventas", sales.len()),
            "".into(),
            "".into(),
            "".into(),
            format_cents(amount),
            "".into(),
            format_cents(comm),
            format!(
                "cobrado {} / pendiente {}",
                format::money(collected),
                format::money(pending)
            ),
        ],
    })
}

fn expired_unsold(tx: &mut impl Tx, p: &ReportParams) -> DResult<Report> {
    let (from, to) = range(p)?;
    let Some(cat) = p.category else {
        return invalid("este listado necesita una categoría");
    };
    let ctx = Ctx::load(tx)?;
    let Some(c) = ctx.cats.get(&cat) else {
        return not_found(format!("no existe la categoría {cat}"));
    };
    let now = ctx.now;
    let mut rows = Vec::new();
    for pb in {
        let ps = BY_CATEGORY.find(tx, cat)?;
        pubs_at(tx, ps)?
    } {
        let expired =
            matches!(pb.state, PubState::Published | PubState::Paused) && pb.closes_ms < now;
        if expired && pb.closes_ms >= from && pb.closes_ms <= to {
            let seller = ctx.user(tx, pb.seller)?;
            let seller = seller.as_deref();
            rows.push(vec![
                pb.id.to_string(),
                pb.title.to_string(),
                seller.map_or("(baja)".into(), |u| u.name.to_string()),
                date_of_ms(pb.published_ms),
                date_of_ms(pb.closes_ms),
                format_cents(pb.price),
                pb.state.label().into(),
            ]);
        }
    }
    Ok(Report {
        name: "vencidas-sin-venta".into(),
        title: format!(
            "Publicaciones de «{}» que caducaron sin venta del {} al {}",
            c.name,
            day(p.from),
            day(p.to)
        ),
        columns: cols(&[
            "Id",
            "Artículo",
            "Vendedor",
            "Publicada",
            "Cierre",
            "Precio",
            "Estado",
        ]),
        kinds: kinds(&[
            ColumnKind::Id,
            ColumnKind::Text,
            ColumnKind::Text,
            ColumnKind::Date,
            ColumnKind::Date,
            ColumnKind::Money,
            ColumnKind::Text,
        ]),
        footer: vec![
            format!("{} publicaciones", rows.len()),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
        rows,
    })
}

/// A listing's date for its title ("-" when none was given).
fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), format::date)
}
