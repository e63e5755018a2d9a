//! «Mis favoritos»: the listings a user follows, with what changed since they were added (the
//! price went down or up, sold, paused), and the heart that adds or removes one on a listing's
//! page.

use egui::{Color32, RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, notice_ui};
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{money, placeholder};
use crate::domain::DResult;
use crate::domain::favourites::FavouriteView;

const HEART: Color32 = Color32::from_rgb(0xe0, 0x3a, 0x5a);

/// The heart of a listing's page: adds it to the favourites or removes it.
#[derive(Default)]
pub struct Heart {
    job: Job<DResult<bool>>,
    /// The state the last click asked for, until the page shows it.
    pending: Option<bool>,
    pub notice: Option<Notice>,
}

impl Heart {
    pub fn poll(&mut self, env: &mut Env) {
        if let Some(r) = self.job.poll() {
            match r {
                Ok(_) => env.changed(),
                Err(e) => {
                    self.pending = None;
                    self.notice = Some(Notice::of_error(&e));
                }
            }
        }
    }

    /// The button; `favourite` is what the page read.
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env, id: u64, favourite: bool, mine: bool) {
        let Some(s) = env.session.clone() else { return };
        if mine || s.admin {
            return;
        }
        if self.pending == Some(favourite) {
            self.pending = None;
        }
        let on = self.pending.unwrap_or(favourite);
        let text = if on {
            RichText::new("En sus favoritos").color(HEART).strong()
        } else {
            RichText::new("Agregar a favoritos")
        };
        let r = ui
            .horizontal(|ui| {
                heart_icon(ui, on, 18.0);
                ui.add_enabled(!self.job.running(), egui::Button::new(text))
            })
            .inner
            .on_hover_text(if on {
                "Clic para quitarla de sus favoritos"
            } else {
                "Guárdela en «Mis favoritos»: verá si baja de precio o se vende"
            });
        if r.clicked() {
            let m = env.market.clone();
            self.notice = None;
            self.pending = Some(!on);
            self.job.start(ui.ctx(), move || {
                if on {
                    m.remove_favourite(&s, id)
                } else {
                    m.add_favourite(&s, id)
                }
            });
        }
        notice_ui(ui, &mut self.notice);
    }
}

/// A heart `side` points high, painted (the window's fonts have no heart): red when `on`,
/// grey when not.
pub fn heart_icon(ui: &mut Ui, on: bool, side: f32) -> egui::Response {
    let (rect, r) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    let colour = if on {
        HEART
    } else {
        ui.visuals().weak_text_color()
    };
    let p = ui.painter();
    let c = rect.center();
    let rad = side * 0.25;
    let d = rad * 0.95;
    let top = rect.top() + side * 0.12 + rad;
    p.circle_filled(egui::pos2(c.x - d, top), rad, colour);
    p.circle_filled(egui::pos2(c.x + d, top), rad, colour);
    let w = d + rad * 0.97;
    p.add(egui::Shape::convex_polygon(
        vec![
            egui::pos2(c.x - w, top + rad * 0.3),
            egui::pos2(c.x + w, top + rad * 0.3),
            egui::pos2(c.x, rect.bottom() - side * 0.06),
        ],
        colour,
        egui::Stroke::NONE,
    ));
    r
}

#[derive(Default)]
pub struct FavouritesScreen {
    list: Loaded<Vec<FavouriteView>, u64>,
    remove: Job<DResult<bool>>,
    pub notice: Option<Notice>,
}

impl FavouritesScreen {
    pub const TAB: Tab = Tab("favoritos");

    pub fn list(&self) -> &[FavouriteView] {
        self.list.get().map_or(&[], |v| v.as_slice())
    }
}

impl Screen for FavouritesScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        (env.session.as_ref().is_some_and(|s| !s.admin)).then(|| "Mis favoritos".into())
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.list.poll();
        if let Some(r) = self.remove.poll() {
            match r {
                Ok(_) => {
                    self.notice = Some(Notice::good("quitada de sus favoritos"));
                    env.changed();
                }
                Err(e) => self.notice = Some(Notice::of_error(&e)),
            }
        }
    }

    fn reset(&mut self) {
        *self = FavouritesScreen::default();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let m = env.market.clone();
        let s2 = s.clone();
        self.list
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || m.favourites(&s2)
            });
        ui.horizontal(|ui| {
            ui.heading("Mis favoritos");
            if self.list.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.list.error {
            bad_text(ui, e);
        }
        notice_ui(ui, &mut self.notice);
        let list = self.list().to_vec();
        if self.list.get().is_some() && list.is_empty() {
            ui.label("Todavía no tiene favoritos. En una publicación, «Agregar a favoritos» la guarda aquí: verá si baja de precio, se pausa o se vende.");
            return;
        }
        ui.separator();
        let mut open = None;
        let mut remove = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("favoritos")
                    .striped(true)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        for f in &list {
                            let v = &f.publication;
                            let size = egui::vec2(48.0, 48.0);
                            match v.photo.as_deref().map(|h| env.thumbs.get(h)) {
                                Some(Some(t)) => {
                                    ui.add(
                                        egui::Image::from_texture(t)
                                            .fit_to_exact_size(size)
                                            .alt_text("foto"),
                                    );
                                }
                                _ => {
                                    placeholder(ui, size, "");
                                }
                            }
                            if ui.link(&v.title).clicked() {
                                open = Some(v.id);
                            }
                            ui.label(RichText::new(money(v.price_cents)).strong());
                            let colour = if !f.for_sale {
                                ui.visuals().weak_text_color()
                            } else if f.price_change_cents < 0 {
                                super::notice::good_color(ui)
                            } else {
                                super::notice::warn_color(ui)
                            };
                            if f.notice.is_empty() {
                                ui.label(RichText::new("a la venta").weak());
                            } else {
                                ui.label(RichText::new(&f.notice).color(colour).strong());
                            }
                            heart_icon(ui, true, 16.0);
                            if ui
                                .add_enabled(
                                    !self.remove.running(),
                                    egui::Button::new(RichText::new("Quitar").color(HEART)),
                                )
                                .on_hover_text("quitarla de sus favoritos")
                                .clicked()
                            {
                                remove = Some(v.id);
                            }
                            ui.end_row();
                        }
                    });
            });
        if let Some(id) = remove {
            let m = env.market.clone();
            self.remove
                .start(ui.ctx(), move || m.remove_favourite(&s, id));
        }
        if let Some(id) = open {
            env.nav(Nav::Open(PublicationScreen::TAB, id));
        }
    }
}
