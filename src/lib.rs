//! VentaLibre: a marketplace for a local network, whose data lives in binary record files on a
//! shared folder that every terminal opens. There is no server: terminals coordinate through
//! advisory locks on that folder.
//!
//! # Layout
//!
//! * [`storage`] — the byte layer: record files, share lock, rollback journal, change counter,
//!   Lamport clock and event log.
//! * `me` — the ME structures (open hash, doubly linked list, AVL index, partial queues),
//!   generic over record files.
//! * `domain` — users, categories, publications, sales, conversations, wallet and invoices.
//! * `cli` and `gui` — the two front ends, thin over the domain.

// The library handles every error (rerun's rule); tests may unwrap (clippy.toml).
#![warn(clippy::unwrap_used)]

pub mod cli;
pub mod domain;
pub mod gui;
pub mod me;
pub mod storage;
#[cfg(test)]
mod test_support;
