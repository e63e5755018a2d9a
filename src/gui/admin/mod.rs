//! The administrator's panels, one screen of the window behind a tab bar: categories, users,
//! publications and conversations, the event log, the state of the ME (AVL trees, hash
//! dispersion) and the share's check.
//!
//! Each panel keeps its state apart from its drawing (`XxxPanel { … }` with a `ui` method) and
//! reads or writes the share only through the window's jobs, so a slow share never freezes the
//! window; it reloads with the window's one change watcher ([`Env::generation`]). Every
//! listing can be exported to CSV or text.

pub mod categories;
pub mod check;
pub mod common;
pub mod dispersion;
pub mod events;
pub mod install;
pub mod publications;
pub mod reports;
pub mod trees;
pub mod users;

use crate::gui::env::{Env, Tab};
use crate::gui::screen::Screen;

/// The tabs of the administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTab {
    Categories,
    Users,
    Publications,
    Events,
    Trees,
    Dispersion,
    Check,
    Install,
}

impl AdminTab {
    pub const ALL: [(AdminTab, &'static str); 8] = [
        (AdminTab::Categories, "Categorías"),
        (AdminTab::Users, "Usuarios"),
        (AdminTab::Publications, "Publicaciones y conversaciones"),
        (AdminTab::Events, "Registro de eventos"),
        (AdminTab::Trees, "Árboles"),
        (AdminTab::Dispersion, "Dispersión del hash"),
        (AdminTab::Check, "Revisión de la carpeta"),
        (AdminTab::Install, "Programa y accesos directos"),
    ];
}

/// Every administrator panel, behind a tab bar.
pub struct AdminScreen {
    pub tab: AdminTab,
    pub categories: categories::CategoriesPanel,
    pub users: users::UsersPanel,
    pub publications: publications::PublicationsPanel,
    pub events: events::EventsPanel,
    pub trees: trees::TreesPanel,
    pub dispersion: dispersion::DispersionPanel,
    pub check: check::CheckPanel,
    pub install: install::InstallPanel,
}

impl Default for AdminScreen {
    fn default() -> Self {
        AdminScreen {
            tab: AdminTab::Categories,
            categories: Default::default(),
            users: Default::default(),
            publications: Default::default(),
            events: Default::default(),
            trees: Default::default(),
            dispersion: Default::default(),
            check: Default::default(),
            install: Default::default(),
        }
    }
}

impl AdminScreen {
    pub const TAB: Tab = Tab("administracion");
}

impl Screen for AdminScreen {
    fn tab(&self) -> Tab {
        Self::TAB
    }

    fn label(&self, env: &Env) -> Option<String> {
        env.is_admin().then(|| "Administración".into())
    }

    fn reset(&mut self) {
        *self = AdminScreen::default();
    }

    fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env) {
        if !env.is_admin() {
            ui.label("Solo la administración ve esta sección.");
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new("Administración").strong());
            ui.separator();
            for (tab, label) in AdminTab::ALL {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        ui.separator();
        match self.tab {
            AdminTab::Categories => self.categories.ui(ui, env),
            AdminTab::Users => self.users.ui(ui, env),
            AdminTab::Publications => self.publications.ui(ui, env),
            AdminTab::Events => self.events.ui(ui, env),
            AdminTab::Trees => self.trees.ui(ui, env),
            AdminTab::Dispersion => self.dispersion.ui(ui, env),
            AdminTab::Check => self.check.ui(ui, env),
            AdminTab::Install => self.install.ui(ui, env),
        }
    }
}
