//! The window (the same code as `ventalibre` with no command) opened on a share at a given
//! screen, for the screenshots in `docs/`: logged in as a user, on a screen, a publication
//! or the purchase confirmation, at a given size. Creates the share if needed and, with
//! `--demo`, fills an empty one first.
//!
//! ```text
//! cargo run --release --example window_screens -- SHARE_DIR [--demo USERS PUBLICATIONS SEED]
//!     [--user EMAIL --password CLAVE] [--screen NAME] [--publication N] [--buy]
//!     [--admin-tab categorias|usuarios|publicaciones|eventos|arbol|dispersion|revision]
//!     [--levels N] [--zoom Z] [--key K] [--block B] [--size WIDTHxHEIGHT]
//! ```
//! Screen names: explorar, iniciar-sesion, crear-cuenta, mis-publicaciones, mis-compras,
//! facturas, billetera, mi-cuenta, administracion (a publication: `--publication N`).

use std::process::ExitCode;
use std::sync::Arc;

use ventalibre::domain::Market;
use ventalibre::gui::App;
use ventalibre::gui::admin::{AdminScreen, AdminTab};
use ventalibre::gui::env::{Nav, Tab};
use ventalibre::gui::publication::PublicationScreen;

const SCREENS: [&str; 9] = [
    "explorar",
    "iniciar-sesion",
    "crear-cuenta",
    "mis-publicaciones",
    "mis-compras",
    "facturas",
    "billetera",
    "mi-cuenta",
    "administracion",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().filter(|a| !a.starts_with("--")) else {
        eprintln!(
            "uso: window_screens CARPETA [--demo USUARIOS PUBLICACIONES SEMILLA] [--user EMAIL --password CLAVE] [--screen PANTALLA] [--publication N] [--buy] [--admin-tab PESTAÑA] [--levels N] [--key K] [--block B] [--size ANCHOxALTO]"
        );
        return ExitCode::from(2);
    };
    let opt = |name: &str, n: usize| -> Option<Vec<String>> {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1..].iter().take(n).cloned().collect())
    };
    let flag = |name: &str| args.iter().any(|a| a == name);
    let num = |s: &str| -> Option<u64> {
        let v = s.parse::<u64>().ok();
        if v.is_none() {
            eprintln!("«{s}» no es un número");
        }
        v
    };

    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("no se pudo crear {dir}: {e}");
        return ExitCode::from(3);
    }
    let market = match Market::open(dir, true) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("no se pudo abrir {dir}: {e}");
            return ExitCode::from(3);
        }
    };
    if let Some(d) = opt("--demo", 3)
        && market.user_count().unwrap_or(0) <= 1
    {
        let (Some(u), Some(p), Some(s)) = (num(&d[0]), num(&d[1]), num(&d[2])) else {
            return ExitCode::from(2);
        };
        if let Err(e) = market.demo(u, p, s) {
            eprintln!("no se pudo generar la demostración: {e}");
            return ExitCode::from(1);
        }
    }
    let session = match (opt("--user", 1), opt("--password", 1)) {
        (Some(u), Some(p)) => match market.login(&u[0], &p[0]) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("no se pudo entrar como {}: {e}", u[0]);
                return ExitCode::from(1);
            }
        },
        _ => None,
    };
    let screen = opt("--screen", 1).map(|v| v[0].clone());
    let screen = match screen.as_deref() {
        None => None,
        Some(s) => match SCREENS.iter().find(|n| **n == s) {
            Some(n) => Some(Tab(n)),
            None => {
                eprintln!("no hay pantalla «{s}» (hay: {})", SCREENS.join(", "));
                return ExitCode::from(2);
            }
        },
    };
    let publication = match opt("--publication", 1) {
        Some(v) => match num(&v[0]) {
            Some(n) => Some(n),
            None => return ExitCode::from(2),
        },
        None => None,
    };
    let admin_tab = match opt("--admin-tab", 1).as_deref().map(|v| v[0].as_str()) {
        None => None,
        Some("categorias") => Some(AdminTab::Categories),
        Some("usuarios") => Some(AdminTab::Users),
        Some("publicaciones") => Some(AdminTab::Publications),
        Some("eventos") => Some(AdminTab::Events),
        Some("arbol") => Some(AdminTab::Trees),
        Some("dispersion") => Some(AdminTab::Dispersion),
        Some("revision") => Some(AdminTab::Check),
        Some(other) => {
            eprintln!("no hay pestaña «{other}»");
            return ExitCode::from(2);
        }
    };
    let buy = flag("--buy");
    let levels = opt("--levels", 1)
        .and_then(|v| num(&v[0]))
        .map(|v| v as usize);
    let key = opt("--key", 1).and_then(|v| num(&v[0]));
    let zoom = opt("--zoom", 1).and_then(|v| v[0].parse::<f32>().ok());
    let block = opt("--block", 1).map(|v| v[0].clone());
    let (w, h) = opt("--size", 1)
        .and_then(|v| {
            v[0].split_once('x')
                .map(|(w, h)| (w.parse().unwrap_or(1280.0), h.parse().unwrap_or(800.0)))
        })
        .unwrap_or((1280.0, 800.0));

    let market = Arc::new(market);
    let mut app = App::new(Some(market.clone()), market.dir().to_path_buf());
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([w, h])
            .with_title("VentaLibre"),
        ..Default::default()
    };
    let mut started = false;
    let mut buy_pending = buy;
    let mut tree_pending = (levels, key, zoom);
    let r = eframe::run_ui_native("VentaLibre", options, move |ui, _frame| {
        let ctx = ui.ctx().clone();
        if !started && let Some(m) = app.market_ui() {
            started = true;
            if let Some(s) = session.clone() {
                m.log_in(s, &ctx);
            }
            if let Some(t) = screen {
                m.show(t, &ctx);
            }
            if let Some(n) = publication {
                m.env.nav(Nav::Open(PublicationScreen::TAB, n));
            }
            if let Some(a) = m.screen::<AdminScreen>() {
                if let Some(t) = admin_tab {
                    a.tab = t;
                }
                if let Some(b) = &block {
                    a.dispersion.block = b.clone();
                }
            }
        }
        if let Some(m) = app.market_ui() {
            if buy_pending
                && let Some(p) = m.screen::<PublicationScreen>()
                && p.data().is_some()
            {
                buy_pending = false;
                p.press_buy = true;
            }
            if let Some(a) = m.screen::<AdminScreen>()
                && !a.trees.levels.is_empty()
            {
                if let Some(l) = tree_pending.0.take() {
                    a.trees.set_max_levels(l);
                }
                if let Some(z) = tree_pending.2.take() {
                    a.trees.zoom_to_root(z);
                }
                if let Some(k) = tree_pending.1.take() {
                    a.trees.jump_to_key(k);
                }
            }
        }
        app.ui(ui);
    });
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("no se pudo abrir la ventana: {e}");
            ExitCode::from(1)
        }
    }
}
