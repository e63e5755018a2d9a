//! My purchases (with the rating of each and its invoice) and the questions I asked.

use egui::{Grid, RichText, Ui};

use super::common::{Job, Notice, Outcome, datetime, error_line, notice_line, outcome};
use super::shell::{Env, Nav};
use crate::domain::Rating;
use crate::domain::trade::{ConversationView, SaleView};

type Loaded = (Vec<SaleView>, Vec<ConversationView>);

#[derive(Default)]
pub struct PurchasesScreen {
    pub list: Vec<SaleView>,
    pub asked: Vec<ConversationView>,
    loaded_gen: Option<u64>,
    load: Job<Outcome<Loaded>>,
    pub error: Option<String>,
    rate: Job<(u64, Outcome<()>)>,
    pub notice: Option<(u64, Notice)>,
}

impl PurchasesScreen {
    pub fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.load.poll() {
            match r {
                Ok((l, a)) => {
                    self.list = l;
                    self.asked = a;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some((sale, r)) = self.rate.poll() {
            self.notice = Some((
                sale,
                match r {
                    Ok(()) => {
                        env.changed();
                        Notice::Ok("calificación guardada".into())
                    }
                    Err(e) => Notice::Err(e),
                },
            ));
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        self.poll(ui.ctx(), env);
        if self.loaded_gen != Some(env.generation) {
            self.loaded_gen = Some(env.generation);
            let (m, s) = (env.market.clone(), s.clone());
            self.load.start(ui.ctx(), move || {
                let l = outcome(m.purchases(&s))?;
                let (asked, _) = outcome(m.my_conversations(&s))?;
                Ok((l, asked))
            });
        }
        let mut nav = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Mis compras");
                    if self.load.running() {
                        ui.spinner();
                    }
                });
                error_line(ui, &self.error);
                if self.list.is_empty() {
                    ui.label("Todavía no compró nada. Busque artículos en «Explorar».");
                } else {
                    Grid::new("mis-compras")
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
                                ui.strong(h);
                            }
                            ui.end_row();
                            for p in &self.list {
                                ui.label(datetime(p.sold_ms));
                                if ui.link(&p.title).clicked() {
                                    nav = Some(Nav::Publication(p.publication));
                                }
                                ui.label(format!("$ {}", p.price));
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
                                                        (sale, outcome(m.rate(&s, sale, r)))
                                                    });
                                                }
                                            }
                                        });
                                    } else {
                                        ui.label(p.rating.label());
                                    }
                                    if let Some((sale, n)) = &self.notice
                                        && *sale == p.sale
                                    {
                                        notice_line(ui, &Some(n.clone()));
                                    }
                                });
                                if ui.button(format!("Factura N.º {}", p.invoice)).clicked() {
                                    nav = Some(Nav::Invoice(p.invoice));
                                }
                                if ui.button("Ver publicación").clicked() {
                                    nav = Some(Nav::Publication(p.publication));
                                }
                                ui.end_row();
                            }
                        });
                }
                ui.add_space(14.0);
                ui.heading("Mis preguntas");
                if self.asked.is_empty() {
                    ui.label("No hizo preguntas todavía.");
                }
                for c in &self.asked {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal(|ui| {
                            if ui.link(RichText::new(&c.title).strong()).clicked() {
                                nav = Some(Nav::Publication(c.publication));
                            }
                            ui.label(format!("— vende {}", c.seller_name));
                        });
                        for m in &c.messages {
                            ui.label(format!(
                                "Pregunta ({}): {}",
                                datetime(m.asked_ms),
                                m.question
                            ));
                            match &m.answer {
                                Some(a) => {
                                    ui.label(RichText::new(format!("Respuesta: {a}")).italics())
                                }
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
