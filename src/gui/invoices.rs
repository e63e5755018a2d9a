//! My invoices (every invoice for the administrator): the list, one invoice as a document,
//! and its export to a text file chosen with the system's save dialog (rfd).

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::common::{
    Job, NO_DIALOG, Notice, Outcome, Picked, date, error_line, money, notice_line, outcome,
    run_dialog, save_text_file,
};
use super::shell::{Env, Nav};
use crate::domain::invoice::{InvoiceCopy, InvoiceDocument};
use crate::domain::{Invoice, Session};

/// The buyer's copy of the invoice as text (the domain's one invoice renderer).
pub fn invoice_text(i: &Invoice) -> String {
    InvoiceDocument::new(i, InvoiceCopy::Buyer).to_text()
}

/// The copy `s` gets (the seller's, with the commission, for the seller and the
/// administration), as text.
pub fn invoice_text_for(i: &Invoice, s: &Session) -> String {
    InvoiceDocument::new(i, InvoiceCopy::for_viewer(i, s)).to_text()
}

#[derive(Default)]
pub struct InvoicesScreen {
    pub list: Vec<Invoice>,
    pub selected: Option<u64>,
    loaded_gen: Option<u64>,
    load: Job<Outcome<Vec<Invoice>>>,
    pub error: Option<String>,
    dialog: Job<Picked>,
    export: Job<Outcome<PathBuf>>,
    pub notice: Option<Notice>,
    /// Where the export goes: typed, or chosen with the save dialog.
    pub export_path: String,
    /// The invoice `export_path` was proposed for (a new selection proposes a new name).
    path_for: Option<u64>,
}

/// A proposed file for invoice `n`: in the user's Documents folder.
pub fn default_export_path(n: u64) -> String {
    crate::domain::places::documents_dir()
        .join(InvoiceCopy::Buyer.file_name(n, "txt"))
        .display()
        .to_string()
}

impl InvoicesScreen {
    pub fn select(&mut self, n: u64) {
        self.selected = Some(n);
        self.notice = None;
    }

    pub fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.load.poll() {
            match r {
                Ok(l) => {
                    self.list = l;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(picked) = self.dialog.poll() {
            if let Some(p) = picked.path {
                self.export_path = p.display().to_string();
                self.start_export(ctx, env.session.as_ref());
            } else if picked.unavailable {
                self.notice = Some(Notice::Err(NO_DIALOG.into()));
            }
        }
        if let Some(r) = self.export.poll() {
            self.notice = Some(match r {
                Ok(p) => Notice::Ok(format!("factura exportada a {}", p.display())),
                Err(e) => Notice::Err(e),
            });
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        self.poll(ui.ctx(), env);
        if self.loaded_gen != Some(env.generation) {
            self.loaded_gen = Some(env.generation);
            let m = env.market.clone();
            self.load.start(ui.ctx(), move || outcome(m.invoices(&s)));
        }
        ui.horizontal(|ui| {
            ui.heading(if env.is_admin() {
                "Facturas"
            } else {
                "Mis facturas"
            });
            if self.load.running() {
                ui.spinner();
            }
        });
        error_line(ui, &self.error);
        if self.list.is_empty() && !self.load.running() {
            ui.label("Todavía no hay facturas: se emite una en cada compra.");
            return;
        }
        if self.selected.is_none() {
            self.selected = self.list.first().map(|i| i.number);
        }
        let me = env.session.as_ref().map_or(0, |s| s.user_id);
        let viewer = env.session.clone();
        let mut open_pub = None;
        ui.horizontal_top(|ui| {
            // The list.
            ui.vertical(|ui| {
                ui.set_width(400.0);
                egui::ScrollArea::vertical()
                    .id_salt("lista-facturas")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        for i in &self.list {
                            let role = if i.buyer_id == me {
                                "compra"
                            } else if i.seller_id == me {
                                "venta"
                            } else {
                                "-"
                            };
                            let text = format!(
                                "N.º {} · {} · {} · {} ({role})",
                                i.number,
                                date(i.issued_ms),
                                i.title,
                                money(i.total)
                            );
                            let r = ui.add_sized(
                                [390.0, 20.0],
                                egui::Button::selectable(self.selected == Some(i.number), text),
                            );
                            if r.clicked() {
                                self.selected = Some(i.number);
                                self.notice = None;
                            }
                        }
                    });
            });
            ui.separator();
            // The invoice.
            ui.vertical(|ui| {
                let Some(inv) = self.current().cloned() else {
                    ui.label("Elija una factura de la lista.");
                    return;
                };
                egui::ScrollArea::vertical()
                    .id_salt("factura")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        egui::Frame::group(ui.style()).show(ui, |ui| {
                            if let Some(v) = &viewer {
                                ui.label(RichText::new(invoice_text_for(&inv, v)).monospace());
                            }
                        });
                        ui.add_space(8.0);
                        if self.path_for != Some(inv.number) {
                            self.path_for = Some(inv.number);
                            self.export_path = default_export_path(inv.number);
                        }
                        let busy = self.dialog.running() || self.export.running();
                        ui.horizontal(|ui| {
                            let l = ui.label("Archivo de texto");
                            ui.add(
                                egui::TextEdit::singleline(&mut self.export_path)
                                    .desired_width(340.0),
                            )
                            .labelled_by(l.id);
                            if ui
                                .add_enabled(!busy, egui::Button::new("Exportar"))
                                .clicked()
                            {
                                self.start_export(ui.ctx(), viewer.as_ref());
                            }
                            if ui
                                .add_enabled(!busy, egui::Button::new("Elegir dónde guardar…"))
                                .clicked()
                            {
                                let name = format!("factura-{:08}.txt", inv.number);
                                run_dialog(&mut self.dialog, ui.ctx(), move || {
                                    save_text_file(name)
                                });
                            }
                        });
                        if ui.button("Ver la publicación").clicked() {
                            open_pub = Some(inv.pub_id);
                        }
                        notice_line(ui, &self.notice);
                    });
            });
        });
        if let Some(id) = open_pub {
            env.nav(Nav::Publication(id));
        }
    }

    /// Writes the invoice shown to `export_path` on a worker thread.
    fn start_export(&mut self, ctx: &egui::Context, session: Option<&Session>) {
        let Some(inv) = self.current().cloned() else {
            return;
        };
        let path = PathBuf::from(self.export_path.trim());
        if path.as_os_str().is_empty() {
            self.notice = Some(Notice::Err("escriba dónde guardar la factura".into()));
            return;
        }
        self.notice = None;
        let Some(s) = session else { return };
        let text = invoice_text_for(&inv, s);
        self.export.start(ctx, move || {
            std::fs::write(&path, text)
                .map_err(|e| format!("no se pudo escribir {}: {e}", path.display()))?;
            Ok(path)
        });
    }

    fn current(&self) -> Option<&Invoice> {
        self.list.iter().find(|i| Some(i.number) == self.selected)
    }
}
