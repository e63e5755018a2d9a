//! The [`Screen`] trait: what the window needs of each screen, so that adding one is writing
//! its file and listing it once in [`super::shell::screens`].

use std::any::Any;

use egui::Ui;

use super::env::{Env, Tab};

pub trait Screen: Any {
    /// The screen's name, for [`super::env::Nav`].
    fn tab(&self) -> Tab;

    /// The label of its button in the top bar for who is logged in (`None`: no button, as for
    /// a publication's page or the administration for a user).
    fn label(&self, env: &Env) -> Option<String>;

    /// Whether only a logged-in user sees it (a visitor gets the log-in screen instead).
    fn needs_session(&self) -> bool {
        true
    }

    /// Takes the results of its background work; called every frame, shown or not (a screen
    /// left while it worked finds them when it comes back).
    fn poll(&mut self, _ctx: &egui::Context, _env: &mut Env) {}

    fn ui(&mut self, ui: &mut Ui, env: &mut Env);

    /// The session changed (log-in, log-out): forget everything of the previous user.
    fn reset(&mut self);

    /// Shown (from a button or a link): focus its first field.
    fn entered(&mut self) {}

    /// Shown on one of its items (a publication, an invoice).
    fn open(&mut self, _item: u64) {}
}
