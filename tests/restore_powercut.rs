//! Power cut during a restore: `WriteTx::overwrite_file` rewrites every file of a share in
//! place with another share's headers and slots (what `ventalibre restaurar` does), one file
//! shrinking, one growing, one whose free list lives in another file's control area, one the
//! share did not have. The power is cut at every fsync of that transaction, the disk a restart
//! would find is rebuilt several ways (nothing unsynced survives, everything does, random
//! subsets torn), and the share is reopened: it must hold exactly the old state or exactly the
//! copy's, and pass the storage check. The shrinking file is the case a plain journal misses:
//! its cut-off tail must come back after a cut.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{Rng, TempDir, config};
use ventalibre::storage::check::check_storage;
use ventalibre::storage::powercut::{CutMode, PowerCutBackend};
use ventalibre::storage::record::Header;
use ventalibre::storage::{Backend, FreeHome, Share, Slot, StorageError, Tx, WriteTx};

const SHRINKS: &str = "ACHICA.DAT";
const GROWS: &str = "CRECE.DAT";
const HOME: &str = "HOGAR.CON";
const GUEST: &str = "HUESPED.DAT";
const NEW: &str = "NUEVO.DAT";

/// Per file: slot count, live count, free list (head, length), control fields, every slot.
type Snapshot = BTreeMap<String, (u64, u64, (u64, u64), Vec<u64>, Vec<(bool, Vec<u8>)>)>;

fn snapshot(share: &Share) -> Result<Snapshot, StorageError> {
    share.read(|tx| {
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
            let free = tx.free_list(&e.name)?;
            out.insert(
                e.name.clone(),
                (h.slot_count, h.live_count, free, h.control.to_vec(), slots),
            );
        }
        Ok(out)
    })
}

fn open(dir: &TempDir, disk: &PowerCutBackend, create: bool) -> Result<Share, StorageError> {
    let backend: Arc<dyn Backend> = Arc::new(disk.clone());
    Share::open_with(dir.path(), config(), Some(backend), create)
}

/// Fills a share: `big` live slots in the shrinking file (so the copy, made with a small
/// `big`, is shorter), a few frees, a guest file whose free list lives in HOME's control area.
fn fill(
    tx: &mut WriteTx,
    rng: &mut Rng,
    big: u64,
    grows: u64,
    with_new: bool,
) -> Result<(), StorageError> {
    tx.create_file(SHRINKS, 48, FreeHome::Own)?;
    tx.create_file(GROWS, 16, FreeHome::Own)?;
    tx.create_file(HOME, 8, FreeHome::Own)?;
    tx.create_file(
        GUEST,
        24,
        FreeHome::Control {
            file: HOME.into(),
            field: 2,
        },
    )?;
    if with_new {
        tx.create_file(NEW, 8, FreeHome::Own)?;
        tx.alloc(NEW, &rng.bytes(8))?;
    }
    for _ in 0..big {
        tx.alloc(SHRINKS, &rng.bytes(48))?;
    }
    for _ in 0..grows {
        tx.alloc(GROWS, &rng.bytes(16))?;
    }
    for _ in 0..6 {
        tx.alloc(GUEST, &rng.bytes(24))?;
    }
    tx.alloc(HOME, &rng.bytes(8))?;
    tx.release(SHRINKS, 1)?;
    tx.release(GUEST, 3)?;
    tx.release(GUEST, 0)?;
    tx.set_control(HOME, 0, rng.next())?;
    Ok(())
}

type CopyFiles = Vec<(String, Header, Vec<Slot>)>;

fn read_copy(share: &Share) -> CopyFiles {
    share
        .read(|tx| -> Result<CopyFiles, StorageError> {
            let mut v = Vec::new();
            for e in tx.files()? {
                let h = tx.header(&e.name)?;
                let slots = (0..h.slot_count)
                    .map(|p| tx.slot(&e.name, p))
                    .collect::<Result<Vec<_>, _>>()?;
                v.push((e.name, h, slots));
            }
            Ok(v)
        })
        .unwrap()
}

fn restore(tx: &mut WriteTx, copy: &CopyFiles) -> Result<(), StorageError> {
    for (name, h, slots) in copy {
        tx.overwrite_file(name, h.clone(), slots.clone())?;
    }
    tx.clock_past(tx.lamport() + 100);
    Ok(())
}

/// Why the share on `image` is wrong, if it is.
fn verify(
    dir: &TempDir,
    image: &PowerCutBackend,
    before: &Snapshot,
    after: &Snapshot,
) -> Option<String> {
    let share = match open(dir, image, false) {
        Ok(s) => s,
        Err(e) => return Some(format!("does not open: {e}")),
    };
    let state = match snapshot(&share) {
        Ok(s) => s,
        Err(e) => return Some(format!("unreadable: {e}")),
    };
    if state != *before && state != *after {
        let differ: Vec<&String> = state
            .keys()
            .chain(after.keys())
            .filter(|k| state.get(*k) != before.get(*k))
            .collect();
        return Some(format!(
            "neither the old state nor the copy's (differs from the old in {differ:?})"
        ));
    }
    match share.read(|tx| check_storage(tx)) {
        Ok(r) if r.ok() => None,
        Ok(r) => Some(format!("check_storage: {r:?}")),
        Err(e) => Some(format!("check_storage failed: {e}")),
    }
}

#[test]
fn a_restore_cut_at_any_fsync_leaves_the_old_state_or_the_copy() {
    let dir = TempDir::new("restore-powercut");
    let copy_dir = TempDir::new("restore-powercut-copy");
    let mut rng = Rng(0x00c0_ffee);
    let disk = PowerCutBackend::new();
    {
        let share = open(&dir, &disk, true).expect("create");
        share
            .write(|tx| fill(tx, &mut rng, 40, 3, false))
            .expect("fill");
    }
    let copy_disk = PowerCutBackend::new();
    let copy = {
        let share = open(&copy_dir, &copy_disk, true).expect("create the copy");
        share
            .write(|tx| fill(tx, &mut rng, 5, 30, true))
            .expect("fill the copy");
        read_copy(&share)
    };
    let before = snapshot(&open(&dir, &disk, false).unwrap()).unwrap();
    // The reference run: the fsyncs of the restore and the state after it.
    let reference = disk.fork();
    reference.cut_at_sync(None);
    let after = {
        let share = open(&dir, &reference, false).unwrap();
        share.write(|tx| restore(tx, &copy)).expect("restore");
        snapshot(&share).unwrap()
    };
    let expected = snapshot(&open(&copy_dir, &copy_disk, false).unwrap()).unwrap();
    assert_eq!(after, expected, "the restored share is not the copy");
    assert!(
        before[SHRINKS].0 > after[SHRINKS].0 && before[GROWS].0 < after[GROWS].0,
        "the copy must make one file shrink and one grow"
    );
    let syncs = reference.syncs();
    assert!(syncs >= 3, "a restore with only {syncs} fsyncs");
    let mut failures = Vec::new();
    let mut images = 0;
    for k in 1..=syncs {
        let cut = disk.fork();
        let share = open(&dir, &cut, false).unwrap();
        cut.cut_at_sync(Some(k));
        let r = share.write(|tx| restore(tx, &copy));
        drop(share);
        // A cut in the checkpoint after the commit point leaves the restore committed (`Ok`):
        // the images must then hold the copy.
        assert!(cut.is_off(), "cut at fsync {k} did not happen");
        let before = if r.is_ok() { &after } else { &before };
        let mut modes = vec![CutMode::DropAll, CutMode::KeepAll];
        modes.extend((0..6).map(|_| CutMode::Random { seed: rng.next() }));
        for mode in modes {
            images += 1;
            if let Some(why) = verify(&dir, &cut.crash_image(mode), &before, &after) {
                failures.push(format!("cut at fsync {k}/{syncs}, {mode:?}: {why}"));
            }
        }
    }
    println!(
        "restore power cut: {syncs} cut points, {images} disk images, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}
