//! Users: block / unblock (a blocked user is refused at the next log-in and in every
//! operation), and the user listings: blocked users, top sellers, purchases of a user, sales
//! by rating between two dates.

use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use std::collections::HashMap;

use super::common::{RunAsAdmin, Task, busy, field, tabs};
use super::reports::ReportView;
use crate::domain::account::{UserView, UsersPage};
use crate::domain::blocks::{BlockInfo, BlockTarget, validate_reason};
use crate::domain::permissions::{Actor, may_block_user, may_unblock_user, why};
use crate::domain::phrases::counted;
use crate::gui::env::Env;
use crate::gui::loaded::Loaded;
use crate::gui::notice::{Notice, bad_text, notice_ui};
use crate::gui::widgets::{enter_pressed, focus_once, wide_table};

/// Users per page of the list (read as the table scrolls).
const PAGE_USERS: usize = 50;
/// Users a search shows at most.
const FOUND_MAX: usize = 200;

/// What a row of the users list shows.
enum Row<'a> {
    User(&'a UserView),
    /// Its page is being read.
    Waiting,
    /// The id of a deleted account.
    Deleted(u64),
}

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
    /// The list's pages in view (and next to it): page number → its users, read through the
    /// index by id, each read again when the share changes.
    pages: HashMap<u64, Loaded<UsersPage, u64>>,
    /// The users a typed search finds.
    found: Loaded<UsersPage, String>,
    /// The user whose email is typed above (for the buttons).
    chosen: Loaded<Option<UserView>, String>,
    reasons: Loaded<HashMap<u64, BlockInfo>>,
    /// Page numbers of the rows in view in the last frame.
    in_view: Vec<u64>,
    /// The list's length (last id) and the accounts, as last read.
    known: (u64, u64),
    /// The search asked for (Enter or «Buscar»), and a count of the times it was asked.
    applied: String,
    search_nonce: u64,
    /// Why the user is blocked, as the administrator types it.
    pub reason: String,
    pub reason_error: Option<String>,
    focus: bool,
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
            pages: HashMap::new(),
            found: Loaded::default(),
            chosen: Loaded::default(),
            reasons: Loaded::default(),
            in_view: Vec::new(),
            known: (0, 0),
            applied: String::new(),
            search_nonce: 0,
            reason: String::new(),
            reason_error: None,
            focus: true,
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
    /// Pages of the users list held now (a handful, whatever the number of users).
    pub fn pages_held(&self) -> usize {
        self.pages.len()
    }

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
        self.reasons.poll();
        self.chosen.poll();
        self.found.poll();
        for p in self.pages.values_mut() {
            p.poll();
        }
        // The list's length as last read: kept while far pages are read (a jump of the
        // scrollbar drops the pages it leaves before the new ones arrive).
        if let Some(p) = self
            .pages
            .values()
            .filter_map(|p| p.get())
            .max_by_key(|p| p.total)
        {
            self.known = (p.total, p.users);
        }
        let Some(session) = env.session.clone() else {
            return;
        };
        let m = env.market.clone();
        {
            let m = m.clone();
            self.reasons.keep_fresh(&ctx, env.generation, (), move |_| {
                move || m.block_reasons(BlockTarget::User)
            });
        }
        if let Some(r) = self.action.poll() {
            if let Ok(u) = &r {
                env.changed();
                self.reason.clear();
                // The buttons follow at once (the lookup is read again after the change),
                // and a search shown is made again.
                if self.chosen.key() == Some(&u.email)
                    && let Some(c) = self.chosen.get_mut()
                {
                    *c = Some(u.clone());
                }
                self.search_nonce += 1;
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
        let working = self.action.running();
        let who = env.session.as_ref().map(Actor::from);
        let wanted = self.email.trim().to_lowercase();
        if !wanted.is_empty() {
            let (m, s) = (m.clone(), session.clone());
            self.chosen
                .keep_fresh(&ctx, env.generation, wanted.clone(), move |email| {
                    move || m.admin_user(&s, &email)
                });
        }
        let chosen_error = self
            .chosen
            .error
            .clone()
            .filter(|_| self.chosen.key() == Some(&wanted));
        let chosen = match (self.chosen.key(), self.chosen.get()) {
            (Some(k), Some(u)) if *k == wanted => u.clone(),
            _ => None,
        };
        let (can_block, can_unblock) = match &chosen {
            Some(u) => (may_block_user(who, u), may_unblock_user(who, u)),
            None if !wanted.is_empty() && self.chosen.key() != Some(&wanted) => {
                let why = crate::domain::permissions::Refusal {
                    kind: crate::domain::permissions::RefusalKind::Denied,
                    reason: "buscando el usuario…".into(),
                };
                (Err(why.clone()), Err(why))
            }
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
        if let Some(e) = &chosen_error {
            bad_text(ui, &format!("No se pudo leer el usuario: {e}"));
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
                && let Some(b) = self.reasons.get().and_then(|r| r.get(&u.id))
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
            let r = field(
                ui,
                "Buscar usuario",
                &mut self.filter,
                "email, nombre o id",
                220.0,
            );
            let enter = enter_pressed(ui, &r);
            if ui.button("Buscar").clicked() || enter {
                self.applied = self.filter.trim().to_string();
                self.search_nonce += 1;
            }
            if r.changed() && self.filter.trim().is_empty() {
                self.applied.clear();
            }
            if self.found.loading() || self.pages.values().any(|p| p.loading()) {
                ui.spinner();
            }
        });
        // A search reads every user: it runs when asked (Enter, «Buscar») and after this
        // panel's own changes, not at every change of the share.
        let query = self.applied.clone();
        let searching = !query.is_empty();
        if searching {
            let (m, s) = (m.clone(), session.clone());
            self.found
                .keep_fresh(&ctx, self.search_nonce, query.clone(), move |q| {
                    move || m.find_users(&s, &q, FOUND_MAX)
                });
        }
        // The pages of the rows in view last frame, and one on each side, read (again when the
        // share changed); the others dropped.
        if !searching {
            let wanted: Vec<u64> = if self.in_view.is_empty() {
                vec![0]
            } else {
                let (a, b) = (self.in_view[0], *self.in_view.last().unwrap_or(&0));
                (a.saturating_sub(1)..=b + 1).collect()
            };
            self.pages
                .retain(|p, _| wanted.iter().any(|w| w.abs_diff(*p) <= 2));
            for &p in &wanted {
                let (m, s) = (m.clone(), session.clone());
                self.pages
                    .entry(p)
                    .or_default()
                    .keep_fresh(&ctx, env.generation, p, move |p| {
                        move || m.users_page(&s, p * PAGE_USERS as u64, PAGE_USERS)
                    });
            }
        }
        let error = if searching {
            self.found.error.clone()
        } else {
            self.pages.values().find_map(|p| p.error.clone())
        };
        if let Some(e) = &error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let (rows, accounts) = if searching {
            match self.found.get() {
                Some(f) if self.found.key() == Some(&query) => (f.items.len() as u64, f.users),
                _ => (0, self.known.1),
            }
        } else {
            self.known
        };
        let accounts = counted(accounts, "usuario", "usuarios");
        ui.label(match self.found.get() {
            Some(f) if searching && self.found.key() == Some(&query) => {
                if f.total > f.items.len() as u64 {
                    format!(
                        "{accounts}; {} con «{query}», se muestran los primeros {}. Elija un email para llevarlo al campo de arriba.",
                        counted(f.total, "coincide", "coinciden"),
                        f.items.len()
                    )
                } else {
                    format!(
                        "{accounts}; {} con «{query}». Elija un email para llevarlo al campo de arriba.",
                        counted(f.total, "coincide", "coinciden")
                    )
                }
            }
            _ if searching => format!("{accounts}; buscando «{query}»…"),
            _ => format!("{accounts}, por número de usuario. Elija un email para llevarlo al campo de arriba."),
        });
        let mut pick = None;
        let reasons = self.reasons.get();
        let (pages, found) = (&self.pages, self.found.get());
        let mut in_view: Vec<u64> = Vec::new();
        // Row i: the i-th user found, or the user with id i + 1 (a deleted account's id says so).
        let row_user = |i: u64| -> Row<'_> {
            if searching {
                return found
                    .and_then(|f| f.items.get(i as usize))
                    .map_or(Row::Waiting, Row::User);
            }
            match pages.get(&(i / PAGE_USERS as u64)).and_then(|p| p.get()) {
                // Past the last id the page knew of: a user registered since, not read yet.
                Some(p) if i + 1 > p.total => Row::Waiting,
                None => Row::Waiting,
                Some(p) => p
                    .items
                    .iter()
                    .find(|u| u.id == i + 1)
                    .map_or(Row::Deleted(i + 1), Row::User),
            }
        };
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
                    body.rows(22.0, rows as usize, |mut row| {
                        let i = row.index() as u64;
                        let p = i / PAGE_USERS as u64;
                        if in_view.last() != Some(&p) {
                            in_view.push(p);
                        }
                        let u = match row_user(i) {
                            Row::User(u) => u,
                            Row::Waiting => {
                                row.col(|ui| {
                                    ui.weak("…");
                                });
                                return;
                            }
                            Row::Deleted(id) => {
                                row.col(|ui| {
                                    ui.label(id.to_string());
                                });
                                row.col(|ui| {
                                    ui.weak("(cuenta dada de baja)");
                                });
                                return;
                            }
                        };
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
                                && let Some(b) = reasons.and_then(|r| r.get(&u.id))
                            {
                                ui.label(&b.reason);
                            }
                        });
                    });
                });
        });
        if !searching {
            self.in_view = in_view;
        }
        if let Some(e) = pick {
            self.email = e;
        }
    }
}
