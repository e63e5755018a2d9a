//! Ranked AVL: an AVL index file whose nodes also count their subtree (an order-statistic
//! tree), and carry a small payload the owner attaches to each entry. It answers "how many
//! entries lie in [lo, hi]" and "the entries from rank r on" with one root-to-leaf descent each
//! (about log2 n node reads), so a page of a sorted listing and its total never walk the list.
//!
//! ```text
//!   file header control area: [0] root slot   [1] number of entries
//!   free list of deleted nodes: the file's own (header offsets 24/32)
//!
//!                    +-----------------------------+
//!                    | key 7, pos 12, h 3, count 5 |  <- root
//!                    +-----------------------------+
//!              left /                               \ right
//!     +----------------------+          +----------------------+
//!     | key 3, pos 40, c 1   |          | key 9, pos 51, c 3   |  ...
//!     +----------------------+          +----------------------+
//! ```
//!
//! Node slot (56 bytes): `0 u64 key | 8 u64 data position | 16 u64 payload | 24 u64 left |
//! 32 u64 right | 40 u64 parent | 48 u32 subtree count | 52 u8 height | 53..56 zero`.
//!
//! Entries are ordered by (key, position) and are distinct by it; the payload rides along
//! (it is not part of the order). Insert and delete rebalance by rotation on the way up to the
//! root, fixing heights and counts of every node on the path.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;
use super::avl::NodeView;

pub const NODE_SIZE: u32 = 56;
const ROOT: usize = 0;
const COUNT: usize = 1;
/// No AVL tree is deeper than this (see `avl.rs`).
const MAX_DEPTH: u64 = 128;
/// A subtree count is a u32: an index holds fewer entries than this.
pub const MAX_ENTRIES: u64 = u32::MAX as u64;

/// One entry: its key, the data position it points at and the owner's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    pub key: u64,
    pub pos: u64,
    pub payload: u64,
}

#[derive(Debug, Clone)]
pub struct RankedAvl {
    pub file: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    key: u64,
    pos: u64,
    payload: u64,
    left: u64,
    right: u64,
    parent: u64,
    count: u32,
    height: u8,
}

impl Node {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; NODE_SIZE as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.key)
            .u64(self.pos)
            .u64(self.payload)
            .u64(self.left)
            .u64(self.right)
            .u64(self.parent)
            .u32(self.count)
            .u8(self.height);
        b
    }
    fn decode(b: &[u8]) -> Node {
        let mut d = Dec::new(b);
        Node {
            key: d.u64(),
            pos: d.u64(),
            payload: d.u64(),
            left: d.u64(),
            right: d.u64(),
            parent: d.u64(),
            count: d.u32(),
            height: d.u8(),
        }
    }
    fn id(&self) -> (u64, u64) {
        (self.key, self.pos)
    }
    fn entry(&self) -> Entry {
        Entry {
            key: self.key,
            pos: self.pos,
            payload: self.payload,
        }
    }
}

fn too_deep(file: &str) -> StorageError {
    StorageError::corrupt(file, "el árbol es más alto de lo posible o tiene un ciclo")
}

fn opt(p: u64) -> Option<u64> {
    (p != NIL).then_some(p)
}

impl RankedAvl {
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        vec![(self.file, NODE_SIZE)]
    }

    /// Creates the empty index file (nothing when it exists).
    pub fn create(&self, tx: &mut WriteTx) -> Result<()> {
        if tx.exists(self.file)? {
            return Ok(());
        }
        tx.create_file(self.file, NODE_SIZE, FreeHome::Own)?;
        tx.set_control(self.file, ROOT, NIL)?;
        tx.set_control(self.file, COUNT, 0)?;
        Ok(())
    }

    fn load(&self, tx: &mut impl Tx, slot: u64) -> Result<Node> {
        Ok(Node::decode(&tx.read(self.file, slot)?))
    }

    fn store(&self, tx: &mut WriteTx, slot: u64, n: &Node) -> Result<()> {
        tx.write(self.file, slot, &n.encode())
    }

    fn root(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.file, ROOT)
    }

    /// Number of entries.
    pub fn len(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.file, COUNT)
    }

    pub fn is_empty(&self, tx: &mut impl Tx) -> Result<bool> {
        Ok(self.len(tx)? == 0)
    }

    fn hc(&self, tx: &mut impl Tx, slot: u64) -> Result<(i32, u32)> {
        if slot == NIL {
            Ok((0, 0))
        } else {
            let n = self.load(tx, slot)?;
            Ok((n.height as i32, n.count))
        }
    }

    /// Number of entries ordered before (key, pos): one descent.
    pub fn rank(&self, tx: &mut impl Tx, key: u64, pos: u64) -> Result<u64> {
        let id = (key, pos);
        let mut cur = self.root(tx)?;
        let mut before = 0u64;
        let mut steps = 0;
        while cur != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, cur)?;
            if n.id() < id {
                before += 1 + self.hc(tx, n.left)?.1 as u64;
                cur = n.right;
            } else {
                cur = n.left;
            }
        }
        Ok(before)
    }

    /// The entries with `lo <= key <= hi` span the ranks `[first, end)`.
    pub fn rank_range(&self, tx: &mut impl Tx, lo: u64, hi: u64) -> Result<(u64, u64)> {
        if lo > hi {
            return Ok((0, 0));
        }
        let first = self.rank(tx, lo, 0)?;
        let end = if hi == u64::MAX {
            self.len(tx)?
        } else {
            self.rank(tx, hi + 1, 0)?
        };
        Ok((first, end.max(first)))
    }

    /// How many entries have `lo <= key <= hi`.
    pub fn count_range(&self, tx: &mut impl Tx, lo: u64, hi: u64) -> Result<u64> {
        let (a, b) = self.rank_range(tx, lo, hi)?;
        Ok(b - a)
    }

    /// Up to `n` entries in order, starting at rank `from`: one descent to the first, then an
    /// in-order walk (each node read once).
    pub fn entries(&self, tx: &mut impl Tx, from: u64, n: usize) -> Result<Vec<Entry>> {
        let mut out = Vec::with_capacity(n.min(4096));
        if n == 0 {
            return Ok(out);
        }
        // Descend to rank `from`, keeping the ancestors whose entry comes after it.
        let mut stack: Vec<Node> = Vec::new();
        let mut cur = self.root(tx)?;
        let mut skip = from;
        let mut steps = 0;
        while cur != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let node = self.load(tx, cur)?;
            let left = self.hc(tx, node.left)?.1 as u64;
            if skip < left {
                stack.push(node);
                cur = node.left;
            } else if skip == left {
                stack.push(node);
                break;
            } else {
                skip -= left + 1;
                cur = node.right;
            }
        }
        if cur == NIL {
            // `from` is past the end.
            return Ok(out);
        }
        let limit = tx.slot_count(self.file)? + 1;
        let mut walked = 0u64;
        while let Some(node) = stack.pop() {
            out.push(node.entry());
            if out.len() >= n {
                break;
            }
            let mut c = node.right;
            while c != NIL {
                walked += 1;
                if walked > limit {
                    return Err(StorageError::corrupt(self.file, "el árbol tiene un ciclo"));
                }
                let x = self.load(tx, c)?;
                stack.push(x);
                c = x.left;
            }
        }
        Ok(out)
    }

    /// Every entry with `lo <= key <= hi`, in order.
    pub fn range(&self, tx: &mut impl Tx, lo: u64, hi: u64) -> Result<Vec<Entry>> {
        let (a, b) = self.rank_range(tx, lo, hi)?;
        self.entries(tx, a, (b - a) as usize)
    }

    /// The payload of entry (key, pos), if indexed.
    pub fn get(&self, tx: &mut impl Tx, key: u64, pos: u64) -> Result<Option<u64>> {
        let id = (key, pos);
        let mut cur = self.root(tx)?;
        let mut steps = 0;
        while cur != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, cur)?;
            if n.id() == id {
                return Ok(Some(n.payload));
            }
            cur = if id < n.id() { n.left } else { n.right };
        }
        Ok(None)
    }

    /// Every entry in order.
    pub fn all(&self, tx: &mut impl Tx) -> Result<Vec<Entry>> {
        let n = self.len(tx)?;
        self.entries(tx, 0, n as usize)
    }

    /// Inserts (key, pos) with its payload. Returns false (and changes nothing) if that entry
    /// is already indexed.
    pub fn insert(&self, tx: &mut WriteTx, key: u64, pos: u64, payload: u64) -> Result<bool> {
        let id = (key, pos);
        let mut parent = NIL;
        let mut cur = self.root(tx)?;
        let mut go_left = false;
        let mut depth = 0;
        while cur != NIL {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, cur)?;
            if id == n.id() {
                return Ok(false);
            }
            parent = cur;
            go_left = id < n.id();
            cur = if go_left { n.left } else { n.right };
        }
        let c = self.len(tx)?;
        if c >= MAX_ENTRIES {
            return Err(StorageError::Misuse(format!(
                "{}: el índice no admite más de {MAX_ENTRIES} entradas",
                self.file
            )));
        }
        let node = Node {
            key,
            pos,
            payload,
            left: NIL,
            right: NIL,
            parent,
            count: 1,
            height: 1,
        };
        let slot = tx.alloc(self.file, &node.encode())?;
        if parent == NIL {
            tx.set_control(self.file, ROOT, slot)?;
        } else {
            let mut p = self.load(tx, parent)?;
            if go_left {
                p.left = slot
            } else {
                p.right = slot
            }
            self.store(tx, parent, &p)?;
        }
        tx.set_control(self.file, COUNT, c + 1)?;
        self.rebalance_up(tx, parent, 1)?;
        Ok(true)
    }

    /// Removes (key, pos). Returns false if it was not indexed.
    pub fn remove(&self, tx: &mut WriteTx, key: u64, pos: u64) -> Result<bool> {
        let id = (key, pos);
        let mut cur = self.root(tx)?;
        let mut found = None;
        let mut depth = 0;
        while cur != NIL {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, cur)?;
            if id == n.id() {
                found = Some((cur, n));
                break;
            }
            cur = if id < n.id() { n.left } else { n.right };
        }
        let Some((slot, n)) = found else {
            return Ok(false);
        };
        let (victim, v) = if n.left != NIL && n.right != NIL {
            let mut s = n.right;
            let mut sn = self.load(tx, s)?;
            while sn.left != NIL {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(self.file));
                }
                s = sn.left;
                sn = self.load(tx, s)?;
            }
            let mut m = n;
            m.key = sn.key;
            m.pos = sn.pos;
            m.payload = sn.payload;
            self.store(tx, slot, &m)?;
            (s, sn)
        } else {
            (slot, n)
        };
        let child = if v.left != NIL { v.left } else { v.right };
        if child != NIL {
            let mut c = self.load(tx, child)?;
            c.parent = v.parent;
            self.store(tx, child, &c)?;
        }
        self.replace_child(tx, v.parent, victim, child)?;
        tx.release(self.file, victim)?;
        let c = self.len(tx)?;
        tx.set_control(self.file, COUNT, c.saturating_sub(1))?;
        self.rebalance_up(tx, v.parent, -1)?;
        Ok(true)
    }

    fn replace_child(&self, tx: &mut WriteTx, parent: u64, old: u64, new: u64) -> Result<()> {
        if parent == NIL {
            return tx.set_control(self.file, ROOT, new);
        }
        let mut p = self.load(tx, parent)?;
        if p.left == old {
            p.left = new;
        } else if p.right == old {
            p.right = new;
        } else {
            return Err(StorageError::corrupt(
                self.file,
                format!("el nodo {old} no es hijo de su padre {parent}"),
            ));
        }
        self.store(tx, parent, &p)
    }

    /// Walks from `slot` to the root fixing heights and counts, rotating where |balance| > 1.
    /// Once a subtree keeps its height no ancestor can change height or balance, so from there
    /// up each ancestor only has its count moved by `delta` (one node more or less below it):
    /// one read and one write per level instead of three reads.
    fn rebalance_up(&self, tx: &mut WriteTx, mut slot: u64, delta: i64) -> Result<()> {
        let mut steps = 0;
        let mut heights_settled = false;
        while slot != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let mut n = self.load(tx, slot)?;
            if heights_settled {
                let c = n.count as i64 + delta;
                if !(1..=MAX_ENTRIES as i64).contains(&c) {
                    return Err(StorageError::corrupt(
                        self.file,
                        format!("nodo {slot}: cuenta de subárbol imposible ({c})"),
                    ));
                }
                n.count = c as u32;
                self.store(tx, slot, &n)?;
                slot = n.parent;
                continue;
            }
            let old_height = n.height;
            let bal = self.hc(tx, n.left)?.0 - self.hc(tx, n.right)?.0;
            let top = if bal > 1 {
                let l = self.load(tx, n.left)?;
                if self.hc(tx, l.left)?.0 < self.hc(tx, l.right)?.0 {
                    self.rotate_left(tx, n.left)?;
                }
                self.rotate_right(tx, slot)?
            } else if bal < -1 {
                let r = self.load(tx, n.right)?;
                if self.hc(tx, r.right)?.0 < self.hc(tx, r.left)?.0 {
                    self.rotate_right(tx, n.right)?;
                }
                self.rotate_left(tx, slot)?
            } else {
                self.fix(tx, slot)?;
                slot
            };
            let t = self.load(tx, top)?;
            heights_settled = t.height == old_height;
            slot = t.parent;
        }
        Ok(())
    }

    /// Recomputes the height and the subtree count of `slot` from its children.
    fn fix(&self, tx: &mut WriteTx, slot: u64) -> Result<()> {
        let mut n = self.load(tx, slot)?;
        let (hl, cl) = self.hc(tx, n.left)?;
        let (hr, cr) = self.hc(tx, n.right)?;
        let h = (1 + hl.max(hr)) as u8;
        let c = 1 + cl + cr;
        if n.height != h || n.count != c {
            n.height = h;
            n.count = c;
            self.store(tx, slot, &n)?;
        }
        Ok(())
    }

    fn rotate_left(&self, tx: &mut WriteTx, x: u64) -> Result<u64> {
        let mut xn = self.load(tx, x)?;
        let y = xn.right;
        let mut yn = self.load(tx, y)?;
        xn.right = yn.left;
        if yn.left != NIL {
            let mut b = self.load(tx, yn.left)?;
            b.parent = x;
            self.store(tx, yn.left, &b)?;
        }
        yn.parent = xn.parent;
        self.replace_child(tx, xn.parent, x, y)?;
        yn.left = x;
        xn.parent = y;
        self.store(tx, x, &xn)?;
        self.store(tx, y, &yn)?;
        self.fix(tx, x)?;
        self.fix(tx, y)?;
        Ok(y)
    }

    fn rotate_right(&self, tx: &mut WriteTx, x: u64) -> Result<u64> {
        let mut xn = self.load(tx, x)?;
        let y = xn.left;
        let mut yn = self.load(tx, y)?;
        xn.left = yn.right;
        if yn.right != NIL {
            let mut b = self.load(tx, yn.right)?;
            b.parent = x;
            self.store(tx, yn.right, &b)?;
        }
        yn.parent = xn.parent;
        self.replace_child(tx, xn.parent, x, y)?;
        yn.right = x;
        xn.parent = y;
        self.store(tx, x, &xn)?;
        self.store(tx, y, &yn)?;
        self.fix(tx, x)?;
        self.fix(tx, y)?;
        Ok(y)
    }

    /// The first `max_levels` levels of the tree (breadth first), for the administrator's
    /// drawing; `max_nodes` bounds the nodes read.
    pub fn levels(
        &self,
        tx: &mut impl Tx,
        max_levels: usize,
        max_nodes: usize,
    ) -> Result<Vec<Vec<NodeView>>> {
        let root = self.root(tx)?;
        super::tree_levels(
            tx,
            self.file,
            root,
            max_levels,
            max_nodes,
            |tx, slot, _, _| {
                let n = self.load(tx, slot)?;
                let balance = self.hc(tx, n.left)?.0 - self.hc(tx, n.right)?.0;
                let view = NodeView {
                    slot,
                    key: n.key,
                    pos: n.pos,
                    balance,
                    height: n.height,
                    left: opt(n.left),
                    right: opt(n.right),
                    parent: opt(n.parent),
                    children: u32::from(n.left != NIL) + u32::from(n.right != NIL),
                    entries: Some(u64::from(n.count)),
                };
                Ok((view, opt(n.left).into_iter().chain(opt(n.right)).collect()))
            },
        )
    }

    /// Verifies the AVL invariants, every stored height and subtree count, the entry count, and
    /// with `expected` that the index holds exactly those entries (key, position, payload).
    pub fn check(&self, tx: &mut impl Tx, expected: Option<&BTreeSet<Entry>>) -> Result<Problems> {
        let mut p = Problems::new(self.file);
        tx.prefetch(self.file)?;
        let slots = tx.slot_count(self.file)?;
        let root = self.root(tx)?;
        let mut nodes: HashMap<u64, Node> = HashMap::new();
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        if root != NIL && root >= slots {
            p.push(format!("la raíz {root} está fuera del archivo"));
            return Ok(p);
        }
        // Pre-order walk, each node accepted once through the first link reaching it.
        let mut stack = vec![(root, NIL)];
        while let Some((slot, parent)) = stack.pop() {
            if slot == NIL {
                continue;
            }
            if slot >= slots || !seen.insert(slot) {
                p.push(format!("enlace inválido o ciclo en el nodo {slot}"));
                continue;
            }
            let n = match tx.slot(self.file, slot)? {
                Slot::Live(b) => Node::decode(&b),
                Slot::Free { .. } => {
                    p.push(format!("el árbol enlaza el nodo borrado {slot}"));
                    continue;
                }
            };
            if n.parent != parent {
                p.push(format!(
                    "nodo {slot}: padre {} y debería ser {parent}",
                    n.parent
                ));
            }
            nodes.insert(slot, n);
            order.push(slot);
            stack.push((n.right, slot));
            stack.push((n.left, slot));
        }
        let child = |from: u64, to: u64, nodes: &HashMap<u64, Node>| -> Option<u64> {
            (to != NIL && nodes.get(&to).is_some_and(|c| c.parent == from)).then_some(to)
        };
        let mut hc: HashMap<u64, (i32, u64)> = HashMap::new();
        for &slot in order.iter().rev() {
            let n = nodes[&slot];
            let get = |c: Option<u64>| c.and_then(|c| hc.get(&c).copied()).unwrap_or((0, 0));
            let (hl, cl) = get(child(slot, n.left, &nodes));
            let (hr, cr) = get(child(slot, n.right, &nodes));
            if (hl - hr).abs() > 1 {
                p.push(format!("nodo {slot}: desbalanceado ({hl} contra {hr})"));
            }
            let h = 1 + hl.max(hr);
            let c = 1 + cl + cr;
            if n.height as i32 != h {
                p.push(format!(
                    "nodo {slot}: altura guardada {} y real {h}",
                    n.height
                ));
            }
            if n.count as u64 != c {
                p.push(format!(
                    "nodo {slot}: cuenta guardada {} y real {c}",
                    n.count
                ));
            }
            hc.insert(slot, (h, c));
        }
        // In-order entries.
        let mut entries = Vec::with_capacity(nodes.len());
        let mut st = Vec::new();
        let mut cur = Some(root).filter(|r| nodes.contains_key(r));
        loop {
            while let Some(c) = cur {
                st.push(c);
                cur = child(c, nodes[&c].left, &nodes);
            }
            let Some(c) = st.pop() else { break };
            entries.push(nodes[&c].entry());
            cur = child(c, nodes[&c].right, &nodes);
        }
        for w in entries.windows(2) {
            if (w[0].key, w[0].pos) >= (w[1].key, w[1].pos) {
                p.push(format!(
                    "orden de búsqueda roto: ({}, {}) antes de ({}, {})",
                    w[0].key, w[0].pos, w[1].key, w[1].pos
                ));
            }
        }
        let count = self.len(tx)?;
        if count != entries.len() as u64 {
            p.push(format!(
                "la cabecera dice {count} entradas y el árbol tiene {}",
                entries.len()
            ));
        }
        p.strays(tx, self.file, slots, &seen)?;
        if let Some(exp) = expected {
            p.entries_differ(exp, &entries);
        }
        Ok(p)
    }

    /// Repair and first build: the index holds exactly `entries` (sorted and deduplicated by
    /// (key, position) here): every slot freed, then a perfectly balanced tree written from
    /// the sorted entries.
    pub fn rebuild(&self, tx: &mut WriteTx, entries: &[Entry]) -> Result<()> {
        let mut e = entries.to_vec();
        e.sort();
        e.dedup_by_key(|x| (x.key, x.pos));
        if e.len() as u64 > MAX_ENTRIES {
            return Err(StorageError::Misuse(format!(
                "{}: el índice no admite más de {MAX_ENTRIES} entradas",
                self.file
            )));
        }
        if tx.slot_count(self.file)? > 0 {
            tx.reset_slots(self.file, |_, _| false)?;
        }
        tx.set_control(self.file, ROOT, NIL)?;
        tx.set_control(self.file, COUNT, e.len() as u64)?;
        if e.is_empty() {
            return Ok(());
        }
        let blank = Node {
            key: 0,
            pos: 0,
            payload: 0,
            left: NIL,
            right: NIL,
            parent: NIL,
            count: 1,
            height: 1,
        };
        let mut slots = Vec::with_capacity(e.len());
        for _ in &e {
            slots.push(tx.alloc(self.file, &blank.encode())?);
        }
        let n = e.len() as u64;
        shapes(0, n, None, 0..n, &mut |i, s| {
            let node = s.node(&e[i as usize], |j| slots[j as usize]);
            self.store(tx, slots[i as usize], &node)
        })?;
        tx.set_control(self.file, ROOT, slots[balanced_root(n) as usize])
    }

    /// Bulk load in several transactions: writes the nodes of `entries[from..to]` of the same
    /// perfectly balanced tree [`RankedAvl::rebuild`] builds, in slots `from..to`. Call it
    /// with the same `entries` (sorted by (key, position), distinct: refused otherwise) and
    /// consecutive ranges from 0 to `entries.len()`, one write transaction each, so no
    /// transaction carries more than one chunk (a rebuild of millions of entries would be one
    /// transaction of hundreds of MB in the redo log).
    ///
    /// The first chunk (`from == 0`) empties the file (every slot freed, root NIL, count 0);
    /// the last one (`to == entries.len()`) sets the root and the count. In between the nodes
    /// written are not reachable: the index reads as empty, and a crash there leaves live
    /// slots outside the tree, which `check` reports ("ocupado pero fuera del árbol") and a
    /// rebuild (repair) frees. Nothing else may allocate in this file between the chunks: a
    /// slot handed out elsewhere than `from + k` is refused as misuse.
    pub fn bulk_chunk(
        &self,
        tx: &mut WriteTx,
        entries: &[Entry],
        from: usize,
        to: usize,
    ) -> Result<()> {
        let n = entries.len() as u64;
        if n > MAX_ENTRIES {
            return Err(StorageError::Misuse(format!(
                "{}: el índice no admite más de {MAX_ENTRIES} entradas",
                self.file
            )));
        }
        if from > to || to > entries.len() {
            return Err(StorageError::Misuse(format!(
                "{}: tramo {from}..{to} de {n} entradas",
                self.file
            )));
        }
        for i in from.max(1)..to {
            if entries[i - 1].id() >= entries[i].id() {
                return Err(StorageError::Misuse(format!(
                    "{}: la carga masiva necesita entradas ordenadas y distintas ({})",
                    self.file, i
                )));
            }
        }
        if from == 0 {
            if tx.slot_count(self.file)? > 0 {
                tx.reset_slots(self.file, |_, _| false)?;
            }
            tx.set_control(self.file, ROOT, NIL)?;
            tx.set_control(self.file, COUNT, 0)?;
        }
        let file = self.file;
        shapes(0, n, None, from as u64..to as u64, &mut |i, s| {
            let node = s.node(&entries[i as usize], |j| j);
            let got = tx.alloc(file, &node.encode())?;
            if got != i {
                return Err(StorageError::Misuse(format!(
                    "{file}: la carga masiva esperaba el nodo {i} y recibió {got} (¿otro cambio \
                     entre tramos?)"
                )));
            }
            Ok(())
        })?;
        if to == entries.len() {
            tx.set_control(self.file, ROOT, if n == 0 { NIL } else { balanced_root(n) })?;
            tx.set_control(self.file, COUNT, n)?;
        }
        Ok(())
    }
}

impl Entry {
    fn id(&self) -> (u64, u64) {
        (self.key, self.pos)
    }
}

/// Where sorted entry `i` sits in the perfectly balanced tree over `n` sorted entries that
/// [`RankedAvl::rebuild`] and [`RankedAvl::bulk_chunk`] write: the middle entry of a range is
/// its subtree's root (`lo + (hi - lo) / 2`), the halves below it its children. Links are
/// sorted indices (the caller maps them to slots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    parent: Option<u64>,
    left: Option<u64>,
    right: Option<u64>,
    count: u32,
    height: u8,
}

impl Shape {
    fn node(&self, e: &Entry, slot: impl Fn(u64) -> u64) -> Node {
        Node {
            key: e.key,
            pos: e.pos,
            payload: e.payload,
            left: self.left.map_or(NIL, &slot),
            right: self.right.map_or(NIL, &slot),
            parent: self.parent.map_or(NIL, &slot),
            count: self.count,
            height: self.height,
        }
    }
}

/// The root index of the balanced tree over `lo..hi`.
fn mid(lo: u64, hi: u64) -> u64 {
    lo + (hi - lo) / 2
}

/// The root of the balanced tree over `n` entries (n > 0).
fn balanced_root(n: u64) -> u64 {
    mid(0, n)
}

/// Height of the balanced tree over `m` entries: its left half has ⌊m/2⌋ entries, the right
/// one ⌈m/2⌉ - 1 ≤ ⌊m/2⌋, so h(m) = 1 + h(⌊m/2⌋) = the bit length of m.
fn height_of(m: u64) -> u8 {
    (64 - m.leading_zeros()) as u8
}

/// Calls `f(i, shape)` for every index `i` in `want`, in ascending order, of the balanced tree
/// over `lo..hi` whose root's parent is `parent`; it only descends into ranges that meet
/// `want` (cost: `want.len()` plus two descents). Depth ≤ 33 for u32 counts.
fn shapes(
    lo: u64,
    hi: u64,
    parent: Option<u64>,
    want: std::ops::Range<u64>,
    f: &mut dyn FnMut(u64, Shape) -> Result<()>,
) -> Result<()> {
    if lo >= hi || want.end <= lo || want.start >= hi {
        return Ok(());
    }
    let m = mid(lo, hi);
    shapes(lo, m, Some(m), want.clone(), f)?;
    if want.contains(&m) {
        f(
            m,
            Shape {
                parent,
                left: (lo < m).then(|| mid(lo, m)),
                right: (m + 1 < hi).then(|| mid(m + 1, hi)),
                count: (hi - lo) as u32,
                height: height_of(hi - lo),
            },
        )?;
    }
    shapes(m + 1, hi, Some(m), want, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Share;
    use crate::test_support::scratch_share;

    /// `n` distinct entries, some sharing a key, in a scrambled order.
    fn entries(n: u64) -> Vec<Entry> {
        let mut v: Vec<Entry> = (0..n)
            .map(|i| Entry {
                key: (i * 7919) % (n / 3 + 1),
                pos: i,
                payload: i ^ 0xabcd,
            })
            .collect();
        v.reverse();
        v
    }

    fn slots_of(share: &Share, file: &'static str) -> (u64, u64, Vec<Slot>) {
        share
            .read(|tx| {
                let t = RankedAvl { file };
                let n = tx.slot_count(file)?;
                let slots = (0..n)
                    .map(|s| tx.slot(file, s))
                    .collect::<Result<Vec<_>>>()?;
                Ok::<_, StorageError>((t.root(tx)?, t.len(tx)?, slots))
            })
            .unwrap()
    }

    fn bulk(share: &Share, t: &RankedAvl, e: &[Entry], chunk: usize) {
        let mut from = 0;
        loop {
            let to = (from + chunk).min(e.len());
            share.write(|tx| t.bulk_chunk(tx, e, from, to)).unwrap();
            from = to;
            if from == e.len() {
                break;
            }
        }
    }

    #[test]
    fn bulk_chunks_write_the_tree_rebuild_writes() {
        let (_d, share) = scratch_share("ranked-same");
        let a = RankedAvl { file: "A.NTX" };
        let b = RankedAvl { file: "B.NTX" };
        share
            .write(|tx| {
                a.create(tx)?;
                b.create(tx)
            })
            .unwrap();
        for n in [0u64, 1, 2, 3, 7, 100, 1000] {
            let e = entries(n);
            share.write(|tx| a.rebuild(tx, &e)).unwrap();
            let want = slots_of(&share, a.file);
            let mut sorted = e.clone();
            sorted.sort();
            let expected: BTreeSet<Entry> = sorted.iter().copied().collect();
            for chunk in [1usize, 2, 3, 7, 64, 999, 1000, 5000] {
                if chunk < 8 && n > 100 {
                    continue; // a thousand transactions: the small chunks are covered below
                }
                bulk(&share, &b, &sorted, chunk);
                let got = slots_of(&share, b.file);
                assert_eq!(got.0, want.0, "root, n {n} chunk {chunk}");
                assert_eq!(got.1, n, "count, n {n} chunk {chunk}");
                assert_eq!(got.2, want.2, "slots, n {n} chunk {chunk}");
                let p = share.read(|tx| b.check(tx, Some(&expected))).unwrap();
                assert!(p.is_ok(), "n {n} chunk {chunk}: {:?}", p.problems);
                let all = share.read(|tx| b.all(tx)).unwrap();
                assert_eq!(all, sorted, "n {n} chunk {chunk}");
            }
        }
    }

    #[test]
    fn bulk_load_over_a_bigger_tree_frees_what_it_does_not_use() {
        let (_d, share) = scratch_share("ranked-over");
        let t = RankedAvl { file: "T.NTX" };
        share.write(|tx| t.create(tx)).unwrap();
        share
            .write(|tx| {
                for i in 0..300u64 {
                    t.insert(tx, i % 17, i, 0)?;
                }
                Ok::<_, StorageError>(())
            })
            .unwrap();
        let mut e = entries(100);
        e.sort();
        bulk(&share, &t, &e, 30);
        let exp: BTreeSet<Entry> = e.iter().copied().collect();
        let p = share.read(|tx| t.check(tx, Some(&exp))).unwrap();
        assert!(p.is_ok(), "{:?}", p.problems);
        // The freed slots are reused by later inserts, and the tree stays sound.
        share
            .write(|tx| {
                for i in 0..50u64 {
                    t.insert(tx, 1000 + i, i, 0)?;
                }
                t.remove(tx, e[10].key, e[10].pos)?;
                Ok::<_, StorageError>(())
            })
            .unwrap();
        let p = share.read(|tx| t.check(tx, None)).unwrap();
        assert!(p.is_ok(), "{:?}", p.problems);
        assert_eq!(share.read(|tx| t.len(tx)).unwrap(), 149);
        assert_eq!(share.read(|tx| tx.header(t.file)).unwrap().slot_count, 300);
    }

    #[test]
    fn a_bulk_load_cut_off_between_chunks_is_reported_and_a_rebuild_mends_it() {
        let (_d, share) = scratch_share("ranked-cut");
        let t = RankedAvl { file: "T.NTX" };
        share.write(|tx| t.create(tx)).unwrap();
        let mut e = entries(50);
        e.sort();
        share.write(|tx| t.bulk_chunk(tx, &e, 0, 20)).unwrap();
        share.write(|tx| t.bulk_chunk(tx, &e, 20, 40)).unwrap();
        // The program stops here: the index reads as empty and check says why.
        assert_eq!(share.read(|tx| t.len(tx)).unwrap(), 0);
        assert!(share.read(|tx| t.all(tx)).unwrap().is_empty());
        let p = share.read(|tx| t.check(tx, None)).unwrap();
        assert!(
            p.problems.iter().any(|x| x.contains("fuera del árbol")),
            "{:?}",
            p.problems
        );
        share.write(|tx| t.rebuild(tx, &e)).unwrap();
        let exp: BTreeSet<Entry> = e.iter().copied().collect();
        let p = share.read(|tx| t.check(tx, Some(&exp))).unwrap();
        assert!(p.is_ok(), "{:?}", p.problems);
    }

    #[test]
    fn bulk_load_refuses_unsorted_or_repeated_entries_and_bad_ranges() {
        let (_d, share) = scratch_share("ranked-refuse");
        let t = RankedAvl { file: "T.NTX" };
        share.write(|tx| t.create(tx)).unwrap();
        let e = entries(10); // descending
        let r = share.write(|tx| t.bulk_chunk(tx, &e, 0, 10));
        assert!(matches!(r, Err(StorageError::Misuse(_))), "{r:?}");
        let mut e2 = e.clone();
        e2.sort();
        e2[5] = Entry {
            payload: 1,
            ..e2[4]
        };
        let r = share.write(|tx| t.bulk_chunk(tx, &e2, 0, 10));
        assert!(matches!(r, Err(StorageError::Misuse(_))), "{r:?}");
        let mut e3 = e.clone();
        e3.sort();
        let r = share.write(|tx| t.bulk_chunk(tx, &e3, 4, 11));
        assert!(matches!(r, Err(StorageError::Misuse(_))), "{r:?}");
        // A chunk that does not follow the previous one gets other slots: refused.
        share.write(|tx| t.bulk_chunk(tx, &e3, 0, 4)).unwrap();
        let r = share.write(|tx| t.bulk_chunk(tx, &e3, 6, 10));
        assert!(matches!(r, Err(StorageError::Misuse(_))), "{r:?}");
        // Nothing of the refused transactions stayed.
        assert_eq!(share.read(|tx| tx.header(t.file)).unwrap().live_count, 4);
    }

    #[test]
    fn shapes_of_small_trees() {
        assert_eq!(
            (1..=9).map(height_of).collect::<Vec<_>>(),
            [1, 2, 2, 3, 3, 3, 3, 4, 4]
        );
        let mut got = Vec::new();
        shapes(0, 4, None, 0..4, &mut |i, s| {
            got.push((i, s));
            Ok(())
        })
        .unwrap();
        // 0..4: root 2, left 1 (left 0), right 3.
        let idx: Vec<u64> = got.iter().map(|g| g.0).collect();
        assert_eq!(idx, [0, 1, 2, 3]);
        assert_eq!(got[2].1.parent, None);
        assert_eq!((got[2].1.left, got[2].1.right), (Some(1), Some(3)));
        assert_eq!((got[1].1.parent, got[1].1.left), (Some(2), Some(0)));
        assert_eq!((got[2].1.count, got[2].1.height), (4, 3));
        // Only the wanted range is visited.
        let mut part = Vec::new();
        shapes(0, 1000, None, 400..410, &mut |i, _| {
            part.push(i);
            Ok(())
        })
        .unwrap();
        assert_eq!(part, (400..410).collect::<Vec<_>>());
    }
}
