//! The desktop program: opening the share (or the chooser), then the window on the share.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::chooser::{
    Chooser, Opening, default_config_dir, load_last_share, save_last_share, start_open,
};
use super::shell::MarketUi;
use crate::domain::{Market, install};

enum State {
    /// Opening the share given on the command line.
    Opening(Opening),
    Chooser(Chooser),
    Open(Box<MarketUi>),
}

pub struct App {
    share_dir: PathBuf,
    /// Where the last share opened is remembered (`None`: nowhere).
    config_dir: Option<PathBuf>,
    state: State,
}

impl App {
    /// The window on `market` when given (tests), else on the share in `share_dir`, opened on
    /// a worker thread (the chooser appears if it cannot be opened).
    pub fn new(market: Option<Arc<Market>>, share_dir: PathBuf) -> App {
        let state = match market {
            Some(m) => State::Open(Box::new(MarketUi::new(m))),
            None => State::Opening(Opening::default()),
        };
        App {
            share_dir,
            config_dir: None,
            state,
        }
    }

    /// Remembers the last share in `dir` (the real program uses the platform's config folder).
    pub fn with_config_dir(mut self, dir: Option<PathBuf>) -> App {
        self.config_dir = dir;
        self
    }

    /// The window on the share, once open.
    pub fn market_ui(&mut self) -> Option<&mut MarketUi> {
        match &mut self.state {
            State::Open(m) => Some(m),
            _ => None,
        }
    }

    pub fn chooser(&mut self) -> Option<&mut Chooser> {
        match &mut self.state {
            State::Chooser(c) => Some(c),
            _ => None,
        }
    }

    /// Jobs of this window still running (tests wait for zero).
    pub fn pending_jobs(ctx: &egui::Context) -> usize {
        super::jobs::pending_jobs(ctx)
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        super::style::apply(ui.ctx());
        let mut next = None;
        match &mut self.state {
            State::Opening(job) => {
                if let Some((dir, r)) = job.poll() {
                    match r {
                        Ok(m) => {
                            if let Some(c) = &self.config_dir {
                                save_last_share(c, &dir);
                            }
                            next = Some(State::Open(Box::new(MarketUi::new(Arc::new(m)))));
                        }
                        Err(problem) => {
                            let last = self.config_dir.as_deref().and_then(load_last_share);
                            next =
                                Some(State::Chooser(Chooser::new(&self.share_dir, problem, last)));
                        }
                    }
                } else {
                    if !job.running() {
                        start_open(job, ui.ctx(), self.share_dir.clone(), false);
                    }
                    egui::CentralPanel::default().show(ui, |ui| {
                        ui.centered_and_justified(|ui| {
                            ui.horizontal(|ui| {
                                ui.spinner();
                                ui.label(format!(
                                    "Abriendo la carpeta compartida {}…",
                                    self.share_dir.display()
                                ));
                            });
                        });
                    });
                }
            }
            State::Chooser(c) => {
                if let Some((m, dir)) = c.ui(ui) {
                    if let Some(c) = &self.config_dir {
                        save_last_share(c, &dir);
                    }
                    self.share_dir = dir;
                    next = Some(State::Open(Box::new(MarketUi::new(m))));
                }
            }
            State::Open(m) => m.ui(ui),
        }
        if let Some(n) = next {
            self.state = n;
            ui.ctx().request_repaint();
        }
    }

    /// On exit: a logged-in user is logged out (waiting at most a few seconds for the share).
    pub fn shutdown(&mut self) {
        let State::Open(m) = &mut self.state else {
            return;
        };
        let Some(s) = m.session().cloned() else {
            return;
        };
        let market = m.env.market.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        super::jobs::spawn_named("salida", move || {
            let _ = tx.send(market.logout(&s));
        });
        let _ = rx.recv_timeout(Duration::from_secs(3));
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        App::ui(self, ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

/// The window and taskbar icon (`assets/ventalibre.svg` drawn at 256 px). On X11 the window
/// class is the program's name, `ventalibre`, like the app id on Wayland and the launchers'
/// `StartupWMClass`, so desktops group the windows under the icon.
pub fn window_icon() -> Arc<egui::IconData> {
    let png = install::icon_png(WINDOW_ICON_SIZE);
    Arc::new(eframe::icon_data::from_png_bytes(png).unwrap_or_default())
}

/// The size of the window icon, in pixels.
pub const WINDOW_ICON_SIZE: u32 = 256;

/// Opens the window; returns the process exit code.
pub fn run(share_dir: PathBuf) -> i32 {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("VentaLibre")
            .with_app_id(install::APP_ID)
            .with_icon(window_icon())
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 600.0]),
        ..Default::default()
    };
    install::ensure_user_icon();
    let app = App::new(None, share_dir).with_config_dir(default_config_dir());
    match eframe::run_native("VentaLibre", options, Box::new(|_cc| Ok(Box::new(app)))) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("no se pudo abrir la ventana de VentaLibre: {e}");
            1
        }
    }
}
