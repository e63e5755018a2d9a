//! Explorar driven through egui_kittest over a temporary share: the table is as long as the
//! total but holds only the pages in view, reads the next ones as it scrolls, sorts by a
//! click on the price header, filters by a price range and condition, refreshes in place when
//! another terminal publishes, and finds plurals ("guitarras" → "Guitarra criolla").

use egui::accesskit::Role;
use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, TouchPhase, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ventalibre::domain::Kind;
use ventalibre::domain::catalog::SortOrder;
use ventalibre::gui::App;
use ventalibre::gui::browse::{BrowseScreen, PAGE_ROWS};

mod gui_support;
use gui_support::*;

fn browse<'a>(h: &'a mut Harness<'static, App>) -> &'a mut BrowseScreen {
    screen::<BrowseScreen>(h)
}

fn wheel(h: &mut Harness<'static, App>, dy: f32) {
    h.hover_at(egui::pos2(640.0, 600.0));
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: vec2(0.0, dy),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    });
    for _ in 0..10 {
        h.step();
    }
    settle(h);
}

/// 130 listings, prices all different: "Artículo 000" … "Artículo 129", every third new.
fn price_of(i: i64) -> i64 {
    ((i * 37) % 130 + 1) * 1000_00
}

#[test]
fn explorar_reads_pages_as_the_table_scrolls_sorts_by_header_and_filters() {
    let (_t, m) = share("paginas");
    let sol = user(&m, "sol@example.com", "Sosa, Sol", 2);
    for i in 0..130i64 {
        publish(
            &m,
            &sol,
            "Libros",
            &format!("Artículo {i:03}"),
            "Usado, buen estado",
            price_of(i),
            if i % 3 == 0 { Kind::New } else { Kind::Used },
        );
    }
    let mut h = harness(&m);
    settle(&mut h);
    assert!(has(&h, "130 publicaciones a la venta"));
    // Newest first; only the first page is held.
    let rows = browse(&mut h).rows();
    assert_eq!(rows.len(), PAGE_ROWS);
    assert_eq!(&*rows[0].title, "Artículo 129");
    assert!(browse(&mut h).pages_held() <= 2);
    assert!(!has(&h, "Artículo 000"), "the last row is not read yet");

    // Scrolling to the end reads the last page, and the table still holds a few pages only.
    for _ in 0..12 {
        wheel(&mut h, -2000.0);
    }
    assert!(
        has(&h, "Artículo 000"),
        "the last page is read when in view"
    );
    assert!(browse(&mut h).pages_held() <= 3);
    wheel(&mut h, 1e9);

    // A click on the price header sorts by price, cheapest first; another, dearest first.
    click_button(&mut h, "Precio");
    assert_eq!(browse(&mut h).filter.sort, SortOrder::PriceAsc);
    let prices: Vec<i64> = browse(&mut h)
        .rows()
        .iter()
        .map(|r| r.price_cents)
        .collect();
    assert_eq!(prices.len(), PAGE_ROWS);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    assert_eq!(prices[0], 1000_00);
    click_button(&mut h, "Precio");
    assert_eq!(browse(&mut h).filter.sort, SortOrder::PriceDesc);
    assert_eq!(browse(&mut h).rows()[0].price_cents, 130 * 1000_00);

    // A price range: $ 10.000 to $ 20.000 are 11 listings; only new ones: those with i % 3 == 0.
    type_in(&mut h, "Precio desde", "10.000");
    type_in(&mut h, "hasta", "20.000");
    click_button(&mut h, "Buscar");
    assert!(has(&h, "11 publicaciones a la venta"));
    let rows = browse(&mut h).rows();
    assert!(
        rows.iter()
            .all(|r| (10_000_00..=20_000_00).contains(&r.price_cents))
    );
    let want_new = (0..130)
        .filter(|i| i % 3 == 0 && (10_000_00..=20_000_00).contains(&price_of(*i)))
        .count();
    choose(&mut h, "Condición", "Solo nuevos");
    assert!(has(
        &h,
        &format!(
            "{want_new} publicaci{} a la venta",
            if want_new == 1 { "ón" } else { "ones" }
        )
    ));
    assert!(browse(&mut h).rows().iter().all(|r| r.kind == Kind::New));

    // A bad amount is said, and the filter stays as it was.
    type_in(&mut h, "hasta", "veinte");
    click_button(&mut h, "Buscar");
    assert!(has(&h, "«veinte» no es un importe válido"));
    assert_eq!(browse(&mut h).filter.max_price, Some(20_000_00));

    // Another terminal publishes a new one in range: the page in view is read again in place.
    click(&mut h, "Quitar filtros");
    assert!(has(&h, "130 publicaciones a la venta"));
    let other = ventalibre::domain::Market::open(m.dir(), false).unwrap();
    let leo = user(&other, "leo@example.com", "López, Leo", 1);
    publish(
        &other,
        &leo,
        "Libros",
        "Enciclopedia nueva",
        "Completa",
        5_00,
        Kind::New,
    );
    wait_for(&mut h, "131 publicaciones a la venta");
    settle(&mut h);
    assert_eq!(&*browse(&mut h).rows()[0].title, "Enciclopedia nueva");
    assert!(h.query_by_label("Enciclopedia nueva").is_some());
    assert!(
        h.query_all_by_role(Role::Button).count() > 0,
        "the window is still usable"
    );
}

#[test]
fn a_plural_search_finds_the_singular() {
    let (_t, m) = share("plural");
    let leo = user(&m, "leo@example.com", "López, Leo", 2);
    publish(
        &m,
        &leo,
        "Instrumentos musicales",
        "Guitarra criolla",
        "Cuerdas nuevas",
        20_000_00,
        Kind::Used,
    );
    publish(
        &m,
        &leo,
        "Electrónica",
        "Televisor 50 pulgadas",
        "Con control remoto",
        300_000_00,
        Kind::New,
    );
    publish(
        &m,
        &leo,
        "Hogar y muebles",
        "Lámpara de pie",
        "Tres luces, ideal para guitarristas",
        15_000_00,
        Kind::Used,
    );
    let mut h = harness(&m);
    settle(&mut h);
    for (typed, found) in [
        ("guitarras", "Guitarra criolla"),
        ("GUITARRAS criollas", "Guitarra criolla"),
        ("televisores", "Televisor 50 pulgadas"),
        ("luz", "Lámpara de pie"),
    ] {
        type_in(&mut h, "Buscar en nombre y descripción", typed);
        click_button(&mut h, "Buscar");
        assert!(has(&h, "1 publicación a la venta"), "«{typed}»");
        assert_eq!(&*browse(&mut h).rows()[0].title, found, "«{typed}»");
    }
}
