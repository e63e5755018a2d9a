//! Crash test: worker processes run random multi-file transactions and are killed with SIGKILL
//! at random moments; after every kill the share is reopened and must be whole.
//!
//! Each worker transaction moves amounts between accounts kept in two files (`CUENTA_A.DAT`,
//! `CUENTA_B.DAT`), appends an entry describing itself to `DIARIO.DAT`, allocates (and sometimes
//! frees) a slot of `TEMP.DAT` whose free list lives in `CUENTA_A.DAT`'s control area, bumps a
//! counter in both account files, logs an event, and now and then creates a new file. A worker
//! prints `C <id>` only after the commit returned. After each kill the parent checks:
//! the journal is rolled back if hot, `check_storage` passes, the balances equal a replay of the
//! diary (so no transaction is half-applied), the total is conserved, every count agrees, and
//! every printed id is in the diary.
//!
//! `VENTALIBRE_CRASH_KILLS=5000 cargo test --test storage_crash -- --nocapture` for a long run
//! (default 300 kills).
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::{ChildLines, Rng, TempDir, WORKER_ENV, config, le64, say, spawn_worker};
use ventalibre::storage::check::check_storage;
use ventalibre::storage::ctl::{CTL_FILE, CommitState, Phase, STATE_OFFSET, STATE_SIZE};
use ventalibre::storage::events::read_events;
use ventalibre::storage::wal::LOG_FILE;
use ventalibre::storage::{FreeHome, Share, ShareConfig, Slot, StorageError, Tx, WriteTx};

const A: &str = "CUENTA_A.DAT";
const B: &str = "CUENTA_B.DAT";
const DIARIO: &str = "DIARIO.DAT";
const TEMP: &str = "TEMP.DAT";
const ACCOUNTS: u64 = 8;
const START_BALANCE: u64 = 1000;
const MAX_FILES: usize = 36;
/// Control field of A and B counting committed transactions.
const CON_TXS: usize = 0;
/// Control fields of A holding TEMP's free list (head, length).
const CON_TEMP_FREE: u16 = 4;
const FLAG_CREATED: u8 = 1;
const FLAG_RELEASED: u8 = 2;
const DIARIO_SLOT: u32 = 48;

fn account_file(i: u8) -> &'static str {
    if i == 0 { A } else { B }
}

fn extra_file(id: u64) -> String {
    format!("X{:011x}.DAT", id)
}

fn setup(dir: &std::path::Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(A, 8, FreeHome::Own)?;
            tx.create_file(B, 8, FreeHome::Own)?;
            tx.create_file(DIARIO, DIARIO_SLOT, FreeHome::Own)?;
            tx.create_file(
                TEMP,
                16,
                FreeHome::Control {
                    file: A.into(),
                    field: CON_TEMP_FREE,
                },
            )?;
            for _ in 0..ACCOUNTS {
                tx.alloc(A, &START_BALANCE.to_le_bytes())?;
                tx.alloc(B, &START_BALANCE.to_le_bytes())?;
            }
            Ok(())
        })
        .unwrap();
}

/// One random transaction, determined by `id`.
fn worker_tx(tx: &mut WriteTx<'_>, id: u64, worker: u32) -> Result<(), StorageError> {
    let mut rng = Rng(id);
    let moves = 1 + rng.below(4) as usize;
    let mut entry = vec![0u8; DIARIO_SLOT as usize];
    entry[..8].copy_from_slice(&id.to_le_bytes());
    entry[8..12].copy_from_slice(&worker.to_le_bytes());
    entry[12] = moves as u8;
    for m in 0..moves {
        let (ff, fi) = (rng.below(2) as u8, rng.below(ACCOUNTS) as u8);
        let (tf, ti) = (rng.below(2) as u8, rng.below(ACCOUNTS) as u8);
        let from = le64(&tx.read(account_file(ff), fi as u64)?, 0);
        let amount = rng.below(from / 2 + 1);
        tx.write(account_file(ff), fi as u64, &(from - amount).to_le_bytes())?;
        let to = le64(&tx.read(account_file(tf), ti as u64)?, 0);
        tx.write(account_file(tf), ti as u64, &(to + amount).to_le_bytes())?;
        let e = &mut entry[16 + m * 8..16 + m * 8 + 8];
        e[..4].copy_from_slice(&[ff, fi, tf, ti]);
        e[4..].copy_from_slice(&(amount as u32).to_le_bytes());
    }
    tx.alloc(TEMP, &id.to_le_bytes())?;
    if rng.chance(1, 2) {
        let n = tx.header(TEMP)?.slot_count;
        let pos = rng.below(n);
        if let Slot::Live(_) = tx.slot(TEMP, pos)? {
            tx.release(TEMP, pos)?;
            entry[13] |= FLAG_RELEASED;
        }
    }
    if rng.chance(1, 12) && tx.files()?.len() < MAX_FILES {
        let name = extra_file(id);
        tx.create_file(&name, 8, FreeHome::Own)?;
        tx.alloc(&name, &id.to_le_bytes())?;
        entry[13] |= FLAG_CREATED;
    }
    tx.alloc(DIARIO, &entry)?;
    for f in [A, B] {
        let n = tx.control(f, CON_TXS)?;
        tx.set_control(f, CON_TXS, n + 1)?;
    }
    tx.log_event("", "mover", &id.to_string())?;
    Ok(())
}

/// The worker: `VENTALIBRE_TEST_WORKER=crash:<dir>:<child number>`. Runs transactions until
/// killed. Does nothing in a normal test run.
fn crash_worker() {
    let spec = std::env::var(WORKER_ENV).expect("a worker is started with its task");
    let mut parts = spec.splitn(3, ':');
    assert_eq!(parts.next(), Some("crash"));
    let child: u64 = parts.next().unwrap().parse().unwrap();
    let dir = parts.next().unwrap().to_string();
    let cfg = ShareConfig {
        terminal: Some(format!("w{child}")),
        ..config()
    };
    let share = Share::open(&dir, cfg).unwrap();
    say("READY");
    for seq in 0.. {
        let id = (child << 24) | seq;
        match share.write(|tx| worker_tx(tx, id, child as u32)) {
            Ok(()) => say(&format!("C {id}")),
            Err(e) => {
                say(&format!("E {e}"));
                panic!("worker transaction failed: {e}");
            }
        }
    }
}

/// Reads the commit state's phase straight from the control file.
fn phase_on_disk(dir: &std::path::Path) -> Option<Phase> {
    let raw = std::fs::read(dir.join(CTL_FILE)).ok()?;
    CommitState::decode(raw.get(STATE_OFFSET as usize..STATE_OFFSET as usize + STATE_SIZE)?)
        .map(|s| s.phase)
}

/// Whether the redo log holds bytes past the end the commit state gives: a kill between a
/// commit's frame and its commit point, or inside a checkpoint (after its state, before the
/// log is emptied). Every terminal must ignore them.
fn cut_off_on_disk(dir: &std::path::Path) -> bool {
    let Some(raw) = std::fs::read(dir.join(CTL_FILE)).ok() else {
        return false;
    };
    let Some(s) = raw
        .get(STATE_OFFSET as usize..STATE_OFFSET as usize + STATE_SIZE)
        .and_then(CommitState::decode)
    else {
        return false;
    };
    let end = if s.nonce == 0 { 0 } else { s.journal_len };
    std::fs::metadata(dir.join(LOG_FILE)).is_ok_and(|m| m.len() > end)
}

/// Everything the parent checks after a kill. Returns the number of committed transactions.
fn verify(share: &Share, printed: &BTreeSet<u64>) -> usize {
    share
        .read(|tx| -> Result<usize, StorageError> {
            let report = check_storage(tx)?;
            assert!(report.ok(), "check_storage: {report:#?}");
            // Replay the diary.
            let mut want: BTreeMap<(u8, u8), i64> = BTreeMap::new();
            let mut ids = BTreeSet::new();
            let mut created = BTreeSet::new();
            let mut released = 0u64;
            tx.prefetch(DIARIO)?;
            let n = tx.header(DIARIO)?.slot_count;
            for pos in 0..n {
                let e = tx.read(DIARIO, pos)?;
                let id = le64(&e, 0);
                assert!(ids.insert(id), "transaction {id} is in the diary twice");
                for m in 0..e[12] as usize {
                    let x = &e[16 + m * 8..16 + m * 8 + 8];
                    let amount = u32::from_le_bytes(x[4..8].try_into().unwrap()) as i64;
                    *want.entry((x[0], x[1])).or_default() -= amount;
                    *want.entry((x[2], x[3])).or_default() += amount;
                }
                if e[13] & FLAG_CREATED != 0 {
                    created.insert(extra_file(id));
                }
                if e[13] & FLAG_RELEASED != 0 {
                    released += 1;
                }
            }
            let mut total = 0u64;
            for f in 0..2u8 {
                for i in 0..ACCOUNTS as u8 {
                    let bal = le64(&tx.read(account_file(f), i as u64)?, 0);
                    let expect = START_BALANCE as i64 + want.get(&(f, i)).copied().unwrap_or(0);
                    assert_eq!(
                        bal as i64, expect,
                        "account {f}/{i} differs from the replay of the diary"
                    );
                    total += bal;
                }
            }
            assert_eq!(
                total,
                2 * ACCOUNTS * START_BALANCE,
                "the total is not conserved"
            );
            let count = ids.len() as u64;
            assert_eq!(tx.control(A, CON_TXS)?, count, "A's transaction counter");
            assert_eq!(tx.control(B, CON_TXS)?, count, "B's transaction counter");
            assert_eq!(
                tx.header(TEMP)?.live_count,
                count - released,
                "TEMP's live slots"
            );
            let events = read_events(tx)?;
            let event_ids: BTreeSet<u64> =
                events.iter().map(|e| e.detail.parse().unwrap()).collect();
            assert_eq!(events.len(), ids.len(), "one event per transaction");
            assert_eq!(
                event_ids, ids,
                "the events name the transactions of the diary"
            );
            let extra: BTreeSet<String> = tx
                .files()?
                .into_iter()
                .map(|e| e.name)
                .filter(|n| n.starts_with('X'))
                .collect();
            assert_eq!(
                extra, created,
                "files created by committed transactions, and only those"
            );
            for f in &extra {
                assert_eq!(tx.header(f)?.slot_count, 1);
            }
            let missing: Vec<_> = printed.difference(&ids).collect();
            assert!(
                missing.is_empty(),
                "transactions reported committed but absent: {missing:?}"
            );
            Ok(ids.len())
        })
        .expect("reading the share after a kill")
}

fn killed_writers_never_leave_a_half_applied_transaction() {
    let kills: usize = std::env::var("VENTALIBRE_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let dir = TempDir::new("crash");
    setup(dir.path());
    let parent = Share::open(dir.path(), config()).unwrap();
    let mut rng = Rng(std::env::var("VENTALIBRE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(42));
    let mut printed = BTreeSet::new();
    let (mut killed, mut hot_found, mut child_no, mut rounds, mut unchecked_rounds) =
        (0, 0, 0u64, 0, 0);
    let started = Instant::now();
    // Running estimate of one commit's duration (between two reported commits).
    let mut commit_time = Duration::from_millis(10);
    while killed < kills {
        rounds += 1;
        let n = 1 + rng.below(2);
        let mut children = Vec::new();
        for _ in 0..n {
            child_no += 1;
            let mut c = spawn_worker(&[(
                WORKER_ENV,
                format!("crash:{child_no}:{}", dir.path().display()),
            )]);
            let lines = ChildLines::new(&mut c);
            children.push((c, lines));
        }
        for (c, lines) in children.iter_mut() {
            if !lines.wait_for("READY", Duration::from_secs(20)) {
                let _ = c.kill();
                panic!("worker never got ready:\n{}", lines.transcript());
            }
        }
        // Kill at a random point of the first one or two transactions: the delay scales with
        // the commit time measured so far, so kills land inside commits whether an fsync takes
        // 0.1 ms or 10 ms.
        let ready_at = Instant::now();
        let span = (commit_time * 2).max(Duration::from_millis(1)).as_micros() as u64;
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        for (c, _) in children.iter_mut() {
            let _ = c.kill();
        }
        let ran = ready_at.elapsed();
        for (i, (mut c, mut lines)) in children.into_iter().enumerate() {
            let status = c.wait().unwrap();
            lines.drain();
            if i == 0 {
                // Refine the estimate of one commit's duration from what this worker did.
                let commits = lines.seen.iter().filter(|l| l.starts_with("C ")).count() as u32;
                if commits > 0 {
                    commit_time = (commit_time * 3 + ran / commits) / 4;
                } else if ran > commit_time {
                    commit_time = (commit_time * 3 + ran) / 4;
                }
            }
            assert_eq!(
                status.signal(),
                Some(9),
                "a worker ended on its own: {status:?}\n{}",
                lines.transcript()
            );
            for l in &lines.seen {
                if let Some(id) = l.strip_prefix("C ") {
                    printed.insert(id.parse::<u64>().unwrap());
                }
            }
            killed += 1;
        }
        // Now and then leave the share as the kill left it, so the next workers are the ones
        // that find the hot journal and roll it back (and may be killed while doing it).
        if rng.chance(1, 4) {
            unchecked_rounds += 1;
            continue;
        }
        if phase_on_disk(dir.path()) != Some(Phase::Idle) || cut_off_on_disk(dir.path()) {
            hot_found += 1;
        }
        verify(&parent, &printed);
        assert_eq!(
            phase_on_disk(dir.path()),
            Some(Phase::Idle),
            "the journal was not rolled back"
        );
    }
    // A fresh terminal sees the same.
    let fresh = Share::open(dir.path(), config()).unwrap();
    let committed = verify(&fresh, &printed);
    if phase_on_disk(dir.path()) != Some(Phase::Idle) || cut_off_on_disk(dir.path()) {
        hot_found += 1;
    }
    println!(
        "crash test: {killed} kills in {rounds} rounds ({unchecked_rounds} left for the workers to recover), \
         {hot_found} cut-off commits or checkpoints found by the checker, {committed} transactions committed, \
         {} reported, commit time ≈ {:?}, {:.1} s",
        printed.len(),
        commit_time,
        started.elapsed().as_secs_f64()
    );
    assert!(
        hot_found > 0,
        "no kill landed inside a commit: the test did not test recovery"
    );
    // The share keeps working after all that.
    fresh.write(|tx| worker_tx(tx, (1 << 43) + 1, 0)).unwrap();
    verify(&fresh, &printed);
}

fn main() {
    common::test_main(
        &[(
            "killed_writers_never_leave_a_half_applied_transaction",
            killed_writers_never_leave_a_half_applied_transaction,
        )],
        crash_worker,
    );
}
