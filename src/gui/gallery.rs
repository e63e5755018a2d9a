//! A listing's photos: the gallery of its page (the cover large, the others as a strip; a
//! click enlarges a photo in a window of its own, arrows and Escape work there) and the editor
//! of a seller's photos (up to six: add with the system's picker, choose the cover, move, remove),
//! a screen of its own opened from «Mis publicaciones».

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Id, RichText, TextureHandle, TextureOptions, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::loaded::Loaded;
use super::my_publications::MyPublicationsScreen;
use super::notice::{Notice, bad_text, notice_ui};
use super::photo::PhotoPicker;
use super::screen::Screen;
use super::widgets::{decode_image, photo_id, placeholder, reserved};
use crate::domain::catalog::PublicationView;
use crate::domain::gallery::{GalleryPhoto, GalleryView, MAX_PHOTOS};
use crate::domain::{DResult, Market};

/// Photos of the share as textures, loaded on a worker thread at most `side` pixels a side.
pub struct PhotoTextures {
    side: u32,
    map: HashMap<String, Option<TextureHandle>>,
    job: Job<Vec<(String, Option<egui::ColorImage>)>>,
}

impl PhotoTextures {
    pub fn new(side: u32) -> PhotoTextures {
        PhotoTextures {
            side,
            map: HashMap::new(),
            job: Job::default(),
        }
    }

    /// The texture of photo `hex`; `None` while it loads. `Some(None)`: it cannot be read.
    pub fn get(&self, hex: &str) -> Option<Option<&TextureHandle>> {
        self.map.get(hex).map(|t| t.as_ref())
    }

    /// Takes finished loads and starts loading those of `wanted` not known yet.
    pub fn pump(&mut self, ctx: &egui::Context, market: &Arc<Market>, wanted: &[String]) {
        if let Some(done) = self.job.poll() {
            for (hex, img) in done {
                let t = img.map(|img| {
                    ctx.load_texture(format!("foto-{hex}"), img, TextureOptions::LINEAR)
                });
                self.map.insert(hex, t);
            }
        }
        if self.job.running() {
            return;
        }
        let missing: Vec<String> = wanted
            .iter()
            .filter(|h| !self.map.contains_key(*h))
            .cloned()
            .collect();
        if missing.is_empty() {
            return;
        }
        let m = market.clone();
        let side = self.side;
        self.job.start(ctx, move || {
            missing
                .into_iter()
                .map(|hex| {
                    let img = photo_id(&hex)
                        .and_then(|id| m.photo(&id).ok().flatten())
                        .and_then(|b| decode_image(&b, side));
                    (hex, img)
                })
                .collect()
        });
    }
}

/// The photo box of a listing's page: the photo shown large, a strip of the others below.
pub struct Gallery {
    photos: PhotoTextures,
    /// The photo shown large (index into the listing's photos).
    pub selected: usize,
    /// The photo enlarged in its own window.
    pub enlarged: Option<usize>,
}

impl Default for Gallery {
    fn default() -> Self {
        Gallery {
            photos: PhotoTextures::new(1024),
            selected: 0,
            enlarged: None,
        }
    }
}

const STRIP: f32 = 56.0;

fn photo_or_placeholder(
    ui: &mut Ui,
    t: Option<Option<&TextureHandle>>,
    size: egui::Vec2,
    alt: &str,
) -> egui::Response {
    match t {
        Some(Some(t)) => ui.add(
            egui::Image::from_texture(t)
                .max_size(size)
                .maintain_aspect_ratio(true)
                .alt_text(alt)
                .sense(egui::Sense::click()),
        ),
        Some(None) => placeholder(ui, size, "no se pudo leer la foto"),
        None => placeholder(ui, size, "cargando la foto…"),
    }
}

impl Gallery {
    /// Draws the gallery of `photos` (hex names, the cover first) in a `side` × `side` box.
    pub fn ui(&mut self, ui: &mut Ui, env: &Env, photos: &[String], side: f32) {
        self.photos.pump(ui.ctx(), &env.market, photos);
        if self.selected >= photos.len() {
            self.selected = 0;
        }
        // 4:3, as cameras and phones take them (a square box left a band under each photo).
        let size = egui::vec2(side, side * 0.75);
        if photos.is_empty() {
            reserved(ui, size, |ui| placeholder(ui, size, "sin foto"));
            return;
        }
        let big = reserved(ui, size, |ui| {
            photo_or_placeholder(
                ui,
                self.photos.get(&photos[self.selected]),
                size,
                &format!(
                    "foto {} de {} (clic para agrandar)",
                    self.selected + 1,
                    photos.len()
                ),
            )
        });
        if big.clicked() {
            self.enlarged = Some(self.selected);
        }
        big.on_hover_text("Clic para agrandar");
        if photos.len() > 1 {
            ui.horizontal_wrapped(|ui| {
                for (i, hex) in photos.iter().enumerate() {
                    let r = ui
                        .scope(|ui| {
                            if i == self.selected {
                                ui.visuals_mut().widgets.inactive.bg_stroke =
                                    egui::Stroke::new(2.0, ui.visuals().selection.bg_fill);
                            }
                            photo_or_placeholder(
                                ui,
                                self.photos.get(hex),
                                egui::vec2(STRIP, STRIP),
                                &format!("foto {}", i + 1),
                            )
                        })
                        .inner;
                    if r.clicked() {
                        self.selected = i;
                    }
                }
            });
        }
        self.enlarged_ui(ui, photos);
    }

    fn enlarged_ui(&mut self, ui: &mut Ui, photos: &[String]) {
        let Some(i) = self.enlarged else { return };
        let i = i.min(photos.len() - 1);
        let screen = ui.ctx().content_rect().size();
        let side = (screen.x - 120.0)
            .min(screen.y - 160.0)
            .clamp(200.0, 1024.0);
        let mut close = false;
        let mut go: Option<usize> = None;
        let modal = egui::Modal::new(Id::unique("foto-agrandada")).show(ui.ctx(), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Foto {} de {}", i + 1, photos.len())).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Cerrar").clicked() {
                        close = true;
                    }
                });
            });
            photo_or_placeholder(
                ui,
                self.photos.get(&photos[i]),
                egui::vec2(side, side * 0.75),
                &format!("foto {} agrandada", i + 1),
            );
            if photos.len() > 1 {
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(i > 0, egui::Button::new("« Anterior"))
                        .clicked()
                    {
                        go = Some(i - 1);
                    }
                    if ui
                        .add_enabled(i + 1 < photos.len(), egui::Button::new("Siguiente »"))
                        .clicked()
                    {
                        go = Some(i + 1);
                    }
                    ui.label(
                        RichText::new("Las flechas del teclado cambian de foto; Escape cierra.")
                            .weak(),
                    );
                });
            }
        });
        let (left, right) = ui.input(|k| {
            (
                k.key_pressed(egui::Key::ArrowLeft),
                k.key_pressed(egui::Key::ArrowRight),
            )
        });
        if left && i > 0 {
            go = Some(i - 1);
        }
        if right && i + 1 < photos.len() {
            go = Some(i + 1);
        }
        if modal.should_close() || close {
            self.enlarged = None;
        } else if let Some(g) = go {
            self.enlarged = Some(g);
            self.selected = g;
        }
    }
}

// ---- the editor ------------------------------------------------------------------------------------

/// One photo of the list being edited.
enum Edited {
    Existing(String),
    /// A new photo: its bytes, checked as an image, and its preview.
    New(Vec<u8>, TextureHandle),
}

/// «Fotos de la publicación»: up to six photos of one of the seller's listings.
pub struct GalleryEditorScreen {
    pub id: Option<u64>,
    data: Loaded<(PublicationView, GalleryView), u64>,
    list: Option<Vec<Edited>>,
    textures: PhotoTextures,
    picker: PhotoPicker,
    save: Job<DResult<GalleryView>>,
    pub notice: Option<Notice>,
}

impl Default for GalleryEditorScreen {
    fn default() -> Self {
        GalleryEditorScreen {
            id: None,
            data: Loaded::default(),
            list: None,
            textures: PhotoTextures::new(240),
            picker: PhotoPicker::default(),
            save: Job::default(),
            notice: None,
        }
    }
}

const EDIT_SIDE: f32 = 150.0;

impl GalleryEditorScreen {
    pub const TAB: Tab = Tab("fotos");

    /// The photos in the editor's order (hex of existing ones; "nueva" for new ones).
    pub fn order(&self) -> Vec<String> {
        self.list.as_ref().map_or_else(Vec::new, |l| {
            l.iter()
                .map(|e| match e {
                    Edited::Existing(h) => h.clone(),
                    Edited::New(..) => "nueva".into(),
                })
                .collect()
        })
    }

    /// Adds a new photo's bytes (as the picker does once the file is read and checked).
    pub fn add_photo(&mut self, ctx: &egui::Context, bytes: Vec<u8>) -> bool {
        let Some(list) = &mut self.list else {
            return false;
        };
        if list.len() >= MAX_PHOTOS {
            self.notice = Some(Notice::bad(format!(
                "ya tiene {MAX_PHOTOS} fotos: quite una antes de agregar otra"
            )));
            return false;
        }
        let Some(img) = decode_image(&bytes, 240) else {
            self.notice = Some(Notice::bad("el archivo elegido no es una imagen"));
            return false;
        };
        let t = ctx.load_texture(
            format!("foto-nueva-{}", list.len()),
            img,
            TextureOptions::LINEAR,
        );
        list.push(Edited::New(bytes, t));
        self.notice = None;
        true
    }

    /// Makes photo `i` the cover (moves it first).
    pub fn make_cover(&mut self, i: usize) {
        if let Some(l) = &mut self.list
            && i < l.len()
        {
            let e = l.remove(i);
            l.insert(0, e);
        }
    }

    /// Sends the list to the share.
    pub fn save(&mut self, ctx: &egui::Context, env: &Env) {
        let (Some(id), Some(s), Some(list)) = (self.id, env.session.clone(), &self.list) else {
            return;
        };
        let photos: Vec<GalleryPhoto> = list
            .iter()
            .map(|e| match e {
                Edited::Existing(h) => GalleryPhoto::Existing(h.clone()),
                Edited::New(b, _) => GalleryPhoto::New(b.clone()),
            })
            .collect();
        let m = env.market.clone();
        self.save.start(ctx, move || m.set_gallery(&s, id, photos));
    }

    fn list_ui(&mut self, ui: &mut Ui) {
        let Some(list) = &mut self.list else { return };
        let n = list.len();
        let mut action: Option<(usize, i32)> = None; // (index, -1 left, +1 right, 0 remove, 2 cover)
        ui.horizontal_wrapped(|ui| {
            for (i, e) in list.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.set_width(EDIT_SIDE + 8.0);
                    let size = egui::vec2(EDIT_SIDE, EDIT_SIDE * 0.75);
                    reserved(ui, size, |ui| match e {
                        Edited::Existing(h) => {
                            photo_or_placeholder(
                                ui,
                                self.textures.get(h),
                                size,
                                &format!("foto {}", i + 1),
                            );
                        }
                        Edited::New(_, t) => {
                            ui.add(
                                egui::Image::from_texture(t)
                                    .max_size(size)
                                    .alt_text(format!("foto {} (nueva)", i + 1)),
                            );
                        }
                    });
                    if i == 0 {
                        // As high as the buttons of the other photos, so their rows align.
                        ui.horizontal(|ui| {
                            ui.set_min_height(ui.spacing().interact_size.y);
                            ui.label(RichText::new("Portada").strong());
                        });
                    } else if ui.button("Elegir como portada").clicked() {
                        action = Some((i, 2));
                    }
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(i > 0, egui::Button::new("« Mover"))
                            .on_hover_text("mover a la izquierda")
                            .clicked()
                        {
                            action = Some((i, -1));
                        }
                        if ui
                            .add_enabled(i + 1 < n, egui::Button::new("Mover »"))
                            .on_hover_text("mover a la derecha")
                            .clicked()
                        {
                            action = Some((i, 1));
                        }
                        if ui.button("Quitar").clicked() {
                            action = Some((i, 0));
                        }
                    });
                });
            }
        });
        match action {
            Some((i, -1)) => list.swap(i, i - 1),
            Some((i, 1)) => list.swap(i, i + 1),
            Some((i, 0)) => {
                list.remove(i);
            }
            Some((i, 2)) => {
                let e = list.remove(i);
                list.insert(0, e);
            }
            _ => {}
        }
    }
}

impl Screen for GalleryEditorScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, _env: &Env) -> Option<String> {
        None
    }

    fn open(&mut self, item: u64) {
        *self = GalleryEditorScreen {
            id: Some(item),
            ..GalleryEditorScreen::default()
        };
    }

    fn reset(&mut self) {
        *self = GalleryEditorScreen::default();
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        if self.data.poll()
            && self.list.is_none()
            && let Some((_, g)) = self.data.get()
        {
            self.list = Some(g.photos.iter().cloned().map(Edited::Existing).collect());
        }
        self.picker.poll(ctx);
        if let Some(bytes) = self.picker.bytes() {
            self.picker.clear();
            self.add_photo(ctx, bytes);
        }
        if let Some(r) = self.save.poll() {
            match r {
                Ok(g) => {
                    self.list = Some(g.photos.into_iter().map(Edited::Existing).collect());
                    self.notice = Some(Notice::good("fotos guardadas"));
                    env.changed();
                }
                Err(e) => self.notice = Some(Notice::of_error(&e)),
            }
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(id) = self.id else {
            ui.label("Elija una publicación en «Mis publicaciones».");
            return;
        };
        let m = env.market.clone();
        self.data.keep_fresh(ui.ctx(), 0, id, |id| {
            move || Ok((m.publication(id)?, m.gallery(id)?))
        });
        ui.horizontal(|ui| {
            if ui.button("« Volver a Mis publicaciones").clicked() {
                env.nav(Nav::Show(MyPublicationsScreen::TAB));
            }
            if self.data.loading() || self.save.running() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.data.error {
            bad_text(ui, e);
        }
        let Some((v, _)) = self.data.get() else {
            return;
        };
        ui.heading(format!("Fotos de «{}»", v.title));
        ui.label(format!(
            "Hasta {MAX_PHOTOS} fotos. La primera es la portada: la que se ve en Explorar. Los cambios se guardan con «Guardar las fotos»."
        ));
        ui.separator();
        let wanted: Vec<String> = self
            .list
            .as_ref()
            .map(|l| {
                l.iter()
                    .filter_map(|e| match e {
                        Edited::Existing(h) => Some(h.clone()),
                        Edited::New(..) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.textures.pump(ui.ctx(), &env.market, &wanted);
        self.list_ui(ui);
        let n = self.list.as_ref().map_or(0, |l| l.len());
        ui.add_space(8.0);
        if n < MAX_PHOTOS {
            let label = format!("Agregar una foto ({n} de {MAX_PHOTOS})");
            super::widgets::form_grid("agregar-foto")
                .show(ui, |ui| self.picker.grid_rows(ui, &label));
        } else {
            ui.label(format!(
                "Tiene las {MAX_PHOTOS} fotos posibles; quite una para agregar otra."
            ));
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !self.save.running(),
                    egui::Button::new(RichText::new("Guardar las fotos").strong()),
                )
                .clicked()
            {
                let ctx = ui.ctx().clone();
                self.save(&ctx, env);
            }
        });
        notice_ui(ui, &mut self.notice);
    }
}
