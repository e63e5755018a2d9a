//! What a visitor can do besides browsing: log in and register (with a profile photo).

use std::sync::Arc;

use egui::{Grid, RichText, Ui};

use super::common::{
    Field, FormError, Job, Outcome, error_line, grid_error, grid_field, grid_password, outcome,
};
use super::photo::PhotoPicker;
use super::shell::{Env, Nav};
use crate::domain::account::NewUser;
use crate::domain::provinces::PROVINCES;
use crate::domain::{Market, Session};

#[derive(Default)]
pub struct LoginScreen {
    pub email: String,
    pub password: String,
    pub error: Option<String>,
    /// Why the session ended without the user asking (blocked account, deleted account).
    pub notice: Option<String>,
    job: Job<Outcome<Session>>,
}

impl LoginScreen {
    pub fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.job.poll() {
            match r {
                Ok(s) => {
                    self.password.clear();
                    self.error = None;
                    self.notice = None;
                    env.nav(Nav::LoggedIn(s));
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.poll(ui.ctx(), env);
        ui.heading("Iniciar sesión");
        ui.add_space(6.0);
        if let Some(n) = &self.notice {
            super::common::error_text(ui, n);
            ui.add_space(6.0);
        }
        let mut submit = false;
        Grid::new("entrar")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let r = grid_field(ui, "Email", &mut self.email);
                submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let r = grid_password(ui, "Clave", &mut self.password);
                submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                grid_error(ui, &self.error);
            });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!self.job.running(), egui::Button::new("Entrar"))
                .clicked()
            {
                submit = true;
            }
            if self.job.running() {
                ui.spinner();
                ui.label("comprobando…");
            }
        });
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.label("¿No tiene cuenta?");
            if ui.link("Crear una cuenta nueva").clicked() {
                env.nav(Nav::Tab(super::shell::Tab::Register));
            }
        });
        if submit && !self.job.running() {
            self.error = None;
            let (m, e, p) = (
                env.market.clone(),
                self.email.clone(),
                self.password.clone(),
            );
            self.job.start(ui.ctx(), move || outcome(m.login(&e, &p)));
        }
    }
}

#[derive(Default)]
pub struct RegisterScreen {
    pub email: String,
    pub password: String,
    pub password2: String,
    pub name: String,
    pub address: String,
    pub province: u8,
    pub phone: String,
    pub photo: PhotoPicker,
    pub error: FormError,
    submit_when_photo_ready: bool,
    job: Job<Outcome<Session>>,
}

const REGISTER_FIELDS: [Field; 7] = [
    Field::Email,
    Field::Password,
    Field::Name,
    Field::Address,
    Field::Province,
    Field::Phone,
    Field::Photo,
];

impl RegisterScreen {
    pub fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        self.photo.poll(ctx);
        if let Some(r) = self.job.poll() {
            match r {
                Ok(s) => {
                    *self = RegisterScreen::default();
                    env.nav(Nav::LoggedIn(s));
                }
                Err(e) => self.error.set(e),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        self.poll(ui.ctx(), env);
        ui.heading("Crear una cuenta");
        ui.label(RichText::new("Con una cuenta puede publicar, preguntar y comprar.").weak());
        ui.add_space(6.0);
        let mut submit = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                Grid::new("registro")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        grid_field(ui, "Email", &mut self.email);
                        grid_error(ui, &self.error.on(Field::Email));
                        grid_password(ui, "Clave", &mut self.password);
                        grid_password(ui, "Repetir la clave", &mut self.password2);
                        grid_error(ui, &self.error.on(Field::Password));
                        grid_field(ui, "Apellido y nombre", &mut self.name);
                        grid_error(ui, &self.error.on(Field::Name));
                        grid_field(ui, "Domicilio", &mut self.address);
                        grid_error(ui, &self.error.on(Field::Address));
                        let l = ui.label("Provincia");
                        province_combo(ui, "provincia-registro", &mut self.province, l.id);
                        ui.end_row();
                        grid_error(ui, &self.error.on(Field::Province));
                        grid_field(ui, "Teléfono", &mut self.phone);
                        grid_error(ui, &self.error.on(Field::Phone));
                    });
                ui.add_space(8.0);
                self.photo.ui(ui, "Foto de perfil (opcional)");
                if let Some(m) = self.error.on(Field::Photo)
                    && self.photo.error.is_none()
                {
                    super::common::error_text(ui, &m);
                }
                ui.add_space(8.0);
                error_line(ui, &self.error.other(&REGISTER_FIELDS));
                ui.horizontal(|ui| {
                    let busy = self.job.running();
                    if ui
                        .add_enabled(!busy, egui::Button::new("Registrarme"))
                        .clicked()
                    {
                        submit = true;
                    }
                    if self.job.running() {
                        ui.spinner();
                        ui.label("creando la cuenta…");
                    }
                });
            });
        if self.submit_when_photo_ready && !self.photo.busy() {
            self.submit_when_photo_ready = false;
            submit = true;
        }
        if submit {
            self.submit(ui.ctx(), &env.market);
        }
    }

    fn submit(&mut self, ctx: &egui::Context, market: &Arc<Market>) {
        self.error.clear();
        if self.photo.unchecked() {
            self.photo.start_load(ctx);
        }
        if self.photo.busy() {
            self.submit_when_photo_ready = true;
            return;
        }
        if let Some(e) = &self.photo.error {
            self.error.set_on(Field::Photo, e.clone());
            return;
        }
        if self.password != self.password2 {
            self.error
                .set_on(Field::Password, "las dos claves no coinciden");
            return;
        }
        let n = NewUser {
            email: self.email.clone(),
            password: self.password.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            province: self.province,
            phone: self.phone.clone(),
            photo: self.photo.bytes(),
        };
        let m = market.clone();
        self.job.start(ctx, move || {
            let (email, pass) = (n.email.clone(), n.password.clone());
            outcome(m.register(n))?;
            outcome(m.login(&email, &pass))
        });
    }
}

/// A province picker named by the label `label`.
pub fn province_combo(ui: &mut Ui, id: &str, value: &mut u8, label: egui::Id) -> egui::Response {
    let r = egui::ComboBox::from_id_salt(id)
        .selected_text(crate::domain::provinces::name(*value))
        .width(240.0)
        .show_ui(ui, |ui| {
            for (i, p) in PROVINCES.iter().enumerate() {
                ui.selectable_value(value, i as u8, *p);
            }
        });
    r.response.labelled_by(label)
}
