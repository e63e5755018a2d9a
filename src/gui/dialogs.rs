//! The system's file dialogs (rfd; on Linux the desktop portal, else zenity), run off the UI
//! thread, and [`Export`]: saving a document (an invoice, a listing as CSV or text) to a path
//! typed or chosen, starting in the user's Documents folder.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::jobs::Job;
use super::notice::{Notice, notice_ui};
use super::widgets::inline_field;
use crate::domain::places::documents_dir;

/// What a dialog gave back.
#[derive(Debug, Clone, Default)]
pub struct Picked {
    pub path: Option<PathBuf>,
    /// No dialog could be shown (no portal, no zenity): it came back at once with nothing.
    pub unavailable: bool,
}

/// Nobody picks or cancels a dialog this fast: a dialog that returns nothing sooner was never
/// shown.
const DIALOG_MIN_SECONDS: f64 = 0.25;

/// The message for a dialog that could not be shown.
pub const NO_DIALOG: &str =
    "no se pudo abrir el selector de archivos del sistema; escriba la ruta en el campo";

/// Opens a system dialog off the UI thread (on macOS it must run on the main thread).
pub fn run_dialog(
    job: &mut Job<Picked>,
    ctx: &egui::Context,
    f: impl FnOnce() -> Option<PathBuf> + Send + 'static,
) {
    let timed = move || {
        let t = std::time::Instant::now();
        let path = f();
        let unavailable = path.is_none() && t.elapsed().as_secs_f64() < DIALOG_MIN_SECONDS;
        Picked { path, unavailable }
    };
    if cfg!(target_os = "macos") {
        let r = timed();
        job.start(ctx, move || r);
    } else {
        job.start(ctx, timed);
    }
}

pub fn pick_image() -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Elegir una foto")
        .add_filter("Imágenes", &["jpg", "jpeg", "png", "webp", "gif", "bmp"])
        .pick_file()
}

pub fn pick_folder() -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Elegir la carpeta compartida de VentaLibre")
        .pick_folder()
}

/// A kind of document to save: the dialog's filter and the file's extension.
#[derive(Debug, Clone, Copy)]
pub struct DocKind {
    pub filter: &'static str,
    pub extension: &'static str,
}

pub const TEXT: DocKind = DocKind {
    filter: "Texto",
    extension: "txt",
};
pub const PDF: DocKind = DocKind {
    filter: "PDF",
    extension: "pdf",
};
pub const CSV: DocKind = DocKind {
    filter: "CSV (Excel)",
    extension: "csv",
};

/// Saving one document: a path field (proposed in the Documents folder), "Elegir dónde…"
/// (the system's save dialog) and "Guardar"; the file is written on a worker thread and the
/// outcome shown beside it.
#[derive(Default)]
pub struct Export {
    /// Where it goes, as typed or chosen.
    pub path: String,
    /// The name the path was proposed for (a new document proposes a new name).
    proposed_for: String,
    dialog: Job<Picked>,
    write: Job<Result<PathBuf, String>>,
    /// What the running dialog's choice will save.
    pending: Option<Vec<u8>>,
    pub notice: Option<Notice>,
    /// The format chosen (index in the formats offered).
    kind: usize,
}

fn write_file(path: PathBuf, contents: &[u8]) -> Result<PathBuf, String> {
    if path.as_os_str().is_empty() {
        return Err("escriba dónde guardar el archivo".into());
    }
    std::fs::write(&path, contents)
        .map_err(|e| format!("no se pudo escribir {}: {e}", path.display()))?;
    Ok(path)
}

impl Export {
    pub fn busy(&self) -> bool {
        self.dialog.running() || self.write.running()
    }

    /// The row for a document named `file_name` whose bytes `contents` gives (called only
    /// when the user saves). `label` names the path field.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        label: &str,
        file_name: &str,
        kind: DocKind,
        contents: impl FnOnce() -> Vec<u8>,
    ) {
        let stem = file_name
            .strip_suffix(&format!(".{}", kind.extension))
            .unwrap_or(file_name);
        self.ui_formats(ui, label, stem, &[kind], |_| contents());
    }

    /// Like [`Export::ui`], offering the document in several formats (a listing as CSV or as
    /// text): the file is `stem` with the chosen format's extension.
    pub fn ui_formats(
        &mut self,
        ui: &mut Ui,
        label: &str,
        stem: &str,
        kinds: &[DocKind],
        contents: impl FnOnce(DocKind) -> Vec<u8>,
    ) {
        let ctx = ui.ctx().clone();
        let Some(first) = kinds.first().copied() else {
            return;
        };
        let mut kind = kinds.get(self.kind).copied().unwrap_or(first);
        let file_name = format!("{stem}.{}", kind.extension);
        if self.proposed_for != file_name {
            let same_doc = self.proposed_for.starts_with(&format!("{stem}."));
            self.proposed_for = file_name.clone();
            let p = PathBuf::from(self.path.trim());
            self.path = if same_doc && !self.path.trim().is_empty() {
                // Only the format changed: keep the folder and name typed.
                p.with_extension(kind.extension).display().to_string()
            } else {
                documents_dir().join(&file_name).display().to_string()
            };
        }
        if let Some(picked) = self.dialog.poll() {
            let bytes = self.pending.take();
            match (picked.path, bytes) {
                (Some(p), Some(b)) => {
                    self.path = p.display().to_string();
                    self.write.start(&ctx, move || write_file(p, &b));
                }
                (None, _) if picked.unavailable => self.notice = Some(Notice::bad(NO_DIALOG)),
                _ => {}
            }
        }
        if let Some(r) = self.write.poll() {
            self.notice = Some(match r {
                Ok(p) => Notice::good(format!("guardado en {}", p.display())),
                Err(e) => Notice::bad(e),
            });
        }
        let mut contents = Some(contents);
        ui.horizontal_wrapped(|ui| {
            let r = inline_field(ui, label, &mut self.path, "ruta del archivo", 300.0);
            if r.changed() {
                self.notice = None;
            }
            if kinds.len() > 1 {
                let l = ui.label("Formato");
                let mut index = self.kind.min(kinds.len() - 1);
                egui::ComboBox::from_id_salt(("formato", label))
                    .selected_text(kind.filter)
                    .show_ui(ui, |ui| {
                        for (i, k) in kinds.iter().enumerate() {
                            ui.selectable_value(&mut index, i, k.filter);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                self.kind = index;
                kind = kinds[index];
            }
            let enter = super::widgets::enter_pressed(ui, &r);
            let busy = self.busy();
            if (ui
                .add_enabled(!busy, egui::Button::new("Guardar"))
                .clicked()
                || enter)
                && !busy
                && let Some(c) = contents.take()
            {
                let (p, b) = (PathBuf::from(self.path.trim()), c(kind));
                self.notice = None;
                self.write.start(&ctx, move || write_file(p, &b));
            }
            if ui
                .add_enabled(!busy, egui::Button::new("Elegir dónde…"))
                .clicked()
                && let Some(c) = contents.take()
            {
                self.pending = Some(c(kind));
                self.notice = None;
                let start = PathBuf::from(self.path.trim());
                let dir = start
                    .parent()
                    .filter(|d| d.is_dir())
                    .map_or_else(documents_dir, Path::to_path_buf);
                let name = format!("{stem}.{}", kind.extension);
                run_dialog(&mut self.dialog, &ctx, move || {
                    rfd::FileDialog::new()
                        .set_title("Guardar")
                        .set_directory(dir)
                        .set_file_name(name)
                        .add_filter(kind.filter, &[kind.extension])
                        .save_file()
                });
            }
            if busy {
                ui.spinner();
            }
        });
        notice_ui(ui, &mut self.notice);
    }
}
