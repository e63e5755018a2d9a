//! The share's maintenance: the check (the fsck of every file, ME and cross-file invariant)
//! and its report, a backup taken while other terminals keep working, the restore of a copy
//! and the repair of what the check found, both confirmed first. Long runs show their
//! progress.

use std::sync::{Arc, Mutex};

use egui::{RichText, TextEdit, Ui};

use super::common::{RunAsAdmin, Task, busy};
use crate::domain::check::CheckReport;
use crate::domain::maintenance::{
    BackupSummary, Progress, RepairReport, RestoreSummary, default_backup_dir,
};
use crate::gui::dialogs::{Export, TEXT};
use crate::gui::env::Env;
use crate::gui::notice::good_color as ok_color;

#[derive(Default)]
pub struct CheckPanel {
    job: Task<CheckReport>,
    pub report: Option<CheckReport>,
    error: Option<String>,
    saver: Export,
    /// Where the next backup goes (typed, or proposed beside the share).
    pub backup_dest: String,
    backup: Task<BackupSummary>,
    backup_msg: Option<Result<String, String>>,
    /// The copy to restore (typed; the last backup made here is proposed).
    pub restore_src: String,
    restore: Task<RestoreSummary>,
    /// The administrator asked to restore and has not confirmed yet.
    pub confirming_restore: bool,
    restore_msg: Option<Result<String, String>>,
    repair: Task<RepairReport>,
    /// The administrator asked to repair and has not confirmed yet.
    pub confirming: bool,
    pub repaired: Option<RepairReport>,
    repair_error: Option<String>,
    progress: Arc<Mutex<Option<Progress>>>,
}

fn progress_bar(ui: &mut Ui, p: &Arc<Mutex<Option<Progress>>>) {
    let now = p.lock().map(|g| g.clone()).unwrap_or(None);
    let (label, frac) = match &now {
        Some(p) if p.total > 0 => (
            format!("{} ({} de {})", p.step, p.done, p.total),
            p.done as f32 / p.total as f32,
        ),
        Some(p) => (p.step.clone(), 0.0),
        None => ("empezando…".into(), 0.0),
    };
    ui.add(
        egui::ProgressBar::new(frac)
            .text(label)
            .desired_width(420.0),
    );
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
}

impl CheckPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        self.poll();
        if self.backup_dest.is_empty() {
            self.backup_dest = default_backup_dir(env.market.dir()).display().to_string();
        }
        ui.label(
            "Revisa cada archivo de la carpeta compartida, cada estructura (hash, lista, árboles AVL, colas) y que \
             los archivos concuerden entre sí. Solo lee: no cambia nada.",
        );
        let working = self.job.running()
            || self.backup.running()
            || self.restore.running()
            || self.repair.running();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!working, egui::Button::new("Revisar la carpeta"))
                .clicked()
            {
                self.repaired = None;
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
        self.backup_ui(ui, env, working);
        self.restore_ui(ui, env, working);
        self.repair_ui(ui, env, working);
        ui.separator();
        let text = match (&self.repaired, &self.report) {
            (Some(r), _) => r.to_text(),
            (None, Some(r)) => {
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
                r.to_text()
            }
            (None, None) => return,
        };
        egui::ScrollArea::both()
            .id_salt("informe")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for line in text.lines() {
                    ui.monospace(line);
                }
            });
    }

    fn poll(&mut self) {
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
        if let Some(r) = self.restore.poll() {
            if r.is_ok() {
                // What was checked before is not the share any more.
                self.report = None;
                self.repaired = None;
            }
            self.restore_msg = Some(r.map(|r| {
                format!(
                    "Copia {} restaurada: {} archivos, {} fotos; {} fotos que ya nadie nombraba, \
                     borradas. Las demás terminales ven el estado restaurado en su próxima lectura.",
                    r.src, r.files, r.photos, r.photos_removed
                )
            }));
        }
        if let Some(r) = self.backup.poll() {
            if let Ok(b) = &r {
                self.restore_src = b.dest.clone();
            }
            self.backup_msg = Some(r.map(|b| {
                format!(
                    "Copia hecha en {}: {} archivos, {} fotos, {} KiB{}. {}",
                    b.dest,
                    b.files,
                    b.photos,
                    b.bytes / 1024,
                    if b.recopied > 0 {
                        format!(
                            " ({} archivos copiados de nuevo porque cambiaron mientras se copiaba)",
                            b.recopied
                        )
                    } else {
                        String::new()
                    },
                    if b.check_ok {
                        "La copia pasó la revisión."
                    } else {
                        "La copia NO pasó la revisión: la carpeta ya tenía problemas."
                    }
                )
            }));
            self.backup_dest.clear();
        }
        if let Some(r) = self.repair.poll() {
            match r {
                Ok(rep) => {
                    self.report = Some(rep.after.clone());
                    self.repaired = Some(rep);
                    self.repair_error = None;
                }
                Err(e) => self.repair_error = Some(e),
            }
        }
    }

    fn backup_ui(&mut self, ui: &mut Ui, env: &Env, working: bool) {
        ui.separator();
        ui.label(RichText::new("Copia de seguridad").strong());
        ui.label(
            "Copia toda la carpeta, fotos incluidas, mientras las demás terminales siguen trabajando. \
             La copia es el estado de un instante y se revisa al terminar.",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Carpeta de la copia");
            ui.add_enabled(
                !working,
                TextEdit::singleline(&mut self.backup_dest).desired_width(420.0),
            )
            .labelled_by(l.id);
            if ui
                .add_enabled(
                    !working && !self.backup_dest.trim().is_empty(),
                    egui::Button::new("Hacer la copia"),
                )
                .clicked()
            {
                let dest = std::path::PathBuf::from(self.backup_dest.trim());
                let p = self.progress.clone();
                *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                self.backup_msg = None;
                self.backup.run(ui.ctx(), env, move |m, s| {
                    m.backup(s, &dest, &|x: &Progress| {
                        *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some(x.clone());
                    })
                });
            }
        });
        if self.backup.running() {
            progress_bar(ui, &self.progress);
        }
        match &self.backup_msg {
            Some(Ok(m)) => {
                ui.label(RichText::new(m).color(ok_color(ui)));
            }
            Some(Err(e)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("No se hizo la copia: {e}"),
                );
            }
            None => {}
        }
    }

    fn restore_ui(&mut self, ui: &mut Ui, env: &Env, working: bool) {
        ui.separator();
        ui.label(RichText::new("Restaurar una copia").strong());
        ui.label(
            "Pone una copia hecha con «Hacer la copia» en lugar de todo el contenido de la carpeta. \
             La copia se revisa antes; si otra terminal está escribiendo, no se restaura.",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Carpeta de la copia a restaurar");
            ui.add_enabled(
                !working && !self.confirming_restore,
                TextEdit::singleline(&mut self.restore_src).desired_width(420.0),
            )
            .labelled_by(l.id);
            if !self.confirming_restore
                && ui
                    .add_enabled(
                        !working && !self.restore_src.trim().is_empty(),
                        egui::Button::new("Restaurar…"),
                    )
                    .clicked()
            {
                self.confirming_restore = true;
                self.restore_msg = None;
            }
        });
        if self.confirming_restore {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(
                        "¿Reemplazar todo el contenido de la carpeta por esta copia? Lo que se \
                         hizo después de la copia se pierde.",
                    )
                    .strong(),
                );
                if ui
                    .add_enabled(!working, egui::Button::new("Sí, restaurar"))
                    .clicked()
                {
                    self.confirming_restore = false;
                    let src = std::path::PathBuf::from(self.restore_src.trim());
                    let p = self.progress.clone();
                    *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                    self.restore.run(ui.ctx(), env, move |m, s| {
                        m.restore(s, &src, &|x: &Progress| {
                            *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                                Some(x.clone());
                        })
                    });
                }
                if ui.button("Cancelar").clicked() {
                    self.confirming_restore = false;
                }
            });
        }
        if self.restore.running() {
            progress_bar(ui, &self.progress);
        }
        match &self.restore_msg {
            Some(Ok(m)) => {
                ui.label(RichText::new(m).color(ok_color(ui)));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("No se restauró: {e}"));
            }
            None => {}
        }
    }

    fn repair_ui(&mut self, ui: &mut Ui, env: &Env, working: bool) {
        let damaged = self.report.as_ref().is_some_and(|r| !r.ok);
        if !damaged && !self.repair.running() && self.repaired.is_none() {
            return;
        }
        ui.separator();
        ui.label(RichText::new("Reparar").strong());
        ui.label(
            "Reconstruye lo que los archivos de datos determinan: los índices AVL desde PUBLICADOS.DAT, las \
             cadenas del hash desde los usuarios, las listas de libres, los contadores, los saldos desde los \
             movimientos; borra las fotos que ningún registro nombra. Lo que no se puede reconstruir se lista: \
             para eso, restaure una copia. Conviene hacer una copia antes.",
        );
        if self.confirming {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(
                        "¿Reparar la carpeta ahora? Las demás terminales esperan mientras tanto.",
                    )
                    .strong(),
                );
                if ui
                    .add_enabled(!working, egui::Button::new("Sí, reparar"))
                    .clicked()
                {
                    self.confirming = false;
                    let p = self.progress.clone();
                    *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                    self.repair.run(ui.ctx(), env, move |m, s| {
                        m.repair(Some(s), &|x: &Progress| {
                            *p.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                                Some(x.clone());
                        })
                    });
                }
                if ui.button("Cancelar").clicked() {
                    self.confirming = false;
                }
            });
        } else if damaged
            && ui
                .add_enabled(!working, egui::Button::new("Reparar la carpeta…"))
                .clicked()
        {
            self.confirming = true;
        }
        if self.repair.running() {
            progress_bar(ui, &self.progress);
        }
        if let Some(e) = &self.repair_error {
            ui.colored_label(ui.visuals().error_fg_color, format!("No se reparó: {e}"));
        }
        if let Some(r) = &self.repaired {
            if r.after.ok {
                ui.label(
                    RichText::new("Reparada: la revisión ya no encuentra problemas.")
                        .strong()
                        .color(ok_color(ui)),
                );
            } else {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "Reparada en parte: vea lo que no se puede reconstruir.",
                );
            }
        }
    }
}
