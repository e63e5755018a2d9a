//! My account: edit my data (and photo), change the password, delete the account.

use egui::{Grid, RichText, Ui};

use super::common::{
    Field, FormError, Job, Notice, Outcome, error_text, grid_error, grid_field, grid_password,
    notice_line, outcome,
};
use super::photo::PhotoPicker;
use super::shell::{Env, Nav};
use super::visitor::province_combo;
use crate::domain::account::{ProfileChanges, UserView};

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
    pub profile_error: FormError,
    pub profile_notice: Option<String>,
    profile_job: Job<Outcome<UserView>>,
    submit_when_photo_ready: bool,
    pub old_password: String,
    pub new_password: String,
    pub new_password2: String,
    pub password_notice: Option<Notice>,
    password_job: Job<Outcome<()>>,
    pub delete_password: String,
    pub delete_sure: bool,
    pub delete_error: Option<String>,
    delete_job: Job<Outcome<()>>,
}

const PROFILE_FIELDS: [Field; 4] = [Field::Name, Field::Address, Field::Phone, Field::Photo];

impl AccountScreen {
    fn fill(&mut self, u: &UserView) {
        self.filled_for = Some(u.id);
        self.name = u.name.clone();
        self.address = u.address.clone();
        self.province = u.province;
        self.phone = u.phone.clone();
    }

    pub fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        self.photo.poll(ctx);
        if let Some(r) = self.profile_job.poll() {
            match r {
                Ok(u) => {
                    self.fill(&u);
                    self.photo.clear();
                    self.profile_notice = Some("datos guardados".into());
                    env.changed();
                }
                Err(e) => self.profile_error.set(e),
            }
        }
        if let Some(r) = self.password_job.poll() {
            self.password_notice = Some(match r {
                Ok(()) => {
                    self.old_password.clear();
                    self.new_password.clear();
                    self.new_password2.clear();
                    env.changed();
                    Notice::Ok("clave cambiada".into())
                }
                Err(e) => Notice::Err(e),
            });
        }
        if let Some(r) = self.delete_job.poll() {
            match r {
                Ok(()) => env.nav(Nav::LoggedOut(Some(
                    "Su cuenta fue dada de baja. Gracias por usar VentaLibre.".into(),
                ))),
                Err(e) => self.delete_error = Some(e),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        self.poll(ui.ctx(), env);
        let Some(me) = env.me.clone() else {
            ui.spinner();
            return;
        };
        if self.filled_for != Some(me.id) {
            self.fill(&me);
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Mi cuenta");
                ui.horizontal(|ui| {
                    if let Some(hex) = &me.photo
                        && let Some(t) = env.thumbs.get(hex)
                    {
                        ui.add(
                            egui::Image::from_texture(t)
                                .max_size(egui::vec2(64.0, 64.0))
                                .alt_text("foto de perfil"),
                        );
                    }
                    ui.vertical(|ui| {
                        ui.label(RichText::new(&me.email).strong());
                        ui.label(format!(
                            "Usuario N.º {} · alta {} · saldo $ {}",
                            me.id,
                            super::common::date(me.created_ms),
                            me.balance
                        ));
                    });
                });
                ui.add_space(8.0);
                ui.label(RichText::new("Mis datos").strong());
                Grid::new("mis-datos")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        grid_field(ui, "Apellido y nombre", &mut self.name);
                        grid_error(ui, &self.profile_error.on(Field::Name));
                        grid_field(ui, "Domicilio", &mut self.address);
                        grid_error(ui, &self.profile_error.on(Field::Address));
                        let l = ui.label("Provincia");
                        province_combo(ui, "provincia-cuenta", &mut self.province, l.id);
                        ui.end_row();
                        grid_field(ui, "Teléfono", &mut self.phone);
                        grid_error(ui, &self.profile_error.on(Field::Phone));
                    });
                self.photo.ui(ui, "Foto de perfil nueva");
                if let Some(m) = self.profile_error.on(Field::Photo)
                    && self.photo.error.is_none()
                {
                    error_text(ui, &m);
                }
                if let Some(m) = self.profile_error.other(&PROFILE_FIELDS) {
                    error_text(ui, &m);
                }
                let mut save = false;
                ui.horizontal(|ui| {
                    let busy = self.profile_job.running();
                    save = ui
                        .add_enabled(!busy, egui::Button::new("Guardar mis datos"))
                        .clicked();
                    if let Some(n) = &self.profile_notice {
                        super::common::ok_text(ui, n);
                    }
                });
                if self.submit_when_photo_ready && !self.photo.busy() {
                    self.submit_when_photo_ready = false;
                    save = true;
                }
                if save {
                    self.profile_error.clear();
                    self.profile_notice = None;
                    if self.photo.unchecked() {
                        self.photo.start_load(ui.ctx());
                    }
                    if self.photo.busy() {
                        self.submit_when_photo_ready = true;
                    } else if let Some(e) = &self.photo.error {
                        self.profile_error.set_on(Field::Photo, e.clone());
                    } else {
                        let c = ProfileChanges {
                            name: Some(self.name.clone()),
                            address: Some(self.address.clone()),
                            province: Some(self.province),
                            phone: Some(self.phone.clone()),
                            photo: self.photo.bytes(),
                        };
                        let (m, s) = (env.market.clone(), s.clone());
                        self.profile_job
                            .start(ui.ctx(), move || outcome(m.update_profile(&s, c)));
                    }
                }
                ui.add_space(14.0);
                ui.label(RichText::new("Cambiar la clave").strong());
                Grid::new("cambiar-clave")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        grid_password(ui, "Clave actual", &mut self.old_password);
                        grid_password(ui, "Clave nueva", &mut self.new_password);
                        grid_password(ui, "Repetir la clave nueva", &mut self.new_password2);
                    });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            !self.password_job.running(),
                            egui::Button::new("Cambiar la clave"),
                        )
                        .clicked()
                    {
                        if self.new_password != self.new_password2 {
                            self.password_notice =
                                Some(Notice::Err("las dos claves nuevas no coinciden".into()));
                        } else {
                            self.password_notice = None;
                            let (m, s, o, n) = (
                                env.market.clone(),
                                s.clone(),
                                self.old_password.clone(),
                                self.new_password.clone(),
                            );
                            self.password_job
                                .start(ui.ctx(), move || outcome(m.change_password(&s, &o, &n)));
                        }
                    }
                    if self.password_job.running() {
                        ui.spinner();
                    }
                });
                notice_line(ui, &self.password_notice);
                if !s.admin {
                    ui.add_space(14.0);
                    ui.label(RichText::new("Darme de baja").strong());
                    ui.label(
                        "Hace falta no tener publicaciones a la venta ni saldo en la billetera.",
                    );
                    Grid::new("baja")
                        .num_columns(2)
                        .spacing([12.0, 8.0])
                        .show(ui, |ui| {
                            grid_password(
                                ui,
                                "Clave para confirmar la baja",
                                &mut self.delete_password,
                            );
                        });
                    ui.checkbox(
                        &mut self.delete_sure,
                        "Entiendo que la baja no se puede deshacer",
                    );
                    ui.horizontal(|ui| {
                        let ok = self.delete_sure && !self.delete_job.running();
                        if ui
                            .add_enabled(ok, egui::Button::new("Dar de baja mi cuenta"))
                            .clicked()
                        {
                            self.delete_error = None;
                            let (m, s, p) =
                                (env.market.clone(), s.clone(), self.delete_password.clone());
                            self.delete_job
                                .start(ui.ctx(), move || outcome(m.unregister(&s, &p)));
                        }
                        if self.delete_job.running() {
                            ui.spinner();
                        }
                    });
                    super::common::error_line(ui, &self.delete_error);
                }
            });
    }
}
