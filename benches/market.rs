//! The marketplace's operations, VentaLibre next to SQLite on the same data, at several sizes
//! (`cargo bench --bench market`): issue 12's table.
//!
//! For each size a share is generated with `Market::demo_bulk` (the same generator as
//! `ventalibre demo`, seed 7, no pictures) and its users, categories and publications are
//! copied into a SQLite database (rusqlite bundled, `journal_mode=DELETE`, `synchronous=FULL`,
//! indexes on users.email, pubs(category, price), pubs(seller), pubs(price), FTS5 on the folded
//! title and description). Then, for each operation, the two sides run in turns (VentaLibre
//! first on even runs, SQLite first on odd ones), `VENTALIBRE_BENCH_RUNS` times each:
//!
//! * browse one category (the biggest), price descending, first 50 rows — cold and warm;
//! * browse all categories, newest first, first 50 rows — cold and warm;
//! * search «nuevo», title matches first, first 50 rows — cold;
//! * log-in lookup of a user by email (no key derivation: `Market::user_view`) — cold;
//! * one purchase (a durable write transaction);
//! * terminal A's refresh of its first page after terminal B bought one of its articles (two
//!   `Market`s / connections on the same folder).
//!
//! "Cold" means a freshly opened `Market` (a new process's empty cache; opening it reads the
//! control file and the schema's headers, not timed) or a fresh SQLite connection whose
//! statement is prepared (schema read, not timed). The operating system's page cache is warm
//! for both: on a network share each of VentaLibre's reads is a round trip, which is why the
//! reads and bytes are printed (`Share::io_totals`), and SQLite's page-cache misses
//! (`SQLITE_DBSTATUS_CACHE_MISS`, pages of 4 KiB read from the file).
//!
//! Environment: `VENTALIBRE_BENCH_SIZES` (publications, default `1000,10000,100000`; users are
//! a twentieth, at least 100), `VENTALIBRE_BENCH_RUNS` (default 7), `VENTALIBRE_BENCH_DIR`
//! (folder to run in, e.g. a mounted share; default a temporary folder),
//! `VENTALIBRE_BENCH_DIR_B` (the same share through a second mount: terminal B of the refresh
//! row uses it), `VENTALIBRE_BENCH_SEED` (default 7), `VENTALIBRE_BENCH_MILLION=1` (also the same
//! table at 1,000,000 publications and 100,000 users, cold first pages included: generating the
//! share takes a few minutes, its SQLite copy a few more; cached like the others),
//! `VENTALIBRE_BENCH_CACHE` (a folder where generated shares and databases are kept and
//! reused by later runs of a program with the same share format revision — empty it after
//! changing the generator; each run works on a fresh copy), `VENTALIBRE_BENCH_SQLITE_VFS`
//! (SQLite's VFS, e.g. `unix-dotfile` on a cifs mount; default SQLite's own).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use ventalibre::domain::catalog::{BrowseFilter, SortOrder};
use ventalibre::domain::demo::{DemoOptions, DemoProgress};
use ventalibre::domain::text::fold;
use ventalibre::domain::{Market, PubState, Publication, Session, User};
use ventalibre::storage::IoStats;

const PAGE: usize = 50;
const SQLITE_PAGE_BYTES: u64 = 4096;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

fn runs() -> usize {
    env_u64("VENTALIBRE_BENCH_RUNS", 7).max(1) as usize
}

fn sizes() -> Vec<u64> {
    std::env::var("VENTALIBRE_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|x| x.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000])
}

fn users_for(pubs: u64) -> u64 {
    (pubs / 20).max(100)
}

/// A scratch folder, removed at the end.
struct Scratch(PathBuf);
impl Scratch {
    fn new(name: &str) -> Scratch {
        let base = std::env::var_os("VENTALIBRE_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("vl-market-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The same folder as terminal B sees it: through `VENTALIBRE_BENCH_DIR_B` (a second mount of
/// the share `VENTALIBRE_BENCH_DIR` is on), or the same path.
fn other_terminal(dir: &Path) -> PathBuf {
    match (
        std::env::var_os("VENTALIBRE_BENCH_DIR"),
        std::env::var_os("VENTALIBRE_BENCH_DIR_B"),
    ) {
        (Some(a), Some(b)) => match dir.strip_prefix(&a) {
            Ok(rest) => {
                let there = PathBuf::from(b).join(rest);
                // The other mount's directory cache may lag for a moment.
                for _ in 0..100 {
                    if there.exists() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                there
            }
            Err(_) => dir.to_path_buf(),
        },
        _ => dir.to_path_buf(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

// ---- the data ------------------------------------------------------------------------------

/// What the operations need to know about the generated data.
struct Data {
    pubs: u64,
    users: u64,
    /// The category with the most listings.
    category: u64,
    /// A user's email for the log-in lookup.
    email: String,
    buyer: Session,
    /// Listings for sale the buyer may buy, in the order the purchases take them.
    targets: Vec<u64>,
    now: i64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Generates the share in `vl` (or copies it from the cache) and the same data into SQLite
/// at `db`.
fn generate(pubs: u64, users: u64, seed: u64, vl: &Path, db: &Path) -> (Duration, Duration) {
    let cache = std::env::var_os("VENTALIBRE_BENCH_CACHE").map(PathBuf::from);
    let cached = cache.as_ref().map(|c| {
        c.join(format!(
            "market-{pubs}-{users}-{seed}-rev{}",
            ventalibre::domain::version::FORMAT_REVISION
        ))
    });
    if let Some(c) = &cached
        && c.join("vl").exists()
        && c.join("bench.db").exists()
    {
        copy_dir(&c.join("vl"), vl);
        std::fs::copy(c.join("bench.db"), db).unwrap();
        println!("  (data copied from the cache {})", c.display());
        return (Duration::ZERO, Duration::ZERO);
    }
    if let Some(c) = &cached
        && c.join("vl").exists()
    {
        // A share made by `ventalibre demo --semilla SEED --sin-fotos` (the same generator)
        // put in the cache by hand: only its SQLite copy is missing.
        copy_dir(&c.join("vl"), vl);
        println!("  (share copied from the cache {})", c.display());
        let t = Instant::now();
        build_sqlite(vl, db);
        let sq_time = t.elapsed();
        std::fs::copy(db, c.join("bench.db")).unwrap();
        return (Duration::ZERO, sq_time);
    }
    let t = Instant::now();
    let cpu = cpu_secs();
    {
        let m = Market::open(vl, true).unwrap();
        let started = Instant::now();
        let mut last = Instant::now();
        let mut progress = |p: DemoProgress| {
            if last.elapsed() >= Duration::from_secs(10) {
                println!(
                    "    generating: {} {}/{} ({:.0} s)",
                    p.stage,
                    p.done,
                    p.total,
                    started.elapsed().as_secs_f64()
                );
                last = Instant::now();
            }
        };
        let sum = m
            .demo_bulk(
                &DemoOptions {
                    users,
                    publications: pubs,
                    seed,
                    photos: false,
                },
                &mut progress,
            )
            .unwrap();
        assert_eq!(sum.publications, pubs);
    }
    let vl_time = t.elapsed();
    println!(
        "  demo_bulk: {:.1} s, {:.1} CPU s ({:.0} µs CPU per publication)",
        vl_time.as_secs_f64(),
        cpu_secs() - cpu,
        (cpu_secs() - cpu) * 1e6 / pubs as f64
    );
    let t = Instant::now();
    build_sqlite(vl, db);
    let sq_time = t.elapsed();
    if let Some(c) = &cached {
        let _ = std::fs::remove_dir_all(c);
        copy_dir(vl, &c.join("vl"));
        std::fs::copy(db, c.join("bench.db")).unwrap();
    }
    (vl_time, sq_time)
}

/// SQLite's connection. `VENTALIBRE_BENCH_SQLITE_VFS` picks a VFS other than the default
/// (POSIX byte-range locks): on the VM's cifs mount (vers=3.1.1, default byte-range locking)
/// those answer "database is locked" at the first write, even alone (checked with Python's
/// sqlite3 in the VM), so `latency.sh` runs SQLite there with `unix-dotfile`, which locks by
/// an exclusive-create lock file; the same probe showed two mounts then read each other's
/// writes.
fn open_sqlite(path: &Path) -> Connection {
    let conn = match std::env::var("VENTALIBRE_BENCH_SQLITE_VFS") {
        Ok(vfs) if !vfs.is_empty() => Connection::open_with_flags_and_vfs(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_CREATE,
            vfs.as_str(),
        )
        .unwrap_or_else(|e| panic!("SQLite with the VFS {vfs}: {e}")),
        _ => Connection::open(path).unwrap(),
    };
    conn.busy_timeout(Duration::from_secs(60)).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode.to_lowercase(), "delete");
    conn.execute_batch("PRAGMA synchronous=FULL").unwrap();
    conn
}

const SCHEMA: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL,
  address TEXT NOT NULL, province INTEGER NOT NULL, phone TEXT NOT NULL, flags INTEGER NOT NULL,
  balance INTEGER NOT NULL, created_ms INTEGER NOT NULL, last_login_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL, rounds INTEGER NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL,
  photo BLOB NOT NULL);
CREATE UNIQUE INDEX users_email ON users(email);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL, commission_bp INTEGER NOT NULL);
CREATE TABLE pubs (id INTEGER PRIMARY KEY, category INTEGER NOT NULL, seller INTEGER NOT NULL,
  title TEXT NOT NULL, description TEXT NOT NULL, price INTEGER NOT NULL,
  published_ms INTEGER NOT NULL, closes_ms INTEGER NOT NULL, kind INTEGER NOT NULL,
  state INTEGER NOT NULL, photo BLOB NOT NULL, buyer INTEGER NOT NULL, sale INTEGER,
  updated_ms INTEGER NOT NULL, sold_ms INTEGER NOT NULL);
CREATE INDEX pubs_category_price ON pubs(category, price);
CREATE INDEX pubs_seller ON pubs(seller);
CREATE INDEX pubs_price ON pubs(price);
CREATE VIRTUAL TABLE pubs_words USING fts5(title, description, content='');
CREATE TABLE sales (id INTEGER PRIMARY KEY, pub_id INTEGER NOT NULL, seller INTEGER NOT NULL,
  buyer INTEGER NOT NULL, title TEXT NOT NULL, price INTEGER NOT NULL, sold_ms INTEGER NOT NULL,
  kind INTEGER NOT NULL, rating INTEGER NOT NULL, commission_bp INTEGER NOT NULL,
  commission INTEGER NOT NULL, invoice INTEGER NOT NULL);
CREATE INDEX sales_buyer ON sales(buyer);
CREATE TABLE invoices (number INTEGER PRIMARY KEY, sale INTEGER NOT NULL, pub_id INTEGER NOT NULL,
  issued_ms INTEGER NOT NULL, buyer_id INTEGER NOT NULL, buyer_name TEXT NOT NULL,
  buyer_email TEXT NOT NULL, buyer_address TEXT NOT NULL, seller_id INTEGER NOT NULL,
  seller_name TEXT NOT NULL, seller_email TEXT NOT NULL, title TEXT NOT NULL,
  unit_price INTEGER NOT NULL, total INTEGER NOT NULL, commission_bp INTEGER NOT NULL,
  commission INTEGER NOT NULL);
CREATE TABLE movements (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, kind INTEGER NOT NULL,
  amount INTEGER NOT NULL, other INTEGER NOT NULL, pub_id INTEGER NOT NULL, at_ms INTEGER NOT NULL,
  balance_after INTEGER NOT NULL);
CREATE INDEX movements_user ON movements(user_id);
CREATE TABLE news (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, kind INTEGER NOT NULL,
  at_ms INTEGER NOT NULL, pub_id INTEGER NOT NULL, other INTEGER NOT NULL, amount INTEGER NOT NULL);
CREATE INDEX news_user ON news(user_id);
CREATE TABLE events (id INTEGER PRIMARY KEY, wall_ms INTEGER NOT NULL, user TEXT NOT NULL,
  op TEXT NOT NULL, detail TEXT NOT NULL);
";

/// Copies the share's users, categories and publications into a new SQLite database.
fn build_sqlite(vl: &Path, db: &Path) {
    let m = Market::open(vl, false).unwrap();
    let (users, pubs) = m.dump_records().unwrap();
    let cats = m.categories().unwrap();
    drop(m);
    let mut conn = open_sqlite(db);
    conn.execute_batch(SCHEMA).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO users VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
            )
            .unwrap();
        for u in &users {
            ins.execute(params![
                u.id as i64,
                u.email,
                u.name,
                u.address,
                u.province,
                u.phone,
                u.flags,
                u.balance,
                u.created_ms,
                u.last_login_ms,
                u.last_seen_ms,
                u.rounds,
                &u.salt[..],
                &u.hash[..],
                &u.photo[..]
            ])
            .unwrap();
        }
        let mut ins = tx
            .prepare("INSERT INTO categories VALUES (?1, ?2, ?3)")
            .unwrap();
        for c in &cats {
            ins.execute(params![c.key as i64, c.name, c.commission_bp])
                .unwrap();
        }
        let mut ins = tx
            .prepare("INSERT INTO pubs VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)")
            .unwrap();
        let mut words = tx
            .prepare("INSERT INTO pubs_words (rowid, title, description) VALUES (?1, ?2, ?3)")
            .unwrap();
        for p in &pubs {
            ins.execute(params![
                p.id as i64,
                p.category as i64,
                p.seller as i64,
                p.title,
                p.description,
                p.price,
                p.published_ms,
                p.closes_ms,
                p.kind as u8,
                p.state as u8,
                &p.photo[..],
                p.buyer as i64,
                (p.sale_pos != Publication::no_sale()).then_some(p.sale_pos as i64 + 1),
                p.updated_ms,
                p.sold_ms
            ])
            .unwrap();
            words
                .execute(params![p.id as i64, fold(&p.title), fold(&p.description)])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

/// Picks what the operations use, the same for both sides.
fn plan(vl: &Path, db: &Path, pubs: u64) -> Data {
    let m = Market::open(vl, false).unwrap();
    let (users, all) = m.dump_records().unwrap();
    let now = now_ms();
    let mut per_cat: std::collections::BTreeMap<u64, u64> = Default::default();
    for p in &all {
        *per_cat.entry(p.category).or_default() += 1;
    }
    let category = per_cat
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map(|(k, _)| *k)
        .unwrap();
    let people: Vec<&User> = users.iter().filter(|u| !u.is_admin()).collect();
    let email = people[people.len() * 2 / 3].email.to_string();
    let buyer_user = people[people.len() / 3];
    let buyer = Session {
        user_id: buyer_user.id,
        email: buyer_user.email.to_string(),
        name: buyer_user.name.to_string(),
        admin: false,
    };
    let for_sale = |p: &&Publication| {
        p.state == PubState::Published && p.closes_ms > now + 3_600_000 && p.seller != buyer.user_id
    };
    // Refresh targets first: the newest listings (on terminal A's first page), then purchase
    // targets spread over the whole catalogue.
    let mut targets: Vec<u64> = all
        .iter()
        .rev()
        .filter(for_sale)
        .take(2 * runs() + 2)
        .map(|p| p.id)
        .collect();
    let step = (all.len() / (4 * runs() + 4)).max(1);
    let spread: Vec<u64> = all
        .iter()
        .step_by(step)
        .filter(for_sale)
        .filter(|p| !targets.contains(&p.id))
        .take(2 * runs() + 2)
        .map(|p| p.id)
        .collect();
    targets.extend(spread);
    let total: i64 = targets
        .iter()
        .map(|id| all[*id as usize - 1].price)
        .sum::<i64>()
        + 1_000_00;
    // The buyer's money, on both sides.
    let mut left = total;
    while left > 0 {
        let d = left.min(ventalibre::domain::trade::MAX_AMOUNT);
        m.deposit(&buyer, d).unwrap();
        left -= d;
    }
    let conn = open_sqlite(db);
    conn.execute(
        "UPDATE users SET balance = balance + ?1 WHERE id = ?2",
        params![total, buyer.user_id as i64],
    )
    .unwrap();
    Data {
        pubs,
        users: users.len() as u64,
        category,
        email,
        buyer,
        targets,
        now,
    }
}

// ---- the operations ------------------------------------------------------------------------

/// One page of `f`, as the window asks for it (with the total count it shows).
fn vl_page(m: &Market, f: &BrowseFilter) -> usize {
    let page = m.browse_page(f, 0, PAGE).unwrap();
    assert!(page.total >= page.items.len() as u64);
    page.items.len()
}

fn filter_category(d: &Data) -> BrowseFilter {
    BrowseFilter {
        category: Some(d.category),
        sort: SortOrder::PriceDesc,
        ..Default::default()
    }
}

fn filter_all() -> BrowseFilter {
    BrowseFilter {
        sort: SortOrder::Newest,
        ..Default::default()
    }
}

fn filter_search() -> BrowseFilter {
    BrowseFilter {
        sort: SortOrder::Newest,
        search: Some("nuevo".into()),
        ..Default::default()
    }
}

const SQL_COLUMNS: &str = "p.id, p.title, p.description, p.price, p.category, c.name, p.seller, \
     u.email, u.name, u.province, p.kind, p.state, p.published_ms, p.closes_ms, p.photo, p.sale";

fn sql_category() -> String {
    format!(
        "SELECT {SQL_COLUMNS} FROM pubs p JOIN users u ON u.id = p.seller \
         JOIN categories c ON c.id = p.category \
         WHERE p.category = ?1 AND p.state = 1 AND p.closes_ms >= ?2 \
         ORDER BY p.price DESC, p.id DESC LIMIT {PAGE}"
    )
}

fn sql_all() -> String {
    format!(
        "SELECT {SQL_COLUMNS} FROM pubs p JOIN users u ON u.id = p.seller \
         JOIN categories c ON c.id = p.category \
         WHERE p.state = 1 AND p.closes_ms >= ?1 ORDER BY p.id DESC LIMIT {PAGE}"
    )
}

fn sql_search() -> String {
    format!(
        "SELECT {SQL_COLUMNS} FROM (
           SELECT rowid AS id, 0 AS rank FROM pubs_words WHERE pubs_words MATCH 'title : nuevo'
           UNION ALL
           SELECT rowid, 1 FROM pubs_words
             WHERE pubs_words MATCH 'description : nuevo NOT title : nuevo') m
         JOIN pubs p ON p.id = m.id JOIN users u ON u.id = p.seller
         JOIN categories c ON c.id = p.category
         WHERE p.state = 1 AND p.closes_ms >= ?1 ORDER BY m.rank, p.id DESC LIMIT {PAGE}"
    )
}

const SQL_USER: &str = "SELECT id, email, name, address, province, phone, flags, balance, \
     created_ms, rounds, salt, hash FROM users WHERE email = ?1";

/// Reads every row of a prepared query (all columns), as a screen would.
fn sql_rows(stmt: &mut rusqlite::Statement<'_>, p: impl rusqlite::Params) -> usize {
    let n = stmt.column_count();
    let mut rows = stmt.query(p).unwrap();
    let mut count = 0;
    while let Some(r) = rows.next().unwrap() {
        for i in 0..n {
            let _ = r.get_ref(i).unwrap();
        }
        count += 1;
    }
    count
}

/// SQLite's page-cache misses so far on `conn` (pages read from the database file).
fn cache_misses(conn: &Connection) -> u64 {
    let (mut cur, mut hi) = (0i32, 0i32);
    // SAFETY: the handle is valid while `conn` lives; sqlite3_db_status only reads counters.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_MISS,
            &mut cur,
            &mut hi,
            0,
        )
    };
    assert_eq!(rc, 0);
    cur as u64
}

/// The SQLite purchase: what `buy_in_tx` does, in one `BEGIN IMMEDIATE` transaction.
fn sqlite_buy(conn: &mut Connection, buyer: u64, id: u64, now: i64) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    {
        let (seller, price, state, closes, category, title, kind): (
            i64,
            i64,
            i64,
            i64,
            i64,
            String,
            i64,
        ) = tx
            .prepare_cached(
                "SELECT seller, price, state, closes_ms, category, title, kind FROM pubs WHERE id = ?1",
            )
            .unwrap()
            .query_row([id as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap();
        assert!(state == 1 && closes >= now && seller != buyer as i64);
        let user = |id: i64| -> (String, String, String, i64, i64) {
            tx.prepare_cached(
                "SELECT email, name, address, balance, flags FROM users WHERE id = ?1",
            )
            .unwrap()
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
        };
        let b = user(buyer as i64);
        let s = user(seller);
        assert!(b.3 >= price && s.4 & 2 == 0);
        let bp: i64 = tx
            .prepare_cached("SELECT commission_bp FROM categories WHERE id = ?1")
            .unwrap()
            .query_row([category], |r| r.get(0))
            .optional()
            .unwrap()
            .unwrap_or(0);
        let commission = price * bp / 10_000;
        let invoice: i64 = tx
            .prepare_cached("SELECT coalesce(max(number), 0) + 1 FROM invoices")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        tx.prepare_cached(
            "INSERT INTO sales (pub_id, seller, buyer, title, price, sold_ms, kind, rating, \
             commission_bp, commission, invoice) VALUES (?1,?2,?3,?4,?5,?6,?7,0,?8,?9,?10)",
        )
        .unwrap()
        .execute(params![
            id as i64,
            seller,
            buyer as i64,
            title,
            price,
            now,
            kind,
            bp,
            commission,
            invoice
        ])
        .unwrap();
        let sale = tx.last_insert_rowid();
        tx.prepare_cached(
            "INSERT INTO invoices VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?13,?14,?15)",
        )
        .unwrap()
        .execute(params![
            invoice,
            sale,
            id as i64,
            now,
            buyer as i64,
            b.1,
            b.0,
            b.2,
            seller,
            s.1,
            s.0,
            title,
            price,
            bp,
            commission
        ])
        .unwrap();
        tx.prepare_cached(
            "UPDATE pubs SET state = 4, buyer = ?1, sale = ?2, sold_ms = ?3, updated_ms = ?3 WHERE id = ?4",
        )
        .unwrap()
        .execute(params![buyer as i64, sale, now, id as i64])
        .unwrap();
        let mut bal = tx
            .prepare_cached("UPDATE users SET balance = ?1 WHERE id = ?2")
            .unwrap();
        bal.execute(params![b.3 - price, buyer as i64]).unwrap();
        bal.execute(params![s.3 + price, seller]).unwrap();
        let mut mv = tx
            .prepare_cached(
                "INSERT INTO movements (user_id, kind, amount, other, pub_id, at_ms, balance_after) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )
            .unwrap();
        mv.execute(params![
            buyer as i64,
            2,
            -price,
            seller,
            id as i64,
            now,
            b.3 - price
        ])
        .unwrap();
        mv.execute(params![
            seller,
            3,
            price,
            buyer as i64,
            id as i64,
            now,
            s.3 + price
        ])
        .unwrap();
        tx.prepare_cached(
            "INSERT INTO news (user_id, kind, at_ms, pub_id, other, amount) VALUES (?1,1,?2,?3,?4,?5)",
        )
        .unwrap()
        .execute(params![seller, now, id as i64, buyer as i64, price])
        .unwrap();
        tx.prepare_cached(
            "INSERT INTO events (wall_ms, user, op, detail) VALUES (?1, ?2, 'compra', ?3)",
        )
        .unwrap()
        .execute(params![
            now,
            b.0,
            format!("publicación {id}, factura {invoice}")
        ])
        .unwrap();
    }
    tx.commit().unwrap();
}

// ---- measuring -------------------------------------------------------------------------------

/// One measured run: its time and its I/O.
#[derive(Clone, Copy, Default)]
struct Run {
    time: Duration,
    io: IoStats,
    /// SQLite: pages read from the file.
    pages: u64,
}

/// The runs of one operation on one side.
#[derive(Default, Clone)]
struct Side(Vec<Run>);

impl Side {
    fn min(&self) -> Duration {
        self.0.iter().map(|r| r.time).min().unwrap_or_default()
    }
    fn median(&self) -> Duration {
        let mut t: Vec<Duration> = self.0.iter().map(|r| r.time).collect();
        t.sort();
        t.get(t.len() / 2).copied().unwrap_or_default()
    }
    /// I/O of the median run (cold runs all read the same).
    fn io(&self) -> Run {
        let mut v = self.0.clone();
        v.sort_by_key(|r| r.time);
        v.get(v.len() / 2).copied().unwrap_or_default()
    }
}

impl Side {
    /// The fsyncs of the median run, and their range and mean when runs differ (a commit that
    /// also checkpoints the redo log fsyncs the files it folds into).
    fn syncs(&self) -> String {
        let v: Vec<u64> = self.0.iter().map(|r| r.io.syncs).collect();
        let (lo, hi) = (
            v.iter().copied().min().unwrap_or(0),
            v.iter().copied().max().unwrap_or(0),
        );
        if lo == hi {
            return lo.to_string();
        }
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        format!("{} ({lo}–{hi}, mean {mean:.1})", self.io().io.syncs)
    }
}

struct Row {
    name: &'static str,
    vl: Side,
    sq: Side,
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m >= 100.0 {
        format!("{m:.0}")
    } else if m >= 10.0 {
        format!("{m:.1}")
    } else if m >= 1.0 {
        format!("{m:.2}")
    } else {
        format!("{m:.3}")
    }
}

fn bytes(n: u64) -> String {
    if n >= 10 << 20 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 10 << 10 {
        format!("{:.0} KB", n as f64 / 1e3)
    } else {
        format!("{n} B")
    }
}

/// Times `f` on VentaLibre's market `m` and returns the run.
fn vl_run(m: &Market, f: impl FnOnce(&Market)) -> Run {
    let before = m.share().io_totals();
    let t = Instant::now();
    f(m);
    let time = t.elapsed();
    Run {
        time,
        io: m.share().io_totals().since(&before),
        pages: 0,
    }
}

/// Runs `vl` and `sq` `runs()` times each, in turns.
fn interleave(
    name: &'static str,
    mut vl: impl FnMut(usize) -> Run,
    mut sq: impl FnMut(usize) -> Run,
) -> Row {
    let (mut a, mut b) = (Side::default(), Side::default());
    for r in 0..runs() {
        if r % 2 == 0 {
            a.0.push(vl(r));
            b.0.push(sq(r));
        } else {
            b.0.push(sq(r));
            a.0.push(vl(r));
        }
    }
    Row { name, vl: a, sq: b }
}

/// A browse measured cold (fresh market / connection per run) and warm (the same one again).
fn browse_rows(
    vl_dir: &Path,
    db: &Path,
    cold_name: &'static str,
    warm_name: &'static str,
    filter: BrowseFilter,
    sql: &str,
    args: impl Fn() -> Vec<i64>,
) -> (Row, Row) {
    let cold = interleave(
        cold_name,
        |_| {
            let m = Market::open(vl_dir, false).unwrap();
            vl_run(&m, |m| assert!(vl_page(m, &filter) > 0))
        },
        |_| {
            let conn = open_sqlite(db);
            let mut st = conn.prepare(sql).unwrap();
            let a = args();
            let before = cache_misses(&conn);
            let t = Instant::now();
            assert!(sql_rows(&mut st, rusqlite::params_from_iter(a.iter())) > 0);
            let time = t.elapsed();
            Run {
                time,
                io: IoStats::default(),
                pages: cache_misses(&conn) - before,
            }
        },
    );
    let m = Market::open(vl_dir, false).unwrap();
    vl_page(&m, &filter);
    let conn = open_sqlite(db);
    let mut st = conn.prepare(sql).unwrap();
    sql_rows(&mut st, rusqlite::params_from_iter(args().iter()));
    let warm = interleave(
        warm_name,
        |_| vl_run(&m, |m| assert!(vl_page(m, &filter) > 0)),
        |_| {
            let a = args();
            let before = cache_misses(&conn);
            let t = Instant::now();
            assert!(sql_rows(&mut st, rusqlite::params_from_iter(a.iter())) > 0);
            let time = t.elapsed();
            Run {
                time,
                io: IoStats::default(),
                pages: cache_misses(&conn) - before,
            }
        },
    );
    (cold, warm)
}

fn measure(vl_dir: &Path, db: &Path, d: &Data) -> Vec<Row> {
    let mut rows = Vec::new();
    let now = d.now;
    let cat = d.category as i64;
    let (c, w) = browse_rows(
        vl_dir,
        db,
        "browse one category, price desc, first 50, cold",
        "browse one category, price desc, first 50, warm",
        filter_category(d),
        &sql_category(),
        || vec![cat, now_ms()],
    );
    rows.extend([c, w]);
    let (c, w) = browse_rows(
        vl_dir,
        db,
        "browse all categories, newest, first 50, cold",
        "browse all categories, newest, first 50, warm",
        filter_all(),
        &sql_all(),
        || vec![now_ms()],
    );
    rows.extend([c, w]);
    let (c, _) = browse_rows(
        vl_dir,
        db,
        "search «nuevo», title matches first, first 50, cold",
        "",
        filter_search(),
        &sql_search(),
        || vec![now_ms()],
    );
    rows.push(c);
    rows.push(interleave(
        "log-in lookup by email, cold",
        |_| {
            let m = Market::open(vl_dir, false).unwrap();
            vl_run(&m, |m| {
                assert_eq!(m.user_view(&d.email).unwrap().email, d.email);
            })
        },
        |_| {
            let conn = open_sqlite(db);
            let mut st = conn.prepare(SQL_USER).unwrap();
            let before = cache_misses(&conn);
            let t = Instant::now();
            assert_eq!(sql_rows(&mut st, [&d.email]), 1);
            let time = t.elapsed();
            Run {
                time,
                io: IoStats::default(),
                pages: cache_misses(&conn) - before,
            }
        },
    ));
    let _ = now;

    // Purchases: the targets after the refresh ones, one per run and side.
    let refresh_targets = &d.targets[..(2 * runs() + 2).min(d.targets.len())];
    let buy_targets = &d.targets[refresh_targets.len()..];
    let m = Market::open(vl_dir, false).unwrap();
    let mut conn = open_sqlite(db);
    // Warm both (statements, caches), as a running program is.
    m.me(&d.buyer).unwrap();
    let (mut vi, mut si) = (0usize, 0usize);
    rows.push(interleave(
        "one purchase (durable)",
        |_| {
            let id = buy_targets[vi];
            vi += 1;
            vl_run(&m, |m| {
                m.buy(&d.buyer, id).unwrap();
            })
        },
        |_| {
            let id = buy_targets[si];
            si += 1;
            let before = cache_misses(&conn);
            let t = Instant::now();
            sqlite_buy(&mut conn, d.buyer.user_id, id, now_ms());
            let time = t.elapsed();
            Run {
                time,
                io: IoStats::default(),
                pages: cache_misses(&conn) - before,
            }
        },
    ));
    drop((m, conn));

    // Terminal A shows the first page; terminal B buys one of its articles; A refreshes.
    let a = Market::open(vl_dir, false).unwrap();
    let b = Market::open(other_terminal(vl_dir), false).unwrap();
    let conn_a = open_sqlite(db);
    let mut conn_b = open_sqlite(&other_terminal(db));
    let sql = sql_all();
    let mut st_a = conn_a.prepare(&sql).unwrap();
    vl_page(&a, &filter_all());
    sql_rows(&mut st_a, [now_ms()]);
    b.me(&d.buyer).unwrap();
    let (mut vi, mut si) = (0usize, 0usize);
    rows.push(interleave(
        "refresh of terminal A after terminal B bought one article",
        |_| {
            let id = refresh_targets[vi];
            vi += 1;
            b.buy(&d.buyer, id).unwrap();
            vl_run(&a, |a| assert!(vl_page(a, &filter_all()) > 0))
        },
        |_| {
            let id = refresh_targets[si];
            si += 1;
            sqlite_buy(&mut conn_b, d.buyer.user_id, id, now_ms());
            let before = cache_misses(&conn_a);
            let t = Instant::now();
            assert!(sql_rows(&mut st_a, [now_ms()]) > 0);
            let time = t.elapsed();
            Run {
                time,
                io: IoStats::default(),
                pages: cache_misses(&conn_a) - before,
            }
        },
    ));
    rows
}

fn print_rows(d: &Data, rows: &[Row]) {
    println!();
    println!(
        "{} publications, {} users ({} runs per side; times in ms; ratio = VentaLibre median / SQLite median)",
        d.pubs,
        d.users,
        runs()
    );
    println!();
    println!(
        "| operation | VentaLibre min | median | SQLite min | median | ratio | VentaLibre reads | bytes read | bytes written | fsyncs | SQLite pages (bytes) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let (v, s) = (r.vl.io(), r.sq.io());
        let ratio = r.vl.median().as_secs_f64() / r.sq.median().as_secs_f64().max(1e-9);
        println!(
            "| {} | {} | {} | {} | {} | {:.1}× | {} | {} | {} | {} | {} ({}) |",
            r.name,
            ms(r.vl.min()),
            ms(r.vl.median()),
            ms(r.sq.min()),
            ms(r.sq.median()),
            ratio,
            v.io.reads,
            bytes(v.io.bytes_read),
            bytes(v.io.bytes_written),
            r.vl.syncs(),
            s.pages,
            bytes(s.pages * SQLITE_PAGE_BYTES)
        );
    }
}

/// CPU seconds this process has used (user + system): the machine is shared, so generation
/// times are given in CPU time too.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let seed = env_u64("VENTALIBRE_BENCH_SEED", 7);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "market benchmark: sizes {:?}, {} runs per operation and side, seed {seed}; {cores} cores, kernel {}, load {}",
        sizes(),
        runs(),
        kernel.trim(),
        load()
    );
    let mut all: Vec<(Data, Vec<Row>)> = Vec::new();
    for n in sizes() {
        let vl_dir = Scratch::new(&format!("vl-{n}"));
        let sq_dir = Scratch::new(&format!("sqlite-{n}"));
        let db = sq_dir.0.join("bench.db");
        println!();
        println!("generating {n} publications and {} users…", users_for(n));
        let (tv, ts) = generate(n, users_for(n), seed, &vl_dir.0, &db);
        println!(
            "  VentaLibre share: {:.1} s (demo_bulk); SQLite copy: {:.1} s; load {}",
            tv.as_secs_f64(),
            ts.as_secs_f64(),
            load()
        );
        let d = plan(&vl_dir.0, &db, n);
        let rows = measure(&vl_dir.0, &db, &d);
        print_rows(&d, &rows);
        println!("(load average after: {})", load());
        {
            let m = Market::open(&vl_dir.0, false).unwrap();
            let report = m.check().unwrap();
            assert!(report.ok, "the share does not check after the benchmark");
        }
        all.push((d, rows));
    }

    if all.len() > 1 {
        println!();
        println!("VentaLibre reads per operation (and bytes read) as the share grows:");
        println!();
        let head: Vec<String> = all
            .iter()
            .map(|(d, _)| format!("{} pubs", d.pubs))
            .collect();
        println!("| operation | {} |", head.join(" | "));
        println!("|---|{}", "---:|".repeat(all.len()));
        for (i, r) in all[0].1.iter().enumerate() {
            let cells: Vec<String> = all
                .iter()
                .map(|(_, rows)| {
                    let io = rows[i].vl.io().io;
                    format!("{} ({})", io.reads, bytes(io.bytes_read))
                })
                .collect();
            println!("| {} | {} |", r.name, cells.join(" | "));
        }
        println!();
        println!("SQLite pages read per operation as the database grows:");
        println!();
        println!("| operation | {} |", head.join(" | "));
        println!("|---|{}", "---:|".repeat(all.len()));
        for (i, r) in all[0].1.iter().enumerate() {
            let cells: Vec<String> = all
                .iter()
                .map(|(_, rows)| rows[i].sq.io().pages.to_string())
                .collect();
            println!("| {} | {} |", r.name, cells.join(" | "));
        }
    }

    if std::env::var("VENTALIBRE_BENCH_MILLION").is_ok_and(|v| v == "1") {
        million(seed);
    }
}

/// The operations at 1,000,000 publications and 100,000 users (cold first pages above all),
/// on a share made by `demo_bulk` (kept in `VENTALIBRE_BENCH_CACHE` like the others).
fn million(seed: u64) {
    const N: u64 = 1_000_000;
    const USERS: u64 = 100_000;
    let vl_dir = Scratch::new("vl-million");
    let sq_dir = Scratch::new("sqlite-million");
    let db = sq_dir.0.join("bench.db");
    println!();
    println!("generating {N} publications and {USERS} users (ventalibre demo's bulk path)…");
    let (tv, ts) = generate(N, USERS, seed, &vl_dir.0, &db);
    println!(
        "  VentaLibre share: {:.1} s (demo_bulk); SQLite copy: {:.1} s; load {}",
        tv.as_secs_f64(),
        ts.as_secs_f64(),
        load()
    );
    let d = plan(&vl_dir.0, &db, N);
    let rows = measure(&vl_dir.0, &db, &d);
    print_rows(&d, &rows);
    println!("(load average after: {})", load());
    // No `check` here: at this size it takes minutes and ~12 GB (run `ventalibre verificar`).
}
