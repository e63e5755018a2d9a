//! Runs the share's check (the fsck of every file, ME and cross-file invariant) and shows
//! its report.

use egui::{RichText, Ui};

use super::common::{RunAsAdmin, Task, busy};
use crate::domain::check::CheckReport;
use crate::gui::dialogs::{Export, TEXT};
use crate::gui::env::Env;
use crate::gui::notice::good_color as ok_color;

#[derive(Default)]
pub struct CheckPanel {
    job: Task<CheckReport>,
    pub report: Option<CheckReport>,
    error: Option<String>,
    saver: Export,
}

impl CheckPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.job.poll() {
            match r {
                Ok(c) => {
                    self.report = Some(c);
                    self.error = None;
                }
                Err(e) => {
                    self.report = None;
                    self.error = Some(e);
                }
            }
        }
        ui.label(
            "Revisa cada archivo de la carpeta compartida, cada estructura (hash, lista, árboles AVL, colas) y que \
             los archivos concuerden entre sí. Solo lee: no cambia nada.",
        );
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!self.job.running(), egui::Button::new("Revisar la carpeta"))
                .clicked()
            {
                self.job.run(&ctx, env, |m, _| m.check());
            }
        });
        if let Some(r) = &self.report {
            let text = r.to_text();
            self.saver
                .ui(ui, "Guardar el informe en", "revision.txt", TEXT, || {
                    text.into_bytes()
                });
        }
        if self.job.running() {
            busy(ui, "Revisando la carpeta…");
        }
        if let Some(e) = &self.error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("No se pudo revisar la carpeta: {e}"),
            );
        }
        let Some(r) = &self.report else { return };
        if r.ok {
            ui.label(
                RichText::new("La carpeta está sana.")
                    .strong()
                    .color(ok_color(ui)),
            );
        } else {
            ui.label(
                RichText::new("La carpeta tiene problemas: vea el detalle.")
                    .strong()
                    .color(ui.visuals().error_fg_color),
            );
        }
        ui.separator();
        egui::ScrollArea::both()
            .id_salt("informe")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for line in r.to_text().lines() {
                    ui.monospace(line);
                }
            });
    }
}
