//! My invoices (every invoice for the administrator): the list, one invoice as a document,
//! and its export to PDF or text (a path typed, or chosen with the system's save dialog).

use egui::{RichText, Ui};

use super::dialogs::{Export, PDF, TEXT};
use super::env::{Env, Nav, Tab};
use super::loaded::Loaded;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{date, money};
use crate::domain::Invoice;
use crate::domain::invoice::{InvoiceCopy, InvoiceDocument, invoice_number};

/// The buyer's copy of the invoice as text (the domain's one invoice renderer).
pub fn invoice_text(i: &Invoice) -> String {
    InvoiceDocument::new(i, InvoiceCopy::Buyer).to_text()
}

#[derive(Default)]
pub struct InvoicesScreen {
    data: Loaded<Vec<Invoice>, u64>,
    pub selected: Option<u64>,
    export: Export,
}

impl InvoicesScreen {
    pub const TAB: Tab = Tab("facturas");

    pub fn list(&self) -> &[Invoice] {
        self.data.get().map_or(&[], |l| l.as_slice())
    }

    fn current(&self) -> Option<&Invoice> {
        self.list().iter().find(|i| Some(i.number) == self.selected)
    }

    fn list_ui(&mut self, ui: &mut Ui, me: u64, width: f32) {
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("lista-facturas")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                for i in self.list() {
                    // Who this user was in it (the administration sees every invoice).
                    let role = if i.buyer_id == me {
                        " · compra"
                    } else if i.seller_id == me {
                        " · venta"
                    } else {
                        ""
                    };
                    // Number, date and title on the left (the title is cut if it must be),
                    // the total on the right.
                    let text = format!(
                        "{} · {} · {}",
                        invoice_number(i.number),
                        date(i.issued_ms),
                        i.title
                    );
                    let r = ui.add(
                        egui::Button::selectable(self.selected == Some(i.number), text)
                            .right_text(format!("{}{role}", money(i.total)))
                            .min_size(egui::vec2(width - 10.0, 22.0)),
                    );
                    if r.clicked() {
                        pick = Some(i.number);
                    }
                }
            });
        if pick.is_some() {
            self.selected = pick;
        }
    }

    fn invoice_ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(inv) = self.current().cloned() else {
            ui.label("Elija una factura de la lista.");
            return;
        };
        egui::ScrollArea::both()
            .id_salt("factura")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let Some(session) = env.session.clone() else {
                    return;
                };
                // The copy this user gets: the buyer's has no commission.
                let copy = InvoiceCopy::for_viewer(&inv, &session);
                let doc = InvoiceDocument::new(&inv, copy);
                let text = doc.to_text();
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.label(RichText::new(&text).monospace());
                });
                ui.add_space(8.0);
                let name = copy.file_name(inv.number, "txt");
                let stem = name.trim_end_matches(".txt").to_string();
                self.export
                    .ui_formats(ui, "Exportar la factura a", &stem, &[PDF, TEXT], |k| {
                        if k.extension == "pdf" {
                            doc.to_pdf()
                        } else {
                            text.clone().into_bytes()
                        }
                    });
                if ui.button("Ver la publicación").clicked() {
                    env.nav(Nav::Open(PublicationScreen::TAB, inv.pub_id));
                }
            });
    }
}

impl Screen for InvoicesScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session.as_ref().map(|s| {
            if s.admin {
                "Facturas".into()
            } else {
                "Mis facturas".into()
            }
        })
    }

    fn reset(&mut self) {
        *self = InvoicesScreen::default();
    }

    fn open(&mut self, item: u64) {
        self.selected = Some(item);
    }

    fn poll(&mut self, _ctx: &egui::Context, _env: &mut Env) {
        self.data.poll();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let (m, who) = (env.market.clone(), s.clone());
        self.data
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || m.invoices(&who)
            });
        ui.horizontal(|ui| {
            ui.heading(if s.admin { "Facturas" } else { "Mis facturas" });
            if self.data.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.data.error {
            bad_text(ui, e);
        }
        if self.list().is_empty() {
            if self.data.get().is_some() {
                ui.label("Todavía no hay facturas: se emite una en cada compra.");
            }
            return;
        }
        if self.selected.is_none() {
            self.selected = self.list().first().map(|i| i.number);
        }
        // Side by side when there is room for the document, one above the other otherwise.
        let width = ui.available_width();
        if width >= 1000.0 {
            let list_w = 400.0;
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(list_w);
                    self.list_ui(ui, s.user_id, list_w);
                });
                ui.separator();
                ui.vertical(|ui| self.invoice_ui(ui, env));
            });
        } else {
            ui.vertical(|ui| {
                ui.set_max_height(160.0);
                self.list_ui(ui, s.user_id, width);
            });
            ui.separator();
            self.invoice_ui(ui, env);
        }
    }
}
