//! The questions and answers of a listing's page, in public as buyers expect: everyone —
//! visitors too — reads every question, newest first, with the asker's first name; a user asks
//! at the top; the seller answers any question right under it, in any order.

use std::collections::HashMap;

use egui::{Id, RichText, TextEdit, Ui};

use super::env::{Env, Nav};
use super::jobs::Job;
use super::notice::{Notice, keyed_notice_ui, notice_ui};
use super::visitor::{LoginScreen, RegisterScreen};
use super::widgets::{ctrl_enter, datetime};

/// "Para preguntar, inicie sesión o cree una cuenta." for a visitor, the two as links (the
/// period and the comma against the words, as written).
pub fn sign_in_line(ui: &mut Ui, env: &mut Env, lead: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        ui.label(format!("{lead}, "));
        if ui.link("inicie sesión").clicked() {
            env.nav(Nav::Show(LoginScreen::TAB));
        }
        ui.label(" o ");
        if ui.link("cree una cuenta").clicked() {
            env.nav(Nav::Show(RegisterScreen::TAB));
        }
        ui.label(".");
    });
}
use crate::domain::DResult;
use crate::domain::permissions::{ListingActions, why};
use crate::domain::shop::PublicQuestion;

#[derive(Default)]
pub struct QuestionsUi {
    pub question: String,
    ask: Job<DResult<u64>>,
    pub ask_notice: Option<Notice>,
    /// Answers being typed, by question id.
    answers: HashMap<u64, String>,
    answer_job: Job<(u64, DResult<u64>)>,
    answer_notice: Option<(u64, Notice)>,
}

impl QuestionsUi {
    /// Takes the results of asking and answering (every frame).
    pub fn poll(&mut self, env: &mut Env) {
        if let Some(r) = self.ask.poll() {
            match r {
                Ok(_) => {
                    self.question.clear();
                    self.ask_notice = Some(Notice::good(
                        "pregunta enviada; quien vende la verá enseguida",
                    ));
                    env.changed();
                }
                Err(e) => self.ask_notice = Some(Notice::of_error(&e)),
            }
        }
        if let Some((q, r)) = self.answer_job.poll() {
            match r {
                Ok(_) => {
                    self.answers.remove(&q);
                    self.answer_notice = Some((q, Notice::good("respuesta enviada")));
                    env.changed();
                }
                Err(e) => self.answer_notice = Some((q, Notice::of_error(&e))),
            }
        }
    }

    /// The section: the question box (or how to get one), then every question.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        env: &mut Env,
        publication: u64,
        questions: &[PublicQuestion],
        a: &ListingActions,
    ) {
        ui.heading(format!("Preguntas y respuestas ({})", questions.len()));
        match env.session.clone() {
            None => {
                sign_in_line(ui, env, "Para preguntar");
            }
            Some(s) if a.answer.is_err() => {
                let open = a.ask.is_ok();
                let l = ui.label("Su pregunta");
                let id = Id::unique(("pregunta", publication));
                let mut send = open && ctrl_enter(ui, id);
                let r = ui
                    .add_enabled(
                        open,
                        TextEdit::multiline(&mut self.question)
                            .id(id)
                            .hint_text("Enter agrega una línea; Ctrl+Enter envía la pregunta")
                            .desired_rows(2)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(l.id);
                if r.changed() {
                    self.ask_notice = None;
                }
                ui.horizontal_wrapped(|ui| {
                    let r =
                        ui.add_enabled(open && !self.ask.running(), egui::Button::new("Preguntar"));
                    send |= r.clicked();
                    if let Some(w) = why(&a.ask) {
                        r.on_disabled_hover_text(w);
                        ui.label(RichText::new(format!("No se puede preguntar: {w}.")).weak());
                    } else {
                        ui.label(
                            RichText::new(
                                "Todos verán su pregunta y la respuesta, con su nombre de pila.",
                            )
                            .weak(),
                        );
                    }
                    if self.ask.running() {
                        ui.spinner();
                    }
                });
                if send && !self.ask.running() {
                    let (m, q) = (env.market.clone(), self.question.clone());
                    self.ask.start(ui.ctx(), move || m.ask(&s, publication, &q));
                }
                notice_ui(ui, &mut self.ask_notice);
            }
            Some(_) => {
                let open = questions.iter().filter(|q| q.answer.is_none()).count();
                ui.label(if open == 0 {
                    "Respondió todas las preguntas.".to_string()
                } else {
                    format!("Tiene {open} sin responder: respóndalas aquí, en el orden que quiera.")
                });
            }
        }
        ui.add_space(6.0);
        if questions.is_empty() {
            ui.label(RichText::new("Nadie preguntó todavía.").weak());
        }
        for q in questions {
            self.question_ui(ui, env, publication, q, a);
        }
    }

    fn question_ui(
        &mut self,
        ui: &mut Ui,
        env: &mut Env,
        publication: u64,
        q: &PublicQuestion,
        a: &ListingActions,
    ) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&q.asker).strong());
                ui.label(
                    RichText::new(format!(
                        "preguntó el {}{}",
                        datetime(q.asked_ms),
                        if q.mine { " (usted)" } else { "" }
                    ))
                    .weak(),
                );
            });
            ui.add(egui::Label::new(&q.question).wrap());
            match (&q.answer, q.answered_ms) {
                (Some(ans), Some(t)) => {
                    ui.horizontal_wrapped(|ui| {
                        ui.add_space(16.0);
                        ui.add(
                            egui::Label::new(RichText::new(format!("Respuesta: {ans}")).italics())
                                .wrap(),
                        );
                        ui.label(RichText::new(datetime(t)).weak());
                    });
                }
                _ if a.answer.is_ok() => {
                    let Some(s) = env.session.clone() else { return };
                    let text = self.answers.entry(q.id).or_default();
                    let l = ui.label(format!(
                        "Respuesta a la pregunta de {} (Ctrl+Enter la envía)",
                        q.asker
                    ));
                    let id = Id::unique(("respuesta-publica", q.id));
                    let mut send = ctrl_enter(ui, id);
                    let r = ui
                        .add(
                            TextEdit::multiline(text)
                                .id(id)
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
                        let (m, qid, ans) = (env.market.clone(), q.id, text.clone());
                        self.answer_job.start(ui.ctx(), move || {
                            (qid, m.answer_question(&s, publication, qid, &ans))
                        });
                    }
                }
                _ => {
                    ui.label(RichText::new("(sin respuesta todavía)").weak());
                }
            }
            keyed_notice_ui(ui, &mut self.answer_notice, &q.id);
        });
    }
}
