//! Record files: unit tests of the byte layout and the slot operations, and a property test of
//! random insert/update/delete transactions against an in-memory model.

mod common;

use std::collections::BTreeMap;

use common::{Rng, TempDir, assert_storage_ok, config, le64};
use ventalibre::storage::check::check_storage;
use ventalibre::storage::crc::{crc32c, crc32c_append};
use ventalibre::storage::events::read_events;
use ventalibre::storage::record::{
    self, CONTROL_OFFSET, HEADER_CRC_OFFSET, HEADER_SIZE, SLOT_PREFIX,
};
use ventalibre::storage::{FreeHome, NIL, Share, ShareConfig, Slot, StorageError, Tx};

fn open(dir: &TempDir) -> Share {
    Share::open_or_create(dir.path(), config()).unwrap()
}

#[test]
fn header_and_slot_bytes_match_the_documented_layout() {
    let dir = TempDir::new("layout");
    let share = open(&dir);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("CAJA.DAT", 12, FreeHome::Own)?;
            tx.alloc("CAJA.DAT", b"uno")?;
            tx.alloc("CAJA.DAT", b"dos")?;
            tx.alloc("CAJA.DAT", b"tres")?;
            tx.release("CAJA.DAT", 1)?;
            tx.set_control("CAJA.DAT", 15, 0xABCD)
        })
        .unwrap();
    let counter = share
        .read(|tx| Ok::<_, StorageError>(tx.counter()))
        .unwrap();
    let raw = std::fs::read(dir.path().join("CAJA.DAT")).unwrap();
    let stride = SLOT_PREFIX + 12;
    // The file is exactly the header plus its slots.
    assert_eq!(raw.len(), HEADER_SIZE + 3 * stride);
    let u16_at = |o: usize| u16::from_le_bytes(raw[o..o + 2].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(raw[o..o + 4].try_into().unwrap());
    assert_eq!(&raw[0..8], b"VLRECORD");
    assert_eq!(u16_at(8), 1, "format version");
    assert_eq!(u16_at(10), 256, "header size");
    assert_eq!(u32_at(12), 12, "slot size");
    assert_eq!(le64(&raw, 16), 3, "slot count");
    assert_eq!(le64(&raw, 24), 1, "free-list head");
    assert_eq!(le64(&raw, 32), 1, "free-list length");
    assert_eq!(le64(&raw, 40), 2, "live count");
    assert_eq!(
        le64(&raw, 48),
        counter,
        "change counter = share counter of the last commit"
    );
    assert!(le64(&raw, 56) > 0, "lamport");
    assert!(le64(&raw, 64) > 1_600_000_000_000, "created (Unix ms)");
    assert_eq!(&raw[72..88], b"CAJA.DAT\0\0\0\0\0\0\0\0", "tag");
    assert_eq!(&raw[88..106], &[0u8; 18], "free-list home: own header");
    assert_eq!(&raw[106..112], &[0u8; 6], "reserved");
    assert_eq!(CONTROL_OFFSET, 112);
    assert_eq!(le64(&raw, 112 + 15 * 8), 0xABCD, "control field 15");
    assert_eq!(&raw[240..252], &[0u8; 12], "reserved");
    assert_eq!(HEADER_CRC_OFFSET, 252);
    assert_eq!(u32_at(252), crc32c(&raw[..252]), "header CRC-32C");

    for pos in 0..3u64 {
        let s = &raw[HEADER_SIZE + pos as usize * stride..][..stride];
        let crc = crc32c_append(crc32c(&pos.to_le_bytes()), &s[4..]);
        assert_eq!(
            u32::from_le_bytes(s[..4].try_into().unwrap()),
            crc,
            "slot {pos} CRC covers its position"
        );
        assert_eq!(&s[5..8], &[0, 0, 0], "slot reserved bytes");
        match pos {
            1 => {
                assert_eq!(s[4], record::SLOT_FREE);
                assert_eq!(
                    le64(s, 8),
                    NIL,
                    "a free slot starts with the next free position"
                );
                assert_eq!(&s[16..], &[0u8; 4]);
            }
            _ => assert_eq!(s[4], record::SLOT_LIVE),
        }
    }
    assert_eq!(&raw[HEADER_SIZE + 8..HEADER_SIZE + 11], b"uno");
    assert_eq!(
        &raw[HEADER_SIZE + 2 * stride + 8..HEADER_SIZE + 2 * stride + 12],
        b"tres"
    );
    assert_storage_ok(&share);
}

#[test]
fn slot_operations_and_their_errors() {
    let dir = TempDir::new("ops");
    let share = open(&dir);
    share
        .write(|tx| tx.create_file("A.DAT", 8, FreeHome::Own))
        .unwrap();
    let p = share
        .write(|tx| tx.alloc("A.DAT", &7u64.to_le_bytes()))
        .unwrap();
    assert_eq!(p, 0);
    // Short payloads are zero padded to the slot size.
    share.write(|tx| tx.write("A.DAT", 0, &[1])).unwrap();
    let got = share.read(|tx| tx.read("A.DAT", 0)).unwrap();
    assert_eq!(&got[..], &[1, 0, 0, 0, 0, 0, 0, 0]);

    let e = share.write(|tx| tx.write("A.DAT", 0, &[0; 9])).unwrap_err();
    assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    let e = share.read(|tx| tx.read("A.DAT", 1)).unwrap_err();
    assert!(matches!(e, StorageError::BadSlot { pos: 1, .. }), "{e}");
    let e = share.write(|tx| tx.write("A.DAT", 5, &[1])).unwrap_err();
    assert!(matches!(e, StorageError::BadSlot { pos: 5, .. }), "{e}");
    share.write(|tx| tx.release("A.DAT", 0)).unwrap();
    let e = share.write(|tx| tx.release("A.DAT", 0)).unwrap_err();
    assert!(matches!(e, StorageError::BadSlot { .. }), "{e}");
    let e = share.read(|tx| tx.read("A.DAT", 0)).unwrap_err();
    assert!(matches!(e, StorageError::BadSlot { .. }), "{e}");
    let e = share.write(|tx| tx.write("A.DAT", 0, &[1])).unwrap_err();
    assert!(matches!(e, StorageError::BadSlot { .. }), "{e}");
    assert_eq!(
        share.read(|tx| tx.slot("A.DAT", 0)).unwrap(),
        Slot::Free { next: NIL }
    );
    // The freed slot is reused.
    assert_eq!(share.write(|tx| tx.alloc("A.DAT", b"x")).unwrap(), 0);

    let e = share.read(|tx| tx.header("NO.DAT")).unwrap_err();
    assert!(matches!(e, StorageError::Missing { .. }), "{e}");
    assert!(e.to_string().contains("NO.DAT"));
    let e = share
        .write(|tx| tx.create_file("A.DAT", 16, FreeHome::Own))
        .unwrap_err();
    assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    share
        .write(|tx| tx.create_file("A.DAT", 8, FreeHome::Own))
        .unwrap();
    for bad in ["", "NOMBRE_DEMASIADO_LARGO.DAT", "AÑO.DAT"] {
        let e = share
            .write(|tx| tx.create_file(bad, 8, FreeHome::Own))
            .unwrap_err();
        assert!(matches!(e, StorageError::Misuse(_)), "{bad}: {e}");
    }
    let e = share
        .write(|tx| tx.create_file("B.DAT", 4, FreeHome::Own))
        .unwrap_err();
    assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    for field in [15u16, 200] {
        let home = FreeHome::Control {
            file: "A.DAT".into(),
            field,
        };
        let e = share
            .write(|tx| tx.create_file("C.DAT", 8, home))
            .unwrap_err();
        assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    }
    let home = FreeHome::Control {
        file: "NOHAY.CON".into(),
        field: 0,
    };
    let e = share
        .write(|tx| tx.create_file("C.DAT", 8, home))
        .unwrap_err();
    assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    let e = share
        .write(|tx| tx.set_control("A.DAT", 16, 1))
        .unwrap_err();
    assert!(matches!(e, StorageError::Misuse(_)), "{e}");
    assert_storage_ok(&share);
}

#[test]
fn a_failed_closure_writes_nothing_and_an_empty_one_does_not_commit() {
    let dir = TempDir::new("abort");
    let share = open(&dir);
    share
        .write(|tx| tx.create_file("A.DAT", 8, FreeHome::Own))
        .unwrap();
    share.write(|tx| tx.alloc("A.DAT", b"a")).unwrap();
    let before = common::snapshot(dir.path());
    let c0 = share
        .read(|tx| Ok::<_, StorageError>(tx.counter()))
        .unwrap();
    let r: Result<(), StorageError> = share.write(|tx| {
        tx.alloc("A.DAT", b"b")?;
        tx.create_file("B.DAT", 8, FreeHome::Own)?;
        tx.write("A.DAT", 0, b"z")?;
        Err(StorageError::Misuse("abandon".into()))
    });
    assert!(r.is_err());
    assert_eq!(
        common::snapshot(dir.path()),
        before,
        "an aborted transaction touched the files"
    );
    // Reads inside a write transaction see its own changes; nothing of them survives.
    share
        .write(|tx| -> Result<(), StorageError> {
            assert_eq!(&tx.read("A.DAT", 0)?[..1], b"a");
            assert!(!tx.exists("B.DAT")?);
            assert_eq!(tx.header("A.DAT")?.slot_count, 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        common::snapshot(dir.path()),
        before,
        "a read-only write transaction wrote"
    );
    let c1 = share
        .read(|tx| Ok::<_, StorageError>(tx.counter()))
        .unwrap();
    assert_eq!(c0, c1, "no commit happened");
    share.write(|tx| tx.write("A.DAT", 0, b"c")).unwrap();
    let c2 = share
        .read(|tx| Ok::<_, StorageError>(tx.counter()))
        .unwrap();
    assert_eq!(c2, c1 + 1, "one commit, one step of the change counter");
}

#[test]
fn free_list_kept_in_another_files_control_area() {
    let dir = TempDir::new("home");
    let share = open(&dir);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("IDX.CON", 8, FreeHome::Own)?;
            tx.create_file(
                "IDX.NTX",
                24,
                FreeHome::Control {
                    file: "IDX.CON".into(),
                    field: 6,
                },
            )?;
            for i in 0..5u8 {
                tx.alloc("IDX.NTX", &[i])?;
            }
            tx.release("IDX.NTX", 3)?;
            tx.release("IDX.NTX", 1)
        })
        .unwrap();
    share
        .read(|tx| -> Result<(), StorageError> {
            assert_eq!(tx.free_list("IDX.NTX")?, (1, 2));
            assert_eq!(tx.control("IDX.CON", 6)?, 1);
            assert_eq!(tx.control("IDX.CON", 7)?, 2);
            let h = tx.header("IDX.NTX")?;
            assert_eq!((h.free_head, h.free_count, h.live_count), (NIL, 0, 3));
            assert_eq!(tx.slot("IDX.NTX", 1)?, Slot::Free { next: 3 });
            Ok(())
        })
        .unwrap();
    let raw = std::fs::read(dir.path().join("IDX.NTX")).unwrap();
    assert_eq!(&raw[88..96], b"IDX.CON\0", "free-list home tag");
    assert_eq!(
        u16::from_le_bytes([raw[104], raw[105]]),
        6,
        "free-list home field"
    );
    assert_eq!(share.write(|tx| tx.alloc("IDX.NTX", b"n")).unwrap(), 1);
    assert_eq!(share.write(|tx| tx.alloc("IDX.NTX", b"m")).unwrap(), 3);
    assert_eq!(share.write(|tx| tx.alloc("IDX.NTX", b"o")).unwrap(), 5);
    // A file may keep its own free list in its own control area.
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(
                "SELF.DAT",
                16,
                FreeHome::Control {
                    file: "SELF.DAT".into(),
                    field: 14,
                },
            )?;
            tx.alloc("SELF.DAT", b"a")?;
            tx.alloc("SELF.DAT", b"b")?;
            tx.release("SELF.DAT", 0)
        })
        .unwrap();
    assert_eq!(share.read(|tx| tx.free_list("SELF.DAT")).unwrap(), (0, 1));
    assert_eq!(share.write(|tx| tx.alloc("SELF.DAT", b"c")).unwrap(), 0);
    assert_eq!(share.read(|tx| tx.free_list("SELF.DAT")).unwrap(), (NIL, 0));
    assert_storage_ok(&share);
}

#[test]
fn lamport_clock_and_change_counters_advance_across_terminals() {
    let dir = TempDir::new("lamport");
    let a = Share::open_or_create(
        dir.path(),
        ventalibre::storage::ShareConfig {
            terminal: Some("caja-a".into()),
            ..config()
        },
    )
    .unwrap();
    let b = Share::open(
        dir.path(),
        ventalibre::storage::ShareConfig {
            terminal: Some("caja-b".into()),
            ..config()
        },
    )
    .unwrap();
    let t1 = a
        .write(|tx| tx.log_event("ana@x.com", "alta", "uno"))
        .unwrap();
    let (t2, t3) = b
        .write(|tx| -> Result<_, StorageError> {
            let x = tx.log_event("", "sistema", "dos")?;
            Ok((x, tx.log_event("", "sistema", "tres")?))
        })
        .unwrap();
    let t4 = a
        .write(|tx| tx.log_event("ana@x.com", "baja", "cuatro"))
        .unwrap();
    assert!(t1 < t2 && t2 < t3 && t3 < t4, "{t1} {t2} {t3} {t4}");
    let events = b.read(|tx| read_events(tx)).unwrap();
    let got: Vec<_> = events
        .iter()
        .map(|e| (e.terminal.as_str(), e.detail.as_str(), e.lamport))
        .collect();
    assert_eq!(
        got,
        vec![
            ("caja-a", "uno", t1),
            ("caja-b", "dos", t2),
            ("caja-b", "tres", t3),
            ("caja-a", "cuatro", t4)
        ]
    );
    // The file header records the Lamport time and the counter of its last commit.
    let (h, counter, lamport) = a
        .read(|tx| Ok::<_, StorageError>((tx.header("EVENTOS.DAT")?, tx.counter(), tx.lamport())))
        .unwrap();
    assert_eq!(h.lamport, t4);
    assert_eq!(lamport, t4);
    assert_eq!(h.change_counter, counter);
}

#[test]
fn reader_cache_revalidates_with_one_small_read() {
    let dir = TempDir::new("cache");
    let a = open(&dir);
    let b = Share::open(dir.path(), config()).unwrap();
    a.write(|tx| -> Result<(), StorageError> {
        tx.create_file("A.DAT", 64, FreeHome::Own)?;
        tx.create_file("B.DAT", 64, FreeHome::Own)?;
        for i in 0..50u8 {
            tx.alloc("A.DAT", &[i; 64])?;
            tx.alloc("B.DAT", &[i; 64])?;
        }
        Ok(())
    })
    .unwrap();
    let sum = |tx: &mut ventalibre::storage::ReadTx<'_>, f: &str| -> Result<u64, StorageError> {
        let mut s = 0u64;
        for p in 0..50 {
            s += tx.read(f, p)?[0] as u64;
        }
        Ok(s)
    };
    assert_eq!(b.read(|tx| sum(tx, "A.DAT")).unwrap(), 1225);
    assert_eq!(b.read(|tx| sum(tx, "B.DAT")).unwrap(), 1225);
    // Unchanged share: only the 64-byte commit state is read.
    assert_eq!(b.read(|tx| sum(tx, "A.DAT")).unwrap(), 1225);
    let st = b.last_tx_stats();
    assert_eq!(
        (st.reads, st.writes, st.syncs, st.bytes_read),
        (1, 0, 0, 64),
        "{st:?}"
    );
    // Another terminal changes A only: B's slots stay cached, only headers are reread.
    a.write(|tx| tx.write("A.DAT", 7, &[100; 64])).unwrap();
    assert_eq!(b.read(|tx| sum(tx, "B.DAT")).unwrap(), 1225);
    let st = b.last_tx_stats();
    // The commit state, the catalog, B's header, and the commit state again (a read that went
    // to disk checks that no commit overlapped it).
    assert!(st.reads <= 4, "{st:?}");
    assert!(st.bytes_read <= 64 + 1024 + 256 + 64, "{st:?}");
    assert_eq!(b.read(|tx| sum(tx, "A.DAT")).unwrap(), 1225 - 7 + 100);
    let st = b.last_tx_stats();
    // The change log names the one slot A's commit changed: only it (with the state, the log
    // entry and A's header) is reread, not A's 50 slots.
    assert!(
        st.reads <= 5 && st.bytes_read <= 64 + 512 + 256 + 72 + 64,
        "A changed in one slot: only that slot is reread: {st:?}"
    );
    // drop_cache forgets everything.
    b.drop_cache();
    assert_eq!(b.read(|tx| sum(tx, "B.DAT")).unwrap(), 1225);
    assert!(b.last_tx_stats().reads >= 50);
}

/// One record file under test and its model: position → payload; free positions in LIFO order.
struct Model {
    name: &'static str,
    slot_size: usize,
    live: BTreeMap<u64, Vec<u8>>,
    free: Vec<u64>,
    count: u64,
}

impl Model {
    fn alloc(&mut self, payload: Vec<u8>) -> u64 {
        let pos = self.free.pop().unwrap_or_else(|| {
            self.count += 1;
            self.count - 1
        });
        self.live.insert(pos, payload);
        pos
    }
    fn padded(&self, p: &[u8]) -> Vec<u8> {
        let mut v = p.to_vec();
        v.resize(self.slot_size, 0);
        v
    }
}

fn assert_matches_model(tx: &mut impl Tx, models: &[Model], ctx: &str) {
    for m in models {
        let h = tx.header(m.name).unwrap();
        assert_eq!(h.slot_count, m.count, "{ctx}: {} slot count", m.name);
        assert_eq!(
            h.live_count,
            m.live.len() as u64,
            "{ctx}: {} live count",
            m.name
        );
        let (head, len) = tx.free_list(m.name).unwrap();
        assert_eq!(
            len,
            m.free.len() as u64,
            "{ctx}: {} free-list length",
            m.name
        );
        assert_eq!(
            head,
            m.free.last().copied().unwrap_or(NIL),
            "{ctx}: {} free-list head",
            m.name
        );
        for pos in 0..m.count {
            match (tx.slot(m.name, pos).unwrap(), m.live.get(&pos)) {
                (Slot::Live(p), Some(want)) => {
                    assert_eq!(&p[..], &m.padded(want)[..], "{ctx}: {} slot {pos}", m.name)
                }
                (Slot::Free { next }, None) => {
                    let i = m
                        .free
                        .iter()
                        .position(|&f| f == pos)
                        .expect("free in model");
                    let want_next = if i == 0 { NIL } else { m.free[i - 1] };
                    assert_eq!(next, want_next, "{ctx}: {} free slot {pos} link", m.name);
                }
                (got, want) => panic!("{ctx}: {} slot {pos}: got {got:?}, model {want:?}", m.name),
            }
        }
    }
}

#[test]
fn random_transactions_match_an_in_memory_model() {
    let rounds: u64 = std::env::var("VENTALIBRE_RECORD_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let dir = TempDir::new("model");
    let share = open(&dir);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("OWN.DAT", 20, FreeHome::Own)?;
            tx.create_file("HOME.CON", 8, FreeHome::Own)?;
            tx.create_file(
                "LINKED.DAT",
                9,
                FreeHome::Control {
                    file: "HOME.CON".into(),
                    field: 2,
                },
            )
        })
        .unwrap();
    let mut models = vec![
        Model {
            name: "OWN.DAT",
            slot_size: 20,
            live: BTreeMap::new(),
            free: vec![],
            count: 0,
        },
        Model {
            name: "LINKED.DAT",
            slot_size: 9,
            live: BTreeMap::new(),
            free: vec![],
            count: 0,
        },
    ];
    let mut rng = Rng(0x5eed);
    for round in 0..rounds {
        let mut next = models
            .iter()
            .map(|m| Model {
                live: m.live.clone(),
                free: m.free.clone(),
                ..*m
            })
            .collect::<Vec<_>>();
        let abort = rng.chance(1, 8);
        let ops = 1 + rng.below(12);
        let result = share.write(|tx| -> Result<(), StorageError> {
            for _ in 0..ops {
                let m = &mut next[rng.below(2) as usize];
                let len = rng.below(m.slot_size as u64 + 1) as usize;
                let payload = rng.bytes(len);
                match rng.below(10) {
                    // insert (more often, so files grow)
                    0..=4 => {
                        let want = m.alloc(payload.clone());
                        assert_eq!(
                            tx.alloc(m.name, &payload)?,
                            want,
                            "round {round}: alloc position"
                        );
                    }
                    // update
                    5..=6 if !m.live.is_empty() => {
                        let pos = *m
                            .live
                            .keys()
                            .nth(rng.below(m.live.len() as u64) as usize)
                            .unwrap();
                        tx.write(m.name, pos, &payload)?;
                        m.live.insert(pos, payload);
                    }
                    // delete
                    7..=8 if !m.live.is_empty() => {
                        let pos = *m
                            .live
                            .keys()
                            .nth(rng.below(m.live.len() as u64) as usize)
                            .unwrap();
                        tx.release(m.name, pos)?;
                        m.live.remove(&pos);
                        m.free.push(pos);
                    }
                    // a wrong operation on a free slot is refused and changes nothing
                    _ => {
                        if let Some(&pos) = m.free.last() {
                            assert!(matches!(
                                tx.write(m.name, pos, b"x"),
                                Err(StorageError::BadSlot { .. })
                            ));
                            assert!(matches!(
                                tx.release(m.name, pos),
                                Err(StorageError::BadSlot { .. })
                            ));
                        }
                    }
                }
            }
            // Read-your-writes inside the transaction.
            assert_matches_model(tx, &next, &format!("round {round} (inside)"));
            if abort {
                Err(StorageError::Misuse("abandon".into()))
            } else {
                Ok(())
            }
        });
        assert_eq!(result.is_err(), abort, "round {round}: {result:?}");
        if !abort {
            models = next;
        }
        // Through the cache of the writer, and through a cold terminal every few rounds.
        share
            .read(|tx| -> Result<(), StorageError> {
                assert_matches_model(tx, &models, &format!("round {round} (after)"));
                Ok(())
            })
            .unwrap();
        if round % 25 == 24 {
            let cold = Share::open(dir.path(), config()).unwrap();
            cold.read(|tx| -> Result<(), StorageError> {
                assert_matches_model(tx, &models, &format!("round {round} (cold)"));
                let report = check_storage(tx)?;
                assert!(report.ok(), "round {round}: {report:#?}");
                Ok(())
            })
            .unwrap();
        }
    }
    assert!(
        models.iter().all(|m| m.count > 20),
        "the files grew: {:?}",
        models.iter().map(|m| m.count).collect::<Vec<_>>()
    );
    assert_storage_ok(&share);
}

#[test]
fn prefetch_slots_reads_runs_and_keeps_only_the_wanted_slots() {
    prefetch_slots_with(1);
}

/// The same with the runs read by four threads at once (as on a network share).
#[test]
fn prefetch_slots_reads_runs_at_once_and_keeps_them_the_same() {
    prefetch_slots_with(4);
}

fn prefetch_slots_with(parallel: usize) {
    let dir = TempDir::new(&format!("prefetch-slots-{parallel}"));
    let open = |dir: &TempDir| {
        Share::open_or_create(
            dir.path(),
            ShareConfig {
                parallel_reads: Some(parallel),
                ..config()
            },
        )
        .unwrap()
    };
    let a = open(&dir);
    a.write(|tx| -> Result<(), StorageError> {
        tx.create_file("P.DAT", 64, FreeHome::Own)?;
        for i in 0..200u8 {
            tx.alloc("P.DAT", &[i; 64])?;
        }
        Ok(())
    })
    .unwrap();
    a.checkpoint().unwrap();
    let b = open(&dir);
    // Stride 72: a 4,096-byte gap is 56 slots. 0, 10, 60 join; 130 and 199 are reads of their
    // own; 500 is past the end.
    let wanted = [0u64, 10, 60, 130, 199, 500];
    b.read(|tx| {
        tx.header("P.DAT")?;
        Ok::<_, StorageError>(())
    })
    .unwrap();
    let before = b.io_totals();
    let got = b
        .read(|tx| -> Result<Vec<u8>, StorageError> {
            tx.prefetch_slots("P.DAT", &wanted, 4096)?;
            let mut v = Vec::new();
            for &p in &wanted[..5] {
                v.push(tx.read("P.DAT", p)?[0]);
            }
            Ok(v)
        })
        .unwrap();
    assert_eq!(got, vec![0, 10, 60, 130, 199]);
    let io = b.io_totals().since(&before);
    // The commit state (twice: the overlap check), then three runs: 0..=60, 130, 199.
    assert_eq!(io.reads, 2 + 3, "{io:?}");
    assert_eq!(io.bytes_read, 2 * 64 + (61 + 1 + 1) * 72, "{io:?}");
    // A slot inside the run but not wanted was not kept: reading it is one more read.
    let before = b.io_totals();
    assert_eq!(
        b.read(|tx| Ok::<_, StorageError>(tx.read("P.DAT", 30)?[0]))
            .unwrap(),
        30
    );
    let io = b.io_totals().since(&before);
    assert_eq!((io.reads, io.bytes_read), (2 + 1, 2 * 64 + 72), "{io:?}");
    // Twenty runs of one slot each (no gap read through): twenty reads, however many at once.
    let d = open(&dir);
    let odd: Vec<u64> = (0..20).map(|k| 2 * k + 101).collect();
    d.read(|tx| {
        tx.header("P.DAT")?;
        Ok::<_, StorageError>(())
    })
    .unwrap();
    let before = d.io_totals();
    let got = d
        .read(|tx| -> Result<Vec<u8>, StorageError> {
            tx.prefetch_slots("P.DAT", &odd, 0)?;
            odd.iter().map(|&p| Ok(tx.read("P.DAT", p)?[0])).collect()
        })
        .unwrap();
    assert_eq!(got, odd.iter().map(|&p| p as u8).collect::<Vec<_>>());
    let io = d.io_totals().since(&before);
    assert_eq!(
        (io.reads, io.bytes_read),
        (2 + 20, 2 * 64 + 20 * 72),
        "{io:?}"
    );
    // Damage in a gap is not looked at; damage in a wanted slot is found.
    let path = dir.path().join("P.DAT");
    let mut raw = std::fs::read(&path).unwrap();
    let at = HEADER_SIZE + 40 * 72 + 20;
    raw[at] ^= 0xFF;
    let at = HEADER_SIZE + 61 * 72 + 20;
    raw[at] ^= 0xFF;
    std::fs::write(&path, &raw).unwrap();
    let c = open(&dir);
    c.read(|tx| tx.prefetch_slots("P.DAT", &[39, 41], 4096))
        .unwrap();
    let err = c
        .read(|tx| tx.prefetch_slots("P.DAT", &[59, 61], 4096))
        .unwrap_err();
    assert!(err.is_damaged(), "{err}");
    // The same in one run of several read at once (when `parallel` > 1).
    let many: Vec<u64> = (0..12).map(|k| 2 * k + 51).collect();
    assert!(many.contains(&61));
    let err = open(&dir)
        .read(|tx| tx.prefetch_slots("P.DAT", &many, 0))
        .unwrap_err();
    assert!(err.is_damaged(), "{err}");
}
