//! A photo field: a path typed or chosen with the system's file picker (rfd), read and
//! validated as an image on a worker thread, shown as a thumbnail.

use egui::{TextEdit, TextureHandle, TextureOptions, Ui};

use super::common::{
    Job, NO_DIALOG, Outcome, Picked, decode_image, error_text, pick_image, run_dialog,
};
use crate::domain::photos::{THUMB_SIDE, read_photo_file};

#[derive(Default)]
pub struct PhotoPicker {
    /// The path as typed (or as the picker returned it).
    pub path: String,
    /// The path whose bytes are in `bytes` (or being read).
    loaded_path: String,
    bytes: Option<Vec<u8>>,
    preview: Option<TextureHandle>,
    pub error: Option<String>,
    load: Job<Outcome<(Vec<u8>, egui::ColorImage)>>,
    dialog: Job<Picked>,
}

impl PhotoPicker {
    /// The validated photo, if one was chosen.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.bytes.clone()
    }

    pub fn busy(&self) -> bool {
        self.load.running() || self.dialog.running()
    }

    pub fn clear(&mut self) {
        *self = PhotoPicker::default();
    }

    /// The row: label, path field, "Elegir…" and "Quitar", then the thumbnail or the error.
    /// Takes the results of the picker and of the reading (each frame, shown or not).
    pub fn poll(&mut self, ctx: &egui::Context) {
        if let Some(picked) = self.dialog.poll() {
            if let Some(p) = picked.path {
                self.path = p.display().to_string();
                self.start_load(ctx);
            } else if picked.unavailable {
                self.error = Some(NO_DIALOG.into());
            }
        }
        if let Some(r) = self.load.poll() {
            match r {
                Ok((bytes, img)) => {
                    self.bytes = Some(bytes);
                    self.preview =
                        Some(ctx.load_texture("foto-elegida", img, TextureOptions::LINEAR));
                    self.error = None;
                }
                Err(e) => {
                    self.bytes = None;
                    self.preview = None;
                    self.error = Some(e);
                }
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, label: &str) {
        self.poll(ui.ctx());
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                let l = ui.label(label);
                let r = ui
                    .add(
                        TextEdit::singleline(&mut self.path)
                            .hint_text("ruta de una imagen JPG, PNG...")
                            .desired_width(260.0),
                    )
                    .labelled_by(l.id);
                if r.lost_focus() && self.path.trim() != self.loaded_path {
                    self.start_load(ui.ctx());
                }
                if ui
                    .add_enabled(!self.dialog.running(), egui::Button::new("Elegir foto…"))
                    .clicked()
                {
                    run_dialog(&mut self.dialog, ui.ctx(), pick_image);
                }
                if !self.path.is_empty() && ui.button("Quitar foto").clicked() {
                    self.clear();
                }
            });
            if self.busy() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("leyendo la foto…");
                });
            }
            if let Some(t) = &self.preview {
                ui.add(
                    egui::Image::from_texture(t)
                        .max_size(egui::vec2(96.0, 96.0))
                        .alt_text("miniatura de la foto elegida"),
                );
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
        });
    }

    /// Reads and checks the file at `path` on a worker thread.
    pub fn start_load(&mut self, ctx: &egui::Context) {
        let path = self.path.trim().to_string();
        self.loaded_path = path.clone();
        self.bytes = None;
        self.preview = None;
        self.error = None;
        if path.is_empty() {
            self.load.forget();
            return;
        }
        self.load.start(ctx, move || {
            let bytes = read_photo_file(std::path::Path::new(&path)).map_err(|e| e.to_string())?;
            let img = decode_image(&bytes, THUMB_SIDE).ok_or_else(|| {
                "el archivo elegido no es una imagen (se aceptan JPG, PNG, WEBP, GIF y BMP)"
                    .to_string()
            })?;
            Ok((bytes, img))
        });
    }

    /// Whether a typed path has not been checked yet (the form checks before sending).
    pub fn unchecked(&self) -> bool {
        !self.path.trim().is_empty() && self.path.trim() != self.loaded_path
    }
}
