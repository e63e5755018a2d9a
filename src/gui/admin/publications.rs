//! Publications and conversations: block / unblock a publication, the bulk generator of
//! testimonial conversations, the conversation and publication listings, sales between two
//! dates, expired publications of a category, and collecting commissions.

use egui::Ui;

use super::common::{Env, Job, Msg, busy, field, show_msg, tabs};
use super::reports::ReportView;
use crate::domain::catalog::PublicationView;
use crate::domain::trade::Collection;

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
    // Blocking.
    pub pub_id: String,
    shown: Option<PublicationView>,
    lookup: Job<PublicationView>,
    block: Job<PublicationView>,
    pub block_msg: Option<Msg>,
    // Bulk conversations.
    pub bulk_pub: String,
    pub bulk_users: String,
    pub bulk_seed: String,
    bulk: Job<(u64, u64)>,
    pub bulk_msg: Option<Msg>,
    // Commissions.
    collect: Job<Collection>,
    pub collect_msg: Option<Msg>,
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
            pub_id: String::new(),
            shown: None,
            lookup: Job::default(),
            block: Job::default(),
            block_msg: None,
            bulk_pub: String::new(),
            bulk_users: "10".into(),
            bulk_seed: String::new(),
            bulk: Job::default(),
            bulk_msg: None,
            collect: Job::default(),
            collect_msg: None,
            buyer_conv: ReportView::new("conversaciones-comprador"),
            seller_conv: ReportView::new("conversaciones-vendedor"),
            seller_pubs: ReportView::new("publicaciones-de-vendedor"),
            sales: ReportView::new("ventas-entre-fechas"),
            expired: ReportView::new("vencidas-sin-venta"),
        }
    }
}

fn parse_id(s: &str, what: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("«{}» no es {what} válido (un número mayor que 0)", s.trim()))
}

impl PublicationsPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &Env) {
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
            Section::Block => self.block_ui(ui, env),
            Section::Bulk => self.bulk_ui(ui, env),
            Section::BuyerConversations => self.buyer_conv.ui(ui, env),
            Section::SellerConversations => self.seller_conv.ui(ui, env),
            Section::SellerPublications => self.seller_pubs.ui(ui, env),
            Section::Sales => self.sales.ui(ui, env),
            Section::Expired => self.expired.ui(ui, env),
            Section::Commissions => self.commissions_ui(ui, env),
        }
    }

    fn block_ui(&mut self, ui: &mut Ui, env: &Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.lookup.poll() {
            match r {
                Ok(p) => {
                    self.shown = Some(p);
                    self.block_msg = None;
                }
                Err(e) => {
                    self.shown = None;
                    self.block_msg = Some(Msg::Err(e));
                }
            }
        }
        if let Some(r) = self.block.poll() {
            match r {
                Ok(p) => {
                    env.touch();
                    self.block_msg = Some(Msg::Ok(format!(
                        "La publicación {} «{}» quedó en estado «{}».",
                        p.id, p.title, p.state_label
                    )));
                    self.shown = Some(p);
                }
                Err(e) => {
                    self.block_msg = Some(Msg::Err(format!("No se pudo cambiar el bloqueo: {e}")))
                }
            }
        }
        ui.label("Una publicación bloqueada no se ve ni se puede comprar; al desbloquearla vuelve al estado que tenía.");
        let working = self.block.busy() || self.lookup.busy();
        ui.horizontal_wrapped(|ui| {
            let r = field(ui, "Id de la publicación", &mut self.pub_id, "123", 80.0);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.add_enabled(!working, egui::Button::new("Ver")).clicked() || enter {
                match parse_id(&self.pub_id, "un id de publicación") {
                    Ok(id) => self
                        .lookup
                        .start(&ctx, env, move |m, s| m.publication_as(Some(s), id)),
                    Err(e) => self.block_msg = Some(Msg::Err(e)),
                }
            }
            for (label, blocked) in [
                ("Bloquear publicación", true),
                ("Desbloquear publicación", false),
            ] {
                if ui.add_enabled(!working, egui::Button::new(label)).clicked() {
                    match parse_id(&self.pub_id, "un id de publicación") {
                        Ok(id) => self.block.start(&ctx, env, move |m, s| {
                            m.set_publication_blocked(s, id, blocked)?;
                            m.publication_as(Some(s), id)
                        }),
                        Err(e) => self.block_msg = Some(Msg::Err(e)),
                    }
                }
            }
        });
        if working {
            busy(ui, "Consultando la carpeta…");
        }
        if let Some(p) = &self.shown {
            egui::Grid::new("publicacion")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    let rows = [
                        ("Publicación", p.id.to_string()),
                        ("Artículo", p.title.clone()),
                        ("Categoría", format!("{} {}", p.category, p.category_name)),
                        (
                            "Vendedor",
                            format!("{} ({})", p.seller_name, p.seller_email),
                        ),
                        ("Precio", p.price.clone()),
                        ("Estado", p.state_label.clone()),
                        ("Cierre", p.closes.clone()),
                    ];
                    for (k, v) in rows {
                        ui.strong(k);
                        ui.label(v);
                        ui.end_row();
                    }
                });
        }
        show_msg(ui, &self.block_msg);
    }

    fn bulk_ui(&mut self, ui: &mut Ui, env: &Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.bulk.poll() {
            if r.is_ok() {
                env.touch();
            }
            self.bulk_msg = Some(Msg::of(
                &r,
                |(id, n)| {
                    format!("Se agregaron {n} conversaciones testimoniales a la publicación {id}.")
                },
                "No se agregaron conversaciones",
            ));
        }
        ui.label(
            "Agrega conversaciones entre una publicación y usuarios existentes elegidos al azar (sin repetir), \
             cada una con los dos mensajes fijos:",
        );
        ui.monospace("  Comprador: «Hola. Me llamo <nombre> - Fecha: <fecha y hora>»");
        ui.monospace("  Vendedor:  «Gracias. Me llamo <nombre> - Vendo <artículo>»");
        let working = self.bulk.busy();
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
                    Ok((id, n, seed)) => self.bulk.start(&ctx, env, move |m, s| {
                        Ok((id, m.bulk_conversations(s, id, n, seed)?))
                    }),
                    Err(e) => self.bulk_msg = Some(Msg::Err(e)),
                }
            }
        });
        if working {
            busy(ui, "Generando conversaciones…");
        }
        show_msg(ui, &self.bulk_msg);
    }

    fn commissions_ui(&mut self, ui: &mut Ui, env: &Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.collect.poll() {
            if r.is_ok() {
                env.touch();
            }
            self.collect_msg = Some(Msg::of(
                &r,
                |c| {
                    let mut t =
                        format!("Se cobraron {} comisiones por $ {}.", c.collected, c.amount);
                    if c.pending > 0 {
                        t.push_str(&format!(
                            " Quedan {} pendientes por $ {} (el vendedor no tiene saldo o ya no tiene cuenta).",
                            c.pending,
                            crate::domain::format_cents(c.pending_cents)
                        ));
                    }
                    t
                },
                "No se cobraron las comisiones",
            ));
        }
        ui.label(
            "Pasa de la billetera de cada vendedor a la de VentaLibre toda comisión todavía no cobrada que el vendedor \
             pueda pagar, y la marca cobrada.",
        );
        if ui
            .add_enabled(!self.collect.busy(), egui::Button::new("Cobrar comisiones"))
            .clicked()
        {
            self.collect
                .start(&ctx, env, |m, s| m.collect_commissions(s));
        }
        if self.collect.busy() {
            busy(ui, "Cobrando…");
        }
        show_msg(ui, &self.collect_msg);
        ui.separator();
        ui.label("El estado de cobro de cada venta está en «Ventas entre fechas».");
    }
}
