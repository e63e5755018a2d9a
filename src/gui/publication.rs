//! One publication: photo, data, seller and the seller's rating; the conversation with the
//! seller (a buyer asks and reads the answers; the seller answers here too); buying, with a
//! confirmation that shows price and wallet balance (Escape closes it, and it closes by itself
//! saying why when the article is sold at another terminal); after buying, the invoice and the
//! rating. What the user may do is the domain's answer ([`ListingActions`]).

use egui::{Id, RichText, TextEdit, Ui};

use super::browse::BrowseScreen;
use super::env::{Env, Nav, Tab};
use super::invoices::{InvoicesScreen, invoice_text};
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, good_text, notice_ui};
use super::screen::Screen;
use super::widgets::{date, datetime, money};
use crate::domain::account::UserView;
use crate::domain::blocks::BlockTarget;
use crate::domain::catalog::{PublicationView, RatingSummary};
use crate::domain::permissions::{ListingActions, why};
use crate::domain::phrases::counted;
use crate::domain::shop::{Contact, ListingPage};
use crate::domain::trade::{ConversationView, Purchase, SaleView};
use crate::domain::{DResult, Invoice, Market, PubState, Rating, Session};

/// Everything the page shows, read in one background job.
pub struct PubData {
    pub view: PublicationView,
    pub rating: RatingSummary,
    pub conversations: Vec<ConversationView>,
    /// The logged-in user's purchase of this publication.
    pub purchase: Option<SaleView>,
    /// Why the administration blocked it (shown to its seller).
    pub block_reason: Option<String>,
    /// Photos, the seller's card and reputation, the public questions, the heart.
    pub page: ListingPage,
    /// After a purchase: how to reach the seller.
    pub contact: Option<Contact>,
}

const PHOTO_BOX: f32 = 320.0;

/// The purchase confirmation: open, with the balance read when it opened.
struct Confirm {
    balance: Option<DResult<UserView>>,
}

pub struct PublicationScreen {
    /// Where «Volver» goes (the screen it was opened from).
    pub back: Tab,
    pub id: Option<u64>,
    data: Loaded<PubData, (u64, Option<u64>)>,
    gallery: super::gallery::Gallery,
    heart: super::favourites::Heart,
    pub questions: super::questions::QuestionsUi,
    /// The comment typed with the rating.
    pub comment: String,
    confirm: Option<Confirm>,
    balance_job: Job<DResult<UserView>>,
    buy: Job<DResult<(Purchase, Invoice)>>,
    /// Why the last purchase did not happen, or why the confirmation closed by itself.
    pub buy_notice: Option<Notice>,
    pub bought: Option<(Purchase, Invoice)>,
    rate: Job<DResult<()>>,
    pub rate_notice: Option<Notice>,
    /// «Comprar» is pressed at the next frame (the screenshots' example opens the
    /// confirmation this way).
    pub press_buy: bool,
}

impl Default for PublicationScreen {
    fn default() -> Self {
        PublicationScreen {
            back: BrowseScreen::TAB,
            id: None,
            data: Loaded::default(),
            gallery: super::gallery::Gallery::default(),
            heart: super::favourites::Heart::default(),
            questions: super::questions::QuestionsUi::default(),
            comment: String::new(),
            confirm: None,
            balance_job: Job::default(),
            buy: Job::default(),
            buy_notice: None,
            bought: None,
            rate: Job::default(),
            rate_notice: None,
            press_buy: false,
        }
    }
}

fn rating_line(r: &RatingSummary) -> String {
    let total = r.recommend + r.neutral + r.not_recommend;
    if total == 0 {
        return "sin calificaciones todavía".into();
    }
    format!(
        "{} recomendable · {} neutral · {} no recomendable ({})",
        r.recommend,
        r.neutral,
        r.not_recommend,
        counted(total, "venta calificada", "ventas calificadas")
    )
}

impl PublicationScreen {
    pub const TAB: Tab = Tab("publicacion");

    /// The page's data as last read.
    pub fn data(&self) -> Option<&PubData> {
        self.data.get()
    }

    /// The purchase confirmation is open.
    pub fn confirming(&self) -> bool {
        self.confirm.is_some()
    }

    fn data_ui(&mut self, ui: &mut Ui, env: &mut Env, d: &PubData, a: &ListingActions) {
        let v = &d.view;
        ui.add(egui::Label::new(RichText::new(&*v.title).size(22.0).strong()).wrap());
        ui.label(RichText::new(money(v.price_cents)).size(26.0).strong());
        self.heart.ui(ui, env, v.id, d.page.favourite, &a.favourite);
        egui::Grid::new("datos-publicacion")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (k, val) in [
                    ("Condición", v.kind.label().to_string()),
                    ("Categoría", v.category_name.to_string()),
                    ("Estado", v.state_label.to_string()),
                    ("Publicada", date(v.published_ms)),
                    ("Cierra", date(v.closes_ms)),
                    ("Publicación N.º", v.id.to_string()),
                ] {
                    ui.label(k);
                    ui.label(val);
                    ui.end_row();
                }
            });
        if let Some(r) = &d.block_reason
            && env
                .session
                .as_ref()
                .is_some_and(|s| s.user_id == v.seller_id || s.admin)
        {
            bad_text(ui, &format!("Bloqueada por la administración: {r}"));
        }
        ui.add_space(6.0);
        ui.label(RichText::new("Descripción").strong());
        ui.add(egui::Label::new(&*v.description).wrap());
        ui.add_space(6.0);
        ui.label(RichText::new("Quién vende").strong());
        super::seller::seller_card_ui(ui, env, &d.page.seller);
        ui.label(RichText::new(format!("Calificaciones: {}", rating_line(&d.rating))).weak());
        ui.add_space(10.0);
        self.buy_ui(ui, env, d, a);
    }

    fn buy_ui(&mut self, ui: &mut Ui, env: &mut Env, d: &PubData, a: &ListingActions) {
        let Some(s) = env.session.clone() else {
            super::questions::sign_in_line(ui, env, "Para preguntar o comprar");
            return;
        };
        // After buying: the invoice and the rating.
        if let Some((p, inv)) = &self.bought {
            good_text(
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
                env.nav(Nav::Open(InvoicesScreen::TAB, invoice_no));
            }
            if let Some(c) = &d.contact {
                contact_ui(ui, c);
            }
            if rating == Rating::Unrated {
                ui.label("¿Cómo le fue con quien vende?");
                let l = ui.label("Comentario para otros compradores (opcional)");
                ui.add(
                    TextEdit::singleline(&mut self.comment)
                        .hint_text("por ejemplo: todo como se describía, muy amable")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id);
                ui.horizontal_wrapped(|ui| {
                    for r in [Rating::Recommend, Rating::Neutral, Rating::NotRecommend] {
                        let label = format!("Calificar: {}", r.label());
                        if ui
                            .add_enabled(!self.rate.running(), egui::Button::new(label))
                            .clicked()
                        {
                            let (m, s, c) = (env.market.clone(), s.clone(), self.comment.clone());
                            self.rate
                                .start(ui.ctx(), move || m.rate_with_comment(&s, sale_no, r, &c));
                        }
                    }
                });
            } else {
                ui.label(format!("Su calificación: {}", rating.label()));
            }
            notice_ui(ui, &mut self.rate_notice);
            return;
        }
        ui.horizontal_wrapped(|ui| {
            let busy = self.balance_job.running() || self.buy.running();
            let can = a.buy.is_ok();
            let r = ui.add_enabled(
                can && !busy,
                egui::Button::new(RichText::new("Comprar").strong()),
            );
            let pressed = std::mem::take(&mut self.press_buy) && can && !busy;
            if let Some(w) = why(&a.buy) {
                r.on_disabled_hover_text(w);
                ui.label(RichText::new(format!("No se puede comprar: {w}.")).weak());
            } else if r.clicked() || pressed {
                self.buy_notice = None;
                self.confirm = Some(Confirm { balance: None });
                let (m, s) = (env.market.clone(), s.clone());
                self.balance_job.start(ui.ctx(), move || m.me(&s));
            }
            if busy {
                ui.spinner();
            }
        });
        notice_ui(ui, &mut self.buy_notice);
    }

    fn confirm_ui(&mut self, ui: &mut Ui, env: &mut Env, v: &PublicationView) {
        let Some(c) = &self.confirm else { return };
        let mut close = false;
        let mut go = false;
        let buying = self.buy.running();
        let modal = egui::Modal::new(Id::unique(("confirmar-compra", v.id))).show(ui.ctx(), |ui| {
            ui.set_width(420.0);
            ui.heading("¿Comprar este artículo?");
            ui.add_space(6.0);
            ui.add(egui::Label::new(RichText::new(&*v.title).strong()).wrap());
            match &c.balance {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Leyendo el saldo de su billetera…");
                    });
                    if ui.button("Cancelar").clicked() {
                        close = true;
                    }
                }
                Some(Ok(me)) => {
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
                        bad_text(
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
                                enough && !buying,
                                egui::Button::new("Confirmar la compra"),
                            )
                            .clicked()
                        {
                            go = true;
                        }
                        if ui.button("Cancelar").clicked() {
                            close = true;
                        }
                        if buying {
                            ui.spinner();
                        }
                    });
                    ui.label(RichText::new("Escape cierra este cuadro sin comprar.").weak());
                }
                Some(Err(e)) => {
                    bad_text(ui, &e.to_string());
                    if ui.button("Cancelar").clicked() {
                        close = true;
                    }
                }
            }
        });
        if modal.should_close() && !buying {
            close = true;
        }
        if close {
            self.confirm = None;
        }
        if go && let Some(s) = env.session.clone() {
            let (m, id) = (env.market.clone(), v.id);
            self.buy.start(ui.ctx(), move || {
                let p = m.buy(&s, id)?;
                let inv = m.invoice(&s, p.invoice)?;
                Ok((p, inv))
            });
        }
    }

    fn conversation_ui(&mut self, ui: &mut Ui, env: &mut Env, d: &PubData, a: &ListingActions) {
        self.questions.ui(ui, env, d.view.id, &d.page.questions, a);
    }
}

/// After a purchase: how to reach the other side and arrange the delivery.
fn contact_ui(ui: &mut Ui, c: &Contact) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new("Cómo contactar a quien vende").strong());
        egui::Grid::new("contacto-vendedor")
            .num_columns(2)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for (k, v) in [
                    ("Nombre", c.name.as_str()),
                    ("Email", c.email.as_str()),
                    (
                        "Teléfono",
                        if c.phone.is_empty() {
                            "-"
                        } else {
                            c.phone.as_str()
                        },
                    ),
                    ("Provincia", c.province_name.as_str()),
                ] {
                    ui.label(k);
                    ui.label(v);
                    ui.end_row();
                }
            });
        ui.add(egui::Label::new(&c.advice).wrap());
    });
}

impl Screen for PublicationScreen {
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
        let back = self.back;
        *self = PublicationScreen {
            back,
            id: Some(item),
            ..PublicationScreen::default()
        };
    }

    fn reset(&mut self) {
        *self = PublicationScreen::default();
    }

    /// Takes the results of the background work (each frame, shown or not).
    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.data.poll();
        self.heart.poll(env);
        self.questions.poll(env);
        if let Some(r) = self.balance_job.poll()
            && let Some(c) = &mut self.confirm
        {
            c.balance = Some(r);
        }
        if let Some(r) = self.buy.poll() {
            self.confirm = None;
            match r {
                Ok(p) => {
                    self.bought = Some(p);
                    self.buy_notice = None;
                    env.changed();
                }
                Err(e) => {
                    self.buy_notice = Some(Notice::bad(format!("No se compró: {e}")));
                    env.changed();
                }
            }
        }
        if let Some(r) = self.rate.poll() {
            match r {
                Ok(()) => {
                    self.rate_notice = Some(Notice::good("calificación guardada; gracias"));
                    env.changed();
                }
                Err(e) => self.rate_notice = Some(Notice::of_error(&e)),
            }
        }
        // The article was sold (or paused, blocked…) at another terminal while the
        // confirmation was open: it closes, saying why.
        if self.confirm.is_some()
            && !self.buy.running()
            && let Some(d) = self.data.get()
        {
            let a = ListingActions::of(env.session.as_ref(), &d.view);
            if let Some(w) = why(&a.buy) {
                self.confirm = None;
                self.buy_notice = Some(Notice::bad(format!("La compra se cerró sin comprar: {w}")));
            }
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(id) = self.id else {
            ui.label("Elija una publicación en «Explorar».");
            return;
        };
        let (m, s) = (env.market.clone(), env.session.clone());
        let who = s.as_ref().map(|s| s.user_id);
        self.data
            .keep_fresh(ui.ctx(), env.generation, (id, who), |(id, _)| {
                move || load(&m, id, s.as_ref())
            });
        ui.horizontal(|ui| {
            if ui.button("« Volver").clicked() {
                env.nav(Nav::Show(self.back));
            }
            if self.data.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.data.error {
            bad_text(ui, e);
        }
        // The page is drawn from a copy, so its parts can change the screen's state.
        let Some(d) = self.data.get().map(|d| PubData {
            view: d.view.clone(),
            rating: d.rating,
            conversations: d.conversations.clone(),
            purchase: d.purchase.clone(),
            block_reason: d.block_reason.clone(),
            page: d.page.clone(),
            contact: d.contact.clone(),
        }) else {
            return;
        };
        let a = ListingActions::of(env.session.as_ref(), &d.view);
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let wide = ui.available_width() >= PHOTO_BOX + 360.0;
                if wide {
                    ui.horizontal_top(|ui| {
                        ui.vertical(|ui| self.gallery.ui(ui, env, &d.page.photos, PHOTO_BOX));
                        ui.add_space(12.0);
                        ui.vertical(|ui| self.data_ui(ui, env, &d, &a));
                    });
                } else {
                    self.gallery.ui(ui, env, &d.page.photos, PHOTO_BOX);
                    ui.add_space(8.0);
                    self.data_ui(ui, env, &d, &a);
                }
                ui.add_space(10.0);
                ui.separator();
                self.conversation_ui(ui, env, &d, &a);
            });
        self.confirm_ui(ui, env, &d.view);
    }
}

fn load(m: &Market, id: u64, s: Option<&Session>) -> DResult<PubData> {
    let view = m.publication_as(s, id)?;
    let rating = m.seller_rating(view.seller_id)?;
    let (conversations, purchase) = match s {
        Some(s) => {
            let c = m.conversations(s, id, None)?;
            let p = if view.buyer_id == Some(s.user_id) {
                m.purchases(s)?.into_iter().find(|p| p.publication == id)
            } else {
                None
            };
            (c, p)
        }
        None => (Vec::new(), None),
    };
    let block_reason = if view.state == PubState::Blocked {
        m.block_reasons(BlockTarget::Publication)?
            .remove(&id)
            .map(|b| b.reason)
    } else {
        None
    };
    let page = m.listing_page(s, id)?;
    let contact = match (s, &purchase) {
        (Some(s), Some(p)) => Some(m.sale_contact(s, p.sale)?),
        _ => None,
    };
    Ok(PubData {
        view,
        rating,
        conversations,
        purchase,
        block_reason,
        page,
        contact,
    })
}
