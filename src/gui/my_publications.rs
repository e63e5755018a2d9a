//! My publications: publish and edit (with a photo), pause / resume / cancel as the spec's
//! states allow (the buttons that do not apply are disabled; the domain still has the last
//! word and its refusal is shown on the row), the list with dates, state, buyer, rating and
//! commission, and the questions buyers asked, to answer them.

use std::collections::HashMap;

use chrono::{Duration as Days, Local};
use egui::{Grid, RichText, TextEdit, Ui};

use super::common::{
    Field, FormError, Job, Notice, Outcome, date, error_line, error_text, grid_error, notice_line,
    outcome,
};
use super::photo::PhotoPicker;
use super::shell::{Env, Nav};
use crate::domain::catalog::{NewPublication, PublicationChanges, PublicationView, parse_date};
use crate::domain::trade::ConversationView;
use crate::domain::{Kind, Market, PubState, Rating, format_cents, parse_cents};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pause,
    Resume,
    Cancel,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Pause => "Pausar",
            Action::Resume => "Reanudar",
            Action::Cancel => "Anular",
        }
    }
    fn done(self) -> &'static str {
        match self {
            Action::Pause => "publicación pausada",
            Action::Resume => "publicación reanudada",
            Action::Cancel => "publicación anulada",
        }
    }
    /// Whether the spec allows it in state `s` (the domain checks again).
    fn allowed(self, s: PubState) -> bool {
        match self {
            Action::Pause | Action::Cancel => s == PubState::Published,
            Action::Resume => s == PubState::Paused,
        }
    }
    fn why_not(self) -> &'static str {
        match self {
            Action::Pause => "solo se puede pausar una publicación publicada",
            Action::Resume => "solo se puede reanudar una publicación pausada",
            Action::Cancel => "solo se puede anular una publicación publicada",
        }
    }
}

/// The publish / edit form.
pub struct PubForm {
    /// `Some(id)` while editing publication `id`.
    pub editing: Option<u64>,
    pub category: Option<u64>,
    pub title: String,
    pub description: String,
    pub price: String,
    pub kind: Kind,
    pub closes: String,
    pub photo: PhotoPicker,
    pub error: FormError,
    submit_when_photo_ready: bool,
    job: Job<Outcome<u64>>,
    /// The id the domain accepted, until the screen takes it.
    done: Option<u64>,
}

impl Default for PubForm {
    fn default() -> Self {
        PubForm {
            editing: None,
            category: None,
            title: String::new(),
            description: String::new(),
            price: String::new(),
            kind: Kind::Used,
            closes: (Local::now().date_naive() + Days::days(30))
                .format("%Y-%m-%d")
                .to_string(),
            photo: PhotoPicker::default(),
            error: FormError::default(),
            submit_when_photo_ready: false,
            job: Job::default(),
            done: None,
        }
    }
}

const FORM_FIELDS: [Field; 6] = [
    Field::Category,
    Field::Title,
    Field::Description,
    Field::Price,
    Field::Closes,
    Field::Photo,
];

impl PubForm {
    fn editing(v: &PublicationView) -> PubForm {
        PubForm {
            editing: Some(v.id),
            category: Some(v.category),
            title: v.title.clone(),
            description: v.description.clone(),
            price: format_cents(v.price_cents),
            kind: v.kind,
            closes: v.closes.clone(),
            ..PubForm::default()
        }
    }

    /// Returns the id published or edited when the domain accepted it.
    fn poll(&mut self, ctx: &egui::Context) {
        self.photo.poll(ctx);
        if let Some(r) = self.job.poll() {
            match r {
                Ok(id) => self.done = Some(id),
                Err(e) => self.error.set(e),
            }
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) -> (Option<u64>, bool) {
        self.poll(ui.ctx());
        let done = self.done.take();
        let mut cancel = false;
        ui.heading(match self.editing {
            Some(id) => format!("Modificar la publicación N.º {id}"),
            None => "Publicar un artículo".into(),
        });
        Grid::new("formulario-publicacion")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let l = ui.label("Categoría");
                let current = self.category.map_or_else(
                    || "elija una categoría".to_string(),
                    |k| env.category_name(k),
                );
                egui::ComboBox::from_id_salt("categoria-publicacion")
                    .selected_text(current)
                    .width(260.0)
                    .show_ui(ui, |ui| {
                        for c in &env.categories {
                            ui.selectable_value(&mut self.category, Some(c.key), c.name.as_str());
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                grid_error(ui, &self.error.on(Field::Category));
                super::common::grid_field(ui, "Nombre del artículo", &mut self.title);
                grid_error(ui, &self.error.on(Field::Title));
                let l = ui.label("Descripción");
                ui.add(
                    TextEdit::multiline(&mut self.description)
                        .desired_rows(3)
                        .desired_width(420.0),
                )
                .labelled_by(l.id);
                ui.end_row();
                grid_error(ui, &self.error.on(Field::Description));
                super::common::grid_field(ui, "Precio ($)", &mut self.price);
                grid_error(ui, &self.error.on(Field::Price));
                ui.label("Condición");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.kind, Kind::Used, "Usado");
                    ui.radio_value(&mut self.kind, Kind::New, "Nuevo");
                });
                ui.end_row();
                super::common::grid_field(ui, "Fecha de cierre (AAAA-MM-DD)", &mut self.closes);
                grid_error(ui, &self.error.on(Field::Closes));
            });
        ui.add_space(4.0);
        let label = if self.editing.is_some() {
            "Foto nueva (opcional)"
        } else {
            "Foto (opcional)"
        };
        self.photo.ui(ui, label);
        if let Some(m) = self.error.on(Field::Photo)
            && self.photo.error.is_none()
        {
            error_text(ui, &m);
        }
        error_line(ui, &self.error.other(&FORM_FIELDS));
        let mut submit = false;
        ui.horizontal(|ui| {
            let busy = self.job.running();
            let label = if self.editing.is_some() {
                "Guardar los cambios"
            } else {
                "Publicar"
            };
            if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                submit = true;
            }
            if ui.button("Cancelar").clicked() {
                cancel = true;
            }
            if self.job.running() {
                ui.spinner();
            }
        });
        if self.submit_when_photo_ready && !self.photo.busy() {
            self.submit_when_photo_ready = false;
            submit = true;
        }
        if submit {
            self.submit(ui.ctx(), env);
        }
        (done, cancel)
    }

    fn submit(&mut self, ctx: &egui::Context, env: &Env) {
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
        let Some(category) = self.category else {
            self.error.set_on(Field::Category, "elija una categoría");
            return;
        };
        let price = match parse_cents(&self.price) {
            Ok(p) => p,
            Err(e) => return self.error.set_on(Field::Price, e.to_string()),
        };
        let closes = match parse_date(&self.closes) {
            Ok(d) => d,
            Err(e) => return self.error.set_on(Field::Closes, e.to_string()),
        };
        let Some(s) = env.session.clone() else { return };
        let m: std::sync::Arc<Market> = env.market.clone();
        let photo = self.photo.bytes();
        let (title, description, kind) = (self.title.clone(), self.description.clone(), self.kind);
        match self.editing {
            None => {
                let n = NewPublication {
                    category,
                    title,
                    description,
                    price,
                    kind,
                    closes,
                    photo,
                };
                self.job.start(ctx, move || outcome(m.publish(&s, n)));
            }
            Some(id) => {
                let c = PublicationChanges {
                    category: Some(category),
                    title: Some(title),
                    description: Some(description),
                    price: Some(price),
                    kind: Some(kind),
                    closes: Some(closes),
                    photo,
                };
                self.job.start(ctx, move || {
                    outcome(m.edit_publication(&s, id, c)).map(|()| id)
                });
            }
        }
    }
}

type Loaded = (Vec<PublicationView>, Vec<ConversationView>);

#[derive(Default)]
pub struct MyPublicationsScreen {
    pub list: Vec<PublicationView>,
    pub received: Vec<ConversationView>,
    loaded_gen: Option<u64>,
    load: Job<Outcome<Loaded>>,
    pub error: Option<String>,
    pub form: Option<PubForm>,
    pub notice: Option<Notice>,
    action: Job<(u64, Action, Outcome<()>)>,
    pub row_notice: Option<(u64, Notice)>,
    confirm_cancel: Option<u64>,
    answers: HashMap<(u64, String), String>,
    answer_job: Job<((u64, String), Outcome<u64>)>,
    answer_notice: Option<((u64, String), Notice)>,
    /// Unanswered questions when last drawn (a new one opens the section).
    waiting_before: u64,
}

impl MyPublicationsScreen {
    /// Takes the results of the background work (each frame, shown or not).
    pub fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        if let Some(f) = &mut self.form {
            f.poll(ctx);
        }
        if let Some(r) = self.load.poll() {
            match r {
                Ok((l, c)) => {
                    self.list = l;
                    self.received = c;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        if let Some((id, a, r)) = self.action.poll() {
            // Done or refused, the list is read again (a refusal usually means it was stale).
            env.changed();
            self.row_notice = Some((
                id,
                match r {
                    Ok(()) => Notice::Ok(a.done().into()),
                    Err(e) => Notice::Err(e),
                },
            ));
        }
        if let Some((k, r)) = self.answer_job.poll() {
            match r {
                Ok(_) => {
                    self.answers.remove(&k);
                    self.answer_notice = Some((k, Notice::Ok("respuesta enviada".into())));
                    env.changed();
                }
                Err(e) => self.answer_notice = Some((k, Notice::Err(e))),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        self.poll(ui.ctx(), env);
        if self.loaded_gen != Some(env.generation) {
            self.loaded_gen = Some(env.generation);
            let (m, s) = (env.market.clone(), s.clone());
            self.load.start(ui.ctx(), move || {
                let l = outcome(m.my_publications(&s))?;
                let (_, received) = outcome(m.my_conversations(&s))?;
                Ok((l, received))
            });
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Mis publicaciones");
                    if self.load.running() {
                        ui.spinner();
                    }
                });
                error_line(ui, &self.error);
                if self.form.is_none() && ui.button("Publicar un artículo nuevo").clicked() {
                    self.form = Some(PubForm::default());
                    self.notice = None;
                }
                notice_line(ui, &self.notice);
                if let Some(f) = &mut self.form {
                    let mut close = false;
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        let (done, cancel) = f.ui(ui, env);
                        if let Some(id) = done {
                            self.notice = Some(Notice::Ok(if f.editing.is_some() {
                                format!("publicación N.º {id} modificada")
                            } else {
                                format!("artículo publicado con el N.º {id}")
                            }));
                            env.changed();
                            close = true;
                        }
                        close |= cancel;
                    });
                    if close {
                        self.form = None;
                    }
                }
                ui.add_space(8.0);
                self.questions_ui(ui, env, &s);
                ui.add_space(8.0);
                self.list_ui(ui, env, &s);
            });
    }

    fn list_ui(&mut self, ui: &mut Ui, env: &mut Env, s: &crate::domain::Session) {
        if self.list.is_empty() {
            ui.label("Todavía no publicó nada.");
            return;
        }
        let unanswered: HashMap<u64, u64> =
            self.received.iter().fold(HashMap::new(), |mut m, c| {
                *m.entry(c.publication).or_default() += c.unanswered;
                m
            });
        let mut start: Option<(u64, Action)> = None;
        let mut edit: Option<PublicationView> = None;
        let mut open: Option<u64> = None;
        Grid::new("mis-publicaciones")
            .striped(true)
            .num_columns(10)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                for h in [
                    "N.º",
                    "Artículo",
                    "Precio",
                    "Estado",
                    "Publicada",
                    "Cierra",
                    "Comprador",
                    "Calificación",
                    "Comisión",
                    "Acciones",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for v in &self.list {
                    ui.label(v.id.to_string());
                    ui.vertical(|ui| {
                        if ui.link(&v.title).clicked() {
                            open = Some(v.id);
                        }
                        if let Some(n) = unanswered.get(&v.id).filter(|n| **n > 0) {
                            ui.label(
                                RichText::new(if *n == 1 {
                                    "1 pregunta sin responder".to_string()
                                } else {
                                    format!("{n} preguntas sin responder")
                                })
                                .small()
                                .color(ui.visuals().warn_fg_color),
                            );
                        }
                    });
                    ui.label(format!("$ {}", v.price));
                    ui.label(&v.state_label);
                    ui.label(date(v.published_ms));
                    ui.label(&v.closes);
                    ui.label(v.buyer_name.clone().unwrap_or_else(|| "-".into()));
                    ui.label(v.rating.map_or("-", Rating::label));
                    ui.label(match (&v.commission, v.commission_collected) {
                        (Some(c), Some(true)) => format!("$ {c} cobrada"),
                        (Some(c), _) => format!("$ {c} pendiente"),
                        _ => "-".into(),
                    });
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            let busy = self.action.running();
                            let r = ui.add_enabled(
                                v.state == PubState::Published && !busy,
                                egui::Button::new("Modificar"),
                            );
                            if r.clicked() {
                                edit = Some(v.clone());
                            } else if v.state != PubState::Published {
                                r.on_disabled_hover_text(
                                    "solo se puede modificar una publicación publicada",
                                );
                            }
                            for a in [Action::Pause, Action::Resume, Action::Cancel] {
                                let ok = a.allowed(v.state);
                                let r = ui.add_enabled(ok && !busy, egui::Button::new(a.label()));
                                if r.clicked() {
                                    if a == Action::Cancel {
                                        self.confirm_cancel = Some(v.id);
                                    } else {
                                        start = Some((v.id, a));
                                    }
                                } else if !ok {
                                    r.on_disabled_hover_text(a.why_not());
                                }
                            }
                        });
                        if self.confirm_cancel == Some(v.id) {
                            ui.horizontal(|ui| {
                                ui.label("¿Anularla? No se puede deshacer.");
                                if ui.button("Sí, anular").clicked() {
                                    start = Some((v.id, Action::Cancel));
                                    self.confirm_cancel = None;
                                }
                                if ui.button("No").clicked() {
                                    self.confirm_cancel = None;
                                }
                            });
                        }
                        if let Some((id, n)) = &self.row_notice
                            && *id == v.id
                        {
                            notice_line(ui, &Some(n.clone()));
                        }
                    });
                    ui.end_row();
                }
            });
        if let Some((id, a)) = start {
            let (m, s) = (env.market.clone(), s.clone());
            self.row_notice = None;
            self.action.start(ui.ctx(), move || {
                let r = match a {
                    Action::Pause => m.pause(&s, id),
                    Action::Resume => m.resume(&s, id),
                    Action::Cancel => m.cancel(&s, id),
                };
                (id, a, outcome(r))
            });
        }
        if let Some(v) = edit {
            self.form = Some(PubForm::editing(&v));
            self.notice = None;
        }
        if let Some(id) = open {
            env.nav(Nav::Publication(id));
        }
    }

    /// The questions buyers asked (first, since they wait for an answer), folded away when
    /// every one is answered.
    fn questions_ui(&mut self, ui: &mut Ui, env: &mut Env, s: &crate::domain::Session) {
        if self.received.is_empty() {
            return;
        }
        let waiting: u64 = self.received.iter().map(|c| c.unanswered).sum();
        let title = match waiting {
            0 => "Preguntas recibidas (todas respondidas)".to_string(),
            1 => "Preguntas recibidas (1 sin responder)".to_string(),
            n => format!("Preguntas recibidas ({n} sin responder)"),
        };
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt("preguntas-recibidas")
            .default_open(waiting > 0)
            .open(if waiting > self.waiting_before {
                Some(true)
            } else {
                None
            })
            .show(ui, |ui| self.questions_list(ui, env, s));
        self.waiting_before = waiting;
    }

    fn questions_list(&mut self, ui: &mut Ui, env: &mut Env, s: &crate::domain::Session) {
        let convs = self.received.clone();
        for c in &convs {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(format!(
                        "{} — pregunta {} <{}>",
                        c.title, c.buyer_name, c.buyer_email
                    ))
                    .strong(),
                );
                for m in &c.messages {
                    ui.label(format!(
                        "Pregunta ({}): {}",
                        super::common::datetime(m.asked_ms),
                        m.question
                    ));
                    match &m.answer {
                        Some(a) => {
                            ui.label(RichText::new(format!("Respuesta: {a}")).italics());
                        }
                        None => {
                            ui.label(
                                RichText::new("(sin respuesta)").color(ui.visuals().warn_fg_color),
                            );
                        }
                    }
                }
                let key = (c.publication, c.buyer_email.clone());
                if c.unanswered > 0 {
                    let text = self.answers.entry(key.clone()).or_default();
                    let l = ui.label(format!("Respuesta a {} sobre «{}»", c.buyer_name, c.title));
                    ui.add(
                        TextEdit::multiline(text)
                            .desired_rows(2)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(l.id);
                    if ui
                        .add_enabled(!self.answer_job.running(), egui::Button::new("Responder"))
                        .clicked()
                    {
                        let (m, s, a, k) =
                            (env.market.clone(), s.clone(), text.clone(), key.clone());
                        self.answer_job.start(ui.ctx(), move || {
                            let r = outcome(m.answer(&s, k.0, &k.1, &a));
                            (k, r)
                        });
                    }
                }
                if let Some((k, n)) = &self.answer_notice
                    && *k == key
                {
                    notice_line(ui, &Some(n.clone()));
                }
            });
        }
    }
}
