//! The shop's rules over a real share in a temporary folder: public questions and answers,
//! news across two terminals (two `Market`s on one folder), favourites, saved searches, six
//! photos per listing, reputation and the seller's page, the contact after a purchase, and the
//! generated demo shop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Duration as Days, Local};
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::{NewPublication, PublicationChanges};
use ventalibre::domain::demo::DemoOptions;
use ventalibre::domain::gallery::GalleryPhoto;
use ventalibre::domain::news::NewsKind;
use ventalibre::domain::saved_searches::SearchSpec;
use ventalibre::domain::shop::Reputation;
use ventalibre::domain::{DomainError, Kind, Market, PubState, Rating, Session};

fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any test thread reads the environment.
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vl-shop-{name}-{}-{}",
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

fn share(name: &str) -> (TempDir, Market) {
    setup();
    let t = TempDir::new(name);
    let m = Market::open(t.path(), true).unwrap();
    (t, m)
}

fn user(m: &Market, email: &str, name: &str, province: u8) -> Session {
    m.register(NewUser {
        email: email.into(),
        password: "secreto1".into(),
        name: name.into(),
        address: "San Martín 100".into(),
        province,
        phone: "+54 9 351 555-1234".into(),
        photo: None,
    })
    .unwrap();
    m.login(email, "secreto1").unwrap()
}

fn listing(m: &Market, s: &Session, category: u64, title: &str, price: i64) -> u64 {
    let description = format!("{title}, en muy buen estado.");
    described(m, s, category, title, &description, price)
}

/// [`listing`] with its own description.
fn described(
    m: &Market,
    s: &Session,
    category: u64,
    title: &str,
    description: &str,
    price: i64,
) -> u64 {
    m.publish(
        s,
        NewPublication {
            category,
            title: title.into(),
            description: description.into(),
            price,
            kind: Kind::Used,
            closes: Local::now().date_naive() + Days::days(30),
            photo: None,
        },
    )
    .unwrap()
}

/// A small valid PNG of one colour.
fn png(r: u8, g: u8, b: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb([r, g, b]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The administrator, with the initial password changed (nothing else is allowed before).
fn admin(m: &Market) -> Session {
    let s = m
        .login(
            ventalibre::domain::market::ADMIN_EMAIL,
            ventalibre::domain::market::ADMIN_DEFAULT_PASSWORD,
        )
        .unwrap();
    if m.must_change_password(&s).unwrap() {
        m.change_password(
            &s,
            ventalibre::domain::market::ADMIN_DEFAULT_PASSWORD,
            "clave-de-la-administracion",
        )
        .unwrap();
    }
    s
}

fn check_ok(m: &Market) {
    let r = m.check().unwrap();
    assert!(r.ok, "{}", r.to_text());
}

#[test]
fn visitors_see_every_question_newest_first_by_first_name_and_the_seller_answers_any() {
    let (_t, m) = share("qa");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana María", 2);
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@ejemplo.com.ar", "Lucía Fernández", 1);
    let id = listing(&m, &ana, 2, "Guitarra criolla", 150_000_00);
    m.ask(&juan, id, "¿Viene con funda?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    m.ask(&lu, id, "¿Hacés envíos a Rosario?").unwrap();

    // A visitor (no session) sees both, newest first, with first names only.
    let qs = m.public_questions(id).unwrap();
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].question, "¿Hacés envíos a Rosario?");
    assert_eq!(qs[0].asker, "Lucía");
    assert_eq!(qs[1].asker, "Juan");
    let page = m.listing_page(None, id).unwrap();
    let json = serde_json::to_string(&page.questions).unwrap();
    assert!(!json.contains('@'), "an email leaked: {json}");
    assert!(!page.mine && !page.favourite);

    // The seller answers the newer question first; the older stays open.
    m.answer_question(&ana, id, qs[0].id, "Sí, por correo.")
        .unwrap();
    let qs = m.public_questions(id).unwrap();
    assert_eq!(qs[0].answer.as_deref(), Some("Sí, por correo."));
    assert_eq!(qs[1].answer, None);
    // Only the seller answers, and only once.
    assert!(matches!(
        m.answer_question(&juan, id, qs[1].id, "yo respondo"),
        Err(DomainError::Denied(_))
    ));
    assert!(matches!(
        m.answer_question(&ana, id, qs[0].id, "otra vez"),
        Err(DomainError::Conflict(_))
    ));
    // A question of another listing is not this listing's.
    let other = listing(&m, &ana, 2, "Ukelele", 50_000_00);
    assert!(matches!(
        m.answer_question(&ana, other, qs[1].id, "no"),
        Err(DomainError::NotFound(_))
    ));
    m.answer_question(&ana, id, qs[1].id, "Sí, con funda.")
        .unwrap();
    // The asker sees their own questions marked.
    let page = m.listing_page(Some(&juan), id).unwrap();
    assert!(page.questions.iter().any(|q| q.mine && q.asker == "Juan"));
    check_ok(&m);
}

#[test]
fn news_reach_the_other_terminal_and_the_read_mark_is_shared() {
    let (t, m1) = share("news");
    // A second terminal on the same folder.
    let m2 = Market::open(t.path(), false).unwrap();
    let ana = user(&m1, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let juan = user(&m2, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let id = listing(&m1, &ana, 3, "Notebook Lenovo", 500_000_00);
    assert_eq!(m1.unseen_news(&ana).unwrap(), 0);

    m2.ask(&juan, id, "¿Tiene cargador?").unwrap();
    assert_eq!(m1.unseen_news(&ana).unwrap(), 1);
    let q = m2.public_questions(id).unwrap()[0].id;
    m1.answer_question(&ana, id, q, "Sí, el original.").unwrap();
    assert_eq!(m2.unseen_news(&juan).unwrap(), 1);
    let jn = m2.news(&juan, 10).unwrap();
    assert_eq!(jn.items[0].kind, NewsKind::Answer);
    assert!(
        jn.items[0].message.contains("Ana"),
        "{}",
        jn.items[0].message
    );

    m2.deposit(&juan, 500_000_00).unwrap();
    let buy = m2.buy(&juan, id).unwrap();
    m2.rate_with_comment(
        &juan,
        buy.sale,
        Rating::Recommend,
        "Excelente, todo perfecto.",
    )
    .unwrap();
    let an = m1.news(&ana, 10).unwrap();
    assert_eq!(an.unseen, 3);
    let kinds: Vec<NewsKind> = an.items.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NewsKind::Rated, NewsKind::Sale, NewsKind::Question]);
    assert!(
        an.items[0].message.contains("Excelente"),
        "{}",
        an.items[0].message
    );
    assert!(an.items.iter().all(|n| !n.seen));

    // Seen on one terminal, seen on the other.
    m2.mark_news_seen(&ana, None).unwrap();
    assert_eq!(m1.unseen_news(&ana).unwrap(), 0);
    assert!(m1.news(&ana, 10).unwrap().items.iter().all(|n| n.seen));
    // The mark never goes back.
    m1.mark_news_seen(&ana, Some(1)).unwrap();
    assert_eq!(m2.unseen_news(&ana).unwrap(), 0);

    // Commission collected and a listing blocked are news too.
    let admin = admin(&m1);
    let c = m1.collect_commissions(&admin).unwrap();
    assert_eq!(c.collected, 1);
    let id2 = listing(&m1, &ana, 3, "Tablet Samsung", 200_000_00);
    m2.set_publication_blocked(&admin, id2, true).unwrap();
    let an = m1.news(&ana, 10).unwrap();
    assert_eq!(an.unseen, 2);
    assert_eq!(an.items[0].kind, NewsKind::Blocked);
    assert_eq!(an.items[1].kind, NewsKind::Commission);
    check_ok(&m1);
}

#[test]
fn a_favourite_shows_a_price_change_and_then_the_sale() {
    let (_t, m) = share("fav");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@ejemplo.com.ar", "Fernández, Lucía", 1);
    let id = listing(&m, &ana, 4, "Heladera Gafa usada", 600_000_00);
    assert!(matches!(
        m.add_favourite(&ana, id),
        Err(DomainError::Denied(_))
    ));
    assert!(m.add_favourite(&juan, id).unwrap());
    assert!(!m.add_favourite(&juan, id).unwrap());
    assert!(m.is_favourite(&juan, id).unwrap());
    assert!(m.listing_page(Some(&juan), id).unwrap().favourite);
    let f = m.favourites(&juan).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].notice, "");

    m.edit_publication(
        &ana,
        id,
        PublicationChanges {
            price: Some(540_000_00),
            ..Default::default()
        },
    )
    .unwrap();
    let f = m.favourites(&juan).unwrap();
    assert_eq!(f[0].price_change_cents, -60_000_00);
    assert!(f[0].notice.starts_with("Bajó $"), "{}", f[0].notice);
    assert!(f[0].for_sale);

    m.deposit(&lu, 540_000_00).unwrap();
    m.buy(&lu, id).unwrap();
    let f = m.favourites(&juan).unwrap();
    assert_eq!(f[0].notice, "Vendida");
    assert!(!f[0].for_sale);
    assert_eq!(f[0].publication.state, PubState::Sold);

    assert!(m.remove_favourite(&juan, id).unwrap());
    assert!(m.favourites(&juan).unwrap().is_empty());
    assert!(!m.remove_favourite(&juan, id).unwrap());
    check_ok(&m);
}

#[test]
fn saved_searches_count_new_results_from_the_index_up_to_a_cap() {
    use ventalibre::domain::saved_searches::NEW_RESULTS_COUNTED;
    let (_t, m) = share("saved-count");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let spec = |category, words: &str| SearchSpec {
        category,
        words: words.into(),
        ..Default::default()
    };
    listing(&m, &ana, 2, "Bajo Ibanez", 300_000_00);
    // «teclado» in the description only of this older listing.
    described(
        &m,
        &ana,
        2,
        "Sintetizador Korg",
        "Con su teclado de 61 notas",
        500_000_00,
    );
    let by_cat = m.save_search(&juan, spec(Some(2), "")).unwrap();
    let by_word = m.save_search(&juan, spec(None, "teclados")).unwrap();
    let counts = |m: &Market| {
        let l = m.saved_searches(&juan).unwrap();
        let get = |n| {
            let v = l.iter().find(|v| v.number == n).unwrap();
            (v.results, v.new_results)
        };
        (get(by_cat), get(by_word))
    };
    assert_eq!(counts(&m), ((2, 0), (1, 0)));
    // New: a title match, then one in the description only (behind the older title-less
    // one in the results' order: title matches first).
    listing(&m, &ana, 2, "Teclado Yamaha", 400_000_00);
    described(
        &m,
        &ana,
        3,
        "Mesa de estudio",
        "Ideal para apoyar un teclado",
        50_000_00,
    );
    assert_eq!(counts(&m), ((3, 1), (3, 2)));
    // Past the cap the count stops at one more than it (shown «más de 99 nuevas»).
    for i in 0..NEW_RESULTS_COUNTED + 5 {
        listing(&m, &ana, 2, &format!("Púa de guitarra {i}"), 1_000_00);
    }
    let total = 3 + NEW_RESULTS_COUNTED + 5;
    assert_eq!(counts(&m).0, (total, NEW_RESULTS_COUNTED + 1));
    // Opening one gives Explorar's filter and clears its new count, not the other's.
    let f = m.open_saved_search(&juan, by_cat).unwrap();
    assert_eq!(m.browse_page(&f, 0, 50).unwrap().total, total);
    assert_eq!(counts(&m), ((total, 0), (3, 2)));
    check_ok(&m);
}

#[test]
fn a_saved_search_in_plural_announces_a_new_listing() {
    let (_t, m) = share("saved");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let n = m
        .save_search(
            &juan,
            SearchSpec {
                category: Some(2),
                max_price: Some(200_000_00),
                words: "guitarras".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(
        m.save_search(
            &juan,
            SearchSpec {
                category: Some(2),
                max_price: Some(200_000_00),
                words: "Guitarras ".into(),
                ..Default::default()
            }
        ),
        Err(DomainError::Conflict(_))
    ));
    // Not in the range, not in the category: no news.
    listing(&m, &ana, 2, "Guitarra eléctrica Fender", 900_000_00);
    listing(&m, &ana, 3, "Guitarra de juguete", 10_000_00);
    assert_eq!(m.unseen_news(&juan).unwrap(), 0);
    let id = listing(&m, &ana, 2, "Guitarra criolla Fonseca", 150_000_00);
    let news = m.news(&juan, 10).unwrap();
    assert_eq!(news.unseen, 1);
    assert_eq!(news.items[0].kind, NewsKind::SavedSearch);
    assert_eq!(news.items[0].publication, id);
    assert!(
        news.items[0].message.contains("guitarras"),
        "{}",
        news.items[0].message
    );
    let list = m.saved_searches(&juan).unwrap();
    assert_eq!(list[0].number, n);
    assert_eq!((list[0].results, list[0].new_results), (1, 1));
    assert!(
        list[0].description.contains("Instrumentos musicales"),
        "{}",
        list[0].description
    );
    let f = m.open_saved_search(&juan, n).unwrap();
    let results = m.browse(&f).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].id, id);
    assert_eq!(m.saved_searches(&juan).unwrap()[0].new_results, 0);
    m.delete_saved_search(&juan, n).unwrap();
    assert!(m.saved_searches(&juan).unwrap().is_empty());
    check_ok(&m);
}

#[test]
fn six_photos_with_a_chosen_cover_and_never_seven() {
    let (_t, m) = share("gallery");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let id = listing(&m, &ana, 6, "Bicicleta rodado 29", 400_000_00);
    let six: Vec<GalleryPhoto> = (0..6u8)
        .map(|i| GalleryPhoto::New(png(i * 40, 10, 200)))
        .collect();
    let g = m.set_gallery(&ana, id, six).unwrap();
    assert_eq!(g.photos.len(), 6);
    assert_eq!(
        m.publication(id).unwrap().photo.as_deref(),
        Some(g.photos[0].as_str())
    );
    // The third becomes the cover, the fifth is removed, the rest keep their order.
    let mut order: Vec<GalleryPhoto> = g
        .photos
        .iter()
        .map(|h| GalleryPhoto::Existing(h.clone()))
        .collect();
    let cover = order.remove(2);
    order.insert(0, cover);
    order.remove(4);
    let g2 = m.set_gallery(&ana, id, order).unwrap();
    assert_eq!(g2.photos.len(), 5);
    assert_eq!(g2.photos[0], g.photos[2]);
    assert!(!g2.photos.contains(&g.photos[4]));
    assert_eq!(
        m.publication(id).unwrap().photo.as_deref(),
        Some(g.photos[2].as_str())
    );
    assert_eq!(m.listing_page(None, id).unwrap().photos, g2.photos);
    // Seven are refused, so is something that is not an image; nothing changes.
    let seven: Vec<GalleryPhoto> = (0..7u8).map(|i| GalleryPhoto::New(png(i, i, i))).collect();
    assert!(matches!(
        m.set_gallery(&ana, id, seven),
        Err(DomainError::Invalid(_))
    ));
    assert!(matches!(
        m.set_gallery(
            &ana,
            id,
            vec![GalleryPhoto::New(b"no soy una foto".to_vec())]
        ),
        Err(DomainError::Invalid(_))
    ));
    assert_eq!(m.gallery(id).unwrap().photos, g2.photos);
    // Another user's listing is not theirs to change.
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    assert!(matches!(
        m.set_gallery(&juan, id, vec![]),
        Err(DomainError::Denied(_))
    ));
    check_ok(&m);
}

#[test]
fn reputation_seller_page_and_contact_after_a_purchase() {
    let (_t, m) = share("rep");
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let juan = user(&m, "juan@ejemplo.com.ar", "Gómez, Juan", 0);
    let lu = user(&m, "lucia@ejemplo.com.ar", "Fernández, Lucía", 1);
    assert_eq!(
        m.reputation(ana.user_id).unwrap().summary,
        "Sin ventas todavía"
    );
    let a = listing(&m, &ana, 5, "Novela Rayuela", 20_000_00);
    let b = listing(&m, &ana, 5, "Enciclopedia Salvat", 90_000_00);
    let c = listing(&m, &ana, 5, "Libro de cuentos", 15_000_00);
    m.deposit(&juan, 1_000_000_00).unwrap();
    let s1 = m.buy(&juan, a).unwrap();
    let s2 = m.buy(&juan, b).unwrap();
    m.rate_with_comment(
        &juan,
        s1.sale,
        Rating::Recommend,
        "Impecable, tal cual la foto.",
    )
    .unwrap();
    m.rate(&juan, s2.sale, Rating::Neutral).unwrap();
    let r = m.reputation(ana.user_id).unwrap();
    assert_eq!(
        (r.sales, r.rated, r.recommend_pct, r.neutral_pct),
        (2, 2, 50, 50)
    );
    assert_eq!(r.summary, "50 % de recomendaciones, 2 ventas");

    let page = m.seller_page(ana.user_id).unwrap();
    assert_eq!(page.listings.iter().map(|p| p.id).collect::<Vec<_>>(), [c]);
    assert_eq!(page.ratings.len(), 2);
    let with_comment = page.ratings.iter().find(|r| r.sale == s1.sale).unwrap();
    assert_eq!(with_comment.comment, "Impecable, tal cual la foto.");
    assert_eq!(with_comment.buyer, "Juan");
    assert_eq!(page.seller.first_name, "Ana");
    assert_eq!(page.seller.reputation, r);

    // The buyer gets the seller's contact, the seller the buyer's; nobody else.
    let k = m.sale_contact(&juan, s1.sale).unwrap();
    assert_eq!(
        (k.role.as_str(), k.email.as_str()),
        ("vendedor", "ana@ejemplo.com.ar")
    );
    assert_eq!(k.phone, "+54 9 351 555-1234");
    assert!(k.advice.contains("ana@ejemplo.com.ar"), "{}", k.advice);
    assert_eq!(
        m.sale_contact(&ana, s1.sale).unwrap().email,
        "juan@ejemplo.com.ar"
    );
    assert!(matches!(
        m.sale_contact(&lu, s1.sale),
        Err(DomainError::Denied(_))
    ));
    check_ok(&m);
}

#[test]
fn the_users_list_comes_in_pages_by_id_and_a_search_folds_case_and_accents() {
    let (_t, m) = share("usuarios-paginas");
    let adm = admin(&m);
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let bob = user(&m, "bob@ejemplo.com.ar", "Gómez, Bob", 0);
    user(&m, "lu@ejemplo.com.ar", "Díaz, Lucía", 1);
    m.unregister(&bob, "secreto1").unwrap();
    let ids = |p: &ventalibre::domain::account::UsersPage| -> Vec<u64> {
        p.items.iter().map(|u| u.id).collect()
    };
    // Ids 1 (the administration) to 4; Bob's id 3 is gone.
    let p = m.users_page(&adm, 0, 2).unwrap();
    assert_eq!((ids(&p), p.total, p.users), (vec![1, 2], 4, 3));
    let p = m.users_page(&adm, 2, 50).unwrap();
    assert_eq!(ids(&p), vec![4]);
    assert!(m.users_page(&adm, 4, 50).unwrap().items.is_empty());
    let f = m.find_users(&adm, "LUCIA", 10).unwrap();
    assert_eq!((ids(&f), f.total), (vec![4], 1));
    assert_eq!(
        ids(&m.find_users(&adm, "gomez", 10).unwrap()),
        Vec::<u64>::new()
    );
    assert_eq!(ids(&m.find_users(&adm, "@ejemplo", 1).unwrap()), vec![2]);
    assert_eq!(m.find_users(&adm, "@ejemplo", 1).unwrap().total, 2);
    assert_eq!(ids(&m.find_users(&adm, "4", 10).unwrap()), vec![4]);
    // The administration looks one up by email (None: no such user, Bob is gone).
    assert_eq!(
        m.admin_user(&adm, "LU@ejemplo.com.ar")
            .unwrap()
            .map(|u| u.id),
        Some(4)
    );
    assert_eq!(m.admin_user(&adm, "bob@ejemplo.com.ar").unwrap(), None);
    // Only the administration lists users or looks them up.
    assert!(matches!(
        m.users_page(&ana, 0, 10),
        Err(DomainError::Denied(_))
    ));
    assert!(matches!(
        m.admin_user(&ana, "lu@ejemplo.com.ar"),
        Err(DomainError::Denied(_))
    ));
    assert!(matches!(
        m.find_users(&ana, "ana", 10),
        Err(DomainError::Denied(_))
    ));
}

#[test]
fn the_administrations_search_finds_listings_in_any_state_newest_first() {
    let (_t, m) = share("admin-busca");
    let adm = admin(&m);
    let ana = user(&m, "ana@ejemplo.com.ar", "Pérez, Ana", 2);
    let zu = user(&m, "zulma@ejemplo.com.ar", "Ríos, Zulma", 1);
    let a = listing(&m, &ana, 2, "Guitarra criolla", 100_000_00);
    let b = listing(&m, &zu, 2, "Guitarra eléctrica", 200_000_00);
    let c = listing(&m, &ana, 3, "Mesa de pino", 50_000_00);
    m.pause(&ana, a).unwrap();
    let ids = |q: &str, limit| -> Vec<u64> {
        m.find_publications(&adm, q, limit)
            .unwrap()
            .iter()
            .map(|v| v.id)
            .collect()
    };
    // Words in the name or description, in any state, newest first, accents folded.
    assert_eq!(ids("guitarra", 10), vec![b, a]);
    assert_eq!(ids("GUITARRA electrica", 10), vec![b]);
    assert_eq!(ids("muy buen estado", 10), vec![c, b, a]);
    assert_eq!(ids("muy buen estado", 2), vec![c, b]);
    // The seller's name or email.
    assert_eq!(ids("zulma", 10), vec![b]);
    assert_eq!(ids("rios guitarra", 10), vec![b]);
    // A number first, then what its digits match.
    assert_eq!(ids(&format!("N.º {c}"), 10), vec![c]);
    assert_eq!(ids("piano", 10), Vec::<u64>::new());
    assert!(matches!(
        m.find_publications(&ana, "guitarra", 10),
        Err(DomainError::Denied(_))
    ));
}

#[test]
fn reputation_shares_always_add_up_to_one_hundred() {
    let r = Reputation::of(46, 1, 0, 47);
    assert_eq!(r.summary, "98 % de recomendaciones, 47 ventas");
    for (a, b, c) in [(1, 1, 1), (2, 1, 0), (5, 3, 3), (0, 0, 7), (33, 33, 34)] {
        let r = Reputation::of(a, b, c, a + b + c);
        assert_eq!(
            r.recommend_pct + r.neutral_pct + r.not_recommend_pct,
            100,
            "{a} {b} {c}"
        );
    }
    assert_eq!(
        Reputation::of(0, 0, 0, 3).summary,
        "Sin calificaciones todavía, 3 ventas"
    );
    assert_eq!(
        Reputation::of(1, 0, 0, 1).summary,
        "100 % de recomendaciones, 1 venta"
    );
}

#[test]
fn the_demo_is_a_coherent_shop_with_pictures_and_passes_check() {
    let (t, m) = share("demo");
    let o = DemoOptions {
        users: 24,
        publications: 60,
        seed: 2026,
        photos: true,
    };
    let sum = m.demo_with(&o).unwrap();
    assert_eq!((sum.users, sum.publications), (24, 60));
    assert!(sum.sales > 0 && sum.ratings > 0 && sum.conversations > 0 && sum.answers > 0);
    assert!(
        sum.answers < sum.conversations,
        "some questions stay unanswered"
    );
    check_ok(&m);

    let admin = admin(&m);
    let users = m.users(&admin).unwrap();
    for u in users.iter().filter(|u| !u.admin) {
        assert!(u.photo.is_some(), "{} has no picture", u.email);
        assert!(u.phone.starts_with("+54 9 "), "{}", u.phone);
        if u.province == 0 {
            assert!(u.phone.starts_with("+54 9 11 "), "{}", u.phone);
        }
        if u.province == 2 {
            assert!(
                u.phone.starts_with("+54 9 35"),
                "{} {}",
                u.province_name,
                u.phone
            );
        }
    }
    let for_sale = m.browse(&Default::default()).unwrap();
    assert!(!for_sale.is_empty());
    for p in &for_sale {
        assert!(p.photo.is_some(), "{} has no picture", p.title);
        let t = p.title.to_lowercase();
        match p.kind {
            Kind::New => assert!(!t.contains("usad"), "{}", p.title),
            Kind::Used => assert!(
                !t.contains("nuev") || t.contains("como nuev"),
                "{}",
                p.title
            ),
        }
    }
    // Sales spread over months, not all at one minute.
    let sold: Vec<i64> = users
        .iter()
        .filter(|u| !u.admin)
        .flat_map(|u| {
            let s = Session {
                user_id: u.id,
                email: u.email.clone(),
                name: u.name.clone(),
                admin: false,
            };
            m.purchases(&s).unwrap().into_iter().map(|p| p.sold_ms)
        })
        .collect();
    let span = sold.iter().max().unwrap() - sold.iter().min().unwrap();
    assert!(
        span > 30 * 86_400_000,
        "sales within {} days",
        span / 86_400_000
    );

    // The same seed makes the same shop.
    let t2 = TempDir::new("demo2");
    let m2 = Market::open(t2.path(), true).unwrap();
    m2.demo_with(&o).unwrap();
    let titles = |m: &Market| -> Vec<(std::sync::Arc<str>, i64, Option<String>)> {
        m.browse(&Default::default())
            .unwrap()
            .into_iter()
            .map(|p| (p.title, p.price_cents, p.photo))
            .collect()
    };
    assert_eq!(titles(&m), titles(&m2));
    drop(t);
}

#[test]
fn a_bulk_demo_goes_through_the_program_s_own_operations_and_is_the_same_for_a_seed() {
    let o = DemoOptions {
        users: 120,
        publications: 3000,
        seed: 11,
        photos: true,
    };
    let make = |name: &str, photos: bool| {
        let (t, m) = share(name);
        let o = DemoOptions {
            photos,
            ..o.clone()
        };
        let mut steps = Vec::new();
        let sum = m
            .demo_bulk(&o, &mut |p| steps.push((p.stage, p.done, p.total)))
            .unwrap();
        (t, m, sum, steps)
    };
    let (t, m, sum, steps) = make("bulk", true);
    assert_eq!((sum.users, sum.publications), (120, 3000));
    // A bounded sample gets questions and sales, and the pictures are shared.
    assert!(sum.sales > 0 && sum.conversations > 0, "{sum:?}");
    assert!(sum.conversations < 3000, "{sum:?}");
    assert!(sum.photos > 0 && sum.photos < 1000, "{sum:?}");
    // Progress reaches the end of each stage.
    for stage in [
        "usuarios",
        "publicaciones y actividad",
        "índices de Explorar",
    ] {
        let last = steps.iter().rfind(|s| s.0 == stage).unwrap();
        assert_eq!(last.1, last.2, "{stage}: {steps:?}");
    }
    // Every index agrees with the data (NTX_1/NTX_2 kept by publish/pause/cancel/buy,
    // ORDENES/PALABRAS built at the end from the listings).
    check_ok(&m);
    let cats = m.categories().unwrap();
    assert_eq!(cats.iter().map(|c| c.publications).sum::<u64>(), 3000);
    let states = m.browse(&Default::default()).unwrap();
    assert!(
        states.len() > 1000 && states.len() < 3000,
        "{}",
        states.len()
    );
    assert!(states.iter().all(|p| p.state == PubState::Published));
    let (_, all) = m.dump_records().unwrap();
    assert!(all.iter().any(|p| p.state == PubState::Paused));
    assert!(all.iter().any(|p| p.state == PubState::Sold));

    // The same seed makes the same share (pictures apart: they take long in a debug build).
    let (t2, m2, _, _) = make("bulk2", false);
    let rows = |m: &Market| -> Vec<(u64, std::sync::Arc<str>, i64, u64)> {
        let (_, all) = m.dump_records().unwrap();
        all.into_iter()
            .map(|p| (p.id, p.title, p.price, p.seller))
            .collect()
    };
    assert_eq!(rows(&m), rows(&m2));
    drop((t, t2));
}
