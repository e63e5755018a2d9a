//! My wallet: balance, deposit, withdraw, transfer, and the movements.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::common::{Job, Notice, Outcome, datetime, error_line, notice_line, outcome};
use super::shell::Env;
use crate::domain::trade::WalletView;
use crate::domain::{format_cents, parse_cents};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Deposit,
    Withdraw,
    Transfer,
}

#[derive(Default)]
pub struct WalletScreen {
    pub data: Option<WalletView>,
    loaded_gen: Option<u64>,
    load: Job<Outcome<WalletView>>,
    pub error: Option<String>,
    pub deposit: String,
    pub withdraw: String,
    pub transfer_to: String,
    pub transfer: String,
    job: Job<(Op, Outcome<i64>)>,
    pub notice: Option<(Op, Notice)>,
}

impl WalletScreen {
    pub fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.load.poll() {
            match r {
                Ok(w) => {
                    self.data = Some(w);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some((op, r)) = self.job.poll() {
            let n = match r {
                Ok(balance) => {
                    let what = match op {
                        Op::Deposit => {
                            self.deposit.clear();
                            "depósito hecho"
                        }
                        Op::Withdraw => {
                            self.withdraw.clear();
                            "extracción hecha"
                        }
                        Op::Transfer => {
                            self.transfer.clear();
                            "transferencia hecha"
                        }
                    };
                    env.changed();
                    Notice::Ok(format!("{what}; saldo: $ {}", format_cents(balance)))
                }
                Err(e) => Notice::Err(e),
            };
            self.notice = Some((op, n));
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        self.poll(ui.ctx(), env);
        if self.loaded_gen != Some(env.generation) {
            self.loaded_gen = Some(env.generation);
            let (m, s) = (env.market.clone(), s.clone());
            self.load.start(ui.ctx(), move || outcome(m.wallet(&s)));
        }
        ui.horizontal(|ui| {
            ui.heading("Mi billetera");
            if self.load.running() {
                ui.spinner();
            }
        });
        error_line(ui, &self.error);
        if let Some(w) = &self.data {
            ui.label(
                RichText::new(format!("Saldo: $ {}", w.balance))
                    .size(24.0)
                    .strong(),
            );
        }
        ui.add_space(8.0);
        let mut start: Option<(Op, String, String)> = None;
        let busy = self.job.running();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::Grid::new("operaciones-billetera")
                .num_columns(3)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    let field = |ui: &mut Ui, label: &str, text: &mut String, w: f32| {
                        let l = ui.label(label);
                        ui.add_sized([w, 22.0], egui::TextEdit::singleline(text))
                            .labelled_by(l.id);
                    };
                    field(ui, "Importe a depositar", &mut self.deposit, 140.0);
                    if ui
                        .add_enabled(!busy, egui::Button::new("Depositar"))
                        .clicked()
                    {
                        start = Some((Op::Deposit, self.deposit.clone(), String::new()));
                    }
                    ui.end_row();
                    self.notice_row(ui, Op::Deposit);
                    field(ui, "Importe a retirar", &mut self.withdraw, 140.0);
                    if ui
                        .add_enabled(!busy, egui::Button::new("Retirar"))
                        .clicked()
                    {
                        start = Some((Op::Withdraw, self.withdraw.clone(), String::new()));
                    }
                    ui.end_row();
                    self.notice_row(ui, Op::Withdraw);
                    field(ui, "Transferir a (email)", &mut self.transfer_to, 260.0);
                    ui.label("");
                    ui.end_row();
                    field(ui, "Importe a transferir", &mut self.transfer, 140.0);
                    if ui
                        .add_enabled(!busy, egui::Button::new("Transferir"))
                        .clicked()
                    {
                        start = Some((
                            Op::Transfer,
                            self.transfer.clone(),
                            self.transfer_to.clone(),
                        ));
                    }
                    ui.end_row();
                    self.notice_row(ui, Op::Transfer);
                });
        });
        if let Some((op, amount, to)) = start {
            match parse_cents(&amount) {
                Err(e) => self.notice = Some((op, Notice::Err(e.to_string()))),
                Ok(c) => {
                    self.notice = None;
                    let m = env.market.clone();
                    self.job.start(ui.ctx(), move || {
                        let r = match op {
                            Op::Deposit => m.deposit(&s, c),
                            Op::Withdraw => m.withdraw(&s, c),
                            Op::Transfer => m.transfer(&s, &to, c),
                        };
                        (op, outcome(r))
                    });
                }
            }
        }
        ui.add_space(10.0);
        ui.heading("Movimientos");
        let Some(w) = &self.data else { return };
        if w.movements.is_empty() {
            ui.label("Sin movimientos todavía.");
            return;
        }
        let moves = &w.movements;
        TableBuilder::new(ui)
            .id_salt("movimientos")
            .striped(true)
            .column(Column::exact(130.0))
            .column(Column::exact(170.0))
            .column(Column::exact(110.0))
            .column(Column::exact(110.0))
            .column(Column::remainder().at_least(160.0).clip(true))
            .column(Column::exact(90.0))
            .header(22.0, |mut h| {
                for t in [
                    "Fecha",
                    "Movimiento",
                    "Importe",
                    "Saldo",
                    "Otra cuenta",
                    "Publicación",
                ] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, moves.len(), |mut row| {
                    let mv = &moves[row.index()];
                    row.col(|ui| {
                        ui.label(datetime(mv.time_ms));
                    });
                    row.col(|ui| {
                        ui.label(&mv.label);
                    });
                    row.col(|ui| {
                        ui.label(format!("$ {}", mv.amount));
                    });
                    row.col(|ui| {
                        ui.label(format!("$ {}", mv.balance_after));
                    });
                    row.col(|ui| {
                        ui.label(mv.other.clone().unwrap_or_default());
                    });
                    row.col(|ui| {
                        ui.label(if mv.reference == 0 {
                            String::new()
                        } else {
                            mv.reference.to_string()
                        });
                    });
                });
            });
    }

    /// The outcome of operation `op`, under its field.
    fn notice_row(&self, ui: &mut Ui, op: Op) {
        if let Some((o, n)) = &self.notice
            && *o == op
        {
            ui.label("");
            notice_line(ui, &Some(n.clone()));
            ui.end_row();
        }
    }
}
