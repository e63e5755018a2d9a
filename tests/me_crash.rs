//! Crash test of the ME structures: worker processes run random inserts and deletes on the
//! hash, the list, two AVL indexes (rotations included) and the partial queues, and are killed
//! with SIGKILL at random moments. After every kill the share is reopened: every ME `check`
//! passes, and the content of every structure equals a replay of the committed transactions
//! (recorded, in the same transaction, in `LOG.DAT`), which include every transaction a worker
//! printed as committed.
//!
//! `VENTALIBRE_CRASH_KILLS=2000 cargo test --test me_crash -- --nocapture` for a long run
//! (default 120 kills).
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::{ChildLines, Rng, TempDir, WORKER_ENV, config, say, spawn_worker};
use ventalibre::me::avl::AvlIndex;
use ventalibre::me::hash::OpenHash;
use ventalibre::me::list::LinkedList;
use ventalibre::me::queues::PartialQueues;
use ventalibre::storage::check::check_storage;
use ventalibre::storage::ctl::{CTL_FILE, CommitState, Phase, STATE_OFFSET, STATE_SIZE};
use ventalibre::storage::wal::LOG_FILE;
use ventalibre::storage::{FreeHome, Share, ShareConfig, Slot, StorageError, Tx, WriteTx};

const HASH: OpenHash = OpenHash {
    data: "H.DAT",
    control: "H.CON",
    key_cap: 16,
    value_len: 8,
    ids: None,
};
const LIST: LinkedList = LinkedList {
    data: "L.DAT",
    control: "L.CON",
    value_len: 8,
};
const CON: &str = "P.CON";
const A1: AvlIndex = AvlIndex {
    file: "P.NTX_1",
    control: CON,
    root_field: 1,
    count_field: 9,
    free_field: 3,
};
const A2: AvlIndex = AvlIndex {
    file: "P.NTX_2",
    control: CON,
    root_field: 2,
    count_field: 10,
    free_field: 5,
};
const Q: PartialQueues = PartialQueues {
    heads: "M.NTX",
    items: "M.DAT",
    control: "M.CON",
    payload_len: 8,
};
const LOG: &str = "LOG.DAT";

/// The committed content, replayed in memory.
#[derive(Default, PartialEq, Debug)]
struct Model {
    hash: BTreeMap<Vec<u8>, u64>,
    list: BTreeMap<u64, u64>,
    a1: BTreeSet<(u64, u64)>,
    a2: BTreeSet<(u64, u64)>,
    queues: BTreeMap<(u64, u64), Vec<(u64, u64)>>,
    last_no: BTreeMap<(u64, u64), u64>,
}

/// The operations of transaction `id`, applied to the share and (identically) to the model.
fn apply(tx: Option<&mut WriteTx<'_>>, m: &mut Model, id: u64) -> Result<(), StorageError> {
    let mut tx = tx;
    let mut rng = Rng(id);
    for j in 0..(1 + rng.below(6)) {
        let v = rng.next();
        match rng.below(8) {
            0 | 1 => {
                let k = format!("k{}", rng.below(150)).into_bytes();
                if rng.below(3) == 0 {
                    if let Some(t) = tx.as_deref_mut() {
                        HASH.remove(t, &k)?;
                    }
                    m.hash.remove(&k);
                } else {
                    if let Some(t) = tx.as_deref_mut() {
                        HASH.insert(t, &k, &v.to_le_bytes())?;
                    }
                    m.hash.entry(k).or_insert(v);
                }
            }
            2 => {
                let k = 1 + rng.below(60);
                if rng.below(3) == 0 {
                    if let Some(t) = tx.as_deref_mut() {
                        LIST.remove(t, k)?;
                    }
                    m.list.remove(&k);
                } else {
                    if let Some(t) = tx.as_deref_mut() {
                        LIST.insert(t, k, &v.to_le_bytes())?;
                    }
                    m.list.entry(k).or_insert(v);
                }
            }
            3..=5 => {
                // AVL: insert an entry, or delete the first entry of a key (rotations both ways).
                let (k1, k2) = (rng.below(20), rng.below(7));
                if rng.below(5) < 2 {
                    let first = m.a1.range((k1, 0)..=(k1, u64::MAX)).next().copied();
                    if let Some((k, pos)) = first {
                        let other = *m.a2.iter().find(|e| e.1 == pos).expect("paired");
                        if let Some(t) = tx.as_deref_mut() {
                            assert!(A1.remove(t, k, pos)?);
                            assert!(A2.remove(t, other.0, other.1)?);
                        }
                        m.a1.remove(&(k, pos));
                        m.a2.remove(&other);
                    }
                } else {
                    let pos = id.wrapping_mul(16) + j;
                    if let Some(t) = tx.as_deref_mut() {
                        A1.insert(t, k1, pos)?;
                        A2.insert(t, k2, pos)?;
                    }
                    m.a1.insert((k1, pos));
                    m.a2.insert((k2, pos));
                }
            }
            _ => {
                let key = (rng.below(10), rng.below(4));
                if rng.below(6) == 0 {
                    if let Some(t) = tx.as_deref_mut()
                        && let Some(h) = Q.find(t, key.0, key.1)?
                    {
                        Q.remove_queue(t, &h)?;
                    }
                    m.queues.remove(&key);
                    m.last_no.remove(&key);
                } else {
                    if let Some(t) = tx.as_deref_mut() {
                        Q.push(t, key.0, key.1, &v.to_le_bytes(), 1)?;
                    }
                    let n = m.last_no.entry(key).or_insert(0);
                    *n += 1;
                    m.queues.entry(key).or_default().push((*n, v));
                }
            }
        }
    }
    Ok(())
}

fn setup(dir: &std::path::Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            HASH.create(tx, 7)?;
            LIST.create(tx)?;
            tx.create_file(CON, 8, FreeHome::Own)?;
            A1.create(tx)?;
            A2.create(tx)?;
            Q.create(tx)?;
            tx.create_file(LOG, 8, FreeHome::Own)
        })
        .unwrap();
}

/// The committed transaction ids, in commit order.
fn committed(tx: &mut impl Tx) -> Result<Vec<u64>, StorageError> {
    let n = tx.header(LOG)?.slot_count;
    (0..n)
        .map(|p| {
            Ok(u64::from_le_bytes(
                tx.read(LOG, p)?[..8].try_into().unwrap(),
            ))
        })
        .collect()
}

/// The model as read back from the share.
fn read_model(tx: &mut impl Tx) -> Result<Model, StorageError> {
    let mut m = Model::default();
    for (k, v) in HASH.entries(tx)? {
        m.hash.insert(k, u64::from_le_bytes(v.try_into().unwrap()));
    }
    for (k, v) in LIST.iter(tx)? {
        m.list.insert(k, u64::from_le_bytes(v.try_into().unwrap()));
    }
    m.a1 = A1.all(tx)?.into_iter().collect();
    m.a2 = A2.all(tx)?.into_iter().collect();
    for h in Q.all_heads(tx)? {
        let items: Vec<(u64, u64)> = Q
            .items_of(tx, &h)?
            .into_iter()
            .map(|i| (i.number, u64::from_le_bytes(i.payload.try_into().unwrap())))
            .collect();
        m.last_no.insert((h.a, h.b), h.last_number);
        m.queues.insert((h.a, h.b), items);
    }
    Ok(m)
}

fn me_crash_worker() {
    let spec = std::env::var(WORKER_ENV).expect("a worker is started with its task");
    let (child, dir) = spec.strip_prefix("me:").unwrap().split_once(':').unwrap();
    let child: u64 = child.parse().unwrap();
    let share = Share::open(
        dir,
        ShareConfig {
            terminal: Some(format!("w{child}")),
            ..config()
        },
    )
    .unwrap();
    // Bring the model up to date by replaying what is committed.
    let mut m = Model::default();
    for id in share.read(|tx| committed(tx)).unwrap() {
        apply(None, &mut m, id).unwrap();
    }
    say("READY");
    for seq in 0.. {
        let id = (child << 20) | seq;
        let mut next = std::mem::take(&mut m);
        let r = share.write(|tx| -> Result<(), StorageError> {
            apply(Some(tx), &mut next, id)?;
            tx.alloc(LOG, &id.to_le_bytes())?;
            Ok(())
        });
        match r {
            Ok(()) => {
                m = next;
                say(&format!("C {id}"));
            }
            Err(e) => panic!("worker transaction failed: {e}"),
        }
    }
}

fn me_structures_survive_sigkill_at_random_points() {
    let kills: u64 = std::env::var("VENTALIBRE_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let dir = TempDir::new("me-crash");
    setup(dir.path());
    let mut rng = Rng(7);
    let mut printed = BTreeSet::new();
    let mut max_levels = 0;
    let mut hot = 0;
    let mut commit_time = Duration::from_millis(15);
    for child in 1..=kills {
        let mut c = spawn_worker(&[(WORKER_ENV, format!("me:{child}:{}", dir.path().display()))]);
        let mut lines = ChildLines::new(&mut c);
        assert!(
            lines.wait_for("READY", Duration::from_secs(30)),
            "worker never got ready:\n{}",
            lines.transcript()
        );
        // Kill at a random point of the first few transactions: the window scales with the
        // commit time measured so far (as in storage_crash), so kills land inside commits and
        // workers get work done whether a commit takes 2 ms or 200 ms on a loaded machine.
        let ready_at = Instant::now();
        let span = (commit_time * 3).max(Duration::from_millis(2)).as_micros() as u64;
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = c.kill();
        let ran = ready_at.elapsed();
        let status = c.wait().unwrap();
        lines.drain();
        let commits = lines.seen.iter().filter(|l| l.starts_with("C ")).count() as u32;
        if commits > 0 {
            commit_time = (commit_time * 3 + ran / commits) / 4;
        } else if ran > commit_time {
            commit_time = (commit_time * 3 + ran) / 4;
        }
        assert_eq!(
            status.signal(),
            Some(9),
            "worker ended on its own:\n{}",
            lines.transcript()
        );
        for l in &lines.seen {
            if let Some(id) = l.strip_prefix("C ") {
                printed.insert(id.parse::<u64>().unwrap());
            }
        }
        let raw = std::fs::read(dir.path().join(CTL_FILE)).unwrap();
        let st =
            CommitState::decode(&raw[STATE_OFFSET as usize..STATE_OFFSET as usize + STATE_SIZE]);
        // Inside a commit: a hot or torn state, or log bytes past the end the state gives (a
        // kill between a frame and its commit point, or inside a checkpoint).
        let log_len = std::fs::metadata(dir.path().join(LOG_FILE)).map_or(0, |m| m.len());
        if st.is_none_or(|s| {
            s.phase == Phase::Hot || log_len > if s.nonce == 0 { 0 } else { s.journal_len }
        }) {
            hot += 1;
        }
        // Reopen as a new terminal would: roll back, check, compare with the replay.
        let share = Share::open(dir.path(), config()).unwrap();
        share
            .read(|tx| -> Result<(), StorageError> {
                let r = check_storage(tx)?;
                assert!(r.ok(), "after kill {child}: {r:?}");
                for p in [
                    HASH.check(tx)?,
                    LIST.check(tx)?,
                    A1.check(tx, None)?,
                    A2.check(tx, None)?,
                    Q.check(tx)?,
                ] {
                    assert!(p.is_ok(), "after kill {child}: {:?}", p);
                }
                let ids = committed(tx)?;
                let set: BTreeSet<u64> = ids.iter().copied().collect();
                let missing: Vec<_> = printed.difference(&set).collect();
                assert!(
                    missing.is_empty(),
                    "printed as committed but lost: {missing:?}"
                );
                let mut want = Model::default();
                for id in ids {
                    apply(None, &mut want, id).unwrap();
                }
                let got = read_model(tx)?;
                assert!(
                    got == want,
                    "after kill {child}: content differs from the committed operations"
                );
                // The paired indexes hold the same positions.
                let p1: BTreeSet<u64> = got.a1.iter().map(|e| e.1).collect();
                let p2: BTreeSet<u64> = got.a2.iter().map(|e| e.1).collect();
                assert_eq!(p1, p2);
                max_levels = max_levels.max(A1.levels(tx)?.len());
                Ok(())
            })
            .unwrap();
        // Free slots of every file are reused, not lost.
        share
            .read(|tx| -> Result<(), StorageError> {
                for f in [HASH.data, LIST.data, A1.file, A2.file, Q.items, Q.heads] {
                    let h = tx.header(f)?;
                    let live = (0..h.slot_count)
                        .filter(|&p| matches!(tx.slot(f, p), Ok(Slot::Live(_))))
                        .count() as u64;
                    assert_eq!(live, h.live_count, "{f}");
                }
                Ok(())
            })
            .unwrap();
    }
    eprintln!(
        "{kills} kills, {hot} in the middle of a commit or checkpoint, {} transactions printed as committed, AVL height up to {max_levels}",
        printed.len()
    );
    assert!(
        hot > 0,
        "no kill landed inside a commit: the test would prove nothing about recovery"
    );
    assert!(
        printed.len() as u64 > kills / 4,
        "the workers must get real work done between kills"
    );
}

fn main() {
    common::test_main(
        &[(
            "me_structures_survive_sigkill_at_random_points",
            me_structures_survive_sigkill_at_random_points,
        )],
        me_crash_worker,
    );
}
