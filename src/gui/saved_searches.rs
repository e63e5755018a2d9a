//! «Búsquedas guardadas»: the searches a user follows (category, filters and words), each with
//! how many results it has and how many are new since the user last opened it; opening one
//! shows its results in Explorar. New listings that match also arrive in «Novedades». In Explorar, «Guardar
//! esta búsqueda» saves the filters shown.

use egui::{RichText, Ui};

use super::env::{Env, Nav, Tab};
use super::jobs::Job;
use super::listings::{action_notice, keep_user_list, list_top};
use super::loaded::Loaded;
use super::notice::{Notice, notice_ui};
use super::screen::Screen;
use crate::domain::catalog::BrowseFilter;
use crate::domain::saved_searches::{NEW_RESULTS_COUNTED, SavedSearchView, SearchSpec};
use crate::domain::{DResult, Market};

/// Explorar's «Guardar esta búsqueda».
#[derive(Default)]
pub struct SaveSearchButton {
    job: Job<DResult<u64>>,
    pub notice: Option<Notice>,
}

impl SaveSearchButton {
    pub fn poll(&mut self, env: &mut Env) {
        if let Some(r) = self.job.poll() {
            self.notice = Some(match r {
                Ok(_) => {
                    env.changed();
                    Notice::good(
                        "búsqueda guardada: lo nuevo que publiquen le llegará a «Novedades»",
                    )
                }
                Err(e) => Notice::of_error(&e),
            });
        }
    }

    /// The button (for a logged-in user who is not the administration) for `filter`.
    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env, filter: &BrowseFilter) {
        let Some(s) = env.session.clone() else { return };
        if s.admin {
            return;
        }
        if ui
            .add_enabled(
                !self.job.running(),
                egui::Button::new("Guardar esta búsqueda"),
            )
            .on_hover_text("Le avisamos en «Novedades» cuando publiquen algo que coincida")
            .clicked()
        {
            let spec = SearchSpec {
                category: filter.category,
                kind: filter.kind,
                province: filter.province,
                min_price: filter.min_price,
                max_price: filter.max_price,
                words: filter.search.clone().unwrap_or_default(),
            };
            let m = env.market.clone();
            self.job.start(ui.ctx(), move || m.save_search(&s, spec));
        }
    }

    pub fn notice_ui(&mut self, ui: &mut Ui) {
        notice_ui(ui, &mut self.notice);
    }
}

/// The list of saved searches; «Ver resultados» opens one in Explorar (its results a page at
/// a time, like any search there).
#[derive(Default)]
pub struct SavedSearchesScreen {
    list: Loaded<Vec<SavedSearchView>, u64>,
    open_job: Job<DResult<BrowseFilter>>,
    delete: Job<DResult<()>>,
    pub notice: Option<Notice>,
}

impl SavedSearchesScreen {
    pub const TAB: Tab = Tab("busquedas");

    pub fn list(&self) -> &[SavedSearchView] {
        self.list.get().map_or(&[], |v| v.as_slice())
    }
}

impl Screen for SavedSearchesScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        (env.session.as_ref().is_some_and(|s| !s.admin)).then(|| "Búsquedas guardadas".into())
    }

    fn poll(&mut self, _ctx: &egui::Context, env: &mut Env) {
        self.list.poll();
        if let Some(r) = self.open_job.poll() {
            match r {
                Ok(f) => {
                    env.changed();
                    env.nav(Nav::Browse(f));
                }
                Err(e) => self.notice = Some(Notice::of_error(&e)),
            }
        }
        if let Some(r) = self.delete.poll() {
            action_notice(r, "búsqueda borrada", env, &mut self.notice);
        }
    }

    fn reset(&mut self) {
        *self = SavedSearchesScreen::default();
    }

    fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let Some(s) = keep_user_list(ui, env, &mut self.list, Market::saved_searches) else {
            return;
        };
        let busy = self.list.loading() || self.open_job.running();
        let Some(list) = list_top(
            ui,
            "Búsquedas guardadas",
            &self.list,
            busy,
            &mut self.notice,
            "No tiene búsquedas guardadas. En «Explorar», elija una categoría o escriba qué busca y use «Guardar esta búsqueda»: cada publicación nueva que coincida le llegará a «Novedades».",
        ) else {
            return;
        };
        let (mut open, mut delete) = (None, None);
        egui::Grid::new("busquedas-guardadas")
            .striped(true)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for b in &list {
                    ui.label(RichText::new(&b.description).strong());
                    ui.label(format!(
                        "{} a la venta",
                        crate::domain::phrases::counted(b.results, "publicación", "publicaciones")
                    ));
                    if b.new_results > 0 {
                        ui.label(
                            RichText::new(match b.new_results {
                                1 => "1 nueva".to_string(),
                                n if n > NEW_RESULTS_COUNTED => {
                                    format!("más de {NEW_RESULTS_COUNTED} nuevas")
                                }
                                n => format!("{n} nuevas"),
                            })
                            .color(super::notice::good_color(ui))
                            .strong(),
                        );
                    } else {
                        ui.label(RichText::new("nada nuevo").weak());
                    }
                    if ui
                        .add_enabled(
                            !self.open_job.running(),
                            egui::Button::new("Ver resultados"),
                        )
                        .on_hover_text("En «Explorar», con sus filtros y palabras")
                        .clicked()
                    {
                        open = Some(b.number);
                    }
                    if ui
                        .add_enabled(!self.delete.running(), egui::Button::new("Borrar"))
                        .clicked()
                    {
                        delete = Some(b.number);
                    }
                    ui.end_row();
                }
            });
        if let Some(n) = open {
            let (m, s) = (env.market.clone(), s.clone());
            self.open_job
                .start(ui.ctx(), move || m.open_saved_search(&s, n));
        }
        if let Some(n) = delete {
            let m = env.market.clone();
            self.delete
                .start(ui.ctx(), move || m.delete_saved_search(&s, n));
        }
    }
}
