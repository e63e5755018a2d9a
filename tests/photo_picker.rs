//! The system's photo picker, for real (issue 13 §9). Under Xvfb, with no desktop portal, rfd
//! falls back to `zenity`, whose GTK file chooser is a window of its own: the test clicks
//! «Elegir foto…» in the publish form and in the gallery editor (the window itself driven
//! through egui_kittest), finds the dialog on the X display, drives it with `xdotool` as a
//! person would (Ctrl+L, the photo's path, Enter) and checks that the form shows the photo and
//! that the listing gets it.
//!
//! `Xvfb`, `xdotool` and `zenity` are system tools: `scripts/test` installs them when it runs
//! as root and then sets `VENTALIBRE_REQUIRE_DESKTOP_TOOLS=1`, so in CI a missing tool fails
//! the test; elsewhere it says loudly that it skipped.
//!
//! One test in this binary: it sets the process's `DISPLAY`, which rfd's zenity inherits.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ventalibre::domain::Kind;
use ventalibre::gui::App;
use ventalibre::gui::my_publications::MyPublicationsScreen;

mod gui_support;
use gui_support::*;

/// Whether the tools exist; without them the test skips loudly, unless `scripts/test`
/// installed them (then their absence fails it).
fn have_tools(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("VENTALIBRE_REQUIRE_DESKTOP_TOOLS").as_deref() == Ok("1") {
        panic!(
            "the system photo picker: missing {missing:?}, which scripts/test should have installed"
        );
    }
    eprintln!(
        "\n!!!!! SKIPPED: the system photo picker: missing {missing:?} (run ./scripts/test as root to install them)\n"
    );
    false
}

/// Xvfb on a display it chooses itself; stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not say its display");
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xdotool(args: &[&str]) -> String {
    let o = Command::new("xdotool")
        .args(args)
        .stderr(Stdio::null())
        .output()
        .expect("xdotool runs");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Steps the window (its jobs run on worker threads) while waiting for zenity's dialog to be
/// mapped on the display; returns its window id.
fn wait_for_dialog(h: &mut Harness<'static, App>) -> String {
    let t0 = Instant::now();
    loop {
        h.step();
        let ids = xdotool(&["search", "--onlyvisible", "--class", "zenity"]);
        if let Some(id) = ids.lines().last() {
            return id.to_string();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the system's file dialog (zenity) did not appear within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Types `path` into the GTK file chooser as a person would: Ctrl+L opens the location field,
/// then the path and Enter.
fn choose_in_dialog(h: &mut Harness<'static, App>, path: &str) {
    let id = wait_for_dialog(h);
    // GTK takes a moment after mapping before it reads keys.
    std::thread::sleep(Duration::from_millis(800));
    xdotool(&["windowfocus", "--sync", &id]);
    xdotool(&["key", "--window", &id, "ctrl+l"]);
    std::thread::sleep(Duration::from_millis(400));
    xdotool(&["type", "--delay", "20", path]);
    std::thread::sleep(Duration::from_millis(400));
    xdotool(&["key", "Return"]);
}

/// Steps until `done` holds (the picker's answer and the photo's reading arrive from worker
/// threads).
fn step_until(
    h: &mut Harness<'static, App>,
    what: &str,
    done: impl Fn(&Harness<'static, App>) -> bool,
) {
    let t0 = Instant::now();
    while !done(h) {
        h.step();
        if t0.elapsed() > Duration::from_secs(30) {
            dump(h);
            panic!("{what}: not within 30 s of choosing the photo in the dialog");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    settle(h);
}

#[test]
fn the_system_photo_picker_chooses_the_photo_of_a_new_listing_and_of_a_gallery() {
    if !have_tools(&["Xvfb", "xdotool", "zenity"]) {
        return;
    }
    let x = Xvfb::start();
    let (t, m) = share("selector-fotos");
    let runtime = t.path().join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    // SAFETY: the only test of this binary, before the window's worker threads exist. With
    // no session bus there is no portal, so rfd falls back to zenity on this display.
    unsafe {
        std::env::set_var("DISPLAY", &x.display);
        std::env::set_var("XDG_RUNTIME_DIR", &runtime);
        std::env::remove_var("WAYLAND_DISPLAY");
        std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
    }
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let id = publish(
        &m,
        &ana,
        "Deportes",
        "Bicicleta rodado 29",
        "Cambios Shimano",
        400_000_00,
        Kind::Used,
    );
    let photo = t.path().join("bicicleta.png");
    png(&photo);
    let photo_s = photo.display().to_string();

    // The gallery editor: «Elegir foto…», the dialog, the photo joins the list.
    let mut h = logged_in(
        &m,
        &ana,
        MyPublicationsScreen::TAB,
        egui::vec2(1280.0, 860.0),
    );
    click_button(&mut h, "Fotos");
    assert!(has(&h, "Fotos de «Bicicleta rodado 29»"));
    h.get_by_role_and_label(Role::Button, "Elegir foto…")
        .click();
    choose_in_dialog(&mut h, &photo_s);
    step_until(&mut h, "the gallery's new photo", |h| {
        has(h, "foto 1 (nueva)")
    });
    click_button(&mut h, "Guardar las fotos");
    assert!(has(&h, "Fotos guardadas"));
    assert_eq!(m.gallery(id).unwrap().photos.len(), 1);

    // The publish form: the path chosen fills the field and the thumbnail shows.
    click_button(&mut h, "« Volver a Mis publicaciones");
    click_button(&mut h, "Publicar un artículo nuevo");
    h.get_by_role_and_label(Role::Button, "Elegir foto…")
        .click();
    choose_in_dialog(&mut h, &photo_s);
    step_until(&mut h, "the form's photo", |h| {
        value(h, "Foto (opcional)") == photo_s && has(h, "miniatura de la foto elegida")
    });
    choose(&mut h, "Categoría", "Deportes");
    type_in(&mut h, "Nombre del artículo", "Casco de ciclismo");
    type_in(&mut h, "Descripción", "Talle M, sin golpes");
    type_in(&mut h, "Precio ($)", "35.000");
    click_button(&mut h, "Publicar");
    let mine = m.my_publications(&ana).unwrap();
    let casco = mine
        .iter()
        .find(|v| &*v.title == "Casco de ciclismo")
        .expect("published");
    assert!(
        casco.photo.is_some(),
        "the photo chosen in the dialog went with the listing"
    );
}
