//! Users: block / unblock (a blocked user is refused at the next log-in and in every
//! operation), and the user listings: blocked users, top sellers, purchases of a user, sales
//! by rating between two dates.

use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use std::collections::HashMap;

use super::common::{RunAsAdmin, Task, busy, field, tabs};
use super::reports::ReportView;
use crate::domain::account::UserView;
use crate::domain::blocks::{BlockInfo, BlockTarget, validate_reason};
use crate::domain::permissions::{Actor, may_block_user, may_unblock_user, why};
use crate::domain::phrases::counted;
use crate::gui::env::Env;
use crate::gui::notice::{Notice, bad_text, notice_ui};
use crate::gui::widgets::{enter_pressed, focus_once, wide_table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Block,
    Blocked,
    TopSellers,
    Purchases,
    ByRating,
}

pub struct UsersPanel {
    pub section: Section,
    pub email: String,
    filter: String,
    list: Task<(Vec<UserView>, HashMap<u64, BlockInfo>)>,
    list_gen: Option<u64>,
    users: Vec<UserView>,
    reasons: HashMap<u64, BlockInfo>,
    /// Why the user is blocked, as the administrator types it.
    pub reason: String,
    pub reason_error: Option<String>,
    focus: bool,
    list_error: Option<String>,
    action: Task<UserView>,
    pub msg: Option<Notice>,
    blocked: ReportView,
    top: ReportView,
    purchases: ReportView,
    by_rating: ReportView,
}

impl Default for UsersPanel {
    fn default() -> Self {
        UsersPanel {
            section: Section::Block,
            email: String::new(),
            filter: String::new(),
            list: Task::default(),
            list_gen: None,
            users: Vec::new(),
            reasons: HashMap::new(),
            reason: String::new(),
            reason_error: None,
            focus: true,
            list_error: None,
            action: Task::default(),
            msg: None,
            blocked: ReportView::new("usuarios-bloqueados"),
            top: ReportView::new("mejores-vendedores"),
            purchases: ReportView::new("compras-de-usuario"),
            by_rating: ReportView::new("ventas-por-calificacion"),
        }
    }
}

impl UsersPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        tabs(
            ui,
            &mut self.section,
            &[
                (Section::Block, "Bloqueo y desbloqueo"),
                (Section::Blocked, "Usuarios bloqueados"),
                (Section::TopSellers, "Usuarios con más ventas"),
                (Section::Purchases, "Compras de un usuario"),
                (Section::ByRating, "Ventas por calificación"),
            ],
        );
        ui.separator();
        match self.section {
            Section::Block => self.block(ui, env),
            Section::Blocked => self.blocked.ui(ui, env),
            Section::TopSellers => self.top.ui(ui, env),
            Section::Purchases => self.purchases.ui(ui, env),
            Section::ByRating => self.by_rating.ui(ui, env),
        }
    }

    fn block(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.list.poll() {
            match r {
                Ok((u, reasons)) => {
                    self.users = u;
                    self.reasons = reasons;
                    self.list_error = None;
                }
                Err(e) => self.list_error = Some(e),
            }
        }
        if let Some(r) = self.action.poll() {
            if r.is_ok() {
                env.changed();
                self.reason.clear();
            }
            self.msg = Some(match r {
                Ok(u) if u.blocked => Notice::good(format!(
                    "{} ({}) quedó bloqueado: no podrá entrar ni operar hasta que se lo desbloquee, y verá el motivo.",
                    u.name, u.email
                )),
                Ok(u) => Notice::good(format!("{} ({}) quedó desbloqueado.", u.name, u.email)),
                Err(e) => Notice::bad(format!("No se pudo cambiar el bloqueo: {e}")),
            });
        }
        if self.list_gen != Some(env.generation) && !self.list.running() {
            self.list_gen = Some(env.generation);
            self.list.run(&ctx, env, |m, s| {
                Ok((m.users(s)?, m.block_reasons(BlockTarget::User)?))
            });
        }

        let working = self.action.running();
        let who = env.session.as_ref().map(Actor::from);
        let wanted = self.email.trim().to_lowercase();
        let chosen = self.users.iter().find(|u| u.email == wanted).cloned();
        let (can_block, can_unblock) = match &chosen {
            Some(u) => (may_block_user(who, u), may_unblock_user(who, u)),
            None => {
                let why = crate::domain::permissions::Refusal {
                    kind: crate::domain::permissions::RefusalKind::Denied,
                    reason: if wanted.is_empty() {
                        "elija un usuario de la lista o escriba su email".into()
                    } else {
                        format!("no hay ningún usuario con el email {wanted}")
                    },
                };
                (Err(why.clone()), Err(why))
            }
        };
        let mut go = None;
        egui::Grid::new("bloqueo-usuario")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let l = ui.label("Email del usuario");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.email)
                            .hint_text("nombre@dominio.com.ar")
                            .desired_width(260.0)
                            .min_size(egui::vec2(260.0, 0.0)),
                    )
                    .labelled_by(l.id);
                focus_once(&r, &mut self.focus);
                if r.changed() {
                    self.msg = None;
                }
                ui.end_row();
                let l = ui.label("Motivo del bloqueo");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.reason)
                            .hint_text("lo verá el usuario al querer entrar")
                            .desired_width(360.0)
                            .min_size(egui::vec2(360.0, 0.0)),
                    )
                    .labelled_by(l.id);
                if r.changed() {
                    self.reason_error = None;
                }
                if enter_pressed(ui, &r) && can_block.is_ok() {
                    go = Some(true);
                }
                ui.end_row();
            });
        if let Some(e) = &self.reason_error {
            bad_text(ui, e);
        }
        ui.horizontal_wrapped(|ui| {
            let b = ui.add_enabled(can_block.is_ok() && !working, egui::Button::new("Bloquear"));
            if b.clicked() {
                go = Some(true);
            }
            if let Some(w) = why(&can_block) {
                b.on_disabled_hover_text(w);
            }
            let u = ui.add_enabled(
                can_unblock.is_ok() && !working,
                egui::Button::new("Desbloquear"),
            );
            if u.clicked() {
                go = Some(false);
            }
            if let Some(w) = why(&can_unblock) {
                u.on_disabled_hover_text(w);
            }
            if let Some(u) = &chosen
                && let Some(b) = self.reasons.get(&u.id)
            {
                ui.label(format!("Bloqueado por: {}", b.reason));
            }
        });
        match go {
            Some(true) if !working => match validate_reason(&self.reason) {
                Err(e) => self.reason_error = Some(e.to_string()),
                Ok(reason) => {
                    let email = wanted.clone();
                    self.action
                        .run(&ctx, env, move |m, s| m.block_user(s, &email, &reason));
                }
            },
            Some(false) if !working => {
                let email = wanted.clone();
                self.action
                    .run(&ctx, env, move |m, s| m.unblock_user(s, &email));
            }
            _ => {}
        }
        if working {
            busy(ui, "Guardando…");
        }
        notice_ui(ui, &mut self.msg);
        ui.separator();

        ui.horizontal(|ui| {
            field(
                ui,
                "Buscar usuario",
                &mut self.filter,
                "email, nombre o id",
                220.0,
            );
            if self.list.running() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.list_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let f = self.filter.trim().to_lowercase();
        let shown: Vec<&UserView> = self
            .users
            .iter()
            .filter(|u| {
                f.is_empty()
                    || u.email.contains(&f)
                    || u.name.to_lowercase().contains(&f)
                    || u.id.to_string() == f
            })
            .collect();
        ui.label(format!(
            "{} ({}); se muestran {}. Elija un email para llevarlo al campo de arriba.",
            counted(self.users.len() as u64, "usuario", "usuarios"),
            counted(
                self.users.iter().filter(|u| u.blocked).count() as u64,
                "bloqueado",
                "bloqueados"
            ),
            shown.len()
        ));
        let mut pick = None;
        let reasons = &self.reasons;
        wide_table(ui, "usuarios-h", |ui| {
            let height = (ui.available_height() - 10.0).max(160.0);
            TableBuilder::new(ui)
                .id_salt("usuarios")
                .striped(true)
                .min_scrolled_height(0.0)
                .max_scroll_height(height)
                .cell_layout(Layout::left_to_right(Align::Center))
                .column(Column::auto().at_least(40.0))
                .column(Column::exact(270.0).clip(true))
                .column(Column::exact(210.0).clip(true))
                .column(Column::auto().at_least(90.0))
                .column(Column::auto().at_least(90.0))
                .column(Column::auto().at_least(60.0))
                .column(Column::auto().at_least(80.0))
                .column(Column::remainder().at_least(200.0).clip(true))
                .header(22.0, |mut h| {
                    for c in [
                        "Id",
                        "Email",
                        "Apellido y nombre",
                        "Teléfono",
                        "Provincia",
                        "En línea",
                        "Estado",
                        "Motivo",
                    ] {
                        h.col(|ui| {
                            ui.strong(c);
                        });
                    }
                })
                .body(|body| {
                    body.rows(22.0, shown.len(), |mut row| {
                        let u = shown[row.index()];
                        row.col(|ui| {
                            ui.label(u.id.to_string());
                        });
                        row.col(|ui| {
                            if ui
                                .selectable_label(self.email == u.email, &u.email)
                                .clicked()
                            {
                                pick = Some(u.email.clone());
                            }
                        });
                        row.col(|ui| {
                            ui.label(&u.name);
                        });
                        row.col(|ui| {
                            ui.label(if u.phone.is_empty() { "-" } else { &u.phone });
                        });
                        row.col(|ui| {
                            ui.label(&u.province_name);
                        });
                        row.col(|ui| {
                            ui.label(if u.online { "sí" } else { "no" });
                        });
                        row.col(|ui| {
                            if u.admin {
                                ui.label("administración");
                            } else if u.blocked {
                                ui.label(
                                    RichText::new("bloqueado").color(ui.visuals().error_fg_color),
                                );
                            } else {
                                ui.label("activo");
                            }
                        });
                        row.col(|ui| {
                            if u.blocked
                                && let Some(b) = reasons.get(&u.id)
                            {
                                ui.label(&b.reason);
                            }
                        });
                    });
                });
        });
        if let Some(e) = pick {
            self.email = e;
        }
    }
}
