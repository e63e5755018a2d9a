//! Ranked B+ tree: the catalogue's order and word indexes (ORDENES.IDX, PALABRAS.IDX). The
//! same entries and answers as [`super::ranked::RankedAvl`] — entries ordered by (key, data
//! position), each with a payload; "how many entries come before (key, pos)" and "the entries
//! from rank r on" — but in nodes of 4 KiB: a leaf holds up to 169 entries, an inner node up to
//! 127 children with the number of entries below each. At 2.7 million entries the tree is three
//! levels deep, so a lookup, an insert or a delete reads three nodes (the root and the inner
//! level stay in a terminal's cache: ~1 read), and a page of 50 neighbours is one leaf. On a
//! network share each read is a round trip: that is the point (an AVL of 56-byte nodes reads
//! one node per level, ~21 at a million entries).
//!
//! ```text
//!   file header control area: [0] root slot   [1] number of entries   [2] height (levels)
//!   free list: the file's own
//!
//!   node slot (4,088 bytes, a 4,096-byte stride):
//!     0 u8 kind (1 leaf, 2 inner) | 1 u8 0 | 2 u16 n | 4..16 zero
//!     leaf:  n × (u64 key | u64 position | u64 payload)                      from byte 16
//!     inner: n × (u64 child slot | u64 entries below | u64 low key | u64 low position)
//!
//!                    [ inner: c0 (n0) | lo1 c1 (n1) | lo2 c2 (n2) ]          <- root
//!                    /                  |                     \
//!   [ leaf: e e e ... e ]   [ leaf: lo1 ≤ e ... ]   [ leaf: lo2 ≤ e ... ]
//! ```
//!
//! Child `i ≥ 1` holds the entries in `[lo_i, lo_{i+1})`; child 0 those below `lo_1` (its own
//! low bound is not used). Every leaf is at the same depth. A full node splits in two (in half,
//! or — when the new entry goes at its end, as ids arriving in order do — leaving the old node
//! full); an emptied node is freed, and a root with one child gives way to it. Nodes are not
//! merged when they empty partly: deletions may leave leaves underfull, never unordered or
//! uncounted; `rebuild` (repair, first build, bulk loads) packs them again. Built in bulk, the
//! leaves sit in key order in slots 0, 1, 2… and an in-order walk of several leaves is one
//! ranged read.

use std::collections::{BTreeSet, HashSet};

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;
use super::avl::NodeView;
pub use super::ranked::Entry;

/// Slot payload: with the 8-byte slot prefix, a 4,096-byte stride.
pub const NODE_SIZE: u32 = 4088;
const HDR: usize = 16;
const LEAF: u8 = 1;
const INNER: u8 = 2;
const ENTRY_BYTES: usize = 24;
const CHILD_BYTES: usize = 32;
/// Entries per leaf, at most.
pub const LEAF_MAX: usize = (NODE_SIZE as usize - HDR) / ENTRY_BYTES;
/// Children per inner node, at most.
pub const INNER_MAX: usize = (NODE_SIZE as usize - HDR) / CHILD_BYTES;
const ROOT: usize = 0;
const COUNT: usize = 1;
const HEIGHT: usize = 2;
/// No tree is deeper than this (127^15 children is beyond any file).
const MAX_HEIGHT: u64 = 16;

type Id = (u64, u64);

fn id(e: &Entry) -> Id {
    (e.key, e.pos)
}

/// The runs `[a, b)` of two or more neighbouring slots among `slots` (sorted here).
fn runs(slots: &mut [u64]) -> Vec<(u64, u64)> {
    slots.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < slots.len() {
        let mut j = i;
        while j + 1 < slots.len() && slots[j + 1] == slots[j] + 1 {
            j += 1;
        }
        if j > i {
            out.push((slots[i], slots[j] + 1));
        }
        i = j + 1;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Child {
    slot: u64,
    count: u64,
    lo: Id,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Leaf(Vec<Entry>),
    Inner(Vec<Child>),
}

impl Node {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; NODE_SIZE as usize];
        let (kind, n) = match self {
            Node::Leaf(es) => (LEAF, es.len()),
            Node::Inner(cs) => (INNER, cs.len()),
        };
        let mut e = Enc::new(&mut b);
        e.u8(kind).u8(0).u16(n as u16).u32(0).u64(0);
        match self {
            Node::Leaf(es) => {
                for x in es {
                    e.u64(x.key).u64(x.pos).u64(x.payload);
                }
            }
            Node::Inner(cs) => {
                for c in cs {
                    e.u64(c.slot).u64(c.count).u64(c.lo.0).u64(c.lo.1);
                }
            }
        }
        b
    }

    fn decode(file: &str, slot: u64, b: &[u8]) -> Result<Node> {
        let bad = |why: &str| StorageError::corrupt(file, format!("nodo {slot}: {why}"));
        if b.len() < HDR {
            return Err(bad("demasiado corto"));
        }
        let mut d = Dec::new(b);
        let kind = d.u8();
        d.u8();
        let n = d.u16() as usize;
        d.u32();
        d.u64();
        match kind {
            LEAF if n <= LEAF_MAX && HDR + n * ENTRY_BYTES <= b.len() => Ok(Node::Leaf(
                (0..n)
                    .map(|_| Entry {
                        key: d.u64(),
                        pos: d.u64(),
                        payload: d.u64(),
                    })
                    .collect(),
            )),
            INNER if n <= INNER_MAX && HDR + n * CHILD_BYTES <= b.len() => Ok(Node::Inner(
                (0..n)
                    .map(|_| Child {
                        slot: d.u64(),
                        count: d.u64(),
                        lo: (d.u64(), d.u64()),
                    })
                    .collect(),
            )),
            LEAF | INNER => Err(bad("más elementos de los que caben")),
            _ => Err(bad("tipo de nodo desconocido")),
        }
    }
}

/// A node read in place (the descents of readers decode only what they look at).
struct Raw {
    b: std::sync::Arc<[u8]>,
    leaf: bool,
    n: usize,
}

impl Raw {
    fn new(file: &str, slot: u64, b: std::sync::Arc<[u8]>) -> Result<Raw> {
        let bad = |why: &str| StorageError::corrupt(file, format!("nodo {slot}: {why}"));
        if b.len() < HDR {
            return Err(bad("demasiado corto"));
        }
        let n = u16::from_le_bytes([b[2], b[3]]) as usize;
        let (leaf, fits) = match b[0] {
            LEAF => (true, n <= LEAF_MAX && HDR + n * ENTRY_BYTES <= b.len()),
            INNER => (false, n <= INNER_MAX && HDR + n * CHILD_BYTES <= b.len()),
            _ => return Err(bad("tipo de nodo desconocido")),
        };
        if !fits {
            return Err(bad("más elementos de los que caben"));
        }
        if !leaf && n == 0 {
            return Err(bad("nodo interno sin hijos"));
        }
        Ok(Raw { b, leaf, n })
    }
    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.b[at..at + 8].try_into().expect("8 bytes"))
    }
    fn entry(&self, i: usize) -> Entry {
        let at = HDR + i * ENTRY_BYTES;
        Entry {
            key: self.u64_at(at),
            pos: self.u64_at(at + 8),
            payload: self.u64_at(at + 16),
        }
    }
    fn entry_id(&self, i: usize) -> Id {
        let at = HDR + i * ENTRY_BYTES;
        (self.u64_at(at), self.u64_at(at + 8))
    }
    fn child_slot(&self, i: usize) -> u64 {
        self.u64_at(HDR + i * CHILD_BYTES)
    }
    fn child_count(&self, i: usize) -> u64 {
        self.u64_at(HDR + i * CHILD_BYTES + 8)
    }
    fn child_lo(&self, i: usize) -> Id {
        let at = HDR + i * CHILD_BYTES + 16;
        (self.u64_at(at), self.u64_at(at + 8))
    }
    /// Leaf: how many entries sort before `x`.
    fn entries_before(&self, x: Id) -> usize {
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.entry_id(mid) < x {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
    /// Inner: the child that may hold `x`.
    fn route(&self, x: Id) -> usize {
        // Children 1.. whose low bound is <= x.
        let (mut lo, mut hi) = (1, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.child_lo(mid) <= x {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo - 1
    }
}

/// Which child of an inner node may hold `x`.
fn route(cs: &[Child], x: Id) -> usize {
    cs.get(1..)
        .map_or(0, |rest| rest.partition_point(|c| c.lo <= x))
}

fn sum(cs: &[Child]) -> u64 {
    cs.iter().map(|c| c.count).sum()
}

fn too_deep(file: &str) -> StorageError {
    StorageError::corrupt(file, "el árbol es más alto de lo posible o tiene un ciclo")
}

#[derive(Debug, Clone)]
pub struct RankedBTree {
    pub file: &'static str,
}

impl RankedBTree {
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
        tx.set_control(self.file, HEIGHT, 0)?;
        Ok(())
    }

    fn raw(&self, tx: &mut impl Tx, slot: u64) -> Result<Raw> {
        Raw::new(self.file, slot, tx.read(self.file, slot)?)
    }

    fn load(&self, tx: &mut impl Tx, slot: u64) -> Result<Node> {
        let b = tx.read(self.file, slot)?;
        Node::decode(self.file, slot, &b)
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

    /// Levels of the tree (0: empty; 1: the root is a leaf).
    pub fn height(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.file, HEIGHT)
    }

    /// Number of entries ordered before (key, pos): one descent.
    pub fn rank(&self, tx: &mut impl Tx, key: u64, pos: u64) -> Result<u64> {
        let x = (key, pos);
        Ok(match self.leaf_towards(tx, x)? {
            Some((r, before)) => before + r.entries_before(x) as u64,
            None => 0,
        })
    }

    /// The leaf where `x` is or would be, and how many entries the leaves before it hold: one
    /// descent (`None`: the tree is empty).
    fn leaf_towards(&self, tx: &mut impl Tx, x: Id) -> Result<Option<(Raw, u64)>> {
        let mut cur = self.root(tx)?;
        let mut before = 0u64;
        let mut steps = 0;
        while cur != NIL {
            steps += 1;
            if steps > MAX_HEIGHT {
                return Err(too_deep(self.file));
            }
            let r = self.raw(tx, cur)?;
            if r.leaf {
                return Ok(Some((r, before)));
            }
            let i = r.route(x);
            before += (0..i).map(|j| r.child_count(j)).sum::<u64>();
            cur = r.child_slot(i);
        }
        Ok(None)
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

    /// Reads ahead the children `from..` of an inner node that hold the next `want` entries,
    /// in runs of neighbouring slots (a bulk-built tree keeps leaves in order: one read).
    fn read_ahead(&self, tx: &mut impl Tx, r: &Raw, from: usize, want: u64) -> Result<()> {
        let mut slots = Vec::new();
        let mut got = 0u64;
        for i in from..r.n {
            if got >= want {
                break;
            }
            slots.push(r.child_slot(i));
            got += r.child_count(i);
        }
        if slots.len() < 2 {
            return Ok(());
        }
        for (a, b) in runs(&mut slots) {
            tx.prefetch_range(self.file, a, b)?;
        }
        Ok(())
    }

    /// Up to `n` entries in order, starting at rank `from`: one descent to the first, then the
    /// following leaves (read ahead in runs).
    pub fn entries(&self, tx: &mut impl Tx, from: u64, n: usize) -> Result<Vec<Entry>> {
        let mut out = Vec::with_capacity(n.min(4096));
        if n == 0 || from >= self.len(tx)? {
            return Ok(out);
        }
        let root = self.root(tx)?;
        if root == NIL {
            return Ok(out);
        }
        // Inner nodes above the current leaf, with the child taken in each; nodes are read in
        // place, not decoded whole.
        let mut stack: Vec<(Raw, usize)> = Vec::new();
        let mut cur = root;
        let mut skip = from;
        let mut visited = 0u64;
        let limit = tx.slot_count(self.file)? + 1;
        loop {
            visited += 1;
            if stack.len() as u64 >= MAX_HEIGHT || visited > limit {
                return Err(too_deep(self.file));
            }
            let r = self.raw(tx, cur)?;
            if !r.leaf {
                let mut i = 0;
                while i + 1 < r.n && skip >= r.child_count(i) {
                    skip -= r.child_count(i);
                    i += 1;
                }
                self.read_ahead(tx, &r, i, skip + n as u64)?;
                cur = r.child_slot(i);
                stack.push((r, i));
                continue;
            }
            let start = (skip as usize).min(r.n);
            skip = 0;
            for i in start..r.n {
                out.push(r.entry(i));
                if out.len() >= n {
                    return Ok(out);
                }
            }
            // Next leaf: up to the first ancestor with a child to the right.
            loop {
                let Some((p, i)) = stack.last_mut() else {
                    return Ok(out);
                };
                if *i + 1 < p.n {
                    *i += 1;
                    cur = p.child_slot(*i);
                    break;
                }
                stack.pop();
            }
        }
    }

    /// Every entry with `lo <= key <= hi`, in order.
    pub fn range(&self, tx: &mut impl Tx, lo: u64, hi: u64) -> Result<Vec<Entry>> {
        let (a, b) = self.rank_range(tx, lo, hi)?;
        self.entries(tx, a, (b - a) as usize)
    }

    /// The payload of entry (key, pos), if indexed.
    pub fn get(&self, tx: &mut impl Tx, key: u64, pos: u64) -> Result<Option<u64>> {
        let x = (key, pos);
        let Some((r, _)) = self.leaf_towards(tx, x)? else {
            return Ok(None);
        };
        let i = r.entries_before(x);
        Ok((i < r.n && r.entry_id(i) == x).then(|| r.entry(i).payload))
    }

    /// Every entry in order.
    pub fn all(&self, tx: &mut impl Tx) -> Result<Vec<Entry>> {
        let n = self.len(tx)?;
        self.entries(tx, 0, n as usize)
    }

    /// The root-to-leaf path towards `x`: the inner nodes with the child taken, and the leaf.
    #[allow(clippy::type_complexity)]
    fn path(
        &self,
        tx: &mut impl Tx,
        root: u64,
        x: Id,
    ) -> Result<(Vec<(u64, Vec<Child>, usize)>, u64, Vec<Entry>)> {
        let mut path = Vec::new();
        let mut cur = root;
        loop {
            if path.len() as u64 >= MAX_HEIGHT {
                return Err(too_deep(self.file));
            }
            match self.load(tx, cur)? {
                Node::Leaf(es) => return Ok((path, cur, es)),
                Node::Inner(cs) => {
                    let i = route(&cs, x);
                    let next = cs[i].slot;
                    path.push((cur, cs, i));
                    cur = next;
                }
            }
        }
    }

    /// Inserts (key, pos) with its payload. Returns false (and changes nothing) if that entry
    /// is already indexed.
    pub fn insert(&self, tx: &mut WriteTx, key: u64, pos: u64, payload: u64) -> Result<bool> {
        let e = Entry { key, pos, payload };
        let x = (key, pos);
        let root = self.root(tx)?;
        let count = self.len(tx)?;
        if root == NIL {
            let slot = tx.alloc(self.file, &Node::Leaf(vec![e]).encode())?;
            tx.set_control(self.file, ROOT, slot)?;
            tx.set_control(self.file, COUNT, 1)?;
            tx.set_control(self.file, HEIGHT, 1)?;
            return Ok(true);
        }
        let (path, leaf, mut es) = self.path(tx, root, x)?;
        let at = es.partition_point(|y| id(y) < x);
        if es.get(at).is_some_and(|y| id(y) == x) {
            return Ok(false);
        }
        es.insert(at, e);
        // What the level below hands up: its node's new count, and a new right sibling.
        let mut below_count;
        let mut sibling: Option<Child> = None;
        if es.len() > LEAF_MAX {
            let cut = if at == es.len() - 1 {
                LEAF_MAX
            } else {
                es.len() / 2
            };
            let right = es.split_off(cut);
            let lo = id(&right[0]);
            let n = right.len() as u64;
            let slot = tx.alloc(self.file, &Node::Leaf(right).encode())?;
            sibling = Some(Child { slot, count: n, lo });
        }
        below_count = es.len() as u64;
        self.store(tx, leaf, &Node::Leaf(es))?;
        for (slot, mut cs, i) in path.into_iter().rev() {
            cs[i].count = below_count;
            if let Some(s) = sibling.take() {
                cs.insert(i + 1, s);
                if cs.len() > INNER_MAX {
                    let cut = if i + 1 == cs.len() - 1 {
                        INNER_MAX
                    } else {
                        cs.len() / 2
                    };
                    let right = cs.split_off(cut);
                    let lo = right[0].lo;
                    let n = sum(&right);
                    let rs = tx.alloc(self.file, &Node::Inner(right).encode())?;
                    sibling = Some(Child {
                        slot: rs,
                        count: n,
                        lo,
                    });
                }
            }
            below_count = sum(&cs);
            self.store(tx, slot, &Node::Inner(cs))?;
        }
        if let Some(s) = sibling {
            // The root split: a new root above the two halves.
            let top = Node::Inner(vec![
                Child {
                    slot: root,
                    count: below_count,
                    lo: (0, 0),
                },
                s,
            ]);
            let slot = tx.alloc(self.file, &top.encode())?;
            tx.set_control(self.file, ROOT, slot)?;
            let h = self.height(tx)?;
            tx.set_control(self.file, HEIGHT, h + 1)?;
        }
        tx.set_control(self.file, COUNT, count + 1)?;
        Ok(true)
    }

    /// Removes (key, pos). Returns false if it was not indexed.
    pub fn remove(&self, tx: &mut WriteTx, key: u64, pos: u64) -> Result<bool> {
        let x = (key, pos);
        let root = self.root(tx)?;
        if root == NIL {
            return Ok(false);
        }
        let (path, leaf, mut es) = self.path(tx, root, x)?;
        let at = es.partition_point(|y| id(y) < x);
        if es.get(at).is_none_or(|y| id(y) != x) {
            return Ok(false);
        }
        es.remove(at);
        let mut emptied = es.is_empty();
        let mut below_count = es.len() as u64;
        if emptied {
            tx.release(self.file, leaf)?;
        } else {
            self.store(tx, leaf, &Node::Leaf(es))?;
        }
        let mut top: Option<Vec<Child>> = None;
        for (slot, mut cs, i) in path.into_iter().rev() {
            if emptied {
                cs.remove(i);
            } else {
                cs[i].count = below_count;
            }
            if cs.is_empty() {
                tx.release(self.file, slot)?;
                emptied = true;
                continue;
            }
            emptied = false;
            below_count = sum(&cs);
            self.store(tx, slot, &Node::Inner(cs.clone()))?;
            if slot == root {
                top = Some(cs);
            }
        }
        let count = self.len(tx)?;
        tx.set_control(self.file, COUNT, count.saturating_sub(1))?;
        if emptied {
            tx.set_control(self.file, ROOT, NIL)?;
            tx.set_control(self.file, HEIGHT, 0)?;
            return Ok(true);
        }
        // A root with one child gives way to it.
        let mut root = root;
        let mut h = self.height(tx)?;
        while let Some(cs) = top.take() {
            if cs.len() != 1 {
                break;
            }
            tx.release(self.file, root)?;
            root = cs[0].slot;
            h = h.saturating_sub(1);
            if let Node::Inner(next) = self.load(tx, root)? {
                top = Some(next);
            }
        }
        tx.set_control(self.file, ROOT, root)?;
        tx.set_control(self.file, HEIGHT, h)?;
        Ok(true)
    }

    /// The first `max_levels` levels (breadth first) for the administrator's drawing, reading
    /// at most `max_nodes` nodes; each node shown by its first entry (a leaf) or its second
    /// child's low bound (inner). `height` is the node's level counted from the leaves (1);
    /// `balance` is 0 (every leaf is at the same depth); `left`/`right` are its first and last
    /// child (a binary drawing shows only those two of its links); `children` is how many it
    /// has (the drawing links each to its parent by `parent`) and `entries` how many entries
    /// it holds (a leaf) or its children count (inner; as stored, summed without overflow).
    pub fn levels(
        &self,
        tx: &mut impl Tx,
        max_levels: usize,
        max_nodes: usize,
    ) -> Result<Vec<Vec<NodeView>>> {
        let root = self.root(tx)?;
        let h = self.height(tx)?;
        super::tree_levels(
            tx,
            self.file,
            root,
            max_levels,
            max_nodes,
            |tx, slot, parent, level| {
                let (first, l, r, entries, children) = match self.load(tx, slot)? {
                    Node::Leaf(es) => (
                        es.first().map(id).unwrap_or((0, 0)),
                        None,
                        None,
                        es.len() as u64,
                        vec![],
                    ),
                    Node::Inner(cs) => (
                        cs.get(1).map(|c| c.lo).unwrap_or((0, 0)),
                        cs.first().map(|c| c.slot),
                        cs.last().map(|c| c.slot),
                        cs.iter().fold(0u64, |a, c| a.saturating_add(c.count)),
                        cs.iter().map(|c| c.slot).collect::<Vec<_>>(),
                    ),
                };
                let view = NodeView {
                    slot,
                    key: first.0,
                    pos: first.1,
                    balance: 0,
                    height: h.saturating_sub(level as u64).min(255) as u8,
                    left: l,
                    right: r,
                    parent: (parent != NIL).then_some(parent),
                    children: children.len() as u32,
                    entries: Some(entries),
                };
                Ok((view, children))
            },
        )
    }

    /// Verifies the tree: node format, every leaf at the same depth, the order of entries and
    /// children's low bounds, every stored count and the header's, no node reached twice or
    /// left outside the tree; with `expected`, that it holds exactly those entries.
    pub fn check(&self, tx: &mut impl Tx, expected: Option<&BTreeSet<Entry>>) -> Result<Problems> {
        let mut p = Problems::new(self.file);
        let slots = tx.slot_count(self.file)?;
        let root = self.root(tx)?;
        let height = self.height(tx)?;
        let count = self.len(tx)?;
        let mut seen = HashSet::new();
        // The entries themselves are kept only to compare them with `expected`: the walk
        // checks their order as it goes, and reads the nodes a run at a time (forgotten
        // after it), so a tree larger than memory is checked in bounded memory.
        let mut entries = expected.map(|_| Vec::new());
        let mut order = Order::default();
        if root == NIL {
            if count != 0 || height != 0 {
                p.push(format!(
                    "árbol vacío con {count} entradas y altura {height} en la cabecera"
                ));
            }
        } else if root >= slots {
            p.push(format!("la raíz {root} está fuera del archivo"));
            return Ok(p);
        } else if height == 0 || height > MAX_HEIGHT {
            p.push(format!("altura imposible: {height}"));
            return Ok(p);
        } else {
            let mut w = Walk {
                t: self,
                slots,
                height,
                seen: &mut seen,
                entries: entries.as_mut(),
                order: &mut order,
                p: &mut p,
            };
            w.visit(tx, root, 1, None, None)?;
            if count != order.count {
                p.push(format!(
                    "la cabecera dice {count} entradas y el árbol tiene {}",
                    order.count
                ));
            }
        }
        if let Some((a, b)) = order.broken {
            p.push(format!(
                "orden roto: ({}, {}) antes de ({}, {})",
                a.0, a.1, b.0, b.1
            ));
        }
        p.strays(tx, self.file, slots, &seen)?;
        tx.forget(self.file);
        let entries = entries.unwrap_or_default();
        if let Some(exp) = expected {
            p.entries_differ(exp, &entries);
        }
        Ok(p)
    }

    /// Repair and first build: the index holds exactly `entries` (sorted and deduplicated by
    /// (key, position) here), packed in full leaves in key order.
    pub fn rebuild(&self, tx: &mut WriteTx, entries: &[Entry]) -> Result<()> {
        let mut e = entries.to_vec();
        e.sort();
        e.dedup_by_key(|x| id(x));
        self.bulk_chunk(tx, &e, 0, e.len())
    }

    /// Bulk load in several transactions: writes the leaves holding `entries[from..to]` (a
    /// leaf that straddles `to` waits for the next chunk) of the same packed tree
    /// [`RankedBTree::rebuild`] builds, leaf `j` in slot `j`. Call it with the same `entries`
    /// (sorted by (key, position), distinct: refused otherwise) and consecutive ranges from 0
    /// to `entries.len()`, one write transaction each. The first chunk (`from == 0`) empties
    /// the file; the last (`to == entries.len()`) writes the inner nodes and sets the root,
    /// the count and the height. In between the index reads as empty, and a crash there leaves
    /// live slots outside the tree, which `check` reports and a rebuild (repair) frees.
    /// Nothing else may allocate in this file between the chunks (refused as misuse).
    pub fn bulk_chunk(
        &self,
        tx: &mut WriteTx,
        entries: &[Entry],
        from: usize,
        to: usize,
    ) -> Result<()> {
        let n = entries.len();
        if from > to || to > n {
            return Err(StorageError::Misuse(format!(
                "{}: tramo {from}..{to} de {n} entradas",
                self.file
            )));
        }
        for i in from.max(1)..to {
            if id(&entries[i - 1]) >= id(&entries[i]) {
                return Err(StorageError::Misuse(format!(
                    "{}: la carga masiva necesita entradas ordenadas y distintas ({i})",
                    self.file
                )));
            }
        }
        if from == 0 {
            if tx.slot_count(self.file)? > 0 {
                // Every node goes, readable or not (a repair rebuilds over damaged nodes): a
                // damaged one only ends the read-ahead, the reset frees it all the same.
                let _ = tx.prefetch(self.file);
                tx.reset_slots(self.file, |_, _| false)?;
            }
            tx.set_control(self.file, ROOT, NIL)?;
            tx.set_control(self.file, COUNT, 0)?;
            tx.set_control(self.file, HEIGHT, 0)?;
        }
        if n == 0 {
            return Ok(());
        }
        let leaves = n.div_ceil(LEAF_MAX);
        let bound = |j: usize| j * n / leaves;
        // Leaves whose last entry lies in from..to.
        let first = (0..leaves).find(|&j| bound(j + 1) > from).unwrap_or(leaves);
        for j in first..leaves {
            if bound(j + 1) > to {
                break;
            }
            let node = Node::Leaf(entries[bound(j)..bound(j + 1)].to_vec());
            self.alloc_at(tx, j as u64, &node)?;
        }
        if to < n {
            return Ok(());
        }
        // The inner levels, bottom up, in the slots after the leaves.
        let mut level: Vec<Child> = (0..leaves)
            .map(|j| Child {
                slot: j as u64,
                count: (bound(j + 1) - bound(j)) as u64,
                lo: id(&entries[bound(j)]),
            })
            .collect();
        let mut next_slot = leaves as u64;
        let mut height = 1u64;
        while level.len() > 1 {
            let m = level.len();
            let k = m.div_ceil(INNER_MAX);
            let cut = |i: usize| i * m / k;
            let mut up = Vec::with_capacity(k);
            for i in 0..k {
                let cs = level[cut(i)..cut(i + 1)].to_vec();
                let c = Child {
                    slot: next_slot,
                    count: sum(&cs),
                    lo: cs[0].lo,
                };
                self.alloc_at(tx, next_slot, &Node::Inner(cs))?;
                next_slot += 1;
                up.push(c);
            }
            level = up;
            height += 1;
        }
        tx.set_control(self.file, ROOT, level[0].slot)?;
        tx.set_control(self.file, COUNT, n as u64)?;
        tx.set_control(self.file, HEIGHT, height)
    }

    fn alloc_at(&self, tx: &mut WriteTx, want: u64, n: &Node) -> Result<()> {
        let got = tx.alloc(self.file, &n.encode())?;
        if got != want {
            return Err(StorageError::Misuse(format!(
                "{}: la carga masiva esperaba el nodo {want} y recibió {got} (¿otro cambio \
                 entre tramos?)",
                self.file
            )));
        }
        Ok(())
    }
}

/// The state of [`RankedBTree::check`]'s walk.
struct Walk<'a> {
    t: &'a RankedBTree,
    slots: u64,
    height: u64,
    seen: &'a mut HashSet<u64>,
    /// The entries in walk order, when the caller compares them.
    entries: Option<&'a mut Vec<Entry>>,
    order: &'a mut Order,
    p: &'a mut Problems,
}

/// The order of the entries as a walk meets them: how many, the last, the first pair out of
/// order.
#[derive(Default)]
struct Order {
    count: u64,
    last: Option<Id>,
    broken: Option<(Id, Id)>,
}

impl Walk<'_> {
    /// Checks the subtree at `slot` (at `depth`, 1 = root) whose entries must lie in
    /// `[lo, hi)`; returns how many entries it holds (None: unusable).
    fn visit(
        &mut self,
        tx: &mut impl Tx,
        slot: u64,
        depth: u64,
        lo: Option<Id>,
        hi: Option<Id>,
    ) -> Result<Option<u64>> {
        if slot >= self.slots || !self.seen.insert(slot) {
            self.p
                .push(format!("enlace inválido o ciclo en el nodo {slot}"));
            return Ok(None);
        }
        let node = match tx.slot(self.t.file, slot)? {
            Slot::Live(b) => match Node::decode(self.t.file, slot, &b) {
                Ok(n) => n,
                Err(e) => {
                    self.p.push(e.to_string());
                    return Ok(None);
                }
            },
            Slot::Free { .. } => {
                self.p
                    .push(format!("el árbol enlaza el nodo borrado {slot}"));
                return Ok(None);
            }
        };
        let within = |x: Id| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x < h);
        match node {
            Node::Leaf(es) => {
                if depth != self.height {
                    self.p.push(format!(
                        "hoja {slot} a profundidad {depth} y la altura es {}",
                        self.height
                    ));
                }
                if es.is_empty() {
                    self.p.push(format!("hoja {slot} vacía"));
                }
                if let Some(e) = es.iter().find(|e| !within(id(e))) {
                    self.p.push(format!(
                        "hoja {slot}: la entrada ({}, {}) está fuera del tramo de su padre",
                        e.key, e.pos
                    ));
                }
                for e in &es {
                    let x = id(e);
                    if let Some(l) = self.order.last
                        && l >= x
                        && self.order.broken.is_none()
                    {
                        self.order.broken = Some((l, x));
                    }
                    self.order.last = Some(x);
                }
                self.order.count += es.len() as u64;
                if let Some(v) = self.entries.as_mut() {
                    v.extend(es.iter().copied());
                }
                Ok(Some(es.len() as u64))
            }
            Node::Inner(cs) => {
                if depth >= self.height {
                    self.p.push(format!(
                        "nodo interno {slot} a profundidad {depth} y la altura es {}",
                        self.height
                    ));
                    return Ok(None);
                }
                if cs.is_empty() {
                    self.p.push(format!("nodo interno {slot} sin hijos"));
                    return Ok(Some(0));
                }
                // The children in runs of neighbouring slots, few reads each.
                let mut kids: Vec<u64> = cs.iter().map(|c| c.slot).collect();
                kids.retain(|&c| c < self.slots);
                for (a, b) in runs(&mut kids) {
                    // A damaged node in the run is met, and reported, on its own read.
                    let _ = tx.prefetch_range(self.t.file, a, b);
                }
                let mut total = 0u64;
                for i in 0..cs.len() {
                    let clo = if i == 0 { lo } else { Some(cs[i].lo) };
                    let chi = cs.get(i + 1).map(|c| c.lo).or(hi);
                    if i > 0 && (!within(cs[i].lo) || cs[i - 1].lo >= cs[i].lo && i > 1) {
                        self.p.push(format!(
                            "nodo {slot}: cota del hijo {i} fuera de orden o de tramo"
                        ));
                    }
                    let got = self.visit(tx, cs[i].slot, depth + 1, clo, chi)?;
                    if let Some(g) = got
                        && g != cs[i].count
                    {
                        self.p.push(format!(
                            "nodo {slot}: el hijo {i} dice {} entradas y tiene {g}",
                            cs[i].count
                        ));
                    }
                    total += cs[i].count;
                }
                if depth + 1 == self.height {
                    // Its leaves are done with (the nodes above are held decoded).
                    tx.forget(self.t.file);
                }
                Ok(Some(total))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::me::ranked::RankedAvl;
    use crate::storage::Share;
    use crate::test_support::{XorShift as Rng, scratch_share};

    const B: RankedBTree = RankedBTree { file: "PRUEBA.IDX" };
    const A: RankedAvl = RankedAvl { file: "PRUEBA.NTX" };

    fn sound(share: &Share, want: &BTreeSet<Entry>) {
        let p = share.read(|tx| B.check(tx, Some(want))).unwrap();
        assert!(p.is_ok(), "{:?}", p.problems);
    }

    /// Random inserts and removes, the same on the B+ tree and the AVL: every answer equal,
    /// the tree sound after each transaction.
    #[test]
    fn answers_like_the_avl_through_random_changes() {
        let (_d, share) = scratch_share("btree-random");
        share
            .write(|tx| {
                B.create(tx)?;
                A.create(tx)
            })
            .unwrap();
        let mut rng = Rng(0x9e3779b97f4a7c15);
        let mut want: BTreeSet<Entry> = BTreeSet::new();
        for round in 0..24 {
            // Few keys (many duplicates of a key), runs in order (ids), and removals.
            let ops = if round < 8 { 900 } else { 300 };
            share
                .write(|tx| {
                    for _ in 0..ops {
                        let r = rng.next();
                        let key = if round % 3 == 0 { r % 7 } else { r % 5000 };
                        let pos = if round % 4 == 1 {
                            want.len() as u64 + 100_000
                        } else {
                            (r >> 20) % 3000
                        };
                        let e = Entry {
                            key,
                            pos,
                            payload: r >> 40,
                        };
                        if round >= 8 && r % 3 != 0 {
                            let victim = want.iter().nth((r >> 33) as usize % want.len().max(1));
                            if let Some(&v) = victim {
                                assert!(B.remove(tx, v.key, v.pos)?);
                                assert!(A.remove(tx, v.key, v.pos)?);
                                want.remove(&v);
                            }
                            assert!(!B.remove(tx, key, pos + 1_000_000)?);
                        } else {
                            let had = want.iter().any(|w| (w.key, w.pos) == (key, pos));
                            assert_eq!(B.insert(tx, key, pos, e.payload)?, !had);
                            assert_eq!(A.insert(tx, key, pos, e.payload)?, !had);
                            if !had {
                                want.insert(e);
                            }
                        }
                    }
                    Ok::<_, StorageError>(())
                })
                .unwrap();
            sound(&share, &want);
            share
                .read(|tx| {
                    assert_eq!(B.len(tx)?, want.len() as u64);
                    assert_eq!(B.all(tx)?, want.iter().copied().collect::<Vec<_>>());
                    for _ in 0..40 {
                        let r = rng.next();
                        let (lo, hi) = (r % 5000, (r % 5000) + (r >> 50) % 300);
                        assert_eq!(B.rank_range(tx, lo, hi)?, A.rank_range(tx, lo, hi)?);
                        let from = (r >> 13) % (want.len() as u64 + 5);
                        let n = ((r >> 29) % 400) as usize;
                        assert_eq!(B.entries(tx, from, n)?, A.entries(tx, from, n)?);
                        let k = (r >> 7) % 5000;
                        let p = (r >> 37) % 3000;
                        assert_eq!(B.get(tx, k, p)?, A.get(tx, k, p)?);
                        assert_eq!(B.rank(tx, k, p)?, A.rank(tx, k, p)?);
                    }
                    Ok::<_, StorageError>(())
                })
                .unwrap();
        }
        // Empty it entirely: the root goes, the file holds no live node.
        share
            .write(|tx| {
                for v in std::mem::take(&mut want) {
                    assert!(B.remove(tx, v.key, v.pos)?);
                }
                Ok::<_, StorageError>(())
            })
            .unwrap();
        sound(&share, &BTreeSet::new());
        assert_eq!(share.read(|tx| B.root(tx)).unwrap(), NIL);
    }

    #[test]
    fn bulk_chunks_build_the_rebuilt_tree_and_it_takes_changes() {
        let (_d, share) = scratch_share("btree-bulk");
        share.write(|tx| B.create(tx)).unwrap();
        let e: Vec<Entry> = (0..40_000u64)
            .map(|i| Entry {
                key: i / 3,
                pos: i,
                payload: i * 7,
            })
            .collect();
        let mut from = 0;
        while from < e.len() {
            let to = (from + 7_777).min(e.len());
            share.write(|tx| B.bulk_chunk(tx, &e, from, to)).unwrap();
            from = to;
        }
        let want: BTreeSet<Entry> = e.iter().copied().collect();
        sound(&share, &want);
        let h = share.read(|tx| B.height(tx)).unwrap();
        assert_eq!(h, 3);
        // Leaves in key order in slots 0..: a page of 400 entries reads its leaves in one run.
        share.drop_cache();
        let before = share.io_totals();
        let got = share.read(|tx| B.entries(tx, 10_000, 400)).unwrap();
        assert_eq!(got, e[10_000..10_400].to_vec());
        let reads = share.io_totals().since(&before).reads;
        assert!(reads <= 12, "{reads} reads");
        // Then ordinary changes on top.
        let mut want = want;
        share
            .write(|tx| {
                for i in (0..40_000u64).step_by(5) {
                    assert!(B.remove(tx, i / 3, i)?);
                    want.remove(&e[i as usize]);
                }
                for i in 0..3000u64 {
                    assert!(B.insert(tx, 20_000 + i, 900_000 + i, 1)?);
                    want.insert(Entry {
                        key: 20_000 + i,
                        pos: 900_000 + i,
                        payload: 1,
                    });
                }
                Ok::<_, StorageError>(())
            })
            .unwrap();
        sound(&share, &want);
        // Unsorted input is refused.
        let mut bad = e.clone();
        bad.swap(10, 11);
        assert!(share.write(|tx| B.bulk_chunk(tx, &bad, 0, 100)).is_err());
    }

    /// A new share whose tree holds keys `0..n` (position = key, no payload), packed.
    fn packed(what: &str, n: u64) -> (crate::test_support::Scratch, crate::storage::Share) {
        let (d, share) = scratch_share(what);
        share.write(|tx| B.create(tx)).unwrap();
        let e: Vec<Entry> = (0..n)
            .map(|i| Entry {
                key: i,
                pos: i,
                payload: 0,
            })
            .collect();
        share.write(|tx| B.rebuild(tx, &e)).unwrap();
        (d, share)
    }

    #[test]
    fn check_finds_a_wrong_count() {
        let (_d, share) = packed("btree-damage", 1000);
        let root = share.read(|tx| B.root(tx)).unwrap();
        share
            .write(|tx| {
                let Node::Inner(mut cs) = B.load(tx, root)? else {
                    panic!("a root leaf at 1000 entries")
                };
                cs[0].count += 1;
                B.store(tx, root, &Node::Inner(cs))
            })
            .unwrap();
        let p = share.read(|tx| B.check(tx, None)).unwrap();
        assert!(!p.is_ok());
    }

    /// The drawing's levels: every node names its parent and counts its children and entries;
    /// a bound on the nodes read cuts the level where it falls, and that level is the last.
    #[test]
    fn levels_count_children_and_stop_at_the_node_bound() {
        // 40,000 entries packed: three levels.
        let (_d, share) = packed("btree-levels", 40_000);
        let all = share.read(|tx| B.levels(tx, 12, usize::MAX)).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0][0].parent, None);
        assert_eq!(all[0][0].entries, Some(40_000));
        for d in 1..all.len() {
            let children: u32 = all[d - 1].iter().map(|n| n.children).sum();
            assert_eq!(children as usize, all[d].len());
            let entries: u64 = all[d].iter().map(|n| n.entries.unwrap()).sum();
            assert_eq!(entries, 40_000);
            for n in &all[d] {
                assert!(all[d - 1].iter().any(|p| Some(p.slot) == n.parent));
            }
        }
        assert!(all[2].iter().all(|n| n.children == 0 && n.height == 1));
        // At most 10 nodes: the root, the inner level, and the first leaves; nothing after.
        let cut = share.read(|tx| B.levels(tx, 12, 10)).unwrap();
        assert_eq!(cut.len(), 3);
        assert_eq!(cut.iter().map(Vec::len).sum::<usize>(), 10);
        assert_eq!(cut[2], all[2][..cut[2].len()]);
        // A bound met at the end of a level leaves no empty level behind.
        let top = 1 + all[1].len();
        let cut = share.read(|tx| B.levels(tx, 12, top)).unwrap();
        assert_eq!(cut.len(), 2);
    }
}
