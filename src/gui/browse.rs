//! Browsing and searching, for visitors and users: category, new / used, province, price
//! order, and a search in name and description (name matches first). The results table
//! only lays out the rows in view (100,000 publications scroll smoothly) and asks for the
//! thumbnails of those rows only.

use egui::{Align, Layout, RichText, Sense, TextEdit, Ui};
use egui_extras::{Column, TableBuilder};

use super::common::{Job, Outcome, error_line, outcome};
use super::shell::{Env, Nav};
use crate::domain::Kind;
use crate::domain::catalog::{BrowseFilter, PublicationView, SortOrder};
use crate::domain::provinces::{self, PROVINCES};

pub const ROW_HEIGHT: f32 = 44.0;

type Results = (BrowseFilter, Outcome<Vec<PublicationView>>, f64);

#[derive(Default)]
pub struct BrowseScreen {
    pub filter: BrowseFilter,
    /// The search as typed (applied with Enter or «Buscar»).
    pub search_text: String,
    pub rows: Vec<PublicationView>,
    /// What `rows` answers: (generation, filter).
    shown: Option<(u64, BrowseFilter)>,
    /// What the running job answers.
    asked: Option<(u64, BrowseFilter)>,
    job: Job<Results>,
    pub error: Option<String>,
    /// Seconds the last search took on the worker thread.
    pub last_seconds: f64,
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
    /// Whether the rows shown answer the current filter on the current data.
    pub fn up_to_date(&self, env: &Env) -> bool {
        self.shown.as_ref() == Some(&(env.generation, self.filter.clone())) && !self.job.running()
    }

    pub fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        if let Some((f, r, secs)) = self.job.poll() {
            self.asked = None;
            match r {
                Ok(rows) => {
                    self.rows = rows;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
            self.shown = Some((env.generation, f));
            self.last_seconds = secs;
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.poll(ui.ctx(), env);
        self.filters(ui, env);
        let want = (env.generation, self.filter.clone());
        if self.shown.as_ref() != Some(&want) && self.asked.as_ref() != Some(&want) {
            self.asked = Some(want);
            let (m, f) = (env.market.clone(), self.filter.clone());
            self.job.start(ui.ctx(), move || {
                let t = std::time::Instant::now();
                let r = outcome(m.browse(&f));
                (f, r, t.elapsed().as_secs_f64())
            });
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let n = self.rows.len();
            ui.label(RichText::new(match n {
                0 => "Ninguna publicación a la venta con estos filtros".to_string(),
                1 => "1 publicación a la venta".to_string(),
                n => format!("{n} publicaciones a la venta"),
            }));
            if self.job.running() {
                ui.spinner();
                ui.label(RichText::new("buscando…").weak());
            }
        });
        error_line(ui, &self.error);
        ui.separator();
        self.table(ui, env);
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
        ui.horizontal(|ui| {
            let l = ui.label("Buscar en nombre y descripción");
            let r = ui
                .add(
                    TextEdit::singleline(&mut self.search_text)
                        .hint_text("por ejemplo: taladro")
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
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
        });
    }

    fn table(&mut self, ui: &mut Ui, env: &mut Env) {
        let rows = &self.rows;
        let thumbs = &mut env.thumbs;
        let mut open = None;
        TableBuilder::new(ui)
            .id_salt("resultados")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::exact(52.0))
            .column(Column::remainder().at_least(220.0).clip(true))
            .column(Column::exact(110.0))
            .column(Column::exact(64.0))
            .column(Column::exact(170.0).clip(true))
            .column(Column::exact(160.0).clip(true))
            .column(Column::exact(170.0).clip(true))
            .column(Column::exact(84.0))
            .min_scrolled_height(0.0)
            .header(22.0, |mut h| {
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
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                    let v = &rows[row.index()];
                    row.col(|ui| match &v.photo {
                        Some(hex) => match thumbs.get(hex) {
                            Some(t) => {
                                ui.add(
                                    egui::Image::from_texture(t)
                                        .max_size(egui::vec2(40.0, 40.0))
                                        .alt_text("foto"),
                                );
                            }
                            None => {
                                let (r, _) =
                                    ui.allocate_exact_size(egui::vec2(40.0, 40.0), Sense::hover());
                                ui.painter()
                                    .rect_filled(r, 4.0, ui.visuals().faint_bg_color);
                            }
                        },
                        None => {
                            ui.label(RichText::new("sin foto").small().weak());
                        }
                    });
                    row.col(|ui| {
                        if ui.link(&v.title).clicked() {
                            open = Some(v.id);
                        }
                    });
                    row.col(|ui| {
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            ui.label(RichText::new(format!("$ {}", v.price)).strong());
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
                        ui.label(&v.closes);
                    });
                    if row.response().clicked() {
                        open = Some(v.id);
                    }
                });
            });
        if let Some(id) = open {
            env.nav(Nav::Publication(id));
        }
    }
}
