//! Reads per lookup of the ME structures, measured with the storage core's I/O counters:
//! the users hash (home-bucket hit vs a record deep in its chain) and the publications AVL, at
//! 1,000 / 100,000 / 1,000,000 records, uncached (cache dropped before the lookup) and cached
//! (the same lookup again on an unchanged share).
//!
//! `cargo bench --bench me_cost` (add `-- --quick` to stop at 100,000).

use std::time::Instant;

use ventalibre::me::avl::AvlIndex;
use ventalibre::me::hash::OpenHash;
use ventalibre::storage::{FreeHome, Share, ShareConfig, StorageError, Tx};

const CON: &str = "P.CON";
const AVL: AvlIndex = AvlIndex {
    file: "P.NTX_1",
    control: CON,
    root_field: 1,
    count_field: 9,
    free_field: 3,
};

const HASH: OpenHash = OpenHash {
    data: "U.DAT",
    control: "U.CON",
    key_cap: 32,
    value_len: 64,
    ids: None,
};

fn key(i: u64) -> Vec<u8> {
    format!("usuario{i}@ventalibre.com.ar").into_bytes()
}

/// Reads of one read transaction that looks nothing up (commit state, catalog, headers).
fn overhead(share: &Share, files: &[&str]) -> u64 {
    share.drop_cache();
    share
        .read(|tx| -> Result<(), StorageError> {
            for f in files {
                tx.header(f)?;
            }
            Ok(())
        })
        .unwrap();
    share.last_tx_stats().reads
}

fn measure(
    share: &Share,
    files: &[&str],
    f: impl Fn(&mut ventalibre::storage::ReadTx<'_>),
) -> (u64, u64) {
    let base = overhead(share, files);
    share.drop_cache();
    share
        .read(|tx| -> Result<(), StorageError> {
            f(tx);
            Ok(())
        })
        .unwrap();
    let cold = share.last_tx_stats().reads.saturating_sub(base);
    share
        .read(|tx| -> Result<(), StorageError> {
            f(tx);
            Ok(())
        })
        .unwrap();
    let warm = share.last_tx_stats().reads;
    (cold, warm)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes: &[u64] = if quick {
        &[1_000, 100_000]
    } else {
        &[1_000, 100_000, 1_000_000]
    };
    println!(
        "| structure | records | buckets | lookup | slot reads uncached | reads cached | build |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    for &n in sizes {
        for buckets in [80, (n / 2).max(80)] {
            if buckets == 80 && n > 100_000 {
                // 1,000,000 records over 80 buckets: chains of 12,500; building it walks them
                // (n^2 / 160 slot reads) — the table's 100,000 row already shows the trend.
                continue;
            }
            let dir = std::env::temp_dir().join(format!("vl-bench-hash-{n}-{buckets}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let share = Share::open_or_create(&dir, ShareConfig::default()).unwrap();
            let h = HASH;
            let t0 = Instant::now();
            share.write(|tx| h.create(tx, buckets)).unwrap();
            let batch = 50_000;
            let mut i = 0;
            while i < n {
                let end = (i + batch).min(n);
                share
                    .write(|tx| -> Result<(), StorageError> {
                        for j in i..end {
                            h.insert(tx, &key(j), &[7u8; 64])?;
                        }
                        Ok(())
                    })
                    .unwrap();
                i = end;
            }
            let build = t0.elapsed();
            // A key whose record sits in its home bucket, and the one deepest in a chain.
            let chains = share.read(|tx| h.chains(tx)).unwrap();
            let home_key = chains
                .iter()
                .find(|c| !c.is_empty())
                .map(|c| c[0].1.clone())
                .unwrap();
            let deepest = chains.iter().max_by_key(|c| c.len()).unwrap();
            let deep_key = deepest.last().unwrap().1.clone();
            let same = share
                .read(|tx| -> Result<bool, StorageError> {
                    Ok(h.home(tx, &deep_key)? == h.home(tx, &deepest[0].1)?)
                })
                .unwrap();
            assert!(same, "a chain holds the keys of one bucket");
            for (what, k) in [
                ("home bucket", home_key),
                (
                    &*format!("end of longest chain ({})", deepest.len()),
                    deep_key,
                ),
            ] {
                let (cold, warm) = measure(&share, &[h.data, h.control], |tx| {
                    assert!(h.get(tx, &k).unwrap().is_some());
                });
                println!(
                    "| hash | {n} | {buckets} | {what} | {cold} | {warm} | {:.1} s |",
                    build.as_secs_f64()
                );
            }
            drop(share);
            let _ = std::fs::remove_dir_all(&dir);
        }
        // AVL over n entries with ~n/20 distinct keys (sellers with many articles).
        let dir = std::env::temp_dir().join(format!("vl-bench-avl-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let share = Share::open_or_create(&dir, ShareConfig::default()).unwrap();
        let t0 = Instant::now();
        share
            .write(|tx| -> Result<(), StorageError> {
                tx.create_file(CON, 8, FreeHome::Own)?;
                AVL.create(tx)
            })
            .unwrap();
        let keys = (n / 20).max(1);
        let batch = 50_000;
        let mut i = 0;
        while i < n {
            let end = (i + batch).min(n);
            share
                .write(|tx| -> Result<(), StorageError> {
                    for pos in i..end {
                        AVL.insert(tx, (pos * 7919) % keys, pos)?;
                    }
                    Ok(())
                })
                .unwrap();
            i = end;
        }
        let build = t0.elapsed();
        let height = share.read(|tx| AVL.levels(tx)).unwrap().len();
        let k = keys / 2;
        let (cold, warm) = measure(&share, &[AVL.file, CON], |tx| {
            assert!(!AVL.find(tx, k).unwrap().is_empty());
        });
        let found = share.read(|tx| AVL.find(tx, k)).unwrap().len();
        println!(
            "| AVL | {n} | - | all entries of one key ({found} entries; height {height}, log2 n = {:.1}) | {cold} | {warm} | {:.1} s |",
            (n as f64).log2(),
            build.as_secs_f64()
        );
        let (cold, warm) = measure(&share, &[AVL.file, CON], |tx| {
            assert_eq!(AVL.seek(tx, k).unwrap().map(|e| e.0), Some(k));
        });
        println!(
            "| AVL | {n} | - | first entry of a key (one descent) | {cold} | {warm} | {:.1} s |",
            build.as_secs_f64()
        );
        drop(share);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
