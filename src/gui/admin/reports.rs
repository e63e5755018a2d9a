//! One administrator listing (a [`Report`] of `domain::reports::REPORTS`): its parameters, the
//! table with its totals at the foot, and export to CSV or "printing" to a text file.

use crate::domain::phrases::counted;
use chrono::Duration;
use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::common::{RunAsAdmin, Task, busy, field};
use crate::domain::catalog::{CategoryView, parse_date};
use crate::domain::dates::today;
use crate::domain::reports::{ColumnKind, REPORTS, Report, ReportParams};
use crate::gui::dialogs::{CSV, Export, TEXT};
use crate::gui::env::Env;
use crate::gui::widgets::{right_aligned, wide_table};

/// A listing with its own parameters and result.
pub struct ReportView {
    pub name: &'static str,
    description: &'static str,
    needs_user: bool,
    needs_dates: bool,
    needs_category: bool,
    pub user: String,
    pub from: String,
    pub to: String,
    pub category: Option<u64>,
    categories: Vec<CategoryView>,
    categories_job: Task<Vec<CategoryView>>,
    categories_gen: Option<u64>,
    job: Task<Report>,
    pub report: Option<Report>,
    pub error: Option<String>,
    /// Parameters of the listing shown, re-run when the share changes.
    shown: Option<(ReportParams, u64)>,
    saver: Export,
}

impl ReportView {
    /// `name` must be one of `REPORTS`.
    pub fn new(name: &'static str) -> ReportView {
        let (_, description, params) = REPORTS
            .iter()
            .copied()
            .find(|r| r.0 == name)
            .unwrap_or((name, "", ""));
        let t = today();
        ReportView {
            name,
            description,
            needs_user: params.contains("--user"),
            needs_dates: params.contains("--from"),
            needs_category: params.contains("--category"),
            user: String::new(),
            from: crate::domain::format::date(t - Duration::days(30)),
            to: crate::domain::format::date(t),
            category: None,
            categories: Vec::new(),
            categories_job: Task::default(),
            categories_gen: None,
            job: Task::default(),
            report: None,
            error: None,
            shown: None,
            saver: Export::default(),
        }
    }

    fn needs_params(&self) -> bool {
        self.needs_user || self.needs_dates || self.needs_category
    }

    fn params(&self) -> Result<ReportParams, String> {
        let mut p = ReportParams::default();
        if self.needs_user {
            if self.user.trim().is_empty() {
                return Err("Escriba el email del usuario.".into());
            }
            p.user = Some(self.user.trim().to_string());
        }
        if self.needs_dates {
            p.from = Some(parse_date(&self.from).map_err(|e| format!("Desde: {e}"))?);
            p.to = Some(parse_date(&self.to).map_err(|e| format!("Hasta: {e}"))?);
        }
        if self.needs_category {
            p.category = Some(self.category.ok_or("Elija una categoría.")?);
        }
        Ok(p)
    }

    fn run(&mut self, ctx: &egui::Context, env: &mut Env, p: ReportParams) {
        let name = self.name;
        self.shown = Some((p.clone(), env.generation));
        self.job.run(ctx, env, move |m, s| m.report(s, name, &p));
    }

    /// Parameters, the "Generar" button and the listing.
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.ui_with(ui, env, None::<fn(&mut Ui, &Report)>);
    }

    /// Like [`Self::ui`], with `side` drawn beside the table (a chart of the same data).
    pub fn ui_with(
        &mut self,
        ui: &mut Ui,
        env: &mut Env,
        side: Option<impl FnOnce(&mut Ui, &Report)>,
    ) {
        ui.push_id(self.name, |ui| self.ui_inner(ui, env, side));
    }

    fn ui_inner(
        &mut self,
        ui: &mut Ui,
        env: &mut Env,
        side: Option<impl FnOnce(&mut Ui, &Report)>,
    ) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.job.poll() {
            match r {
                Ok(rep) => {
                    self.report = Some(rep);
                    self.error = None;
                }
                Err(e) => {
                    self.report = None;
                    self.error = Some(e);
                }
            }
        }
        if self.needs_category {
            if let Some(Ok(c)) = self.categories_job.poll() {
                if self.category.is_none_or(|k| !c.iter().any(|x| x.key == k)) {
                    self.category = c.first().map(|x| x.key);
                }
                self.categories = c;
            }
            if self.categories_gen != Some(env.generation) && !self.categories_job.running() {
                self.categories_gen = Some(env.generation);
                self.categories_job.run(&ctx, env, |m, _| m.categories());
            }
        }
        // Listings that need no user show at once (dates default to the last 30 days, the
        // category to the first); every listing shown follows the share.
        match &self.shown {
            None if !self.needs_user && !self.job.running() => {
                if let Ok(p) = self.params() {
                    self.run(&ctx, env, p);
                }
            }
            Some((p, g)) if *g != env.generation && !self.job.running() => {
                let p = p.clone();
                self.run(&ctx, env, p);
            }
            _ => {}
        }

        ui.label(RichText::new(self.description).italics());
        let mut go = false;
        ui.horizontal_wrapped(|ui| {
            if self.needs_user {
                go |= field(
                    ui,
                    "Email del usuario",
                    &mut self.user,
                    "nombre@dominio.com.ar",
                    220.0,
                )
                .lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter));
            }
            if self.needs_category {
                let l = ui.label("Categoría");
                let selected = self
                    .categories
                    .iter()
                    .find(|c| Some(c.key) == self.category)
                    .map_or("(elija)".to_string(), |c| format!("{} {}", c.key, c.name));
                egui::ComboBox::from_id_salt("categoria")
                    .selected_text(selected)
                    .show_ui(ui, |ui| {
                        for c in &self.categories {
                            ui.selectable_value(
                                &mut self.category,
                                Some(c.key),
                                format!("{} {}", c.key, c.name),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
            }
            if self.needs_dates {
                field(ui, "Desde", &mut self.from, "DD/MM/AAAA", 100.0);
                field(ui, "Hasta", &mut self.to, "DD/MM/AAAA", 100.0);
            }
            let label = if self.needs_params() {
                "Generar listado"
            } else {
                "Actualizar"
            };
            go |= ui
                .add_enabled(!self.job.running(), egui::Button::new(label))
                .clicked();
        });
        if go {
            match self.params() {
                Ok(p) => self.run(&ctx, env, p),
                Err(e) => {
                    self.error = Some(e);
                    self.report = None;
                }
            }
        }
        if self.job.running() {
            busy(ui, "Generando el listado…");
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(rep) = &self.report else { return };
        ui.separator();
        ui.heading(&rep.title);
        let stem = rep.name.clone();
        self.saver
            .ui_formats(ui, "Exportar a", &stem, &[CSV, TEXT], |k| {
                if k.extension == "csv" {
                    rep.to_csv().into_bytes()
                } else {
                    rep.to_text().into_bytes()
                }
            });
        ui.label(counted(rep.rows.len() as u64, "fila", "filas"));
        if let Some(t) = totals_line(rep) {
            ui.label(RichText::new(t).strong());
        }
        match side {
            Some(side) => {
                ui.columns(2, |cols| {
                    report_table(&mut cols[0], rep);
                    side(&mut cols[1], rep);
                });
            }
            None => report_table(ui, rep),
        }
    }
}

/// The foot of a listing in one line ("38 ventas · Importe: 8123.45 · …"), always in view
/// (the foot row of the table scrolls with it).
pub fn totals_line(r: &Report) -> Option<String> {
    r.totals_line()
}

/// A report as a table: header, rows (only the visible ones are laid out) and the totals row.
pub fn report_table(ui: &mut Ui, r: &Report) {
    if r.rows.is_empty() {
        ui.label("(sin resultados)");
    }
    let n = r.rows.len() + usize::from(!r.footer.is_empty());
    let height = (ui.available_height() - 10.0).max(160.0);
    // Cells as a person reads them ($ 1.500,50, 31/12/2026): the report's column kinds.
    let footer = r.display_row(&r.footer);
    // Each column as wide as its widest text (header, foot and the first rows: a listing of
    // thousands of rows is not measured whole), so nothing is cut; numbers align right.
    const MEASURED_ROWS: usize = 500;
    let widths: Vec<f32> = (0..r.columns.len())
        .map(|i| {
            let kind = r.kind(i);
            let w = std::iter::once(text_width(ui, &r.columns[i], true))
                .chain(footer.get(i).map(|t| text_width(ui, t, true)))
                .chain(
                    r.rows
                        .iter()
                        .take(MEASURED_ROWS)
                        .filter_map(|row| row.get(i))
                        .map(|c| text_width(ui, &kind.display(c), false)),
                )
                .fold(0.0_f32, f32::max);
            (w + 14.0).clamp(36.0, 420.0)
        })
        .collect();
    let numeric = |i: usize| {
        matches!(
            r.kind(i),
            ColumnKind::Id | ColumnKind::Count | ColumnKind::Money | ColumnKind::Percent
        )
    };
    wide_table(ui, "h", |ui| {
        let mut tb = TableBuilder::new(ui)
            .id_salt("tabla")
            .striped(true)
            .min_scrolled_height(0.0)
            .max_scroll_height(height)
            .cell_layout(Layout::left_to_right(Align::Center));
        for w in &widths {
            tb = tb.column(Column::exact(*w).clip(true));
        }
        let cell = |ui: &mut Ui, i: usize, t: RichText| {
            if numeric(i) {
                right_aligned(ui, |ui| {
                    ui.add(egui::Label::new(t).extend());
                });
            } else {
                ui.add(egui::Label::new(t).extend());
            }
        };
        tb.header(24.0, |mut h| {
            for (i, c) in r.columns.iter().enumerate() {
                h.col(|ui| cell(ui, i, RichText::new(c).strong()));
            }
        })
        .body(|body| {
            body.rows(22.0, n, |mut row| {
                let index = row.index();
                if let Some(cells) = r.rows.get(index) {
                    for (i, c) in cells.iter().enumerate() {
                        row.col(|ui| cell(ui, i, RichText::new(r.kind(i).display(c))));
                    }
                } else {
                    for (i, c) in footer.iter().enumerate() {
                        row.col(|ui| cell(ui, i, RichText::new(c.as_str()).strong()));
                    }
                }
            });
        });
    });
}

/// The width of `t` in the body font (strong: the header and foot are bold).
fn text_width(ui: &Ui, t: &str, strong: bool) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let color = ui.visuals().text_color();
    let job = egui::text::LayoutJob::simple_singleline(t.to_string(), font, color);
    let w = ui.fonts_mut(|f| f.layout_job(job)).size().x;
    if strong { w * 1.08 } else { w }
}
