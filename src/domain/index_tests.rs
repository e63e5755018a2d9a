//! The catalogue indexes against a brute-force scan, on random catalogues and random changes.

use super::*;
use crate::domain::Market;
use crate::domain::catalog::{Draft, publish_in_tx};
use crate::storage::ident::now_ms;

use crate::test_support::{XorShift as Rng, scratch};

const NOUNS: [&str; 8] = [
    "Guitarra",
    "Televisor",
    "Luz",
    "Mesa",
    "Bicicleta",
    "Canción",
    "Reloj",
    "Sofá",
];
const ADJ: [&str; 6] = ["criolla", "usado", "nuevo", "grande", "antiguo", "rojo"];

/// A share with `users` sellers (random provinces) and `pubs` random listings, made in one
/// transaction; returns the sellers.
pub(crate) fn catalogue(
    dir: &std::path::Path,
    users: u64,
    pubs: u64,
    seed: u64,
) -> (Market, Vec<User>) {
    let m = Market::open(dir, true).unwrap();
    let mut rng = Rng(seed | 1);
    let sellers = m
        .write(|tx| {
            let mut v = Vec::new();
            for i in 0..users {
                let u = User {
                    email: format!("vendedor{i}@ejemplo.com").into(),
                    id: USERS.next_id(tx)?,
                    rounds: 1,
                    salt: [0; 16],
                    hash: [0; 32],
                    name: format!("Vendedor {i}").into(),
                    address: "-".into(),
                    province: rng.below(24) as u8,
                    flags: 0,
                    phone: String::new(),
                    created_ms: 0,
                    last_login_ms: 0,
                    last_seen_ms: 0,
                    balance: 0,
                    photo: [0; 32],
                };
                USERS.insert(tx, u.email.as_bytes(), &u.encode())?;
                v.push(u);
            }
            let now = now_ms();
            for _ in 0..pubs {
                let u = &v[rng.below(users) as usize];
                let noun = NOUNS[rng.below(8) as usize];
                let plural = rng.below(3) == 0;
                let title = format!(
                    "{}{} {}",
                    noun,
                    if plural { "s" } else { "" },
                    ADJ[rng.below(6) as usize]
                );
                let d = Draft {
                    category: 1 + rng.below(8),
                    title,
                    description: format!(
                        "Vendo {} en buen estado",
                        NOUNS[rng.below(8) as usize].to_lowercase()
                    ),
                    price: 100 + rng.below(50) as i64 * 1000,
                    kind: if rng.below(2) == 0 {
                        Kind::New
                    } else {
                        Kind::Used
                    },
                    closes_ms: now + 86_400_000 * (1 + rng.below(30) as i64),
                    photo: [0; 32],
                };
                publish_in_tx(tx, u, &d, now)?;
            }
            Ok(v)
        })
        .unwrap();
    (m, sellers)
}

fn filters(rng: &mut Rng) -> Vec<BrowseFilter> {
    let mut v = vec![BrowseFilter::default()];
    // One word alone, newest first (the word index's short path).
    for w in ["guitarras", "luces", "vendo", "rojo"] {
        v.push(BrowseFilter {
            search: Some(w.into()),
            ..BrowseFilter::default()
        });
    }
    for _ in 0..12 {
        let sort = match rng.below(3) {
            0 => SortOrder::Newest,
            1 => SortOrder::PriceAsc,
            _ => SortOrder::PriceDesc,
        };
        let min = (rng.below(3) == 0).then(|| rng.below(30) as i64 * 1000);
        let max = (rng.below(3) == 0).then(|| 10_000 + rng.below(40) as i64 * 1000);
        v.push(BrowseFilter {
            category: (rng.below(2) == 0).then(|| 1 + rng.below(8)),
            kind: match rng.below(3) {
                0 => Some(Kind::New),
                1 => Some(Kind::Used),
                _ => None,
            },
            province: (rng.below(3) == 0).then(|| rng.below(24) as u8),
            sort,
            search: match rng.below(4) {
                0 => Some("guitarras".into()),
                1 => Some("televisor NUEVO".into()),
                2 => Some("luces".into()),
                _ => None,
            },
            min_price: min,
            max_price: max,
        });
    }
    v
}

/// Every page of `f` (pages of `limit`) joined equals the scan's whole answer, and every
/// page's total equals the scan's count.
fn assert_pages_match(m: &Market, f: &BrowseFilter, limit: usize) {
    let now = now_ms();
    let (want, want_total) = m
        .read(|tx| page_by_scan(tx, f, 0, usize::MAX, now))
        .unwrap();
    let mut got = Vec::new();
    let mut offset = 0u64;
    loop {
        let (page, total) = m.read(|tx| page(tx, f, offset, limit, now)).unwrap();
        assert_eq!(total, want_total, "total of {f:?}");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= limit);
        offset += page.len() as u64;
        got.extend(page);
    }
    assert_eq!(got, want, "pages of {f:?}");
}

fn assert_sound(m: &Market) {
    let probs = m.read(|tx| check(tx)).unwrap();
    for p in probs {
        assert!(p.is_ok(), "{}: {:?}", p.structure, p.problems);
    }
    // The same streaming comparison in many small passes.
    let probs = m.read(|tx| check_in_passes(tx, 7)).unwrap();
    for p in probs {
        assert!(p.is_ok(), "{} in passes: {:?}", p.structure, p.problems);
    }
    // The census counts every state, as NTX_2 does.
    for c in 1..=8 {
        let (census, ntx2) = m
            .read(|tx| Ok((census(tx, c)?, BY_CATEGORY.find(tx, c)?.len() as u64)))
            .unwrap();
        assert_eq!(census, ntx2, "category {c}");
    }
}

#[test]
fn pages_equal_a_scan_through_random_changes() {
    let dir = scratch("index-pages");
    let (m, sellers) = catalogue(&dir.0, 12, 300, 7);
    assert_sound(&m);
    let mut rng = Rng(99);
    let fs = filters(&mut rng);
    for f in &fs {
        assert_pages_match(&m, f, 7);
    }
    // Random changes through the operations' own storing path.
    for round in 0..6 {
        m.write(|tx| {
            let n = tx.slot_count(PUBS_DAT)?;
            for _ in 0..25 {
                let id = 1 + rng.below(n);
                let mut p = load_pub(tx, id)?;
                match rng.below(9) {
                    // A purchase: stays indexed (moved to the sold key) until swept.
                    6 | 7 => p.state = PubState::Sold,
                    0 => p.state = PubState::Paused,
                    1 => p.state = PubState::Published,
                    2 => p.state = PubState::Cancelled,
                    3 => p.price = 100 + rng.below(50) as i64 * 1000,
                    4 => {
                        let cat = 1 + rng.below(8);
                        BY_CATEGORY.remove(tx, p.category, id - 1)?;
                        BY_CATEGORY.insert(tx, cat, id - 1)?;
                        p.category = cat;
                    }
                    5 => p.title = format!("Luces {}", ADJ[rng.below(6) as usize]).into(),
                    // Expires in a moment: stays indexed until swept, readers skip it.
                    _ => p.closes_ms = now_ms() + 1,
                }
                store_pub(tx, &p)?;
            }
            Ok(())
        })
        .unwrap();
        // A seller moves.
        let u = &sellers[round % sellers.len()];
        m.write(|tx| {
            let mut cur = user_by_id(tx, u.id)?.unwrap();
            let to = (cur.province + 1) % 24;
            seller_moved(tx, u.id, cur.province, to)?;
            cur.province = to;
            store_user(tx, &cur)?;
            Ok(())
        })
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3));
        assert_sound(&m);
        for f in &fs {
            assert_pages_match(&m, f, 7);
        }
    }
    // Someone still has expired listings indexed: the next writes sweep them.
    let backlog = m
        .read(|tx| expired_backlog(tx, now_ms(), usize::MAX))
        .unwrap()
        .len();
    m.write(|tx| sweep_expired(tx, now_ms(), usize::MAX))
        .unwrap();
    let after = m
        .read(|tx| expired_backlog(tx, now_ms(), usize::MAX))
        .unwrap()
        .len();
    assert_eq!(after, 0, "swept {backlog}");
    assert_sound(&m);
    for f in &fs {
        assert_pages_match(&m, f, 50);
    }
    // Rebuilt from scratch, the indexes hold the same.
    let before = m.read(|tx| Ok(ORDERS.all(tx)?)).unwrap();
    m.write(rebuild).unwrap();
    assert_eq!(m.read(|tx| Ok(ORDERS.all(tx)?)).unwrap(), before);
    assert_sound(&m);
}

#[test]
fn counts_stay_exact_per_category() {
    let dir = scratch("index-counts");
    let (m, _) = catalogue(&dir.0, 5, 120, 3);
    let now = now_ms();
    let count = |m: &Market, c: u64| {
        let f = BrowseFilter {
            category: Some(c),
            ..BrowseFilter::default()
        };
        m.read(|tx| Ok(page(tx, &f, 0, 0, now)?.1)).unwrap()
    };
    let by_hand = |m: &Market, c: u64| {
        m.read(|tx| {
            let mut n = 0;
            for pos in BY_CATEGORY.find(tx, c)? {
                let p = load_pub(tx, pos + 1)?;
                n += u64::from(p.state == PubState::Published && !p.expired(now));
            }
            Ok(n)
        })
        .unwrap()
    };
    for c in 1..=8 {
        assert_eq!(count(&m, c), by_hand(&m, c));
    }
    // Pause every listing of category 2: its count drops to zero, the others stay.
    m.write(|tx| {
        for pos in BY_CATEGORY.find(tx, 2)? {
            let mut p = load_pub(tx, pos + 1)?;
            p.state = PubState::Paused;
            store_pub(tx, &p)?;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(count(&m, 2), 0);
    for c in 1..=8 {
        assert_eq!(count(&m, c), by_hand(&m, c));
    }
}

#[test]
fn plural_search_finds_the_singular_and_ranks_titles_first() {
    let dir = scratch("index-plural");
    let (m, sellers) = catalogue(&dir.0, 2, 0, 5);
    let now = now_ms();
    let ids = m
        .write(|tx| {
            let mut ids = Vec::new();
            for (title, desc) in [
                ("Guitarra criolla", "Con funda"),
                ("Funda acolchada", "Para guitarras criollas"),
                ("Televisores viejos", "Tres televisores"),
                ("Luz de escritorio", "LED"),
            ] {
                let d = Draft {
                    category: 2,
                    title: title.into(),
                    description: desc.into(),
                    price: 1000,
                    kind: Kind::Used,
                    closes_ms: now + 86_400_000,
                    photo: [0; 32],
                };
                ids.push(publish_in_tx(tx, &sellers[0], &d, now)?.id);
            }
            Ok(ids)
        })
        .unwrap();
    let find = |w: &str| {
        let f = BrowseFilter {
            search: Some(w.into()),
            ..BrowseFilter::default()
        };
        m.browse_page(&f, 0, 10)
            .unwrap()
            .items
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    // Title hit first, then the description-only hit.
    assert_eq!(find("guitarras"), vec![ids[0], ids[1]]);
    assert_eq!(find("GUITARRA criolla"), vec![ids[0], ids[1]]);
    assert_eq!(find("televisor"), vec![ids[2]]);
    assert_eq!(find("luces"), vec![ids[3]]);
    assert_eq!(find("guitarra televisor"), Vec::<u64>::new());
}

/// Reads of a cold first page of 50 at 1,000 and at 8,000 listings: bounded, and not growing
/// with the catalogue (index descents are logarithmic; the page's records come in runs).
#[test]
fn a_cold_first_page_costs_reads_that_do_not_grow_with_the_catalogue() {
    let mut reads = Vec::new();
    for n in [1000u64, 8000] {
        let dir = scratch(&format!("index-reads{n}"));
        let t = std::time::Instant::now();
        let (m, _) = catalogue(&dir.0, 40, n, 11);
        eprintln!(
            "{n} listings published in one transaction: {:.0} µs each",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
        let mut row = Vec::new();
        for f in [
            BrowseFilter::default(),
            BrowseFilter {
                category: Some(3),
                sort: SortOrder::PriceDesc,
                ..BrowseFilter::default()
            },
            BrowseFilter {
                kind: Some(Kind::New),
                sort: SortOrder::PriceAsc,
                ..BrowseFilter::default()
            },
            // A word every listing has (in its description): a page of it, not its postings.
            BrowseFilter {
                search: Some("vendo".into()),
                ..BrowseFilter::default()
            },
        ] {
            m.share().drop_cache();
            let page = m.browse_page(&f, 0, 50).unwrap();
            assert!(page.total > 0);
            let st = m.share().last_tx_stats();
            let index_reads = st.reads;
            m.share().drop_cache();
            let now = now_ms();
            m.read(|tx| super::page(tx, &f, 0, 50, now)).unwrap();
            let walk_reads = m.share().last_tx_stats().reads;
            m.share().drop_cache();
            m.read(|tx| page_by_scan(tx, &f, 0, 50, now)).unwrap();
            let scan = m.share().last_tx_stats();
            eprintln!(
                "{n} listings, {:?} cat {:?} words {:?}: first page of 50 (total {}): {index_reads} reads \
                 ({walk_reads} for the index walk alone), {} bytes; by scan: {} reads, {} bytes",
                f.sort,
                f.category,
                f.search,
                page.total,
                st.bytes_read,
                scan.reads,
                scan.bytes_read
            );
            row.push(index_reads);
        }
        reads.push(row);
    }
    for (small, big) in reads[0].iter().zip(&reads[1]) {
        assert!(
            *big <= small + small / 2 + 40,
            "reads grew from {small} to {big} with the catalogue"
        );
        assert!(*big < 1000, "{big} reads for one page");
    }
}

/// A terminal's decoded records (catalog::Memo) never outlive a change another terminal made:
/// a listing's new title and a seller's new name show on the next page.
#[test]
fn a_warm_page_shows_what_another_terminal_changed() {
    let dir = scratch("index-memo");
    let (a, sellers) = catalogue(&dir.0, 3, 40, 5);
    let b = Market::open(&dir.0, false).unwrap();
    let f = BrowseFilter::default();
    let first = a.browse_page(&f, 0, 10).unwrap();
    assert_eq!(a.browse_page(&f, 0, 10).unwrap(), first);
    let top = first.items[0].clone();
    let seller = sellers.iter().find(|u| u.id == top.seller_id).unwrap();
    b.write(|tx| {
        let mut p = load_pub(tx, top.id)?;
        p.title = "Título nuevo".into();
        store_pub(tx, &p)?;
        let mut u = user_by_id(tx, seller.id)?.unwrap();
        u.name = "Nombre nuevo".into();
        store_user(tx, &u)?;
        Ok(())
    })
    .unwrap();
    let again = a.browse_page(&f, 0, 10).unwrap();
    assert_eq!(&*again.items[0].title, "Título nuevo");
    for v in again.items.iter().filter(|v| v.seller_id == seller.id) {
        assert_eq!(&*v.seller_name, "Nombre nuevo");
    }
    // Unchanged rows are the same as before.
    assert_eq!(
        again.items[1..],
        first.items[1..]
            .iter()
            .map(|v| {
                let mut v = v.clone();
                if v.seller_id == seller.id {
                    v.seller_name = "Nombre nuevo".into();
                }
                v
            })
            .collect::<Vec<_>>()[..]
    );
}

/// The problems `check` finds in `idx`, in one pass and in passes of 3 entries (they must
/// agree).
fn problems_of(m: &Market, idx: &RankedBTree) -> Vec<String> {
    let pick = |probs: Vec<Problems>| {
        probs
            .into_iter()
            .find(|p| p.structure == idx.file)
            .unwrap()
            .problems
    };
    let one = pick(m.read(|tx| check(tx)).unwrap());
    let many = pick(m.read(|tx| check_in_passes(tx, 3)).unwrap());
    assert_eq!(one, many, "one pass and many passes disagree");
    one
}

#[test]
fn the_streaming_check_reports_a_missing_an_extra_and_a_wrong_entry() {
    let d = scratch("index-streaming-check");
    let (m, _) = catalogue(&d.0, 12, 120, 11);
    assert_sound(&m);
    for idx in [&ORDERS, &WORDS] {
        let all = m.read(|tx| Ok(idx.all(tx)?)).unwrap();
        for e in [all[0], all[all.len() / 2], all[all.len() - 1]] {
            // Missing.
            let missing = format!("falta la publicación {} ", e.pos + 1);
            let extra = format!("el índice tiene la publicación {} y no debería", e.pos + 1);
            let reports = |p: &[String], what: &str| {
                assert!(p.iter().any(|x| x.starts_with(what)), "{}: {p:?}", idx.file)
            };
            m.write(|tx| Ok(idx.remove(tx, e.key, e.pos)?)).unwrap();
            reports(&problems_of(&m, idx), &missing);
            // Wrong: the same key and position with another payload.
            m.write(|tx| Ok(idx.insert(tx, e.key, e.pos, e.payload ^ 1)?))
                .unwrap();
            let p = problems_of(&m, idx);
            reports(&p, &missing);
            reports(&p, &extra);
            m.write(|tx| {
                idx.remove(tx, e.key, e.pos)?;
                Ok(idx.insert(tx, e.key, e.pos, e.payload)?)
            })
            .unwrap();
            assert_sound(&m);
            // Extra: a key the listing does not have, and a position past the data file.
            let key = e.key ^ (1 << 40);
            assert_eq!(m.read(|tx| Ok(idx.get(tx, key, e.pos)?)).unwrap(), None);
            m.write(|tx| {
                idx.insert(tx, key, e.pos, e.payload)?;
                Ok(idx.insert(tx, e.key, 1_000_000, e.payload)?)
            })
            .unwrap();
            let p = problems_of(&m, idx);
            reports(&p, &extra);
            reports(&p, "el índice tiene la publicación 1000001 y no debería");
            m.write(|tx| {
                idx.remove(tx, key, e.pos)?;
                Ok(idx.remove(tx, e.key, 1_000_000)?)
            })
            .unwrap();
            assert_sound(&m);
        }
    }
}

#[test]
fn a_chunked_rebuild_cut_halfway_is_reported_and_rebuilt_again() {
    let d = scratch("index-chunked-cut");
    let (m, _) = catalogue(&d.0, 10, 150, 5);
    assert_sound(&m);
    // The first half of a chunked rebuild of ORDENES, then the cut.
    let v = m.read(|tx| Ok(ORDERS.all(tx)?)).unwrap();
    m.write(|tx| Ok(ORDERS.bulk_chunk(tx, &v, 0, v.len() / 2)?))
        .unwrap();
    let p = m.read(|tx| check(tx)).unwrap();
    assert!(
        p.iter().any(|p| p.structure == ORDERS.file
            && p.problems.iter().any(|x| x.contains("fuera del árbol"))),
        "{p:?}"
    );
    assert!(!m.read(|tx| sound(tx)).unwrap());
    // What repair runs on a large catalogue: the chunked build, again from the start.
    let (o, w) = bulk_build(&m, &mut |_, _| {}).unwrap();
    assert_eq!(o, v.len() as u64);
    assert!(w > 0);
    assert!(m.read(|tx| sound(tx)).unwrap());
    assert_sound(&m);
    // And on a small one: the rebuild in the repair's own transaction.
    let wv = m.read(|tx| Ok(WORDS.all(tx)?)).unwrap();
    m.write(|tx| Ok(WORDS.bulk_chunk(tx, &wv, 0, wv.len() / 3)?))
        .unwrap();
    assert!(!m.read(|tx| sound(tx)).unwrap());
    assert!(m.write(repair).unwrap().is_some());
    assert_sound(&m);
}

#[test]
fn a_node_that_fails_its_checksum_is_rebuilt_over_in_and_after_the_repair_transaction() {
    let d = scratch("damaged-node");
    let (m, _) = catalogue(&d.0, 10, 400, 9);
    assert_sound(&m);
    drop(m);
    let spoil = || {
        use std::io::{Read, Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(d.0.join(ORDERS.file))
            .unwrap();
        let at = 256 + 4096 + 100;
        let mut b = [0u8];
        f.seek(SeekFrom::Start(at)).unwrap();
        f.read_exact(&mut b).unwrap();
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(&[b[0] ^ 0xff]).unwrap();
    };
    spoil();
    let m = Market::open(&d.0, true).unwrap();
    assert!(!m.read(|tx| sound(tx)).unwrap());
    bulk_build(&m, &mut |_, _| {}).unwrap();
    assert_sound(&m);
    drop(m);
    spoil();
    let m = Market::open(&d.0, true).unwrap();
    m.write(|tx| {
        // What the repair's transaction does to an index file first: keep the live slots.
        tx.reset_slots(ORDERS.file, |_, s| !matches!(s, Some(Slot::Free { .. })))?;
        rebuild(tx)
    })
    .unwrap();
    assert_sound(&m);
}

/// A search of several words meets the other words both ways: their postings read whole and
/// intersected (a word about as common as the rarest), or looked up per candidate (a word
/// far more common than it); both give the scan's results.
#[test]
fn several_words_match_the_scan_through_postings_and_through_lookups() {
    let dir = scratch("index-words");
    let (m, sellers) = catalogue(&dir.0, 6, 300, 11);
    m.write(|tx| {
        let now = now_ms();
        for (title, description) in [
            ("Zampoña andina", "Vendo zampoña de caña"),
            ("Quena de madera", "Vendo quena y zampoña"),
        ] {
            let d = Draft {
                category: 2,
                title: title.into(),
                description: description.into(),
                price: 5_000,
                kind: Kind::Used,
                closes_ms: now + 86_400_000,
                photo: [0; 32],
            };
            publish_in_tx(tx, &sellers[0], &d, now)?;
        }
        Ok(())
    })
    .unwrap();
    let count = |w: &str| {
        m.read(|tx| {
            let (t, d) = (word_key(w, false), word_key(w, true));
            Ok(WORDS.count_range(tx, t, t)? + WORDS.count_range(tx, d, d)?)
        })
        .unwrap()
    };
    // «vendo» is in every listing: past the bound per candidate of «zampoña» (2 listings).
    assert!(count("vendo") > POSTINGS_PER_CANDIDATE * count("zampon"));
    // «televisor» and «buen» are both common: the postings are read.
    assert!(count("buen") <= POSTINGS_PER_CANDIDATE * count("televisor"));
    for words in [
        "zampoñas vendo",
        "vendo zampoña",
        "televisor buen",
        "quena zampoña vendo",
    ] {
        for sort in [SortOrder::Newest, SortOrder::PriceAsc] {
            let f = BrowseFilter {
                search: Some(words.into()),
                sort,
                ..BrowseFilter::default()
            };
            assert_pages_match(&m, &f, 7);
        }
    }
    let (ids, total) = m
        .read(|tx| {
            page(
                tx,
                &BrowseFilter {
                    search: Some("zampoña vendo".into()),
                    ..BrowseFilter::default()
                },
                0,
                10,
                now_ms(),
            )
        })
        .unwrap();
    // Neither has both words in its title («vendo» is in the descriptions): newest first.
    assert_eq!((ids.len(), total), (2, 2));
    assert!(ids[0] > ids[1], "{ids:?}");
}
