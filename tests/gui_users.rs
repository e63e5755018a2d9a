//! The desktop program's visitors' and users' screens, driven through egui_kittest over a
//! temporary share: every click and keystroke goes through the real UI, which calls the
//! domain on worker threads; the tests step the UI until the work is done.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Local};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::{BrowseFilter, NewPublication};
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Kind, Market, PubState, Rating, Session};
use ventalibre::gui::App;
use ventalibre::gui::shell::{MarketUi, Tab};

// ---- set-up ------------------------------------------------------------------------------------

fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: every test calls this first, before any other thread of the test reads the
    // environment; `Once` makes the others wait until it is set.
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
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
    fn path(&self) -> &Path {
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

fn share(name: &str) -> (TempDir, Arc<Market>) {
    setup();
    let t = TempDir::new(name);
    let dir = t.path().join("share");
    std::fs::create_dir_all(&dir).unwrap();
    let m = Arc::new(Market::open(&dir, true).unwrap());
    (t, m)
}

fn harness(m: &Arc<Market>) -> Harness<'static, App> {
    let app = App::new(Some(m.clone()), m.dir().to_path_buf());
    Harness::builder()
        .with_size(egui::vec2(1280.0, 860.0))
        .with_step_dt(0.05)
        .with_max_steps(200)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

const PASS: &str = "clave123";

fn user(m: &Market, email: &str, name: &str, province: u8) -> Session {
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

fn admin(m: &Market) -> Session {
    const PW: &str = "clave-de-la-administracion";
    let s = m
        .authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD)
        .or_else(|_| m.authenticate(ADMIN_EMAIL, PW))
        .unwrap();
    // The initial password must be changed before anything else (issue 11, defect 8).
    if m.must_change_password(&s).unwrap() {
        m.change_password(&s, ADMIN_DEFAULT_PASSWORD, PW).unwrap();
    }
    s
}

fn category(m: &Market, name: &str) -> u64 {
    m.categories()
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap()
        .key
}

fn publish(
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

fn png(path: &Path) {
    image::RgbImage::from_fn(120, 90, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 2) as u8, 160])
    })
    .save(path)
    .unwrap();
}

// ---- driving the UI ------------------------------------------------------------------------------

fn mui<'a>(h: &'a mut Harness<'static, App>) -> &'a mut MarketUi {
    h.state_mut().market_ui().expect("share open")
}

/// Steps (sleeping a little) until no background job is left, then checks that every input
/// has an accessible name.
fn settle(h: &mut Harness<'static, App>) {
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

#[allow(dead_code)]
fn dump(h: &Harness<'static, App>) {
    for n in h.root().children_recursive() {
        let n = n.accesskit_node();
        eprintln!("{:?} {:?} {:?}", n.role(), n.label(), n.value());
    }
}

fn has(h: &Harness<'static, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Steps in real time until a node whose label contains `text` appears (live updates).
fn wait_for(h: &mut Harness<'static, App>, text: &str) -> Duration {
    let t0 = Instant::now();
    loop {
        h.step();
        if has(h, text) {
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "«{text}» never appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Scrolls the widget named `label` into view and clicks it.
fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.step();
    h.get_by_label(label).click();
    settle(h);
}

fn click_button(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).scroll_to_me();
    h.step();
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

/// Picks `option` in the combo box named `combo`.
fn choose(h: &mut Harness<'static, App>, combo: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    settle(h);
    click_button(h, option);
}

/// Replaces the text of the field named `label`.
fn type_in(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn disabled(h: &Harness<'static, App>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

fn value(h: &Harness<'static, App>, label: &str) -> String {
    h.get_by_label(label).value().unwrap_or_default()
}

fn ui_login(h: &mut Harness<'static, App>, email: &str, pass: &str) {
    click(h, "Iniciar sesión");
    type_in(h, "Email", email);
    type_in(h, "Clave", pass);
    click(h, "Entrar");
}

// ---- tests ----------------------------------------------------------------------------------------

#[test]
fn a_visitor_registers_with_a_photo_logs_out_and_logs_in() {
    let (t, m) = share("registro");
    let mut h = harness(&m);
    settle(&mut h);
    assert!(has(&h, "Visitante"));
    click(&mut h, "Crear cuenta");
    type_in(&mut h, "Email", "ana@example.com");
    type_in(&mut h, "Clave", "secreta1");
    type_in(&mut h, "Repetir la clave", "secreta2");
    type_in(&mut h, "Apellido y nombre", "Pérez, Ana");
    type_in(&mut h, "Domicilio", "San Martín 100");
    type_in(&mut h, "Teléfono", "11 5555-0000");
    choose(&mut h, "Provincia", "Córdoba");
    click(&mut h, "Registrarme");
    assert!(
        has(&h, "las dos claves no coinciden"),
        "the mismatch is shown"
    );
    type_in(&mut h, "Repetir la clave", "secreta1");

    // Not an image: refused next to the photo, nothing typed is lost.
    let bad = t.path().join("no-es-foto.txt");
    std::fs::write(&bad, "hola").unwrap();
    type_in(
        &mut h,
        "Foto de perfil (opcional)",
        &bad.display().to_string(),
    );
    click(&mut h, "Registrarme");
    assert!(has(&h, "no es una imagen"));
    assert_eq!(value(&h, "Email"), "ana@example.com");
    assert_eq!(value(&h, "Apellido y nombre"), "Pérez, Ana");
    assert!(
        m.user_view("ana@example.com").is_err(),
        "nothing registered yet"
    );

    // A real photo: validated and shown as a thumbnail, then the account is created.
    let good = t.path().join("foto.png");
    png(&good);
    type_in(
        &mut h,
        "Foto de perfil (opcional)",
        &good.display().to_string(),
    );
    h.get_by_label("Email").focus(); // leaving the photo field reads the photo
    settle(&mut h);
    assert!(has(&h, "miniatura de la foto elegida"));
    click(&mut h, "Registrarme");
    assert!(has(&h, "Pérez, Ana"), "logged in after registering");
    let u = m.user_view("ana@example.com").unwrap();
    assert_eq!(u.name, "Pérez, Ana");
    assert_eq!(u.province, 2);
    assert!(u.photo.is_some(), "the profile photo is stored");
    assert!(u.online);

    // The account screen shows the data and the photo.
    click(&mut h, "Mi cuenta");
    assert_eq!(value(&h, "Domicilio"), "San Martín 100");

    click(&mut h, "Salir");
    assert!(has(&h, "Visitante"));
    assert!(
        !m.user_view("ana@example.com").unwrap().online,
        "logout reached the share"
    );
    ui_login(&mut h, "ANA@example.com", "secreta1");
    assert!(has(&h, "Pérez, Ana"));
    assert_eq!(mui(&mut h).tab, Tab::Browse);
    assert!(m.user_view("ana@example.com").unwrap().online);
    // Closing the window logs out.
    h.state_mut().shutdown();
    assert!(!m.user_view("ana@example.com").unwrap().online);
}

#[test]
fn wrong_password_and_blocked_accounts_are_refused_with_clear_messages() {
    let (_t, m) = share("rechazos");
    user(&m, "bob@example.com", "Gómez, Bob", 1);
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, "bob@example.com", "equivocada");
    assert!(has(&h, "email o clave incorrectos"));
    assert_eq!(
        value(&h, "Email"),
        "bob@example.com",
        "the email typed stays"
    );
    assert!(mui(&mut h).session().is_none());

    let a = admin(&m);
    m.set_user_blocked(&a, "bob@example.com", true).unwrap();
    type_in(&mut h, "Clave", PASS);
    click(&mut h, "Entrar");
    assert!(has(&h, "bloqueada"));
    assert!(mui(&mut h).session().is_none());

    // Unblocked, Bob logs in; blocked again from another terminal, this window notices.
    m.set_user_blocked(&a, "bob@example.com", false).unwrap();
    click(&mut h, "Entrar");
    assert!(has(&h, "Gómez, Bob"));
    m.set_user_blocked(&a, "bob@example.com", true).unwrap();
    let took = wait_for(&mut h, "su cuenta está bloqueada");
    assert!(mui(&mut h).session().is_none());
    assert_eq!(mui(&mut h).tab, Tab::Login);
    eprintln!("the block reached the window after {took:?}");
}

#[test]
fn a_user_publishes_and_visitors_browse_with_filters_and_search() {
    let (t, m) = share("publicar");
    let sol = user(&m, "sol@example.com", "Sosa, Sol", 0);
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, "sol@example.com", PASS);
    click(&mut h, "Mis publicaciones");
    click(&mut h, "Publicar un artículo nuevo");
    choose(&mut h, "Categoría", "Herramientas eléctricas");
    type_in(&mut h, "Nombre del artículo", "Taladro percutor Bosch");
    type_in(&mut h, "Descripción", "Con maletín y mechas");
    type_in(&mut h, "Precio ($)", "abc");
    let photo = t.path().join("taladro.png");
    png(&photo);
    type_in(&mut h, "Foto (opcional)", &photo.display().to_string());
    click(&mut h, "Publicar");
    assert!(
        has(&h, "no es un importe válido"),
        "an invalid price is refused next to it"
    );
    assert_eq!(value(&h, "Nombre del artículo"), "Taladro percutor Bosch");
    type_in(&mut h, "Precio ($)", "15.000,50");
    click(&mut h, "Publicar");
    assert!(has(&h, "artículo publicado con el N.º 1"));
    let mine = m.my_publications(&sol).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].price_cents, 1_500_050);
    assert!(mine[0].photo.is_some());
    assert!(has(&h, "publicado"), "the list shows the state");

    // Other sellers, other provinces, kinds and categories.
    let leo = user(&m, "leo@example.com", "López, Leo", 2);
    publish(
        &m,
        &leo,
        "Herramientas eléctricas",
        "Taladro inalámbrico",
        "Dos baterías",
        9_000_00,
        Kind::New,
    );
    publish(
        &m,
        &leo,
        "Hogar y muebles",
        "Mesa de luz",
        "Madera; sirve de apoyo para el taladro",
        3_000_00,
        Kind::Used,
    );
    publish(
        &m,
        &leo,
        "Instrumentos musicales",
        "Guitarra criolla",
        "Cuerdas nuevas",
        20_000_00,
        Kind::Used,
    );

    // A visitor browses.
    click(&mut h, "Salir");
    click(&mut h, "Explorar");
    assert!(has(&h, "4 publicaciones a la venta"));
    assert!(
        h.query_all_by_label("foto").next().is_some(),
        "the thumbnail of the visible row is loaded"
    );

    type_in(&mut h, "Buscar en nombre y descripción", "taladro");
    click_button(&mut h, "Buscar");
    assert!(has(&h, "3 publicaciones a la venta"));
    let titles: Vec<String> = mui(&mut h)
        .browse
        .rows
        .iter()
        .map(|r| r.title.clone())
        .collect();
    assert_eq!(titles.len(), 3);
    assert!(
        titles[0].starts_with("Taladro") && titles[1].starts_with("Taladro"),
        "name matches first: {titles:?}"
    );
    assert_eq!(titles[2], "Mesa de luz");

    choose(&mut h, "Provincia", "Córdoba");
    assert!(has(&h, "2 publicaciones a la venta"));
    assert!(
        mui(&mut h)
            .browse
            .rows
            .iter()
            .all(|r| r.seller_province == 2)
    );

    choose(&mut h, "Condición", "Solo nuevos");
    assert!(has(&h, "1 publicación a la venta"));
    assert!(has(&h, "Taladro inalámbrico"));

    click(&mut h, "Quitar filtros");
    assert!(has(&h, "4 publicaciones a la venta"));
    choose(&mut h, "Orden", "Precio: de menor a mayor");
    let prices: Vec<i64> = mui(&mut h)
        .browse
        .rows
        .iter()
        .map(|r| r.price_cents)
        .collect();
    assert_eq!(prices, vec![3_000_00, 9_000_00, 15_000_50, 20_000_00]);
    choose(&mut h, "Categoría", "Instrumentos musicales");
    assert!(has(&h, "1 publicación a la venta"));
    assert_eq!(mui(&mut h).browse.rows[0].title, "Guitarra criolla");
    assert_eq!(
        mui(&mut h).browse.filter,
        BrowseFilter {
            category: Some(category(&m, "Instrumentos musicales")),
            sort: ventalibre::domain::catalog::SortOrder::PriceAsc,
            ..Default::default()
        }
    );

    // A visitor opens a publication: data and seller, but no buying without an account.
    h.get_by_role_and_label(Role::Link, "Guitarra criolla")
        .click();
    settle(&mut h);
    assert!(has(&h, "Cuerdas nuevas"));
    assert!(has(&h, "López, Leo"));
    assert!(has(&h, "inicie sesión"));
    assert!(h.query_by_label("Comprar").is_none());
}

#[test]
fn a_buyer_asks_reads_the_answer_funds_the_wallet_buys_sees_the_invoice_and_rates() {
    let (t, m) = share("comprar");
    let vera = user(&m, "vera@example.com", "Vera, Ana", 0);
    let id = publish(
        &m,
        &vera,
        "Deportes",
        "Bicicleta rodado 29",
        "Cambios Shimano",
        50_000_00,
        Kind::Used,
    );
    user(&m, "juan@example.com", "Díaz, Juan", 3);
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, "juan@example.com", PASS);
    h.get_by_role_and_label(Role::Link, "Bicicleta rodado 29")
        .click();
    settle(&mut h);
    assert!(has(&h, "Su conversación con quien vende"));
    assert!(has(&h, "Vera, Ana"));
    type_in(&mut h, "Su pregunta", "¿Tiene cambios?");
    click(&mut h, "Preguntar");
    assert!(has(&h, "pregunta enviada"));
    assert!(has(&h, "¿Tiene cambios?"));

    // The seller answers from another terminal: the answer shows up here.
    m.answer(&vera, id, "juan@example.com", "Sí, 21 cambios")
        .unwrap();
    wait_for(&mut h, "Sí, 21 cambios");

    // Buying with an empty wallet: the confirmation says why not.
    click(&mut h, "Comprar");
    assert!(has(&h, "¿Comprar este artículo?"));
    assert!(has(&h, "Saldo insuficiente"));
    assert!(disabled(&h, "Confirmar la compra"));
    click(&mut h, "Cancelar");

    // The wallet: refusals next to each operation, then the money arrives.
    click(&mut h, "Mi billetera");
    type_in(&mut h, "Importe a depositar", "abc");
    click(&mut h, "Depositar");
    assert!(has(&h, "no es un importe válido"));
    type_in(&mut h, "Importe a depositar", "60000");
    click(&mut h, "Depositar");
    assert!(has(&h, "depósito hecho; saldo: $ 60000.00"));
    type_in(&mut h, "Importe a retirar", "100000");
    click(&mut h, "Retirar");
    assert!(has(&h, "saldo insuficiente"));
    type_in(&mut h, "Importe a retirar", "1000");
    click(&mut h, "Retirar");
    assert!(has(&h, "extracción hecha; saldo: $ 59000.00"));
    type_in(&mut h, "Transferir a (email)", "nadie@example.com");
    type_in(&mut h, "Importe a transferir", "500");
    click(&mut h, "Transferir");
    assert!(has(&h, "no hay ningún usuario"));
    assert_eq!(value(&h, "Transferir a (email)"), "nadie@example.com");
    type_in(&mut h, "Transferir a (email)", "vera@example.com");
    click(&mut h, "Transferir");
    assert!(has(&h, "transferencia hecha; saldo: $ 58500.00"));
    assert!(has(&h, "Saldo: $ 58500.00"));
    assert!(has(&h, "transferencia enviada"), "the movements list it");

    // Buying: the confirmation shows price and balance.
    click(&mut h, "Explorar");
    h.get_by_role_and_label(Role::Link, "Bicicleta rodado 29")
        .click();
    settle(&mut h);
    click(&mut h, "Comprar");
    assert!(has(&h, "$ 58500.00"), "the balance");
    assert!(has(&h, "$ 50000.00"), "the price");
    assert!(has(&h, "$ 8500.00"), "the balance after");
    click_button(&mut h, "Confirmar la compra");
    assert!(has(&h, "¡Compra realizada! Se emitió la factura N.º 1."));
    assert!(has(&h, "FACTURA N.º 00000001"));
    click(&mut h, "Calificar: recomendable");
    assert!(has(&h, "calificación guardada"));
    let juan = m.authenticate("juan@example.com", PASS).unwrap();
    let p = &m.purchases(&juan).unwrap()[0];
    assert_eq!(p.rating, Rating::Recommend);
    assert_eq!(m.publication(id).unwrap().state, PubState::Sold);
    assert_eq!(m.me(&vera).unwrap().balance_cents, 50_500_00);
    assert!(
        has(&h, "1 recomendable"),
        "the seller's rating is updated on the page"
    );

    // My purchases and my invoices.
    click(&mut h, "Mis compras");
    assert!(has(&h, "Bicicleta rodado 29"));
    assert!(has(&h, "recomendable"));
    assert!(has(&h, "Sí, 21 cambios"), "my questions with their answers");
    click(&mut h, "Factura N.º 1");
    assert_eq!(mui(&mut h).tab, Tab::Invoices);
    assert!(has(&h, "FACTURA N.º 00000001"));
    assert!(has(&h, "Comprador: Díaz, Juan <juan@example.com>"));
    // The export (to a path typed, or chosen with the system's save dialog).
    let out = t.path().join("factura.txt");
    type_in(&mut h, "Archivo de texto", &out.display().to_string());
    click(&mut h, "Exportar");
    assert!(has(&h, "factura exportada a"));
    let text = std::fs::read_to_string(&out).unwrap();
    let inv = m.invoice(&juan, 1).unwrap();
    assert_eq!(text, ventalibre::gui::invoices::invoice_text(&inv));
    assert!(text.contains("TOTAL: $ 50000.00"));
}

#[test]
fn my_publications_follow_the_state_rules_and_show_the_domains_refusal() {
    let (_t, m) = share("estados");
    let sol = user(&m, "sol@example.com", "Sosa, Sol", 0);
    let id = publish(
        &m,
        &sol,
        "Libros",
        "Enciclopedia",
        "Doce tomos",
        12_000_00,
        Kind::Used,
    );
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, "sol@example.com", PASS);
    click(&mut h, "Mis publicaciones");
    assert!(
        disabled(&h, "Reanudar"),
        "resume needs a paused publication"
    );
    click(&mut h, "Pausar");
    assert!(has(&h, "publicación pausada"));
    assert_eq!(m.publication(id).unwrap().state, PubState::Paused);
    assert!(disabled(&h, "Pausar"));
    assert!(disabled(&h, "Modificar"));
    assert!(disabled(&h, "Anular"));
    click(&mut h, "Reanudar");
    assert!(has(&h, "publicación reanudada"));

    // Another terminal pauses it; this window still shows it published: the domain refuses.
    m.pause(&sol, id).unwrap();
    h.get_by_label("Pausar").click();
    settle(&mut h);
    assert!(
        has(&h, "solo se puede pausar una publicación publicado"),
        "the domain's refusal is on the row"
    );
    click(&mut h, "Reanudar");

    // Edit.
    click(&mut h, "Modificar");
    assert_eq!(value(&h, "Nombre del artículo"), "Enciclopedia");
    type_in(&mut h, "Precio ($)", "11000");
    click(&mut h, "Guardar los cambios");
    assert!(has(&h, "publicación N.º 1 modificada"));
    assert_eq!(m.publication(id).unwrap().price_cents, 11_000_00);

    // A question arrives from another terminal, and is answered here.
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 4);
    m.ask(&ana, id, "¿Están todos los tomos?").unwrap();
    wait_for(&mut h, "1 pregunta sin responder");
    assert!(has(&h, "¿Están todos los tomos?"));
    type_in(
        &mut h,
        "Respuesta a Pérez, Ana sobre «Enciclopedia»",
        "Sí, los doce",
    );
    click(&mut h, "Responder");
    assert!(has(&h, "respuesta enviada"));
    let c = m.conversations(&ana, id, None).unwrap();
    assert_eq!(c[0].messages[0].answer.as_deref(), Some("Sí, los doce"));

    // Cancel, with its confirmation; then nothing more is allowed.
    click(&mut h, "Anular");
    click(&mut h, "Sí, anular");
    assert!(has(&h, "publicación anulada"));
    assert_eq!(m.publication(id).unwrap().state, PubState::Cancelled);
    for b in ["Modificar", "Pausar", "Reanudar", "Anular"] {
        assert!(disabled(&h, b), "{b} after cancelling");
    }
}

#[test]
fn two_windows_on_one_share_see_each_others_changes_without_a_restart() {
    let (_t, m1) = share("dos-ventanas");
    // A second terminal: its own Market on the same folder.
    let m2 = Arc::new(Market::open(m1.dir(), false).unwrap());
    let vera = user(&m1, "vera@example.com", "Vera, Ana", 0);
    let id = publish(
        &m1,
        &vera,
        "Electrónica",
        "Auriculares",
        "Inalámbricos",
        2_000_00,
        Kind::New,
    );
    user(&m1, "juan@example.com", "Díaz, Juan", 3);
    let mut seller = harness(&m1);
    let mut buyer = harness(&m2);
    settle(&mut seller);
    settle(&mut buyer);
    ui_login(&mut seller, "vera@example.com", PASS);
    click(&mut seller, "Mis publicaciones");
    ui_login(&mut buyer, "juan@example.com", PASS);

    // A new publication from the seller's window shows in the buyer's browse list.
    assert!(has(&buyer, "1 publicación a la venta"));
    publish(
        &m1,
        &vera,
        "Electrónica",
        "Parlante",
        "Bluetooth",
        1_000_00,
        Kind::New,
    );
    wait_for(&mut buyer, "2 publicaciones a la venta");

    // The buyer asks; the seller's open list shows it.
    buyer
        .get_by_role_and_label(Role::Link, "Auriculares")
        .click();
    settle(&mut buyer);
    type_in(&mut buyer, "Su pregunta", "¿Tienen micrófono?");
    click(&mut buyer, "Preguntar");
    let took = wait_for(&mut seller, "¿Tienen micrófono?");
    eprintln!("the question reached the other window after {took:?}");
    assert!(took < Duration::from_secs(5));

    // The seller answers; the buyer's open page shows it.
    type_in(
        &mut seller,
        "Respuesta a Díaz, Juan sobre «Auriculares»",
        "Sí, con cancelación de ruido",
    );
    click(&mut seller, "Responder");
    wait_for(&mut buyer, "Sí, con cancelación de ruido");

    // The buyer buys; the seller's list shows it sold, to whom, and the balance in the top bar.
    click(&mut buyer, "Mi billetera");
    type_in(&mut buyer, "Importe a depositar", "2000");
    click(&mut buyer, "Depositar");
    click(&mut buyer, "Explorar");
    buyer
        .get_by_role_and_label(Role::Link, "Auriculares")
        .click();
    settle(&mut buyer);
    click(&mut buyer, "Comprar");
    click_button(&mut buyer, "Confirmar la compra");
    assert!(has(&buyer, "¡Compra realizada!"));
    wait_for(&mut seller, "vendido");
    assert!(has(&seller, "Díaz, Juan"));
    assert!(has(&seller, "saldo $ 2000.00"));
    assert_eq!(m1.publication(id).unwrap().state, PubState::Sold);
}

#[test]
fn the_administrator_gets_the_admin_area_and_a_warning_about_the_default_password() {
    let (_t, m) = share("admin");
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD);
    settle(&mut h);
    assert!(has(&h, "todavía tiene la clave inicial"));
    assert!(
        h.query_by_label("Mis publicaciones").is_none(),
        "the administrator does not sell"
    );
    // Nothing but the password until the initial one is changed (issue 11, defect 8).
    assert!(h.query_by_label("Administración").is_none());
    assert_eq!(mui(&mut h).tab, Tab::Account);
    type_in(&mut h, "Clave actual", ADMIN_DEFAULT_PASSWORD);
    type_in(&mut h, "Clave nueva", "otra-clave-segura");
    type_in(&mut h, "Repetir la clave nueva", "otra-clave-segura");
    click_button(&mut h, "Cambiar la clave");
    assert!(has(&h, "clave cambiada"));
    settle(&mut h);
    assert!(
        !has(&h, "todavía tiene la clave inicial"),
        "the warning goes away"
    );
    click(&mut h, "Administración");
    assert_eq!(mui(&mut h).tab, Tab::Admin);
    assert!(!m.admin_has_default_password().unwrap());
}

#[test]
fn the_chooser_offers_to_create_a_share_and_remembers_the_last_one() {
    setup();
    let t = TempDir::new("elegir");
    let config = t.path().join("config");
    let missing = t.path().join("no-existe");
    let app = App::new(None, missing.clone()).with_config_dir(Some(config.clone()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 700.0))
        .with_step_dt(0.05)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    assert!(has(&h, "No se puede llegar a la carpeta compartida"));
    assert_eq!(
        value(&h, "Carpeta compartida"),
        missing.display().to_string()
    );
    click(&mut h, "Crear una carpeta compartida nueva aquí");
    assert!(h.state_mut().market_ui().is_some(), "the new share is open");
    assert!(has(&h, "Explorar"));
    let remembered = std::fs::read_to_string(config.join("ultima-carpeta")).unwrap();
    assert_eq!(
        remembered.trim(),
        std::path::absolute(&missing).unwrap().display().to_string()
    );

    // Next start, on a folder without a share: the last one is offered.
    let empty = t.path().join("vacia");
    std::fs::create_dir_all(&empty).unwrap();
    let app = App::new(None, empty).with_config_dir(Some(config));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 700.0))
        .with_step_dt(0.05)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    assert!(has(&h, "no tiene datos de VentaLibre"));
    click(
        &mut h,
        &format!("Abrir {}", std::path::absolute(&missing).unwrap().display()),
    );
    assert!(h.state_mut().market_ui().is_some());
}
