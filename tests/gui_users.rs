//! The desktop program's visitors' and users' screens, driven through egui_kittest over a
//! temporary share: every click and keystroke goes through the real UI, which calls the
//! domain on worker threads; the tests step the UI until the work is done.

use std::sync::Arc;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ventalibre::domain::catalog::BrowseFilter;
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Kind, Market, PubState, Rating};
use ventalibre::gui::App;
use ventalibre::gui::browse::BrowseScreen;
use ventalibre::gui::invoices::InvoicesScreen;
use ventalibre::gui::visitor::LoginScreen;

mod gui_support;
use gui_support::*;

fn rows(h: &mut Harness<'static, App>) -> Vec<ventalibre::domain::catalog::PublicationView> {
    screen::<BrowseScreen>(h).rows().to_vec()
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
        has(&h, "Las dos claves no coinciden."),
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
    assert_eq!(mui(&mut h).tab, BrowseScreen::TAB);
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
    assert!(has(&h, "Email o clave incorrectos."));
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
    let took = wait_for(&mut h, "Su cuenta está bloqueada");
    assert!(mui(&mut h).session().is_none());
    assert_eq!(mui(&mut h).tab, LoginScreen::TAB);
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
    assert!(has(&h, "Artículo publicado con el N.º 1."));
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
    let titles: Vec<String> = rows(&mut h).iter().map(|r| r.title.to_string()).collect();
    assert_eq!(titles.len(), 3);
    assert!(
        titles[0].starts_with("Taladro") && titles[1].starts_with("Taladro"),
        "name matches first: {titles:?}"
    );
    assert_eq!(titles[2], "Mesa de luz");

    choose(&mut h, "Provincia", "Córdoba");
    assert!(has(&h, "2 publicaciones a la venta"));
    assert!(rows(&mut h).iter().all(|r| r.seller_province == 2));

    choose(&mut h, "Condición", "Solo nuevos");
    assert!(has(&h, "1 publicación a la venta"));
    assert!(has(&h, "Taladro inalámbrico"));

    click(&mut h, "Quitar filtros");
    assert!(has(&h, "4 publicaciones a la venta"));
    choose(&mut h, "Orden", "Precio: de menor a mayor");
    let prices: Vec<i64> = rows(&mut h).iter().map(|r| r.price_cents).collect();
    assert_eq!(prices, vec![3_000_00, 9_000_00, 15_000_50, 20_000_00]);
    choose(&mut h, "Categoría", "Instrumentos musicales");
    assert!(has(&h, "1 publicación a la venta"));
    assert_eq!(&*rows(&mut h)[0].title, "Guitarra criolla");
    assert_eq!(
        screen::<BrowseScreen>(&mut h).filter,
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
    assert!(has(&h, "Preguntas y respuestas (0)"));
    assert!(has(&h, "Vera, Ana"));
    type_in(&mut h, "Su pregunta", "¿Tiene cambios?");
    click(&mut h, "Preguntar");
    assert!(has(&h, "Pregunta enviada"));
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
    assert!(has(&h, "Depósito hecho; saldo: $ 60.000,00."));
    type_in(&mut h, "Importe a retirar", "100000");
    click(&mut h, "Retirar");
    assert!(has(&h, "Saldo insuficiente: quiere retirar"));
    type_in(&mut h, "Importe a retirar", "1000");
    click(&mut h, "Retirar");
    assert!(has(&h, "Extracción hecha; saldo: $ 59.000,00."));
    type_in(&mut h, "Transferir a (email)", "nadie@example.com");
    type_in(&mut h, "Importe a transferir", "500");
    click(&mut h, "Transferir");
    assert!(has(&h, "No hay ningún usuario"));
    assert_eq!(value(&h, "Transferir a (email)"), "nadie@example.com");
    type_in(&mut h, "Transferir a (email)", "vera@example.com");
    click(&mut h, "Transferir");
    assert!(has(&h, "Transferencia hecha; saldo: $ 58.500,00."));
    assert!(has(&h, "Saldo: $ 58.500,00"));
    assert!(has(&h, "transferencia enviada"), "the movements list it");

    // Buying: the confirmation shows price and balance.
    click(&mut h, "Explorar");
    h.get_by_role_and_label(Role::Link, "Bicicleta rodado 29")
        .click();
    settle(&mut h);
    click(&mut h, "Comprar");
    assert!(has(&h, "$ 58.500,00"), "the balance");
    assert!(has(&h, "$ 50.000,00"), "the price");
    assert!(has(&h, "$ 8.500,00"), "the balance after");
    click_button(&mut h, "Confirmar la compra");
    assert!(has(&h, "¡Compra realizada! Se emitió la factura N.º 1."));
    assert!(has(&h, "FACTURA N.º 0001-00000001"));
    click(&mut h, "Calificar: recomendable");
    assert!(has(&h, "Calificación guardada"));
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
    assert_eq!(mui(&mut h).tab, InvoicesScreen::TAB);
    assert!(has(&h, "FACTURA N.º 0001-00000001"));
    assert!(has(&h, "Comprador: Díaz, Juan <juan@example.com>"));
    // The export (to a path typed, or chosen with the system's save dialog).
    let pdf = t.path().join("factura.pdf");
    type_in(&mut h, "Exportar la factura a", &pdf.display().to_string());
    click_button(&mut h, "Guardar");
    assert!(has(&h, "Guardado en"));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "a PDF");
    choose(&mut h, "Formato", "Texto");
    let out = t.path().join("factura.txt");
    type_in(&mut h, "Exportar la factura a", &out.display().to_string());
    click_button(&mut h, "Guardar");
    assert!(has(&h, "Guardado en"));
    let text = std::fs::read_to_string(&out).unwrap();
    let inv = m.invoice(&juan, 1).unwrap();
    assert_eq!(text, ventalibre::gui::invoices::invoice_text(&inv));
    assert!(text.contains("$ 50.000,00") && text.contains("TOTAL:"));
    assert!(
        !text.contains("Comisi"),
        "the buyer's copy has no commission"
    );
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
    assert!(has(&h, "Publicación pausada."));
    assert_eq!(m.publication(id).unwrap().state, PubState::Paused);
    assert!(disabled(&h, "Pausar"));
    assert!(disabled(&h, "Modificar"));
    assert!(disabled(&h, "Anular"));
    click(&mut h, "Reanudar");
    assert!(has(&h, "Publicación reanudada."));

    // Another terminal pauses it; this window still shows it published: the domain refuses.
    m.pause(&sol, id).unwrap();
    h.get_by_label("Pausar").click();
    settle(&mut h);
    assert!(
        has(
            &h,
            "Solo se puede pausar una publicación publicada; esta está pausada."
        ),
        "the domain's refusal is on the row"
    );
    click(&mut h, "Reanudar");

    // Edit.
    click(&mut h, "Modificar");
    assert_eq!(value(&h, "Nombre del artículo"), "Enciclopedia");
    type_in(&mut h, "Precio ($)", "11000");
    click(&mut h, "Guardar los cambios");
    assert!(has(&h, "Publicación N.º 1 modificada."));
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
    assert!(has(&h, "Respuesta enviada."));
    let c = m.conversations(&ana, id, None).unwrap();
    assert_eq!(c[0].messages[0].answer.as_deref(), Some("Sí, los doce"));

    // Cancel, with its confirmation; then nothing more is allowed.
    click(&mut h, "Anular");
    click(&mut h, "Sí, anular");
    assert!(has(&h, "Publicación anulada."));
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
    assert!(has(&seller, "saldo $ 2.000,00"));
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
    assert_eq!(
        mui(&mut h).tab,
        ventalibre::gui::account::AccountScreen::TAB
    );
    type_in(&mut h, "Clave actual", ADMIN_DEFAULT_PASSWORD);
    type_in(&mut h, "Clave nueva", "otra-clave-segura");
    type_in(&mut h, "Repetir la clave nueva", "otra-clave-segura");
    click_button(&mut h, "Cambiar la clave");
    assert!(has(&h, "Clave cambiada."));
    settle(&mut h);
    assert!(
        !has(&h, "todavía tiene la clave inicial"),
        "the warning goes away"
    );
    click(&mut h, "Administración");
    assert_eq!(mui(&mut h).tab, ventalibre::gui::admin::AdminScreen::TAB);
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

// ---- keyboard, messages that stay true, dialogs (issue 14) ---------------------------------------

#[test]
fn enter_submits_the_log_in_the_first_field_has_focus_and_logging_out_clears_the_form() {
    let (_t, m) = share("teclado-entrar");
    user(&m, "bob@example.com", "Gómez, Bob", 1);
    let mut h = harness(&m);
    settle(&mut h);
    click(&mut h, "Iniciar sesión");
    assert!(focused(&h, "Email"), "the email field has the focus");
    h.get_by_label("Email").type_text("bob@example.com");
    h.step();
    type_in(&mut h, "Clave", PASS);
    enter_in(&mut h, "Clave");
    assert!(has(&h, "Gómez, Bob"), "Enter logged in");
    click(&mut h, "Salir");
    click(&mut h, "Iniciar sesión");
    assert_eq!(value(&h, "Email"), "", "a shared terminal keeps no email");
    assert_eq!(value(&h, "Clave"), "");
}

#[test]
fn registration_shows_every_error_at_once_states_the_rule_and_clears_an_error_when_its_field_changes()
 {
    let (_t, m) = share("teclado-registro");
    user(&m, "ana@example.com", "Pérez, Ana", 1);
    let mut h = harness(&m);
    settle(&mut h);
    click(&mut h, "Crear cuenta");
    assert!(focused(&h, "Email"));
    // The password rule is stated before it is broken.
    assert!(has(&h, "La clave debe tener al menos 6 caracteres."));
    // Everything empty: every field says what it lacks, at once (Enter submits).
    enter_in(&mut h, "Email");
    for msg in [
        "Falta el email (por ejemplo nombre@dominio.com.ar).",
        "Falta la clave (al menos 6 caracteres).",
        "Falta el apellido y nombre.",
        "Falta el domicilio.",
    ] {
        assert!(has(&h, msg), "{msg}");
    }
    assert!(!has(&h, "«»"), "no quoted empty field");
    // Changing a field clears its error only.
    type_in(&mut h, "Domicilio", "San Martín 1");
    settle(&mut h);
    assert!(!has(&h, "Falta el domicilio."));
    assert!(has(&h, "Falta el apellido y nombre."));
    // A duplicate email: the message goes away as soon as the email changes.
    type_in(&mut h, "Email", "ana@example.com");
    type_in(&mut h, "Clave", "secreta1");
    type_in(&mut h, "Repetir la clave", "secreta2");
    type_in(&mut h, "Apellido y nombre", "Otra, Ana");
    enter_in(&mut h, "Apellido y nombre");
    assert!(has(&h, "Las dos claves no coinciden."));
    type_in(&mut h, "Repetir la clave", "secreta1");
    enter_in(&mut h, "Repetir la clave");
    assert!(has(&h, "Ya hay una cuenta con el email ana@example.com."));
    type_in(&mut h, "Email", "ana2@example.com");
    settle(&mut h);
    assert!(
        !has(&h, "Ya hay una cuenta"),
        "the email changed: its error no longer holds"
    );
    enter_in(&mut h, "Email");
    assert!(has(&h, "Otra, Ana"), "registered and logged in with Enter");
}

#[test]
fn enter_publishes_and_deposits_and_ctrl_enter_sends_an_answer() {
    let (_t, m) = share("teclado-publicar");
    let sol = user(&m, "sol@example.com", "Sosa, Sol", 0);
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 4);
    let mut h = logged_in(
        &m,
        &sol,
        ventalibre::gui::my_publications::MyPublicationsScreen::TAB,
        egui::vec2(1280.0, 860.0),
    );
    click(&mut h, "Publicar un artículo nuevo");
    assert!(focused(&h, "Nombre del artículo"));
    choose(&mut h, "Categoría", "Libros");
    type_in(&mut h, "Nombre del artículo", "Enciclopedia");
    type_in(&mut h, "Descripción", "Doce tomos");
    type_in(&mut h, "Precio ($)", "12.000");
    enter_in(&mut h, "Precio ($)");
    assert!(has(&h, "Artículo publicado con el N.º 1."));
    assert_eq!(m.my_publications(&sol).unwrap()[0].price_cents, 12_000_00);

    // A question arrives; Enter adds a line to the answer, Ctrl+Enter sends it.
    m.ask(&ana, 1, "¿Están todos?").unwrap();
    wait_for(&mut h, "¿Están todos?");
    let field = "Respuesta a Pérez, Ana sobre «Enciclopedia»";
    type_in(&mut h, field, "Sí");
    h.key_press(egui::Key::Enter);
    h.step();
    h.get_by_label(field).type_text("los doce");
    h.step();
    assert_eq!(value(&h, field), "Sí\nlos doce", "Enter adds a line");
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Enter]);
    settle(&mut h);
    assert!(has(&h, "Respuesta enviada."));
    let c = m.conversations(&ana, 1, None).unwrap();
    assert_eq!(c[0].messages[0].answer.as_deref(), Some("Sí\nlos doce"));

    // The wallet: Enter deposits.
    click(&mut h, "Mi billetera");
    assert!(focused(&h, "Importe a depositar"));
    type_in(&mut h, "Importe a depositar", "1500,50");
    enter_in(&mut h, "Importe a depositar");
    assert!(has(&h, "Depósito hecho; saldo: $ 1.500,50."));
    // A refusal stays until the field changes.
    type_in(&mut h, "Importe a retirar", "abc");
    enter_in(&mut h, "Importe a retirar");
    assert!(has(&h, "«abc» no es un importe válido"));
    type_in(&mut h, "Importe a retirar", "10");
    settle(&mut h);
    assert!(!has(&h, "no es un importe válido"));
}

#[test]
fn success_notices_fade_away() {
    let (_t, m) = share("avisos");
    let sol = user(&m, "sol@example.com", "Sosa, Sol", 0);
    let mut h = logged_in(
        &m,
        &sol,
        ventalibre::gui::wallet::WalletScreen::TAB,
        egui::vec2(1280.0, 860.0),
    );
    type_in(&mut h, "Importe a depositar", "100");
    enter_in(&mut h, "Importe a depositar");
    assert!(has(&h, "Depósito hecho"));
    // Frames of 50 ms: past the notice's time and its fade, it is gone.
    let frames = ((ventalibre::gui::notice::NOTICE_SECONDS + ventalibre::gui::notice::FADE_SECONDS)
        / 0.05) as usize
        + 10;
    for _ in 0..frames {
        h.step();
    }
    assert!(!has(&h, "Depósito hecho"), "the notice faded");
}

#[test]
fn escape_closes_the_purchase_dialog_and_it_closes_by_itself_when_the_article_is_sold_elsewhere() {
    let (_t, m) = share("dialogo-compra");
    let vera = user(&m, "vera@example.com", "Vera, Ana", 0);
    let id = publish(
        &m,
        &vera,
        "Deportes",
        "Bicicleta",
        "Rodado 29",
        10_000_00,
        Kind::Used,
    );
    let juan = user(&m, "juan@example.com", "Díaz, Juan", 3);
    let leo = user(&m, "leo@example.com", "López, Leo", 2);
    m.deposit(&juan, 20_000_00).unwrap();
    m.deposit(&leo, 20_000_00).unwrap();
    let mut h = logged_in(&m, &juan, BrowseScreen::TAB, egui::vec2(1280.0, 860.0));
    h.get_by_role_and_label(Role::Link, "Bicicleta").click();
    settle(&mut h);
    click_button(&mut h, "Comprar");
    assert!(has(&h, "¿Comprar este artículo?"));
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(!has(&h, "¿Comprar este artículo?"), "Escape closed it");
    assert_eq!(m.publication(id).unwrap().state, PubState::Published);

    // Open again; another terminal buys it meanwhile: the dialog closes and says why.
    click_button(&mut h, "Comprar");
    assert!(has(&h, "¿Comprar este artículo?"));
    m.buy(&leo, id).unwrap();
    wait_for(
        &mut h,
        "La compra se cerró sin comprar: la publicación está vendida.",
    );
    assert!(!has(&h, "¿Comprar este artículo?"));
    assert!(!screen::<ventalibre::gui::publication::PublicationScreen>(&mut h).confirming());
    assert!(disabled(&h, "Comprar"));
    assert!(has(&h, "No se puede comprar: la publicación está vendida."));
    assert_eq!(
        m.me(&juan).unwrap().balance_cents,
        20_000_00,
        "nothing bought"
    );
}

#[test]
fn a_blocked_user_is_told_the_administrators_reason() {
    let (_t, m) = share("motivo");
    user(&m, "bob@example.com", "Gómez, Bob", 1);
    let a = admin(&m);
    m.block_user(&a, "bob@example.com", "Estafa a compradores")
        .unwrap();
    let mut h = harness(&m);
    settle(&mut h);
    ui_login(&mut h, "bob@example.com", PASS);
    assert!(has(
        &h,
        "Su cuenta está bloqueada por la administración (motivo: Estafa a compradores); no puede continuar."
    ));
}

#[test]
fn the_window_works_at_800_by_600() {
    let (_t, m) = share("angosta");
    let sol = user(
        &m,
        "sol@example.com",
        "Sosa, Sol con un nombre bastante largo",
        0,
    );
    publish(
        &m,
        &sol,
        "Libros",
        "Enciclopedia",
        "Doce tomos",
        12_000_00,
        Kind::Used,
    );
    let mut h = logged_in(
        &m,
        &sol,
        ventalibre::gui::my_publications::MyPublicationsScreen::TAB,
        egui::vec2(800.0, 600.0),
    );
    // "Salir" stays reachable and inside the window.
    let r = h.get_by_label("Salir").rect();
    assert!(r.max.x <= 800.0 && r.min.x >= 0.0, "{r:?}");
    // The list scrolls sideways: its last column is reachable.
    h.get_by_label("Anular").scroll_to_me();
    settle(&mut h);
    click(&mut h, "Salir");
    assert!(has(&h, "Visitante"));
}

/// Issue 15: when another terminal installs a newer program into the share, this window says
/// so at once (the change watcher) with the domain's message, keeps showing the listings, and
/// offers no "open the newer program" button when the share holds none for this system.
#[test]
fn the_window_says_when_a_newer_program_owns_the_share() {
    use ventalibre::domain::version::{NEWER_PROGRAM_MESSAGE, ProgramVersion, VERSION_FILE};
    let (_t, m) = share("version");
    let mut h = harness(&m);
    settle(&mut h);
    assert!(!has(&h, NEWER_PROGRAM_MESSAGE));
    // What an installation of VentaLibre 99.0.0 by another terminal records: the oldest
    // program that may modify the share (field 1 of VERSION.DAT's control area).
    let newer = ProgramVersion {
        major: 99,
        minor: 0,
        patch: 0,
    };
    m.share()
        .write(|tx| tx.set_control(VERSION_FILE, 1, newer.pack()))
        .unwrap();
    wait_for(&mut h, NEWER_PROGRAM_MESSAGE);
    settle(&mut h);
    assert!(has(&h, "puede consultar la carpeta, pero no modificarla"));
    assert!(!has(&h, "Abrir VentaLibre"), "no programa/ in this share");
    assert!(has(&h, "Explorar"), "the listings stay");
}

/// Issue 15: from the chooser, "Instalar VentaLibre aquí" creates the share in an empty folder,
/// puts the program and the launchers in it, and opens it.
#[test]
fn the_chooser_installs_the_program_into_a_new_share() {
    setup();
    let t = TempDir::new("chooser-install");
    let dir = t.path().join("ventas");
    std::fs::create_dir_all(&dir).unwrap();
    let app = App::new(None, dir.clone()).with_config_dir(Some(t.path().join("config")));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 700.0))
        .with_step_dt(0.05)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    click(&mut h, "Instalar VentaLibre aquí");
    assert!(h.state_mut().market_ui().is_some(), "the new share is open");
    let program = ventalibre::domain::install::program_in_share(&dir);
    assert!(program.is_file(), "{}", program.display());
    for launcher in [
        "VentaLibre.cmd",
        "VentaLibre.desktop",
        "ventalibre.sh",
        "VentaLibre.command",
    ] {
        assert!(dir.join(launcher).is_file(), "{launcher}");
    }
    // (the "program" of this test is the test binary; remove its large copy at once)
    std::fs::remove_file(&program).unwrap();
}
