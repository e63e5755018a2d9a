//! Browsing and searching, for visitors and users: category, new / used, province, price
//! range, and words in the name and description (name matches first; plurals and accents
//! folded). Results come a page at a time (`Market::browse_page`): the table is as long as the
//! total but holds only the pages of the rows in view, asks for the next ones as it scrolls,
//! and asks for the thumbnails of the rows in view only. The price and publication columns sort
//! by a click on their header (the orders the indexes serve). When the share changes, the
//! pages in view are read again in place (the old rows stay until the new ones arrive).

use std::collections::HashMap;

use egui::{Align, Layout, RichText, Sense, TextEdit, Ui};
use egui_extras::{Column, TableBuilder};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{
    date, enter_pressed, focus_once, keep_together, money, placeholder, right_aligned,
};
use crate::domain::catalog::{BrowseFilter, Page, PublicationView, SortOrder};
use crate::domain::phrases::counted;
use crate::domain::provinces::{self, PROVINCES};
use crate::domain::{DResult, Kind};

pub const ROW_HEIGHT: f32 = 44.0;
const THUMB: f32 = 40.0;
/// Rows per page read from the share.
pub const PAGE_ROWS: usize = 50;

/// The pages read for one filter: page number → (generation read at, rows).
#[derive(Default)]
struct Pages {
    filter: Option<BrowseFilter>,
    total: Option<u64>,
    /// Generation of the share the total answers.
    total_generation: u64,
    pages: HashMap<u64, (u64, Vec<PublicationView>)>,
    /// (filter, generation, page number) being read.
    asked: Option<(BrowseFilter, u64, u64)>,
    job: Job<(BrowseFilter, u64, u64, DResult<Page>, f64)>,
    error: Option<String>,
    seconds: f64,
}

impl Pages {
    /// Takes a finished read.
    fn poll(&mut self) {
        let Some((f, generation, page, r, secs)) = self.job.poll() else {
            return;
        };
        self.asked = None;
        if self.filter.as_ref() != Some(&f) {
            return;
        }
        match r {
            Ok(p) => {
                if generation >= self.total_generation || self.total.is_none() {
                    self.total = Some(p.total);
                    self.total_generation = generation;
                }
                self.pages.insert(page, (generation, p.items));
                self.error = None;
                self.seconds = secs;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Starts the read of the first page among `wanted` that is missing, else the first read
    /// at an older generation (shown meanwhile), when nothing is being read.
    fn want(&mut self, ctx: &egui::Context, env: &Env, filter: &BrowseFilter, wanted: &[u64]) {
        if self.filter.as_ref() != Some(filter) {
            self.filter = Some(filter.clone());
            self.pages.clear();
            self.total = None;
            self.error = None;
            self.job.forget();
            self.asked = None;
        }
        if self.job.running() {
            return;
        }
        let g = env.generation;
        let missing = wanted.iter().find(|p| !self.pages.contains_key(p));
        let stale = || {
            wanted
                .iter()
                .find(|p| self.pages.get(p).is_some_and(|(pg, _)| *pg != g))
        };
        // The total must follow the share too, even when every page in view is fresh.
        let page = match missing.or_else(stale) {
            Some(p) => *p,
            None if self.total_generation != g => wanted.first().copied().unwrap_or(0),
            None => return,
        };
        // Pages out of view are dropped (the table never holds the whole result).
        self.pages
            .retain(|p, _| wanted.iter().any(|w| w.abs_diff(*p) <= 2));
        let f = filter.clone();
        let m = env.market.clone();
        self.asked = Some((f.clone(), g, page));
        self.job.start(ctx, move || {
            let t = std::time::Instant::now();
            let r = m.browse_page(&f, page * PAGE_ROWS as u64, PAGE_ROWS);
            (f, g, page, r, t.elapsed().as_secs_f64())
        });
    }

    fn row(&self, i: u64) -> Option<&PublicationView> {
        let (_, rows) = self.pages.get(&(i / PAGE_ROWS as u64))?;
        rows.get((i % PAGE_ROWS as u64) as usize)
    }
}

#[derive(Default)]
pub struct BrowseScreen {
    pub filter: BrowseFilter,
    /// The search as typed (applied with Enter or «Buscar»).
    pub search_text: String,
    /// The price range as typed (applied with Enter or «Buscar»).
    pub min_price_text: String,
    pub max_price_text: String,
    price_error: Option<String>,
    pages: Pages,
    /// Page numbers of the rows in view in the last frame.
    in_view: Vec<u64>,
    focus: bool,
    save_search: super::saved_searches::SaveSearchButton,
}

fn kind_label(k: Option<Kind>) -> &'static str {
    match k {
        None => "Nuevos y usados",
        Some(Kind::New) => "Solo nuevos",
        Some(Kind::Used) => "Solo usados",
    }
}

fn sort_label(s: SortOrder) -> &'static str {
    match s {
        SortOrder::Newest => "Más recientes primero",
        SortOrder::PriceAsc => "Precio: de menor a mayor",
        SortOrder::PriceDesc => "Precio: de mayor a menor",
    }
}

impl BrowseScreen {
    pub const TAB: Tab = Tab("explorar");

    /// The rows read so far from the first one on, in order (the first pages; the table
    /// itself shows whatever part is in view).
    pub fn rows(&self) -> Vec<PublicationView> {
        let mut out = Vec::new();
        let mut page = 0;
        while let Some((_, rows)) = self.pages.pages.get(&page) {
            out.extend(rows.iter().cloned());
            if rows.len() < PAGE_ROWS {
                break;
            }
            page += 1;
        }
        out
    }

    /// How many listings match the filter (as of the last page read).
    pub fn total(&self) -> Option<u64> {
        self.pages.total
    }

    /// Pages held in memory now (a handful, whatever the total).
    pub fn pages_held(&self) -> usize {
        self.pages.pages.len()
    }

    /// Seconds the last page read took on the worker thread.
    pub fn last_seconds(&self) -> f64 {
        self.pages.seconds
    }

    /// Whether the rows in view answer the current filter on the current data.
    pub fn up_to_date(&self, env: &Env) -> bool {
        !self.pages.job.running()
            && self.pages.filter.as_ref() == Some(&self.filter)
            && self.pages.total_generation == env.generation
            && self.pages.total.is_some()
            && self.in_view.iter().all(|p| {
                self.pages
                    .pages
                    .get(p)
                    .is_some_and(|(g, _)| *g == env.generation)
            })
    }

    /// Shows the listings `f` finds (a saved search opened): the filter, and the fields as if
    /// it had been typed.
    pub fn show_filter(&mut self, f: BrowseFilter) {
        let typed = |c: Option<i64>| {
            c.map(|c| money(c).trim_start_matches('$').trim().to_string())
                .unwrap_or_default()
        };
        self.search_text = f.search.clone().unwrap_or_default();
        self.min_price_text = typed(f.min_price);
        self.max_price_text = typed(f.max_price);
        self.price_error = None;
        self.filter = f;
    }

    /// The price range typed, applied to the filter; a bad amount is said and not applied.
    fn apply_prices(&mut self) {
        let parse = |t: &str| {
            let t = t.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                crate::domain::parse_cents(t).map(Some)
            }
        };
        match (parse(&self.min_price_text), parse(&self.max_price_text)) {
            (Ok(lo), Ok(hi)) => {
                self.filter.min_price = lo;
                self.filter.max_price = hi;
                self.price_error = match (lo, hi) {
                    (Some(a), Some(b)) if a > b => {
                        Some("el precio «desde» es mayor que el «hasta»".into())
                    }
                    _ => None,
                };
            }
            (Err(e), _) | (_, Err(e)) => self.price_error = Some(format!("precio: {e}")),
        }
    }

    fn filters(&mut self, ui: &mut Ui, env: &mut Env) {
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Categoría");
            let current = match self.filter.category {
                None => "Todas las categorías".to_string(),
                Some(k) => env.category_name(k),
            };
            egui::ComboBox::from_id_salt("filtro-categoria")
                .selected_text(current)
                .width(200.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.category, None, "Todas las categorías");
                    for c in &env.categories {
                        ui.selectable_value(
                            &mut self.filter.category,
                            Some(c.key),
                            c.name.as_str(),
                        );
                    }
                })
                .response
                .labelled_by(l.id);
            keep_together(ui, 210.0);
            let l = ui.label("Condición");
            egui::ComboBox::from_id_salt("filtro-condicion")
                .selected_text(kind_label(self.filter.kind))
                .show_ui(ui, |ui| {
                    for k in [None, Some(Kind::New), Some(Kind::Used)] {
                        ui.selectable_value(&mut self.filter.kind, k, kind_label(k));
                    }
                })
                .response
                .labelled_by(l.id);
            keep_together(ui, 260.0);
            let l = ui.label("Provincia");
            egui::ComboBox::from_id_salt("filtro-provincia")
                .selected_text(
                    self.filter
                        .province
                        .map_or("Todas las provincias", provinces::name),
                )
                .width(180.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.province, None, "Todas las provincias");
                    for (i, p) in PROVINCES.iter().enumerate() {
                        ui.selectable_value(&mut self.filter.province, Some(i as u8), *p);
                    }
                })
                .response
                .labelled_by(l.id);
            keep_together(ui, 220.0);
            let l = ui.label("Orden");
            egui::ComboBox::from_id_salt("filtro-orden")
                .selected_text(sort_label(self.filter.sort))
                .show_ui(ui, |ui| {
                    for s in [SortOrder::Newest, SortOrder::PriceAsc, SortOrder::PriceDesc] {
                        ui.selectable_value(&mut self.filter.sort, s, sort_label(s));
                    }
                })
                .response
                .labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Buscar en nombre y descripción");
            let r = ui
                .add(
                    TextEdit::singleline(&mut self.search_text)
                        .hint_text("por ejemplo: taladro")
                        .desired_width(260.0)
                        .min_size(egui::vec2(260.0, 0.0)),
                )
                .labelled_by(l.id);
            focus_once(&r, &mut self.focus);
            let mut enter = enter_pressed(ui, &r);
            keep_together(ui, 330.0);
            for (label, hint, text) in [
                ("Precio desde", "mínimo", &mut self.min_price_text),
                ("hasta", "máximo", &mut self.max_price_text),
            ] {
                let l = ui.label(label);
                let r = ui
                    .add(
                        TextEdit::singleline(text)
                            .hint_text(hint)
                            .desired_width(90.0)
                            .min_size(egui::vec2(90.0, 0.0)),
                    )
                    .labelled_by(l.id);
                enter |= enter_pressed(ui, &r);
            }
            if ui.button("Buscar").clicked() || enter {
                let t = self.search_text.trim();
                self.filter.search = (!t.is_empty()).then(|| t.to_string());
                self.apply_prices();
            }
            let any = self.filter != BrowseFilter::default()
                || !self.search_text.is_empty()
                || !self.min_price_text.is_empty()
                || !self.max_price_text.is_empty();
            if ui
                .add_enabled(any, egui::Button::new("Quitar filtros"))
                .clicked()
            {
                self.filter = BrowseFilter::default();
                self.search_text.clear();
                self.min_price_text.clear();
                self.max_price_text.clear();
                self.price_error = None;
            }
            if self.filter.category.is_some() || self.filter.search.is_some() {
                self.save_search.ui(ui, env, &self.filter);
            }
        });
        if let Some(e) = &self.price_error {
            bad_text(ui, e);
        }
        self.save_search.notice_ui(ui);
    }

    /// A header that sorts: the label as a button, with a small triangle pointing the way of
    /// the order in use (egui's default fonts have no arrows).
    fn sort_header(ui: &mut Ui, label: &str, sort: &mut SortOrder, orders: &[SortOrder]) {
        let current = orders.iter().position(|o| o == sort);
        let (hint, up) = match current.map(|i| orders[i]) {
            Some(SortOrder::PriceAsc) => ("Ordenado de menor a mayor precio", Some(true)),
            Some(SortOrder::PriceDesc) => ("Ordenado de mayor a menor precio", Some(false)),
            Some(SortOrder::Newest) => ("Ordenado de la más nueva a la más vieja", Some(false)),
            None => ("Ordenar por esta columna", None),
        };
        let r = ui
            .add(egui::Button::new(RichText::new(label).strong()).frame(false))
            .on_hover_text(if orders.len() > 1 {
                format!("{hint} (un clic invierte el orden)")
            } else {
                hint.to_string()
            });
        if let Some(up) = up {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), Sense::hover());
            let c = rect.center();
            let (tip, base) = if up { (-4.0, 3.0) } else { (4.0, -3.0) };
            ui.painter().add(egui::Shape::convex_polygon(
                vec![
                    egui::pos2(c.x, c.y + tip),
                    egui::pos2(c.x + 4.5, c.y + base),
                    egui::pos2(c.x - 4.5, c.y + base),
                ],
                ui.visuals().strong_text_color(),
                egui::Stroke::NONE,
            ));
        }
        if r.clicked() {
            *sort = match current {
                Some(i) => orders[(i + 1) % orders.len()],
                None => orders[0],
            };
        }
    }

    fn table(&mut self, ui: &mut Ui, env: &mut Env) {
        let total = self.pages.total.unwrap_or(0) as usize;
        let pages = &self.pages;
        let thumbs = &mut env.thumbs;
        let mut open = None;
        let mut sort = self.filter.sort;
        let (mut first, mut last) = (usize::MAX, 0usize);
        egui::ScrollArea::horizontal()
            .id_salt("resultados-h")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                TableBuilder::new(ui)
                    .id_salt("resultados")
                    .striped(true)
                    .sense(Sense::click())
                    .cell_layout(Layout::left_to_right(Align::Center))
                    .column(Column::exact(THUMB + 12.0))
                    .column(Column::remainder().at_least(220.0).clip(true))
                    .column(Column::exact(125.0))
                    .column(Column::exact(70.0))
                    .column(Column::exact(170.0).clip(true))
                    .column(Column::exact(150.0).clip(true))
                    .column(Column::exact(160.0).clip(true))
                    .column(Column::exact(105.0))
                    .min_scrolled_height(0.0)
                    .header(24.0, |mut h| {
                        for t in [
                            "Foto",
                            "Artículo",
                            "Precio",
                            "Condición",
                            "Categoría",
                            "Provincia",
                            "Vende",
                            "Publicada",
                        ] {
                            h.col(|ui| match t {
                                "Precio" => right_aligned(ui, |ui| {
                                    Self::sort_header(
                                        ui,
                                        t,
                                        &mut sort,
                                        &[SortOrder::PriceAsc, SortOrder::PriceDesc],
                                    );
                                }),
                                "Publicada" => {
                                    Self::sort_header(ui, t, &mut sort, &[SortOrder::Newest]);
                                }
                                _ => {
                                    ui.strong(t);
                                }
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(ROW_HEIGHT, total, |mut row| {
                            let i = row.index();
                            first = first.min(i);
                            last = last.max(i);
                            let Some(v) = pages.row(i as u64) else {
                                row.col(|ui| {
                                    placeholder(ui, egui::vec2(THUMB, THUMB), "");
                                });
                                row.col(|ui| {
                                    ui.label(RichText::new("…").weak());
                                });
                                return;
                            };
                            row.col(|ui| {
                                let size = egui::vec2(THUMB, THUMB);
                                match v.photo.as_deref().map(|h| (h, thumbs.get(h))) {
                                    Some((_, Some(t))) => {
                                        ui.add(
                                            egui::Image::from_texture(t)
                                                .fit_to_exact_size(size)
                                                .maintain_aspect_ratio(true)
                                                .alt_text("foto"),
                                        );
                                    }
                                    Some(_) => {
                                        placeholder(ui, size, "");
                                    }
                                    None => {
                                        placeholder(ui, size, "—").on_hover_text("sin foto");
                                    }
                                }
                            });
                            row.col(|ui| {
                                if ui.link(&*v.title).clicked() {
                                    open = Some(v.id);
                                }
                            });
                            row.col(|ui| {
                                right_aligned(ui, |ui| {
                                    ui.label(RichText::new(money(v.price_cents)).strong());
                                });
                            });
                            row.col(|ui| {
                                ui.label(v.kind.label());
                            });
                            row.col(|ui| {
                                ui.label(&*v.category_name);
                            });
                            row.col(|ui| {
                                ui.label(v.seller_province_name);
                            });
                            row.col(|ui| {
                                ui.label(&*v.seller_name);
                            });
                            row.col(|ui| {
                                ui.label(date(v.published_ms))
                                    .on_hover_text(format!("Cierra el {}", date(v.closes_ms)));
                            });
                            if row.response().clicked() {
                                open = Some(v.id);
                            }
                        });
                    });
            });
        self.filter.sort = sort;
        self.in_view = if first == usize::MAX {
            vec![0]
        } else {
            let (a, b) = (first / PAGE_ROWS, last / PAGE_ROWS);
            (a as u64..=b as u64).collect()
        };
        if let Some(id) = open {
            env.nav(Nav::Open(PublicationScreen::TAB, id));
        }
    }
}

impl Screen for BrowseScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, _env: &Env) -> Option<String> {
        Some("Explorar".into())
    }

    fn needs_session(&self) -> bool {
        false
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.pages.poll();
        self.save_search.poll(env);
    }

    /// What a visitor searched stays for the next one (nothing personal in it).
    fn reset(&mut self) {}

    fn entered(&mut self) {
        self.focus = true;
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.filters(ui, env);
        if self.in_view.is_empty() || self.pages.filter.as_ref() != Some(&self.filter) {
            self.in_view = vec![0];
        }
        let wanted = self.in_view.clone();
        self.pages.want(ui.ctx(), env, &self.filter, &wanted);
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            match self.pages.total {
                Some(0) => {
                    ui.label("Ninguna publicación a la venta con estos filtros");
                }
                Some(n) => {
                    ui.label(format!(
                        "{} a la venta",
                        counted(n, "publicación", "publicaciones")
                    ));
                }
                None => {}
            }
            if self.pages.job.running() {
                ui.spinner();
                ui.label(RichText::new("Buscando…").weak());
            }
        });
        if let Some(e) = &self.pages.error {
            bad_text(ui, e);
        }
        ui.separator();
        self.table(ui, env);
    }
}
