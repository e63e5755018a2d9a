//! My account: edit my data (and photo), change the password (its rule stated up front),
//! delete the account. Enter in a field submits its form.

use egui::{RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::notice::{Notice, notice_ui};
use super::photo::PhotoPicker;
use super::screen::Screen;
use super::widgets::{
    FormErrors, date, enter_pressed, field_row, field_row_with, focus_once, form_grid, money,
    password_row, province_combo, rest_ui,
};
use crate::domain::account::{PASSWORD_RULE, ProfileChanges, UserView, check_new_password};
use crate::domain::{DResult, Field};

#[derive(Default)]
pub struct AccountScreen {
    /// The user the form was filled from (it is filled once, so nothing typed is lost when the
    /// share changes).
    filled_for: Option<u64>,
    pub name: String,
    pub address: String,
    pub province: u8,
    pub phone: String,
    pub photo: PhotoPicker,
    pub profile_errors: FormErrors,
    pub profile_notice: Option<Notice>,
    profile_job: Job<DResult<UserView>>,
    submit_when_photo_ready: bool,
    pub old_password: String,
    pub new_password: String,
    pub new_password2: String,
    pub password_errors: FormErrors,
    pub password_notice: Option<Notice>,
    password_job: Job<DResult<()>>,
    pub delete_password: String,
    pub delete_sure: bool,
    pub delete_errors: FormErrors,
    delete_job: Job<DResult<()>>,
    focus: bool,
}

const PROFILE_FIELDS: [Field; 5] = [
    Field::Name,
    Field::Address,
    Field::Province,
    Field::Phone,
    Field::Photo,
];
const PASSWORD_FIELDS: [Field; 3] = [Field::Password, Field::NewPassword, Field::PasswordRepeat];

impl AccountScreen {
    pub const TAB: Tab = Tab("mi-cuenta");

    fn fill(&mut self, u: &UserView) {
        self.filled_for = Some(u.id);
        self.name = u.name.clone();
        self.address = u.address.clone();
        self.province = u.province;
        self.phone = u.phone.clone();
    }

    fn save_profile(&mut self, ctx: &egui::Context, env: &Env) {
        let Some(s) = env.session.clone() else { return };
        if self.profile_job.running() {
            return;
        }
        self.profile_errors.clear();
        self.profile_notice = None;
        if self.photo.unchecked() {
            self.photo.start_load(ctx);
        }
        if self.photo.busy() {
            self.submit_when_photo_ready = true;
            return;
        }
        if self.photo.error.is_some() {
            // The picker shows why beside the photo.
            return;
        }
        let c = ProfileChanges {
            name: Some(self.name.clone()),
            address: Some(self.address.clone()),
            province: Some(self.province),
            phone: Some(self.phone.clone()),
            photo: self.photo.bytes(),
        };
        let m = env.market.clone();
        self.profile_job.start(ctx, move || m.update_profile(&s, c));
    }

    fn change_password(&mut self, ctx: &egui::Context, env: &Env) {
        let Some(s) = env.session.clone() else { return };
        if self.password_job.running() {
            return;
        }
        self.password_errors.clear();
        self.password_notice = None;
        let (m, o, n, r) = (
            env.market.clone(),
            self.old_password.clone(),
            self.new_password.clone(),
            self.new_password2.clone(),
        );
        self.password_job.start(ctx, move || {
            check_new_password(&n, &r)?;
            m.change_password(&s, &o, &n)
        });
    }

    fn delete(&mut self, ctx: &egui::Context, env: &Env) {
        let Some(s) = env.session.clone() else { return };
        if self.delete_job.running() || !self.delete_sure {
            return;
        }
        self.delete_errors.clear();
        let (m, p) = (env.market.clone(), self.delete_password.clone());
        self.delete_job.start(ctx, move || m.unregister(&s, &p));
    }
}

impl Screen for AccountScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session.as_ref().map(|_| "Mi cuenta".into())
    }

    fn reset(&mut self) {
        *self = AccountScreen::default();
    }

    fn entered(&mut self) {
        self.focus = true;
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        self.photo.poll(ctx);
        if let Some(r) = self.profile_job.poll() {
            match r {
                Ok(u) => {
                    self.fill(&u);
                    self.photo.clear();
                    self.profile_notice = Some(Notice::good("datos guardados"));
                    env.changed();
                }
                Err(e) => self.profile_errors.set(&e),
            }
        }
        if let Some(r) = self.password_job.poll() {
            match r {
                Ok(()) => {
                    self.old_password.clear();
                    self.new_password.clear();
                    self.new_password2.clear();
                    env.changed();
                    self.password_notice = Some(Notice::good("clave cambiada"));
                }
                Err(e) => self.password_errors.set(&e),
            }
        }
        if let Some(r) = self.delete_job.poll() {
            match r {
                Ok(()) => env.nav(Nav::LoggedOut(Some(
                    "Su cuenta fue dada de baja. Gracias por usar VentaLibre.".into(),
                ))),
                Err(e) => self.delete_errors.set(&e),
            }
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let Some(me) = env.me.clone() else {
            ui.spinner();
            return;
        };
        if self.filled_for != Some(me.id) {
            self.fill(&me);
        }
        if self.submit_when_photo_ready && !self.photo.busy() {
            self.submit_when_photo_ready = false;
            self.save_profile(ui.ctx(), env);
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Mi cuenta");
                ui.horizontal(|ui| {
                    let size = egui::vec2(64.0, 64.0);
                    let thumb = me.photo.as_deref().and_then(|h| env.thumbs.get(h));
                    match thumb {
                        Some(t) => {
                            ui.add(
                                egui::Image::from_texture(t)
                                    .max_size(size)
                                    .alt_text("foto de perfil"),
                            );
                        }
                        None => {
                            super::widgets::placeholder(ui, size, "");
                        }
                    }
                    ui.vertical(|ui| {
                        ui.label(RichText::new(&me.email).strong());
                        ui.label(format!(
                            "Usuario N.º {} · alta {} · saldo {}",
                            me.id,
                            date(me.created_ms),
                            money(me.balance_cents)
                        ));
                    });
                });
                ui.add_space(8.0);
                ui.label(RichText::new("Mis datos").strong());
                let mut save = false;
                let e = &mut self.profile_errors;
                form_grid("mis-datos").show(ui, |ui| {
                    let r = field_row(ui, "Apellido y nombre", &mut self.name, Field::Name, e);
                    focus_once(&r, &mut self.focus);
                    save |= enter_pressed(ui, &r);
                    let r = field_row(ui, "Domicilio", &mut self.address, Field::Address, e);
                    save |= enter_pressed(ui, &r);
                    field_row_with(ui, "Provincia", e, Field::Province, |ui| {
                        province_combo(ui, "provincia-cuenta", &mut self.province)
                    });
                    let r = field_row(ui, "Teléfono", &mut self.phone, Field::Phone, e);
                    save |= enter_pressed(ui, &r);
                    save |= self.photo.grid_rows(ui, "Foto de perfil nueva");
                });
                ui.horizontal(|ui| {
                    let busy = self.profile_job.running();
                    save |= ui
                        .add_enabled(!busy, egui::Button::new("Guardar mis datos"))
                        .clicked();
                    if busy || self.submit_when_photo_ready {
                        ui.spinner();
                    }
                    notice_ui(ui, &mut self.profile_notice);
                });
                rest_ui(ui, &self.profile_errors, &PROFILE_FIELDS);
                if save {
                    self.save_profile(ui.ctx(), env);
                }

                ui.add_space(14.0);
                ui.label(RichText::new("Cambiar la clave").strong());
                ui.label(
                    RichText::new(format!("La clave nueva debe tener {PASSWORD_RULE}.")).weak(),
                );
                let mut change = false;
                let e = &mut self.password_errors;
                form_grid("cambiar-clave").show(ui, |ui| {
                    let r = password_row(
                        ui,
                        "Clave actual",
                        &mut self.old_password,
                        Field::Password,
                        e,
                    );
                    change |= enter_pressed(ui, &r);
                    let r = field_row_with(ui, "Clave nueva", e, Field::NewPassword, |ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut self.new_password)
                                .password(true)
                                .hint_text(PASSWORD_RULE)
                                .desired_width(super::widgets::FIELD_WIDTH)
                                .min_size(egui::vec2(super::widgets::FIELD_WIDTH, 0.0)),
                        )
                    });
                    change |= enter_pressed(ui, &r);
                    let r = password_row(
                        ui,
                        "Repetir la clave nueva",
                        &mut self.new_password2,
                        Field::PasswordRepeat,
                        e,
                    );
                    change |= enter_pressed(ui, &r);
                });
                ui.horizontal(|ui| {
                    change |= ui
                        .add_enabled(
                            !self.password_job.running(),
                            egui::Button::new("Cambiar la clave"),
                        )
                        .clicked();
                    if self.password_job.running() {
                        ui.spinner();
                    }
                    notice_ui(ui, &mut self.password_notice);
                });
                rest_ui(ui, &self.password_errors, &PASSWORD_FIELDS);
                if change {
                    self.change_password(ui.ctx(), env);
                }

                if !s.admin {
                    ui.add_space(14.0);
                    ui.label(RichText::new("Darme de baja").strong());
                    ui.label(
                        "Hace falta no tener publicaciones a la venta ni saldo en la billetera.",
                    );
                    let mut delete = false;
                    let e = &mut self.delete_errors;
                    form_grid("baja").show(ui, |ui| {
                        let r = password_row(
                            ui,
                            "Clave para confirmar la baja",
                            &mut self.delete_password,
                            Field::Password,
                            e,
                        );
                        delete |= enter_pressed(ui, &r);
                    });
                    ui.checkbox(
                        &mut self.delete_sure,
                        "Entiendo que la baja no se puede deshacer",
                    );
                    ui.horizontal(|ui| {
                        let ok = self.delete_sure && !self.delete_job.running();
                        delete |= ui
                            .add_enabled(ok, egui::Button::new("Dar de baja mi cuenta"))
                            .clicked();
                        if self.delete_job.running() {
                            ui.spinner();
                        }
                    });
                    rest_ui(ui, &self.delete_errors, &[Field::Password]);
                    if delete {
                        self.delete(ui.ctx(), env);
                    }
                }
            });
    }
}
