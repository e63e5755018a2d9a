//! A window with only the administrator's panels over a share (used for the screenshots in
//! docs/). Creates the share if needed and, with `--demo`, fills an empty one first.
//!
//! ```text
//! cargo run --example admin_screens -- SHARE_DIR [--demo USERS PUBLICATIONS SEED]
//!     [--tab categorias|usuarios|publicaciones|eventos|arbol|dispersion|revision]
//!     [--levels N] [--zoom Z] [--key K] [--block B] [--size WIDTHxHEIGHT]
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use ventalibre::domain::Market;
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::gui::admin::{AdminPanels, AdminTab};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().filter(|a| !a.starts_with("--")) else {
        eprintln!(
            "uso: admin_screens CARPETA [--demo USUARIOS PUBLICACIONES SEMILLA] [--tab PESTAÑA] [--levels N] [--key K] [--block B] [--size ANCHOxALTO]"
        );
        return ExitCode::from(2);
    };
    let opt = |name: &str, n: usize| -> Option<Vec<String>> {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1..].iter().take(n).cloned().collect())
    };
    let num = |s: &str| {
        s.parse::<u64>()
            .unwrap_or_else(|_| panic!("«{s}» no es un número"))
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
        match market.demo(num(&d[0]), num(&d[1]), num(&d[2])) {
            Ok(s) => eprintln!(
                "demostración: {} usuarios, {} publicaciones, {} conversaciones, {} ventas",
                s.users, s.publications, s.conversations, s.sales
            ),
            Err(e) => {
                eprintln!("no se pudo generar la demostración: {e}");
                return ExitCode::from(1);
            }
        }
    }
    // A share made for the screenshots: its initial password is changed (to an example one)
    // before anything else, as the program requires.
    const EXAMPLE_PW: &str = "clave-de-ejemplo";
    let admin = match market
        .login(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD)
        .or_else(|_| market.login(ADMIN_EMAIL, EXAMPLE_PW))
        .and_then(|s| {
            if market.must_change_password(&s)? {
                market.change_password(&s, ADMIN_DEFAULT_PASSWORD, EXAMPLE_PW)?;
            }
            Ok(s)
        }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("no se pudo entrar como administración: {e}");
            return ExitCode::from(1);
        }
    };
    let mut panels = AdminPanels::new(Arc::new(market), admin);
    if let Some(t) = opt("--tab", 1) {
        panels.tab = match t[0].as_str() {
            "categorias" => AdminTab::Categories,
            "usuarios" => AdminTab::Users,
            "publicaciones" => AdminTab::Publications,
            "eventos" => AdminTab::Events,
            "arbol" => AdminTab::Trees,
            "dispersion" => AdminTab::Dispersion,
            "revision" => AdminTab::Check,
            other => {
                eprintln!("no hay pestaña «{other}»");
                return ExitCode::from(2);
            }
        };
    }
    let levels = opt("--levels", 1).map(|v| num(&v[0]) as usize);
    let key = opt("--key", 1).map(|v| num(&v[0]));
    let zoom = opt("--zoom", 1).map(|v| v[0].parse::<f32>().expect("--zoom: un número"));
    if let Some(b) = opt("--block", 1) {
        panels.dispersion.block = b[0].clone();
    }
    let (w, h) = opt("--size", 1)
        .and_then(|v| {
            v[0].split_once('x')
                .map(|(w, h)| (w.parse().unwrap_or(1280.0), h.parse().unwrap_or(800.0)))
        })
        .unwrap_or((1280.0, 800.0));

    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([w, h])
            .with_title("VentaLibre — administración"),
        ..Default::default()
    };
    // Depth limit and key jump wait until the tree has arrived.
    let mut pending = (levels, key, zoom);
    let r = eframe::run_ui_native(
        "VentaLibre — administración",
        options,
        move |ui, _frame| {
            if !panels.trees.levels.is_empty() {
                if let Some(l) = pending.0.take() {
                    panels.trees.set_max_levels(l);
                }
                if let Some(z) = pending.2.take() {
                    panels.trees.zoom_to_root(z);
                }
                if let Some(k) = pending.1.take() {
                    panels.trees.jump_to_key(k);
                }
            }
            egui::CentralPanel::default().show(ui, |ui| panels.ui(ui));
        },
    );
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("no se pudo abrir la ventana: {e}");
            ExitCode::from(1)
        }
    }
}
