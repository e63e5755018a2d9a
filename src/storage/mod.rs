//! The byte layer: record files on a shared folder, and the machinery that lets many terminals
//! write them at once and survive a power cut.
//!
//! * [`record`]: the fixed-slot record file (header, slots with checksums, free list).
//! * [`ctl`]: `VENTALIBRE.CTL`, the share's identity, file catalog and commit state.
//! * [`wal`]: `VENTALIBRE.LOG`, the redo log: a commit appends one frame (two fsyncs, whatever
//!   the number of files), every terminal reads the new frames in front of the record files,
//!   and a checkpoint folds them into the files now and then.
//! * [`journal`]: `VENTALIBRE.JNL`, the rollback journal of format-1 shares (still rolled back).
//! * [`lock`] and [`lease`]: the share lock (flock on `VENTALIBRE.LCK`) and the write lease
//!   (`VENTALIBRE.OWN`) that detects shares whose locks do not cross terminals.
//! * [`share`]: transactions, the commit protocol, recovery and the reader cache.
//! * [`events`]: the Lamport-ordered event log.
//! * [`probe`]: what a folder holds before a share is created in it (never over a damaged one).
//! * [`rebuild`]: a damaged `VENTALIBRE.CTL` made again from the record files (repair).
//! * [`check`]: the storage-level fsck (headers, slot checksums, free lists).
//! * [`blobs`]: whole files beside the record files (photos), written under the locks.
//! * [`backend`]: all file I/O goes through one trait, so tests can count and fail it.
//! * [`fasthash`]: the multiply-rotate hash of the read path's maps (slots, files, memo).

pub mod backend;
pub mod blobs;
pub mod changelog;
pub mod check;
pub mod codec;
pub mod crc;
pub mod ctl;
pub mod error;
pub mod events;
pub mod fasthash;
pub mod fsinfo;
pub mod ident;
pub mod journal;
pub mod lease;
pub mod lock;
pub mod powercut;
pub mod probe;
pub mod rebuild;
pub mod record;
pub mod share;
pub mod wal;

pub use backend::{Backend, BackendFile, FaultKind, FaultyBackend, FsBackend, IoStats};
pub use error::{Result, StorageError};
pub use events::{EVENTS_FILE, Event};
pub use fsinfo::{FsInfo, FsKind, FsPolicy};
pub use lease::LeaseTiming;
pub use record::{FreeHome, Header, NIL, Slot};
pub use share::{ReadTx, Share, ShareConfig, Tx, WriteTx};
