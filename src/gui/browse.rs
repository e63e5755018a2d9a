//! Browsing and searching, for visitors and users: category, new / used, province, price
//! order, and a search in name and description (name matches first). The results table only
//! lays out the rows in view (100,000 publications scroll smoothly), asks for the thumbnails
//! of those rows only, and scrolls sideways in a narrow window.

use egui::{Align, Layout, RichText, Sense, TextEdit, Ui};
use egui_extras::{Column, TableBuilder};

use super::env::{Env, Nav, Tab};
use super::loaded::Loaded;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{
    date, enter_pressed, focus_once, keep_together, money, placeholder, right_aligned,
};
use crate::domain::Kind;
use crate::domain::catalog::{BrowseFilter, PublicationView, SortOrder};
use crate::domain::phrases::counted;
use crate::domain::provinces::{self, PROVINCES};

pub const ROW_HEIGHT: f32 = 44.0;
const THUMB: f32 = 40.0;

#[derive(Default)]
pub struct BrowseScreen {
    pub filter: BrowseFilter,
    /// The search as typed (applied with Enter or «Buscar»).
    pub search_text: String,
    results: Loaded<(Vec<PublicationView>, f64), BrowseFilter>,
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

    /// The publications shown.
    pub fn rows(&self) -> &[PublicationView] {
        self.results.get().map_or(&[], |(r, _)| r.as_slice())
    }

    /// Seconds the last search took on the worker thread.
    pub fn last_seconds(&self) -> f64 {
        self.results.get().map_or(0.0, |(_, s)| *s)
    }

    /// Whether the rows shown answer the current filter on the current data.
    pub fn up_to_date(&self, env: &Env) -> bool {
        self.results.fresh(env.generation, &self.filter)
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
            let enter = enter_pressed(ui, &r);
            if ui.button("Buscar").clicked() || enter {
                let t = self.search_text.trim();
                self.filter.search = (!t.is_empty()).then(|| t.to_string());
            }
            let any = self.filter != BrowseFilter::default() || !self.search_text.is_empty();
            if ui
                .add_enabled(any, egui::Button::new("Quitar filtros"))
                .clicked()
            {
                self.filter = BrowseFilter::default();
                self.search_text.clear();
            }
            if self.filter.category.is_some() || self.filter.search.is_some() {
                self.save_search.ui(ui, env, &self.filter);
            }
        });
        self.save_search.notice_ui(ui);
    }

    fn table(&mut self, ui: &mut Ui, env: &mut Env) {
        let rows = self.rows();
        let thumbs = &mut env.thumbs;
        let mut open = None;
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
                    .column(Column::exact(110.0))
                    .column(Column::exact(70.0))
                    .column(Column::exact(170.0).clip(true))
                    .column(Column::exact(150.0).clip(true))
                    .column(Column::exact(160.0).clip(true))
                    .column(Column::exact(90.0))
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
                            "Cierra",
                        ] {
                            h.col(|ui| {
                                if t == "Precio" {
                                    right_aligned(ui, |ui| {
                                        ui.strong(t);
                                    });
                                } else {
                                    ui.strong(t);
                                }
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                            let v = &rows[row.index()];
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
                                if ui.link(&v.title).clicked() {
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
                                ui.label(&v.category_name);
                            });
                            row.col(|ui| {
                                ui.label(&v.seller_province_name);
                            });
                            row.col(|ui| {
                                ui.label(&v.seller_name);
                            });
                            row.col(|ui| {
                                ui.label(date(v.closes_ms));
                            });
                            if row.response().clicked() {
                                open = Some(v.id);
                            }
                        });
                    });
            });
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
        self.results.poll();
        self.save_search.poll(env);
    }

    /// What a visitor searched stays for the next one (nothing personal in it).
    fn reset(&mut self) {}

    fn entered(&mut self) {
        self.focus = true;
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.filters(ui, env);
        let m = env.market.clone();
        self.results
            .keep_fresh(ui.ctx(), env.generation, self.filter.clone(), |f| {
                move || {
                    let t = std::time::Instant::now();
                    let rows = m.browse(&f)?;
                    Ok((rows, t.elapsed().as_secs_f64()))
                }
            });
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let n = self.rows().len() as u64;
            ui.label(if n == 0 && self.results.get().is_some() {
                "Ninguna publicación a la venta con estos filtros".to_string()
            } else {
                format!("{} a la venta", counted(n, "publicación", "publicaciones"))
            });
            if self.results.loading() {
                ui.spinner();
                ui.label(RichText::new("Buscando…").weak());
            }
        });
        if let Some(e) = &self.results.error {
            bad_text(ui, e);
        }
        ui.separator();
        self.table(ui, env);
    }
}
