//! Users: block / unblock (a blocked user is refused at the next log-in and in every
//! operation), and the user listings: blocked users, top sellers, purchases of a user, sales
//! by rating between two dates.

use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::common::{Env, Job, Msg, busy, field, show_msg, tabs};
use super::reports::ReportView;
use crate::domain::account::UserView;

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
    list: Job<Vec<UserView>>,
    list_gen: Option<u64>,
    users: Vec<UserView>,
    list_error: Option<String>,
    action: Job<UserView>,
    pub msg: Option<Msg>,
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
            list: Job::default(),
            list_gen: None,
            users: Vec::new(),
            list_error: None,
            action: Job::default(),
            msg: None,
            blocked: ReportView::new("usuarios-bloqueados"),
            top: ReportView::new("mejores-vendedores"),
            purchases: ReportView::new("compras-de-usuario"),
            by_rating: ReportView::new("ventas-por-calificacion"),
        }
    }
}

impl UsersPanel {
    pub fn ui(&mut self, ui: &mut Ui, env: &Env) {
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

    fn block(&mut self, ui: &mut Ui, env: &Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.list.poll() {
            match r {
                Ok(u) => {
                    self.users = u;
                    self.list_error = None;
                }
                Err(e) => self.list_error = Some(e),
            }
        }
        if let Some(r) = self.action.poll() {
            if r.is_ok() {
                env.touch();
            }
            self.msg = Some(match r {
                Ok(u) if u.blocked => Msg::Ok(format!(
                    "{} ({}) quedó bloqueado: no podrá entrar ni operar hasta que se lo desbloquee.",
                    u.name, u.email
                )),
                Ok(u) => Msg::Ok(format!("{} ({}) quedó desbloqueado.", u.name, u.email)),
                Err(e) => Msg::Err(format!("No se pudo cambiar el bloqueo: {e}")),
            });
        }
        if self.list_gen != Some(env.generation) && !self.list.busy() {
            self.list_gen = Some(env.generation);
            self.list.start(&ctx, env, |m, s| m.users(s));
        }

        let working = self.action.busy();
        ui.horizontal_wrapped(|ui| {
            field(
                ui,
                "Email del usuario",
                &mut self.email,
                "nombre@dominio.com.ar",
                240.0,
            );
            for (label, block) in [("Bloquear", true), ("Desbloquear", false)] {
                if ui
                    .add_enabled(
                        !working && !self.email.trim().is_empty(),
                        egui::Button::new(label),
                    )
                    .clicked()
                {
                    let email = self.email.trim().to_string();
                    self.action
                        .start(&ctx, env, move |m, s| m.set_user_blocked(s, &email, block));
                }
            }
        });
        if working {
            busy(ui, "Guardando…");
        }
        show_msg(ui, &self.msg);
        ui.separator();

        ui.horizontal(|ui| {
            field(
                ui,
                "Buscar usuario",
                &mut self.filter,
                "email, nombre o id",
                220.0,
            );
            if self.list.busy() {
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
            "{} usuarios ({} bloqueados); se muestran {}. Elija un email para llevarlo al campo de arriba.",
            self.users.len(),
            self.users.iter().filter(|u| u.blocked).count(),
            shown.len()
        ));
        let mut pick = None;
        egui::ScrollArea::horizontal()
            .id_salt("usuarios-h")
            .show(ui, |ui| {
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
                    .header(22.0, |mut h| {
                        for c in [
                            "Id",
                            "Email",
                            "Apellido y nombre",
                            "Teléfono",
                            "Provincia",
                            "En línea",
                            "Estado",
                        ] {
                            h.col(|ui| {
                                ui.strong(c);
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(20.0, shown.len(), |mut row| {
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
                                        RichText::new("bloqueado")
                                            .color(ui.visuals().error_fg_color),
                                    );
                                } else {
                                    ui.label("activo");
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
