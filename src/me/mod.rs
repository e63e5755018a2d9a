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

/// Problems a `check` found in one structure (empty when sound).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Problems {
    pub structure: String,
    pub problems: Vec<String>,
}

impl Problems {
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
