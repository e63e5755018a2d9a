//! Categories: the ABM (a category with articles can be neither changed nor deleted: the
//! domain refuses and says why), the general listing with counts and the ranking with its
//! four breakdowns beside a stacked bar chart.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Plot};

use super::common::{RunAsAdmin, Task, busy, field, solid, tabs};
use super::reports::ReportView;
use crate::domain::catalog::CategoryView;
use crate::domain::money::parse_percent;
use crate::domain::permissions::{may_change_category, why};
use crate::domain::phrases::sentence;
use crate::domain::reports::Report;
use crate::gui::env::Env;
use crate::gui::notice::{Notice, bad_text, keyed_notice_ui, warn_color};
use crate::gui::widgets::{enter_pressed, right_aligned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Abm,
    General,
    Ranking,
}

pub struct CategoriesPanel {
    pub section: Section,
    list: Task<Vec<CategoryView>>,
    list_gen: Option<u64>,
    pub categories: Vec<CategoryView>,
    list_error: Option<String>,
    new_name: String,
    new_commission: String,
    /// Key of the category being edited, with the form's values.
    selected: Option<u64>,
    edit_name: String,
    edit_commission: String,
    confirm_delete: bool,
    action: Task<String>,
    /// What the running action is, to say what failed.
    action_what: String,
    /// The outcome of the last action, and the category it was about (`None`: a new one).
    pub msg: Option<(Option<u64>, Notice)>,
    action_for: Option<u64>,
    /// The running action deletes its category.
    action_deletes: bool,
    general: ReportView,
    ranking: ReportView,
}

impl Default for CategoriesPanel {
    fn default() -> Self {
        CategoriesPanel {
            section: Section::Abm,
            list: Task::default(),
            list_gen: None,
            categories: Vec::new(),
            list_error: None,
            new_name: String::new(),
            new_commission: String::new(),
            selected: None,
            edit_name: String::new(),
            edit_commission: String::new(),
            confirm_delete: false,
            action: Task::default(),
            action_what: String::new(),
            msg: None,
            action_for: None,
            action_deletes: false,
            general: ReportView::new("categorias"),
            ranking: ReportView::new("ranking-categorias"),
        }
    }
}

impl CategoriesPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        tabs(
            ui,
            &mut self.section,
            &[
                (Section::Abm, "Altas, bajas y modificaciones"),
                (Section::General, "Listado general"),
                (Section::Ranking, "Ranking de categorías"),
            ],
        );
        ui.separator();
        match self.section {
            Section::Abm => self.abm(ui, env),
            Section::General => self.general.ui(ui, env),
            Section::Ranking => self.ranking.ui_with(ui, env, Some(ranking_chart)),
        }
    }

    fn abm(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.list.poll() {
            match r {
                Ok(c) => {
                    if self.selected.is_some_and(|k| !c.iter().any(|x| x.key == k)) {
                        self.selected = None;
                    }
                    self.categories = c;
                    self.list_error = None;
                }
                Err(e) => self.list_error = Some(e),
            }
        }
        if let Some(r) = self.action.poll() {
            let mut target = self.action_for.take();
            let deleted = std::mem::take(&mut self.action_deletes);
            if r.is_ok() && deleted {
                // The category is gone: its outcome shows where the new ones are added.
                target = None;
                self.selected = None;
            }
            if r.is_ok() {
                env.changed();
                if target.is_none() {
                    // Added: the form is emptied for the next one (only now, so a refusal
                    // loses nothing typed).
                    self.new_name.clear();
                    self.new_commission.clear();
                }
            }
            let n = match r {
                Ok(t) => Notice::good(t),
                Err(e) => Notice::bad(format!("{}: {e}", self.action_what)),
            };
            self.msg = Some((target, n));
        }
        if self.list_gen != Some(env.generation) && !self.list.running() {
            self.list_gen = Some(env.generation);
            self.list.run(&ctx, env, |m, _| m.categories());
        }
        let working = self.action.running();

        ui.heading("Nueva categoría");
        let mut add = false;
        ui.horizontal_wrapped(|ui| {
            let r = field(
                ui,
                "Nombre de la nueva categoría",
                &mut self.new_name,
                "Jardinería",
                200.0,
            );
            add |= enter_pressed(ui, &r);
            let r = field(
                ui,
                "Comisión de la nueva categoría (%)",
                &mut self.new_commission,
                "8,5",
                60.0,
            );
            add |= enter_pressed(ui, &r);
            add |= ui
                .add_enabled(!working, egui::Button::new("Agregar categoría"))
                .clicked();
        });
        if add && !working {
            match parse_percent(&self.new_commission) {
                Ok(bp) => {
                    let name = self.new_name.clone();
                    self.action_what = "No se pudo agregar la categoría".into();
                    self.action_for = None;
                    self.action.run(&ctx, env, move |m, s| {
                        let key = m.add_category(s, &name, bp)?;
                        Ok(format!("Se agregó la categoría {key} «{}».", name.trim()))
                    });
                }
                Err(e) => {
                    self.msg = Some((
                        None,
                        Notice::bad(format!("No se pudo agregar la categoría: {e}")),
                    ))
                }
            }
        }
        keyed_notice_ui(ui, &mut self.msg, &None);

        ui.separator();
        ui.heading("Categorías");
        if self.list.running() && self.categories.is_empty() {
            busy(ui, "Leyendo las categorías…");
        }
        if let Some(e) = &self.list_error {
            bad_text(ui, e);
        }
        ui.label("Elija una categoría para modificarla o borrarla.");
        egui::ScrollArea::vertical()
            .id_salt("lista")
            .max_height(240.0)
            .show(ui, |ui| {
                egui::Grid::new("categorias")
                    .striped(true)
                    .num_columns(5)
                    .show(ui, |ui| {
                        ui.strong("Clave");
                        ui.strong("Categoría");
                        right_aligned(ui, |ui| {
                            ui.strong("Comisión %");
                        });
                        right_aligned(ui, |ui| {
                            ui.strong("Publicaciones");
                        });
                        // An empty last column: a right-aligned last one would take the whole
                        // width and leave its numbers far from their rows.
                        ui.label("");
                        ui.end_row();
                        for c in &self.categories {
                            ui.label(c.key.to_string());
                            if ui
                                .selectable_label(self.selected == Some(c.key), &c.name)
                                .clicked()
                            {
                                self.selected = Some(c.key);
                                self.edit_name = c.name.clone();
                                self.edit_commission =
                                    crate::domain::format::percent_number(c.commission_bp);
                                self.confirm_delete = false;
                            }
                            right_aligned(ui, |ui| {
                                ui.label(crate::domain::format::percent_number(c.commission_bp));
                            });
                            right_aligned(ui, |ui| {
                                ui.label(c.publications.to_string());
                            });
                            ui.label("");
                            ui.end_row();
                        }
                    });
            });

        let Some(key) = self.selected else {
            return;
        };
        ui.separator();
        let current = self.categories.iter().find(|c| c.key == key).cloned();
        let title = current.as_ref().map_or(format!("Categoría {key}"), |c| {
            format!("Categoría {key} «{}»", c.name)
        });
        ui.heading(title);
        // The domain's answer, always on one line (so nothing below moves when it changes).
        let allowed = current
            .as_ref()
            .map_or(Ok(()), |c| may_change_category(c.key, c.publications));
        match why(&allowed) {
            Some(w) => {
                ui.label(RichText::new(sentence(w)).color(warn_color(ui)));
            }
            None => {
                ui.label(RichText::new("Sin artículos: se puede modificar o borrar.").weak());
            }
        }
        let can = allowed.is_ok() && !working;
        let mut save = false;
        ui.horizontal_wrapped(|ui| {
            let r = ui.add_enabled_ui(allowed.is_ok(), |ui| {
                field(ui, "Nombre", &mut self.edit_name, "", 200.0)
            });
            save |= enter_pressed(ui, &r.inner);
            let r = ui.add_enabled_ui(allowed.is_ok(), |ui| {
                field(ui, "Comisión (%)", &mut self.edit_commission, "", 60.0)
            });
            save |= enter_pressed(ui, &r.inner);
            let b = ui.add_enabled(can, egui::Button::new("Guardar cambios"));
            save |= b.clicked();
            if let Some(w) = why(&allowed) {
                b.on_disabled_hover_text(w);
            }
            let d = ui.add_enabled(can, egui::Button::new("Borrar categoría"));
            if d.clicked() {
                self.confirm_delete = true;
            }
            if let Some(w) = why(&allowed) {
                d.on_disabled_hover_text(w);
            }
            if ui.button("Cerrar").clicked() {
                self.selected = None;
                self.confirm_delete = false;
            }
        });
        if save && can {
            match parse_percent(&self.edit_commission) {
                Ok(bp) => {
                    let name = self.edit_name.clone();
                    self.action_what = format!("No se pudo modificar la categoría {key}");
                    self.action_for = Some(key);
                    self.action.run(&ctx, env, move |m, s| {
                        m.edit_category(s, key, Some(&name), Some(bp))?;
                        Ok(format!("Se modificó la categoría {key}."))
                    });
                }
                Err(e) => {
                    self.msg = Some((
                        Some(key),
                        Notice::bad(format!("No se pudo modificar la categoría {key}: {e}")),
                    ))
                }
            }
        }
        if self.confirm_delete {
            ui.horizontal(|ui| {
                ui.label(format!("¿Borrar la categoría {key}?"));
                if ui
                    .add_enabled(can, egui::Button::new("Sí, borrar"))
                    .clicked()
                {
                    self.confirm_delete = false;
                    self.action_what = format!("No se pudo borrar la categoría {key}");
                    self.action_for = Some(key);
                    self.action_deletes = true;
                    self.action.run(&ctx, env, move |m, s| {
                        m.delete_category(s, key)?;
                        Ok(format!("Se borró la categoría {key}."))
                    });
                }
                if ui.button("No").clicked() {
                    self.confirm_delete = false;
                }
            });
        }
        if working {
            busy(ui, "Guardando…");
        }
        keyed_notice_ui(ui, &mut self.msg, &Some(key));
    }
}

/// The ranking's four breakdowns: (legend, column of the report, colour).
const BREAKDOWN: [(&str, usize, Color32); 4] = [
    ("En venta", 2, Color32::from_rgb(70, 130, 220)),
    ("Vendidos", 3, Color32::from_rgb(80, 170, 90)),
    ("Pausados", 4, Color32::from_rgb(230, 170, 40)),
    ("Bloqueados", 5, Color32::from_rgb(210, 70, 60)),
];

/// The ranking as stacked horizontal bars (one per category, largest on top).
fn ranking_chart(ui: &mut Ui, r: &Report) {
    let names: Vec<String> = r
        .rows
        .iter()
        .map(|row| row.get(1).cloned().unwrap_or_default())
        .collect();
    let n = r.rows.len();
    let mut charts: Vec<BarChart> = Vec::new();
    for (label, col, color) in BREAKDOWN {
        let bars: Vec<Bar> = r
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let v: f64 = row.get(col).and_then(|s| s.parse().ok()).unwrap_or(0.0);
                Bar::new((n - 1 - i) as f64, v).name(&names[i]).width(0.7)
            })
            .collect();
        let mut chart = BarChart::new(label, solid(bars, color))
            .color(color)
            .horizontal();
        {
            let below: Vec<&BarChart> = charts.iter().collect();
            chart = chart.stack_on(&below);
        }
        charts.push(chart);
    }
    let names_for_axis = names.clone();
    Plot::new("ranking")
        .legend(Legend::default().position(egui_plot::Corner::RightBottom))
        .height((ui.available_height() - 10.0).max(220.0))
        .allow_scroll(false)
        .y_axis_formatter(move |mark, _| {
            let v = mark.value;
            if v.fract().abs() > 1e-6 || v < 0.0 {
                return String::new();
            }
            let i = v as usize;
            if i < n {
                names_for_axis[n - 1 - i].clone()
            } else {
                String::new()
            }
        })
        .x_axis_label("Publicaciones")
        .show(ui, |p| {
            for c in charts {
                p.bar_chart(c);
            }
        });
}
