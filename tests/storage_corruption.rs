//! Corruption: truncated files, flipped bytes, a garbage journal behind a hot state, wrong magic
//! numbers and versions. Each gives a clear error that names the damaged file
//! ([`StorageError::is_damaged`]), never a panic, and leaves every byte of the share as it was.

mod common;

use std::path::Path;

use common::{Rng, TempDir, config, read_everything, snapshot};
use ventalibre::storage::changelog;
use ventalibre::storage::check::check_storage;
use ventalibre::storage::crc::crc32c;
use ventalibre::storage::ctl::{CTL_FILE, CTL_SIZE, CommitState, Phase, STATE_OFFSET};
use ventalibre::storage::journal::{JOURNAL_FILE, Journal, JournalFile};
use ventalibre::storage::record::{HEADER_CRC_OFFSET, HEADER_SIZE, SLOT_PREFIX};
use ventalibre::storage::wal::LOG_FILE;
use ventalibre::storage::{EVENTS_FILE, FreeHome, Share, StorageError, Tx};

const A: &str = "A.DAT";
const A_SLOT: usize = 16;
const HOME: &str = "B.CON";
const LINKED: &str = "B.NTX";

/// A small share: A.DAT with 6 slots (slot 4 free), B.NTX whose free list lives in B.CON, an
/// event log; its redo log folded into the files when the share was closed.
fn build(dir: &Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(A, A_SLOT as u32, FreeHome::Own)?;
            tx.create_file(HOME, 8, FreeHome::Own)?;
            tx.create_file(
                LINKED,
                24,
                FreeHome::Control {
                    file: HOME.into(),
                    field: 0,
                },
            )?;
            for i in 0..6u8 {
                tx.alloc(A, &[i + 1; A_SLOT])?;
                tx.alloc(LINKED, &[i; 24])?;
            }
            tx.release(LINKED, 2)?;
            tx.log_event("", "alta", "inicial")?;
            Ok(())
        })
        .unwrap();
    share.write(|tx| tx.release(A, 4)).unwrap();
    share.write(|tx| tx.write(A, 1, &[9; A_SLOT])).unwrap();
}

fn fresh(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    build(dir.path());
    dir
}

fn flip(dir: &Path, file: &str, offset: usize, mask: u8) {
    let p = dir.join(file);
    let mut b = std::fs::read(&p).unwrap();
    b[offset] ^= mask;
    std::fs::write(&p, b).unwrap();
}

fn truncate(dir: &Path, file: &str, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join(file))
        .unwrap()
        .set_len(len)
        .unwrap();
}

fn slot_offset(pos: usize) -> usize {
    HEADER_SIZE + pos * (SLOT_PREFIX + A_SLOT)
}

/// Rewrites a record file's header CRC after a deliberate change (to test the checks behind it).
fn reseal_header(dir: &Path, file: &str) {
    let p = dir.join(file);
    let mut b = std::fs::read(&p).unwrap();
    let crc = crc32c(&b[..HEADER_CRC_OFFSET]);
    b[HEADER_CRC_OFFSET..HEADER_SIZE].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&p, b).unwrap();
}

fn assert_names(e: &StorageError, file: &str, ctx: &str) {
    assert!(e.is_damaged(), "{ctx}: expected a damage error, got {e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains(file),
        "{ctx}: the message does not name {file}: {msg}"
    );
}

/// Everything a terminal might do with a damaged share: open it, read it all, check it, write
/// the damaged part. Each step either fails with a damage error naming `file`, or (the check)
/// reports it; and at the end not one byte of the share has changed.
fn expect_damage(dir: &Path, file: &str, write_pos: Option<u64>, ctx: &str) {
    let before = snapshot(dir);
    for create in [false, true] {
        let opened = if create {
            Share::open_or_create(dir, config())
        } else {
            Share::open(dir, config())
        };
        let share = match opened {
            Ok(s) => s,
            Err(e) => {
                assert_names(&e, file, &format!("{ctx} (open, create={create})"));
                continue;
            }
        };
        let e = share
            .read(|tx| read_everything(tx))
            .expect_err(&format!("{ctx}: reading everything succeeded"));
        assert_names(&e, file, &format!("{ctx} (read)"));
        match share.read(|tx| check_storage(tx)) {
            Err(e) => assert_names(&e, file, &format!("{ctx} (check)")),
            Ok(r) => {
                let bad: Vec<_> = r.files.iter().filter(|f| !f.problems.is_empty()).collect();
                assert!(!bad.is_empty(), "{ctx}: check_storage found nothing");
                let blames = |f: &&ventalibre::storage::check::FileReport| {
                    f.name == file || f.problems.iter().all(|p| p.contains(file))
                };
                assert!(bad.iter().all(blames), "{ctx}: check blames {bad:?}");
            }
        }
        if let Some(pos) = write_pos {
            let target =
                if file.ends_with(".DAT") || file.ends_with(".NTX") || file.ends_with(".CON") {
                    file
                } else {
                    A
                };
            let e = share
                .write(|tx| tx.write(target, pos, &[7; 8]))
                .expect_err(&format!("{ctx}: write succeeded"));
            assert_names(&e, file, &format!("{ctx} (write)"));
            if file == CTL_FILE || file == JOURNAL_FILE {
                // Damage to the share itself stops every write.
                let e = share
                    .write(|tx| tx.log_event("", "x", "y"))
                    .expect_err(&format!("{ctx}: log_event succeeded"));
                assert_names(&e, file, &format!("{ctx} (log_event)"));
            }
        }
    }
    assert!(
        snapshot(dir) == before,
        "{ctx}: the failed attempts changed the files"
    );
}

#[test]
fn truncated_record_files() {
    for (len, what) in [
        (slot_offset(6) - 3, "mid-slot"),
        (slot_offset(2), "whole slots"),
        (100, "mid-header"),
        (0, "empty"),
    ] {
        let dir = fresh("trunc-rec");
        truncate(dir.path(), A, len as u64);
        // Slot 5 is lost in every case (a write elsewhere in the file may legitimately work).
        expect_damage(dir.path(), A, Some(5), &format!("A.DAT truncated {what}"));
    }
}

#[test]
fn flipped_bytes_in_a_record_header() {
    for off in [
        0usize, 8, 10, 12, 16, 24, 40, 48, 72, 90, 104, 120, 250, 253,
    ] {
        let dir = fresh("flip-hdr");
        flip(dir.path(), A, off, 0x10);
        expect_damage(dir.path(), A, Some(0), &format!("A.DAT header byte {off}"));
    }
    // The free-list home's header holds another file's free list.
    let dir = fresh("flip-home");
    flip(dir.path(), HOME, 112, 0x01);
    expect_damage(dir.path(), HOME, None, "B.CON control area");
}

#[test]
fn flipped_bytes_in_a_slot() {
    // CRC, state, reserved, payload of a live slot; the next-pointer of the free slot 4.
    for (pos, within) in [
        (3usize, 0usize),
        (3, 4),
        (3, 6),
        (3, 8),
        (3, 23),
        (4, 8),
        (4, 20),
    ] {
        let dir = fresh("flip-slot");
        flip(dir.path(), A, slot_offset(pos) + within, 0x04);
        expect_damage(
            dir.path(),
            A,
            Some(pos as u64),
            &format!("A.DAT slot {pos} byte {within}"),
        );
    }
}

#[test]
fn wrong_magic_version_or_tag_of_a_record_file() {
    let dir = fresh("magic");
    std::fs::write(dir.path().join(A), {
        let mut b = std::fs::read(dir.path().join(A)).unwrap();
        b[..8].copy_from_slice(b"PKZIP\0\0\0");
        b
    })
    .unwrap();
    reseal_header(dir.path(), A);
    expect_damage(dir.path(), A, Some(0), "A.DAT wrong magic");

    let dir = fresh("version");
    flip(dir.path(), A, 8, 0x03); // version 1 -> 2
    reseal_header(dir.path(), A);
    expect_damage(dir.path(), A, Some(0), "A.DAT version 2");
    let e = Share::open(dir.path(), config())
        .unwrap()
        .read(|tx| tx.header(A))
        .unwrap_err();
    assert!(e.to_string().contains("versión"), "{e}");

    // Another file's bytes under this name (a misplaced copy).
    let dir = fresh("tag");
    std::fs::copy(dir.path().join(LINKED), dir.path().join(A)).unwrap();
    expect_damage(dir.path(), A, Some(0), "B.NTX copied over A.DAT");

    // A slot size that disagrees with the catalog.
    let dir = fresh("size");
    flip(dir.path(), A, 12, 0x08);
    reseal_header(dir.path(), A);
    expect_damage(dir.path(), A, Some(0), "A.DAT slot size");
}

#[test]
fn a_record_file_in_the_catalog_but_missing() {
    let dir = fresh("missing");
    std::fs::remove_file(dir.path().join(A)).unwrap();
    expect_damage(dir.path(), A, Some(0), "A.DAT deleted");
}

#[test]
fn damaged_control_file() {
    // Identity: flipped, wrong magic, unknown version.
    for (off, mask, what) in [
        (20usize, 0x01u8, "identity flipped"),
        (0, 0x20, "identity magic"),
        (8, 0x02, "identity version"),
    ] {
        let dir = fresh("ctl-id");
        flip(dir.path(), CTL_FILE, off, mask);
        expect_damage(dir.path(), CTL_FILE, Some(0), what);
    }
    // Catalog.
    for off in [64usize, 64 + 8, 64 + 30, 64 + 1021] {
        let dir = fresh("ctl-cat");
        flip(dir.path(), CTL_FILE, off, 0x40);
        expect_damage(
            dir.path(),
            CTL_FILE,
            Some(0),
            &format!("catalog byte {off}"),
        );
    }
    // Truncated: inside the state, inside the catalog, inside the identity.
    for len in [1580u64, 1000, 40, 1] {
        let dir = fresh("ctl-trunc");
        truncate(dir.path(), CTL_FILE, len);
        expect_damage(
            dir.path(),
            CTL_FILE,
            Some(0),
            &format!("VENTALIBRE.CTL truncated to {len}"),
        );
    }
    // A control file of another program.
    let dir = fresh("ctl-other");
    std::fs::write(dir.path().join(CTL_FILE), vec![0x5A; 1600]).unwrap();
    expect_damage(
        dir.path(),
        CTL_FILE,
        Some(0),
        "VENTALIBRE.CTL of another program",
    );
}

/// Writes a sealed hot commit state into the control file.
fn set_hot(dir: &Path, nonce: u64, journal_len: u64, journal_crc: u32) {
    let p = dir.join(CTL_FILE);
    let mut b = std::fs::read(&p).unwrap();
    let off = STATE_OFFSET as usize;
    let idle = CommitState::decode(&b[off..off + 64]).unwrap();
    let hot = CommitState {
        phase: Phase::Hot,
        nonce,
        journal_len,
        journal_crc,
        ..idle
    };
    b[off..off + 64].copy_from_slice(&hot.encode());
    std::fs::write(&p, b).unwrap();
}

#[test]
fn hot_state_with_a_garbage_missing_or_mismatched_journal() {
    // Garbage journal.
    let dir = fresh("jnl-garbage");
    std::fs::write(dir.path().join(JOURNAL_FILE), Rng(3).bytes(700)).unwrap();
    set_hot(dir.path(), 77, 700, 1);
    expect_damage(
        dir.path(),
        JOURNAL_FILE,
        Some(0),
        "garbage journal, hot state",
    );

    // No journal at all.
    let dir = fresh("jnl-missing");
    // (A format-2 share has no rollback journal: only a format-1 program's crash leaves one.)
    let _ = std::fs::remove_file(dir.path().join(JOURNAL_FILE));
    set_hot(dir.path(), 77, 700, 1);
    expect_damage(
        dir.path(),
        JOURNAL_FILE,
        Some(0),
        "missing journal, hot state",
    );

    // A well-formed journal of another commit (nonce differs).
    let j = Journal {
        nonce: 5,
        counter_before: 1,
        lamport_before: 1,
        files: vec![JournalFile {
            name: A.into(),
            original_len: 0,
            regions: vec![],
        }],
    };
    let bytes = j.encode();
    let dir = fresh("jnl-nonce");
    std::fs::write(dir.path().join(JOURNAL_FILE), &bytes).unwrap();
    set_hot(dir.path(), 6, bytes.len() as u64, crc32c(&bytes[64..]));
    expect_damage(
        dir.path(),
        JOURNAL_FILE,
        Some(0),
        "journal of another commit",
    );

    // The right journal with a damaged body, header or version; or cut short.
    for (off, what) in [
        (bytes.len() - 1, "body"),
        (20, "header"),
        (8, "version"),
        (0, "magic"),
    ] {
        let dir = fresh("jnl-flip");
        let mut b = bytes.clone();
        b[off] ^= 0x01;
        std::fs::write(dir.path().join(JOURNAL_FILE), &b).unwrap();
        set_hot(dir.path(), 5, bytes.len() as u64, crc32c(&bytes[64..]));
        expect_damage(
            dir.path(),
            JOURNAL_FILE,
            Some(0),
            &format!("journal {what} flipped"),
        );
    }
    let dir = fresh("jnl-short");
    std::fs::write(dir.path().join(JOURNAL_FILE), &bytes[..bytes.len() - 5]).unwrap();
    set_hot(dir.path(), 5, bytes.len() as u64, crc32c(&bytes[64..]));
    expect_damage(dir.path(), JOURNAL_FILE, Some(0), "journal truncated");
}

#[test]
fn an_idle_share_ignores_a_garbage_journal() {
    let dir = fresh("jnl-idle");
    std::fs::write(dir.path().join(JOURNAL_FILE), Rng(4).bytes(333)).unwrap();
    let before = snapshot(dir.path());
    let share = Share::open(dir.path(), config()).unwrap();
    share.read(|tx| read_everything(tx)).unwrap();
    assert!(share.read(|tx| check_storage(tx)).unwrap().ok());
    assert!(
        snapshot(dir.path()) == before,
        "reading an idle share wrote to it"
    );
    share.write(|tx| tx.write(A, 0, b"nuevo")).unwrap();
    assert_eq!(
        &Share::open(dir.path(), config())
            .unwrap()
            .read(|tx| tx.read(A, 0))
            .unwrap()[..5],
        b"nuevo"
    );
}

/// The full contents of every file as the share reads them, for before/after comparisons.
fn contents(dir: &Path) -> Vec<(String, u64, Vec<ventalibre::storage::Slot>, [u64; 16])> {
    let share = Share::open(dir, config()).unwrap();
    share
        .read(|tx| -> Result<_, StorageError> {
            let mut out = Vec::new();
            for f in tx.files()? {
                let h = tx.header(&f.name)?;
                let slots = (0..h.slot_count)
                    .map(|p| tx.slot(&f.name, p))
                    .collect::<Result<Vec<_>, _>>()?;
                out.push((f.name, h.live_count, slots, h.control));
            }
            Ok(out)
        })
        .unwrap()
}

#[test]
fn a_damaged_commit_state_is_rebuilt_without_undoing_the_last_commit() {
    // The commit state is the only region rewritten in place by every commit; a torn or damaged
    // one is rebuilt. The journal left by the last (finished) commit must not be applied.
    for off in [0usize, 9, 16, 24, 40, 63] {
        let dir = fresh("state");
        let want = contents(dir.path());
        let (counter, lamport) = Share::open(dir.path(), config())
            .unwrap()
            .read(|tx| Ok::<_, StorageError>((tx.counter(), tx.lamport())))
            .unwrap();
        flip(dir.path(), CTL_FILE, STATE_OFFSET as usize + off, 0x01);
        let share = Share::open(dir.path(), config()).unwrap();
        assert!(
            share.read(|tx| check_storage(tx)).unwrap().ok(),
            "state byte {off}"
        );
        assert_eq!(
            contents(dir.path()),
            want,
            "state byte {off}: the data changed (the last commit was undone?)"
        );
        let (c2, l2) = share
            .read(|tx| Ok::<_, StorageError>((tx.counter(), tx.lamport())))
            .unwrap();
        assert!(
            c2 > counter,
            "state byte {off}: the change counter went back ({counter} -> {c2})"
        );
        assert!(
            l2 >= lamport,
            "state byte {off}: the Lamport clock went back ({lamport} -> {l2})"
        );
        let t = share.write(|tx| tx.log_event("", "despues", "")).unwrap();
        assert!(
            t > lamport,
            "state byte {off}: new event time {t} not after {lamport}"
        );
    }
}

/// Random single-bit flips anywhere in the share's files. A flip in a checksummed region must
/// give a damage error naming the file and change nothing; a flip in the unused part of the
/// control file or in an idle journal must change nothing visible; a flip in the commit state is
/// repaired without touching the data.
#[test]
fn random_bit_flips_are_detected_and_change_nothing() {
    let rounds: u64 = std::env::var("VENTALIBRE_FLIP_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let template = fresh("flip-template");
    let want = contents(template.path());
    // The template's last terminal folded the redo log into the files as it closed (an empty
    // log); a rollback journal exists only on shares a format-1 program wrote.
    let files: Vec<&str> = [
        A,
        HOME,
        LINKED,
        EVENTS_FILE,
        CTL_FILE,
        JOURNAL_FILE,
        LOG_FILE,
    ]
    .into_iter()
    .filter(|f| std::fs::metadata(template.path().join(f)).is_ok_and(|m| m.len() > 0))
    .collect();
    assert_eq!(files.len(), 5, "{files:?}");
    let mut rng = Rng(99);
    for round in 0..rounds {
        let dir = TempDir::new("flip-round");
        for &f in &files {
            std::fs::copy(template.path().join(f), dir.path().join(f)).unwrap();
        }
        let file = files[rng.below(files.len() as u64) as usize];
        let len = std::fs::metadata(dir.path().join(file)).unwrap().len();
        let off = rng.below(len) as usize;
        flip(dir.path(), file, off, 1 << rng.below(8));
        let ctx = format!("round {round}: {file} byte {off}");
        let is_state = file == CTL_FILE && (1536..1600).contains(&off);
        // Past the commit state: unused bytes, then the change log (a hint for refreshing
        // caches, each entry checksummed: a bad one only makes a terminal that is behind re-read
        // instead of pruning). Harmless too.
        let past_state = (CTL_SIZE as usize..changelog::END as usize).contains(&off);
        let harmless = file == JOURNAL_FILE
            || (file == CTL_FILE && ((1088..1536).contains(&off) || past_state));
        if is_state || harmless {
            let before = snapshot(dir.path());
            assert_eq!(contents(dir.path()), want, "{ctx}");
            let after = snapshot(dir.path());
            if harmless {
                assert!(after == before, "{ctx}: a harmless flip led to writes");
            } else {
                for (name, bytes) in &before {
                    if name != CTL_FILE {
                        assert!(
                            &after[name] == bytes,
                            "{ctx}: repairing the state touched {name}"
                        );
                    }
                }
            }
        } else {
            let pos = match file {
                CTL_FILE => Some(0),
                _ if off < HEADER_SIZE => Some(0),
                _ => {
                    let stride = SLOT_PREFIX
                        + match file {
                            A => A_SLOT,
                            HOME => 8,
                            LINKED => 24,
                            _ => 192,
                        };
                    Some(((off - HEADER_SIZE) / stride) as u64)
                }
            };
            let pos = if file == EVENTS_FILE { None } else { pos };
            expect_damage(dir.path(), file, pos, &ctx);
        }
    }
}

#[test]
fn an_unfinished_creation_is_completed_and_only_that() {
    // The identity is written last: a control file that is empty, or whose identity is still
    // zero, is a creation cut short. open_or_create finishes it; open refuses it.
    for (len, what) in [(0usize, "empty"), (1600, "zero identity")] {
        let dir = TempDir::new("unfinished");
        std::fs::write(dir.path().join(CTL_FILE), vec![0u8; len]).unwrap();
        let e = Share::open(dir.path(), config())
            .err()
            .expect("open of an unfinished share");
        assert_names(&e, CTL_FILE, what);
        let share = Share::open_or_create(dir.path(), config()).unwrap();
        share
            .write(|tx| tx.create_file(A, 8, FreeHome::Own))
            .unwrap();
        assert!(
            Share::open(dir.path(), config())
                .unwrap()
                .read(|tx| tx.exists(A))
                .unwrap(),
            "{what}"
        );
    }
}
