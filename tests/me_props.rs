//! Property tests of the ME structures: thousands of random operations against a std
//! collection as model, with `check` after every operation and the same answers as the model.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use ventalibre::me::avl::AvlIndex;
use ventalibre::me::hash::OpenHash;
use ventalibre::me::list::LinkedList;
use ventalibre::me::queues::PartialQueues;
use ventalibre::storage::{Share, ShareConfig, StorageError, Tx};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn temp_share(name: &str) -> (std::path::PathBuf, Share) {
    let dir = std::env::temp_dir().join(format!("vl-me-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let share = Share::open_or_create(&dir, ShareConfig::default()).unwrap();
    (dir, share)
}

const HASH: OpenHash = OpenHash {
    data: "H.DAT",
    control: "H.CON",
    key_cap: 24,
    value_len: 8,
    ids: None,
};

#[test]
fn hash_matches_a_hashmap_far_past_its_buckets() {
    let (dir, share) = temp_share("hash");
    share.write(|tx| HASH.create(tx, 13)).unwrap();
    let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut rng = Rng(1);
    for round in 0..60 {
        share
            .write(|tx| -> Result<(), StorageError> {
                for _ in 0..50 {
                    // A key space of 400 over 13 buckets: long chains, many collisions.
                    let key = format!("user{}@x.com", rng.below(400)).into_bytes();
                    let v = rng.next();
                    match rng.below(10) {
                        0..=4 => {
                            let got = HASH.insert(tx, &key, &v.to_le_bytes())?;
                            assert_eq!(got.is_some(), !model.contains_key(&key));
                            model.entry(key).or_insert(v);
                        }
                        5..=6 => {
                            let got = HASH.update(tx, &key, &v.to_le_bytes())?;
                            assert_eq!(got, model.contains_key(&key));
                            if let Some(m) = model.get_mut(&key) {
                                *m = v;
                            }
                        }
                        _ => {
                            let got = HASH.remove(tx, &key)?;
                            assert_eq!(
                                got.map(|b| u64::from_le_bytes(b.try_into().unwrap())),
                                model.remove(&key)
                            );
                        }
                    }
                    let p = HASH.check(tx)?;
                    assert!(p.is_ok(), "round {round}: {:?}", p.problems);
                }
                Ok(())
            })
            .unwrap();
        // Lookups after commit, through the cache and from disk.
        if round % 10 == 0 {
            share.drop_cache();
        }
        share
            .read(|tx| -> Result<(), StorageError> {
                assert_eq!(HASH.len(tx)?, model.len() as u64);
                for (k, v) in &model {
                    let (_, got) = HASH.get(tx, k)?.expect("present");
                    assert_eq!(u64::from_le_bytes(got.try_into().unwrap()), *v);
                }
                assert!(HASH.get(tx, b"nobody@x.com")?.is_none());
                let d = HASH.dispersion(tx, 5)?;
                assert_eq!(d.records, model.len() as u64);
                // The table grew past its 13 home buckets (linear hashing).
                assert_eq!(d.chain_lengths.len() as u64, d.buckets);
                assert!(d.buckets >= 13 && d.home_buckets == 13);
                assert_eq!(d.blocks.iter().sum::<u64>(), model.len() as u64);
                Ok(())
            })
            .unwrap();
        // The storage layer agrees too (free list sound, counts right).
        let r = share
            .read(|tx| ventalibre::storage::check::check_storage(tx))
            .unwrap();
        assert!(r.ok(), "{r:?}");
    }
    assert!(
        model.len() > 13 * 5,
        "the test must run far past the home buckets"
    );
    std::fs::remove_dir_all(dir).ok();
}

const LIST: LinkedList = LinkedList {
    data: "L.DAT",
    control: "L.CON",
    value_len: 8,
};

#[test]
fn list_matches_a_btreemap_both_ways() {
    let (dir, share) = temp_share("list");
    share.write(|tx| LIST.create(tx)).unwrap();
    let mut model: BTreeMap<u64, u64> = BTreeMap::new();
    let mut rng = Rng(2);
    for _ in 0..40 {
        share
            .write(|tx| -> Result<(), StorageError> {
                for _ in 0..50 {
                    let key = rng.below(120) + 1;
                    let v = rng.next();
                    match rng.below(3) {
                        0 => {
                            assert_eq!(
                                LIST.insert(tx, key, &v.to_le_bytes())?,
                                !model.contains_key(&key)
                            );
                            model.entry(key).or_insert(v);
                        }
                        1 => {
                            assert_eq!(
                                LIST.update(tx, key, &v.to_le_bytes())?,
                                model.contains_key(&key)
                            );
                            if let Some(m) = model.get_mut(&key) {
                                *m = v;
                            }
                        }
                        _ => assert_eq!(LIST.remove(tx, key)?, model.remove(&key).is_some()),
                    }
                    let p = LIST.check(tx)?;
                    assert!(p.is_ok(), "{:?}", p.problems);
                }
                Ok(())
            })
            .unwrap();
        share
            .read(|tx| -> Result<(), StorageError> {
                let fwd: Vec<(u64, u64)> = LIST
                    .iter(tx)?
                    .into_iter()
                    .map(|(k, v)| (k, u64::from_le_bytes(v.try_into().unwrap())))
                    .collect();
                let want: Vec<(u64, u64)> = model.iter().map(|(k, v)| (*k, *v)).collect();
                assert_eq!(fwd, want);
                let back: Vec<u64> = LIST.iter_rev(tx)?.into_iter().map(|(k, _)| k).collect();
                assert_eq!(back, model.keys().rev().copied().collect::<Vec<_>>());
                Ok(())
            })
            .unwrap();
    }
    std::fs::remove_dir_all(dir).ok();
}

fn avl(file: &'static str, root: usize, count: usize, free: u16) -> AvlIndex {
    AvlIndex {
        file,
        control: "P.CON",
        root_field: root,
        count_field: count,
        free_field: free,
    }
}

#[test]
fn avl_matches_a_btreeset_with_duplicates_keys_and_deletes() {
    let (dir, share) = temp_share("avl");
    let a = avl("P.NTX_1", 1, 9, 3);
    let b = avl("P.NTX_2", 2, 10, 5);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("P.CON", 8, ventalibre::storage::FreeHome::Own)?;
            a.create(tx)?;
            b.create(tx)
        })
        .unwrap();
    let mut model_a: BTreeSet<(u64, u64)> = BTreeSet::new();
    let mut model_b: BTreeSet<(u64, u64)> = BTreeSet::new();
    let mut rng = Rng(3);
    let mut next_pos = 0u64;
    for round in 0..60 {
        share
            .write(|tx| -> Result<(), StorageError> {
                for _ in 0..50 {
                    if rng.below(10) < 6 || model_a.is_empty() {
                        // Few keys, many entries per key (a seller with many articles).
                        let (ka, kb) = (rng.below(12), rng.below(5));
                        assert!(a.insert(tx, ka, next_pos)?);
                        assert!(b.insert(tx, kb, next_pos)?);
                        assert!(
                            !a.insert(tx, ka, next_pos)?,
                            "an exact duplicate is refused"
                        );
                        model_a.insert((ka, next_pos));
                        model_b.insert((kb, next_pos));
                        next_pos += 1;
                    } else {
                        let i = rng.below(model_a.len() as u64) as usize;
                        let e = *model_a.iter().nth(i).unwrap();
                        assert!(a.remove(tx, e.0, e.1)?);
                        assert!(!a.remove(tx, e.0, e.1)?);
                        model_a.remove(&e);
                        let eb = *model_b.iter().find(|x| x.1 == e.1).unwrap();
                        assert!(b.remove(tx, eb.0, eb.1)?);
                        model_b.remove(&eb);
                    }
                    let pa = a.check(tx, Some(&model_a))?;
                    assert!(pa.is_ok(), "round {round}: {:?}", pa.problems);
                    let pb = b.check(tx, Some(&model_b))?;
                    assert!(pb.is_ok(), "round {round}: {:?}", pb.problems);
                }
                Ok(())
            })
            .unwrap();
        share
            .read(|tx| -> Result<(), StorageError> {
                assert_eq!(a.all(tx)?, model_a.iter().copied().collect::<Vec<_>>());
                for k in 0..12 {
                    let want: Vec<u64> =
                        model_a.range((k, 0)..=(k, u64::MAX)).map(|e| e.1).collect();
                    assert_eq!(a.find(tx, k)?, want);
                }
                let want: Vec<(u64, u64)> =
                    model_b.range((1, 0)..=(3, u64::MAX)).copied().collect();
                assert_eq!(b.range(tx, 1, 3)?, want);
                // Level order: every node once, the height bounded by 1.44 log2(n+2).
                let levels = a.levels(tx)?;
                let n: usize = levels.iter().map(|l| l.len()).sum();
                assert_eq!(n, model_a.len());
                let bound = 1.4405 * ((model_a.len() + 2) as f64).log2();
                assert!(
                    (levels.len() as f64) <= bound + 1.0,
                    "{} levels for {n} nodes",
                    levels.len()
                );
                for l in &levels {
                    for node in l {
                        assert!(node.balance.abs() <= 1);
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    let r = share
        .read(|tx| ventalibre::storage::check::check_storage(tx))
        .unwrap();
    assert!(r.ok(), "{r:?}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn avl_sequential_inserts_stay_balanced_and_all_four_rotations_happen() {
    let (dir, share) = temp_share("avl-seq");
    let a = avl("P.NTX_1", 1, 9, 3);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("P.CON", 8, ventalibre::storage::FreeHome::Own)?;
            a.create(tx)?;
            // Ascending (RR), descending (LL), zig-zag (LR and RL).
            for i in 0..64 {
                a.insert(tx, 1000 + i, 0)?;
            }
            for i in 0..64 {
                a.insert(tx, 999 - i, 0)?;
            }
            for i in 0..32 {
                a.insert(tx, 500, 100 + 2 * i)?;
                a.insert(tx, 500, 163 - 2 * i)?;
            }
            Ok(())
        })
        .unwrap();
    share
        .read(|tx| -> Result<(), StorageError> {
            let p = a.check(tx, None)?;
            assert!(p.is_ok(), "{:?}", p.problems);
            let levels = a.levels(tx)?;
            assert_eq!(levels.iter().map(|l| l.len()).sum::<usize>(), 192);
            assert!(levels.len() <= 10, "{} levels", levels.len());
            Ok(())
        })
        .unwrap();
    std::fs::remove_dir_all(dir).ok();
}

const Q: PartialQueues = PartialQueues {
    heads: "M.NTX",
    items: "M.DAT",
    control: "M.CON",
    payload_len: 8,
};
const QV: PartialQueues = PartialQueues {
    heads: "V.CON",
    items: "V.DAT",
    control: "V.CON",
    payload_len: 8,
};

#[test]
fn partial_queues_match_vecdeques() {
    for q in [Q, QV] {
        let (dir, share) = temp_share(q.heads);
        share.write(|tx| q.create(tx)).unwrap();
        let mut model: BTreeMap<(u64, u64), (u64, VecDeque<(u64, u64)>)> = BTreeMap::new();
        let mut rng = Rng(4);
        for _ in 0..40 {
            share
                .write(|tx| -> Result<(), StorageError> {
                    for _ in 0..50 {
                        let key = (rng.below(8), rng.below(6));
                        match rng.below(12) {
                            0..=8 => {
                                let v = rng.next();
                                let (h, it) = q.push(tx, key.0, key.1, &v.to_le_bytes(), 7)?;
                                let e = model.entry(key).or_insert((0, VecDeque::new()));
                                e.0 += 1;
                                e.1.push_back((e.0, v));
                                assert_eq!(it.number, e.0);
                                assert_eq!(h.count, e.1.len() as u64);
                            }
                            9..=10 => {
                                // Answer (update) a random item of the queue.
                                if let Some(h) = q.find(tx, key.0, key.1)? {
                                    let items = q.items_of(tx, &h)?;
                                    let i = rng.below(items.len() as u64) as usize;
                                    let v = rng.next();
                                    q.update_item(tx, items[i].pos, &v.to_le_bytes(), 9)?;
                                    model.get_mut(&key).unwrap().1[i].1 = v;
                                }
                            }
                            _ => {
                                if let Some(h) = q.find(tx, key.0, key.1)? {
                                    q.remove_queue(tx, &h)?;
                                    model.remove(&key).expect("model has it");
                                } else {
                                    assert!(!model.contains_key(&key));
                                }
                            }
                        }
                        let p = q.check(tx)?;
                        assert!(p.is_ok(), "{:?}", p.problems);
                    }
                    Ok(())
                })
                .unwrap();
            share
                .read(|tx| -> Result<(), StorageError> {
                    let heads = q.all_heads(tx)?;
                    assert_eq!(heads.len(), model.len());
                    for h in heads {
                        let (_, want) = &model[&(h.a, h.b)];
                        let got: Vec<(u64, u64)> = q
                            .items_of(tx, &h)?
                            .into_iter()
                            .map(|i| (i.number, u64::from_le_bytes(i.payload.try_into().unwrap())))
                            .collect();
                        assert_eq!(got, want.iter().copied().collect::<Vec<_>>());
                    }
                    Ok(())
                })
                .unwrap();
        }
        let r = share
            .read(|tx| ventalibre::storage::check::check_storage(tx))
            .unwrap();
        assert!(r.ok(), "{r:?}");
        std::fs::remove_dir_all(dir).ok();
    }
}

/// The checks are not vacuous: damage done behind the structures' backs is reported.
#[test]
fn checks_report_damaged_links() {
    let (dir, share) = temp_share("damage");
    let a = avl("P.NTX_1", 1, 9, 3);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("P.CON", 8, ventalibre::storage::FreeHome::Own)?;
            a.create(tx)?;
            HASH.create(tx, 3)?;
            LIST.create(tx)?;
            Q.create(tx)?;
            for i in 0..20 {
                a.insert(tx, i, i)?;
                HASH.insert(tx, format!("k{i}").as_bytes(), &[0; 8])?;
                LIST.insert(tx, i + 1, &[0; 8])?;
                Q.push(tx, i % 3, 0, &[0; 8], 1)?;
            }
            Ok(())
        })
        .unwrap();
    // AVL: a node whose height is wrong; a parent link broken.
    let r = share.write(|tx| -> Result<Vec<String>, StorageError> {
        let root = tx.control("P.CON", 1)?;
        let mut node = tx.read("P.NTX_1", root)?.to_vec();
        node[40] = 9;
        tx.write("P.NTX_1", root, &node)?;
        Ok(a.check(tx, None)?.problems)
    });
    assert!(r.unwrap().iter().any(|p| p.contains("altura")));
    // Expected set differs: a record not indexed.
    let mut exp: BTreeSet<(u64, u64)> = (0..20).map(|i| (i, i)).collect();
    exp.insert((99, 99));
    let p = share.read(|tx| a.check(tx, Some(&exp))).unwrap();
    assert!(
        p.problems.iter().any(|p| p.contains("no está indexado")),
        "{:?}",
        p.problems
    );
    // Hash: a chain pointing into itself.
    let r = share.write(|tx| -> Result<Vec<String>, StorageError> {
        let mut home = tx.read("H.DAT", 0)?.to_vec();
        home[8..16].copy_from_slice(&0u64.to_le_bytes());
        tx.write("H.DAT", 0, &home)?;
        Ok(HASH.check(tx)?.problems)
    });
    assert!(!r.unwrap().is_empty());
    // List: a prev link that does not mirror next.
    let r = share.write(|tx| -> Result<Vec<String>, StorageError> {
        let head = tx.control("L.CON", 0)?;
        let first = tx.read("L.DAT", head)?;
        let second = u64::from_le_bytes(first[16..24].try_into().unwrap());
        let mut s = tx.read("L.DAT", second)?.to_vec();
        s[8..16].copy_from_slice(&77u64.to_le_bytes());
        tx.write("L.DAT", second, &s)?;
        Ok(LIST.check(tx)?.problems)
    });
    assert!(r.unwrap().iter().any(|p| p.contains("anterior")));
    // Queues: a count that disagrees.
    let r = share.write(|tx| -> Result<Vec<String>, StorageError> {
        let mut h = tx.read("M.NTX", 0)?.to_vec();
        h[40..48].copy_from_slice(&99u64.to_le_bytes());
        tx.write("M.NTX", 0, &h)?;
        Ok(Q.check(tx)?.problems)
    });
    assert!(r.unwrap().iter().any(|p| p.contains("elementos")));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn avl_seek_finds_the_first_entry_at_or_after_a_key() {
    let (dir, share) = temp_share("seek");
    let a = avl("P.NTX_1", 1, 9, 3);
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("P.CON", 8, ventalibre::storage::FreeHome::Own)?;
            a.create(tx)?;
            for (k, p) in [(5, 9), (5, 2), (9, 1), (2, 7)] {
                a.insert(tx, k, p)?;
            }
            assert_eq!(a.seek(tx, 5)?, Some((5, 2)));
            assert_eq!(a.seek(tx, 3)?, Some((5, 2)));
            assert_eq!(a.seek(tx, 0)?, Some((2, 7)));
            assert_eq!(a.seek(tx, 10)?, None);
            Ok(())
        })
        .unwrap();
    std::fs::remove_dir_all(dir).ok();
}
