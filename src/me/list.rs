//! Ordered doubly linked list over a record file (CATEGORIAS).
//!
//! ```text
//!   control file (e.g. CATEGORIAS.CON), header control fields:
//!   [0] head  [1] tail  [2] count  [3] last key  [4] free head  [5] free count
//!
//!   head                                            tail
//!    |                                               |
//!    v                                               v
//!   +------+ next   +------+ next   +------+
//!   |key 1 |------->|key 4 |------->|key 9 |--> NIL
//!   |      |<-------|      |<-------|      |
//!   +------+   prev +------+   prev +------+
//! NIL <-prev
//! ```
//!
//! Slot payload: `0 u64 key | 8 u64 prev | 16 u64 next | 24.. value (value_len bytes)`.
//! Freed slots go on a free list anchored in the control file (fields 4 and 5).

use std::collections::HashSet;

use crate::storage::codec::Dec;
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;

/// What [`LinkedList::salvage`] finds: every readable `(key, value)`, and the positions that
/// could not be read.
pub type Salvaged = (Vec<(u64, Vec<u8>)>, Vec<u64>);

pub const CON_HEAD: usize = 0;
pub const CON_TAIL: usize = 1;
pub const CON_COUNT: usize = 2;
pub const CON_LAST_KEY: usize = 3;
pub const CON_FREE: u16 = 4;

#[derive(Debug, Clone)]
pub struct LinkedList {
    pub data: &'static str,
    pub control: &'static str,
    pub value_len: usize,
}

#[derive(Debug, Clone)]
struct Node {
    key: u64,
    prev: u64,
    next: u64,
    value: Vec<u8>,
}

impl LinkedList {
    /// The record files of this structure and their slot payload sizes.
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        vec![(self.control, 8), (self.data, self.slot_size())]
    }

    fn slot_size(&self) -> u32 {
        (24 + self.value_len) as u32
    }

    fn encode(&self, n: &Node) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.slot_size() as usize);
        b.extend_from_slice(&n.key.to_le_bytes());
        b.extend_from_slice(&n.prev.to_le_bytes());
        b.extend_from_slice(&n.next.to_le_bytes());
        b.extend_from_slice(&n.value);
        b
    }

    fn load(&self, tx: &mut impl Tx, pos: u64) -> Result<Node> {
        let p = tx.read(self.data, pos)?;
        let mut d = Dec::new(&p);
        Ok(Node {
            key: d.u64(),
            prev: d.u64(),
            next: d.u64(),
            value: p[24..24 + self.value_len].to_vec(),
        })
    }

    fn store(&self, tx: &mut WriteTx, pos: u64, n: &Node) -> Result<()> {
        tx.write(self.data, pos, &self.encode(n))
    }

    pub fn create(&self, tx: &mut WriteTx) -> Result<()> {
        if tx.exists(self.data)? {
            return Ok(());
        }
        tx.create_file(self.control, 8, FreeHome::Own)?;
        tx.create_file(
            self.data,
            self.slot_size(),
            FreeHome::Control {
                file: self.control.into(),
                field: CON_FREE,
            },
        )?;
        tx.set_control(self.control, CON_HEAD, NIL)?;
        tx.set_control(self.control, CON_TAIL, NIL)?;
        tx.set_control(self.control, CON_FREE as usize, NIL)?;
        Ok(())
    }

    pub fn len(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.control, CON_COUNT)
    }

    /// Hands out a new key (last key + 1).
    pub fn next_key(&self, tx: &mut WriteTx) -> Result<u64> {
        let k = tx.control(self.control, CON_LAST_KEY)? + 1;
        tx.set_control(self.control, CON_LAST_KEY, k)?;
        Ok(k)
    }

    /// Walks from the head: (key, value) in ascending key order.
    pub fn iter(&self, tx: &mut impl Tx) -> Result<Vec<(u64, Vec<u8>)>> {
        self.walk(tx, true)
    }

    /// Walks from the tail: descending key order.
    pub fn iter_rev(&self, tx: &mut impl Tx) -> Result<Vec<(u64, Vec<u8>)>> {
        self.walk(tx, false)
    }

    fn walk(&self, tx: &mut impl Tx, forward: bool) -> Result<Vec<(u64, Vec<u8>)>> {
        // A walk reads every node: the file first, in one read, rather than a read per node.
        tx.prefetch(self.data)?;
        let n = self.len(tx)?;
        let mut pos = tx.control(self.control, if forward { CON_HEAD } else { CON_TAIL })?;
        let mut out = Vec::with_capacity(n.min(tx.slot_count(self.data)?) as usize);
        while pos != NIL {
            if out.len() as u64 > n {
                return Err(StorageError::corrupt(self.data, "la lista tiene un ciclo"));
            }
            let node = self.load(tx, pos)?;
            pos = if forward { node.next } else { node.prev };
            out.push((node.key, node.value));
        }
        Ok(out)
    }

    /// The position of `key` (walk from the head). The list is short (the categories, at most
    /// 2,047): its file is read whole first, one read, and the walk then costs none.
    fn find(&self, tx: &mut impl Tx, key: u64) -> Result<Option<(u64, Node)>> {
        tx.prefetch(self.data)?;
        let mut pos = tx.control(self.control, CON_HEAD)?;
        let limit = self.len(tx)?;
        let mut steps = 0;
        while pos != NIL && steps <= limit {
            let n = self.load(tx, pos)?;
            if n.key == key {
                return Ok(Some((pos, n)));
            }
            if n.key > key {
                return Ok(None);
            }
            pos = n.next;
            steps += 1;
        }
        Ok(None)
    }

    pub fn get(&self, tx: &mut impl Tx, key: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.find(tx, key)?.map(|(_, n)| n.value))
    }

    fn check_value(&self, value: &[u8]) -> Result<()> {
        if value.len() != self.value_len {
            return Err(StorageError::Misuse(format!(
                "valor de {} bytes, se esperaban {}",
                value.len(),
                self.value_len
            )));
        }
        Ok(())
    }

    /// Inserts `key` in order. Returns false if the key exists.
    pub fn insert(&self, tx: &mut WriteTx, key: u64, value: &[u8]) -> Result<bool> {
        self.check_value(value)?;
        // Find the first node with a greater key.
        let mut prev = NIL;
        let mut pos = tx.control(self.control, CON_HEAD)?;
        let limit = tx.slot_count(self.data)?;
        let mut steps = 0u64;
        while pos != NIL {
            steps += 1;
            if steps > limit {
                return Err(StorageError::corrupt(self.data, "la lista tiene un ciclo"));
            }
            let n = self.load(tx, pos)?;
            if n.key == key {
                return Ok(false);
            }
            if n.key > key {
                break;
            }
            prev = pos;
            pos = n.next;
        }
        let node = Node {
            key,
            prev,
            next: pos,
            value: value.to_vec(),
        };
        let new = tx.alloc(self.data, &self.encode(&node))?;
        if prev == NIL {
            tx.set_control(self.control, CON_HEAD, new)?;
        } else {
            let mut p = self.load(tx, prev)?;
            p.next = new;
            self.store(tx, prev, &p)?;
        }
        if pos == NIL {
            tx.set_control(self.control, CON_TAIL, new)?;
        } else {
            let mut s = self.load(tx, pos)?;
            s.prev = new;
            self.store(tx, pos, &s)?;
        }
        let c = self.len(tx)?;
        tx.set_control(self.control, CON_COUNT, c + 1)?;
        if key > tx.control(self.control, CON_LAST_KEY)? {
            tx.set_control(self.control, CON_LAST_KEY, key)?;
        }
        Ok(true)
    }

    /// Replaces the value of `key`. Returns false if absent.
    pub fn update(&self, tx: &mut WriteTx, key: u64, value: &[u8]) -> Result<bool> {
        self.check_value(value)?;
        let Some((pos, mut n)) = self.find(tx, key)? else {
            return Ok(false);
        };
        n.value = value.to_vec();
        self.store(tx, pos, &n)?;
        Ok(true)
    }

    /// Unlinks and frees `key`. Returns false if absent.
    pub fn remove(&self, tx: &mut WriteTx, key: u64) -> Result<bool> {
        let Some((pos, n)) = self.find(tx, key)? else {
            return Ok(false);
        };
        if n.prev == NIL {
            tx.set_control(self.control, CON_HEAD, n.next)?;
        } else {
            let mut p = self.load(tx, n.prev)?;
            p.next = n.next;
            self.store(tx, n.prev, &p)?;
        }
        if n.next == NIL {
            tx.set_control(self.control, CON_TAIL, n.prev)?;
        } else {
            let mut s = self.load(tx, n.next)?;
            s.prev = n.prev;
            self.store(tx, n.next, &s)?;
        }
        tx.release(self.data, pos)?;
        let c = self.len(tx)?;
        tx.set_control(self.control, CON_COUNT, c.saturating_sub(1))?;
        Ok(true)
    }

    /// The nodes in list order as (position, key, prev, next), for drawing.
    pub fn links(&self, tx: &mut impl Tx) -> Result<Vec<(u64, u64, u64, u64)>> {
        let mut out = Vec::new();
        let mut pos = tx.control(self.control, CON_HEAD)?;
        let limit = self.len(tx)?;
        while pos != NIL && out.len() as u64 <= limit {
            let n = self.load(tx, pos)?;
            out.push((pos, n.key, n.prev, n.next));
            pos = n.next;
        }
        Ok(out)
    }

    pub fn check(&self, tx: &mut impl Tx) -> Result<Problems> {
        let mut p = Problems::new(self.data);
        let slots = tx.slot_count(self.data)?;
        let head = tx.control(self.control, CON_HEAD)?;
        let tail = tx.control(self.control, CON_TAIL)?;
        let mut seen = HashSet::new();
        let mut prev = NIL;
        let mut prev_key: Option<u64> = None;
        let mut pos = head;
        while pos != NIL {
            if pos >= slots || !seen.insert(pos) {
                p.push(format!("enlace inválido o ciclo en la posición {pos}"));
                break;
            }
            let n = match tx.slot(self.data, pos)? {
                Slot::Live(_) => self.load(tx, pos)?,
                Slot::Free { .. } => {
                    p.push(format!("la lista pasa por la posición libre {pos}"));
                    break;
                }
            };
            if n.prev != prev {
                p.push(format!(
                    "posición {pos}: anterior {} y debería ser {prev}",
                    n.prev
                ));
            }
            if prev_key.is_some_and(|k| k >= n.key) {
                p.push(format!("posición {pos}: clave {} fuera de orden", n.key));
            }
            if n.key > tx.control(self.control, CON_LAST_KEY)? {
                p.push(format!(
                    "posición {pos}: clave {} mayor que la última clave dada",
                    n.key
                ));
            }
            prev_key = Some(n.key);
            prev = pos;
            pos = n.next;
        }
        if prev != tail {
            p.push(format!(
                "el final registrado es {tail} y la lista termina en {prev}"
            ));
        }
        let count = self.len(tx)?;
        if count != seen.len() as u64 {
            p.push(format!(
                "el control dice {count} nodos y la lista tiene {}",
                seen.len()
            ));
        }
        for pos in 0..slots {
            if !seen.contains(&pos) && matches!(tx.slot(self.data, pos)?, Slot::Live(_)) {
                p.push(format!("posición {pos}: nodo ocupado fuera de la lista"));
            }
        }
        Ok(p)
    }

    /// Repair: every node in a live slot (linked or not) as (key, value), with the positions
    /// of slots that cannot be read.
    pub fn salvage(&self, tx: &mut impl Tx) -> Result<Salvaged> {
        let n = tx.slot_count(self.data)?;
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        for pos in 0..n {
            match tx.slot(self.data, pos) {
                Ok(Slot::Live(_)) => {
                    let node = self.load(tx, pos)?;
                    out.push((node.key, node.value));
                }
                Ok(Slot::Free { .. }) => {}
                Err(e) if e.is_damaged() => bad.push(pos),
                Err(e) => return Err(e),
            }
        }
        Ok((out, bad))
    }

    /// Repair: rebuilds the list from the nodes in live slots, in key order (the first of
    /// equal keys wins, the others are freed): links, head, tail, count, the last key handed
    /// out (never lowered) and the free list. Returns the keys dropped as repeated.
    pub fn rebuild(&self, tx: &mut WriteTx) -> Result<Vec<u64>> {
        let n = tx.slot_count(self.data)?;
        let mut nodes: Vec<(u64, u64)> = Vec::new(); // (key, position)
        for pos in 0..n {
            if let Ok(Slot::Live(_)) = tx.slot(self.data, pos) {
                nodes.push((self.load(tx, pos)?.key, pos));
            }
        }
        nodes.sort();
        let mut dropped = Vec::new();
        let mut kept: Vec<(u64, u64)> = Vec::new();
        for (k, pos) in nodes {
            if kept.last().is_some_and(|&(lk, _)| lk == k) {
                dropped.push(k);
            } else {
                kept.push((k, pos));
            }
        }
        let keep: HashSet<u64> = kept.iter().map(|&(_, p)| p).collect();
        tx.reset_slots(self.data, |pos, s| s.is_some() && keep.contains(&pos))?;
        for (i, &(_, pos)) in kept.iter().enumerate() {
            let mut node = self.load(tx, pos)?;
            node.prev = if i == 0 { NIL } else { kept[i - 1].1 };
            node.next = kept.get(i + 1).map_or(NIL, |&(_, p)| p);
            self.store(tx, pos, &node)?;
        }
        tx.set_control(
            self.control,
            CON_HEAD,
            kept.first().map_or(NIL, |&(_, p)| p),
        )?;
        tx.set_control(self.control, CON_TAIL, kept.last().map_or(NIL, |&(_, p)| p))?;
        tx.set_control(self.control, CON_COUNT, kept.len() as u64)?;
        let max = kept.last().map_or(0, |&(k, _)| k);
        if max > tx.control(self.control, CON_LAST_KEY)? {
            tx.set_control(self.control, CON_LAST_KEY, max)?;
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::scratch_share;

    const L: LinkedList = LinkedList {
        data: "LISTA.DAT",
        control: "LISTA.CON",
        value_len: 8,
    };

    #[test]
    fn a_lookup_or_a_walk_of_a_cold_list_reads_its_file_once() {
        let (_d, share) = scratch_share("list-reads");
        share
            .write(|tx| {
                L.create(tx)?;
                for k in 1..=300u64 {
                    assert!(L.insert(tx, k, &k.to_le_bytes())?);
                }
                Ok::<(), StorageError>(())
            })
            .unwrap();
        for look in [300u64, 1, 150] {
            share.drop_cache();
            let before = share.io_totals();
            let got = share.read(|tx| L.get(tx, look)).unwrap();
            assert_eq!(got, Some(look.to_le_bytes().to_vec()));
            // Commit state, the two files' headers, the control slot, the data file: a
            // handful of reads, not one per node walked (300 for the last key before).
            let reads = share.io_totals().since(&before).reads;
            assert!(reads <= 8, "get({look}): {reads} reads");
        }
        share.drop_cache();
        let before = share.io_totals();
        let all = share.read(|tx| L.iter(tx)).unwrap();
        assert_eq!(all.len(), 300);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
        let reads = share.io_totals().since(&before).reads;
        assert!(reads <= 8, "iter: {reads} reads");
        assert_eq!(share.read(|tx| L.get(tx, 301)).unwrap(), None);
    }
}
