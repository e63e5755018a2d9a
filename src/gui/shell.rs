//! The window on an opened share: the top bar with the sections, the status bar, and the
//! background work every screen relies on — polling the share's change counter (live updates
//! across terminals), the heartbeat of a logged-in user, the user's data and the categories.

use std::sync::Arc;
use std::time::Duration;

use egui::{RichText, Ui};

use super::account::AccountScreen;
use super::admin::AdminPanels;
use super::browse::BrowseScreen;
use super::common::{Job, Outcome, error_text, outcome};
use super::invoices::InvoicesScreen;
use super::my_publications::MyPublicationsScreen;
use super::publication::PublicationScreen;
use super::purchases::PurchasesScreen;
use super::thumbs::Thumbs;
use super::visitor::{LoginScreen, RegisterScreen};
use super::wallet::WalletScreen;
use crate::domain::account::UserView;
use crate::domain::catalog::CategoryView;
use crate::domain::{DResult, DomainError, Market, Session};

/// How often the change counter is read (one small read when nothing changed).
pub const POLL_SECONDS: f64 = 0.7;
/// How often a logged-in terminal refreshes its user's "last seen".
pub const HEARTBEAT_SECONDS: f64 = 60.0;

/// The sections of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Browse,
    Login,
    Register,
    Publication,
    MyPublications,
    Purchases,
    Invoices,
    Wallet,
    Account,
    Admin,
}

/// What a screen asks the window to do once the frame is drawn.
#[derive(Debug, Clone)]
pub enum Nav {
    Tab(Tab),
    Publication(u64),
    Invoice(u64),
    LoggedIn(Session),
    /// The session ended; the message says why when the user did not ask for it.
    LoggedOut(Option<String>),
}

/// What every screen shares: the market, who is logged in, and the share's generation (bumped
/// whenever the share changed, here or in another terminal; screens reload when it moves).
pub struct Env {
    pub market: Arc<Market>,
    pub session: Option<Session>,
    pub me: Option<UserView>,
    pub generation: u64,
    pub categories: Vec<CategoryView>,
    pub thumbs: Thumbs,
    navs: Vec<Nav>,
    poll_now: bool,
}

impl Env {
    pub fn nav(&mut self, n: Nav) {
        self.navs.push(n);
    }

    /// After this terminal changed the share: read the counter now instead of in 0.7 s.
    pub fn changed(&mut self) {
        self.poll_now = true;
    }

    pub fn is_admin(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.admin)
    }

    pub fn category_name(&self, key: u64) -> String {
        self.categories
            .iter()
            .find(|c| c.key == key)
            .map_or_else(|| format!("categoría {key}"), |c| c.name.clone())
    }
}

/// The screens of a logged-in user (made anew at each log-in, so nothing of the previous user
/// stays on screen).
#[derive(Default)]
pub struct UserScreens {
    pub my_publications: MyPublicationsScreen,
    pub purchases: PurchasesScreen,
    pub invoices: InvoicesScreen,
    pub wallet: WalletScreen,
    pub account: AccountScreen,
}

pub struct MarketUi {
    pub env: Env,
    pub tab: Tab,
    back: Tab,
    pub browse: BrowseScreen,
    pub login: LoginScreen,
    pub register: RegisterScreen,
    pub publication: Option<PublicationScreen>,
    pub user: UserScreens,
    admin: Option<AdminPanels>,
    admin_default_password: bool,
    admin_pw_job: Job<Outcome<bool>>,
    admin_pw_gen: Option<u64>,
    counter: Option<u64>,
    poll_job: Job<Outcome<u64>>,
    next_poll: f64,
    share_error: Option<String>,
    me_job: Job<DResult<UserView>>,
    me_gen: Option<u64>,
    cats_job: Job<Outcome<Vec<CategoryView>>>,
    cats_gen: Option<u64>,
    heartbeat_job: Job<DResult<()>>,
    next_heartbeat: f64,
    logout_job: Job<Outcome<()>>,
    updated_at: Option<String>,
}

impl MarketUi {
    pub fn new(market: Arc<Market>) -> MarketUi {
        let thumbs = Thumbs::new(market.clone());
        MarketUi {
            env: Env {
                market,
                session: None,
                me: None,
                generation: 0,
                categories: Vec::new(),
                thumbs,
                navs: Vec::new(),
                poll_now: true,
            },
            tab: Tab::Browse,
            back: Tab::Browse,
            browse: BrowseScreen::default(),
            login: LoginScreen::default(),
            register: RegisterScreen::default(),
            publication: None,
            user: UserScreens::default(),
            admin: None,
            admin_default_password: false,
            admin_pw_job: Job::default(),
            admin_pw_gen: None,
            counter: None,
            poll_job: Job::default(),
            next_poll: 0.0,
            share_error: None,
            me_job: Job::default(),
            me_gen: None,
            cats_job: Job::default(),
            cats_gen: None,
            heartbeat_job: Job::default(),
            next_heartbeat: f64::INFINITY,
            logout_job: Job::default(),
            updated_at: None,
        }
    }

    pub fn session(&self) -> Option<&Session> {
        self.env.session.as_ref()
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        self.background(ui.ctx());
        self.poll_screens(ui.ctx());
        egui::Panel::top("barra-superior").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("barra-de-estado").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.env.thumbs.pump(ui.ctx());
        let navs = std::mem::take(&mut self.env.navs);
        for n in navs {
            self.apply(n, ui.ctx());
        }
    }

    /// Every screen takes the results of its background work, shown or not (a screen left
    /// while it worked finds them when it comes back).
    fn poll_screens(&mut self, ctx: &egui::Context) {
        let env = &mut self.env;
        self.browse.poll(ctx, env);
        self.login.poll(ctx, env);
        self.register.poll(ctx, env);
        if let Some(p) = &mut self.publication {
            p.poll(ctx, env);
        }
        self.user.my_publications.poll(ctx, env);
        self.user.purchases.poll(ctx, env);
        self.user.invoices.poll(ctx, env);
        self.user.wallet.poll(ctx, env);
        self.user.account.poll(ctx, env);
    }

    /// Logs out (on a worker thread; the window does not wait).
    pub fn logout(&mut self, ctx: &egui::Context) {
        if let Some(s) = self.env.session.clone() {
            let m = self.env.market.clone();
            self.logout_job.start(ctx, move || outcome(m.logout(&s)));
        }
        self.apply(Nav::LoggedOut(None), ctx);
    }

    fn background(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        // The change counter.
        if let Some(r) = self.poll_job.poll() {
            match r {
                Ok(c) => {
                    if self.counter.is_some_and(|old| old != c) {
                        self.env.generation += 1;
                    }
                    if self.counter != Some(c) {
                        self.updated_at = Some(chrono::Local::now().format("%H:%M:%S").to_string());
                    }
                    self.counter = Some(c);
                    self.share_error = None;
                }
                Err(e) => self.share_error = Some(e),
            }
        }
        if !self.poll_job.running() && (self.env.poll_now || now >= self.next_poll) {
            self.env.poll_now = false;
            self.next_poll = now + POLL_SECONDS;
            let m = self.env.market.clone();
            self.poll_job
                .start(ctx, move || outcome(m.change_counter()));
        }
        ctx.request_repaint_after(Duration::from_secs_f64(POLL_SECONDS));
        // Categories (every screen's filters and forms).
        if let Some(r) = self.cats_job.poll() {
            match r {
                Ok(c) => self.env.categories = c,
                Err(e) => self.share_error = Some(e),
            }
        }
        if self.cats_gen != Some(self.env.generation) && !self.cats_job.running() {
            self.cats_gen = Some(self.env.generation);
            let m = self.env.market.clone();
            self.cats_job.start(ctx, move || outcome(m.categories()));
        }
        // The user's data: a block or a deletion in another terminal ends the session here.
        if let Some(r) = self.me_job.poll() {
            match r {
                Ok(u) => self.env.me = Some(u),
                Err(e) => self.session_failed(e, ctx),
            }
        }
        if let Some(s) = self.env.session.clone()
            && self.me_gen != Some(self.env.generation)
            && !self.me_job.running()
        {
            self.me_gen = Some(self.env.generation);
            let m = self.env.market.clone();
            self.me_job.start(ctx, move || m.me(&s));
        }
        // The heartbeat.
        if let Some(r) = self.heartbeat_job.poll()
            && let Err(e) = r
        {
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
            && self.admin_pw_gen != Some(self.env.generation)
            && !self.admin_pw_job.running()
        {
            self.admin_pw_gen = Some(self.env.generation);
            let m = self.env.market.clone();
            self.admin_pw_job
                .start(ctx, move || outcome(m.admin_has_default_password()));
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

    fn apply(&mut self, n: Nav, ctx: &egui::Context) {
        match n {
            Nav::Tab(t) => {
                if t != Tab::Publication {
                    self.back = t;
                }
                self.tab = t;
            }
            Nav::Publication(id) => {
                if self.tab != Tab::Publication {
                    self.back = self.tab;
                }
                self.publication = Some(PublicationScreen::new(id));
                self.tab = Tab::Publication;
            }
            Nav::Invoice(n) => {
                self.user.invoices.select(n);
                self.back = Tab::Invoices;
                self.tab = Tab::Invoices;
            }
            Nav::LoggedIn(s) => {
                let admin = s.admin;
                self.env.session = Some(s.clone());
                self.env.me = None;
                self.me_gen = None;
                self.user = UserScreens::default();
                self.publication = None;
                self.admin = admin.then(|| AdminPanels::new(self.env.market.clone(), s));
                self.admin_default_password = false;
                self.admin_pw_gen = None;
                self.next_heartbeat = ctx.input(|i| i.time) + HEARTBEAT_SECONDS;
                self.login.notice = None;
                self.tab = Tab::Browse;
                self.back = Tab::Browse;
                self.env.changed();
            }
            Nav::LoggedOut(why) => {
                self.env.session = None;
                self.env.me = None;
                self.admin = None;
                self.admin_default_password = false;
                self.user = UserScreens::default();
                self.heartbeat_job.forget();
                self.me_job.forget();
                self.next_heartbeat = f64::INFINITY;
                self.publication = None;
                if let Some(m) = why {
                    self.login.notice = Some(m);
                    self.tab = Tab::Login;
                } else {
                    self.tab = Tab::Browse;
                }
                self.back = Tab::Browse;
            }
        }
    }

    fn tab_button(&mut self, ui: &mut Ui, t: Tab, label: &str) {
        let selected =
            self.tab == t || (self.tab == Tab::Publication && self.back == t && t == Tab::Browse);
        if ui.selectable_label(selected, label).clicked() {
            self.env.nav(Nav::Tab(t));
        }
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("VentaLibre").heading().strong());
            ui.separator();
            self.tab_button(ui, Tab::Browse, "Explorar");
            match self.env.session.clone() {
                None => {
                    self.tab_button(ui, Tab::Login, "Iniciar sesión");
                    self.tab_button(ui, Tab::Register, "Crear cuenta");
                }
                Some(_) if self.must_change_password() => {
                    // The initial password first (issue 11): nothing else until it is changed.
                    self.tab_button(ui, Tab::Account, "Mi cuenta");
                }
                Some(s) => {
                    if !s.admin {
                        self.tab_button(ui, Tab::MyPublications, "Mis publicaciones");
                        self.tab_button(ui, Tab::Purchases, "Mis compras");
                    }
                    self.tab_button(
                        ui,
                        Tab::Invoices,
                        if s.admin { "Facturas" } else { "Mis facturas" },
                    );
                    self.tab_button(ui, Tab::Wallet, "Mi billetera");
                    self.tab_button(ui, Tab::Account, "Mi cuenta");
                    if s.admin {
                        self.tab_button(ui, Tab::Admin, "Administración");
                    }
                }
            }
            ui.with_layout(
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| match self.env.session.clone() {
                    None => {
                        ui.label(RichText::new("Visitante").weak());
                    }
                    Some(s) => {
                        if ui.button("Salir").clicked() {
                            self.logout(ui.ctx());
                        }
                        let balance = self
                            .env
                            .me
                            .as_ref()
                            .map(|u| format!(" · saldo $ {}", u.balance))
                            .unwrap_or_default();
                        ui.label(format!(
                            "{}{}{balance}",
                            s.name,
                            if s.admin { " (administración)" } else { "" }
                        ));
                    }
                },
            );
        });
        if self.must_change_password() {
            ui.add_space(2.0);
            error_text(
                ui,
                "La cuenta de administración todavía tiene la clave inicial: antes de seguir, cámbiela aquí, en «Cambiar la clave».",
            );
        }
        ui.add_space(4.0);
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!(
                    "Carpeta compartida: {}",
                    self.env.market.dir().display()
                ))
                .small()
                .weak(),
            );
            if let Some(t) = &self.updated_at {
                ui.separator();
                ui.label(RichText::new(format!("datos al {t}")).small().weak());
            }
            if let Some(e) = &self.share_error {
                ui.separator();
                error_text(ui, e);
            }
        });
    }

    /// The administrator still has the initial password: only the account screen is shown.
    fn must_change_password(&self) -> bool {
        self.env.is_admin() && self.admin_default_password
    }

    fn central(&mut self, ui: &mut Ui) {
        if self.must_change_password() {
            self.tab = Tab::Account;
        }
        let env = &mut self.env;
        let logged = env.session.is_some();
        match self.tab {
            Tab::Browse => self.browse.ui(ui, env),
            Tab::Login => self.login.ui(ui, env),
            Tab::Register => self.register.ui(ui, env),
            Tab::Publication => match &mut self.publication {
                Some(p) => {
                    let back = self.back;
                    p.ui(ui, env, back);
                }
                None => self.browse.ui(ui, env),
            },
            _ if !logged => self.login.ui(ui, env),
            Tab::MyPublications => self.user.my_publications.ui(ui, env),
            Tab::Purchases => self.user.purchases.ui(ui, env),
            Tab::Invoices => self.user.invoices.ui(ui, env),
            Tab::Wallet => self.user.wallet.ui(ui, env),
            Tab::Account => self.user.account.ui(ui, env),
            Tab::Admin => match &mut self.admin {
                Some(a) => a.ui(ui),
                None => {
                    ui.label("Solo la administración ve esta sección.");
                }
            },
        }
    }
}
