//! The share's event log in Lamport order: which terminal did what, as whom, and the wall
//! clock of that terminal side by side (clocks of different terminals may disagree; the
//! Lamport number gives the order).

use crate::domain::phrases::counted;
use egui::{Align, Layout, Ui};
use egui_extras::{Column, TableBuilder};

use super::common::{RunAsAdmin, Task, field};
use crate::domain::catalog::datetime_of_ms;
use crate::domain::reports::Report;
use crate::domain::views::LoggedEvent as Event;
use crate::gui::dialogs::{CSV, Export, TEXT};
use crate::gui::env::Env;
use crate::gui::widgets::wide_table;

#[derive(Default)]
pub struct EventsPanel {
    job: Task<Vec<Event>>,
    loaded_gen: Option<u64>,
    pub events: Vec<Event>,
    error: Option<String>,
    filter: String,
    saver: Export,
}

const COLUMNS: [&str; 6] = [
    "Lamport",
    "Fecha y hora",
    "Terminal",
    "Usuario",
    "Operación",
    "Detalle",
];

fn datetime_secs(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local.timestamp_millis_opt(ms).single().map_or_else(
        || datetime_of_ms(ms),
        |d| d.format("%d/%m/%Y %H:%M:%S").to_string(),
    )
}

fn cells(e: &Event) -> [String; 6] {
    [
        e.lamport.to_string(),
        datetime_secs(e.wall_ms),
        e.terminal.clone(),
        if e.user.is_empty() {
            "-".into()
        } else {
            e.user.clone()
        },
        e.op.clone(),
        e.detail.clone(),
    ]
}

/// The events shown, as a listing (for export).
pub fn report(shown: &[&Event]) -> Report {
    Report {
        name: "eventos".into(),
        title: "Registro de eventos (orden de Lamport)".into(),
        columns: COLUMNS.iter().map(|s| s.to_string()).collect(),
        kinds: Vec::new(),
        rows: shown.iter().map(|e| cells(e).to_vec()).collect(),
        footer: Vec::new(),
    }
}

impl EventsPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.job.poll() {
            match r {
                Ok(mut ev) => {
                    ev.sort_by_key(|e| e.lamport);
                    self.events = ev;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if self.loaded_gen != Some(env.generation) && !self.job.running() {
            self.loaded_gen = Some(env.generation);
            self.job.run(&ctx, env, |m, s| m.events(s));
        }
        let f = self.filter.trim().to_lowercase();
        let shown: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| {
                f.is_empty()
                    || e.terminal.to_lowercase().contains(&f)
                    || e.user.to_lowercase().contains(&f)
                    || e.op.to_lowercase().contains(&f)
                    || e.detail.to_lowercase().contains(&f)
            })
            .collect();
        ui.horizontal_wrapped(|ui| {
            field(
                ui,
                "Filtrar eventos",
                &mut self.filter,
                "terminal, usuario u operación",
                220.0,
            );
            if ui
                .add_enabled(!self.job.running(), egui::Button::new("Actualizar"))
                .clicked()
            {
                self.job.run(&ctx, env, |m, s| m.events(s));
            }
            if self.job.running() {
                ui.spinner();
            }
        });
        let r = report(&shown);
        self.saver
            .ui_formats(ui, "Guardar el registro en", "eventos", &[CSV, TEXT], |k| {
                if k.extension == "csv" {
                    r.to_csv().into_bytes()
                } else {
                    r.to_text().into_bytes()
                }
            });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.label(format!(
            "{}; se muestran {}.",
            counted(self.events.len() as u64, "evento", "eventos"),
            shown.len()
        ));
        wide_table(ui, "eventos-h", |ui| {
            let height = (ui.available_height() - 10.0).max(160.0);
            let mut tb = TableBuilder::new(ui)
                .id_salt("eventos")
                .striped(true)
                .min_scrolled_height(0.0)
                .max_scroll_height(height)
                .cell_layout(Layout::left_to_right(Align::Center))
                .column(Column::auto().at_least(60.0))
                .column(Column::auto().at_least(140.0))
                .column(Column::auto().at_least(120.0).at_most(260.0).clip(true))
                .column(Column::auto().at_least(140.0).at_most(260.0).clip(true))
                .column(Column::auto().at_least(120.0));
            tb = tb.column(Column::remainder().at_least(200.0).clip(true));
            tb.header(22.0, |mut h| {
                for c in COLUMNS {
                    h.col(|ui| {
                        ui.strong(c);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, shown.len(), |mut row| {
                    for c in cells(shown[row.index()]) {
                        row.col(|ui| {
                            ui.add(egui::Label::new(c).extend());
                        });
                    }
                });
            });
        });
    }
}
