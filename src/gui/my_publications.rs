//! My publications: publish and edit (with a photo), pause / resume / cancel as the domain
//! allows (a button it refuses is disabled with the domain's reason; if the list was stale,
//! the domain's refusal is shown on the row), the list with dates, state, buyer, rating and
//! commission (scrolling sideways in a narrow window), and the questions buyers asked, to
//! answer them (Ctrl+Enter sends).

use std::collections::HashMap;

use chrono::{Duration as Days, Local};
use egui::{Id, RichText, TextEdit, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, keyed_notice_ui, notice_ui, warn_color};
use super::photo::PhotoPicker;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::{
    FIELD_WIDTH, FormErrors, ctrl_enter, date, datetime, enter_pressed, field_row, field_row_with,
    focus_once, form_grid, rest_ui, right_aligned, wide_table,
};
use crate::domain::blocks::{BlockInfo, BlockTarget};
use crate::domain::catalog::{
    NewPublication, PublicationChanges, PublicationView, check_publication,
};
use crate::domain::format;
use crate::domain::permissions::{ListingActions, Permission, why};
use crate::domain::phrases::counted;
use crate::domain::trade::ConversationView;
use crate::domain::{DResult, Field, Kind, Session};

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
    /// The domain's answer for this action.
    fn permission(self, a: &ListingActions) -> &Permission {
        match self {
            Action::Pause => &a.pause,
            Action::Resume => &a.resume,
            Action::Cancel => &a.cancel,
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
    pub errors: FormErrors,
    submit_when_photo_ready: bool,
    job: Job<DResult<u64>>,
    /// The id the domain accepted, until the screen takes it.
    done: Option<u64>,
    focus: bool,
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
            closes: format::date(Local::now().date_naive() + Days::days(30)),
            photo: PhotoPicker::default(),
            errors: FormErrors::default(),
            submit_when_photo_ready: false,
            job: Job::default(),
            done: None,
            focus: true,
        }
    }
}

/// The widest a title gets in the list before it wraps (the row's buttons take about this).
const TITLE_WIDTH: f32 = 380.0;

const FORM_FIELDS: [Field; 7] = [
    Field::Category,
    Field::Title,
    Field::Description,
    Field::Price,
    Field::Kind,
    Field::Closes,
    Field::Photo,
];

impl PubForm {
    fn editing(v: &PublicationView) -> PubForm {
        PubForm {
            editing: Some(v.id),
            category: Some(v.category),
            title: v.title.to_string(),
            description: v.description.to_string(),
            price: format::amount(v.price_cents),
            kind: v.kind,
            closes: format::date_of_ms(v.closes_ms),
            ..PubForm::default()
        }
    }

    fn poll(&mut self, ctx: &egui::Context) {
        self.photo.poll(ctx);
        if let Some(r) = self.job.poll() {
            match r {
                Ok(id) => self.done = Some(id),
                Err(e) => self.errors.set(&e),
            }
        }
    }

    /// Returns (the id published or edited when the domain accepted it, cancel clicked).
    fn ui(&mut self, ui: &mut Ui, env: &mut Env) -> (Option<u64>, bool) {
        let done = self.done.take();
        let mut cancel = false;
        let mut submit = false;
        ui.heading(match self.editing {
            Some(id) => format!("Modificar la publicación N.º {id}"),
            None => "Publicar un artículo".into(),
        });
        let e = &mut self.errors;
        form_grid("formulario-publicacion").show(ui, |ui| {
            let current = self.category.map_or_else(
                || "elija una categoría".to_string(),
                |k| env.category_name(k),
            );
            let before = self.category;
            field_row_with(ui, "Categoría", e, Field::Category, |ui| {
                egui::ComboBox::from_id_salt("categoria-publicacion")
                    .selected_text(current)
                    .width(FIELD_WIDTH - 8.0)
                    .show_ui(ui, |ui| {
                        for c in &env.categories {
                            ui.selectable_value(&mut self.category, Some(c.key), c.name.as_str());
                        }
                    })
                    .response
            });
            if self.category != before {
                e.clear_field(Field::Category);
            }
            let r = field_row(ui, "Nombre del artículo", &mut self.title, Field::Title, e);
            focus_once(&r, &mut self.focus);
            submit |= enter_pressed(ui, &r);
            field_row_with(ui, "Descripción", e, Field::Description, |ui| {
                ui.add(
                    TextEdit::multiline(&mut self.description)
                        .desired_rows(3)
                        .desired_width(FIELD_WIDTH + 120.0)
                        .min_size(egui::vec2(FIELD_WIDTH + 120.0, 0.0)),
                )
            });
            let r = field_row_with(ui, "Precio ($)", e, Field::Price, |ui| {
                ui.add(
                    TextEdit::singleline(&mut self.price)
                        .hint_text("por ejemplo 1.500,50")
                        .desired_width(FIELD_WIDTH)
                        .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
                )
            });
            submit |= enter_pressed(ui, &r);
            field_row_with(ui, "Condición", e, Field::Kind, |ui| {
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.kind, Kind::Used, "Usado");
                    ui.radio_value(&mut self.kind, Kind::New, "Nuevo");
                })
                .response
            });
            let r = field_row_with(ui, "Fecha de cierre", e, Field::Closes, |ui| {
                ui.add(
                    TextEdit::singleline(&mut self.closes)
                        .hint_text("DD/MM/AAAA")
                        .desired_width(FIELD_WIDTH)
                        .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
                )
            });
            submit |= enter_pressed(ui, &r);
            let label = if self.editing.is_some() {
                "Foto nueva (opcional)"
            } else {
                "Foto (opcional)"
            };
            submit |= self.photo.grid_rows(ui, label);
        });
        ui.add_space(4.0);
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
            if busy || self.submit_when_photo_ready {
                ui.spinner();
            }
        });
        // Under the buttons, so they stay where the pointer is.
        rest_ui(ui, &self.errors, &FORM_FIELDS);
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
        let Some(s) = env.session.clone() else { return };
        let m = env.market.clone();
        let photo = self.photo.bytes();
        // A photo that is not an image stops the publication; every other field is still
        // checked so the form shows all its problems at once.
        let photo_ok = self.photo.error.is_none();
        let (category, title, description, price, closes, kind) = (
            self.category,
            self.title.clone(),
            self.description.clone(),
            self.price.clone(),
            self.closes.clone(),
            self.kind,
        );
        let editing = self.editing;
        self.job.start(ctx, move || {
            let (category, price, closes) =
                check_publication(category, &title, &description, &price, &closes)?;
            if !photo_ok {
                return Err(crate::domain::DomainError::Fields(Vec::new()));
            }
            match editing {
                None => m.publish(
                    &s,
                    NewPublication {
                        category,
                        title,
                        description,
                        price,
                        kind,
                        closes,
                        photo,
                    },
                ),
                Some(id) => m
                    .edit_publication(
                        &s,
                        id,
                        PublicationChanges {
                            category: Some(category),
                            title: Some(title),
                            description: Some(description),
                            price: Some(price),
                            kind: Some(kind),
                            closes: Some(closes),
                            photo,
                        },
                    )
                    .map(|()| id),
            }
        });
    }
}

/// What the screen shows, read together.
pub struct Mine {
    pub list: Vec<PublicationView>,
    pub received: Vec<ConversationView>,
    pub blocked: HashMap<u64, BlockInfo>,
}

#[derive(Default)]
pub struct MyPublicationsScreen {
    data: Loaded<Mine, u64>,
    pub form: Option<PubForm>,
    pub notice: Option<Notice>,
    action: Job<(u64, Action, DResult<()>)>,
    pub row_notice: Option<(u64, Notice)>,
    confirm_cancel: Option<u64>,
    answers: HashMap<(u64, String), String>,
    answer_job: Job<((u64, String), DResult<u64>)>,
    answer_notice: Option<((u64, String), Notice)>,
    /// Unanswered questions when last drawn (a new one opens the section).
    waiting_before: u64,
}

impl MyPublicationsScreen {
    pub const TAB: Tab = Tab("mis-publicaciones");

    pub fn list(&self) -> &[PublicationView] {
        self.data.get().map_or(&[], |d| d.list.as_slice())
    }

    fn list_ui(&mut self, ui: &mut Ui, env: &mut Env, s: &Session) {
        let Some(d) = self.data.get() else { return };
        if d.list.is_empty() {
            ui.label("Todavía no publicó nada.");
            return;
        }
        let unanswered: HashMap<u64, u64> = d.received.iter().fold(HashMap::new(), |mut m, c| {
            *m.entry(c.publication).or_default() += c.unanswered;
            m
        });
        let mut start: Option<(u64, Action)> = None;
        let mut edit: Option<PublicationView> = None;
        let mut photos: Option<u64> = None;
        let mut open: Option<u64> = None;
        let busy = self.action.running();
        // The actions go under the title and the dates and the sale share a cell each, so
        // the table fits 1280 px; narrower, it scrolls with a visible bar.
        wide_table(ui, "mis-publicaciones-h", |ui| {
            egui::Grid::new("mis-publicaciones")
                .striped(true)
                .num_columns(7)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                    for h in [
                        "N.º",
                        "Artículo",
                        "Precio",
                        "Estado",
                        "Publicada / cierra",
                        "Comisión",
                        "Comprador / calificación",
                    ] {
                        if h == "Precio" || h == "Comisión" {
                            right_aligned(ui, |ui| {
                                ui.strong(h);
                            });
                        } else {
                            ui.strong(h);
                        }
                    }
                    ui.end_row();
                    for v in &d.list {
                        let a = ListingActions::of(Some(s), v);
                        ui.label(v.id.to_string());
                        ui.vertical(|ui| {
                            ui.set_max_width(TITLE_WIDTH);
                            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                            if ui.link(&*v.title).clicked() {
                                open = Some(v.id);
                            }
                            if let Some(n) = unanswered.get(&v.id).filter(|n| **n > 0) {
                                ui.label(
                                    RichText::new(counted(
                                        *n,
                                        "pregunta sin responder",
                                        "preguntas sin responder",
                                    ))
                                    .color(warn_color(ui)),
                                );
                            }
                            if let Some(b) = d.blocked.get(&v.id) {
                                bad_text(ui, &format!("Bloqueada: {}", b.reason));
                            }
                            ui.horizontal(|ui| {
                                let r = ui.add_enabled(
                                    a.edit.is_ok() && !busy,
                                    egui::Button::new("Modificar"),
                                );
                                if r.clicked() {
                                    edit = Some(v.clone());
                                } else if let Some(w) = why(&a.edit) {
                                    r.on_disabled_hover_text(w);
                                }
                                let r = ui.add_enabled(
                                    a.edit.is_ok() && !busy,
                                    egui::Button::new("Fotos"),
                                );
                                if r.clicked() {
                                    photos = Some(v.id);
                                } else if let Some(w) = why(&a.edit) {
                                    r.on_disabled_hover_text(w);
                                }
                                for act in [Action::Pause, Action::Resume, Action::Cancel] {
                                    let p = act.permission(&a);
                                    let r = ui.add_enabled(
                                        p.is_ok() && !busy,
                                        egui::Button::new(act.label()),
                                    );
                                    if r.clicked() {
                                        if act == Action::Cancel {
                                            self.confirm_cancel = Some(v.id);
                                        } else {
                                            start = Some((v.id, act));
                                        }
                                    } else if let Some(w) = why(p) {
                                        r.on_disabled_hover_text(w);
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
                            keyed_notice_ui(ui, &mut self.row_notice, &v.id);
                        });
                        right_aligned(ui, |ui| {
                            ui.label(format::money(v.price_cents));
                        });
                        ui.label(v.state_label);
                        ui.vertical(|ui| {
                            ui.label(date(v.published_ms));
                            ui.label(RichText::new(date(v.closes_ms)).weak());
                        });
                        right_aligned(ui, |ui| {
                            ui.label(match (v.commission_cents, v.commission_collected) {
                                (Some(c), Some(true)) => {
                                    format!("{} (cobrada)", format::money(c))
                                }
                                (Some(c), _) => format!("{} (pendiente)", format::money(c)),
                                _ => "-".into(),
                            });
                        });
                        ui.vertical(|ui| {
                            ui.label(v.buyer_name.as_deref().unwrap_or("-"));
                            if let Some(r) = v.rating {
                                ui.label(RichText::new(r.label()).weak());
                            }
                        });
                        ui.end_row();
                    }
                });
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
                (id, a, r)
            });
        }
        if let Some(id) = photos {
            env.nav(Nav::Open(super::gallery::GalleryEditorScreen::TAB, id));
        }
        if let Some(v) = edit {
            self.form = Some(PubForm::editing(&v));
            self.notice = None;
        }
        if let Some(id) = open {
            env.nav(Nav::Open(PublicationScreen::TAB, id));
        }
    }

    /// The questions buyers asked (first, since they wait for an answer), folded away when
    /// every one is answered.
    fn questions_ui(&mut self, ui: &mut Ui, env: &mut Env, s: &Session) {
        let Some(d) = self.data.get() else { return };
        if d.received.is_empty() {
            return;
        }
        let convs = d.received.clone();
        let waiting: u64 = convs.iter().map(|c| c.unanswered).sum();
        let title = if waiting == 0 {
            "Preguntas recibidas (todas respondidas)".to_string()
        } else {
            format!(
                "Preguntas recibidas ({})",
                counted(waiting, "sin responder", "sin responder")
            )
        };
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt("preguntas-recibidas")
            .default_open(waiting > 0)
            .open((waiting > self.waiting_before).then_some(true))
            .show(ui, |ui| self.questions_list(ui, env, s, &convs));
        self.waiting_before = waiting;
    }

    fn questions_list(
        &mut self,
        ui: &mut Ui,
        env: &mut Env,
        s: &Session,
        convs: &[ConversationView],
    ) {
        for c in convs {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "{} — pregunta {} <{}>",
                            c.title, c.buyer_name, c.buyer_email
                        ))
                        .strong(),
                    )
                    .wrap(),
                );
                for m in &c.messages {
                    ui.add(
                        egui::Label::new(format!(
                            "Pregunta ({}): {}",
                            datetime(m.asked_ms),
                            m.question
                        ))
                        .wrap(),
                    );
                    match &m.answer {
                        Some(a) => {
                            ui.add(
                                egui::Label::new(
                                    RichText::new(format!("Respuesta: {a}")).italics(),
                                )
                                .wrap(),
                            );
                        }
                        None => {
                            ui.label(RichText::new("(sin respuesta)").color(warn_color(ui)));
                        }
                    }
                }
                let key = (c.publication, c.buyer_email.clone());
                if c.unanswered > 0 {
                    let text = self.answers.entry(key.clone()).or_default();
                    let l = ui.label(format!("Respuesta a {} sobre «{}»", c.buyer_name, c.title));
                    let id = Id::unique(("respuesta", &key));
                    let mut send = ctrl_enter(ui, id);
                    let r = ui
                        .add(
                            TextEdit::multiline(text)
                                .id(id)
                                .hint_text("Enter agrega una línea; Ctrl+Enter envía la respuesta")
                                .desired_rows(2)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(l.id);
                    if r.changed() {
                        self.answer_notice = None;
                    }
                    send |= ui
                        .add_enabled(!self.answer_job.running(), egui::Button::new("Responder"))
                        .clicked();
                    if send && !self.answer_job.running() {
                        let (m, s, a, k) =
                            (env.market.clone(), s.clone(), text.clone(), key.clone());
                        self.answer_job.start(ui.ctx(), move || {
                            let r = m.answer(&s, k.0, &k.1, &a);
                            (k, r)
                        });
                    }
                }
                keyed_notice_ui(ui, &mut self.answer_notice, &key);
            });
        }
    }
}

impl Screen for MyPublicationsScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.session
            .as_ref()
            .filter(|s| !s.admin)
            .map(|_| "Mis publicaciones".into())
    }

    fn reset(&mut self) {
        *self = MyPublicationsScreen::default();
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        if let Some(f) = &mut self.form {
            f.poll(ctx);
        }
        self.data.poll();
        if let Some((id, a, r)) = self.action.poll() {
            // Done or refused, the list is read again (a refusal usually means it was stale).
            env.changed();
            self.row_notice = Some((
                id,
                match r {
                    Ok(()) => Notice::good(a.done()),
                    Err(e) => Notice::of_error(&e),
                },
            ));
        }
        if let Some((k, r)) = self.answer_job.poll() {
            match r {
                Ok(_) => {
                    self.answers.remove(&k);
                    self.answer_notice = Some((k, Notice::good("respuesta enviada")));
                    env.changed();
                }
                Err(e) => self.answer_notice = Some((k, Notice::of_error(&e))),
            }
        }
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let m = env.market.clone();
        let who = s.clone();
        self.data
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || {
                    let list = m.my_publications(&who)?;
                    let (_, received) = m.my_conversations(&who)?;
                    let blocked = m.block_reasons(BlockTarget::Publication)?;
                    let mine: std::collections::HashSet<u64> = list.iter().map(|p| p.id).collect();
                    let blocked = blocked
                        .into_iter()
                        .filter(|(id, _)| mine.contains(id))
                        .collect();
                    Ok(Mine {
                        list,
                        received,
                        blocked,
                    })
                }
            });
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Mis publicaciones");
                    if self.data.loading() {
                        ui.spinner();
                    }
                });
                if let Some(e) = &self.data.error {
                    bad_text(ui, e);
                }
                if self.form.is_none() && ui.button("Publicar un artículo nuevo").clicked() {
                    self.form = Some(PubForm::default());
                    self.notice = None;
                }
                notice_ui(ui, &mut self.notice);
                if let Some(f) = &mut self.form {
                    let mut close = false;
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        let (done, cancel) = f.ui(ui, env);
                        if let Some(id) = done {
                            self.notice = Some(Notice::good(if f.editing.is_some() {
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
}
