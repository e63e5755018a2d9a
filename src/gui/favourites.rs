//! «Mis favoritos»: the listings a user follows, with what changed since they were added (the
//! price went down or up, sold, paused), and the heart that adds or removes one on a listing's
//! page.

use egui::{Color32, RichText, Ui};

use super::env::{Env, Tab};
use super::jobs::Job;
use super::listings::{action_notice, keep_user_list, list_top, price, scrolled_listing_grid};
use super::loaded::Loaded;
use super::notice::{Notice, notice_ui};
use super::screen::Screen;
use crate::domain::favourites::FavouriteView;
use crate::domain::permissions::Permission;
use crate::domain::{DResult, Market};

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

    /// The button; `favourite` is what the page read, `may` whether the domain lets this
    /// user add it (not their own, not one they bought, not one sold or cancelled). One
    /// already a favourite can always be removed.
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env, id: u64, favourite: bool, may: &Permission) {
        let Some(s) = env.session.clone() else { return };
        if self.pending == Some(favourite) {
            self.pending = None;
        }
        let on = self.pending.unwrap_or(favourite);
        if !on && may.is_err() {
            return;
        }
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
            action_notice(r, "quitada de sus favoritos", env, &mut self.notice);
        }
    }

    fn reset(&mut self) {
        *self = FavouritesScreen::default();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = keep_user_list(ui, env, &mut self.list, Market::favourites) else {
            return;
        };
        let Some(list) = list_top(
            ui,
            "Mis favoritos",
            &self.list,
            self.list.loading(),
            &mut self.notice,
            "Todavía no tiene favoritos. En una publicación, «Agregar a favoritos» la guarda aquí: verá si baja de precio, se pausa o se vende.",
        ) else {
            return;
        };
        let mut remove = None;
        let removing = self.remove.running();
        scrolled_listing_grid(
            ui,
            env,
            "favoritos",
            &list,
            |f| &f.publication,
            |ui, f| {
                price(ui, &f.publication);
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
                        !removing,
                        egui::Button::new(RichText::new("Quitar").color(HEART)),
                    )
                    .on_hover_text("quitarla de sus favoritos")
                    .clicked()
                {
                    remove = Some(f.publication.id);
                }
            },
        );
        if let Some(id) = remove {
            let m = env.market.clone();
            self.remove
                .start(ui.ctx(), move || m.remove_favourite(&s, id));
        }
    }
}
