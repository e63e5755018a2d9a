//! Benchmark of the storage core, next to SQLite in the same run (`cargo bench --bench storage`).
//!
//! The transaction measured is the small durable one the program does all day: overwrite one
//! slot in each of two files and log an event. SQLite does the equivalent (two `UPDATE`s and one
//! `INSERT` in a `BEGIN IMMEDIATE` transaction) with `journal_mode=DELETE` and
//! `synchronous=FULL`, the rollback-journal mode closest to ours. Both run alone and with four
//! writers at once (four threads, each with its own `Share` or connection: its own lock
//! descriptor, as four terminals would have). Also measured: the I/O of one transaction
//! (`Share::last_tx_stats`) and the cost of a read transaction on an unchanged share (a cache
//! hit: one 64-byte read).
//!
//! Each comparison runs the two in ten alternating slices (a virtual disk whose speed drifts
//! during the run then favours neither). Environment: `VENTALIBRE_BENCH_SECS` (seconds per side
//! and measurement, default 3), `VENTALIBRE_BENCH_DIR` (folder to run in, e.g. a mounted share;
//! default a temporary folder).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};
use ventalibre::storage::{FreeHome, IoStats, Share, ShareConfig, StorageError, Tx};

const A: &str = "BENCH_A.DAT";
const B: &str = "BENCH_B.DAT";
const SLOT: usize = 64;
const ROWS: u64 = 1000;
const WRITERS: usize = 4;

fn secs() -> Duration {
    let s: f64 = std::env::var("VENTALIBRE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(s)
}

fn config() -> ShareConfig {
    ShareConfig {
        busy_timeout: Duration::from_secs(60),
        ..ShareConfig::default()
    }
}

/// A scratch folder, removed at the end.
struct Scratch(PathBuf);
impl Scratch {
    fn new(name: &str) -> Scratch {
        let base = std::env::var_os("VENTALIBRE_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("vl-bench-{name}-{}", std::process::id()));
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

fn setup_share(dir: &Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(A, SLOT as u32, FreeHome::Own)?;
            tx.create_file(B, SLOT as u32, FreeHome::Own)?;
            for i in 0..ROWS {
                tx.alloc(A, &i.to_le_bytes())?;
                tx.alloc(B, &i.to_le_bytes())?;
            }
            tx.log_event("", "inicio", "")?;
            Ok(())
        })
        .unwrap();
}

/// The measured transaction on our storage: one slot in each of two files, plus an event.
fn vl_tx(share: &Share, n: u64) {
    let (i, j) = (n * 7919 % ROWS, n * 104_729 % ROWS);
    share
        .write(|tx| -> Result<(), StorageError> {
            let mut v = tx.read(A, i)?.to_vec();
            v[8..16].copy_from_slice(&n.to_le_bytes());
            tx.write(A, i, &v)?;
            let mut w = tx.read(B, j)?.to_vec();
            w[8..16].copy_from_slice(&n.to_le_bytes());
            tx.write(B, j, &w)?;
            tx.log_event("bench@x.com", "mover", &format!("{i}->{j}"))?;
            Ok(())
        })
        .unwrap();
}

fn setup_sqlite(path: &Path) -> Connection {
    let conn = open_sqlite(path);
    conn.execute_batch(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v BLOB NOT NULL);
         CREATE TABLE b (id INTEGER PRIMARY KEY, v BLOB NOT NULL);
         CREATE TABLE events (id INTEGER PRIMARY KEY, lamport INTEGER, wall_ms INTEGER, terminal TEXT,
                              user TEXT, op TEXT, detail TEXT);",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..ROWS as i64 {
        tx.execute("INSERT INTO a VALUES (?1, ?2)", params![i, vec![0u8; SLOT]])
            .unwrap();
        tx.execute("INSERT INTO b VALUES (?1, ?2)", params![i, vec![0u8; SLOT]])
            .unwrap();
    }
    tx.commit().unwrap();
    conn
}

fn open_sqlite(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(60)).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode.to_lowercase(), "delete");
    conn.execute_batch("PRAGMA synchronous=FULL").unwrap();
    conn
}

/// The equivalent SQLite transaction (statements prepared once and cached, as a program would).
fn sqlite_tx(conn: &mut Connection, n: u64) {
    let (i, j) = ((n * 7919 % ROWS) as i64, (n * 104_729 % ROWS) as i64);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    {
        let mut get_a = tx.prepare_cached("SELECT v FROM a WHERE id = ?1").unwrap();
        let mut set_a = tx
            .prepare_cached("UPDATE a SET v = ?1 WHERE id = ?2")
            .unwrap();
        let mut get_b = tx.prepare_cached("SELECT v FROM b WHERE id = ?1").unwrap();
        let mut set_b = tx
            .prepare_cached("UPDATE b SET v = ?1 WHERE id = ?2")
            .unwrap();
        let mut event = tx
            .prepare_cached(
                "INSERT INTO events (lamport, wall_ms, terminal, user, op, detail) \
                 VALUES (?1, ?2, 'bench', 'bench@x.com', 'mover', ?3)",
            )
            .unwrap();
        let mut v: Vec<u8> = get_a.query_row([i], |r| r.get(0)).unwrap();
        v[8..16].copy_from_slice(&n.to_le_bytes());
        set_a.execute(params![v, i]).unwrap();
        let mut w: Vec<u8> = get_b.query_row([j], |r| r.get(0)).unwrap();
        w[8..16].copy_from_slice(&n.to_le_bytes());
        set_b.execute(params![w, j]).unwrap();
        event
            .execute(params![n as i64, 0i64, format!("{i}->{j}")])
            .unwrap();
    }
    tx.commit().unwrap();
}

/// Number of alternating slices each measurement is cut into.
const SLICES: u32 = 10;

/// Runs `f(n)` in a loop for `dur`, `n` counting on from `*next`; returns how many ran.
fn run_for(dur: Duration, next: &mut u64, mut f: impl FnMut(u64)) -> u64 {
    let start = Instant::now();
    let first = *next;
    while start.elapsed() < dur {
        f(*next);
        *next += 1;
    }
    *next - first
}

/// Measures `a` and `b` in alternating slices, so that a disk whose speed drifts during the run
/// (a virtual disk shared with other machines) favours neither. Returns operations per second.
fn alternate(mut a: impl FnMut(Duration) -> u64, mut b: impl FnMut(Duration) -> u64) -> (f64, f64) {
    let slice = secs() / SLICES;
    let (mut na, mut nb) = (0u64, 0u64);
    let (mut ta, mut tb) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..SLICES {
        let t = Instant::now();
        na += a(slice);
        ta += t.elapsed();
        let t = Instant::now();
        nb += b(slice);
        tb += t.elapsed();
    }
    (na as f64 / ta.as_secs_f64(), nb as f64 / tb.as_secs_f64())
}

/// `WRITERS` threads at once for `dur`, each with its own handle from `make` (opened before the
/// clock starts); returns how many operations they did in total.
fn contended<H: Send>(
    dur: Duration,
    make: impl Fn() -> H + Sync,
    op: impl Fn(&mut H, u64) + Sync,
) -> u64 {
    let total = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let ready = std::sync::Barrier::new(WRITERS + 1);
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (make, op, total, stop, ready) = (&make, &op, &total, &stop, &ready);
            std::thread::Builder::new()
                .name(format!("bench-writer-{w}"))
                .spawn_scoped(s, move || {
                    let mut h = make();
                    let mut n = (w as u64) << 32;
                    ready.wait();
                    while !stop.load(Ordering::Relaxed) {
                        op(&mut h, n);
                        n += 1;
                        total.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .unwrap();
        }
        ready.wait();
        std::thread::sleep(dur);
        stop.store(true, Ordering::Relaxed);
    });
    total.load(Ordering::Relaxed)
}

fn per_tx(s: IoStats) -> String {
    format!(
        "{} reads ({} B), {} writes ({} B), {} fsyncs",
        s.reads, s.bytes_read, s.writes, s.bytes_written, s.syncs
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    println!(
        "storage benchmark: {} s per side and measurement, in {SLICES} alternating slices; {WRITERS} writers for the contended runs",
        secs().as_secs_f64()
    );

    // --- Set-up: a share and a database with the same rows.
    let vl_dir = Scratch::new("vl");
    setup_share(&vl_dir.0);
    let sq_dir = Scratch::new("sqlite");
    let db = sq_dir.0.join("bench.db");
    let mut conn = setup_sqlite(&db);
    let share = Share::open(&vl_dir.0, config()).unwrap();
    // Every record of both files in the cache: the commit state is all a write must read.
    share
        .read(|tx| -> Result<(), StorageError> {
            tx.prefetch(A)?;
            tx.prefetch(B)
        })
        .unwrap();

    // --- I/O of one transaction.
    vl_tx(&share, 0);
    vl_tx(&share, 1);
    let warm_write = share.last_tx_stats();
    // Same transaction with the cache dropped first (a terminal whose cache another terminal's
    // commits have invalidated).
    share.drop_cache();
    vl_tx(&share, 2);
    let cold_write = share.last_tx_stats();
    let read_one = |n: u64| {
        share.read(|tx| tx.read(A, n % ROWS).map(|v| v[0])).unwrap();
    };
    share.read(|tx| tx.prefetch(A)).unwrap();
    read_one(0);
    let hit = share.last_tx_stats();
    share.drop_cache();
    read_one(0);
    let cold_read = share.last_tx_stats();
    // Read transaction after another terminal committed (revalidation).
    let other = Share::open(&vl_dir.0, config()).unwrap();
    vl_tx(&other, 3);
    read_one(5);
    let after_commit = share.last_tx_stats();
    drop(other);

    // --- One writer, durable transactions, VentaLibre and SQLite in alternating slices.
    let (mut nv, mut ns) = (10u64, 10u64);
    let (vl_one, sq_one) = alternate(
        |d| run_for(d, &mut nv, |n| vl_tx(&share, n)),
        |d| run_for(d, &mut ns, |n| sqlite_tx(&mut conn, n)),
    );

    // --- Read of one record on an unchanged share (cache hit / SQLite's page cache).
    share.read(|tx| tx.prefetch(A)).unwrap();
    let (mut rv, mut rs) = (0u64, 0u64);
    let (vl_read, sq_read) = alternate(
        |d| run_for(d, &mut rv, read_one),
        |d| {
            run_for(d, &mut rs, |n| {
                let mut get = conn
                    .prepare_cached("SELECT v FROM a WHERE id = ?1")
                    .unwrap();
                let _: Vec<u8> = get.query_row([(n % ROWS) as i64], |r| r.get(0)).unwrap();
            })
        },
    );
    drop((share, conn));

    // --- Four writers at once.
    let (vl_four, sq_four) = alternate(
        |d| {
            contended(
                d,
                || Share::open(&vl_dir.0, config()).unwrap(),
                |s, n| vl_tx(s, n),
            )
        },
        |d| contended(d, || open_sqlite(&db), sqlite_tx),
    );
    {
        let check = Share::open(&vl_dir.0, config()).unwrap();
        let report = check
            .read(|tx| ventalibre::storage::check::check_storage(tx))
            .unwrap();
        assert!(report.ok(), "{report:#?}");
    }

    // For scale: one small write and fsync of a file in the same folder.
    let probe_dir = Scratch::new("fsync");
    let probe = std::fs::File::create(probe_dir.0.join("probe")).unwrap();
    let mut np = 0;
    let start = Instant::now();
    let done = run_for(secs() / SLICES, &mut np, |n| {
        std::os::unix::fs::FileExt::write_all_at(&probe, &n.to_le_bytes(), 0).unwrap();
        probe.sync_data().unwrap();
    });
    let fsync_rate = done as f64 / start.elapsed().as_secs_f64();

    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    println!();
    println!(
        "folder: {}  (kernel {})",
        vl_dir.0.parent().unwrap().display(),
        kernel.trim()
    );
    println!();
    println!(
        "| durable transaction (2 slots + 1 event) | VentaLibre ops/s | SQLite ops/s | VentaLibre / SQLite |"
    );
    println!("|---|---:|---:|---:|");
    println!(
        "| 1 writer | {vl_one:.0} | {sq_one:.0} | {:.2} |",
        vl_one / sq_one
    );
    println!(
        "| {WRITERS} writers at once (total) | {vl_four:.0} | {sq_four:.0} | {:.2} |",
        vl_four / sq_four
    );
    println!(
        "| read of one record, unchanged share | {vl_read:.0} | {sq_read:.0} | {:.2} |",
        vl_read / sq_read
    );
    println!();
    println!("for scale: 8-byte write + fdatasync of one file: {fsync_rate:.0}/s");
    println!(
        "(a VentaLibre write does 2 fsyncs: its redo-log frame, then its commit state; the lease is not fsynced)"
    );
    println!();
    println!("I/O per VentaLibre transaction (Share::last_tx_stats):");
    println!("- write, records cached:         {}", per_tx(warm_write));
    println!("- write, cache dropped:          {}", per_tx(cold_write));
    println!("- read, unchanged share (hit):   {}", per_tx(hit));
    println!("- read, cache dropped:           {}", per_tx(cold_read));
    println!(
        "- read after another terminal's commit: {}",
        per_tx(after_commit)
    );
}
