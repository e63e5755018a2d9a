//! The administrator's panels, driven through egui_kittest over a temporary share built with
//! the domain API. Panels run in synchronous mode (every share operation finishes within the
//! frame that starts it) except in `panels_also_work_asynchronously`, which steps the harness
//! until the worker threads answer.

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Local};
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::NewPublication;
use ventalibre::domain::check::{Tree, tree_text};
use ventalibre::domain::reports::ReportParams;
use ventalibre::domain::{DomainError, Kind, Market, Session, format_cents};
use ventalibre::gui::admin::{AdminPanels, AdminTab};

const PASSWORD: &str = "secreta1";

/// A share in a scratch folder, removed when dropped.
struct Share {
    dir: PathBuf,
    market: Arc<Market>,
    admin: Session,
}

impl Drop for Share {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn share(name: &str) -> Share {
    static FAST_KDF: Once = Once::new();
    // SAFETY: set once, before any test creates a user; every test wants the same value.
    FAST_KDF.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
    let dir = std::env::temp_dir().join(format!("vl-gui-admin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let market = Arc::new(Market::open(&dir, true).unwrap());
    let admin = market.login("admin@ventalibre.com.ar", "newton").unwrap();
    // The initial password must be changed before anything else (issue 11, defect 8).
    market
        .change_password(&admin, "newton", "clave-de-la-administracion")
        .unwrap();
    Share { dir, market, admin }
}

fn user(m: &Market, email: &str, name: &str) -> Session {
    m.register(NewUser {
        email: email.into(),
        password: PASSWORD.into(),
        name: name.into(),
        address: "Calle 123".into(),
        province: 1,
        phone: "+54 11 5555-0000".into(),
        photo: None,
    })
    .unwrap();
    m.login(email, PASSWORD).unwrap()
}

fn publish(m: &Market, s: &Session, category: u64, title: &str, cents: i64) -> u64 {
    m.publish(
        s,
        NewPublication {
            category,
            title: title.into(),
            description: format!("{title} en buen estado"),
            price: cents,
            kind: Kind::Used,
            closes: Local::now().date_naive() + Days::days(30),
            photo: None,
        },
    )
    .unwrap()
}

fn harness(s: &Share) -> Harness<'static, AdminPanels> {
    let panels = AdminPanels::new(s.market.clone(), s.admin.clone()).synchronous(true);
    Harness::builder()
        .with_size(egui::vec2(1500.0, 1100.0))
        .with_max_steps(32)
        .build_ui_state(|ui, p: &mut AdminPanels| p.ui(ui), panels)
}

/// Replaces the text of the field labelled `label`.
fn retype(h: &mut Harness<'_, AdminPanels>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.key_press(Key::Delete);
    h.run();
    if !text.is_empty() {
        h.get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
        h.run();
    }
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, label)
            .value()
            .as_deref(),
        Some(text)
    );
}

#[test]
fn blocking_a_user_refuses_their_next_login() {
    let s = share("bloqueo");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    s.market.logout(&ana).unwrap();
    let mut h = harness(&s);
    h.get_by_label("Usuarios").click();
    h.run();
    // The user list shows her, active.
    h.get_by_label("ana@ejemplo.com.ar");
    retype(&mut h, "Email del usuario", "ana@ejemplo.com.ar");
    h.run();
    h.get_by_label("Bloquear").click();
    h.run();
    h.get_by_label_contains("quedó bloqueado");
    h.get_by_label("bloqueado");
    match s.market.login("ana@ejemplo.com.ar", PASSWORD) {
        Err(DomainError::Denied(msg)) => assert!(msg.contains("bloqueada"), "{msg}"),
        other => panic!("a blocked user logged in: {other:?}"),
    }
    // The listing of blocked users has her, with her phone.
    h.get_by_label("Usuarios bloqueados").click();
    h.run();
    h.get_by_label("Gómez, Ana");
    h.get_by_label("+54 11 5555-0000");
    h.get_by_label("1 usuarios");
    // Unblocked, she can enter again.
    h.get_by_label("Bloqueo y desbloqueo").click();
    h.run();
    h.get_by_label("Desbloquear").click();
    h.run();
    h.get_by_label_contains("quedó desbloqueado");
    assert!(s.market.login("ana@ejemplo.com.ar", PASSWORD).is_ok());
}

#[test]
fn a_category_with_articles_is_refused_for_deletion_and_change() {
    let s = share("categorias");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let cats = s.market.categories().unwrap();
    let books = cats.iter().find(|c| c.name == "Libros").unwrap().key;
    publish(&s.market, &ana, books, "Novela", 150_000);
    let mut h = harness(&s);
    h.run();
    // The ABM list shows the count of publications.
    h.get_by_label("Libros").click();
    h.run();
    h.get_by_label_contains("Tiene 1 publicaciones");
    h.get_by_label("Borrar categoría").click();
    h.run();
    h.get_by_label("Sí, borrar").click();
    h.run();
    let refusal = format!(
        "No se pudo borrar la categoría {books}: la categoría {books} tiene 1 artículos publicados o vendidos: no se puede modificar ni borrar"
    );
    h.get_by_label(&refusal);
    assert!(
        s.market
            .categories()
            .unwrap()
            .iter()
            .any(|c| c.key == books),
        "the category was deleted"
    );
    // A change is refused too.
    retype(&mut h, "Comisión (%)", "9");
    h.get_by_label("Guardar cambios").click();
    h.run();
    h.get_by_label_contains(&format!(
        "No se pudo modificar la categoría {books}: la categoría {books} tiene 1 artículos"
    ));
    assert_eq!(
        s.market
            .categories()
            .unwrap()
            .iter()
            .find(|c| c.key == books)
            .unwrap()
            .commission_bp,
        500
    );

    // A new category can be added, changed and deleted.
    retype(&mut h, "Nombre de la nueva categoría", "Jardinería");
    retype(&mut h, "Comisión de la nueva categoría (%)", "7,5");
    h.run();
    h.get_by_label("Agregar categoría").click();
    h.run();
    h.get_by_label_contains("Se agregó la categoría");
    let garden = s
        .market
        .categories()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Jardinería")
        .unwrap();
    assert_eq!(garden.commission_bp, 750);
    h.get_by_label("Jardinería").click();
    h.run();
    retype(&mut h, "Comisión (%)", "6");
    h.get_by_label("Guardar cambios").click();
    h.run();
    h.get_by_label(&format!("Se modificó la categoría {}.", garden.key));
    assert_eq!(
        s.market
            .categories()
            .unwrap()
            .iter()
            .find(|c| c.key == garden.key)
            .unwrap()
            .commission_bp,
        600
    );
    h.get_by_label("Borrar categoría").click();
    h.run();
    h.get_by_label("Sí, borrar").click();
    h.run();
    h.get_by_label(&format!("Se borró la categoría {}.", garden.key));
    assert!(
        !s.market
            .categories()
            .unwrap()
            .iter()
            .any(|c| c.key == garden.key)
    );
}

#[test]
fn sales_between_dates_show_commission_and_totals_at_the_foot() {
    let s = share("ventas");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let beto = user(&s.market, "beto@ejemplo.com.ar", "Díaz, Beto");
    let cats = s.market.categories().unwrap();
    let books = cats.iter().find(|c| c.name == "Libros").unwrap().key; // 5 %
    let tools = cats
        .iter()
        .find(|c| c.name == "Herramientas eléctricas")
        .unwrap()
        .key; // 8 %
    let p1 = publish(&s.market, &ana, books, "Novela", 100_000);
    let p2 = publish(&s.market, &ana, tools, "Taladro", 2_500_050);
    publish(&s.market, &ana, tools, "Amoladora", 900_000);
    s.market.deposit(&beto, 10_000_000).unwrap();
    s.market.buy(&beto, p1).unwrap();
    s.market.buy(&beto, p2).unwrap();
    let today = Local::now().date_naive();
    let expected = s
        .market
        .report(
            &s.admin,
            "ventas-entre-fechas",
            &ReportParams {
                from: Some(today),
                to: Some(today),
                ..Default::default()
            },
        )
        .unwrap();

    let mut h = harness(&s);
    h.get_by_label("Publicaciones y conversaciones").click();
    h.run();
    h.get_by_label("Ventas entre fechas").click();
    h.run();
    let day = today.format("%Y-%m-%d").to_string();
    retype(&mut h, "Desde", &day);
    retype(&mut h, "Hasta", &day);
    h.get_by_label("Generar listado").click();
    h.run();
    h.get_by_label(&expected.title);
    h.get_by_label("2 ventas");
    // Totals: amount, commission (5 % of 1000.00 + 8 % of 25000.50) and collection state.
    let amount = format_cents(100_000 + 2_500_050);
    let commission = format_cents(5_000 + 200_004);
    assert_eq!(expected.footer[5], amount);
    assert_eq!(expected.footer[7], commission);
    h.get_by_label(&amount);
    h.get_by_label(&commission);
    h.get_by_label(&format!("cobrado 0.00 / pendiente {commission}"));
    // The same foot in one line that stays in view above the table.
    h.get_by_label(&format!(
        "Totales: 2 ventas · Importe: {amount} · Comisión: {commission} · cobrado 0.00 / pendiente {commission}"
    ));
    assert_eq!(h.query_all_by_label("pendiente").count(), 2);

    // Export to CSV and "print" to a text file. In synchronous mode no file dialog opens; the
    // path field that stands in for a missing dialog is used instead.
    for (button, ext, expected_text) in [
        ("Exportar CSV…", "csv", expected.to_csv()),
        ("Imprimir a archivo…", "txt", expected.to_text()),
    ] {
        let path = s.dir.join(format!("ventas.{ext}"));
        h.get_by_label(button).click();
        h.run();
        retype(&mut h, "Guardar en", &path.display().to_string());
        h.get_by_label("Guardar aquí").click();
        h.run();
        h.get_by_label(&format!("Guardado en {}", path.display()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected_text);
    }

    // Collecting the commissions shows at once in the listing.
    h.get_by_label("Cobro de comisiones").click();
    h.run();
    h.get_by_label("Cobrar comisiones").click();
    h.run();
    h.get_by_label(&format!("Se cobraron 2 comisiones por $ {commission}."));
    h.get_by_label("Ventas entre fechas").click();
    h.run();
    h.get_by_label(&format!("cobrado {commission} / pendiente 0.00"));
    assert_eq!(h.query_all_by_label("cobrada").count(), 2);
}

#[test]
fn the_tree_panel_draws_the_levels_in_the_order_of_tree_text() {
    let s = share("arbol");
    let sellers: Vec<Session> = (0..7)
        .map(|i| {
            user(
                &s.market,
                &format!("vendedor{i}@ejemplo.com.ar"),
                &format!("Vendedor {i}"),
            )
        })
        .collect();
    let cats = s.market.categories().unwrap();
    // 30 publications, sellers and categories interleaved so that the trees rotate.
    for i in 0..30usize {
        let seller = &sellers[(i * 5) % sellers.len()];
        publish(
            &s.market,
            seller,
            cats[(i * 3) % cats.len()].key,
            &format!("Artículo {i}"),
            10_000 + i as i64,
        );
    }
    let mut h = harness(&s);
    h.get_by_label("Árboles AVL").click();
    h.run();
    for which in [Tree::Seller, Tree::Category] {
        if which == Tree::Category {
            h.get_by_label("por categoría (PUBLICADOS.NTX_2)").click();
            h.run();
            h.get_by_label("Dibujo").click();
            h.run();
        }
        let levels = s.market.tree(which).unwrap();
        let expected: Vec<Vec<(u64, u64)>> = levels
            .iter()
            .map(|l| l.iter().map(|n| (n.slot, n.key)).collect())
            .collect();
        assert!(
            expected.len() >= 4,
            "a tree of 30 nodes has at least 5 levels"
        );
        // Left to right as drawn, level by level: the order of the listing.
        assert_eq!(h.state().trees.drawn_levels(), expected);
        h.get_by_label_contains("30 nodos");
        // Collapsing deep levels draws fewer, and a jump to a key brings them back.
        h.state_mut().trees.set_max_levels(2);
        h.run();
        assert_eq!(h.state().trees.drawn_levels().len(), 2);
        // The key whose top-most node is deepest: jumping to it opens the levels down to it.
        let first_depth = |k: u64| {
            levels
                .iter()
                .position(|l| l.iter().any(|n| n.key == k))
                .unwrap()
        };
        let key = levels
            .iter()
            .flatten()
            .map(|n| n.key)
            .max_by_key(|&k| (first_depth(k), k))
            .unwrap();
        let depth = first_depth(key);
        assert!(depth >= 2, "some key first appears below the second level");
        retype(&mut h, "Ir a la clave", &key.to_string());
        h.get_by_label("Buscar").click();
        h.run();
        h.get_by_label_contains(&format!("Clave {key}: nodo 1 de"));
        h.get_by_label_contains(&format!("(nivel {depth},"));
        assert_eq!(h.state().trees.drawn_levels().len(), depth + 1);
        retype(&mut h, "Ir a la clave", "");
        // The spec's listing, line by line, as the console prints it.
        h.get_by_label("Listado por niveles").click();
        h.run();
        // A level of more than PER_ROW nodes continues on indented rows; joined, the rows are
        // the lines of tree_text.
        let rows = h.state().trees.listing_rows().to_vec();
        let mut joined: Vec<String> = Vec::new();
        for r in &rows {
            if r.starts_with("Nivel ") {
                joined.push(r.clone());
            } else {
                joined
                    .last_mut()
                    .unwrap()
                    .push_str(&format!(" {}", r.trim_start()));
            }
        }
        assert_eq!(joined, tree_text(&levels).lines().collect::<Vec<_>>());
        assert!(
            rows.len() > levels.len(),
            "some level of 30 nodes needs more than one row"
        );
        for r in &rows {
            h.get_by_label(r);
        }
    }
}

#[test]
fn the_dispersion_panel_shows_the_counts_of_the_hash() {
    let s = share("dispersion");
    for i in 0..45 {
        s.market
            .register(NewUser {
                email: format!("persona{i}@ejemplo.com.ar"),
                password: PASSWORD.into(),
                name: format!("Persona {i}"),
                address: "Calle 1".into(),
                province: 2,
                phone: String::new(),
                photo: None,
            })
            .unwrap();
    }
    let mut h = harness(&s);
    h.get_by_label("Dispersión del hash").click();
    h.run();
    retype(&mut h, "Tamaño de bloque (baldes)", "8");
    h.get_by_label("Calcular").click();
    h.run();
    let d = s.market.dispersion(8).unwrap();
    assert_eq!(d.records, 46);
    assert_eq!(d.blocks.len(), 10);
    assert_eq!(
        h.state().dispersion.result.as_ref().unwrap().chain_lengths,
        d.chain_lengths
    );
    for (i, chunk) in d.chain_lengths.chunks(10).enumerate() {
        let v: Vec<String> = chunk.iter().map(|n| n.to_string()).collect();
        h.get_by_label(&format!(
            "Baldes {}-{}: {}",
            i * 10,
            i * 10 + chunk.len() - 1,
            v.join(" ")
        ));
    }
    for (i, n) in d.blocks.iter().enumerate() {
        h.get_by_label(&format!(
            "Bloque {} (baldes {}-{}): {n} registros",
            i + 1,
            i * 8,
            i * 8 + 7
        ));
    }
    h.get_by_label(&format!("{:.2}", d.load_factor));
    h.get_by_label(&format!("{:.2}", d.chi_square));
    h.get_by_label(&d.longest_chain.to_string());
    h.get_by_label(&format!("{} de 8 baldes", d.blocks.len()));
    // Printed to a file, with the same lines.
    let path = s.dir.join("dispersion.txt");
    h.get_by_label("Imprimir a archivo…").click();
    h.run();
    retype(&mut h, "Guardar en", &path.display().to_string());
    h.get_by_label("Guardar aquí").click();
    h.run();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("Registros: {}", d.records)),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Bloque 10 (baldes 72-79): {} registros",
            d.blocks[9]
        )),
        "{text}"
    );
    // The chain of a bucket, from the hash itself.
    let chains = s.market.hash_chains().unwrap();
    let (b, chain) = chains
        .iter()
        .enumerate()
        .find(|(_, c)| c.len() >= 2)
        .unwrap();
    retype(&mut h, "Ver la cadena del balde", &b.to_string());
    h.run();
    for (i, (pos, email)) in chain.iter().enumerate() {
        h.get_by_label(&format!("{}. posición {pos}: {email}", i + 1));
    }
}

#[test]
fn bulk_conversations_event_log_and_check() {
    let s = share("conversaciones");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    for i in 0..6 {
        user(
            &s.market,
            &format!("comprador{i}@ejemplo.com.ar"),
            &format!("Comprador {i}"),
        );
    }
    let pid = publish(&s.market, &ana, 1, "Taladro percutor", 5_000_000);
    let mut h = harness(&s);
    h.get_by_label("Publicaciones y conversaciones").click();
    h.run();
    h.get_by_label("Conversaciones masivas").click();
    h.run();
    retype(&mut h, "Publicación", &pid.to_string());
    retype(&mut h, "Cantidad de usuarios", "4");
    retype(&mut h, "Semilla (opcional)", "7");
    h.run();
    h.get_by_label("Generar conversaciones").click();
    h.run();
    h.get_by_label(&format!(
        "Se agregaron 4 conversaciones testimoniales a la publicación {pid}."
    ));
    // The seller's conversations: 4, two messages each (question and answer in one).
    h.get_by_label("Conversaciones de un vendedor").click();
    h.run();
    retype(&mut h, "Email del usuario", "ana@ejemplo.com.ar");
    h.run();
    h.get_by_label("Generar listado").click();
    h.run();
    h.get_by_label("4 conversaciones");
    assert_eq!(h.query_all_by_label("Taladro percutor").count(), 4);

    // Blocking the publication.
    h.get_by_label("Bloqueo de publicaciones").click();
    h.run();
    retype(&mut h, "Id de la publicación", &pid.to_string());
    h.run();
    h.get_by_label("Bloquear publicación").click();
    h.run();
    h.get_by_label_contains("quedó en estado «bloqueado»");
    assert_eq!(
        s.market.publication(pid).unwrap().state,
        ventalibre::domain::PubState::Blocked
    );
    h.get_by_label("Desbloquear publicación").click();
    h.run();
    h.get_by_label_contains("quedó en estado «publicado»");
    assert_eq!(
        s.market.publication(pid).unwrap().state,
        ventalibre::domain::PubState::Published
    );

    // The event log, in Lamport order.
    h.get_by_label("Registro de eventos").click();
    h.run();
    let events = s.market.events(&s.admin).unwrap();
    let shown: Vec<(u64, String)> = h
        .state()
        .events
        .events
        .iter()
        .map(|e| (e.lamport, e.op.clone()))
        .collect();
    assert!(shown.windows(2).all(|w| w[0].0 <= w[1].0), "{shown:?}");
    assert_eq!(
        shown,
        events
            .iter()
            .map(|e| (e.lamport, e.op.clone()))
            .collect::<Vec<_>>()
    );
    h.get_by_label("conversaciones-masivas");
    h.get_by_label("bloqueo-publicación");
    h.get_by_label("desbloqueo-publicación");

    // The check.
    h.get_by_label("Revisión de la carpeta").click();
    h.run();
    h.get_by_label("Revisar la carpeta").click();
    h.run();
    h.get_by_label("La carpeta está sana.");
    h.get_by_label("Resultado: la carpeta está sana.");
}

#[test]
fn the_ranking_shows_the_four_breakdowns() {
    let s = share("ranking");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let beto = user(&s.market, "beto@ejemplo.com.ar", "Díaz, Beto");
    let p1 = publish(&s.market, &ana, 5, "Novela", 100_000);
    let p2 = publish(&s.market, &ana, 5, "Cuento", 100_000);
    let p3 = publish(&s.market, &ana, 5, "Poesía", 100_000);
    publish(&s.market, &ana, 5, "Ensayo", 100_000);
    publish(&s.market, &ana, 3, "Radio", 100_000);
    s.market.deposit(&beto, 1_000_000).unwrap();
    s.market.buy(&beto, p1).unwrap();
    s.market.pause(&ana, p2).unwrap();
    s.market
        .set_publication_blocked(&s.admin, p3, true)
        .unwrap();
    let mut h = harness(&s);
    h.get_by_label("Ranking de categorías").click();
    h.run();
    // Libros first: 1 for sale, 1 sold, 1 paused, 1 blocked, 4 in all.
    let report = s
        .market
        .report(&s.admin, "ranking-categorias", &ReportParams::default())
        .unwrap();
    assert_eq!(report.rows[0][1], "Libros");
    assert_eq!(&report.rows[0][2..], ["1", "1", "1", "1", "4"]);
    h.get_by_label("Categorías con mayor cantidad de artículos");
    h.get_by_label("Totales");
    h.get_by_label("Exportar CSV…");
    h.get_by_label("Imprimir a archivo…");
}

#[test]
fn panels_also_work_asynchronously() {
    let s = share("asincrono");
    user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let mut panels = AdminPanels::new(s.market.clone(), s.admin.clone());
    panels.tab = AdminTab::Users;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 1100.0))
        .build_ui_state(|ui, p: &mut AdminPanels| p.ui(ui), panels);
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.query_by_label("ana@ejemplo.com.ar").is_none() {
        assert!(Instant::now() < deadline, "the user list never arrived");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    retype(&mut h, "Email del usuario", "ana@ejemplo.com.ar");
    h.step();
    h.get_by_label("Bloquear").click();
    while h.query_by_label_contains("quedó bloqueado").is_none() {
        assert!(Instant::now() < deadline, "the block never finished");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(matches!(
        s.market.login("ana@ejemplo.com.ar", PASSWORD),
        Err(DomainError::Denied(_))
    ));
}
