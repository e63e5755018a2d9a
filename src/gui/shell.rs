//! The window on an opened share: the screens ([`screens`], the one list of them), the top
//! bar with their buttons, the status bar, and the background work every screen relies on —
//! the change watcher (live updates across terminals), the heartbeat of a logged-in user, the
//! user's data and the categories.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::account::AccountScreen;
use super::admin::AdminScreen;
use super::browse::BrowseScreen;
use super::env::{Env, Nav, Tab};
use super::invoices::InvoicesScreen;
use super::jobs::Job;
use super::my_publications::MyPublicationsScreen;
use super::notice::bad_text;
use super::publication::PublicationScreen;
use super::purchases::PurchasesScreen;
use super::screen::Screen;
use super::version_banner::VersionBanner;
use super::visitor::{LoginScreen, RegisterScreen};
use super::wallet::WalletScreen;
use super::watch::ChangeWatcher;
use super::widgets::money;
use crate::domain::account::UserView;
use crate::domain::catalog::CategoryView;
use crate::domain::{DResult, DomainError, Market, Session};

/// How often a logged-in terminal refreshes its user's "last seen".
pub const HEARTBEAT_SECONDS: f64 = 60.0;

/// Every screen of the window, in the order of the top bar. Adding a screen is writing its
/// file (with `impl Screen`) and listing it here.
pub fn screens() -> Vec<Box<dyn Screen>> {
    vec![
        Box::new(BrowseScreen::default()),
        Box::new(LoginScreen::default()),
        Box::new(RegisterScreen::default()),
        Box::new(PublicationScreen::default()),
        Box::new(MyPublicationsScreen::default()),
        Box::new(super::news::NewsScreen::default()),
        Box::new(super::favourites::FavouritesScreen::default()),
        Box::new(super::saved_searches::SavedSearchesScreen::default()),
        Box::new(PurchasesScreen::default()),
        Box::new(InvoicesScreen::default()),
        Box::new(WalletScreen::default()),
        Box::new(AccountScreen::default()),
        Box::new(AdminScreen::default()),
        Box::new(super::seller::SellerScreen::default()),
        Box::new(super::gallery::GalleryEditorScreen::default()),
    ]
}

pub struct MarketUi {
    pub env: Env,
    /// The screen shown.
    pub tab: Tab,
    /// The screen a publication's page was opened from (its "Volver" goes there).
    pub back: Tab,
    screens: Vec<Box<dyn Screen>>,
    watcher: ChangeWatcher,
    admin_default_password: bool,
    admin_pw_job: Job<DResult<bool>>,
    admin_pw_gen: Option<u64>,
    me_job: Job<DResult<UserView>>,
    me_gen: Option<u64>,
    cats_job: Job<DResult<Vec<CategoryView>>>,
    cats_gen: Option<u64>,
    heartbeat_job: Job<DResult<()>>,
    next_heartbeat: f64,
    logout_job: Job<DResult<()>>,
    share_error: Option<String>,
    /// Says so when a newer program owns the share (issue 15).
    pub version: VersionBanner,
}

impl MarketUi {
    pub fn new(market: Arc<Market>) -> MarketUi {
        let mut screens = screens();
        for s in &mut screens {
            s.entered();
        }
        MarketUi {
            env: Env::new(market),
            tab: BrowseScreen::TAB,
            back: BrowseScreen::TAB,
            screens,
            watcher: ChangeWatcher::default(),
            admin_default_password: false,
            admin_pw_job: Job::default(),
            admin_pw_gen: None,
            me_job: Job::default(),
            me_gen: None,
            cats_job: Job::default(),
            cats_gen: None,
            heartbeat_job: Job::default(),
            next_heartbeat: f64::INFINITY,
            logout_job: Job::default(),
            share_error: None,
            version: VersionBanner::default(),
        }
    }

    pub fn session(&self) -> Option<&Session> {
        self.env.session.as_ref()
    }

    /// The screen of type `S` (tests read what it shows).
    pub fn screen<S: Screen>(&mut self) -> Option<&mut S> {
        self.screens.iter_mut().find_map(|s| {
            let s: &mut dyn std::any::Any = s.as_mut();
            s.downcast_mut::<S>()
        })
    }

    /// Logs `s` in as if through the log-in screen (tests, and a share opened for a user).
    pub fn log_in(&mut self, s: Session, ctx: &egui::Context) {
        self.apply(Nav::LoggedIn(s), ctx);
    }

    /// Shows the screen named `tab`.
    pub fn show(&mut self, tab: Tab, ctx: &egui::Context) {
        self.apply(Nav::Show(tab), ctx);
    }

    /// Opens item `item` (a publication, a seller…) on the screen named `tab`.
    pub fn open(&mut self, tab: Tab, item: u64, ctx: &egui::Context) {
        self.apply(Nav::Open(tab, item), ctx);
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.background(&ctx);
        for s in &mut self.screens {
            s.poll(&ctx, &mut self.env);
        }
        egui::Panel::top("barra-superior").show(ui, |ui| self.top_bar(ui));
        if self.version.visible() {
            let market = self.env.market.clone();
            egui::Panel::top("version").show(ui, |ui| self.version.ui(ui, &market));
        }
        egui::Panel::bottom("barra-de-estado").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.env.thumbs.pump(&ctx);
        for n in self.env.take_navs() {
            self.apply(n, &ctx);
        }
    }

    /// Logs out (on a worker thread; the window does not wait).
    pub fn logout(&mut self, ctx: &egui::Context) {
        if let Some(s) = self.env.session.clone() {
            let m = self.env.market.clone();
            self.logout_job.start(ctx, move || m.logout(&s));
        }
        self.apply(Nav::LoggedOut(None), ctx);
    }

    fn background(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        self.watcher.pump(ctx, &mut self.env);
        let generation = self.env.generation;
        self.version.pump(ctx, &self.env.market, generation);
        // Categories (every screen's filters and forms).
        if let Some(r) = self.cats_job.poll() {
            match r {
                Ok(c) => self.env.categories = c,
                Err(e) => self.share_error = Some(e.to_string()),
            }
        }
        if self.cats_gen != Some(generation) && !self.cats_job.running() {
            self.cats_gen = Some(generation);
            let m = self.env.market.clone();
            self.cats_job.start(ctx, move || m.categories());
        }
        // The user's data: a block or a deletion in another terminal ends the session here.
        if let Some(r) = self.me_job.poll() {
            match r {
                Ok(u) => self.env.me = Some(u),
                Err(e) => self.session_failed(e, ctx),
            }
        }
        if let Some(s) = self.env.session.clone()
            && self.me_gen != Some(generation)
            && !self.me_job.running()
        {
            self.me_gen = Some(generation);
            let m = self.env.market.clone();
            self.me_job.start(ctx, move || m.me(&s));
        }
        // The heartbeat.
        if let Some(Err(e)) = self.heartbeat_job.poll() {
            self.session_failed(e, ctx);
        }
        if let Some(s) = self.env.session.clone()
            && now >= self.next_heartbeat
            && !self.heartbeat_job.running()
        {
            self.next_heartbeat = now + HEARTBEAT_SECONDS;
            let m = self.env.market.clone();
            self.heartbeat_job.start(ctx, move || m.heartbeat(&s));
        }
        // The administrator's default password.
        if let Some(r) = self.admin_pw_job.poll() {
            self.admin_default_password = r.unwrap_or(false);
        }
        if self.env.is_admin()
            && (self.admin_pw_gen.is_none() || self.admin_default_password)
            && self.admin_pw_gen != Some(generation)
            && !self.admin_pw_job.running()
        {
            self.admin_pw_gen = Some(generation);
            let m = self.env.market.clone();
            self.admin_pw_job
                .start(ctx, move || m.admin_has_default_password());
        }
        let _ = self.logout_job.poll();
    }

    /// A user operation failed: a refusal (blocked, deleted) ends the session; a busy or
    /// unreachable share is only reported.
    fn session_failed(&mut self, e: DomainError, ctx: &egui::Context) {
        match e {
            DomainError::Denied(m) | DomainError::NotFound(m) => {
                self.apply(Nav::LoggedOut(Some(m)), ctx);
            }
            other => self.share_error = Some(other.to_string()),
        }
    }

    fn find(&mut self, tab: Tab) -> Option<&mut Box<dyn Screen>> {
        self.screens.iter_mut().find(|s| s.tab() == tab)
    }

    fn apply(&mut self, n: Nav, ctx: &egui::Context) {
        match n {
            Nav::Show(t) => {
                if t == PublicationScreen::TAB {
                    // A page is only shown on a publication.
                    return;
                }
                self.back = t;
                if self.tab != t
                    && let Some(s) = self.find(t)
                {
                    s.entered();
                }
                self.tab = t;
            }
            Nav::Open(t, item) => {
                if t == PublicationScreen::TAB {
                    if self.tab != t {
                        self.back = self.tab;
                    }
                } else {
                    self.back = t;
                }
                if let Some(s) = self.find(t) {
                    s.open(item);
                    s.entered();
                }
                self.tab = t;
            }
            Nav::Browse(f) => {
                if let Some(b) = self.screen::<BrowseScreen>() {
                    b.show_filter(f);
                }
                self.apply(Nav::Show(BrowseScreen::TAB), ctx);
            }
            Nav::LoggedIn(s) => {
                self.env.session = Some(s);
                self.env.session_end = None;
                self.session_changed(ctx);
                self.next_heartbeat = ctx.input(|i| i.time) + HEARTBEAT_SECONDS;
                self.env.changed();
            }
            Nav::LoggedOut(why) => {
                self.env.session = None;
                self.next_heartbeat = f64::INFINITY;
                self.heartbeat_job.forget();
                let to_login = why.is_some();
                self.env.session_end = why;
                self.session_changed(ctx);
                if to_login {
                    self.tab = LoginScreen::TAB;
                }
            }
        }
    }

    /// Nothing of the previous user stays on screen (a shared terminal).
    fn session_changed(&mut self, _ctx: &egui::Context) {
        self.env.me = None;
        self.me_gen = None;
        self.me_job.forget();
        self.admin_default_password = false;
        self.admin_pw_gen = None;
        for s in &mut self.screens {
            s.reset();
            s.entered();
        }
        self.tab = BrowseScreen::TAB;
        self.back = BrowseScreen::TAB;
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        let unseen = self
            .screen::<super::news::NewsScreen>()
            .and_then(|n| n.unseen())
            .unwrap_or(0);
        ui.add_space(4.0);
        // First row: the name, and who is logged in with the way out (always reachable).
        ui.horizontal(|ui| {
            ui.label(RichText::new("VentaLibre").heading().strong());
            ui.with_layout(
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| match self.env.session.clone() {
                    None => {
                        ui.label("Visitante");
                    }
                    Some(s) => {
                        if ui.button("Salir").clicked() {
                            self.logout(ui.ctx());
                        }
                        if unseen > 0 && super::news::badge_ui(ui, unseen).clicked() {
                            self.env.nav(Nav::Show(super::news::NewsScreen::TAB));
                        }
                        let balance = self
                            .env
                            .me
                            .as_ref()
                            .map(|u| format!(" · saldo {}", money(u.balance_cents)))
                            .unwrap_or_default();
                        let who = format!(
                            "{}{}{balance}",
                            s.name,
                            if s.admin { " (administración)" } else { "" }
                        );
                        ui.add(egui::Label::new(who).truncate());
                    }
                },
            );
        });
        // Second row: the screens' buttons, wrapping on a narrow window.
        let lit = if self.tab == PublicationScreen::TAB {
            self.back
        } else {
            self.tab
        };
        let mut go = None;
        ui.horizontal_wrapped(|ui| {
            // The initial password first (issue 11): nothing but the account screen until the
            // administrator changes it.
            let only_account = self.must_change_password();
            for s in &self.screens {
                if only_account && s.tab() != AccountScreen::TAB {
                    continue;
                }
                if let Some(label) = s.label(&self.env)
                    && ui.selectable_label(lit == s.tab(), label).clicked()
                {
                    go = Some(s.tab());
                }
            }
        });
        if let Some(t) = go {
            self.env.nav(Nav::Show(t));
        }
        if self.must_change_password() {
            ui.add_space(2.0);
            bad_text(
                ui,
                "La cuenta de administración todavía tiene la clave inicial: antes de seguir, cámbiela aquí, en «Cambiar la clave».",
            );
        }
        ui.add_space(4.0);
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let color = ui.visuals().weak_text_color();
            ui.label(
                RichText::new(format!(
                    "Carpeta compartida: {}",
                    self.env.market.dir().display()
                ))
                .color(color),
            );
            if let Some(t) = &self.watcher.updated_at {
                ui.separator();
                ui.label(RichText::new(format!("datos al {t}")).color(color));
            }
            if let Some(e) = self.watcher.error.as_ref().or(self.share_error.as_ref()) {
                ui.separator();
                bad_text(ui, e);
            }
        });
    }

    /// The administrator still has the initial password: only the account screen is shown.
    fn must_change_password(&self) -> bool {
        self.env.is_admin() && self.admin_default_password
    }

    fn central(&mut self, ui: &mut Ui) {
        let logged = self.env.session.is_some();
        if self.must_change_password() {
            self.tab = AccountScreen::TAB;
        }
        let mut tab = self.tab;
        let needs = self.find(tab).is_none_or(|s| s.needs_session());
        if needs && !logged {
            tab = LoginScreen::TAB;
        }
        let back = self.back;
        if let Some(p) = self.screen::<PublicationScreen>() {
            p.back = back;
        }
        let env = &mut self.env;
        if let Some(s) = self.screens.iter_mut().find(|s| s.tab() == tab) {
            s.ui(ui, env);
        }
    }
}
