//! The administrator's panels (added to the window when an administrator logs in), behind a
//! tab bar: categories, users, publications and conversations, the event log, the state of
//! the ME (AVL trees, hash dispersion) and the share's check.
//!
//! Each panel keeps its state apart from its drawing (`XxxPanel { … }` with a `ui` method) and
//! reads or writes the share only through [`Job`]s on worker threads, so a slow share never
//! freezes the window. Every listing can be exported to CSV or printed to a text file.

pub mod categories;
pub mod check;
pub mod common;
pub mod dispersion;
pub mod events;
pub mod publications;
pub mod reports;
pub mod trees;
pub mod users;

use std::sync::Arc;

use crate::domain::{Market, Session};
use crate::gui::task::Task;
use common::Env;
pub use common::Job;

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
}

impl AdminTab {
    pub const ALL: [(AdminTab, &'static str); 7] = [
        (AdminTab::Categories, "Categorías"),
        (AdminTab::Users, "Usuarios"),
        (AdminTab::Publications, "Publicaciones y conversaciones"),
        (AdminTab::Events, "Registro de eventos"),
        (AdminTab::Trees, "Árboles AVL"),
        (AdminTab::Dispersion, "Dispersión del hash"),
        (AdminTab::Check, "Revisión de la carpeta"),
    ];
}

/// How often the share's change counter is read to notice other terminals' changes.
const WATCH_SECS: f64 = 3.0;

/// Every administrator panel, behind a tab bar.
pub struct AdminPanels {
    pub market: Arc<Market>,
    pub session: Session,
    pub tab: AdminTab,
    env: Env,
    pub categories: categories::CategoriesPanel,
    pub users: users::UsersPanel,
    pub publications: publications::PublicationsPanel,
    pub events: events::EventsPanel,
    pub trees: trees::TreesPanel,
    pub dispersion: dispersion::DispersionPanel,
    pub check: check::CheckPanel,
    watch: Option<Task<Option<u64>>>,
    last_counter: Option<u64>,
    next_watch: f64,
}

impl AdminPanels {
    pub fn new(market: Arc<Market>, session: Session) -> AdminPanels {
        AdminPanels {
            env: Env::new(market.clone(), session.clone()),
            market,
            session,
            tab: AdminTab::Categories,
            categories: Default::default(),
            users: Default::default(),
            publications: Default::default(),
            events: Default::default(),
            trees: Default::default(),
            dispersion: Default::default(),
            check: Default::default(),
            watch: None,
            last_counter: None,
            next_watch: 0.0,
        }
    }

    /// Synchronous mode: every share operation finishes within the frame that starts it (for
    /// tests; the window stays asynchronous). Other terminals' changes are then not watched.
    pub fn synchronous(mut self, on: bool) -> AdminPanels {
        self.env.sync = on;
        self
    }

    /// Changes of the share seen so far (panels reload when it moves).
    pub fn generation(&self) -> u64 {
        self.env.generation
    }

    /// Makes every panel reload what it shows.
    pub fn refresh(&mut self) {
        self.env.generation += 1;
    }

    /// Notices changes made by other terminals: reads the change counter on a worker thread
    /// every few seconds.
    fn watch(&mut self, ctx: &egui::Context) {
        if self.env.sync {
            return;
        }
        if let Some(t) = &mut self.watch
            && let Some(c) = t.poll()
        {
            self.watch = None;
            if let Some(c) = c {
                if self.last_counter.is_some_and(|l| l != c) {
                    self.env.generation += 1;
                }
                self.last_counter = Some(c);
            }
        }
        let now = ctx.input(|i| i.time);
        if self.watch.is_none() && now >= self.next_watch {
            self.next_watch = now + WATCH_SECS;
            let m = self.market.clone();
            self.watch = Some(Task::spawn(ctx, move || m.change_counter().ok()));
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(WATCH_SECS));
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if self.env.take_changed() {
            self.env.generation += 1;
        }
        self.watch(ui.ctx());
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new("Administración").strong());
            ui.separator();
            for (tab, label) in AdminTab::ALL {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        ui.separator();
        let env = &self.env;
        match self.tab {
            AdminTab::Categories => self.categories.ui(ui, env),
            AdminTab::Users => self.users.ui(ui, env),
            AdminTab::Publications => self.publications.ui(ui, env),
            AdminTab::Events => self.events.ui(ui, env),
            AdminTab::Trees => self.trees.ui(ui, env),
            AdminTab::Dispersion => self.dispersion.ui(ui, env),
            AdminTab::Check => self.check.ui(ui, env),
        }
    }
}
