//! The shop's screens (issue 13) driven through egui_kittest over a temporary share: public
//! questions and answers, the news badge and «Novedades», «Mis favoritos» with the heart,
//! saved searches, the photo editor (six photos, a chosen cover) and the gallery, the seller's
//! page with the reputation and the buyers' comments. Other terminals act through their own
//! `Market` on the same folder.

use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ventalibre::domain::catalog::PublicationChanges;
use ventalibre::domain::{DomainError, Kind, Market, PubState, Rating};
use ventalibre::gui::App;
use ventalibre::gui::browse::BrowseScreen;
use ventalibre::gui::favourites::FavouritesScreen;
use ventalibre::gui::gallery::GalleryEditorScreen;
use ventalibre::gui::my_publications::MyPublicationsScreen;
use ventalibre::gui::news::NewsScreen;
use ventalibre::gui::publication::PublicationScreen;
use ventalibre::gui::seller::SellerScreen;

mod gui_support;
use gui_support::*;

const BIG: egui::Vec2 = egui::vec2(1280.0, 860.0);
const SMALL: egui::Vec2 = egui::vec2(800.0, 600.0);

/// The top of the node whose label is exactly `label` (to compare what is above what).
fn top(h: &Harness<'static, App>, label: &str) -> f64 {
    h.get_by_label(label)
        .accesskit_node()
        .bounding_box()
        .expect("laid out")
        .y0
}

fn open_listing(h: &mut Harness<'static, App>, title: &str) {
    h.get_by_role_and_label(Role::Link, title).scroll_to_me();
    h.step();
    h.get_by_role_and_label(Role::Link, title).click();
    settle(h);
}

/// A second terminal: its own `Market` on the same folder.
fn other_terminal(m: &Arc<Market>) -> Arc<Market> {
    Arc::new(Market::open(m.dir(), false).unwrap())
}

#[test]
fn a_visitor_reads_every_question_newest_first_and_the_seller_answers_the_newer_first() {
    let (_t, m) = share("qa-publicas");
    let ana = user(&m, "ana@example.com", "Pérez, Ana María", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@example.com", "Fernández, Lucía", 1);
    let id = publish(
        &m,
        &ana,
        "Instrumentos musicales",
        "Guitarra criolla",
        "Con funda",
        150_000_00,
        Kind::Used,
    );
    m.ask(&juan, id, "¿Viene con funda rígida?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    m.ask(&lu, id, "¿Hacés envíos a Rosario?").unwrap();

    // A visitor: both questions, the newer above, askers by first name, no e-mail anywhere.
    let mut h = harness(&m);
    settle(&mut h);
    open_listing(&mut h, "Guitarra criolla");
    assert!(has(&h, "Preguntas y respuestas (2)"));
    assert!(top(&h, "¿Hacés envíos a Rosario?") < top(&h, "¿Viene con funda rígida?"));
    assert!(has(&h, "Lucía") && has(&h, "Juan"));
    assert!(!has(&h, "@example.com"), "an e-mail is shown to a visitor");
    assert!(!has(&h, "Fernández"), "a surname is shown to a visitor");
    assert!(has(&h, "inicie sesión"));

    // The seller, in her window, answers the newer question first.
    let mut s = harness(&m);
    settle(&mut s);
    ui_login(&mut s, "ana@example.com", PASS);
    open_listing(&mut s, "Guitarra criolla");
    assert!(has(&s, "Tiene 2 sin responder"));
    type_in(
        &mut s,
        "Respuesta a la pregunta de Lucía (Ctrl+Enter la envía)",
        "Sí, por correo.",
    );
    let first = s
        .query_all_by_role_and_label(Role::Button, "Responder")
        .next()
        .unwrap();
    first.click();
    settle(&mut s);
    let qs = m.public_questions(id).unwrap();
    assert_eq!(qs[0].question, "¿Hacés envíos a Rosario?");
    assert_eq!(qs[0].answer.as_deref(), Some("Sí, por correo."));
    assert_eq!(qs[1].answer, None);
    assert!(has(&s, "Tiene 1 sin responder"));

    // The visitor's open page shows the answer without being reopened.
    wait_for(&mut h, "Sí, por correo.");
}

#[test]
fn the_news_badge_counts_what_another_terminal_asks_buys_and_rates() {
    let (_t, m) = share("novedades");
    let other = other_terminal(&m);
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let id = publish(
        &m,
        &ana,
        "Electrónica",
        "Notebook Lenovo",
        "i5, 16 GB",
        500_000_00,
        Kind::Used,
    );
    let mut h = logged_in(&m, &ana, BrowseScreen::TAB, BIG);
    assert!(!has(&h, "1 novedad") && !has(&h, "Novedades ("));

    other.ask(&juan, id, "¿Tiene cargador?").unwrap();
    wait_for(&mut h, "1 novedad");
    other.deposit(&juan, 500_000_00).unwrap();
    let buy = other.buy(&juan, id).unwrap();
    wait_for(&mut h, "2 novedades");
    other
        .rate_with_comment(
            &juan,
            buy.sale,
            Rating::Recommend,
            "Excelente, todo perfecto.",
        )
        .unwrap();
    wait_for(&mut h, "3 novedades");
    assert!(has(&h, "Novedades (3)"));

    // The badge opens the list: the three, newest first, marked new on this visit.
    click_button(&mut h, "3 novedades");
    assert!(has(&h, "3 nuevas desde su última visita."));
    assert!(has(&h, "Excelente, todo perfecto."));
    assert!(has(
        &h,
        "Juan preguntó en «Notebook Lenovo»: ¿Tiene cargador?"
    ));
    assert_eq!(h.query_all_by_label("Nueva").count(), 3);
    assert!(top(&h, "Calificación") < top(&h, "Venta"));
    assert!(top(&h, "Venta") < top(&h, "Pregunta"));
    // Seen now, on every terminal: the badge is gone.
    assert_eq!(other.unseen_news(&ana).unwrap(), 0);
    settle(&mut h);
    assert!(!has(&h, "3 novedades"));
    assert!(
        has(&h, "3 nuevas desde su última visita."),
        "this visit keeps them marked"
    );

    // A link leads to the listing.
    let link = h
        .query_all_by_role_and_label(Role::Link, "Ver «Notebook Lenovo»")
        .next()
        .unwrap();
    link.click();
    settle(&mut h);
    assert_eq!(screen::<PublicationScreen>(&mut h).id, Some(id));
}

#[test]
fn the_heart_adds_a_favourite_whose_price_drop_and_sale_show_in_mis_favoritos() {
    let (_t, m) = share("favoritos");
    let other = other_terminal(&m);
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@example.com", "Fernández, Lucía", 1);
    let id = publish(
        &m,
        &ana,
        "Hogar y muebles",
        "Heladera Gafa",
        "No frost, 360 litros",
        600_000_00,
        Kind::Used,
    );
    let mut h = logged_in(&m, &juan, BrowseScreen::TAB, BIG);
    open_listing(&mut h, "Heladera Gafa");
    click_button(&mut h, "Agregar a favoritos");
    assert!(has(&h, "En sus favoritos"));
    assert!(m.is_favourite(&juan, id).unwrap());

    click(&mut h, "Mis favoritos");
    assert!(has(&h, "a la venta"));
    other
        .edit_publication(
            &ana,
            id,
            PublicationChanges {
                price: Some(540_000_00),
                ..Default::default()
            },
        )
        .unwrap();
    wait_for(&mut h, "Bajó $ 60.000,00");
    other.deposit(&lu, 540_000_00).unwrap();
    other.buy(&lu, id).unwrap();
    wait_for(&mut h, "Vendida");
    assert!(!screen::<FavouritesScreen>(&mut h).list()[0].for_sale);

    // «Quitar» takes it off the list.
    click_button(&mut h, "Quitar");
    assert!(has(&h, "Todavía no tiene favoritos"));
    assert!(!m.is_favourite(&juan, id).unwrap());

    // The seller gets no heart on her own listing.
    let mut s = logged_in(&m, &ana, BrowseScreen::TAB, BIG);
    let ctx = s.ctx.clone();
    mui(&mut s).open(PublicationScreen::TAB, id, &ctx);
    settle(&mut s);
    assert!(!has(&s, "Agregar a favoritos"));
}

#[test]
fn a_search_saved_in_explorar_announces_a_new_listing_in_novedades() {
    let (_t, m) = share("busquedas");
    let other = other_terminal(&m);
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let mut h = logged_in(&m, &juan, BrowseScreen::TAB, BIG);
    type_in(&mut h, "Buscar en nombre y descripción", "guitarras");
    // The price range of Explorar goes with the search.
    type_in(&mut h, "Precio desde", "100.000");
    type_in(&mut h, "hasta", "200.000");
    enter_in(&mut h, "Buscar en nombre y descripción");
    click_button(&mut h, "Guardar esta búsqueda");
    assert!(has(&h, "Búsqueda guardada"), "no notice after saving");
    let saved = m.saved_searches(&juan).unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].spec.min_price, Some(100_000_00), "{saved:?}");
    assert_eq!(saved[0].spec.max_price, Some(200_000_00), "{saved:?}");
    // The same search twice is refused, saying why.
    click_button(&mut h, "Guardar esta búsqueda");
    assert_eq!(m.saved_searches(&juan).unwrap().len(), 1);

    // Another terminal publishes a guitar (singular): it is news here.
    let id = publish(
        &other,
        &ana,
        "Instrumentos musicales",
        "Guitarra criolla Fonseca",
        "Modelo 25",
        150_000_00,
        Kind::Used,
    );
    wait_for(&mut h, "1 novedad");
    click_button(&mut h, "1 novedad");
    assert!(has(&h, "Nueva publicación para su búsqueda"));
    assert!(has(&h, "Guitarra criolla Fonseca"));

    click(&mut h, "Búsquedas guardadas");
    assert!(has(&h, "guitarras"));
    assert!(has(&h, "1 nueva"));
    // Its results are Explorar's, on the saved filter (the fields show it).
    click_button(&mut h, "Ver resultados");
    wait_for(&mut h, "Guitarra criolla Fonseca");
    {
        let b = screen::<BrowseScreen>(&mut h);
        assert_eq!(b.filter.search.as_deref(), Some("guitarras"));
        assert_eq!(b.filter.min_price, Some(100_000_00));
        assert_eq!(b.min_price_text, "100.000,00");
        assert_eq!(b.rows().len(), 1);
    }
    open_listing(&mut h, "Guitarra criolla Fonseca");
    assert_eq!(screen::<PublicationScreen>(&mut h).id, Some(id));
    click(&mut h, "Búsquedas guardadas");
    assert!(has(&h, "nada nuevo"));
    click_button(&mut h, "Borrar");
    assert!(has(&h, "No tiene búsquedas guardadas"));
    assert!(m.saved_searches(&juan).unwrap().is_empty());
}

#[test]
fn six_photos_with_a_chosen_cover_in_the_editor_and_the_gallery_enlarges_them() {
    let (t, m) = share("seis-fotos");
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
    let files: Vec<_> = (0..7)
        .map(|i| {
            let p = t.path().join(format!("foto{i}.png"));
            image::RgbImage::from_fn(160, 120, |x, y| {
                image::Rgb([(x as u8).wrapping_mul(i + 1), y as u8, 40 * i])
            })
            .save(&p)
            .unwrap();
            p
        })
        .collect();
    let mut h = logged_in(&m, &ana, MyPublicationsScreen::TAB, BIG);
    click_button(&mut h, "Fotos");
    assert!(has(&h, "Fotos de «Bicicleta rodado 29»"));
    for (n, f) in files.iter().take(6).enumerate() {
        let field = format!("Agregar una foto ({n} de 6)");
        type_in(&mut h, &field, &f.display().to_string());
        enter_in(&mut h, &field);
        settle(&mut h);
        assert_eq!(
            screen::<GalleryEditorScreen>(&mut h).order().len(),
            n + 1,
            "photo {n} was not added"
        );
    }
    // With six there is no seventh.
    assert!(has(&h, "Tiene las 6 fotos posibles"));
    assert!(!has(&h, "Agregar una foto"));
    let png7 = std::fs::read(&files[6]).unwrap();
    let ctx = h.ctx.clone();
    assert!(!screen::<GalleryEditorScreen>(&mut h).add_photo(&ctx, png7));
    settle(&mut h);
    assert!(has(&h, "Ya tiene 6 fotos"));

    click_button(&mut h, "Guardar las fotos");
    assert!(has(&h, "Fotos guardadas"));
    let saved = m.gallery(id).unwrap().photos;
    assert_eq!(saved.len(), 6);

    // The third becomes the cover; the last is removed.
    let third = h
        .query_all_by_role_and_label(Role::Button, "Elegir como portada")
        .nth(1)
        .unwrap();
    third.click();
    settle(&mut h);
    let quitar = h
        .query_all_by_role_and_label(Role::Button, "Quitar")
        .last()
        .unwrap();
    quitar.click();
    settle(&mut h);
    click_button(&mut h, "Guardar las fotos");
    let now = m.gallery(id).unwrap().photos;
    assert_eq!(now.len(), 5);
    assert_eq!(now[0], saved[2]);
    assert_eq!(
        &now[1..],
        &[&saved[0], &saved[1], &saved[3], &saved[4]].map(|s| s.clone())
    );
    assert_eq!(
        m.publication(id).unwrap().photo.as_deref(),
        Some(saved[2].as_str())
    );

    // A visitor's gallery: the cover large, five in the strip; a click enlarges, arrows move.
    let mut v = harness(&m);
    settle(&mut v);
    open_listing(&mut v, "Bicicleta rodado 29");
    assert!(has(&v, "foto 1 de 5 (clic para agrandar)"));
    assert!(has(&v, "foto 5"));
    v.get_by_label("foto 1 de 5 (clic para agrandar)").click();
    settle(&mut v);
    assert!(has(&v, "Foto 1 de 5"));
    v.key_press(egui::Key::ArrowRight);
    settle(&mut v);
    assert!(has(&v, "Foto 2 de 5"));
    v.key_press(egui::Key::Escape);
    settle(&mut v);
    assert!(!has(&v, "Foto 2 de 5"));
}

#[test]
fn the_seller_page_shows_reputation_listings_and_comments_and_the_buyer_gets_the_contact() {
    let (_t, m) = share("vendedor");
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let a = publish(
        &m,
        &ana,
        "Libros",
        "Novela Rayuela",
        "Primera edición",
        20_000_00,
        Kind::Used,
    );
    let b = publish(
        &m,
        &ana,
        "Libros",
        "Enciclopedia Salvat",
        "Completa",
        90_000_00,
        Kind::Used,
    );
    publish(
        &m,
        &ana,
        "Libros",
        "Libro de cuentos",
        "Borges",
        15_000_00,
        Kind::Used,
    );
    m.deposit(&juan, 200_000_00).unwrap();
    m.buy(&juan, a).unwrap();
    let s2 = m.buy(&juan, b).unwrap();
    m.rate(&juan, s2.sale, Rating::Neutral).unwrap();

    // The buyer rates the other purchase with a comment, from the listing's page, and sees
    // how to reach the seller.
    let mut h = logged_in(&m, &juan, BrowseScreen::TAB, BIG);
    let ctx = h.ctx.clone();
    mui(&mut h).open(PublicationScreen::TAB, a, &ctx);
    settle(&mut h);
    assert!(has(&h, "Cómo contactar a quien vende"));
    assert!(has(&h, "ana@example.com"));
    type_in(
        &mut h,
        "Comentario para otros compradores (opcional)",
        "Impecable, tal cual la foto.",
    );
    click_button(&mut h, "Calificar: recomendable");
    assert!(has(&h, "Su calificación: recomendable"));
    assert_eq!(m.publication(a).unwrap().state, PubState::Sold);

    // A visitor goes from a listing to the seller's page.
    let mut v = harness(&m);
    settle(&mut v);
    open_listing(&mut v, "Libro de cuentos");
    assert!(has(&v, "50 % de recomendaciones, 2 ventas"));
    click(&mut v, "Pérez, Ana");
    assert_eq!(screen::<SellerScreen>(&mut v).id, Some(ana.user_id));
    assert!(has(&v, "A la venta (1)"));
    assert!(has(&v, "Calificaciones recibidas (2)"));
    assert!(has(&v, "«Impecable, tal cual la foto.»"));
    assert!(has(&v, "Juan compró «Novela Rayuela»"));
    assert!(!has(&v, "juan@example.com"));
    open_listing(&mut v, "Libro de cuentos");
    assert!(has(&v, "Borges"));
}

#[test]
fn the_shop_screens_fit_in_800_by_600() {
    let (_t, m) = share("pantalla-chica");
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let id = publish(
        &m,
        &ana,
        "Electrónica",
        "Parlante bluetooth JBL",
        "Como nuevo",
        80_000_00,
        Kind::Used,
    );
    m.ask(&juan, id, "¿Tiene garantía?").unwrap();
    m.add_favourite(&juan, id).unwrap();
    let mut h = logged_in(&m, &ana, NewsScreen::TAB, SMALL);
    assert!(has(&h, "Juan preguntó"));
    let ctx = h.ctx.clone();
    mui(&mut h).open(PublicationScreen::TAB, id, &ctx);
    settle(&mut h);
    assert!(has(&h, "¿Tiene garantía?"));
    assert!(has(
        &h,
        "Respuesta a la pregunta de Juan (Ctrl+Enter la envía)"
    ));
    mui(&mut h).open(SellerScreen::TAB, ana.user_id, &ctx);
    settle(&mut h);
    assert!(has(&h, "A la venta (1)"));
    let mut j = logged_in(&m, &juan, FavouritesScreen::TAB, SMALL);
    assert!(has(&j, "Parlante bluetooth JBL"));
    assert!(has(&j, "Quitar"));
    for label in ["Mis favoritos", "Búsquedas guardadas", "Novedades"] {
        click_button(&mut j, label);
    }
}

#[test]
fn a_buyer_is_not_offered_the_heart_on_what_they_bought_and_the_messages_say_argentine_money() {
    let (_t, m) = share("comprada");
    let ana = user(&m, "ana@example.com", "Pérez, Ana", 2);
    let juan = user(&m, "juan@example.com", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@example.com", "Fernández, Lucía", 1);
    let id = publish(
        &m,
        &ana,
        "Electrónica",
        "Parlante bluetooth JBL",
        "Como nuevo",
        1_234_50,
        Kind::Used,
    );
    // Lucía follows it before Juan buys it.
    m.add_favourite(&lu, id).unwrap();

    // Juan has no money: the purchase is refused in Argentine money.
    let mut h = logged_in(&m, &juan, BrowseScreen::TAB, BIG);
    open_listing(&mut h, "Parlante bluetooth JBL");
    assert!(has(&h, "Agregar a favoritos"));
    let e = m.buy(&juan, id).unwrap_err().to_string();
    assert!(
        e.contains("su billetera tiene $ 0,00 y el artículo cuesta $ 1.234,50"),
        "{e}"
    );
    m.deposit(&juan, 2_000_00).unwrap();
    m.buy(&juan, id).unwrap();
    settle(&mut h);
    let ctx = h.ctx.clone();
    mui(&mut h).open(PublicationScreen::TAB, id, &ctx);
    settle(&mut h);
    assert!(has(&h, "Parlante bluetooth JBL"));
    assert!(
        !has(&h, "Agregar a favoritos"),
        "offered on a listing he bought"
    );
    assert!(!has(&h, "En sus favoritos"));
    // The domain refuses it too, with the reason.
    let e = m.add_favourite(&juan, id).unwrap_err();
    assert!(matches!(e, DomainError::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("ya la compró"), "{e}");

    // Lucía still sees hers and may take it off; nobody may add the sold listing.
    let mut l = logged_in(&m, &lu, BrowseScreen::TAB, BIG);
    let ctx = l.ctx.clone();
    mui(&mut l).open(PublicationScreen::TAB, id, &ctx);
    settle(&mut l);
    assert!(has(&l, "En sus favoritos"));
    click_button(&mut l, "En sus favoritos");
    assert!(!m.is_favourite(&lu, id).unwrap());
    assert!(!has(&l, "Agregar a favoritos"));
    assert!(!has(&l, "En sus favoritos"));
    assert!(m.add_favourite(&lu, id).is_err());
}
