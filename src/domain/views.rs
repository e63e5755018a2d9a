//! The domain's own views of what the lower layers report — a tree index's nodes, the users
//! hash's dispersion, the event log — so front ends import only `domain`.

use serde::Serialize;

use crate::me::avl::NodeView;
use crate::me::hash::Dispersion;
use crate::storage::Event;

/// One node of a publication index (an AVL or a B+ tree), as the level-order walk found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TreeNode {
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
    /// Children the node links to, read or not (a B+ tree's inner node: up to 127).
    pub children: u32,
    /// Entries at and below the node, when the index counts them (the B+ trees).
    pub entries: Option<u64>,
}

impl From<NodeView> for TreeNode {
    fn from(n: NodeView) -> TreeNode {
        TreeNode {
            slot: n.slot,
            key: n.key,
            pos: n.pos,
            balance: n.balance,
            height: n.height,
            left: n.left,
            right: n.right,
            parent: n.parent,
            children: n.children,
            entries: n.entries,
        }
    }
}

/// A tree's levels, root first.
pub(crate) fn tree_levels(levels: Vec<Vec<NodeView>>) -> Vec<Vec<TreeNode>> {
    levels
        .into_iter()
        .map(|l| l.into_iter().map(TreeNode::from).collect())
        .collect()
}

/// The users hash's dispersion test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HashDispersion {
    /// Buckets now: MAX (the spec's 80) until the table grows.
    pub buckets: u64,
    /// MAX, the buckets the table started with.
    pub home_buckets: u64,
    /// Linear hashing: doublings so far, and the next bucket to split.
    pub level: u32,
    pub next_split: u64,
    /// The growth bound: records per bucket above which a bucket is split.
    pub split_load: u64,
    pub records: u64,
    /// Records in the chain of each bucket (home record included).
    pub chain_lengths: Vec<u64>,
    /// `chain_lengths` summed over consecutive blocks of `block_size` buckets.
    pub block_size: u64,
    pub blocks: Vec<u64>,
    pub load_factor: f64,
    pub longest_chain: u64,
    pub empty_buckets: u64,
    /// Pearson's chi-square of the per-bucket counts against what a uniform hash gives (half
    /// as many in the buckets already split this round as in the others).
    pub chi_square: f64,
    /// Degrees of freedom of `chi_square` (buckets - 1); a uniform hash gives about this value.
    pub degrees_of_freedom: u64,
}

impl HashDispersion {
    /// Whether bucket `b` already uses this round's doubled modulus (split, or new).
    fn is_split(&self, b: u64) -> bool {
        let round = self.home_buckets << self.level;
        b < self.next_split || b >= round
    }

    /// Buckets not split yet this round, and the others.
    fn unsplit(&self) -> u64 {
        (self.home_buckets << self.level).saturating_sub(self.next_split)
    }

    /// The records a uniform hash puts in bucket `b` on average: in a growing table, a bucket
    /// already split this round (or a new one) gets half as many as one not split yet.
    pub fn expected(&self, b: u64) -> f64 {
        let weight = if self.is_split(b) { 1.0 } else { 2.0 };
        let total = (self.buckets + self.unsplit()) as f64;
        self.records as f64 * weight / total.max(1.0)
    }

    /// How many buckets a uniform hash leaves with `k` records: Poisson with each bucket's own
    /// mean (two means in a growing table).
    pub fn expected_with_length(&self, k: u64) -> f64 {
        let poisson = |lambda: f64| -> f64 {
            let mut p = (-lambda).exp();
            for i in 1..=k {
                p *= lambda / i as f64;
            }
            p
        };
        let unsplit = self.unsplit().min(self.buckets);
        let split = self.buckets - unsplit;
        let total = (self.buckets + unsplit) as f64;
        let one = self.records as f64 / total.max(1.0);
        split as f64 * poisson(one) + unsplit as f64 * poisson(2.0 * one)
    }
}

impl From<Dispersion> for HashDispersion {
    fn from(d: Dispersion) -> HashDispersion {
        HashDispersion {
            buckets: d.buckets,
            home_buckets: d.home_buckets,
            level: d.level,
            next_split: d.next_split,
            split_load: d.split_load,
            records: d.records,
            chain_lengths: d.chain_lengths,
            block_size: d.block_size,
            blocks: d.blocks,
            load_factor: d.load_factor,
            longest_chain: d.longest_chain,
            empty_buckets: d.empty_buckets,
            chi_square: d.chi_square,
            degrees_of_freedom: d.degrees_of_freedom,
        }
    }
}

/// One entry of the share's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedEvent {
    pub lamport: u64,
    pub wall_ms: i64,
    pub terminal: String,
    pub user: String,
    pub op: String,
    pub detail: String,
}

impl From<Event> for LoggedEvent {
    fn from(e: Event) -> LoggedEvent {
        LoggedEvent {
            lamport: e.lamport,
            wall_ms: e.wall_ms,
            terminal: e.terminal,
            user: e.user,
            op: e.op,
            detail: e.detail,
        }
    }
}
