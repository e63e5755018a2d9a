//! The share chooser: shown when the share is missing or cannot be reached. It says so
//! plainly and offers to pick a folder (rfd), to open the last share used, or to create a new
//! share in a folder. The last share opened is remembered in a small text file in the
//! platform's configuration folder (`~/.config/ventalibre/ultima-carpeta` on Linux).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{RichText, Ui};

use super::dialogs::{NO_DIALOG, Picked, pick_folder, run_dialog};
use super::jobs::Job;
use super::notice::bad_text;
use super::widgets::{enter_pressed, inline_field};
use crate::domain::{DomainError, Market};

/// The platform's configuration folder for VentaLibre.
pub fn default_config_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|h| h.join(".config")))
    };
    base.map(|b| b.join("ventalibre"))
}

const LAST_SHARE_FILE: &str = "ultima-carpeta";

pub fn load_last_share(config_dir: &Path) -> Option<PathBuf> {
    let t = std::fs::read_to_string(config_dir.join(LAST_SHARE_FILE)).ok()?;
    let t = t.trim();
    (!t.is_empty()).then(|| PathBuf::from(t))
}

pub fn save_last_share(config_dir: &Path, share: &Path) {
    let share = std::path::absolute(share).unwrap_or_else(|_| share.to_path_buf());
    let _ = std::fs::create_dir_all(config_dir);
    let _ = std::fs::write(
        config_dir.join(LAST_SHARE_FILE),
        format!("{}\n", share.display()),
    );
}

/// A plain explanation of why a share did not open.
pub fn explain(dir: &Path, e: &DomainError) -> String {
    if e.share_unreachable() {
        format!(
            "No se puede llegar a la carpeta compartida {}: no existe, o el servidor o la red no responden.",
            dir.display()
        )
    } else if e.share_missing() {
        format!(
            "La carpeta {} existe pero no tiene datos de VentaLibre. Elija otra carpeta o cree una carpeta compartida nueva en ella.",
            dir.display()
        )
    } else {
        format!(
            "No se pudo abrir la carpeta compartida {}: {e}",
            dir.display()
        )
    }
}

/// Opens (or creates) the share in `dir` on a worker thread.
pub type Opening = Job<(PathBuf, Result<Market, String>)>;

pub fn start_open(job: &mut Opening, ctx: &egui::Context, dir: PathBuf, create: bool) {
    job.start(ctx, move || {
        if create && let Err(e) = std::fs::create_dir_all(&dir) {
            return (
                dir.clone(),
                Err(format!(
                    "no se pudo crear la carpeta {}: {e}",
                    dir.display()
                )),
            );
        }
        let r = Market::open(&dir, create).map_err(|e| explain(&dir, &e));
        (dir, r)
    });
}

/// Installs the running program into `dir` with its launchers (creating the share when the
/// folder has none; issue 15), then opens it, on a worker thread. A share whose terminals the
/// installation would lock out takes the administrator: that is done from the administration.
pub fn start_install(job: &mut Opening, ctx: &egui::Context, dir: PathBuf) {
    job.start(ctx, move || {
        let r = crate::domain::install::install_into(&dir, |_| {
            Err(crate::domain::DomainError::Denied(
                "ábrala, entre como administración e instale desde «Programa y accesos directos»"
                    .into(),
            ))
        })
        .map(|(m, _)| m)
        .map_err(|e| explain(&dir, &e));
        (dir, r)
    });
}

pub struct Chooser {
    pub path: String,
    pub problem: String,
    pub last: Option<PathBuf>,
    dialog: Job<Picked>,
    open: Opening,
    pub error: Option<String>,
    /// The path field takes the focus when the chooser appears.
    focus: bool,
}

impl Chooser {
    pub fn new(dir: &Path, problem: String, last: Option<PathBuf>) -> Chooser {
        Chooser {
            path: dir.display().to_string(),
            problem,
            last: last.filter(|l| l != dir),
            dialog: Job::default(),
            open: Job::default(),
            error: None,
            focus: true,
        }
    }

    /// Returns the market once a share opened.
    pub fn ui(&mut self, ui: &mut Ui) -> Option<(Arc<Market>, PathBuf)> {
        if let Some(picked) = self.dialog.poll() {
            if let Some(p) = picked.path {
                self.path = p.display().to_string();
                self.error = None;
            } else if picked.unavailable {
                self.error = Some(NO_DIALOG.into());
            }
        }
        if let Some((dir, r)) = self.open.poll() {
            match r {
                Ok(m) => return Some((Arc::new(m), dir)),
                Err(e) => self.error = Some(e),
            }
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(20.0);
            ui.heading("VentaLibre — carpeta compartida");
            ui.add_space(10.0);
            bad_text(ui, &self.problem);
            ui.add_space(10.0);
            ui.label(
                "Todas las terminales trabajan sobre la misma carpeta compartida de la red. \
                 Elija dónde está, o cree una nueva si es la primera terminal.",
            );
            ui.add_space(10.0);
            let busy = self.open.running();
            let mut enter = false;
            ui.horizontal_wrapped(|ui| {
                let r = inline_field(ui, "Carpeta compartida", &mut self.path, "", 420.0);
                super::widgets::focus_once(&r, &mut self.focus);
                enter = enter_pressed(ui, &r);
                if ui
                    .add_enabled(!self.dialog.running(), egui::Button::new("Elegir carpeta…"))
                    .clicked()
                {
                    run_dialog(&mut self.dialog, ui.ctx(), pick_folder);
                }
            });
            ui.add_space(6.0);
            let dir = PathBuf::from(self.path.trim());
            ui.horizontal_wrapped(|ui| {
                let can = !busy && !self.path.trim().is_empty();
                if ui.add_enabled(can, egui::Button::new("Abrir")).clicked() || (enter && can) {
                    self.error = None;
                    start_open(&mut self.open, ui.ctx(), dir.clone(), false);
                }
                if ui
                    .add_enabled(
                        !busy && !self.path.trim().is_empty(),
                        egui::Button::new("Crear una carpeta compartida nueva aquí"),
                    )
                    .clicked()
                {
                    self.error = None;
                    start_open(&mut self.open, ui.ctx(), dir.clone(), true);
                }
                if ui
                    .add_enabled(
                        !busy && !self.path.trim().is_empty(),
                        egui::Button::new("Instalar VentaLibre aquí"),
                    )
                    .on_hover_text(
                        "Crea la carpeta compartida si hace falta, copia este programa a su \
                         carpeta «programa» y escribe los accesos directos para cada terminal",
                    )
                    .clicked()
                {
                    self.error = None;
                    start_install(&mut self.open, ui.ctx(), dir.clone());
                }
                if busy {
                    ui.spinner();
                    ui.label("abriendo…");
                }
            });
            if let Some(last) = self.last.clone() {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    ui.label(RichText::new("La última carpeta usada en esta computadora:").weak());
                    if ui
                        .add_enabled(
                            !busy,
                            egui::Button::new(format!("Abrir {}", last.display())),
                        )
                        .clicked()
                    {
                        self.path = last.display().to_string();
                        self.error = None;
                        start_open(&mut self.open, ui.ctx(), last.clone(), false);
                    }
                });
            }
            if let Some(e) = &self.error {
                ui.add_space(8.0);
                bad_text(ui, e);
            }
        });
        None
    }
}
