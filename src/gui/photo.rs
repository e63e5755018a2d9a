//! A photo field: a path typed or chosen with the system's file picker (rfd), read and
//! validated as an image on a worker thread, shown as a thumbnail. The thumbnail's box and
//! the message line are always reserved, so nothing below moves when they appear.

use egui::{TextEdit, TextureHandle, TextureOptions, Ui};

use super::dialogs::{NO_DIALOG, Picked, pick_image, run_dialog};
use super::jobs::Job;
use super::widgets::{FIELD_WIDTH, decode_image, enter_pressed, error_cell, placeholder, reserved};
use crate::domain::DResult;
use crate::domain::photos::{THUMB_SIDE, read_photo_file};

/// The side of the thumbnail box.
pub const PREVIEW_SIDE: f32 = 96.0;

#[derive(Default)]
pub struct PhotoPicker {
    /// The path as typed (or as the picker returned it).
    pub path: String,
    /// The path whose bytes are in `bytes` (or being read).
    loaded_path: String,
    bytes: Option<Vec<u8>>,
    preview: Option<TextureHandle>,
    pub error: Option<String>,
    load: Job<DResult<(Vec<u8>, egui::ColorImage)>>,
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
                    self.error = Some(e.to_string());
                }
            }
        }
    }

    /// Two rows of a three-column form grid (see `widgets::form_grid`), aligned with the
    /// form's other fields: label, path field, then "Elegir foto…" and "Quitar foto" where the
    /// other rows have their error; under them the thumbnail box and, beside it, what was
    /// found (reading, not an image). Both rows keep their size whatever is shown, so nothing
    /// below moves. Returns true when Enter was pressed in the path field.
    pub fn grid_rows(&mut self, ui: &mut Ui, label: &str) -> bool {
        self.poll(ui.ctx());
        let l = ui.label(label);
        let r = ui
            .add(
                TextEdit::singleline(&mut self.path)
                    .id_salt(label)
                    .hint_text("ruta de una imagen JPG, PNG…")
                    .desired_width(FIELD_WIDTH)
                    .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
            )
            .labelled_by(l.id);
        if r.changed() {
            // What was said about the previous path no longer holds.
            self.error = None;
        }
        let enter = enter_pressed(ui, &r);
        if r.lost_focus() && self.path.trim() != self.loaded_path {
            self.start_load(ui.ctx());
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!self.dialog.running(), egui::Button::new("Elegir foto…"))
                .clicked()
            {
                run_dialog(&mut self.dialog, ui.ctx(), pick_image);
            }
            if ui
                .add_enabled(!self.path.is_empty(), egui::Button::new("Quitar foto"))
                .clicked()
            {
                self.clear();
            }
        });
        ui.end_row();

        ui.label("");
        let side = egui::vec2(PREVIEW_SIDE, PREVIEW_SIDE);
        reserved(ui, side, |ui| match &self.preview {
            Some(t) => {
                ui.add(
                    egui::Image::from_texture(t)
                        .max_size(side)
                        .alt_text("miniatura de la foto elegida"),
                );
            }
            None if self.busy() => {
                ui.spinner();
            }
            None => {
                placeholder(ui, side, "sin foto");
            }
        });
        if self.busy() {
            ui.label("Leyendo la foto…");
        } else {
            error_cell(ui, self.error.as_deref());
        }
        ui.end_row();
        enter
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
            let bytes = read_photo_file(std::path::Path::new(&path))?;
            let img = decode_image(&bytes, THUMB_SIDE).ok_or_else(|| {
                crate::domain::DomainError::Invalid(
                    "el archivo elegido no es una imagen (se aceptan JPG, PNG, WEBP, GIF y BMP)"
                        .to_string(),
                )
            })?;
            Ok((bytes, img))
        });
    }

    /// Whether a typed path has not been checked yet (the form checks before sending).
    pub fn unchecked(&self) -> bool {
        !self.path.trim().is_empty() && self.path.trim() != self.loaded_path
    }
}
