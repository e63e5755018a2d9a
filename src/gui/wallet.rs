//! My wallet: balance, deposit, withdraw, transfer (Enter in a field does its operation; the
//! outcome shows on the operation's row), and the movements.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::env::{Env, Tab};
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, keyed_notice_ui};
use super::screen::Screen;
use super::widgets::{datetime, enter_pressed, focus_once, money, right_aligned, wide_table};
use crate::domain::trade::WalletView;
use crate::domain::{DResult, parse_cents};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Deposit,
    Withdraw,
    Transfer,
}

#[derive(Default)]
pub struct WalletScreen {
    data: Loaded<WalletView, u64>,
    pub deposit: String,
    pub withdraw: String,
    pub transfer_to: String,
    pub transfer: String,
    job: Job<(Op, DResult<i64>)>,
    pub notice: Option<(Op, Notice)>,
    focus: bool,
}

impl WalletScreen {
    pub const TAB: Tab = Tab("billetera");

    pub fn wallet(&self) -> Option<&WalletView> {
        self.data.get()
    }

    /// An amount field and its button in the operations grid; true when the operation is
    /// asked for (the button, or Enter in the field).
    fn op_row(
        ui: &mut Ui,
        label: &str,
        text: &mut String,
        button: &str,
        busy: bool,
        focus: Option<&mut bool>,
    ) -> (bool, bool) {
        let l = ui.label(label);
        let r = ui
            .add(
                egui::TextEdit::singleline(text)
                    .id_salt(label)
                    .hint_text("por ejemplo 1.500,50")
                    .desired_width(200.0)
                    .min_size(egui::vec2(200.0, 0.0)),
            )
            .labelled_by(l.id);
        if let Some(f) = focus {
            focus_once(&r, f);
        }
        let go = ui.add_enabled(!busy, egui::Button::new(button)).clicked()
            || (enter_pressed(ui, &r) && !busy);
        (go, r.changed())
    }
}

impl Screen for WalletScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session.as_ref().map(|_| "Mi billetera".into())
    }

    fn reset(&mut self) {
        *self = WalletScreen::default();
    }

    fn entered(&mut self) {
        self.focus = true;
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.data.poll();
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
                    Notice::good(format!("{what}; saldo: {}", money(balance)))
                }
                Err(e) => Notice::of_error(&e),
            };
            self.notice = Some((op, n));
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let (m, who) = (env.market.clone(), s.clone());
        self.data
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || m.wallet(&who)
            });
        ui.horizontal(|ui| {
            ui.heading("Mi billetera");
            if self.data.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.data.error {
            bad_text(ui, e);
        }
        // The line is there before the balance is read, so the form below does not move.
        let balance = self
            .data
            .get()
            .map_or_else(|| "…".to_string(), |w| money(w.balance_cents));
        ui.label(
            RichText::new(format!("Saldo: {balance}"))
                .size(24.0)
                .strong(),
        );
        ui.add_space(8.0);
        let mut start: Option<(Op, String, String)> = None;
        let busy = self.job.running();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::Grid::new("operaciones-billetera")
                .num_columns(4)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    let (go, changed) = Self::op_row(
                        ui,
                        "Importe a depositar",
                        &mut self.deposit,
                        "Depositar",
                        busy,
                        // Focus once the balance is read: its arrival re-lays the page out,
                        // which would take the focus away again.
                        self.data.get().is_some().then_some(&mut self.focus),
                    );
                    if go {
                        start = Some((Op::Deposit, self.deposit.clone(), String::new()));
                    }
                    if changed && self.notice.as_ref().is_some_and(|(o, _)| *o == Op::Deposit) {
                        self.notice = None;
                    }
                    keyed_notice_ui(ui, &mut self.notice, &Op::Deposit);
                    ui.end_row();
                    let (go, changed) = Self::op_row(
                        ui,
                        "Importe a retirar",
                        &mut self.withdraw,
                        "Retirar",
                        busy,
                        None,
                    );
                    if go {
                        start = Some((Op::Withdraw, self.withdraw.clone(), String::new()));
                    }
                    if changed
                        && self
                            .notice
                            .as_ref()
                            .is_some_and(|(o, _)| *o == Op::Withdraw)
                    {
                        self.notice = None;
                    }
                    keyed_notice_ui(ui, &mut self.notice, &Op::Withdraw);
                    ui.end_row();
                    let l = ui.label("Transferir a (email)");
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut self.transfer_to)
                                .id_salt("Transferir a (email)")
                                .hint_text("nombre@dominio.com.ar")
                                .desired_width(200.0)
                                .min_size(egui::vec2(200.0, 0.0)),
                        )
                        .labelled_by(l.id);
                    let mut changed = r.changed();
                    let mut go = enter_pressed(ui, &r) && !busy;
                    ui.label("");
                    ui.label("");
                    ui.end_row();
                    let (g, c) = Self::op_row(
                        ui,
                        "Importe a transferir",
                        &mut self.transfer,
                        "Transferir",
                        busy,
                        None,
                    );
                    go |= g;
                    changed |= c;
                    if go {
                        start = Some((
                            Op::Transfer,
                            self.transfer.clone(),
                            self.transfer_to.clone(),
                        ));
                    }
                    if changed
                        && self
                            .notice
                            .as_ref()
                            .is_some_and(|(o, _)| *o == Op::Transfer)
                    {
                        self.notice = None;
                    }
                    keyed_notice_ui(ui, &mut self.notice, &Op::Transfer);
                    ui.end_row();
                });
        });
        if let Some((op, amount, to)) = start {
            match parse_cents(&amount) {
                Err(e) => self.notice = Some((op, Notice::of_error(&e))),
                Ok(c) => {
                    self.notice = None;
                    let m = env.market.clone();
                    self.job.start(ui.ctx(), move || {
                        let r = match op {
                            Op::Deposit => m.deposit(&s, c),
                            Op::Withdraw => m.withdraw(&s, c),
                            Op::Transfer => m.transfer(&s, &to, c),
                        };
                        (op, r)
                    });
                }
            }
        }
        ui.add_space(10.0);
        ui.heading("Movimientos");
        let Some(w) = self.data.get() else { return };
        if w.movements.is_empty() {
            ui.label("Sin movimientos todavía.");
            return;
        }
        let moves = &w.movements;
        wide_table(ui, "movimientos-h", |ui| {
            TableBuilder::new(ui)
                .id_salt("movimientos")
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .column(Column::exact(125.0))
                .column(Column::exact(150.0))
                .column(Column::exact(105.0))
                .column(Column::exact(105.0))
                .column(Column::remainder().at_least(150.0).clip(true))
                .column(Column::exact(85.0))
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
                            if t == "Importe" || t == "Saldo" {
                                right_aligned(ui, |ui| {
                                    ui.strong(t);
                                });
                            } else {
                                ui.strong(t);
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(22.0, moves.len(), |mut row| {
                        let mv = &moves[row.index()];
                        row.col(|ui| {
                            ui.label(datetime(mv.time_ms));
                        });
                        row.col(|ui| {
                            ui.label(&mv.label);
                        });
                        row.col(|ui| {
                            right_aligned(ui, |ui| {
                                ui.label(money(mv.amount_cents));
                            });
                        });
                        row.col(|ui| {
                            right_aligned(ui, |ui| {
                                ui.label(money(mv.balance_after_cents));
                            });
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
        });
    }
}
