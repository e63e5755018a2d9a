//! Pieces every administrator panel shares: the environment a panel works in, background jobs
//! over the share, result messages, labelled inputs and saving a text to a file.

use std::cell::Cell;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use chrono::{Local, NaiveDate};
use egui::{Color32, Response, RichText, TextEdit, Ui};

use crate::domain::{DResult, Market, Session};
use crate::gui::task::Task;

/// What a panel needs to act: the share, who acts, and when the share last changed.
pub struct Env {
    pub market: Arc<Market>,
    pub session: Session,
    /// Jobs finish before `ui` returns (tests): every frame is deterministic.
    pub sync: bool,
    /// Bumped whenever the share changes (seen through its change counter, or after an action
    /// of this window); panels reload what they show when it moves.
    pub generation: u64,
    /// Set by a panel after a successful change, so the others reload too.
    changed: Cell<bool>,
}

impl Env {
    pub fn new(market: Arc<Market>, session: Session) -> Env {
        Env {
            market,
            session,
            sync: false,
            generation: 0,
            changed: Cell::new(false),
        }
    }

    /// A panel changed the share: every panel reloads on the next frame.
    pub fn touch(&self) {
        self.changed.set(true);
    }

    pub(crate) fn take_changed(&self) -> bool {
        self.changed.replace(false)
    }
}

/// A share operation running on a worker thread ([`Task`]), or already finished in
/// synchronous mode. Errors arrive as the domain's message.
pub struct Job<T> {
    task: Option<Task<Result<T, String>>>,
    ready: Option<Result<T, String>>,
}

impl<T> Default for Job<T> {
    fn default() -> Self {
        Job {
            task: None,
            ready: None,
        }
    }
}

impl<T: Send + 'static> Job<T> {
    /// Starts `f` (replacing any job still running: its result is dropped).
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        env: &Env,
        f: impl FnOnce(&Market, &Session) -> DResult<T> + Send + 'static,
    ) {
        let market = env.market.clone();
        let session = env.session.clone();
        let mut task = Task::spawn(ctx, move || {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&market, &session))) {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("error interno: la operación se interrumpió".into()),
            }
        });
        if env.sync {
            self.ready = Some(
                task.wait()
                    .unwrap_or_else(|| Err("error interno: la operación se interrumpió".into())),
            );
            self.task = None;
            // The result is shown by the next frame.
            ctx.request_repaint();
        } else {
            self.ready = None;
            self.task = Some(task);
        }
    }

    /// True while the operation runs.
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    /// The result, once.
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        if let Some(r) = self.ready.take() {
            return Some(r);
        }
        let r = self.task.as_mut()?.poll();
        if r.is_some() {
            self.task = None;
        }
        r
    }
}

/// The outcome of an action, shown under it until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Ok(String),
    Err(String),
}

impl Msg {
    pub fn of<T>(r: &Result<T, String>, ok: impl FnOnce(&T) -> String, context: &str) -> Msg {
        match r {
            Ok(v) => Msg::Ok(ok(v)),
            Err(e) => Msg::Err(format!("{context}: {e}")),
        }
    }

    pub fn ui(&self, ui: &mut Ui) {
        match self {
            Msg::Ok(t) => ui.label(RichText::new(t).color(ok_color(ui))),
            Msg::Err(t) => ui.label(RichText::new(t).color(ui.visuals().error_fg_color)),
        };
    }
}

pub fn show_msg(ui: &mut Ui, msg: &Option<Msg>) {
    if let Some(m) = msg {
        m.ui(ui);
    }
}

pub fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 200, 120)
    } else {
        Color32::from_rgb(0, 120, 0)
    }
}

/// A label and a one-line text field tied to it (screen readers and tests find the field by
/// the label's text).
pub fn field(ui: &mut Ui, label: &str, value: &mut String, hint: &str, width: f32) -> Response {
    let l = ui.label(label);
    ui.add(
        TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(l.id)
}

/// A row of selectable tabs; returns true when the selection changed.
pub fn tabs<T: PartialEq + Copy>(ui: &mut Ui, current: &mut T, options: &[(T, &str)]) -> bool {
    let before = *current;
    ui.horizontal_wrapped(|ui| {
        for (v, label) in options {
            ui.selectable_value(current, *v, *label);
        }
    });
    *current != before
}

pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A spinner with a short text while a job runs.
pub fn busy(ui: &mut Ui, text: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(text);
    });
}

/// Polls `std::future`s on the current thread (the save dialog is asynchronous so that it also
/// works off the main thread on every platform).
fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// Saves a text to a file the administrator chooses (CSV export, "printing" a listing to a
/// file). The dialog and the write run on a worker thread.
#[derive(Default)]
pub struct Saver {
    task: Option<Task<Result<Option<PathBuf>, String>>>,
    msg: Option<Msg>,
    /// What the last cancelled dialog would have saved, and where the administrator may type
    /// a path instead (for a desktop without a file dialog).
    unsaved: Option<(String, String)>,
    /// Synchronous mode (tests): no dialog, the file is written within the frame.
    sync: bool,
}

fn write_file(path: PathBuf, contents: &str) -> Result<PathBuf, String> {
    std::fs::write(&path, contents.as_bytes())
        .map_err(|e| format!("no se pudo escribir {}: {e}", path.display()))?;
    Ok(path)
}

impl Saver {
    /// Opens the save dialog for `contents`, proposing `file_name`.
    pub fn save(
        &mut self,
        ctx: &egui::Context,
        env: &Env,
        title: &str,
        file_name: String,
        filter: (&str, &str),
        contents: String,
    ) {
        let title = title.to_string();
        let (fname, ext) = (filter.0.to_string(), filter.1.to_string());
        self.msg = None;
        let default = crate::domain::places::documents_dir()
            .join(&file_name)
            .display()
            .to_string();
        self.unsaved = Some((default, contents.clone()));
        self.sync = env.sync;
        if env.sync {
            return;
        }
        self.task = Some(Task::spawn(ctx, move || {
            let dialog = rfd::AsyncFileDialog::new()
                .set_title(&title)
                .set_directory(crate::domain::places::documents_dir())
                .set_file_name(&file_name)
                .add_filter(&fname, &[ext.as_str()]);
            match block_on(dialog.save_file()) {
                Some(handle) => write_file(handle.path().to_path_buf(), &contents).map(Some),
                None => Ok(None),
            }
        }));
    }

    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    /// Shows the outcome of the last save.
    pub fn ui(&mut self, ui: &mut Ui) {
        if let Some(t) = &mut self.task {
            if let Some(r) = t.poll() {
                self.task = None;
                self.msg = match r {
                    Ok(Some(p)) => {
                        self.unsaved = None;
                        Some(Msg::Ok(format!("Guardado en {}", p.display())))
                    }
                    Ok(None) => None,
                    Err(e) => Some(Msg::Err(e)),
                };
            } else {
                busy(ui, "Guardando…");
            }
        }
        if self.task.is_none()
            && let Some((path, contents)) = &mut self.unsaved
        {
            let mut write = None;
            let mut close = false;
            ui.horizontal_wrapped(|ui| {
                ui.label("No se guardó nada (diálogo cancelado o no disponible).");
                field(ui, "Guardar en", path, "ruta del archivo", 360.0);
                if ui.button("Guardar aquí").clicked() {
                    write = Some((PathBuf::from(path.trim()), contents.clone()));
                }
                close = ui.button("Descartar").clicked();
            });
            if let Some((p, c)) = write {
                if self.sync {
                    // Tests: written within the frame.
                    self.msg = Some(match write_file(p, &c) {
                        Ok(p) => Msg::Ok(format!("Guardado en {}", p.display())),
                        Err(e) => Msg::Err(e),
                    });
                    if matches!(self.msg, Some(Msg::Ok(_))) {
                        close = true;
                    }
                } else {
                    self.task = Some(Task::spawn(ui.ctx(), move || write_file(p, &c).map(Some)));
                }
            }
            if close {
                self.unsaved = None;
            }
        }
        show_msg(ui, &self.msg);
    }
}

/// "12.34" from a float with two decimals (figures of the dispersion test).
pub fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

/// Bars filled with `color` (egui_plot's default fill is nearly transparent).
pub fn solid(bars: Vec<egui_plot::Bar>, color: Color32) -> Vec<egui_plot::Bar> {
    bars.into_iter()
        .map(|b| {
            b.fill(color.linear_multiply(0.75))
                .stroke(egui::Stroke::new(1.0, color))
        })
        .collect()
}
