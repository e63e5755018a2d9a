//! The ME structures ("métodos estructurales") of the spec, generic over record files: they know
//! keys, links and positions, never users or prices.
//!
//! * [`hash::OpenHash`] — open hash with collision chains (USUARIOS).
//! * [`list::LinkedList`] — ordered doubly linked list (CATEGORIAS).
//! * [`avl::AvlIndex`] — AVL index file over a data file (PUBLICADOS.NTX_1 / NTX_2).
//! * [`btree::RankedBTree`] — ranked B+ tree of 4 KiB nodes (ORDENES.IDX, PALABRAS.IDX).
//! * [`queues::PartialQueues`] — partial queues indexed by a compact head table (MENSAJES,
//!   VENTAS).
//!
//! Each has a `check` that verifies its invariants and a walk (bucket by bucket, level by level,
//! queue by queue) for drawing. All writes happen inside a storage write transaction, so a crash
//! in the middle of a rotation or a relink leaves the structure as it was.

pub mod avl;
pub mod btree;
pub mod hash;
pub mod list;
pub mod queues;
pub mod ranked;

use std::collections::{BTreeSet, HashSet};

use crate::storage::record::{NIL, Slot};
use crate::storage::{Result, StorageError, Tx};
use avl::NodeView;
use ranked::Entry;

/// The first `max_levels` levels of a tree of `file` (breadth first from `root`) for the
/// drawings, reading at most `max_nodes` nodes: the level where that bound is met is the last,
/// cut short (its nodes' `children` tell how many were left out); a walk that meets more nodes
/// than the file has slots is a cycle. `node(tx, slot, parent, level)` shows a node and names
/// its children.
pub(crate) fn tree_levels<T: Tx>(
    tx: &mut T,
    file: &str,
    root: u64,
    max_levels: usize,
    max_nodes: usize,
    mut node: impl FnMut(&mut T, u64, u64, usize) -> Result<(NodeView, Vec<u64>)>,
) -> Result<Vec<Vec<NodeView>>> {
    let limit = tx.slot_count(file)?;
    let mut levels = Vec::new();
    let mut frontier = if root == NIL {
        vec![]
    } else {
        vec![(root, NIL)]
    };
    let mut seen = 0u64;
    while !frontier.is_empty() && levels.len() < max_levels {
        let mut level = Vec::with_capacity(frontier.len());
        let mut next = Vec::new();
        let mut cut = false;
        for (slot, parent) in frontier {
            if seen as usize >= max_nodes {
                cut = true;
                break;
            }
            seen += 1;
            if seen > limit {
                return Err(StorageError::corrupt(file, "el árbol tiene un ciclo"));
            }
            let (view, children) = node(tx, slot, parent, levels.len())?;
            next.extend(children.into_iter().map(|c| (c, slot)));
            level.push(view);
        }
        if !level.is_empty() {
            levels.push(level);
        }
        if cut {
            break;
        }
        frontier = next;
    }
    Ok(levels)
}

/// Problems a `check` found in one structure (empty when sound).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Problems {
    pub structure: String,
    pub problems: Vec<String>,
}

impl Problems {
    /// Reports every live slot of `file` (of its `slots`) that a walk of the structure did not
    /// reach (`seen`).
    pub(crate) fn strays(
        &mut self,
        tx: &mut impl Tx,
        file: &str,
        slots: u64,
        seen: &HashSet<u64>,
    ) -> Result<()> {
        for s in 0..slots {
            if !seen.contains(&s) && matches!(tx.slot(file, s)?, Slot::Live(_)) {
                self.push(format!("nodo {s} ocupado pero fuera del árbol"));
            }
        }
        Ok(())
    }

    /// Reports up to 10 entries `expected` has and `got` lacks, and up to 10 the other way.
    pub(crate) fn entries_differ(&mut self, expected: &BTreeSet<Entry>, got: &[Entry]) {
        let got: BTreeSet<Entry> = got.iter().copied().collect();
        for (what, e) in expected
            .difference(&got)
            .take(10)
            .map(|e| ("falta", e))
            .chain(got.difference(expected).take(10).map(|e| ("sobra", e)))
        {
            self.push(format!(
                "{what} la entrada (clave {:#x}, posición {}, dato {:#x})",
                e.key, e.pos, e.payload
            ));
        }
    }

    pub fn new(structure: &str) -> Problems {
        Problems {
            structure: structure.to_string(),
            problems: Vec::new(),
        }
    }
    pub fn push(&mut self, p: impl Into<String>) {
        if self.problems.len() < 50 {
            self.problems.push(p.into());
        }
    }
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}
