//! AVL index file over a data file (PUBLICADOS.NTX_1 by seller, NTX_2 by category).
//!
//! ```text
//!   PUBLICADOS.CON control fields (the spec's "Raíz Índice 1/2", "Borrados Índice 1/2"):
//!   [root_field] root   [count_field] nodes   [free_field, +1] deleted-list head, length
//!
//!                    +--------------------+
//!                    | key 7, pos 12, h 3 |  <- root
//!                    +--------------------+
//!              left /   ^ parent     ^     \ right
//!     +-------------------+        +--------------------+
//!     | key 3, pos 40, h 1|        | key 7, pos 51, h 2 |  ...
//!     +-------------------+        +--------------------+
//! ```
//!
//! Node slot (48 bytes): `0 u64 key | 8 u64 data position | 16 u64 left | 24 u64 right |
//! 32 u64 parent | 40 u8 height | 41..48 zero`. Balance = height(left) - height(right).
//!
//! Many publications share a key (one seller, many articles), so nodes are ordered by
//! (key, position): every entry is distinct and a delete finds exactly its node.
//! Insert and delete rebalance by rotation on the way up (the four cases LL, RR, LR, RL).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;

pub const NODE_SIZE: u32 = 48;

/// No AVL tree is deeper than this (a tree of 2^64 nodes has height about 92): a descent or a
/// climb that takes more steps follows a corrupt link, and stops with an error instead of
/// looping under the exclusive lock.
const MAX_DEPTH: u64 = 128;

fn too_deep(file: &str) -> StorageError {
    StorageError::corrupt(file, "el árbol es más alto de lo posible o tiene un ciclo")
}

#[derive(Debug, Clone)]
pub struct AvlIndex {
    pub file: &'static str,
    pub control: &'static str,
    pub root_field: usize,
    pub count_field: usize,
    /// Head of the deleted-node list; its length is in `free_field + 1`.
    pub free_field: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    key: u64,
    pos: u64,
    left: u64,
    right: u64,
    parent: u64,
    height: u8,
}

/// A node as the level-order walk shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeView {
    /// Slot of the node in the index file.
    pub slot: u64,
    pub key: u64,
    /// Position of the record in the data file.
    pub pos: u64,
    pub balance: i32,
    pub height: u8,
    pub left: Option<u64>,
    pub right: Option<u64>,
    pub parent: Option<u64>,
    /// Children the node links to (read or not): 0 to 2 in an AVL, up to 127 in a B+ tree's
    /// inner node, 0 in its leaves.
    pub children: u32,
    /// Entries at and below the node when the structure counts them (a B+ leaf's own, an inner
    /// node's children's counts summed, a ranked AVL's subtree); `None` in a plain AVL.
    pub entries: Option<u64>,
}

fn opt(p: u64) -> Option<u64> {
    (p != NIL).then_some(p)
}

impl Node {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; NODE_SIZE as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.key)
            .u64(self.pos)
            .u64(self.left)
            .u64(self.right)
            .u64(self.parent)
            .u8(self.height);
        b
    }
    fn decode(b: &[u8]) -> Node {
        let mut d = Dec::new(b);
        Node {
            key: d.u64(),
            pos: d.u64(),
            left: d.u64(),
            right: d.u64(),
            parent: d.u64(),
            height: d.u8(),
        }
    }
    fn id(&self) -> (u64, u64) {
        (self.key, self.pos)
    }
}

impl AvlIndex {
    /// The record file of this index and its slot payload size (the control file is the data
    /// file's, listed by its owner).
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        vec![(self.file, NODE_SIZE)]
    }

    /// Creates the index file (its control fields live in `control`, which must exist).
    pub fn create(&self, tx: &mut WriteTx) -> Result<()> {
        if tx.exists(self.file)? {
            return Ok(());
        }
        tx.create_file(
            self.file,
            NODE_SIZE,
            FreeHome::Control {
                file: self.control.into(),
                field: self.free_field,
            },
        )?;
        tx.set_control(self.control, self.root_field, NIL)?;
        tx.set_control(self.control, self.free_field as usize, NIL)?;
        tx.set_control(self.control, self.free_field as usize + 1, 0)?;
        tx.set_control(self.control, self.count_field, 0)?;
        Ok(())
    }

    fn load(&self, tx: &mut impl Tx, slot: u64) -> Result<Node> {
        Ok(Node::decode(&tx.read(self.file, slot)?))
    }

    fn store(&self, tx: &mut WriteTx, slot: u64, n: &Node) -> Result<()> {
        tx.write(self.file, slot, &n.encode())
    }

    fn root(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.control, self.root_field)
    }

    pub fn len(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.control, self.count_field)
    }

    fn height(&self, tx: &mut impl Tx, slot: u64) -> Result<i32> {
        if slot == NIL {
            Ok(0)
        } else {
            Ok(self.load(tx, slot)?.height as i32)
        }
    }

    /// Every (key, position) with `lo <= key <= hi`, in (key, position) order.
    pub fn range(&self, tx: &mut impl Tx, lo: u64, hi: u64) -> Result<Vec<(u64, u64)>> {
        let mut out = Vec::new();
        let mut stack = Vec::new();
        let mut cur = self.root(tx)?;
        let limit = tx.slot_count(self.file)? + 1;
        let mut steps = 0u64;
        // In-order walk that skips subtrees outside [lo, hi].
        loop {
            while cur != NIL {
                steps += 1;
                if steps > 2 * limit {
                    return Err(StorageError::corrupt(self.file, "el árbol tiene un ciclo"));
                }
                let n = self.load(tx, cur)?;
                if n.key < lo {
                    cur = n.right;
                } else {
                    stack.push(n);
                    cur = n.left;
                }
            }
            let Some(n) = stack.pop() else { break };
            if n.key > hi {
                break;
            }
            out.push((n.key, n.pos));
            cur = n.right;
        }
        Ok(out)
    }

    /// The first entry at or after (key, 0): one root-to-leaf descent (about log2 n node reads).
    pub fn seek(&self, tx: &mut impl Tx, key: u64) -> Result<Option<(u64, u64)>> {
        let mut best = None;
        let mut cur = self.root(tx)?;
        let mut steps = 0u64;
        while cur != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, cur)?;
            if n.key >= key {
                best = Some(n.id());
                cur = n.left;
            } else {
                cur = n.right;
            }
        }
        Ok(best)
    }

    /// The data positions of every entry with `key`, in position order.
    pub fn find(&self, tx: &mut impl Tx, key: u64) -> Result<Vec<u64>> {
        Ok(self
            .range(tx, key, key)?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    /// Every entry in order.
    pub fn all(&self, tx: &mut impl Tx) -> Result<Vec<(u64, u64)>> {
        self.range(tx, 0, u64::MAX)
    }

    /// Inserts (key, position). Returns false if that exact entry is already indexed.
    pub fn insert(&self, tx: &mut WriteTx, key: u64, pos: u64) -> Result<bool> {
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
        let node = Node {
            key,
            pos,
            left: NIL,
            right: NIL,
            parent,
            height: 1,
        };
        let slot = tx.alloc(self.file, &node.encode())?;
        if parent == NIL {
            tx.set_control(self.control, self.root_field, slot)?;
        } else {
            let mut p = self.load(tx, parent)?;
            if go_left {
                p.left = slot
            } else {
                p.right = slot
            }
            self.store(tx, parent, &p)?;
        }
        let c = self.len(tx)?;
        tx.set_control(self.control, self.count_field, c + 1)?;
        self.rebalance_up(tx, parent)?;
        Ok(true)
    }

    /// Removes (key, position). Returns false if it was not indexed.
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
        // A node with two children takes its in-order successor's entry; the successor (which
        // has no left child) is the node actually unlinked.
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
        tx.set_control(self.control, self.count_field, c.saturating_sub(1))?;
        self.rebalance_up(tx, v.parent)?;
        Ok(true)
    }

    /// Points `parent`'s link to `old` (or the root, if `parent` is NIL) at `new`.
    fn replace_child(&self, tx: &mut WriteTx, parent: u64, old: u64, new: u64) -> Result<()> {
        if parent == NIL {
            return tx.set_control(self.control, self.root_field, new);
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

    /// Walks from `slot` to the root fixing heights and rotating where |balance| > 1.
    fn rebalance_up(&self, tx: &mut WriteTx, mut slot: u64) -> Result<()> {
        let mut steps = 0;
        while slot != NIL {
            steps += 1;
            if steps > MAX_DEPTH {
                return Err(too_deep(self.file));
            }
            let n = self.load(tx, slot)?;
            let bal = self.height(tx, n.left)? - self.height(tx, n.right)?;
            let top = if bal > 1 {
                let l = self.load(tx, n.left)?;
                if self.height(tx, l.left)? < self.height(tx, l.right)? {
                    self.rotate_left(tx, n.left)?; // LR
                }
                self.rotate_right(tx, slot)? // LL
            } else if bal < -1 {
                let r = self.load(tx, n.right)?;
                if self.height(tx, r.right)? < self.height(tx, r.left)? {
                    self.rotate_right(tx, n.right)?; // RL
                }
                self.rotate_left(tx, slot)? // RR
            } else {
                self.fix_height(tx, slot)?;
                slot
            };
            slot = self.load(tx, top)?.parent;
        }
        Ok(())
    }

    fn fix_height(&self, tx: &mut WriteTx, slot: u64) -> Result<()> {
        let mut n = self.load(tx, slot)?;
        let h = 1 + self.height(tx, n.left)?.max(self.height(tx, n.right)?);
        if n.height as i32 != h {
            n.height = h as u8;
            self.store(tx, slot, &n)?;
        }
        Ok(())
    }

    /// Rotates left around `x`; returns the new subtree root.
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
        self.fix_height(tx, x)?;
        self.fix_height(tx, y)?;
        Ok(y)
    }

    /// Rotates right around `x`; returns the new subtree root.
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
        self.fix_height(tx, x)?;
        self.fix_height(tx, y)?;
        Ok(y)
    }

    /// The tree level by level (breadth first), for the drawing the administrator asks for.
    pub fn levels(&self, tx: &mut impl Tx) -> Result<Vec<Vec<NodeView>>> {
        let mut levels = Vec::new();
        let root = self.root(tx)?;
        let mut frontier = if root == NIL { vec![] } else { vec![root] };
        let limit = tx.slot_count(self.file)?;
        let mut seen = 0u64;
        while !frontier.is_empty() {
            let mut level = Vec::with_capacity(frontier.len());
            let mut next = Vec::with_capacity(frontier.len() * 2);
            for slot in frontier {
                seen += 1;
                if seen > limit {
                    return Err(StorageError::corrupt(self.file, "el árbol tiene un ciclo"));
                }
                let n = self.load(tx, slot)?;
                let balance = self.height(tx, n.left)? - self.height(tx, n.right)?;
                level.push(NodeView {
                    slot,
                    key: n.key,
                    pos: n.pos,
                    balance,
                    height: n.height,
                    left: opt(n.left),
                    right: opt(n.right),
                    parent: opt(n.parent),
                    children: u32::from(n.left != NIL) + u32::from(n.right != NIL),
                    entries: None,
                });
                next.extend(opt(n.left));
                next.extend(opt(n.right));
            }
            levels.push(level);
            frontier = next;
        }
        Ok(levels)
    }

    /// Verifies the AVL invariants. With `expected`, also that the index holds exactly those
    /// (key, position) entries: every live data record indexed once, nothing else.
    pub fn check(
        &self,
        tx: &mut impl Tx,
        expected: Option<&BTreeSet<(u64, u64)>>,
    ) -> Result<Problems> {
        let mut p = Problems::new(self.file);
        tx.prefetch(self.file)?;
        let slots = tx.slot_count(self.file)?;
        let root = self.root(tx)?;
        let mut seen = HashSet::new();
        let mut entries = Vec::new();
        if root != NIL {
            if root >= slots {
                p.push(format!("la raíz {root} está fuera del archivo"));
                return Ok(p);
            }
            if self.load(tx, root)?.parent != NIL {
                p.push("la raíz tiene padre");
            }
            self.check_tree(tx, root, slots, &mut seen, &mut entries, &mut p)?;
        }
        for w in entries.windows(2) {
            if w[0] >= w[1] {
                p.push(format!(
                    "orden de búsqueda roto: {:?} antes de {:?}",
                    w[0], w[1]
                ));
            }
        }
        let count = self.len(tx)?;
        if count != entries.len() as u64 {
            p.push(format!(
                "el control dice {count} nodos y el árbol tiene {}",
                entries.len()
            ));
        }
        for s in 0..slots {
            if !seen.contains(&s) && matches!(tx.slot(self.file, s)?, Slot::Live(_)) {
                p.push(format!("nodo {s} ocupado pero fuera del árbol"));
            }
        }
        if let Some(exp) = expected {
            let got: BTreeSet<(u64, u64)> = entries.iter().copied().collect();
            for e in exp.difference(&got).take(10) {
                p.push(format!(
                    "el registro en la posición {} (clave {}) no está indexado",
                    e.1, e.0
                ));
            }
            for e in got.difference(exp).take(10) {
                p.push(format!(
                    "el índice apunta a la posición {} (clave {}) que no corresponde",
                    e.1, e.0
                ));
            }
        }
        Ok(p)
    }

    /// Checks the tree under `root` without recursion (a corrupt file may describe a tree as
    /// deep as it has slots): every link reached once, parents right, real heights against
    /// the stored ones and the balance; collects the (key, position) entries in order.
    fn check_tree(
        &self,
        tx: &mut impl Tx,
        root: u64,
        slots: u64,
        seen: &mut HashSet<u64>,
        entries: &mut Vec<(u64, u64)>,
        p: &mut Problems,
    ) -> Result<()> {
        // 1. Pre-order walk: accept each node once, through the first link that reaches it.
        let mut nodes: HashMap<u64, Node> = HashMap::new();
        let mut order = Vec::new();
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
                    "nodo {slot}: padre {} y debería ser {}",
                    n.parent, parent
                ));
            }
            nodes.insert(slot, n);
            order.push((slot, parent));
            stack.push((n.right, slot));
            stack.push((n.left, slot));
        }
        let accepted_parent: HashMap<u64, u64> = order.iter().copied().collect();
        // A link counts only if the walk accepted the child through it.
        let child = |from: u64, to: u64| -> Option<u64> {
            (to != NIL && accepted_parent.get(&to) == Some(&from)).then_some(to)
        };
        // 2. Real heights, children before parents (reverse pre-order).
        let mut height: HashMap<u64, i32> = HashMap::new();
        for &(slot, _) in order.iter().rev() {
            let n = nodes[&slot];
            let h = |c: Option<u64>| c.map_or(0, |c| height[&c]);
            let (hl, hr) = (h(child(slot, n.left)), h(child(slot, n.right)));
            if (hl - hr).abs() > 1 {
                p.push(format!("nodo {slot}: desbalanceado ({hl} contra {hr})"));
            }
            let real = 1 + hl.max(hr);
            if n.height as i32 != real {
                p.push(format!(
                    "nodo {slot}: altura guardada {} y real {real}",
                    n.height
                ));
            }
            height.insert(slot, real);
        }
        // 3. In-order entries.
        let mut stack = Vec::new();
        let mut cur = Some(root).filter(|r| nodes.contains_key(r));
        loop {
            while let Some(c) = cur {
                stack.push(c);
                cur = child(c, nodes[&c].left);
            }
            let Some(c) = stack.pop() else { break };
            entries.push(nodes[&c].id());
            cur = child(c, nodes[&c].right);
        }
        Ok(())
    }

    /// Repair: rebuilds the index to hold exactly `entries` (sorted and deduplicated here):
    /// every node slot freed, the free list relinked, then a perfectly balanced tree written
    /// bottom-up from the sorted entries (no rotations needed), root and count set.
    pub fn rebuild(&self, tx: &mut WriteTx, entries: &[(u64, u64)]) -> Result<()> {
        let mut e = entries.to_vec();
        e.sort();
        e.dedup();
        tx.reset_slots(self.file, |_, _| false)?;
        tx.set_control(self.control, self.root_field, NIL)?;
        tx.set_control(self.control, self.count_field, e.len() as u64)?;
        if e.is_empty() {
            return Ok(());
        }
        // Slots first (each node needs its children's and parent's slots).
        let mut slots = Vec::with_capacity(e.len());
        let blank = Node {
            key: 0,
            pos: 0,
            left: NIL,
            right: NIL,
            parent: NIL,
            height: 1,
        };
        for _ in &e {
            slots.push(tx.alloc(self.file, &blank.encode())?);
        }
        let root = self.build(tx, &e, &slots, 0, e.len(), NIL)?.0;
        tx.set_control(self.control, self.root_field, root)
    }

    /// Writes the balanced subtree of `e[lo..hi]`; returns its root slot and height. Recursion
    /// depth is log2 of the number of entries.
    fn build(
        &self,
        tx: &mut WriteTx,
        e: &[(u64, u64)],
        slots: &[u64],
        lo: usize,
        hi: usize,
        parent: u64,
    ) -> Result<(u64, u8)> {
        if lo >= hi {
            return Ok((NIL, 0));
        }
        let mid = lo + (hi - lo) / 2;
        let slot = slots[mid];
        let (left, hl) = self.build(tx, e, slots, lo, mid, slot)?;
        let (right, hr) = self.build(tx, e, slots, mid + 1, hi, slot)?;
        let height = 1 + hl.max(hr);
        let n = Node {
            key: e[mid].0,
            pos: e[mid].1,
            left,
            right,
            parent,
            height,
        };
        self.store(tx, slot, &n)?;
        Ok((slot, height))
    }
}
