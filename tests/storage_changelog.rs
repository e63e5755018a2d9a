//! The change log: a terminal whose cache is a few commits behind drops only the records those
//! commits changed (read from the log in `VENTALIBRE.CTL`), and stays correct when the log cannot
//! help (too far behind, an entry missing or damaged, a new file).

mod common;

use common::{TempDir, config};
use ventalibre::storage::ctl::CTL_FILE;
use ventalibre::storage::{FreeHome, Share, StorageError, Tx};

const F: &str = "MUCHOS.DAT";
const G: &str = "OTRO.DAT";
const N: u64 = 2000;

fn read_all(share: &Share, file: &str) -> Vec<u64> {
    share
        .read(|tx| -> Result<Vec<u64>, StorageError> {
            tx.prefetch(file)?;
            let n = tx.header(file)?.slot_count;
            (0..n)
                .map(|p| {
                    Ok(u64::from_le_bytes(
                        tx.read(file, p)?[..8].try_into().unwrap(),
                    ))
                })
                .collect()
        })
        .unwrap()
}

fn setup(dir: &std::path::Path) -> Share {
    let a = Share::open_or_create(dir, config()).unwrap();
    a.write(|tx| -> Result<(), StorageError> {
        tx.create_file(F, 64, FreeHome::Own)?;
        tx.create_file(G, 64, FreeHome::Own)?;
        for i in 0..N {
            tx.alloc(F, &i.to_le_bytes())?;
        }
        tx.alloc(G, &7u64.to_le_bytes())?;
        Ok(())
    })
    .unwrap();
    a
}

#[test]
fn a_refresh_after_another_terminals_commit_reads_only_what_changed() {
    let dir = TempDir::new("changelog");
    let a = setup(dir.path());
    let b = Share::open(dir.path(), config()).unwrap();
    assert_eq!(read_all(&b, F).len() as u64, N);
    assert_eq!(read_all(&b, G), vec![7]);
    // Terminal A changes one record of F.
    a.write(|tx| tx.write(F, 500, &9999u64.to_le_bytes()))
        .unwrap();
    let v = read_all(&b, F);
    let io = b.last_tx_stats();
    assert_eq!(v[500], 9999);
    assert_eq!(v[499], 499);
    // The state, the log entry, F's header and the one changed slot: not 2000 slots.
    assert!(io.reads <= 6, "refresh read {} times: {io:?}", io.reads);
    assert!(
        io.bytes_read < 8 * 1024,
        "refresh moved {} bytes",
        io.bytes_read
    );
    // G was not touched: read with no I/O beyond the state.
    assert_eq!(read_all(&b, G), vec![7]);
    assert!(b.last_tx_stats().reads <= 1, "{:?}", b.last_tx_stats());
}

#[test]
fn far_behind_or_without_a_trustworthy_log_a_terminal_rereads_and_stays_correct() {
    let dir = TempDir::new("changelog-fallback");
    let a = setup(dir.path());
    let b = Share::open(dir.path(), config()).unwrap();
    read_all(&b, F);
    // 70 commits: more than the log holds.
    for i in 0..70u64 {
        a.write(|tx| tx.write(F, i, &(100_000 + i).to_le_bytes()))
            .unwrap();
    }
    let v = read_all(&b, F);
    assert!((0..70).all(|i| v[i as usize] == 100_000 + i));
    assert_eq!(v[70], 70);
    // A damaged log entry: the reader must not trust it.
    a.write(|tx| tx.write(F, 1000, &5u64.to_le_bytes()))
        .unwrap();
    let counter = a.read(|tx| Ok::<_, StorageError>(tx.counter())).unwrap();
    let ctl = dir.path().join(CTL_FILE);
    let mut bytes = std::fs::read(&ctl).unwrap();
    let at = ventalibre::storage::changelog::Entry::offset_of(counter) as usize;
    bytes[at + 20] ^= 0xff;
    std::fs::write(&ctl, &bytes).unwrap();
    assert_eq!(read_all(&b, F)[1000], 5);
    // A new file (the catalog changed) shows up.
    a.write(|tx| -> Result<(), StorageError> {
        tx.create_file("NUEVO.DAT", 8, FreeHome::Own)?;
        tx.alloc("NUEVO.DAT", &1u64.to_le_bytes())?;
        Ok(())
    })
    .unwrap();
    assert!(b.read(|tx| tx.exists("NUEVO.DAT")).unwrap());
    assert_eq!(read_all(&b, "NUEVO.DAT"), vec![1]);
    common::assert_storage_ok(&b);
}

#[test]
fn a_file_left_unchecked_by_a_refresh_without_the_log_is_not_trusted_by_a_later_one() {
    // B caches F; A changes F, then makes more commits than the log holds (B's next refresh
    // cannot use the log and leaves F's header to be checked on first use); then one more
    // commit, which the log does describe. B's refresh after it must not declare F's old
    // slots valid: they were never checked against the commits the log did not describe.
    let dir = TempDir::new("changelog-gap");
    let a = setup(dir.path());
    let b = Share::open(dir.path(), config()).unwrap();
    assert_eq!(read_all(&b, F)[3], 3);
    a.write(|tx| tx.write(F, 3, &333u64.to_le_bytes())).unwrap();
    for i in 0..70u64 {
        a.write(|tx| tx.write(G, 0, &i.to_le_bytes())).unwrap();
    }
    assert_eq!(
        read_all(&b, G),
        vec![69],
        "far behind: read through the fallback"
    );
    a.write(|tx| tx.write(G, 0, &70u64.to_le_bytes())).unwrap();
    assert_eq!(
        read_all(&b, G),
        vec![70],
        "one behind: read through the log"
    );
    assert_eq!(read_all(&b, F)[3], 333, "F's change is seen");
}
