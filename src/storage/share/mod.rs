//! The share: a folder of record files that many terminals read and write at once.
//!
//! * [`Share::read`] runs a read transaction under the shared lock.
//! * [`Share::write`] runs a write transaction under the exclusive lock and the write lease, and
//!   commits all its changes to all files atomically through the redo log.
//!
//! One file per concern, in the order `docs/FORMAT.md` describes the protocol:
//!
//! * [`open`](self::open): opening and creating a share (`VENTALIBRE.CTL`), reading the commit state.
//! * [`transaction`]: the transaction API — locks, lease, the reader's retry loop.
//! * [`tx`]: what a transaction can do: the [`Tx`] trait, [`ReadTx`], [`WriteTx`].
//! * [`cache`]: the reader cache and the view through which transactions read.
//! * [`commit`] and [`recovery`], side by side: the commit protocol and its undoing.
//!
//! Commit protocol (see `docs/FORMAT.md` for the bytes and the reasoning):
//!
//! 1. Append the commit's frame (new headers, changed slots, new catalog) to the redo log
//!    `VENTALIBRE.LOG` ([`crate::storage::wal`]); fsync it.
//! 2. Write the change-log entry and the commit state (counter + 1, Lamport time, the log's
//!    generation and new end) into `VENTALIBRE.CTL`; fsync it. This is the commit point: two
//!    fsyncs whatever the number of files.
//! 3. Now and then (past 512 KiB of log, after a catalog change, when a terminal that wrote
//!    closes the share) fold the log into the record files: a checkpoint.
//!
//! Every terminal reads the frames past the end it knows in front of the record files (the
//! overlay), so the files may lag behind the log and nobody notices. A torn commit state is
//! recovered by folding the log's chain of whole frames; a format-1 share's hot rollback journal
//! is rolled back, under the exclusive lock and the lease, before anything is read.
//!
//! Reader cache: what a terminal has read stays in memory while the change counter in the commit
//! state is unchanged, so revalidating an unchanged share costs one open and one 64-byte read.
//! When the counter moved, each file's header is read once and its cached slots are kept if the
//! file's own change counter did not move.
//!
//! Readers also validate optimistically (a sequence lock): if a read transaction had to go to
//! disk, it rereads the commit state at the end and retries if a commit happened meanwhile. With
//! working locks that never triggers; on a share whose locks do not cross terminals it keeps
//! readers from ever returning a half-written state.

mod cache;
mod commit;
mod open;
mod recovery;
mod repair;
mod transaction;
mod tx;

use crate::storage::fasthash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::backend::{Backend, BackendFile, IoCounters, IoStats};
use super::error::StorageError;
use super::fsinfo::{FsInfo, FsPolicy};
use super::ident::ProcessIdentity;
use super::lease::LeaseTiming;
use super::lock::ShareLock;

use cache::Cache;
pub(crate) use recovery::fold_log_chain;
pub use repair::SlotsReset;
pub use tx::{ReadTx, Tx, WriteTx};

/// How a share is opened.
#[derive(Debug, Clone)]
pub struct ShareConfig {
    /// How long a transaction waits for the lock before [`StorageError::Busy`].
    pub busy_timeout: Duration,
    /// Heartbeat and timeout of the write lease.
    pub lease: LeaseTiming,
    /// This terminal's name (default: `VENTALIBRE_TERMINAL`, else the host name).
    pub terminal: Option<String>,
    /// Reads of runs of slots a transaction may have in flight at once (1 to 64; default
    /// `VENTALIBRE_PARALLEL_READS`); `None`: what the file system calls for
    /// ([`Share::parallel_reads`]).
    pub parallel_reads: Option<usize>,
}

/// `VENTALIBRE_BUSY_TIMEOUT`: seconds (1 to 600) a transaction waits for the lock before
/// answering "ocupada", for a share much slower than a LAN (docs/SHARES.md). Anything else is
/// ignored.
fn busy_timeout_from_env() -> Option<Duration> {
    env_number("VENTALIBRE_BUSY_TIMEOUT", 1..=600).map(Duration::from_secs)
}

/// `VENTALIBRE_PARALLEL_READS`: reads of scattered runs of slots a transaction sends at once
/// (1 to 64; see [`Share::parallel_reads`]). Anything else is ignored.
fn parallel_reads_from_env() -> Option<usize> {
    env_number("VENTALIBRE_PARALLEL_READS", 1..=64).map(|n| n as usize)
}

fn env_number(name: &str, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
    let n: u64 = std::env::var(name).ok()?.trim().parse().ok()?;
    range.contains(&n).then_some(n)
}

impl Default for ShareConfig {
    fn default() -> Self {
        ShareConfig {
            busy_timeout: busy_timeout_from_env().unwrap_or(Duration::from_secs(10)),
            lease: LeaseTiming {
                renew: Duration::from_millis(250),
                timeout: Duration::from_secs(2),
            },
            terminal: None,
            parallel_reads: parallel_reads_from_env(),
        }
    }
}

/// Reads of runs of slots one transaction has in flight at once on a network share (see
/// [`Share::parallel_reads`]).
pub const PARALLEL_READS: usize = 8;

/// Fewer runs than this are read one after another even where reads may run in parallel: the
/// threads would cost more than the round trips they save.
pub const PARALLEL_MIN_RUNS: usize = 8;

/// A share opened by this terminal. Cheap to share between threads (`&Share` is `Sync`);
/// transactions of one `Share` run one at a time.
pub struct Share {
    dir: PathBuf,
    backend: Arc<dyn Backend>,
    counters: Arc<IoCounters>,
    config: ShareConfig,
    lock: ShareLock,
    me: ProcessIdentity,
    /// The file system the share is on, and what the core does about it.
    fs: FsInfo,
    policy: FsPolicy,
    /// Why this terminal may only read, if it may only read.
    read_only: Option<String>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(super) struct Inner {
    cache: Cache,
    /// Read-only handles of the control file and the record files.
    handles: HashMap<String, Arc<dyn BackendFile>>,
    /// Handles open for writing, kept between commits only where that is safe
    /// ([`Share::keep_handles`]).
    rw_handles: HashMap<String, Arc<dyn BackendFile>>,
    /// This terminal's Lamport clock.
    lamport: u64,
    last_stats: IoStats,
    /// The redo log's frames since the last checkpoint, read in front of the record files.
    log: super::wal::LogOverlay,
    /// The format version the share's identity records (the first commit marks a version-1
    /// share as version 2).
    format_version: u16,
    /// This `Share` committed something: on drop it folds the log into the files if it can at
    /// once (see [`Share::checkpoint`]).
    wrote: bool,
}

impl Inner {
    pub(super) fn forget_handles(&mut self) {
        self.handles.clear();
        self.rw_handles.clear();
    }

    /// Forgets everything read from the share: cache, overlay of the log, handles.
    pub(super) fn forget_all(&mut self) {
        self.cache.clear();
        self.log = Default::default();
        self.forget_handles();
    }
}

impl Share {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file system holding the share and the storage core's decisions for it.
    pub fn environment(&self) -> (&FsInfo, &FsPolicy) {
        (&self.fs, &self.policy)
    }

    /// Why this terminal cannot write the share, if it cannot.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// The blob store in the sub-folder `dir` (photos), through this share's backend.
    pub fn blobs(&self, dir: &'static str, max_len: u64) -> super::blobs::BlobStore {
        super::blobs::BlobStore::new(self.backend.clone(), dir, max_len)
    }

    pub fn terminal(&self) -> &str {
        &self.me.terminal
    }

    /// Totals of I/O operations done by this `Share` so far.
    pub fn io_totals(&self) -> IoStats {
        self.counters.snapshot()
    }

    /// The I/O of the last finished transaction.
    pub fn last_tx_stats(&self) -> IoStats {
        self.inner().last_stats
    }

    /// Drops everything this terminal has cached (benchmarks use it to measure cold reads).
    pub fn drop_cache(&self) {
        self.inner().forget_all();
    }

    /// Whether open handles stay valid across other terminals' commits, so that files need
    /// not be reopened for each transaction (every open is a round trip on a share): with
    /// direct I/O (NFS) there is no client cache to revalidate; a local disk has one coherent
    /// cache. Not on SMB: a handle kept open holds a caching lease that the server must break
    /// (and wait for the client's answer) before another terminal may open the file — in the
    /// test VM eight terminals' first transactions then waited over a minute. Elsewhere (SMB,
    /// FUSE mounts, unknown file systems) files are reopened after every change
    /// (close-to-open), and handles for writing live only inside a commit.
    pub(super) fn keep_handles(&self) -> bool {
        self.policy.direct_io || matches!(self.fs.kind, super::fsinfo::FsKind::Local)
    }

    /// How many reads of separate runs of slots a transaction may have in flight at once
    /// (`View::read_slots`, when a request has at least [`PARALLEL_MIN_RUNS`] runs):
    /// [`PARALLEL_READS`] where every read is a round trip to the server (direct I/O: NFS), one
    /// elsewhere. Measured in the test VM (docs/PERFORMANCE.md): on NFS a category page's ~50
    /// scattered listings and a search's candidates came 20 % sooner; on SMB, whose client
    /// serves reads from its cache, the threads only cost; on a local disk a read is a system
    /// call, cheaper than starting a thread. [`ShareConfig::parallel_reads`] or
    /// `VENTALIBRE_PARALLEL_READS` (1–64) set it, e.g. to use the parallel path in tests.
    pub(super) fn parallel_reads(&self) -> usize {
        if let Some(n) = self.config.parallel_reads {
            return n.clamp(1, 64);
        }
        if self.policy.direct_io {
            PARALLEL_READS
        } else {
            1
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic inside a transaction leaves only the cache in doubt: clear it and go on.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            g.forget_all();
            g
        })
    }

    /// Takes the exclusive lock and then the write lease.
    ///
    /// On SMB the Linux client now and then grants an flock that another terminal still holds
    /// (see `lock.rs`); the lease, created with an exclusive create that the server decides,
    /// then finds that terminal's live lease on record. There it means "another writer is still
    /// at work", not "this share's locks never cross": the lock is released and taken again
    /// until the lease is free or the deadline passes (Busy). Elsewhere a live lease is refused
    /// ([`StorageError::LocksNotShared`]), as before.
    pub(super) fn lock_for_writing(
        &self,
        started: Instant,
        deadline: Instant,
    ) -> super::error::Result<(super::lock::LockGuard<'_>, super::lease::Lease)> {
        let smb = self.fs.kind == super::fsinfo::FsKind::Smb;
        loop {
            let guard = self
                .lock
                .acquire(super::lock::LockMode::Exclusive, started, deadline)?;
            match self.lease(deadline) {
                Ok(lease) => return Ok((guard, lease)),
                Err(StorageError::LocksNotShared { .. }) if smb && Instant::now() < deadline => {
                    drop(guard);
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(StorageError::LocksNotShared { .. }) if smb => {
                    return Err(StorageError::Busy {
                        waited_ms: started.elapsed().as_millis() as u64,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes the write lease (the caller holds the exclusive lock).
    fn lease(&self, deadline: Instant) -> super::error::Result<super::lease::Lease> {
        super::lease::acquire(
            &self.dir,
            self.policy.direct_io,
            &self.me,
            self.config.lease,
            deadline,
        )
    }

    fn deadline(&self) -> (Instant, Instant) {
        let now = Instant::now();
        (now, now + self.config.busy_timeout)
    }
}
