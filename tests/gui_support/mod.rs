//! What the window's tests share: a temporary share built with the domain API, a harness on
//! the whole window (egui_kittest), and steps that wait for the worker threads.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Local};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::NewPublication;
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Kind, Market, Session};
use ventalibre::gui::App;
use ventalibre::gui::env::Tab;
use ventalibre::gui::screen::Screen;
use ventalibre::gui::shell::MarketUi;

pub const PASS: &str = "clave123";

pub fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: every test calls this first, before any other thread of the test reads the
    // environment; `Once` makes the others wait until it is set.
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

/// A scratch folder, removed when dropped (kept with VENTALIBRE_KEEP_TMP set).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vl-gui-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("VENTALIBRE_KEEP_TMP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A new share in a scratch folder.
pub fn share(name: &str) -> (TempDir, Arc<Market>) {
    setup();
    let t = TempDir::new(name);
    let dir = t.path().join("share");
    std::fs::create_dir_all(&dir).unwrap();
    let m = Arc::new(Market::open(&dir, true).unwrap());
    (t, m)
}

/// The whole window on `m`, `size` wide and high.
pub fn harness_sized(m: &Arc<Market>, size: egui::Vec2) -> Harness<'static, App> {
    let app = App::new(Some(m.clone()), m.dir().to_path_buf());
    Harness::builder()
        .with_size(size)
        .with_step_dt(0.05)
        .with_max_steps(200)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

pub fn harness(m: &Arc<Market>) -> Harness<'static, App> {
    harness_sized(m, egui::vec2(1280.0, 860.0))
}

/// The window with `s` logged in (as if through the log-in screen), showing `tab`.
pub fn logged_in(
    m: &Arc<Market>,
    s: &Session,
    tab: Tab,
    size: egui::Vec2,
) -> Harness<'static, App> {
    let mut h = harness_sized(m, size);
    settle(&mut h);
    let ctx = h.ctx.clone();
    let ui = mui(&mut h);
    ui.log_in(s.clone(), &ctx);
    ui.show(tab, &ctx);
    settle(&mut h);
    h
}

pub fn user(m: &Market, email: &str, name: &str, province: u8) -> Session {
    m.register(NewUser {
        email: email.into(),
        password: PASS.into(),
        name: name.into(),
        address: "Calle Falsa 123".into(),
        province,
        phone: "11 4444-5555".into(),
        photo: None,
    })
    .unwrap();
    m.authenticate(email, PASS).unwrap()
}

/// The administrator, with the initial password changed (as the first log-in requires,
/// issue 11).
pub fn admin(m: &Market) -> Session {
    const PW: &str = "clave-de-la-administracion";
    let s = m
        .authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD)
        .or_else(|_| m.authenticate(ADMIN_EMAIL, PW))
        .unwrap();
    if m.must_change_password(&s).unwrap() {
        m.change_password(&s, ADMIN_DEFAULT_PASSWORD, PW).unwrap();
    }
    s
}

pub fn category(m: &Market, name: &str) -> u64 {
    m.categories()
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap()
        .key
}

pub fn publish(
    m: &Market,
    s: &Session,
    cat: &str,
    title: &str,
    desc: &str,
    price: i64,
    kind: Kind,
) -> u64 {
    m.publish(
        s,
        NewPublication {
            category: category(m, cat),
            title: title.into(),
            description: desc.into(),
            price,
            kind,
            closes: Local::now().date_naive() + Days::days(20),
            photo: None,
        },
    )
    .unwrap()
}

pub fn png(path: &Path) {
    image::RgbImage::from_fn(120, 90, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 2) as u8, 160])
    })
    .save(path)
    .unwrap();
}

// ---- driving the UI ------------------------------------------------------------------------------

pub fn mui<'a>(h: &'a mut Harness<'static, App>) -> &'a mut MarketUi {
    h.state_mut().market_ui().expect("share open")
}

/// The screen of type `S`.
pub fn screen<'a, S: Screen>(h: &'a mut Harness<'static, App>) -> &'a mut S {
    mui(h).screen::<S>().expect("a screen of the window")
}

/// Steps (sleeping a little) until no background job is left, then checks that every input
/// has an accessible name.
pub fn settle(h: &mut Harness<'static, App>) {
    let t0 = Instant::now();
    let mut idle = 0;
    while idle < 3 {
        h.step();
        if App::pending_jobs(&h.ctx) == 0 {
            idle += 1;
        } else {
            idle = 0;
            std::thread::sleep(Duration::from_millis(2));
        }
        if t0.elapsed() > Duration::from_secs(30) {
            dump(h);
            panic!(
                "the UI did not settle: {} jobs pending",
                App::pending_jobs(&h.ctx)
            );
        }
    }
    h.check_accessibility();
}

pub fn dump(h: &Harness<'static, App>) {
    for n in h.root().children_recursive() {
        let n = n.accesskit_node();
        eprintln!("{:?} {:?} {:?}", n.role(), n.label(), n.value());
    }
}

pub fn has(h: &Harness<'static, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Steps in real time until a node whose label contains `text` appears (live updates).
pub fn wait_for(h: &mut Harness<'static, App>, text: &str) -> Duration {
    let t0 = Instant::now();
    loop {
        h.step();
        if has(h, text) {
            return t0.elapsed();
        }
        if t0.elapsed() > Duration::from_secs(20) {
            dump(h);
            panic!("«{text}» never appeared");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Steps until a scroll asked for has finished (egui animates it over a few frames, and a
/// click at a position taken mid-animation would miss).
fn scrolled(h: &mut Harness<'static, App>) {
    for _ in 0..8 {
        h.step();
    }
}

/// Scrolls the widget named `label` into view and clicks it.
pub fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    scrolled(h);
    h.get_by_label(label).click();
    settle(h);
}

pub fn click_button(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    scrolled(h);
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

/// Picks `option` in the combo box named `combo`.
pub fn choose(h: &mut Harness<'static, App>, combo: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    settle(h);
    click_button(h, option);
}

/// Replaces the text of the field named `label`.
pub fn type_in(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    if text.is_empty() {
        h.key_press(egui::Key::Delete);
    } else {
        h.get_by_label(label).type_text(text);
    }
    h.step();
}

/// Presses Enter in the field named `label` (it has the focus after typing).
pub fn enter_in(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press(egui::Key::Enter);
    settle(h);
}

pub fn disabled(h: &Harness<'static, App>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

pub fn value(h: &Harness<'static, App>, label: &str) -> String {
    h.get_by_label(label).value().unwrap_or_default()
}

/// Whether the field named `label` has the keyboard focus.
pub fn focused(h: &Harness<'static, App>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_focused()
}

pub fn ui_login(h: &mut Harness<'static, App>, email: &str, pass: &str) {
    click(h, "Iniciar sesión");
    type_in(h, "Email", email);
    type_in(h, "Clave", pass);
    click(h, "Entrar");
}
