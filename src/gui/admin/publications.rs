//! Publications and conversations: block / unblock a publication, the bulk generator of
//! testimonial conversations, the conversation and publication listings, sales between two
//! dates, expired publications of a category, and collecting commissions.

use egui::{RichText, Ui};

use super::common::{RunAsAdmin, Task, busy, field, tabs};
use super::reports::ReportView;
use crate::domain::blocks::{BlockTarget, validate_reason};
use crate::domain::catalog::PublicationView;
use crate::domain::commissions::CommissionPreview;
use crate::domain::permissions::{ListingActions, why};
use crate::domain::phrases::{self, agree, counted, state_adjective};
use crate::domain::trade::Collection;
use crate::gui::env::Env;
use crate::gui::loaded::Loaded;
use crate::gui::notice::{Notice, bad_text, notice_ui};
use crate::gui::widgets::{date, enter_pressed, focus_once, money, right_aligned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Block,
    Bulk,
    BuyerConversations,
    SellerConversations,
    SellerPublications,
    Sales,
    Expired,
    Commissions,
}

pub struct PublicationsPanel {
    pub section: Section,
    // Blocking: find the publication, choose it, say why.
    pub query: String,
    found: Task<Vec<PublicationView>>,
    pub results: Vec<PublicationView>,
    /// The publication chosen, as last read.
    pub chosen: Option<PublicationView>,
    reread: Task<(PublicationView, Option<String>)>,
    /// Why the chosen publication is blocked (when it is).
    pub chosen_block_reason: Option<String>,
    chosen_gen: Option<u64>,
    pub reason: String,
    pub reason_error: Option<String>,
    block: Task<PublicationView>,
    pub block_msg: Option<Notice>,
    focus: bool,
    // Bulk conversations.
    pub bulk_pub: String,
    pub bulk_users: String,
    pub bulk_seed: String,
    bulk: Task<(u64, u64)>,
    pub bulk_msg: Option<Notice>,
    // Commissions: the preview, then the confirmation of what it shows.
    preview: Loaded<CommissionPreview>,
    /// The preview the administrator is asked to confirm.
    pub confirming: Option<CommissionPreview>,
    collect: Task<Collection>,
    pub collect_msg: Option<Notice>,
    buyer_conv: ReportView,
    seller_conv: ReportView,
    seller_pubs: ReportView,
    sales: ReportView,
    expired: ReportView,
}

impl Default for PublicationsPanel {
    fn default() -> Self {
        PublicationsPanel {
            section: Section::Block,
            query: String::new(),
            found: Task::default(),
            results: Vec::new(),
            chosen: None,
            reread: Task::default(),
            chosen_block_reason: None,
            chosen_gen: None,
            reason: String::new(),
            reason_error: None,
            block: Task::default(),
            block_msg: None,
            focus: true,
            bulk_pub: String::new(),
            bulk_users: "10".into(),
            bulk_seed: String::new(),
            bulk: Task::default(),
            bulk_msg: None,
            preview: Loaded::default(),
            confirming: None,
            collect: Task::default(),
            collect_msg: None,
            buyer_conv: ReportView::new("conversaciones-comprador"),
            seller_conv: ReportView::new("conversaciones-vendedor"),
            seller_pubs: ReportView::new("publicaciones-de-vendedor"),
            sales: ReportView::new("ventas-entre-fechas"),
            expired: ReportView::new("vencidas-sin-venta"),
        }
    }
}

/// How many publications a search lists.
const FOUND_LIMIT: usize = 50;

fn parse_id(s: &str, what: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("«{}» no es {what} válido (un número mayor que 0)", s.trim()))
}

impl PublicationsPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        tabs(
            ui,
            &mut self.section,
            &[
                (Section::Block, "Bloqueo de publicaciones"),
                (Section::Bulk, "Conversaciones masivas"),
                (
                    Section::BuyerConversations,
                    "Conversaciones de un comprador",
                ),
                (
                    Section::SellerConversations,
                    "Conversaciones de un vendedor",
                ),
                (Section::SellerPublications, "Publicaciones de un vendedor"),
                (Section::Sales, "Ventas entre fechas"),
                (Section::Expired, "Vencidas sin venta"),
                (Section::Commissions, "Cobro de comisiones"),
            ],
        );
        ui.separator();
        match self.section {
            // It scrolls: at 800×600 the reason and the buttons sit below the fold.
            Section::Block => {
                egui::ScrollArea::vertical()
                    .id_salt("bloqueo-publicaciones")
                    .auto_shrink([false, false])
                    .show(ui, |ui| self.block_ui(ui, env));
            }
            Section::Bulk => self.bulk_ui(ui, env),
            Section::BuyerConversations => self.buyer_conv.ui(ui, env),
            Section::SellerConversations => self.seller_conv.ui(ui, env),
            Section::SellerPublications => self.seller_pubs.ui(ui, env),
            Section::Sales => self.sales.ui(ui, env),
            Section::Expired => self.expired.ui(ui, env),
            Section::Commissions => self.commissions_ui(ui, env),
        }
    }

    fn block_ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.found.poll() {
            match r {
                Ok(list) => {
                    if list.is_empty() {
                        self.block_msg = Some(Notice::bad(format!(
                            "Ninguna publicación coincide con «{}».",
                            self.query.trim()
                        )));
                    }
                    self.results = list;
                }
                Err(e) => self.block_msg = Some(Notice::bad(e)),
            }
        }
        if let Some(Ok((p, r))) = self.reread.poll()
            && self.chosen.as_ref().is_some_and(|c| c.id == p.id)
        {
            self.chosen = Some(p);
            self.chosen_block_reason = r;
        }
        if let Some(r) = self.block.poll() {
            match r {
                Ok(p) => {
                    env.changed();
                    self.block_msg = Some(Notice::good(format!(
                        "La publicación {} «{}» quedó {}.",
                        p.id,
                        p.title,
                        state_adjective(p.state)
                    )));
                    self.reason.clear();
                    self.chosen = Some(p);
                }
                Err(e) => {
                    self.block_msg =
                        Some(Notice::bad(format!("No se pudo cambiar el bloqueo: {e}")))
                }
            }
        }
        // The chosen publication follows the share (another terminal may have sold it).
        if let Some(c) = &self.chosen
            && self.chosen_gen != Some(env.generation)
            && !self.reread.running()
        {
            self.chosen_gen = Some(env.generation);
            let id = c.id;
            self.reread.run(&ctx, env, move |m, s| {
                let p = m.publication_as(Some(s), id)?;
                let reason = m
                    .block_reasons(BlockTarget::Publication)?
                    .remove(&id)
                    .map(|b| b.reason);
                Ok((p, reason))
            });
        }
        ui.label(
            "Busque la publicación por su nombre, su descripción, quien la vende o su número, y elíjala de la lista. \
             Una publicación bloqueada no se ve ni se puede comprar; quien la vende ve el motivo. Al desbloquearla vuelve \
             al estado que tenía.",
        );
        let working = self.block.running() || self.found.running();
        ui.horizontal_wrapped(|ui| {
            let r = field(
                ui,
                "Buscar la publicación",
                &mut self.query,
                "nombre, vendedor o número",
                260.0,
            );
            focus_once(&r, &mut self.focus);
            let enter = enter_pressed(ui, &r);
            if (ui
                .add_enabled(!working, egui::Button::new("Buscar"))
                .clicked()
                || enter)
                && !self.query.trim().is_empty()
            {
                self.block_msg = None;
                let q = self.query.clone();
                self.found.run(&ctx, env, move |m, s| {
                    m.find_publications(s, &q, FOUND_LIMIT)
                });
            }
            if working {
                ui.spinner();
            }
        });
        let mut pick = None;
        if !self.results.is_empty() {
            ui.label(format!(
                "{}; elija una:",
                counted(
                    self.results.len() as u64,
                    "publicación encontrada",
                    "publicaciones encontradas"
                )
            ));
            egui::ScrollArea::vertical()
                .id_salt("encontradas")
                .max_height(180.0)
                .show(ui, |ui| {
                    for p in &self.results {
                        let text = format!(
                            "N.º {} · {} · {} · {} · {}",
                            p.id,
                            p.title,
                            p.seller_email,
                            money(p.price_cents),
                            p.state_label
                        );
                        let on = self.chosen.as_ref().is_some_and(|c| c.id == p.id);
                        if ui.selectable_label(on, text).clicked() {
                            pick = Some(p.clone());
                        }
                    }
                });
        }
        if let Some(p) = pick {
            self.chosen = Some(p);
            self.chosen_gen = None;
            self.chosen_block_reason = None;
            self.reason_error = None;
            self.block_msg = None;
        }
        ui.separator();
        let Some(p) = self.chosen.clone() else {
            notice_ui(ui, &mut self.block_msg);
            return;
        };
        egui::Grid::new("publicacion")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                let rows = [
                    ("Publicación", p.id.to_string()),
                    ("Artículo", p.title.to_string()),
                    ("Categoría", format!("{} {}", p.category, p.category_name)),
                    (
                        "Vendedor",
                        format!("{} ({})", p.seller_name, p.seller_email),
                    ),
                    ("Precio", money(p.price_cents)),
                    ("Estado", p.state_label.to_string()),
                    ("Cierre", date(p.closes_ms)),
                ];
                for (k, v) in rows {
                    ui.strong(k);
                    ui.label(v);
                    ui.end_row();
                }
                if let Some(r) = &self.chosen_block_reason {
                    ui.strong("Motivo del bloqueo");
                    ui.label(r);
                    ui.end_row();
                }
            });
        let a = ListingActions::of(env.session.as_ref(), &p);
        let mut go = None;
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Motivo del bloqueo");
            let r = ui
                .add_enabled(
                    a.block.is_ok(),
                    egui::TextEdit::singleline(&mut self.reason)
                        .hint_text("lo verá quien vende")
                        .desired_width(320.0)
                        .min_size(egui::vec2(320.0, 0.0)),
                )
                .labelled_by(l.id);
            if r.changed() {
                self.reason_error = None;
            }
            let enter = enter_pressed(ui, &r);
            let b = ui.add_enabled(
                a.block.is_ok() && !working,
                egui::Button::new("Bloquear publicación"),
            );
            if (b.clicked() || (enter && a.block.is_ok())) && !working {
                go = Some(true);
            }
            if let Some(w) = why(&a.block) {
                b.on_disabled_hover_text(w);
            }
            let u = ui.add_enabled(
                a.unblock.is_ok() && !working,
                egui::Button::new("Desbloquear publicación"),
            );
            if u.clicked() {
                go = Some(false);
            }
            if let Some(w) = why(&a.unblock) {
                u.on_disabled_hover_text(w);
            }
        });
        if let Some(e) = &self.reason_error {
            bad_text(ui, e);
        }
        match go {
            Some(true) => match validate_reason(&self.reason) {
                Err(e) => self.reason_error = Some(e.to_string()),
                Ok(reason) => {
                    let id = p.id;
                    self.block.run(&ctx, env, move |m, s| {
                        m.block_publication(s, id, &reason)?;
                        m.publication_as(Some(s), id)
                    });
                }
            },
            Some(false) => {
                let id = p.id;
                self.block.run(&ctx, env, move |m, s| {
                    m.unblock_publication(s, id)?;
                    m.publication_as(Some(s), id)
                });
            }
            None => {}
        }
        if working {
            busy(ui, "Consultando la carpeta…");
        }
        notice_ui(ui, &mut self.block_msg);
    }

    fn bulk_ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.bulk.poll() {
            if r.is_ok() {
                env.changed();
            }
            self.bulk_msg = Some(match r {
                Ok((id, n)) => Notice::good(format!(
                    "Se agregaron {} a la publicación {id}.",
                    counted(
                        n,
                        "conversación testimonial",
                        "conversaciones testimoniales"
                    )
                )),
                Err(e) => Notice::bad(format!("No se agregaron conversaciones: {e}")),
            });
        }
        ui.label(
            "Agrega conversaciones entre una publicación y usuarios existentes elegidos al azar (sin repetir), \
             cada una con los dos mensajes fijos:",
        );
        ui.monospace("  Comprador: «Hola. Me llamo <nombre> - Fecha: <fecha y hora>»");
        ui.monospace("  Vendedor:  «Gracias. Me llamo <nombre> - Vendo <artículo>»");
        let working = self.bulk.running();
        ui.horizontal_wrapped(|ui| {
            field(ui, "Publicación", &mut self.bulk_pub, "123", 80.0);
            field(ui, "Cantidad de usuarios", &mut self.bulk_users, "10", 60.0);
            field(
                ui,
                "Semilla (opcional)",
                &mut self.bulk_seed,
                "al azar",
                90.0,
            );
            if ui
                .add_enabled(!working, egui::Button::new("Generar conversaciones"))
                .clicked()
            {
                let parsed = (|| {
                    let id = parse_id(&self.bulk_pub, "un id de publicación")?;
                    let n = parse_id(&self.bulk_users, "una cantidad de usuarios")?;
                    let seed =
                        match self.bulk_seed.trim() {
                            "" => None,
                            s => Some(s.parse::<u64>().map_err(|_| {
                                format!("«{s}» no es una semilla válida (un número)")
                            })?),
                        };
                    Ok::<_, String>((id, n, seed))
                })();
                match parsed {
                    Ok((id, n, seed)) => self.bulk.run(&ctx, env, move |m, s| {
                        Ok((id, m.bulk_conversations(s, id, n, seed)?))
                    }),
                    Err(e) => self.bulk_msg = Some(Notice::bad(e)),
                }
            }
        });
        if working {
            busy(ui, "Generando conversaciones…");
        }
        notice_ui(ui, &mut self.bulk_msg);
    }

    fn commissions_ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.collect.poll() {
            if r.is_ok() {
                env.changed();
            }
            self.confirming = None;
            self.collect_msg = Some(match r {
                Ok(c) => {
                    let mut t = format!(
                        "Se cobraron {} por {}.",
                        counted(c.collected, "comisión", "comisiones"),
                        money(c.amount_cents)
                    );
                    if c.pending > 0 {
                        t.push_str(&format!(
                            " {} {} por {} (quien vende no tiene saldo o ya no tiene cuenta).",
                            phrases::sentence(agree(c.pending, "queda", "quedan"))
                                .trim_end_matches('.'),
                            counted(c.pending, "pendiente", "pendientes"),
                            money(c.pending_cents)
                        ));
                    }
                    Notice::good(t)
                }
                Err(e) => Notice::bad(format!("No se cobraron las comisiones: {e}")),
            });
        }
        self.preview.poll();
        let (m, s) = (env.market.clone(), env.session.clone());
        self.preview.keep_fresh(&ctx, env.generation, (), |_| {
            move || match s {
                Some(s) => m.commission_preview(&s),
                None => Err(crate::domain::DomainError::Denied(
                    "solo la administración puede hacer esto".into(),
                )),
            }
        });
        // What was confirmed must be what is shown: a change elsewhere cancels the question.
        if let (Some(c), Some(p)) = (&self.confirming, self.preview.get())
            && c != p
            && !self.collect.running()
        {
            self.confirming = None;
            self.collect_msg = Some(Notice::bad(
                "Las comisiones cambiaron mientras se confirmaba (otra terminal vendió o cobró): revise la vista previa otra vez.",
            ));
        }
        ui.label(
            "Pasa de la billetera de cada vendedor a la de VentaLibre las comisiones todavía no cobradas que su saldo \
             cubre, y las marca cobradas. Primero se ve qué se cobraría; nada se mueve hasta confirmar.",
        );
        if let Some(e) = &self.preview.error {
            bad_text(ui, e);
        }
        let Some(p) = self.preview.get().cloned() else {
            busy(ui, "Calculando la vista previa…");
            return;
        };
        ui.add_space(4.0);
        ui.label(RichText::new("Vista previa del cobro").strong());
        if p.sellers.is_empty() {
            ui.label("No hay comisiones sin cobrar.");
        } else {
            let height = (ui.available_height() - 140.0).clamp(120.0, 420.0);
            egui::ScrollArea::both()
                .id_salt("vista-previa-comisiones")
                .max_height(height)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    egui::Grid::new("comisiones")
                        .striped(true)
                        .num_columns(7)
                        .spacing([14.0, 4.0])
                        .show(ui, |ui| {
                            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                            ui.strong("Vendedor");
                            ui.strong("Email");
                            for h in ["Saldo", "Comisiones", "A cobrar", "Pendiente"] {
                                right_aligned(ui, |ui| {
                                    ui.strong(h);
                                });
                            }
                            // An empty last column keeps "Pendiente" next to its numbers.
                            ui.label("");
                            ui.end_row();
                            for l in &p.sellers {
                                ui.label(&l.seller_name);
                                ui.label(&l.seller_email);
                                right_aligned(ui, |ui| {
                                    ui.label(money(l.balance_cents));
                                });
                                right_aligned(ui, |ui| {
                                    ui.label(l.sales.to_string());
                                });
                                right_aligned(ui, |ui| {
                                    ui.label(RichText::new(money(l.amount_cents)).strong());
                                });
                                right_aligned(ui, |ui| {
                                    ui.label(if l.pending == 0 {
                                        "-".to_string()
                                    } else {
                                        format!("{} ({})", money(l.pending_cents), l.pending)
                                    });
                                });
                                ui.label("");
                                ui.end_row();
                            }
                        });
                });
        }
        let sellers = p.sellers.iter().filter(|l| l.sales > 0).count() as u64;
        let mut total = format!(
            "Total a cobrar: {} ({} de {}).",
            money(p.total_cents),
            counted(p.sales, "comisión", "comisiones"),
            counted(sellers, "vendedor", "vendedores"),
        );
        if p.pending > 0 {
            total.push_str(&format!(
                " {} sin cobrar: {} ({}).",
                phrases::sentence(agree(p.pending, "queda", "quedan")).trim_end_matches('.'),
                money(p.pending_cents),
                counted(p.pending, "comisión", "comisiones"),
            ));
        }
        ui.label(RichText::new(total).strong());
        let working = self.collect.running();
        match self.confirming.clone() {
            None => {
                let label = format!("Cobrar {}…", money(p.total_cents));
                let r = ui.add_enabled(!p.is_empty() && !working, egui::Button::new(label));
                if r.clicked() {
                    self.collect_msg = None;
                    self.confirming = Some(p.clone());
                }
                if p.is_empty() {
                    r.on_disabled_hover_text("no hay nada que cobrar");
                }
            }
            Some(c) => {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(format!(
                        "¿Cobrar {} a {}? Se mueve el dinero de sus billeteras a la de VentaLibre.",
                        money(c.total_cents),
                        counted(sellers, "vendedor", "vendedores")
                    ));
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(!working, egui::Button::new("Sí, cobrar"))
                            .clicked()
                        {
                            let c = c.clone();
                            self.collect
                                .run(&ctx, env, move |m, s| m.collect_previewed(s, &c));
                        }
                        if ui.add_enabled(!working, egui::Button::new("No")).clicked() {
                            self.confirming = None;
                        }
                    });
                });
            }
        }
        if working {
            busy(ui, "Cobrando…");
        }
        notice_ui(ui, &mut self.collect_msg);
        ui.separator();
        ui.label("El estado de cobro de cada venta está en «Ventas entre fechas».");
    }
}
