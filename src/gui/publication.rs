//! One publication: photo, data, seller and the seller's rating; the conversation with the
//! seller (a buyer asks and reads the answers; the seller answers here too); buying, with a
//! confirmation that shows price and wallet balance; after buying, the invoice and the rating.

use std::collections::HashMap;

use egui::{RichText, TextEdit, TextureHandle, TextureOptions, Ui};

use super::common::{
    Job, Notice, Outcome, date, datetime, error_line, error_text, money, notice_line, ok_text,
    outcome, photo_id,
};
use super::invoices::invoice_text;
use super::shell::{Env, Nav, Tab};
use crate::domain::account::UserView;
use crate::domain::catalog::{PublicationView, RatingSummary};
use crate::domain::trade::{ConversationView, Purchase, SaleView};
use crate::domain::{Invoice, PubState, Rating, Session};

/// Everything the screen shows, read in one background job.
pub struct PubData {
    pub view: PublicationView,
    pub rating: RatingSummary,
    pub conversations: Vec<ConversationView>,
    /// The logged-in user's purchase of this publication.
    pub purchase: Option<SaleView>,
}

const PHOTO_SIDE: u32 = 480;

pub struct PublicationScreen {
    pub id: u64,
    pub data: Option<PubData>,
    loaded_gen: Option<u64>,
    load: Job<Outcome<PubData>>,
    pub error: Option<String>,
    photo: Option<(String, TextureHandle)>,
    photo_job: Job<(String, Option<egui::ColorImage>)>,
    photo_failed: bool,
    pub question: String,
    ask: Job<Outcome<u64>>,
    pub ask_notice: Option<Notice>,
    answers: HashMap<String, String>,
    answer_job: Job<(String, Outcome<u64>)>,
    answer_notice: Option<(String, Notice)>,
    /// The buy confirmation is open, with the balance read when it opened.
    confirm: Option<Outcome<UserView>>,
    balance_job: Job<Outcome<UserView>>,
    buy: Job<Outcome<(Purchase, Invoice)>>,
    pub buy_error: Option<String>,
    pub bought: Option<(Purchase, Invoice)>,
    rate: Job<Outcome<()>>,
    pub rate_notice: Option<Notice>,
}

fn rating_line(r: &RatingSummary) -> String {
    let total = r.recommend + r.neutral + r.not_recommend;
    if total == 0 {
        return "sin calificaciones todavía".into();
    }
    format!(
        "{} recomendable · {} neutral · {} no recomendable ({} ventas calificadas)",
        r.recommend, r.neutral, r.not_recommend, total
    )
}

impl PublicationScreen {
    pub fn new(id: u64) -> PublicationScreen {
        PublicationScreen {
            id,
            data: None,
            loaded_gen: None,
            load: Job::default(),
            error: None,
            photo: None,
            photo_job: Job::default(),
            photo_failed: false,
            question: String::new(),
            ask: Job::default(),
            ask_notice: None,
            answers: HashMap::new(),
            answer_job: Job::default(),
            answer_notice: None,
            confirm: None,
            balance_job: Job::default(),
            buy: Job::default(),
            buy_error: None,
            bought: None,
            rate: Job::default(),
            rate_notice: None,
        }
    }

    /// Takes the results of the background work (each frame, shown or not).
    pub fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.load.poll() {
            match r {
                Ok(d) => {
                    self.data = Some(d);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some((hex, img)) = self.photo_job.poll() {
            self.photo_failed = img.is_none();
            if let Some(img) = img {
                self.photo = Some((
                    hex.clone(),
                    ctx.load_texture(format!("foto-{hex}"), img, TextureOptions::LINEAR),
                ));
            }
        }
        if let Some(r) = self.ask.poll() {
            match r {
                Ok(_) => {
                    self.question.clear();
                    self.ask_notice = Some(Notice::Ok(
                        "pregunta enviada; quien vende la verá enseguida".into(),
                    ));
                    env.changed();
                }
                Err(e) => self.ask_notice = Some(Notice::Err(e)),
            }
        }
        if let Some((buyer, r)) = self.answer_job.poll() {
            match r {
                Ok(_) => {
                    self.answers.remove(&buyer);
                    self.answer_notice = Some((buyer, Notice::Ok("respuesta enviada".into())));
                    env.changed();
                }
                Err(e) => self.answer_notice = Some((buyer, Notice::Err(e))),
            }
        }
        if let Some(r) = self.balance_job.poll() {
            self.confirm = Some(r);
        }
        if let Some(r) = self.buy.poll() {
            self.confirm = None;
            match r {
                Ok(p) => {
                    self.bought = Some(p);
                    self.buy_error = None;
                    env.changed();
                }
                Err(e) => self.buy_error = Some(e),
            }
        }
        if let Some(r) = self.rate.poll() {
            match r {
                Ok(()) => {
                    self.rate_notice = Some(Notice::Ok("calificación guardada; gracias".into()));
                    env.changed();
                }
                Err(e) => self.rate_notice = Some(Notice::Err(e)),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env, back: Tab) {
        self.poll(ui.ctx(), env);
        if self.loaded_gen != Some(env.generation) {
            self.loaded_gen = Some(env.generation);
            let (m, id, s) = (env.market.clone(), self.id, env.session.clone());
            self.load.start(ui.ctx(), move || load(&m, id, s.as_ref()));
        }
        let want = self.data.as_ref().and_then(|d| d.view.photo.clone());
        if let Some(hex) = want
            && self.photo.as_ref().is_none_or(|(h, _)| *h != hex)
            && !self.photo_job.running()
            && !self.photo_failed
        {
            let m = env.market.clone();
            self.photo = None;
            self.photo_job.start(ui.ctx(), move || {
                let img = photo_id(&hex)
                    .and_then(|id| m.photo(&id).ok().flatten())
                    .and_then(|b| super::common::decode_image(&b, PHOTO_SIDE));
                (hex, img)
            });
        }
        ui.horizontal(|ui| {
            if ui.button("« Volver").clicked() {
                env.nav(Nav::Tab(back));
            }
            if self.load.running() {
                ui.spinner();
            }
        });
        error_line(ui, &self.error);
        let Some(d) = &self.data else { return };
        let v = d.view.clone();
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    // The photo.
                    ui.vertical(|ui| {
                        ui.set_width(340.0);
                        match (&v.photo, &self.photo) {
                            (Some(_), Some((_, t))) => {
                                ui.add(
                                    egui::Image::from_texture(t)
                                        .max_size(egui::vec2(330.0, 330.0))
                                        .alt_text("foto del artículo"),
                                );
                            }
                            (Some(_), None) if !self.photo_failed => {
                                ui.spinner();
                            }
                            (Some(_), None) => {
                                ui.label(RichText::new("no se pudo leer la foto").weak());
                            }
                            (None, _) => {
                                let (r, _) = ui.allocate_exact_size(
                                    egui::vec2(320.0, 200.0),
                                    egui::Sense::hover(),
                                );
                                ui.painter()
                                    .rect_filled(r, 6.0, ui.visuals().faint_bg_color);
                                let color = ui.visuals().weak_text_color();
                                ui.painter().text(
                                    r.center(),
                                    egui::Align2::CENTER_CENTER,
                                    "sin foto",
                                    egui::FontId::proportional(16.0),
                                    color,
                                );
                            }
                        }
                    });
                    ui.add_space(12.0);
                    ui.vertical(|ui| self.data_ui(ui, env, &v));
                });
                ui.add_space(10.0);
                ui.separator();
                self.conversation_ui(ui, env, &v);
            });
        self.confirm_ui(ui, env, &v);
    }

    fn data_ui(&mut self, ui: &mut Ui, env: &mut Env, v: &PublicationView) {
        let d = self.data.as_ref().expect("loaded");
        ui.label(RichText::new(&v.title).size(22.0).strong());
        ui.label(RichText::new(format!("$ {}", v.price)).size(26.0).strong());
        egui::Grid::new("datos-publicacion")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                ui.label("Condición");
                ui.label(v.kind.label());
                ui.end_row();
                ui.label("Categoría");
                ui.label(&v.category_name);
                ui.end_row();
                ui.label("Estado");
                ui.label(&v.state_label);
                ui.end_row();
                ui.label("Publicada");
                ui.label(date(v.published_ms));
                ui.end_row();
                ui.label("Cierra");
                ui.label(&v.closes);
                ui.end_row();
                ui.label("Publicación N.º");
                ui.label(v.id.to_string());
                ui.end_row();
            });
        ui.add_space(6.0);
        ui.label(RichText::new("Descripción").strong());
        ui.add(egui::Label::new(&v.description).wrap());
        ui.add_space(6.0);
        ui.label(RichText::new("Quien vende").strong());
        ui.label(format!("{} — {}", v.seller_name, v.seller_province_name));
        ui.label(format!("Calificaciones: {}", rating_line(&d.rating)));
        ui.add_space(10.0);
        self.buy_ui(ui, env, v);
    }

    fn buy_ui(&mut self, ui: &mut Ui, env: &mut Env, v: &PublicationView) {
        let d = self.data.as_ref().expect("loaded");
        let Some(s) = env.session.clone() else {
            ui.horizontal(|ui| {
                ui.label("Para preguntar o comprar,");
                if ui.link("inicie sesión").clicked() {
                    env.nav(Nav::Tab(Tab::Login));
                }
                ui.label("o");
                if ui.link("cree una cuenta").clicked() {
                    env.nav(Nav::Tab(Tab::Register));
                }
            });
            return;
        };
        // After buying: the invoice and the rating.
        if let Some((p, inv)) = &self.bought {
            ok_text(
                ui,
                &format!("¡Compra realizada! Se emitió la factura N.º {}.", p.invoice),
            );
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(RichText::new(invoice_text(inv)).monospace());
            });
        }
        if let Some(sale) = &d.purchase {
            if self.bought.is_none() {
                ui.label(format!(
                    "Usted compró este artículo el {} (factura N.º {}).",
                    datetime(sale.sold_ms),
                    sale.invoice
                ));
            }
            let (sale_no, invoice_no, rating) = (sale.sale, sale.invoice, sale.rating);
            if ui.button("Ver la factura").clicked() {
                env.nav(Nav::Invoice(invoice_no));
            }
            if rating == Rating::Unrated {
                ui.label("¿Cómo le fue con quien vende?");
                ui.horizontal(|ui| {
                    for r in [Rating::Recommend, Rating::Neutral, Rating::NotRecommend] {
                        let label = format!("Calificar: {}", r.label());
                        if ui
                            .add_enabled(!self.rate.running(), egui::Button::new(label))
                            .clicked()
                        {
                            let (m, s) = (env.market.clone(), s.clone());
                            self.rate
                                .start(ui.ctx(), move || outcome(m.rate(&s, sale_no, r)));
                        }
                    }
                });
            } else {
                ui.label(format!("Su calificación: {}", rating.label()));
            }
            notice_line(ui, &self.rate_notice);
            return;
        }
        let own = v.seller_id == s.user_id;
        let (can, why) = if s.admin {
            (
                false,
                "la cuenta de administración no compra artículos".to_string(),
            )
        } else if own {
            (false, "es su propia publicación".to_string())
        } else if v.expired {
            (false, format!("la publicación venció el {}", v.closes))
        } else if v.state != PubState::Published {
            (false, format!("la publicación está {}", v.state_label))
        } else {
            (true, String::new())
        };
        ui.horizontal(|ui| {
            let busy = self.balance_job.running() || self.buy.running();
            let r = ui.add_enabled(
                can && !busy,
                egui::Button::new(RichText::new("Comprar").strong()),
            );
            let r = if can {
                r
            } else {
                r.on_disabled_hover_text(&why)
            };
            if r.clicked() {
                self.buy_error = None;
                let m = env.market.clone();
                let s = s.clone();
                self.balance_job.start(ui.ctx(), move || outcome(m.me(&s)));
            }
            if busy {
                ui.spinner();
            }
            if !can {
                ui.label(RichText::new(format!("No se puede comprar: {why}.")).weak());
            }
        });
        error_line(ui, &self.buy_error);
    }

    fn confirm_ui(&mut self, ui: &mut Ui, env: &mut Env, v: &PublicationView) {
        let Some(c) = &self.confirm else { return };
        let c = c.clone();
        let mut close = false;
        let mut go = false;
        let modal = egui::Modal::new(egui::Id::unique(("confirmar-compra", self.id))).show(
            ui.ctx(),
            |ui| {
                ui.set_width(420.0);
                ui.heading("¿Comprar este artículo?");
                ui.add_space(6.0);
                ui.label(RichText::new(&v.title).strong());
                match &c {
                    Ok(me) => {
                        egui::Grid::new("confirmar-importes")
                            .num_columns(2)
                            .spacing([16.0, 4.0])
                            .show(ui, |ui| {
                                ui.label("Precio");
                                ui.label(RichText::new(money(v.price_cents)).strong());
                                ui.end_row();
                                ui.label("Saldo de su billetera");
                                ui.label(money(me.balance_cents));
                                ui.end_row();
                                ui.label("Saldo después de la compra");
                                ui.label(money(me.balance_cents - v.price_cents));
                                ui.end_row();
                            });
                        let enough = me.balance_cents >= v.price_cents;
                        if !enough {
                            error_text(
                                ui,
                                &format!(
                                    "Saldo insuficiente: deposite al menos {} en «Mi billetera».",
                                    money(v.price_cents - me.balance_cents)
                                ),
                            );
                        }
                        ui.add_space(8.0);
                        ui.horizontal(|ui| {
                            if ui
                                .add_enabled(
                                    enough && !self.buy.running(),
                                    egui::Button::new("Confirmar la compra"),
                                )
                                .clicked()
                            {
                                go = true;
                            }
                            if ui.button("Cancelar").clicked() {
                                close = true;
                            }
                            if self.buy.running() {
                                ui.spinner();
                            }
                        });
                    }
                    Err(e) => {
                        error_text(ui, e);
                        if ui.button("Cancelar").clicked() {
                            close = true;
                        }
                    }
                }
            },
        );
        if modal.should_close() && !self.buy.running() {
            close = true;
        }
        if close {
            self.confirm = None;
        }
        if go && let Some(s) = env.session.clone() {
            let (m, id) = (env.market.clone(), self.id);
            self.buy.start(ui.ctx(), move || {
                let p = outcome(m.buy(&s, id))?;
                let inv = outcome(m.invoice(&s, p.invoice))?;
                Ok((p, inv))
            });
        }
    }

    fn conversation_ui(&mut self, ui: &mut Ui, env: &mut Env, v: &PublicationView) {
        let Some(s) = env.session.clone() else { return };
        let d = self.data.as_ref().expect("loaded");
        let open = matches!(v.state, PubState::Published | PubState::Paused);
        if v.seller_id == s.user_id || s.admin {
            ui.heading("Preguntas de compradores");
            if d.conversations.is_empty() {
                ui.label("Nadie preguntó todavía.");
            }
            let convs = d.conversations.clone();
            for c in &convs {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(
                        RichText::new(format!("{} <{}>", c.buyer_name, c.buyer_email)).strong(),
                    );
                    messages_ui(ui, c);
                    if c.unanswered > 0 && !s.admin {
                        let text = self.answers.entry(c.buyer_email.clone()).or_default();
                        let l = ui.label(format!("Respuesta para {}", c.buyer_name));
                        ui.add(
                            TextEdit::multiline(text)
                                .desired_rows(2)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(l.id);
                        if ui
                            .add_enabled(!self.answer_job.running(), egui::Button::new("Responder"))
                            .clicked()
                        {
                            let (m, id, b, a) = (
                                env.market.clone(),
                                self.id,
                                c.buyer_email.clone(),
                                text.clone(),
                            );
                            let s = s.clone();
                            self.answer_job.start(ui.ctx(), move || {
                                let r = outcome(m.answer(&s, id, &b, &a));
                                (b, r)
                            });
                        }
                    }
                    if let Some((b, n)) = &self.answer_notice
                        && *b == c.buyer_email
                    {
                        notice_line(ui, &Some(n.clone()));
                    }
                });
            }
            return;
        }
        ui.heading("Su conversación con quien vende");
        match d.conversations.first() {
            Some(c) => messages_ui(ui, c),
            None => {
                ui.label("Todavía no preguntó nada.");
            }
        }
        ui.add_space(6.0);
        let l = ui.label("Su pregunta");
        ui.add_enabled(
            open,
            TextEdit::multiline(&mut self.question)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
        ui.horizontal(|ui| {
            let r = ui.add_enabled(open && !self.ask.running(), egui::Button::new("Preguntar"));
            if !open {
                r.on_disabled_hover_text("esta publicación ya no recibe preguntas");
            } else if r.clicked() {
                let (m, id, q) = (env.market.clone(), self.id, self.question.clone());
                self.ask.start(ui.ctx(), move || outcome(m.ask(&s, id, &q)));
            }
            if self.ask.running() {
                ui.spinner();
            }
        });
        notice_line(ui, &self.ask_notice);
    }
}

fn messages_ui(ui: &mut Ui, c: &ConversationView) {
    for m in &c.messages {
        ui.label(format!(
            "Pregunta ({}): {}",
            datetime(m.asked_ms),
            m.question
        ));
        match (&m.answer, m.answered_ms) {
            (Some(a), Some(t)) => {
                ui.label(RichText::new(format!("Respuesta ({}): {a}", datetime(t))).italics());
            }
            _ => {
                ui.label(RichText::new("(sin respuesta todavía)").weak());
            }
        }
        ui.add_space(2.0);
    }
}

fn load(m: &crate::domain::Market, id: u64, s: Option<&Session>) -> Outcome<PubData> {
    let view = outcome(m.publication_as(s, id))?;
    let rating = outcome(m.seller_rating(view.seller_id))?;
    let (conversations, purchase) = match s {
        Some(s) => {
            let c = outcome(m.conversations(s, id, None))?;
            let p = if view.buyer_id == Some(s.user_id) {
                outcome(m.purchases(s))?
                    .into_iter()
                    .find(|p| p.publication == id)
            } else {
                None
            };
            (c, p)
        }
        None => (Vec::new(), None),
    };
    Ok(PubData {
        view,
        rating,
        conversations,
        purchase,
    })
}
