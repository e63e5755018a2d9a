//! Power-cut test: transactions run on a simulated disk ([`PowerCutBackend`]) that keeps the
//! bytes written apart from the bytes made durable by fsync. For every transaction of a random
//! workload, and for every fsync index inside it, the power is cut right there; the disk a
//! restart would find is rebuilt several ways (nothing unsynced survives; everything does;
//! random subsets of the unsynced writes survive, some torn to a prefix or to random sectors);
//! and on each, the share is reopened. Recovery must leave the transaction whole or absent,
//! `check` (storage and every ME) must pass, and every transaction acknowledged before the cut
//! must be there. A second cut during that recovery is tried too.
//!
//! Two workloads: the storage model (money moved between accounts of two files, a file whose
//! free list lives in another file's control area, files created on the way) and the ME
//! structures (open hash, ordered list, two AVL indexes with their rotations).
//!
//! `VENTALIBRE_POWERCUT_TXS=200 cargo test --release --test storage_powercut -- --nocapture`
//! for a longer run (default 24 transactions per workload).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{Rng, TempDir, config};
use ventalibre::me::avl::AvlIndex;
use ventalibre::me::hash::OpenHash;
use ventalibre::me::list::LinkedList;
use ventalibre::storage::check::check_storage;
use ventalibre::storage::powercut::{CutMode, PowerCutBackend};
use ventalibre::storage::{Backend, FreeHome, Share, Slot, StorageError, Tx, WriteTx};

/// Everything a share holds that a transaction can change, in a comparable form: per file, the
/// counts, the free list, the control fields and every slot (timestamps and counters left out).
type Snapshot = BTreeMap<String, (u64, u64, u64, u64, Vec<u64>, Vec<(bool, Vec<u8>)>)>;

fn snapshot(share: &Share) -> Snapshot {
    try_snapshot(share).expect("snapshot")
}

fn try_snapshot(share: &Share) -> Result<Snapshot, StorageError> {
    share.read(|tx| -> Result<Snapshot, StorageError> {
        let mut out = BTreeMap::new();
        for e in tx.files()? {
            let h = tx.header(&e.name)?;
            let mut slots = Vec::new();
            for p in 0..h.slot_count {
                slots.push(match tx.slot(&e.name, p)? {
                    Slot::Live(b) => (true, b.to_vec()),
                    Slot::Free { next } => (false, next.to_le_bytes().to_vec()),
                });
            }
            let (fh, fc) = tx.free_list(&e.name)?;
            out.insert(
                e.name.clone(),
                (
                    h.slot_count,
                    h.live_count,
                    fh,
                    fc,
                    h.control.to_vec(),
                    slots,
                ),
            );
        }
        Ok(out)
    })
}

fn open(dir: &TempDir, disk: &PowerCutBackend, create: bool) -> Result<Share, StorageError> {
    let backend: Arc<dyn Backend> = Arc::new(disk.clone());
    Share::open_with(dir.path(), config(), Some(backend), create)
}

/// A workload: `setup` makes the files, `step(tx, seed)` is one transaction.
struct Workload {
    name: &'static str,
    setup: fn(&mut WriteTx) -> Result<(), StorageError>,
    step: fn(&mut WriteTx, u64) -> Result<(), StorageError>,
    /// Structure checks beyond the storage fsck (empty when all is well).
    check: fn(&Share) -> Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The storage model: accounts in two files, a scratch file, files created on the way.

const ACC_A: &str = "CUENTA_A.DAT";
const ACC_B: &str = "CUENTA_B.DAT";
const TEMP: &str = "TEMP.DAT";
const ACCOUNTS: u64 = 6;
const START: u64 = 1000;

fn bank_setup(tx: &mut WriteTx) -> Result<(), StorageError> {
    tx.create_file(ACC_A, 8, FreeHome::Own)?;
    tx.create_file(ACC_B, 600, FreeHome::Own)?;
    tx.create_file(
        TEMP,
        40,
        FreeHome::Control {
            file: ACC_A.into(),
            field: 4,
        },
    )?;
    for _ in 0..ACCOUNTS {
        tx.alloc(ACC_A, &START.to_le_bytes())?;
        let mut big = vec![0u8; 600];
        big[..8].copy_from_slice(&START.to_le_bytes());
        tx.alloc(ACC_B, &big)?;
    }
    Ok(())
}

fn bank_step(tx: &mut WriteTx, seed: u64) -> Result<(), StorageError> {
    let mut rng = Rng(seed);
    for _ in 0..1 + rng.below(4) {
        let (fa, fb) = if rng.chance(1, 2) {
            (ACC_A, ACC_B)
        } else {
            (ACC_B, ACC_A)
        };
        let (pa, pb) = (rng.below(ACCOUNTS), rng.below(ACCOUNTS));
        let mut a = tx.read(fa, pa)?.to_vec();
        let mut b = tx.read(fb, pb)?.to_vec();
        let va = u64::from_le_bytes(a[..8].try_into().unwrap());
        let amount = rng.below(va.min(50) + 1);
        let vb = u64::from_le_bytes(b[..8].try_into().unwrap());
        a[..8].copy_from_slice(&(va - amount).to_le_bytes());
        b[..8].copy_from_slice(&(vb + amount).to_le_bytes());
        // Touch the rest of the big record too, so torn writes have sectors to tear.
        if b.len() > 8 {
            let fill = rng.next() as u8;
            b[8..].iter_mut().for_each(|x| *x = fill);
        }
        tx.write(fa, pa, &a)?;
        tx.write(fb, pb, &b)?;
    }
    let n = tx.control(ACC_A, 0)?;
    tx.set_control(ACC_A, 0, n + 1)?;
    if rng.chance(2, 3) {
        tx.alloc(TEMP, &rng.bytes(40))?;
    }
    let h = tx.header(TEMP)?;
    if h.live_count > 0 && rng.chance(1, 3) {
        for p in 0..h.slot_count {
            if let Slot::Live(_) = tx.slot(TEMP, p)? {
                tx.release(TEMP, p)?;
                break;
            }
        }
    }
    if rng.chance(1, 8) {
        let name = format!("X{:011x}.DAT", n);
        tx.create_file(&name, 16, FreeHome::Own)?;
        tx.alloc(&name, &rng.bytes(16))?;
    }
    Ok(())
}

fn bank_check(share: &Share) -> Vec<String> {
    share
        .read(|tx| -> Result<Vec<String>, StorageError> {
            let mut total = 0;
            for f in [ACC_A, ACC_B] {
                for p in 0..ACCOUNTS {
                    total += u64::from_le_bytes(tx.read(f, p)?[..8].try_into().unwrap());
                }
            }
            Ok(if total == 2 * ACCOUNTS * START {
                vec![]
            } else {
                vec![format!("money not conserved: {total}")]
            })
        })
        .unwrap_or_else(|e| vec![format!("bank check could not run: {e}")])
}

// ---------------------------------------------------------------------------------------------
// The ME structures.

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

fn me_setup(tx: &mut WriteTx) -> Result<(), StorageError> {
    HASH.create(tx, 5)?;
    LIST.create(tx)?;
    tx.create_file(CON, 8, FreeHome::Own)?;
    A1.create(tx)?;
    A2.create(tx)?;
    Ok(())
}

fn me_step(tx: &mut WriteTx, seed: u64) -> Result<(), StorageError> {
    let mut rng = Rng(seed);
    for _ in 0..1 + rng.below(5) {
        let k = rng.below(40);
        let key = format!("clave{k}");
        match rng.below(6) {
            0 | 1 => {
                if HASH.get(tx, key.as_bytes())?.is_none() {
                    HASH.insert(tx, key.as_bytes(), &k.to_le_bytes())?;
                } else {
                    HASH.remove(tx, key.as_bytes())?;
                }
            }
            2 => {
                if LIST.get(tx, k)?.is_none() {
                    LIST.insert(tx, k, &rng.next().to_le_bytes())?;
                } else {
                    LIST.remove(tx, k)?;
                }
            }
            _ => {
                let idx = if rng.chance(1, 2) { A1 } else { A2 };
                let pos = rng.below(8);
                if idx.find(tx, k)?.contains(&pos) {
                    idx.remove(tx, k, pos)?;
                } else {
                    idx.insert(tx, k, pos)?;
                }
            }
        }
    }
    Ok(())
}

fn me_check(share: &Share) -> Vec<String> {
    share
        .read(|tx| -> Result<Vec<String>, StorageError> {
            let mut out = Vec::new();
            out.extend(HASH.check(tx)?.problems);
            out.extend(LIST.check(tx)?.problems);
            out.extend(A1.check(tx, None)?.problems);
            out.extend(A2.check(tx, None)?.problems);
            Ok(out)
        })
        .unwrap_or_else(|e| vec![format!("ME check could not run: {e}")])
}

// ---------------------------------------------------------------------------------------------

fn txs() -> u64 {
    std::env::var("VENTALIBRE_POWERCUT_TXS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// Reopens the disk `image` after a cut and checks it against the states before and after the
/// interrupted transaction. Returns a description of what is wrong, if anything.
fn verify(
    dir: &TempDir,
    w: &Workload,
    image: &PowerCutBackend,
    before: &Snapshot,
    after: &Snapshot,
) -> Option<String> {
    let share = match open(dir, image, false) {
        Ok(s) => s,
        Err(e) => return Some(format!("reopen failed: {e}")),
    };
    let got = match try_snapshot(&share) {
        Ok(g) => g,
        Err(e) => return Some(format!("reading after recovery failed: {e}")),
    };
    if &got != before && &got != after {
        let diff: Vec<&String> = got
            .keys()
            .chain(before.keys())
            .filter(|k| got.get(*k) != before.get(*k) && got.get(*k) != after.get(*k))
            .collect();
        return Some(format!(
            "state is neither before nor after; files differing: {diff:?}"
        ));
    }
    let report = match share.read(|tx| check_storage(tx)) {
        Ok(r) => r,
        Err(e) => return Some(format!("check_storage could not run: {e}")),
    };
    if !report.ok() {
        return Some(format!("check_storage: {report:?}"));
    }
    let problems = (w.check)(&share);
    if !problems.is_empty() {
        return Some(format!("structure check: {problems:?}"));
    }
    None
}

fn run(w: &Workload, seed: u64) {
    let dir = TempDir::new(&format!("powercut-{}", w.name));
    let mut disk = PowerCutBackend::new();
    {
        let share = open(&dir, &disk, true).expect("create");
        share.write(|tx| (w.setup)(tx)).expect("setup");
    }
    assert_eq!(
        disk.pending_ops(),
        0,
        "a finished commit left writes that were never fsynced"
    );
    let mut rng = Rng(seed);
    let (mut cuts, mut images, mut second_cuts) = (0u64, 0u64, 0u64);
    let mut failures = Vec::new();
    for i in 0..txs() {
        let tx_seed = rng.next();
        let before = snapshot(&open(&dir, &disk, false).expect("open"));
        // The reference run: how many fsyncs the transaction makes, and the state after it.
        let reference = disk.fork();
        reference.cut_at_sync(None);
        let share = open(&dir, &reference, false).expect("open reference");
        share
            .write(|tx| (w.step)(tx, tx_seed))
            .expect("reference transaction");
        let syncs = reference.syncs();
        let after = snapshot(&share);
        drop(share);
        assert_eq!(
            reference.pending_ops(),
            0,
            "tx {i}: unsynced writes after a commit"
        );
        // A cut at every fsync of the transaction.
        for k in 1..=syncs {
            cuts += 1;
            let cut = disk.fork();
            let share = open(&dir, &cut, false).expect("open");
            cut.cut_at_sync(Some(k));
            let r = share.write(|tx| (w.step)(tx, tx_seed));
            drop(share);
            // A cut during the checkpoint that may follow the commit point leaves the commit
            // standing (`Ok`): the images below must then show the state after it.
            assert!(cut.is_off(), "tx {i}: cut at fsync {k} did not happen");
            let must_be_after = r.is_ok();
            let mut modes = vec![CutMode::DropAll, CutMode::KeepAll];
            modes.extend((0..4).map(|_| CutMode::Random { seed: rng.next() }));
            for mode in modes {
                images += 1;
                let image = cut.crash_image(mode);
                let expected_before = if must_be_after { &after } else { &before };
                if let Some(why) = verify(&dir, w, &image, expected_before, &after) {
                    failures.push(format!("tx {i}, cut at fsync {k}/{syncs}, {mode:?}: {why}"));
                    continue;
                }
                // A second cut, during the recovery of the first (where recovery writes).
                if mode == CutMode::KeepAll
                    || matches!(mode, CutMode::Random { seed } if seed % 3 == 0)
                {
                    let image = cut.crash_image(mode);
                    let probe = image.fork();
                    probe.cut_at_sync(None);
                    drop(open(&dir, &probe, false).and_then(|s| s.read(|tx| tx.files())));
                    for k2 in 1..=probe.syncs() {
                        second_cuts += 1;
                        let again = image.fork();
                        again.cut_at_sync(Some(k2));
                        let _ = open(&dir, &again, false).and_then(|s| s.read(|tx| tx.files()));
                        let image2 = again.crash_image(CutMode::Random { seed: rng.next() });
                        if let Some(why) = verify(&dir, w, &image2, &before, &after) {
                            failures.push(format!(
                                "tx {i}, cut at fsync {k}/{syncs} {mode:?}, then at recovery fsync {k2}: {why}"
                            ));
                        }
                    }
                }
            }
        }
        // Go on from the committed state (the reference disk, with nothing pending).
        disk = reference;
    }
    println!(
        "power-cut {}: {} transactions, {cuts} cut points, {images} disk images ({} torn or \
         reordered at random), {second_cuts} second cuts during recovery, {} failures",
        w.name,
        txs(),
        images - 2 * cuts,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn storage_model_survives_a_power_cut_at_every_fsync() {
    run(
        &Workload {
            name: "storage",
            setup: bank_setup,
            step: bank_step,
            check: bank_check,
        },
        0x5eed_0001,
    );
}

#[test]
fn me_structures_survive_a_power_cut_at_every_fsync() {
    run(
        &Workload {
            name: "me",
            setup: me_setup,
            step: me_step,
            check: me_check,
        },
        0x5eed_0002,
    );
}
