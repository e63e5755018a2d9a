//! What a visitor can do besides browsing: log in and register (with a profile photo). Enter
//! in any field submits; the first field has the focus; logging out clears both forms.

use egui::{RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::notice::bad_text;
use super::photo::PhotoPicker;
use super::screen::Screen;
use super::widgets::{
    FormErrors, enter_pressed, field_row, field_row_with, focus_once, form_grid, password_row,
    province_combo, rest_ui,
};
use crate::domain::account::{NewUser, PASSWORD_RULE, check_new_user};
use crate::domain::{DResult, Field, Session};

#[derive(Default)]
pub struct LoginScreen {
    pub email: String,
    pub password: String,
    pub errors: FormErrors,
    job: Job<DResult<Session>>,
    focus: bool,
}

impl LoginScreen {
    pub const TAB: Tab = Tab("iniciar-sesion");

    fn submit(&mut self, ctx: &egui::Context, env: &Env) {
        if self.job.running() {
            return;
        }
        self.errors.clear();
        let (m, e, p) = (
            env.market.clone(),
            self.email.clone(),
            self.password.clone(),
        );
        self.job.start(ctx, move || m.login(&e, &p));
    }
}

impl Screen for LoginScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session.is_none().then(|| "Iniciar sesión".into())
    }

    fn needs_session(&self) -> bool {
        false
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        if let Some(r) = self.job.poll() {
            match r {
                Ok(s) => {
                    self.password.clear();
                    self.errors.clear();
                    env.nav(Nav::LoggedIn(s));
                }
                Err(e) => self.errors.set(&e),
            }
        }
    }

    fn reset(&mut self) {
        *self = LoginScreen::default();
    }

    fn entered(&mut self) {
        self.focus = true;
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        ui.heading("Iniciar sesión");
        ui.add_space(6.0);
        if let Some(n) = &env.session_end {
            bad_text(ui, n);
            ui.add_space(6.0);
        }
        let mut submit = false;
        form_grid("entrar").show(ui, |ui| {
            let r = field_row(ui, "Email", &mut self.email, Field::Email, &mut self.errors);
            focus_once(&r, &mut self.focus);
            submit |= enter_pressed(ui, &r);
            let r = password_row(
                ui,
                "Clave",
                &mut self.password,
                Field::Password,
                &mut self.errors,
            );
            submit |= enter_pressed(ui, &r);
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
                ui.label("Comprobando…");
            }
        });
        // Under the button, so it stays where the pointer is.
        rest_ui(ui, &self.errors, &[Field::Email, Field::Password]);
        ui.add_space(12.0);
        ui.horizontal_wrapped(|ui| {
            ui.label("¿No tiene cuenta?");
            if ui.link("Crear una cuenta nueva").clicked() {
                env.nav(Nav::Show(RegisterScreen::TAB));
            }
        });
        if submit {
            self.submit(ui.ctx(), env);
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
    pub errors: FormErrors,
    submit_when_photo_ready: bool,
    job: Job<DResult<Session>>,
    focus: bool,
}

const REGISTER_FIELDS: [Field; 8] = [
    Field::Email,
    Field::Password,
    Field::PasswordRepeat,
    Field::Name,
    Field::Address,
    Field::Province,
    Field::Phone,
    Field::Photo,
];

impl RegisterScreen {
    pub const TAB: Tab = Tab("crear-cuenta");

    fn submit(&mut self, ctx: &egui::Context, env: &Env) {
        if self.job.running() {
            return;
        }
        self.errors.clear();
        if self.photo.unchecked() {
            self.photo.start_load(ctx);
        }
        if self.photo.busy() {
            self.submit_when_photo_ready = true;
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
        let repeat = self.password2.clone();
        // A photo that is not an image stops the registration, but every other field is
        // still checked so the form shows all its problems at once.
        let photo_ok = self.photo.error.is_none();
        let m = env.market.clone();
        self.job.start(ctx, move || {
            check_new_user(&n, Some(&repeat))?;
            if !photo_ok {
                return Err(crate::domain::DomainError::Fields(Vec::new()));
            }
            let (email, pass) = (n.email.clone(), n.password.clone());
            m.register(n)?;
            m.login(&email, &pass)
        });
    }
}

impl Screen for RegisterScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session.is_none().then(|| "Crear cuenta".into())
    }

    fn needs_session(&self) -> bool {
        false
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        self.photo.poll(ctx);
        if let Some(r) = self.job.poll() {
            match r {
                Ok(s) => {
                    *self = RegisterScreen::default();
                    env.nav(Nav::LoggedIn(s));
                }
                Err(e) => self.errors.set(&e),
            }
        }
    }

    fn reset(&mut self) {
        *self = RegisterScreen::default();
    }

    fn entered(&mut self) {
        self.focus = true;
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        ui.heading("Crear una cuenta");
        ui.label(RichText::new("Con una cuenta puede publicar, preguntar y comprar.").weak());
        ui.add_space(6.0);
        let mut submit = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                let e = &mut self.errors;
                form_grid("registro").show(ui, |ui| {
                    let r = field_row(ui, "Email", &mut self.email, Field::Email, e);
                    focus_once(&r, &mut self.focus);
                    submit |= enter_pressed(ui, &r);
                    // The rule is stated before it is broken.
                    let rule = format!("La clave debe tener {PASSWORD_RULE}.");
                    let r = field_row_with(ui, "Clave", e, Field::Password, |ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut self.password)
                                .password(true)
                                .hint_text(PASSWORD_RULE)
                                .desired_width(super::widgets::FIELD_WIDTH)
                                .min_size(egui::vec2(super::widgets::FIELD_WIDTH, 0.0)),
                        )
                    });
                    submit |= enter_pressed(ui, &r);
                    let r = password_row(
                        ui,
                        "Repetir la clave",
                        &mut self.password2,
                        Field::PasswordRepeat,
                        e,
                    );
                    submit |= enter_pressed(ui, &r);
                    ui.label("");
                    ui.label(RichText::new(rule).weak());
                    ui.label("");
                    ui.end_row();
                    let r = field_row(ui, "Apellido y nombre", &mut self.name, Field::Name, e);
                    submit |= enter_pressed(ui, &r);
                    let r = field_row(ui, "Domicilio", &mut self.address, Field::Address, e);
                    submit |= enter_pressed(ui, &r);
                    field_row_with(ui, "Provincia", e, Field::Province, |ui| {
                        province_combo(ui, "provincia-registro", &mut self.province)
                    });
                    let r = field_row(ui, "Teléfono", &mut self.phone, Field::Phone, e);
                    submit |= enter_pressed(ui, &r);
                    submit |= self.photo.grid_rows(ui, "Foto de perfil (opcional)");
                });
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let busy = self.job.running();
                    if ui
                        .add_enabled(!busy, egui::Button::new("Registrarme"))
                        .clicked()
                    {
                        submit = true;
                    }
                    if busy || self.submit_when_photo_ready {
                        ui.spinner();
                        ui.label("Creando la cuenta…");
                    }
                });
                // Under the button, so it stays where the pointer is.
                rest_ui(ui, &self.errors, &REGISTER_FIELDS);
            });
        if self.submit_when_photo_ready && !self.photo.busy() {
            self.submit_when_photo_ready = false;
            submit = true;
        }
        if submit {
            self.submit(ui.ctx(), env);
        }
    }
}
