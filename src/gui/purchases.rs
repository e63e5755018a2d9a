//! My purchases (with the rating of each and its invoice) and the questions I asked.

use egui::{RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::invoices::InvoicesScreen;
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, keyed_notice_ui};
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{datetime, money, right_aligned};
use crate::domain::trade::{ConversationView, SaleView};
use crate::domain::{DResult, Rating};

type Bought = (Vec<SaleView>, Vec<ConversationView>);

#[derive(Default)]
pub struct PurchasesScreen {
    data: Loaded<Bought, u64>,
    rate: Job<(u64, DResult<()>)>,
    pub notice: Option<(u64, Notice)>,
}

impl PurchasesScreen {
    pub const TAB: Tab = Tab("mis-compras");
}

impl Screen for PurchasesScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session
            .as_ref()
            .filter(|s| !s.admin)
            .map(|_| "Mis compras".into())
    }

    fn reset(&mut self) {
        *self = PurchasesScreen::default();
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.data.poll();
        if let Some((sale, r)) = self.rate.poll() {
            self.notice = Some((
                sale,
                match r {
                    Ok(()) => {
                        env.changed();
                        Notice::good("calificación guardada")
                    }
                    Err(e) => Notice::of_error(&e),
                },
            ));
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let (m, who) = (env.market.clone(), s.clone());
        self.data
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || {
                    let l = m.purchases(&who)?;
                    let (asked, _) = m.my_conversations(&who)?;
                    Ok((l, asked))
                }
            });
        let mut nav = None;
        let (list, asked) = self
            .data
            .get()
            .map(|(l, a)| (l.clone(), a.clone()))
            .unwrap_or_default();
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Mis compras");
                    if self.data.loading() {
                        ui.spinner();
                    }
                });
                if let Some(e) = &self.data.error {
                    bad_text(ui, e);
                }
                if list.is_empty() {
                    ui.label("Todavía no compró nada. Busque artículos en «Explorar».");
                } else {
                    egui::Grid::new("mis-compras")
                        .striped(true)
                        .num_columns(7)
                        .spacing([12.0, 6.0])
                        .show(ui, |ui| {
                            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                            for h in [
                                "Fecha",
                                "Artículo",
                                "Precio",
                                "Vende",
                                "Calificación",
                                "Factura",
                                "",
                            ] {
                                if h == "Precio" {
                                    right_aligned(ui, |ui| {
                                        ui.strong(h);
                                    });
                                } else {
                                    ui.strong(h);
                                }
                            }
                            ui.end_row();
                            for p in &list {
                                ui.label(datetime(p.sold_ms));
                                if ui.link(&p.title).clicked() {
                                    nav = Some(Nav::Open(PublicationScreen::TAB, p.publication));
                                }
                                right_aligned(ui, |ui| {
                                    ui.label(money(p.price_cents));
                                });
                                ui.label(&p.seller_name);
                                ui.vertical(|ui| {
                                    if p.rating == Rating::Unrated {
                                        ui.horizontal(|ui| {
                                            for r in [
                                                Rating::Recommend,
                                                Rating::Neutral,
                                                Rating::NotRecommend,
                                            ] {
                                                if ui
                                                    .add_enabled(
                                                        !self.rate.running(),
                                                        egui::Button::new(r.label()),
                                                    )
                                                    .clicked()
                                                {
                                                    let (m, s, sale) =
                                                        (env.market.clone(), s.clone(), p.sale);
                                                    self.rate.start(ui.ctx(), move || {
                                                        (sale, m.rate(&s, sale, r))
                                                    });
                                                }
                                            }
                                        });
                                    } else {
                                        ui.label(p.rating.label());
                                    }
                                    keyed_notice_ui(ui, &mut self.notice, &p.sale);
                                });
                                if ui.button(format!("Factura N.º {}", p.invoice)).clicked() {
                                    nav = Some(Nav::Open(InvoicesScreen::TAB, p.invoice));
                                }
                                if ui.button("Ver publicación").clicked() {
                                    nav = Some(Nav::Open(PublicationScreen::TAB, p.publication));
                                }
                                ui.end_row();
                            }
                        });
                }
                ui.add_space(14.0);
                ui.heading("Mis preguntas");
                if asked.is_empty() {
                    ui.label("No hizo preguntas todavía.");
                }
                for c in &asked {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal_wrapped(|ui| {
                            if ui.link(RichText::new(&c.title).strong()).clicked() {
                                nav = Some(Nav::Open(PublicationScreen::TAB, c.publication));
                            }
                            ui.label(format!("— vende {}", c.seller_name));
                        });
                        for m in &c.messages {
                            ui.add(
                                egui::Label::new(format!(
                                    "Pregunta ({}): {}",
                                    datetime(m.asked_ms),
                                    m.question
                                ))
                                .wrap(),
                            );
                            match &m.answer {
                                Some(a) => ui.add(
                                    egui::Label::new(
                                        RichText::new(format!("Respuesta: {a}")).italics(),
                                    )
                                    .wrap(),
                                ),
                                None => ui.label(RichText::new("(sin respuesta todavía)").weak()),
                            };
                        }
                    });
                }
            });
        if let Some(n) = nav {
            env.nav(n);
        }
    }
}
