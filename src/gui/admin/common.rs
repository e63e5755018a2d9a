//! Pieces the administrator's panels share, over the window's one framework: starting a
//! share operation as the administrator, labelled inputs, a row of section tabs, figures.

use egui::{Color32, Ui};

use crate::domain::{DResult, Market, Session};
use crate::gui::env::Env;
use crate::gui::jobs::Job;

pub use crate::gui::widgets::inline_field as field;

/// A share operation of a panel: the window's [`Job`], whose error is the domain's message.
pub type Task<T> = Job<Result<T, String>>;

/// Starting a [`Task`] as the administrator logged in.
pub trait RunAsAdmin<T> {
    /// Runs `f(market, session)` on a worker thread (nothing when no one is logged in).
    fn run(
        &mut self,
        ctx: &egui::Context,
        env: &Env,
        f: impl FnOnce(&Market, &Session) -> DResult<T> + Send + 'static,
    );
}

impl<T: Send + 'static> RunAsAdmin<T> for Task<T> {
    fn run(
        &mut self,
        ctx: &egui::Context,
        env: &Env,
        f: impl FnOnce(&Market, &Session) -> DResult<T> + Send + 'static,
    ) {
        let Some(s) = env.session.clone() else { return };
        let m = env.market.clone();
        self.start(ctx, move || f(&m, &s).map_err(|e| e.to_string()));
    }
}

/// A row of selectable tabs; returns true when the selection changed.
pub fn tabs<T: PartialEq + Copy>(ui: &mut Ui, current: &mut T, options: &[(T, &str)]) -> bool {
    let before = *current;
    ui.horizontal_wrapped(|ui| {
        for (v, label) in options {
            ui.selectable_value(current, *v, *label);
        }
    });
    *current != before
}

/// A spinner with a short text while a job runs.
pub fn busy(ui: &mut Ui, text: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(text);
    });
}

/// "12.34" from a float with two decimals (figures of the dispersion test).
pub fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

/// Bars filled with `color` (egui_plot's default fill is nearly transparent).
pub fn solid(bars: Vec<egui_plot::Bar>, color: Color32) -> Vec<egui_plot::Bar> {
    bars.into_iter()
        .map(|b| {
            b.fill(color.linear_multiply(0.75))
                .stroke(egui::Stroke::new(1.0, color))
        })
        .collect()
}
