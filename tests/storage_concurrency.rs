//! Concurrency: several processes (and threads) run transactions on one share at once, moving
//! units between counters kept in two different files. At the end the total is conserved, every
//! committed transaction is counted exactly once, readers only ever saw whole states, and
//! `check_storage` passes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{
    ChildLines, Rng, TempDir, WORKER_ENV, assert_storage_ok, config, le64, say, spawn_worker,
};
use ventalibre::storage::events::read_events;
use ventalibre::storage::{FreeHome, Share, ShareConfig, StorageError, Tx, WriteTx};

const A: &str = "CONT_A.DAT";
const B: &str = "CONT_B.DAT";
const COUNTS: &str = "CUENTAS.DAT";
const COUNTERS: u64 = 4;
const START: u64 = 500;
const TOTAL: u64 = 2 * COUNTERS * START;
const WORKERS: u64 = 4;

fn setup(dir: &std::path::Path, workers: u64) -> Share {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(A, 8, FreeHome::Own)?;
            tx.create_file(B, 8, FreeHome::Own)?;
            tx.create_file(COUNTS, 8, FreeHome::Own)?;
            for _ in 0..COUNTERS {
                tx.alloc(A, &START.to_le_bytes())?;
                tx.alloc(B, &START.to_le_bytes())?;
            }
            for _ in 0..workers {
                tx.alloc(COUNTS, &0u64.to_le_bytes())?;
            }
            Ok(())
        })
        .unwrap();
    share
}

/// Moves a random amount from a counter of one file to a counter of the other, and counts the
/// transaction in the worker's own slot and in the event log.
fn transfer(
    tx: &mut WriteTx<'_>,
    rng: &mut Rng,
    worker: u64,
    seq: u64,
) -> Result<(), StorageError> {
    let (from, to) = if rng.chance(1, 2) { (A, B) } else { (B, A) };
    let (i, j) = (rng.below(COUNTERS), rng.below(COUNTERS));
    let have = le64(&tx.read(from, i)?, 0);
    let amount = rng.below(have + 1);
    tx.write(from, i, &(have - amount).to_le_bytes())?;
    let other = le64(&tx.read(to, j)?, 0);
    tx.write(to, j, &(other + amount).to_le_bytes())?;
    let n = le64(&tx.read(COUNTS, worker)?, 0);
    tx.write(COUNTS, worker, &(n + 1).to_le_bytes())?;
    tx.log_event("", "transferir", &format!("{worker}:{seq}"))?;
    Ok(())
}

fn total(tx: &mut impl Tx) -> Result<u64, StorageError> {
    let mut t = 0;
    for f in [A, B] {
        for i in 0..COUNTERS {
            t += le64(&tx.read(f, i)?, 0);
        }
    }
    Ok(t)
}

/// Runs `n` transfers as worker `worker`; returns (committed, refused as busy).
fn run_worker(share: &Share, worker: u64, n: u64) -> (u64, u64) {
    let mut rng = Rng(worker * 7919 + 1);
    let (mut ok, mut busy) = (0, 0);
    for seq in 0..n {
        match share.write(|tx| transfer(tx, &mut rng, worker, seq)) {
            Ok(()) => ok += 1,
            Err(StorageError::Busy { .. }) => busy += 1,
            Err(e) => panic!("worker {worker}: transaction {seq} failed: {e}"),
        }
        if seq % 3 == 0 {
            // A reader sees a whole state or none.
            let t = share.read(|tx| total(tx)).unwrap();
            assert_eq!(t, TOTAL, "worker {worker} read a state whose total is {t}");
        }
    }
    (ok, busy)
}

/// Checks the end state against what the workers say they committed.
fn verify_end(share: &Share, committed: &BTreeMap<u64, u64>) {
    share
        .read(|tx| -> Result<(), StorageError> {
            assert_eq!(total(tx)?, TOTAL, "the total is not conserved");
            for (&w, &n) in committed {
                assert_eq!(
                    le64(&tx.read(COUNTS, w)?, 0),
                    n,
                    "worker {w}'s count of committed transactions"
                );
            }
            let events = read_events(tx)?;
            assert_eq!(
                events.len() as u64,
                committed.values().sum::<u64>(),
                "one event per committed transaction"
            );
            // Each worker's events come in the order it committed them.
            let mut last: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
            for e in &events {
                let (w, seq) = e.detail.split_once(':').unwrap();
                let (w, seq): (u64, u64) = (w.parse().unwrap(), seq.parse().unwrap());
                if let Some(&(lseq, llam)) = last.get(&w) {
                    assert!(
                        seq > lseq && e.lamport > llam,
                        "worker {w}: event order {lseq}->{seq}"
                    );
                }
                last.insert(w, (seq, e.lamport));
            }
            let mut stamps: Vec<u64> = events.iter().map(|e| e.lamport).collect();
            stamps.dedup();
            assert_eq!(
                stamps.len(),
                events.len(),
                "two events got the same Lamport time"
            );
            Ok(())
        })
        .unwrap();
    assert_storage_ok(share);
}

/// The worker: `VENTALIBRE_TEST_WORKER=conc:<worker>:<transactions>:<dir>`.
fn concurrency_worker() {
    let spec = std::env::var(WORKER_ENV).expect("a worker is started with its task");
    let mut parts = spec.splitn(4, ':');
    assert_eq!(parts.next(), Some("conc"));
    let worker: u64 = parts.next().unwrap().parse().unwrap();
    let n: u64 = parts.next().unwrap().parse().unwrap();
    let dir = parts.next().unwrap().to_string();
    let share = Share::open(
        &dir,
        ShareConfig {
            terminal: Some(format!("proc-{worker}")),
            ..config()
        },
    )
    .unwrap();
    say("READY");
    let (ok, busy) = run_worker(&share, worker, n);
    say(&format!("DONE {ok} {busy}"));
}

fn four_processes_conserve_the_total_and_count_every_commit() {
    let per_worker: u64 = std::env::var("VENTALIBRE_CONC_TXS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let dir = TempDir::new("conc-proc");
    let share = setup(dir.path(), WORKERS);
    let mut children: Vec<_> = (0..WORKERS)
        .map(|w| {
            let mut c = spawn_worker(&[(
                WORKER_ENV,
                format!("conc:{w}:{per_worker}:{}", dir.path().display()),
            )]);
            let lines = ChildLines::new(&mut c);
            (w, c, lines)
        })
        .collect();
    let mut committed = BTreeMap::new();
    let mut refused = 0;
    for (w, c, lines) in children.iter_mut() {
        let status = common::wait_with_deadline(c, Duration::from_secs(300));
        lines.drain();
        assert!(
            status.success(),
            "worker {w} failed: {status:?}\n{}",
            lines.transcript()
        );
        let done = lines
            .seen
            .iter()
            .find_map(|l| l.strip_prefix("DONE "))
            .expect("DONE line");
        let (ok, busy) = done.split_once(' ').unwrap();
        committed.insert(*w, ok.parse::<u64>().unwrap());
        refused += busy.parse::<u64>().unwrap();
    }
    println!("{WORKERS} processes: committed {committed:?}, {refused} refused as busy");
    assert!(committed.values().sum::<u64>() > 0);
    verify_end(&share, &committed);
    // A terminal that never took part sees the same.
    verify_end(&Share::open(dir.path(), config()).unwrap(), &committed);
}

fn threads_with_one_share_each_and_threads_sharing_one() {
    let dir = TempDir::new("conc-threads");
    let shared = setup(dir.path(), 8);
    let per_worker = 40;
    let committed: BTreeMap<u64, u64> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        // Four threads, each its own terminal (its own lock descriptor and cache)...
        for w in 0..4u64 {
            let path = dir.path().to_path_buf();
            handles.push(s.spawn(move || {
                let own = Share::open(
                    &path,
                    ShareConfig {
                        terminal: Some(format!("hilo-{w}")),
                        ..config()
                    },
                )
                .unwrap();
                (w, run_worker(&own, w, per_worker).0)
            }));
        }
        // ...and four threads sharing one `Share`.
        for w in 4..8u64 {
            let shared = &shared;
            handles.push(s.spawn(move || (w, run_worker(shared, w, per_worker).0)));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    verify_end(&shared, &committed);
}

fn main() {
    common::test_main(
        &[
            (
                "four_processes_conserve_the_total_and_count_every_commit",
                four_processes_conserve_the_total_and_count_every_commit,
            ),
            (
                "threads_with_one_share_each_and_threads_sharing_one",
                threads_with_one_share_each_and_threads_sharing_one,
            ),
        ],
        concurrency_worker,
    );
}
