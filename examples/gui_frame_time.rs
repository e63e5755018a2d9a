//! Frame time of the browse screen over a big share, measured through egui_kittest (the real
//! `App`, no window): fills the share if it has fewer publications than asked (`Market::demo`
//! plus a few publications with generated photos), waits for the first page, then
//! times frames at rest, scrolling row by row, and jumping through the whole list.
//!
//! ```text
//! cargo run --release --example gui_frame_time -- SHARE_DIR [PUBLICATIONS] [--fill-only]
//! ```
//!
//! A frame is `Harness::step` (the UI code, layout and the AccessKit tree, which the real
//! window builds only when a screen reader asks) plus `Context::tessellate` (the shapes made
//! into triangles); painting on the GPU is not included.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Local};
use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, TouchPhase, vec2};
use egui_kittest::Harness;
use ventalibre::domain::catalog::{BrowseFilter, NewPublication};
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Kind, Market, demo::DEMO_PASSWORD};
use ventalibre::gui::App;
use ventalibre::gui::browse::BrowseScreen;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
    else {
        eprintln!("uso: gui_frame_time CARPETA [PUBLICACIONES] [--fill-only]");
        std::process::exit(2);
    };
    let want: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    std::fs::create_dir_all(&dir).unwrap();
    let m = Arc::new(Market::open(&dir, true).expect("abrir la carpeta"));
    // Publications in every state (the category counts), so a second run adds nothing.
    let have: u64 = m.categories().unwrap().iter().map(|c| c.publications).sum();
    if have < want {
        fill(&m, want - have);
    }
    if args.iter().any(|a| a == "--fill-only") {
        return;
    }
    measure(m, &dir);
}

/// Generated users and publications, then a few publications with photos and a conversation.
fn fill(m: &Market, publications: u64) {
    let t = Instant::now();
    let users = (publications / 20).max(50);
    let sum = m.demo(users, publications, 7).expect("demo");
    eprintln!("demo: {sum:?} en {:.1} s", t.elapsed().as_secs_f64());
    // The initial password is changed (to an example one) before anything else, as the
    // program requires.
    const EXAMPLE_PW: &str = "clave-de-ejemplo";
    let admin = m
        .authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD)
        .or_else(|_| m.authenticate(ADMIN_EMAIL, EXAMPLE_PW))
        .expect("admin");
    if m.must_change_password(&admin).unwrap() {
        m.change_password(&admin, ADMIN_DEFAULT_PASSWORD, EXAMPLE_PW)
            .unwrap();
    }
    let sellers: Vec<String> = m
        .users(&admin)
        .unwrap()
        .into_iter()
        .filter(|u| !u.admin)
        .take(12)
        .map(|u| u.email)
        .collect();
    let cats = m.categories().unwrap();
    let items = [
        (
            "Taladro percutor 750 W",
            "Con maletín y juego de mechas. Poco uso.",
            0,
            85_000_00,
            Kind::Used,
        ),
        (
            "Guitarra eléctrica",
            "Cuerpo de aliso, dos micrófonos; con funda.",
            1,
            320_000_00,
            Kind::Used,
        ),
        (
            "Auriculares inalámbricos",
            "Cancelación de ruido, estuche de carga.",
            2,
            120_000_00,
            Kind::New,
        ),
        (
            "Sillón de dos cuerpos",
            "Tapizado en pana gris, muy cómodo.",
            3,
            250_000_00,
            Kind::Used,
        ),
        (
            "Colección de novelas",
            "Doce libros de autores argentinos.",
            4,
            40_000_00,
            Kind::Used,
        ),
        (
            "Bicicleta rodado 29",
            "Cuadro de aluminio, 21 cambios Shimano.",
            5,
            410_000_00,
            Kind::Used,
        ),
        (
            "Campera impermeable",
            "Talle M, con capucha desmontable.",
            6,
            95_000_00,
            Kind::New,
        ),
        (
            "Casco integral",
            "Talle L, visor antiempañante.",
            7,
            130_000_00,
            Kind::New,
        ),
    ];
    let closes = Local::now().date_naive() + Days::days(45);
    for (i, (title, desc, cat, price, kind)) in items.iter().enumerate() {
        let email = &sellers[i % sellers.len()];
        let s = m.authenticate(email, DEMO_PASSWORD).expect("demo user");
        let photo = Some(generated_photo(i as u32));
        let n = NewPublication {
            category: cats[*cat % cats.len()].key,
            title: title.to_string(),
            description: desc.to_string(),
            price: *price,
            kind: *kind,
            closes,
            photo,
        };
        let id = m.publish(&s, n).expect("publish");
        if i == 5 {
            let buyer = m
                .authenticate(&sellers[(i + 1) % sellers.len()], DEMO_PASSWORD)
                .unwrap();
            m.ask(
                &buyer,
                id,
                "¿La bici tiene algún detalle? ¿Hace envíos a Córdoba?",
            )
            .unwrap();
            m.answer(
                &s,
                id,
                &buyer.email,
                "Está impecable; envío por encomienda a cargo del comprador.",
            )
            .unwrap();
        }
    }
    eprintln!("listo en {:.1} s", t.elapsed().as_secs_f64());
}

/// A 480×360 PNG: a colored gradient with a few shapes (stands in for a photo).
fn generated_photo(seed: u32) -> Vec<u8> {
    let hues = [
        (220, 90, 60),
        (60, 120, 200),
        (40, 160, 110),
        (200, 160, 40),
        (150, 70, 170),
        (30, 150, 170),
        (190, 60, 110),
        (90, 90, 90),
    ];
    let (r, g, b) = hues[seed as usize % hues.len()];
    let img = image::RgbImage::from_fn(480, 360, |x, y| {
        let fx = x as f32 / 480.0;
        let fy = y as f32 / 360.0;
        let (cx, cy) = (240.0 + 60.0 * (seed as f32).sin(), 180.0);
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        let shade = if d < 110.0 { 1.0 } else { 0.55 + 0.35 * fy };
        let mix = |c: u8, k: f32| (c as f32 * k + 255.0 * (1.0 - k) * 0.25 * fx).min(255.0) as u8;
        image::Rgb([mix(r, shade), mix(g, shade), mix(b, shade)])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn measure(m: Arc<Market>, dir: &Path) {
    let total = m.browse_page(&BrowseFilter::default(), 0, 0).unwrap().total as usize;
    let app = App::new(Some(m), dir.to_path_buf());
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    let t = Instant::now();
    loop {
        h.step();
        let rows = h
            .state_mut()
            .market_ui()
            .and_then(|u| u.screen::<BrowseScreen>())
            .map_or(0, |b| b.rows().len());
        // The table is as long as the total and holds only the pages in view.
        if rows >= total.min(ventalibre::gui::browse::PAGE_ROWS) && App::pending_jobs(&h.ctx) == 0 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(600),
            "la tabla no se llenó"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let secs = h
        .state_mut()
        .market_ui()
        .and_then(|u| u.screen::<BrowseScreen>())
        .map_or(0.0, |b| b.last_seconds());
    println!(
        "publicaciones en la tabla: {total} (en páginas de {}); primera página en el hilo de fondo: {secs:.3} s (la ventana no espera)",
        ventalibre::gui::browse::PAGE_ROWS
    );
    // Warm up (fonts, galleys).
    for _ in 0..30 {
        h.step();
    }
    h.hover_at(egui::pos2(640.0, 500.0));
    let wheel = |dy: f32| Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: vec2(0.0, dy),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    };
    let run = |name: &str,
               frames: usize,
               input: &dyn Fn(usize) -> Option<Event>,
               h: &mut Harness<'_, App>| {
        let mut step = Vec::with_capacity(frames);
        let mut full = Vec::with_capacity(frames);
        for i in 0..frames {
            if let Some(e) = input(i) {
                h.event(e);
            }
            let t = Instant::now();
            h.step();
            let s = t.elapsed().as_secs_f64() * 1000.0;
            let out = h.output();
            let shapes = out.shapes.clone();
            let ppp = out.pixels_per_point;
            let t2 = Instant::now();
            let prims = h.ctx.tessellate(shapes, ppp);
            let tess = t2.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(prims);
            step.push(s);
            full.push(s + tess);
            // Thumbnails arrive from their worker thread between frames, as in the window.
            std::thread::sleep(Duration::from_millis(1));
        }
        let mean = full.iter().sum::<f64>() / frames as f64;
        println!(
            "{name:<28} {frames:>4} cuadros  media {mean:>5.2} ms  p50 {:>5.2}  p95 {:>5.2}  máx {:>6.2}  (solo UI: p50 {:>5.2}, p95 {:>5.2})",
            pct(&mut full, 0.5),
            pct(&mut full, 0.95),
            pct(&mut full, 1.0),
            pct(&mut step, 0.5),
            pct(&mut step, 0.95)
        );
    };
    run("en reposo", 300, &|_| None, &mut h);
    run(
        "rueda, 40 px por cuadro",
        600,
        &|_| Some(wheel(-40.0)),
        &mut h,
    );
    run(
        "saltos de ~2000 filas",
        200,
        &|i| Some(wheel(if i % 2 == 0 { -90_000.0 } else { 30_000.0 })),
        &mut h,
    );
    run(
        "vuelta arriba, rueda",
        300,
        &|i| Some(wheel(if i == 0 { 1e9 } else { -40.0 })),
        &mut h,
    );
}
