//! One program version per share, in the window: when this program may not modify the share
//! (a newer VentaLibre was installed into it), a band under the top bar says so with the
//! message of the domain, and, when the share's `programa/` holds that newer program, offers to
//! start it on this share and close this window. Checked when the share opens and again after
//! each change another terminal makes (an installation happens while terminals are open).

use std::path::PathBuf;
use std::sync::Arc;

use egui::{RichText, Ui};

use super::jobs::Job;
use super::notice::{bad_text, warn_color};
use crate::domain::install::{newer_program_in_share, start_program_of_share};
use crate::domain::version::{ProgramVersion, Standing, VersionStatus};
use crate::domain::{DResult, Market};

/// What the band shows: where this program stands, and the share's newer program if any.
#[derive(Debug, Clone)]
pub struct VersionState {
    pub status: VersionStatus,
    pub newer: Option<(PathBuf, ProgramVersion)>,
}

#[derive(Default)]
pub struct VersionBanner {
    job: Job<DResult<VersionState>>,
    checked_gen: Option<u64>,
    state: Option<VersionState>,
    start_error: Option<String>,
}

impl VersionBanner {
    /// Re-checks (on a worker thread) when the share's generation changed.
    pub fn pump(&mut self, ctx: &egui::Context, market: &Arc<Market>, generation: u64) {
        if let Some(r) = self.job.poll() {
            // A share that cannot be read says so elsewhere (the change watcher).
            self.state = r.ok();
        }
        if self.checked_gen != Some(generation) && !self.job.running() {
            self.checked_gen = Some(generation);
            let m = market.clone();
            self.job.start(ctx, move || {
                let status = m.version_status()?;
                let newer = match status.standing {
                    Standing::ReadOnly | Standing::Refused => newer_program_in_share(m.dir()),
                    _ => None,
                };
                Ok(VersionState { status, newer })
            });
        }
    }

    /// Where this program stands, once checked (tests).
    pub fn state(&self) -> Option<&VersionState> {
        self.state.as_ref()
    }

    /// Whether the band has something to say.
    pub fn visible(&self) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.status.write_refusal().is_some())
    }

    pub fn ui(&mut self, ui: &mut Ui, market: &Market) {
        let Some(state) = &self.state else { return };
        let Some(refusal) = state.status.write_refusal() else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            bad_text(ui, &refusal.to_string());
            if let Some((_, v)) = &state.newer
                && ui
                    .button(format!("Abrir VentaLibre {v} de la carpeta"))
                    .on_hover_text(
                        "Cierra esta ventana y abre el programa de la carpeta compartida",
                    )
                    .clicked()
            {
                match start_program_of_share(market.dir()) {
                    Ok(()) => ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close),
                    Err(e) => self.start_error = Some(e.to_string()),
                }
            }
        });
        let c = warn_color(ui);
        ui.label(
            RichText::new(format!(
                "Este programa es VentaLibre {}: puede consultar la carpeta, pero no modificarla.",
                state.status.program
            ))
            .color(c),
        );
        if let Some(e) = &self.start_error {
            bad_text(ui, e);
        }
    }
}
