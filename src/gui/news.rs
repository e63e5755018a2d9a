//! «Novedades»: what happened to the user — questions on their listings, answers to their
//! questions, sales, ratings, commissions, blocks, new listings for their saved searches — with
//! the count of unseen ones as a badge in the top bar. The count follows other terminals (it is
//! read again whenever the share changes); opening the list marks everything seen, on every
//! terminal, while this visit still shows which were new.

use std::collections::HashSet;

use egui::{Color32, RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::loaded::Loaded;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::screen::Screen;
use super::widgets::datetime;
use crate::domain::DResult;
use crate::domain::news::{NewsKind, NewsList};

const BADGE: Color32 = Color32::from_rgb(0xd6, 0x2f, 0x2f);
const SHOWN: usize = 200;

#[derive(Default)]
pub struct NewsScreen {
    unseen: Loaded<u64, u64>,
    list: Loaded<NewsList, u64>,
    /// The items that were unseen when this visit began (they stay highlighted).
    new_here: HashSet<u64>,
    visiting: bool,
    mark: Job<DResult<()>>,
}

impl NewsScreen {
    pub const TAB: Tab = Tab("novedades");

    /// Unseen news of the logged-in user, as last read.
    pub fn unseen(&self) -> Option<u64> {
        self.unseen.get().copied()
    }

    /// The list as last read.
    pub fn list(&self) -> Option<&NewsList> {
        self.list.get()
    }
}

/// The badge of the top bar: the number of unseen news, in red. Returns its response.
pub fn badge_ui(ui: &mut Ui, unseen: u64) -> egui::Response {
    let text = if unseen == 1 {
        "1 novedad".to_string()
    } else {
        format!("{unseen} novedades")
    };
    ui.add(
        egui::Button::new(RichText::new(text).color(Color32::WHITE).strong())
            .fill(BADGE)
            .corner_radius(10.0),
    )
    .on_hover_text("Ver las novedades")
}

fn kind_mark(k: NewsKind) -> &'static str {
    match k {
        NewsKind::Question => "Pregunta",
        NewsKind::Answer => "Respuesta",
        NewsKind::Sale => "Venta",
        NewsKind::Rated => "Calificación",
        NewsKind::Commission => "Comisión",
        NewsKind::Blocked => "Bloqueo",
        NewsKind::Unblocked => "Desbloqueo",
        NewsKind::SavedSearch => "Búsqueda guardada",
    }
}

impl Screen for NewsScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        let s = env.session.as_ref()?;
        if s.admin {
            return None;
        }
        Some(match self.unseen() {
            Some(n) if n > 0 => format!("Novedades ({n})"),
            _ => "Novedades".into(),
        })
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut Env) {
        self.unseen.poll();
        if self.list.poll()
            && self.visiting
            && let Some(l) = self.list.get()
        {
            // The first list of this visit says what was new; then it is all seen.
            if self.new_here.is_empty() {
                self.new_here = l
                    .items
                    .iter()
                    .filter(|n| !n.seen)
                    .map(|n| n.number)
                    .collect();
            }
            if l.unseen > 0
                && !self.mark.running()
                && let Some(s) = env.session.clone()
            {
                let upto = l.items.first().map(|n| n.number);
                let m = env.market.clone();
                self.mark.start(ctx, move || m.mark_news_seen(&s, upto));
            }
        }
        if let Some(r) = self.mark.poll()
            && r.is_ok()
        {
            env.changed();
        }
        // The badge's count, kept fresh on every screen (one small read when the share moved).
        if let Some(s) = env.session.clone()
            && !s.admin
        {
            let m = env.market.clone();
            self.unseen.keep_fresh(ctx, env.generation, s.user_id, |_| {
                move || m.unseen_news(&s)
            });
        }
    }

    fn reset(&mut self) {
        *self = NewsScreen::default();
    }

    fn entered(&mut self) {
        self.visiting = true;
        self.new_here.clear();
        self.list = Loaded::default();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = env.session.clone() else { return };
        let m = env.market.clone();
        self.list
            .keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
                move || m.news(&s, SHOWN)
            });
        ui.horizontal(|ui| {
            ui.heading("Novedades");
            if self.list.loading() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.list.error {
            bad_text(ui, e);
        }
        let Some(list) = self.list.get() else { return };
        let items = list.items.clone();
        if items.is_empty() {
            ui.label("Todavía no hay novedades. Aquí verá las preguntas a sus publicaciones, las respuestas a sus preguntas, sus ventas y calificaciones, y lo nuevo de sus búsquedas guardadas.");
            return;
        }
        let new = self.new_here.len();
        ui.label(if new > 0 {
            format!("{new} nuevas desde su última visita.")
        } else {
            "Nada nuevo desde su última visita.".into()
        });
        ui.separator();
        let mut open = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for n in &items {
                    let fresh = self.new_here.contains(&n.number);
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal_wrapped(|ui| {
                            if fresh {
                                ui.label(RichText::new("Nueva").color(BADGE).strong());
                            }
                            ui.label(RichText::new(kind_mark(n.kind)).strong());
                            ui.label(RichText::new(datetime(n.time_ms)).weak());
                        });
                        let text = RichText::new(&n.message);
                        ui.add(egui::Label::new(if fresh { text.strong() } else { text }).wrap());
                        if n.publication != 0 && ui.link(format!("Ver «{}»", n.title)).clicked() {
                            open = Some(n.publication);
                        }
                    });
                }
            });
        if let Some(id) = open {
            env.nav(Nav::Open(PublicationScreen::TAB, id));
        }
    }
}
