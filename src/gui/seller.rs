//! A seller's page (anyone may look): their photo, province, how long they have sold here,
//! the reputation bar, their listings for sale and the ratings buyers gave them, with the
//! buyers' comments. Also the reputation bar and the seller's card that a listing's page shows.

use egui::{Color32, RichText, Sense, Ui};

use super::env::{Env, Nav, Tab};
use super::listings::{listing_grid, price};
use super::loaded::Loaded;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{date, placeholder};
use crate::domain::Rating;
use crate::domain::shop::{Reputation, SellerCard, SellerPage};

const GREEN: Color32 = Color32::from_rgb(0x2e, 0x9e, 0x4f);
const GREY: Color32 = Color32::from_rgb(0xb0, 0xb4, 0xb8);
const RED: Color32 = Color32::from_rgb(0xd6, 0x45, 0x45);

/// The reputation bar: recommended / neutral / not recommended as shares of `width`, and
/// below it "98 % de recomendaciones, 47 ventas".
pub fn reputation_ui(ui: &mut Ui, r: &Reputation, width: f32) {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, 10.0), Sense::hover());
    let p = ui.painter();
    if r.rated == 0 {
        p.rect_filled(rect, 5.0, ui.visuals().faint_bg_color);
    } else {
        let mut x = rect.left();
        for (pct, c) in [
            (r.recommend_pct, GREEN),
            (r.neutral_pct, GREY),
            (r.not_recommend_pct, RED),
        ] {
            let w = rect.width() * pct as f32 / 100.0;
            if w > 0.0 {
                let seg = egui::Rect::from_min_size(
                    egui::pos2(x, rect.top()),
                    egui::vec2(w, rect.height()),
                );
                p.rect_filled(seg, 2.0, c);
                x += w;
            }
        }
    }
    resp.on_hover_text(format!(
        "{} recomendable · {} neutral · {} no recomendable",
        r.recommend, r.neutral, r.not_recommend
    ));
    ui.label(RichText::new(&r.summary).strong());
    if r.rated > 0 {
        ui.label(
            RichText::new(format!(
                "{} % neutral · {} % no recomendable",
                r.neutral_pct, r.not_recommend_pct
            ))
            .weak(),
        );
    }
}

/// The seller's photo, or a placeholder.
pub fn avatar_ui(ui: &mut Ui, env: &mut Env, photo: Option<&str>, side: f32) {
    let size = egui::vec2(side, side);
    match photo.map(|h| env.thumbs.get(h)) {
        Some(Some(t)) => {
            ui.add(
                egui::Image::from_texture(t)
                    .fit_to_exact_size(size)
                    .corner_radius(side / 2.0)
                    .alt_text("foto de quien vende"),
            );
        }
        _ => {
            placeholder(ui, size, "");
        }
    }
}

/// The seller on a listing's page: photo, name (a link to their page), province, reputation.
pub fn seller_card_ui(ui: &mut Ui, env: &mut Env, s: &SellerCard) {
    ui.horizontal(|ui| {
        avatar_ui(ui, env, s.photo.as_deref(), 48.0);
        ui.vertical(|ui| {
            if ui
                .link(
                    RichText::new(&s.name)
                        .strong()
                        .color(ui.visuals().hyperlink_color),
                )
                .on_hover_text("ver la página de quien vende")
                .clicked()
            {
                env.nav(Nav::Open(SellerScreen::TAB, s.id));
            }
            ui.label(format!(
                "{} · vende en VentaLibre desde {}",
                s.province_name,
                date(s.member_since_ms)
            ));
        });
    });
    reputation_ui(ui, &s.reputation, 260.0);
}

fn rating_mark(r: Rating) -> (&'static str, Color32) {
    match r {
        Rating::Recommend => ("Recomendable", GREEN),
        Rating::Neutral => ("Neutral", GREY),
        Rating::NotRecommend => ("No recomendable", RED),
        Rating::Unrated => ("Sin calificar", GREY),
    }
}

#[derive(Default)]
pub struct SellerScreen {
    pub id: Option<u64>,
    /// Where «Volver» goes.
    pub back: Option<(Tab, u64)>,
    page: Loaded<SellerPage, u64>,
}

impl SellerScreen {
    pub const TAB: Tab = Tab("vendedor");

    /// The page as last read.
    pub fn page(&self) -> Option<&SellerPage> {
        self.page.get()
    }
}

impl Screen for SellerScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, _env: &Env) -> Option<String> {
        None
    }

    fn needs_session(&self) -> bool {
        false
    }

    fn open(&mut self, item: u64) {
        *self = SellerScreen {
            id: Some(item),
            ..SellerScreen::default()
        };
    }

    fn reset(&mut self) {}

    fn poll(&mut self, _ctx: &egui::Context, _env: &mut Env) {
        self.page.poll();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(id) = self.id else {
            ui.label("Elija una publicación y, en ella, a quien vende.");
            return;
        };
        let m = env.market.clone();
        self.page
            .keep_fresh(ui.ctx(), env.generation, id, |id| move || m.seller_page(id));
        ui.horizontal(|ui| {
            if ui.button("« Volver").clicked() {
                env.nav(Nav::Show(PublicationScreen::TAB));
            }
            if self.page.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.page.error {
            bad_text(ui, e);
        }
        let Some(page) = self.page.get() else { return };
        let (card, listings, ratings) = (
            page.seller.clone(),
            page.listings.clone(),
            page.ratings.clone(),
        );
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    avatar_ui(ui, env, card.photo.as_deref(), 96.0);
                    ui.vertical(|ui| {
                        ui.heading(&card.name);
                        ui.label(format!(
                            "{} · vende en VentaLibre desde {}",
                            card.province_name,
                            date(card.member_since_ms)
                        ));
                        ui.add_space(4.0);
                        reputation_ui(ui, &card.reputation, 320.0);
                    });
                });
                ui.add_space(10.0);
                ui.heading(format!("A la venta ({})", listings.len()));
                if listings.is_empty() {
                    ui.label("No tiene publicaciones a la venta ahora.");
                }
                listing_grid(
                    ui,
                    env,
                    "vendedor-publicaciones",
                    &listings,
                    |v| v,
                    |ui, v| {
                        price(ui, v);
                        ui.label(v.kind.label());
                    },
                );
                ui.add_space(10.0);
                ui.heading(format!("Calificaciones recibidas ({})", ratings.len()));
                if ratings.is_empty() {
                    ui.label("Todavía nadie lo calificó.");
                }
                for r in &ratings {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        let (label, colour) = rating_mark(r.rating);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(label).color(colour).strong());
                            ui.label(format!(
                                "· {} compró «{}» · {}",
                                r.buyer,
                                r.title,
                                date(r.sold_ms)
                            ));
                        });
                        if !r.comment.is_empty() {
                            ui.add(
                                egui::Label::new(
                                    RichText::new(format!("«{}»", r.comment)).italics(),
                                )
                                .wrap(),
                            );
                        }
                    });
                }
            });
    }
}
