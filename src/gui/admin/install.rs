//! The program in the share (issue 15): the program's and the share's versions, installing
//! this program into the share with its launchers (`ventalibre instalar`), and a shortcut on
//! this computer to the share's launcher (`ventalibre acceso-directo`).

use egui::{RichText, Ui};

use super::common::{RunAsAdmin, Task, busy};
use crate::domain::install::{local_shortcut, program_in_share};
use crate::domain::version::VersionStatus;
use crate::gui::env::Env;
use crate::gui::notice::{bad_text, good_text};

#[derive(Default)]
pub struct InstallPanel {
    status_job: Task<VersionStatus>,
    status_gen: Option<u64>,
    pub status: Option<VersionStatus>,
    job: Task<String>,
    /// What the last installation or shortcut did, or why it failed.
    pub outcome: Option<Result<String, String>>,
}

impl InstallPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.status_job.poll() {
            self.status = r.ok();
        }
        if self.status_gen != Some(env.generation) && !self.status_job.running() {
            self.status_gen = Some(env.generation);
            self.status_job.run(&ctx, env, |m, _| m.version_status());
        }
        if let Some(r) = self.job.poll() {
            self.outcome = Some(r);
        }
        ui.label(
            "La carpeta compartida lleva su programa: al instalarlo, este programa se copia a la \
             carpeta «programa» de la carpeta compartida y arriba de ella se escriben los accesos \
             directos (VentaLibre.cmd para Windows, VentaLibre.desktop para Linux, \
             VentaLibre.command para macOS) que cada terminal abre con doble clic. Instalar una \
             versión nueva deja sin modificar la carpeta a las terminales con una anterior.",
        );
        ui.add_space(4.0);
        if let Some(s) = &self.status {
            ui.label(RichText::new(s.to_text().trim_end()).monospace());
        }
        ui.label(format!(
            "Programa de la carpeta para este sistema: {}",
            program_in_share(env.market.dir()).display()
        ));
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            let idle = !self.job.running();
            if ui
                .add_enabled(
                    idle,
                    egui::Button::new("Instalar este programa en la carpeta"),
                )
                .clicked()
            {
                self.job
                    .run(&ctx, env, |m, s| Ok(m.install_program(Some(s))?.to_text()));
            }
            if ui
                .add_enabled(
                    idle,
                    egui::Button::new("Crear un acceso directo en esta computadora"),
                )
                .clicked()
            {
                self.job
                    .run(&ctx, env, |m, _| Ok(local_shortcut(m.dir())?.to_text()));
            }
        });
        if self.job.running() {
            busy(ui, "Instalando…");
        }
        match &self.outcome {
            Some(Ok(t)) => {
                good_text(ui, "Hecho");
                ui.label(RichText::new(t.trim_end()).monospace());
            }
            Some(Err(e)) => {
                bad_text(ui, e);
            }
            None => {}
        }
    }
}
