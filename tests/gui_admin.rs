//! The administrator's panels, driven through egui_kittest over a temporary share built with
//! the domain API. Panels run in synchronous mode (every share operation finishes within the
//! frame that starts it) except in `panels_also_work_asynchronously`, which steps the harness
//! until the worker threads answer.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration as Days, Local};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::NewPublication;
use ventalibre::domain::check::{Tree, tree_text};
use ventalibre::domain::demo::DemoOptions;
use ventalibre::domain::reports::ReportParams;
use ventalibre::domain::{DomainError, Kind, Market, Session, format_cents};
use ventalibre::gui::App;
use ventalibre::gui::admin::AdminScreen;

mod gui_support;
use gui_support::{screen, settle};

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
    gui_support::setup();
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

/// The window, the administrator logged in, on the administration.
fn harness(s: &Share) -> Harness<'static, App> {
    gui_support::logged_in(
        &s.market,
        &s.admin,
        AdminScreen::TAB,
        egui::vec2(1500.0, 1100.0),
    )
}

fn admin<'a>(h: &'a mut Harness<'static, App>) -> &'a mut AdminScreen {
    screen::<AdminScreen>(h)
}

/// Replaces the text of the field labelled `label`.
fn retype(h: &mut Harness<'static, App>, label: &str, text: &str) {
    gui_support::type_in(h, label, text);
    settle(h);
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, label)
            .value()
            .as_deref(),
        Some(text)
    );
}

/// Clicks the widget named `label` and waits for the work it starts.
fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.step();
    h.get_by_label(label).click();
    settle(h);
}

#[test]
fn blocking_a_user_refuses_their_next_login() {
    let s = share("bloqueo");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    s.market.logout(&ana).unwrap();
    let mut h = harness(&s);
    click(&mut h, "Usuarios");
    // The user list shows her, active.
    h.get_by_label("ana@ejemplo.com.ar");
    retype(&mut h, "Email del usuario", "ana@ejemplo.com.ar");
    // Not blocked: only blocking is offered, and it asks for a reason.
    assert!(gui_support::disabled(&h, "Desbloquear"));
    click(&mut h, "Bloquear");
    h.get_by_label("Falta el motivo del bloqueo.");
    assert!(s.market.login("ana@ejemplo.com.ar", PASSWORD).is_ok());
    retype(&mut h, "Motivo del bloqueo", "Publicó artículos robados");
    click(&mut h, "Bloquear");
    h.get_by_label_contains("quedó bloqueado");
    h.get_by_label("bloqueado");
    assert!(gui_support::disabled(&h, "Bloquear"), "already blocked");
    h.get_by_label("Bloqueado por: Publicó artículos robados");
    // She is told why; the event log has the reason.
    match s.market.login("ana@ejemplo.com.ar", PASSWORD) {
        Err(DomainError::Denied(msg)) => {
            assert!(msg.contains("bloqueada"), "{msg}");
            assert!(msg.contains("motivo: Publicó artículos robados"), "{msg}");
        }
        other => panic!("a blocked user logged in: {other:?}"),
    }
    let events = s.market.events(&s.admin).unwrap();
    let e = events
        .iter()
        .rev()
        .find(|e| e.op == "bloqueo-usuario")
        .unwrap();
    assert_eq!(e.detail, "ana@ejemplo.com.ar: Publicó artículos robados");
    // The listing of blocked users has her, with her phone.
    click(&mut h, "Usuarios bloqueados");
    h.get_by_label("Gómez, Ana");
    h.get_by_label("+54 11 5555-0000");
    h.get_by_label("1 usuarios");
    // Unblocked, she can enter again.
    click(&mut h, "Bloqueo y desbloqueo");
    click(&mut h, "Desbloquear");
    h.get_by_label_contains("quedó desbloqueado");
    assert!(s.market.login("ana@ejemplo.com.ar", PASSWORD).is_ok());
}

/// The users list reads a page at a time through the index by id, and a search finds any
/// user, however far down the list.
#[test]
fn the_users_list_reads_pages_and_a_search_finds_any_user() {
    let s = share("usuarios-paginas");
    s.market
        .demo_with(&DemoOptions {
            users: 180,
            publications: 0,
            seed: 5,
            photos: false,
        })
        .unwrap();
    let all = s.market.users(&s.admin).unwrap();
    assert_eq!(all.len(), 181);
    let last = all.last().unwrap().clone();
    let mut h = harness(&s);
    click(&mut h, "Usuarios");
    h.get_by_label_contains("181 usuarios, por número de usuario");
    h.get_by_label(&all[1].email);
    assert!(
        !gui_support::has(&h, &last.email),
        "the last user is not in view before a scroll"
    );
    let held = admin(&mut h).users.pages_held();
    assert!((1..=2).contains(&held), "{held} pages held for 181 users");
    // A search by part of the name finds her, and picking her email fills the field.
    let part: String = last.name.chars().take(6).collect();
    retype(
        &mut h,
        "Buscar usuario",
        &last.email[..last.email.len() - 2],
    );
    // A search reads every user: it runs on Enter (or «Buscar»), not at each key.
    assert!(!gui_support::has(&h, "1 coincide"));
    gui_support::enter_in(&mut h, "Buscar usuario");
    settle(&mut h);
    h.get_by_label_contains("1 coincide");
    click(&mut h, &last.email);
    assert_eq!(admin(&mut h).users.email, last.email);
    retype(&mut h, "Buscar usuario", &part.to_uppercase());
    click(&mut h, "Buscar");
    h.get_by_label_contains(&format!("con «{}»", part.to_uppercase()));
    h.get_by_label(&last.email);
}

#[test]
fn a_category_with_articles_is_refused_for_deletion_and_change() {
    let s = share("categorias");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let cats = s.market.categories().unwrap();
    let books = cats.iter().find(|c| c.name == "Libros").unwrap().key;
    publish(&s.market, &ana, books, "Novela", 150_000);
    let mut h = harness(&s);
    settle(&mut h);
    // The ABM list shows the count of publications.
    click(&mut h, "Libros");
    // Neither saved nor deleted (the spec: no changes to a category with articles), and
    // the reason is said before anything is tried.
    h.get_by_label(&format!(
        "La categoría {books} tiene 1 artículo publicado o vendido: no se puede modificar ni borrar."
    ));
    assert!(gui_support::disabled(&h, "Guardar cambios"));
    assert!(gui_support::disabled(&h, "Borrar categoría"));
    // The domain refuses it too (another terminal's stale window).
    let refusal = s.market.delete_category(&s.admin, books).unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("no se puede modificar ni borrar")
    );
    assert!(
        s.market
            .edit_category(&s.admin, books, None, Some(900))
            .is_err()
    );
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
    // Enter adds it.
    gui_support::enter_in(&mut h, "Comisión de la nueva categoría (%)");
    h.get_by_label_contains("Se agregó la categoría");
    let garden = s
        .market
        .categories()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Jardinería")
        .unwrap();
    assert_eq!(garden.commission_bp, 750);
    click(&mut h, "Jardinería");
    retype(&mut h, "Comisión (%)", "6");
    click(&mut h, "Guardar cambios");
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
    click(&mut h, "Borrar categoría");
    click(&mut h, "Sí, borrar");
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
    click(&mut h, "Publicaciones y conversaciones");
    click(&mut h, "Ventas entre fechas");
    let day = today.format("%Y-%m-%d").to_string();
    retype(&mut h, "Desde", &day);
    retype(&mut h, "Hasta", &day);
    click(&mut h, "Generar listado");
    h.get_by_label(&expected.title);
    h.get_by_label("2 ventas");
    // Totals: amount, commission (5 % of 1000.00 + 8 % of 25000.50) and collection state.
    let amount = format_cents(100_000 + 2_500_050);
    let commission = format_cents(5_000 + 200_004);
    assert_eq!(expected.footer[5], amount);
    assert_eq!(expected.footer[7], commission);
    // Shown in Argentine formats (the report's cells keep the machine text for JSON).
    let ar = |s: &str| ventalibre::domain::reports::ColumnKind::Money.display(s);
    h.get_by_label(&ar(&amount));
    h.get_by_label(&ar(&commission));
    let pending = format!("cobrado $ 0,00 / pendiente {}", ar(&commission));
    assert_eq!(expected.footer[8], pending);
    // The same foot in one line that stays in view above the table.
    h.get_by_label(&format!(
        "Totales: 2 ventas · Importe: {} · Comisión: {} · {pending}",
        ar(&amount),
        ar(&commission)
    ));
    assert_eq!(h.query_all_by_label("pendiente").count(), 2);

    // Export to CSV and to a text file, to a path typed (the system's dialog is the other way).
    for (format, ext, expected_text) in [
        ("CSV (Excel)", "csv", expected.to_csv()),
        ("Texto", "txt", expected.to_text()),
    ] {
        gui_support::choose(&mut h, "Formato", format);
        let path = s.dir.join(format!("ventas.{ext}"));
        retype(&mut h, "Exportar a", &path.display().to_string());
        click(&mut h, "Guardar");
        h.get_by_label(&format!("Guardado en {}.", path.display()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), expected_text);
    }

    // Collecting the commissions: a preview, a confirmation, and it shows in the listing.
    click(&mut h, "Cobro de comisiones");
    h.get_by_label("Gómez, Ana");
    click(&mut h, &format!("Cobrar {}…", ar(&commission)));
    click(&mut h, "Sí, cobrar");
    h.get_by_label(&format!(
        "Se cobraron 2 comisiones por {}.",
        ar(&commission)
    ));
    click(&mut h, "Ventas entre fechas");
    h.get_by_label(&format!("cobrado {} / pendiente $ 0,00", ar(&commission)));
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
    click(&mut h, "Árboles");
    for which in [Tree::Seller, Tree::Category] {
        if which == Tree::Category {
            click(&mut h, "por categoría (PUBLICADOS.NTX_2)");
            click(&mut h, "Dibujo");
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
        assert_eq!(admin(&mut h).trees.drawn_levels(), expected);
        h.get_by_label_contains("30 nodos");
        // Collapsing deep levels draws fewer, and a jump to a key brings them back.
        admin(&mut h).trees.set_max_levels(2);
        settle(&mut h);
        assert_eq!(admin(&mut h).trees.drawn_levels().len(), 2);
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
        click(&mut h, "Buscar");
        h.get_by_label_contains(&format!("Clave {key}: nodo 1 de"));
        h.get_by_label_contains(&format!("(nivel {depth},"));
        assert_eq!(admin(&mut h).trees.drawn_levels().len(), depth + 1);
        retype(&mut h, "Ir a la clave", "");
        // The spec's listing, line by line, as the console prints it.
        click(&mut h, "Listado por niveles");
        // A level of more than PER_ROW nodes continues on indented rows; joined, the rows are
        // the lines of tree_text.
        let rows = admin(&mut h).trees.listing_rows().to_vec();
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
        assert_eq!(
            joined,
            tree_text(which, &levels).lines().collect::<Vec<_>>()
        );
        assert!(
            rows.len() > levels.len(),
            "some level of 30 nodes needs more than one row"
        );
        for r in &rows {
            h.get_by_label(r);
        }
    }
}

/// Explorar's index, a B+ tree, drawn n-ary: an edge from each node to every child read, each
/// parent centred over its children, children left to right in level order.
#[test]
fn the_tree_panel_draws_the_btree_of_explorar_with_every_child_linked() {
    let s = share("arbol-bmas");
    s.market
        .demo_with(&DemoOptions {
            users: 40,
            publications: 250,
            seed: 3,
            photos: false,
        })
        .unwrap();
    let levels = s.market.tree(Tree::Orders).unwrap();
    assert!(levels.len() >= 2, "{} levels", levels.len());
    assert!(
        levels[0][0].children >= 3,
        "an inner root of {} children",
        levels[0][0].children
    );
    // The listing (the console's `arbol explorar` too) says a B+ tree's nodes as such: their
    // children, the entries under them and their lowest key in words, no AVL fields.
    let text = tree_text(Tree::Orders, &levels);
    let root = &levels[0][0];
    assert!(
        text.starts_with(&format!(
            "Nivel 0: [nodo {}: {} hijos, ",
            root.slot, root.children
        )),
        "{text}"
    );
    assert!(
        text.contains("hoja, ") && text.contains(" entradas, desde "),
        "{text}"
    );
    assert!(
        text.contains("toda categoría") && !text.contains(" bal "),
        "{text}"
    );
    let mut h = harness(&s);
    click(&mut h, "Árboles");
    assert!(h.query_by_label("de Explorar (ORDENES.NTX)").is_none());
    click(&mut h, "de Explorar (ORDENES.IDX)");
    click(&mut h, "Dibujo");
    h.get_by_label_contains("Árbol B+");
    h.get_by_label_contains(&format!("{} niveles", levels.len()));
    let panel = &admin(&mut h).trees;
    let expected: Vec<Vec<(u64, u64)>> = levels
        .iter()
        .map(|l| l.iter().map(|n| (n.slot, n.key)).collect())
        .collect();
    assert_eq!(panel.drawn_levels(), expected);
    assert!(panel.cuts().is_empty(), "{:?}", panel.cuts());
    let edges = panel.drawn_edges();
    let columns = panel.drawn_columns();
    assert_eq!(edges.len(), levels[1..].iter().map(Vec::len).sum::<usize>());
    let x: std::collections::HashMap<u64, f32> = columns.iter().flatten().copied().collect();
    for (d, level) in levels.iter().enumerate().skip(1) {
        // Children left to right in level order, a column apart at least.
        for w in columns[d].windows(2) {
            assert!(w[1].1 - w[0].1 >= 1.0, "level {d}: {w:?}");
        }
        for parent in &levels[d - 1] {
            let kids: Vec<u64> = level
                .iter()
                .filter(|n| n.parent == Some(parent.slot))
                .map(|n| n.slot)
                .collect();
            assert_eq!(kids.len(), parent.children as usize);
            for k in &kids {
                assert!(
                    edges.contains(&(parent.slot, *k)),
                    "no edge {} -> {k}",
                    parent.slot
                );
            }
            if let (Some(f), Some(l)) = (kids.first(), kids.last()) {
                assert_eq!(x[&parent.slot], (x[f] + x[l]) / 2.0, "node {}", parent.slot);
            }
        }
    }
    // Nodes shown at full size: the kind of node and its entries are painted, not announced,
    // so the check is that drawing it does not fail; then the listing, and the word index.
    admin(&mut h).trees.zoom_to_root(1.0);
    settle(&mut h);
    click(&mut h, "Listado por niveles");
    h.get_by_label_contains("izq y der son el primer y el último hijo");
    click(&mut h, "de palabras (PALABRAS.IDX)");
    click(&mut h, "Dibujo");
    h.get_by_label_contains("Árbol B+");
    let words = s.market.tree(Tree::Words).unwrap();
    assert_eq!(
        admin(&mut h).trees.drawn_edges().len(),
        words[1..].iter().map(Vec::len).sum::<usize>()
    );
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
    click(&mut h, "Dispersión del hash");
    retype(&mut h, "Tamaño de bloque (baldes)", "8");
    click(&mut h, "Calcular");
    let d = s.market.dispersion(8).unwrap();
    assert_eq!(d.records, 46);
    assert_eq!(d.blocks.len(), 10);
    assert_eq!(
        admin(&mut h)
            .dispersion
            .result
            .as_ref()
            .unwrap()
            .chain_lengths,
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
            "Bloque {} (baldes {}-{}): {}",
            i + 1,
            i * 8,
            i * 8 + 7,
            ventalibre::domain::phrases::counted(*n, "registro", "registros")
        ));
    }
    h.get_by_label(&format!("{:.2}", d.load_factor));
    h.get_by_label(&format!("{:.2}", d.chi_square));
    h.get_by_label(&d.longest_chain.to_string());
    h.get_by_label(&format!("{} de 8 baldes", d.blocks.len()));
    // Printed to a file, with the same lines.
    let path = s.dir.join("dispersion.txt");
    retype(&mut h, "Guardar el test en", &path.display().to_string());
    click(&mut h, "Guardar");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("Registros: {}", d.records)),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Bloque 10 (baldes 72-79): {}",
            ventalibre::domain::phrases::counted(d.blocks[9], "registro", "registros")
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
    settle(&mut h);
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
    click(&mut h, "Publicaciones y conversaciones");
    click(&mut h, "Conversaciones masivas");
    retype(&mut h, "Publicación", &pid.to_string());
    retype(&mut h, "Cantidad de usuarios", "4");
    retype(&mut h, "Semilla (opcional)", "7");
    settle(&mut h);
    click(&mut h, "Generar conversaciones");
    h.get_by_label(&format!(
        "Se agregaron 4 conversaciones testimoniales a la publicación {pid}."
    ));
    // The seller's conversations: 4, two messages each (question and answer in one).
    click(&mut h, "Conversaciones de un vendedor");
    retype(&mut h, "Email del usuario", "ana@ejemplo.com.ar");
    settle(&mut h);
    click(&mut h, "Generar listado");
    h.get_by_label("4 conversaciones");
    assert_eq!(h.query_all_by_label("Taladro percutor").count(), 4);

    // Blocking the publication: found by its name, chosen, blocked with a reason.
    click(&mut h, "Bloqueo de publicaciones");
    retype(&mut h, "Buscar la publicación", "taladro");
    gui_support::enter_in(&mut h, "Buscar la publicación");
    h.get_by_label("1 publicación encontrada; elija una:");
    let row =
        format!("N.º {pid} · Taladro percutor · ana@ejemplo.com.ar · $ 50.000,00 · publicado");
    click(&mut h, &row);
    assert!(gui_support::disabled(&h, "Desbloquear publicación"));
    retype(&mut h, "Motivo del bloqueo", "Precio engañoso");
    click(&mut h, "Bloquear publicación");
    h.get_by_label_contains("quedó bloqueada");
    assert_eq!(
        s.market.publication(pid).unwrap().state,
        ventalibre::domain::PubState::Blocked
    );
    h.get_by_label("Precio engañoso");
    assert!(gui_support::disabled(&h, "Bloquear publicación"));
    click(&mut h, "Desbloquear publicación");
    h.get_by_label_contains("quedó publicada");
    assert_eq!(
        s.market.publication(pid).unwrap().state,
        ventalibre::domain::PubState::Published
    );

    // The event log, in Lamport order.
    click(&mut h, "Registro de eventos");
    let events = s.market.events(&s.admin).unwrap();
    let shown: Vec<(u64, String)> = admin(&mut h)
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
    h.get_by_label(&format!("publicación {pid}: Precio engañoso"));
    h.get_by_label("desbloqueo-publicación");

    // The check.
    click(&mut h, "Revisión de la carpeta");
    click(&mut h, "Revisar la carpeta");
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
    click(&mut h, "Ranking de categorías");
    // Libros first: 1 for sale, 1 sold, 1 paused, 1 blocked, 4 in all.
    let report = s
        .market
        .report(&s.admin, "ranking-categorias", &ReportParams::default())
        .unwrap();
    assert_eq!(report.rows[0][1], "Libros");
    assert_eq!(&report.rows[0][2..], ["1", "1", "1", "1", "4"]);
    h.get_by_label("Categorías con mayor cantidad de artículos");
    h.get_by_label("Totales");
    h.get_by_label("Exportar a");
}

#[test]
fn collecting_commissions_shows_a_preview_and_asks_for_a_confirmation() {
    let s = share("comisiones");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    let beto = user(&s.market, "beto@ejemplo.com.ar", "Díaz, Beto");
    let caro = user(&s.market, "caro@ejemplo.com.ar", "Ruiz, Caro");
    let books = s
        .market
        .categories()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Libros")
        .unwrap()
        .key; // 5 %
    let p1 = publish(&s.market, &ana, books, "Novela", 100_000); // commission 50.00
    let p2 = publish(&s.market, &beto, books, "Cuento", 200_000); // commission 100.00
    s.market.deposit(&caro, 1_000_000).unwrap();
    s.market.buy(&caro, p1).unwrap();
    s.market.buy(&caro, p2).unwrap();
    // Beto spends what he got: his commission cannot be collected.
    s.market.withdraw(&beto, 200_000).unwrap();

    let mut h = harness(&s);
    click(&mut h, "Publicaciones y conversaciones");
    click(&mut h, "Cobro de comisiones");
    h.get_by_label("Gómez, Ana");
    h.get_by_label("Díaz, Beto");
    h.get_by_label("$ 50,00");
    h.get_by_label("$ 100,00 (1)");
    h.get_by_label(
        "Total a cobrar: $ 50,00 (1 comisión de 1 vendedor). Queda sin cobrar: $ 100,00 (1 comisión).",
    );
    let preview = s.market.commission_preview(&s.admin).unwrap();
    assert_eq!((preview.sales, preview.total_cents), (1, 5_000));
    assert_eq!((preview.pending, preview.pending_cents), (1, 10_000));

    // Nothing moves without the confirmation.
    click(&mut h, "Cobrar $ 50,00…");
    h.get_by_label_contains("¿Cobrar $ 50,00 a 1 vendedor?");
    click(&mut h, "No");
    assert_eq!(s.market.me(&ana).unwrap().balance_cents, 100_000);

    // Asked again; meanwhile Beto deposits at another terminal: what was asked is no longer
    // what would happen, so the question is withdrawn.
    click(&mut h, "Cobrar $ 50,00…");
    s.market.deposit(&beto, 20_000).unwrap();
    gui_support::wait_for(&mut h, "Las comisiones cambiaron mientras se confirmaba");
    assert!(h.query_by_label("Sí, cobrar").is_none());
    assert_eq!(s.market.me(&ana).unwrap().balance_cents, 100_000);
    h.get_by_label("Total a cobrar: $ 150,00 (2 comisiones de 2 vendedores).");

    click(&mut h, "Cobrar $ 150,00…");
    click(&mut h, "Sí, cobrar");
    h.get_by_label("Se cobraron 2 comisiones por $ 150,00.");
    assert_eq!(s.market.me(&ana).unwrap().balance_cents, 95_000);
    assert_eq!(s.market.me(&beto).unwrap().balance_cents, 10_000);
    h.get_by_label("No hay comisiones sin cobrar.");
    assert!(gui_support::disabled(&h, "Cobrar $ 0,00…"));
}

/// Issue 15: the administration installs the running program into the share with its
/// launchers and shows the program's and the share's versions.
#[test]
fn the_administration_installs_the_program_into_the_share() {
    let s = share("install");
    let mut h = harness(&s);
    click(&mut h, "Programa y accesos directos");
    h.get_by_label_contains("este programa puede consultarla y modificarla");
    click(&mut h, "Instalar este programa en la carpeta");
    h.get_by_label_contains("instalado en");
    let program = ventalibre::domain::install::program_in_share(&s.dir);
    assert!(program.is_file(), "{}", program.display());
    for launcher in [
        "VentaLibre.cmd",
        "VentaLibre.desktop",
        "ventalibre.sh",
        "VentaLibre.command",
    ] {
        assert!(s.dir.join(launcher).is_file(), "{launcher}");
    }
    // (the "program" of this test is the test binary itself; remove its large copy)
    std::fs::remove_file(&program).unwrap();
}

#[test]
fn the_check_panel_backs_up_and_restores_after_a_confirmation() {
    let s = share("copia-restauracion");
    let ana = user(&s.market, "ana@ejemplo.com.ar", "Gómez, Ana");
    s.market.deposit(&ana, 150_000).unwrap();
    let copy = s
        .dir
        .with_file_name(format!("vl-gui-admin-copia-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    let mut h = harness(&s);
    click(&mut h, "Revisión de la carpeta");
    retype(&mut h, "Carpeta de la copia", &copy.display().to_string());
    click(&mut h, "Hacer la copia");
    gui_support::wait_for(&mut h, "La copia pasó la revisión.");
    assert!(copy.join("VENTALIBRE.CTL").is_file());
    // The copy just made is proposed for the restore.
    assert_eq!(admin(&mut h).check.restore_src, copy.display().to_string());

    // Money moves after the copy; restoring brings the copy's state back, after a question.
    s.market.withdraw(&ana, 100_000).unwrap();
    assert_eq!(s.market.wallet(&ana).unwrap().balance_cents, 50_000);
    click(&mut h, "Restaurar…");
    h.get_by_label_contains("¿Reemplazar todo el contenido de la carpeta por esta copia?");
    click(&mut h, "Cancelar");
    assert_eq!(
        s.market.wallet(&ana).unwrap().balance_cents,
        50_000,
        "cancelled"
    );
    click(&mut h, "Restaurar…");
    click(&mut h, "Sí, restaurar");
    gui_support::wait_for(&mut h, "restaurada");
    assert_eq!(s.market.wallet(&ana).unwrap().balance_cents, 150_000);
    assert!(s.market.check().unwrap().ok);
    // A copy that does not exist is refused with its reason, and nothing changes.
    retype(
        &mut h,
        "Carpeta de la copia a restaurar",
        "/no/existe/copia",
    );
    click(&mut h, "Restaurar…");
    click(&mut h, "Sí, restaurar");
    gui_support::wait_for(&mut h, "No se restauró");
    assert_eq!(s.market.wallet(&ana).unwrap().balance_cents, 150_000);
    let _ = std::fs::remove_dir_all(&copy);
}
