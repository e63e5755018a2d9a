//! The share: a folder of record files that many terminals read and write at once.
//!
//! * [`Share::read`] runs a read transaction under the shared lock.
//! * [`Share::write`] runs a write transaction under the exclusive lock and the write lease, and
//!   commits all its changes to all files atomically through the rollback journal.
//!
//! Commit protocol (see `docs/FORMAT.md` for the bytes and the reasoning):
//!
//! 1. Write the original bytes of every region the commit will overwrite, and every file's
//!    original length, to `VENTALIBRE.JNL`; fsync it.
//! 2. Write the commit state *hot* (with the journal's nonce, length and checksum) into
//!    `VENTALIBRE.CTL`; fsync it. From here a crash leaves a hot journal.
//! 3. Write the new headers and slots of every changed file; fsync each file.
//! 4. Write the commit state *idle* with the change counter + 1 and the new Lamport time; fsync.
//!    This single small write is the commit point.
//!
//! Whoever starts a transaction and finds the state hot rolls the journal back (under the
//! exclusive lock and the lease) before reading anything.
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

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::backend::{Backend, BackendFile, CountingBackend, FsBackend, IoCounters, IoStats};
use super::ctl::{
    CATALOG_MAX, CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, CatalogEntry, CommitState,
    IDENTITY_OFFSET, IDENTITY_SIZE, Identity, Phase, STATE_OFFSET, STATE_SIZE,
};
use super::error::{Result, StorageError};
use super::ident::{ProcessIdentity, now_ms, random_u64};
use super::journal::{JOURNAL_FILE, JOURNAL_HEADER_SIZE, Journal, JournalFile};
use super::lease::{self, LeaseTiming};
use super::lock::{LockMode, ShareLock};
use super::record::{
    CONTROL_FIELDS, FreeHome, HEADER_SIZE, Header, NIL, Slot, TAG_LEN, decode_slot, encode_slot,
};

/// How a share is opened.
#[derive(Debug, Clone)]
pub struct ShareConfig {
    /// How long a transaction waits for the lock before [`StorageError::Busy`].
    pub busy_timeout: Duration,
    /// Heartbeat and timeout of the write lease.
    pub lease: LeaseTiming,
    /// This terminal's name (default: `VENTALIBRE_TERMINAL`, else the host name).
    pub terminal: Option<String>,
}

impl Default for ShareConfig {
    fn default() -> Self {
        ShareConfig {
            busy_timeout: Duration::from_secs(10),
            lease: LeaseTiming {
                renew: Duration::from_millis(250),
                timeout: Duration::from_secs(2),
            },
            terminal: None,
        }
    }
}

/// A share opened by this terminal. Cheap to share between threads (`&Share` is `Sync`);
/// transactions of one `Share` run one at a time.
pub struct Share {
    dir: PathBuf,
    backend: Arc<dyn Backend>,
    counters: Arc<IoCounters>,
    config: ShareConfig,
    lock: ShareLock,
    me: ProcessIdentity,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    cache: Cache,
    handles: HashMap<String, Arc<dyn BackendFile>>,
    /// This terminal's Lamport clock.
    lamport: u64,
    last_stats: IoStats,
}

#[derive(Default)]
struct Cache {
    /// The change counter the cache was last validated against.
    counter: Option<u64>,
    catalog: Option<Catalog>,
    files: HashMap<String, FileCache>,
}

struct FileCache {
    header: Header,
    /// The share change counter at which `header` was read or written.
    verified_at: u64,
    slots: HashMap<u64, Slot>,
}

impl Cache {
    fn clear(&mut self) {
        *self = Cache::default();
    }
}

impl Share {
    /// Opens an existing share in `dir` (the folder must hold `VENTALIBRE.CTL`).
    pub fn open(dir: impl AsRef<Path>, config: ShareConfig) -> Result<Share> {
        Share::open_with(dir, config, None, false)
    }

    /// Opens the share in `dir`, creating its control file if the folder has none.
    pub fn open_or_create(dir: impl AsRef<Path>, config: ShareConfig) -> Result<Share> {
        Share::open_with(dir, config, None, true)
    }

    /// Like [`Share::open_or_create`] / [`Share::open`], with data I/O through `backend`
    /// (tests put a failing backend here). The lock and the lease always use the real folder.
    pub fn open_with(
        dir: impl AsRef<Path>,
        config: ShareConfig,
        backend: Option<Arc<dyn Backend>>,
        create: bool,
    ) -> Result<Share> {
        let dir = dir.as_ref().to_path_buf();
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(StorageError::Unreachable {
                    dir: dir.display().to_string(),
                    source: io::Error::new(io::ErrorKind::NotADirectory, "no es una carpeta"),
                });
            }
            Err(source) => {
                return Err(StorageError::Unreachable {
                    dir: dir.display().to_string(),
                    source,
                });
            }
        }
        let inner_backend = backend.unwrap_or_else(|| Arc::new(FsBackend::new(&dir)));
        let counting = CountingBackend::new(inner_backend);
        let counters = counting.counters().clone();
        let lock = ShareLock::open(&dir)?;
        let me = ProcessIdentity::current(config.terminal.clone());
        let share = Share {
            dir,
            backend: Arc::new(counting),
            counters,
            config,
            lock,
            me,
            inner: Mutex::new(Inner::default()),
        };
        share.ensure_control(create)?;
        Ok(share)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn terminal(&self) -> &str {
        &self.me.terminal
    }

    /// The blob store in the sub-folder `dir` (photos), through this share's backend.
    pub fn blobs(&self, dir: &'static str, max_len: u64) -> super::blobs::BlobStore {
        super::blobs::BlobStore::new(self.backend.clone(), dir, max_len)
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
        let mut inner = self.inner();
        inner.cache.clear();
        inner.handles.clear();
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic inside a transaction leaves only the cache in doubt: clear it and go on.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            g.cache.clear();
            g.handles.clear();
            g
        })
    }

    fn deadline(&self) -> (Instant, Instant) {
        let now = Instant::now();
        (now, now + self.config.busy_timeout)
    }

    /// Creates `VENTALIBRE.CTL` if absent (when `create`), under the exclusive lock and lease.
    fn ensure_control(&self, create: bool) -> Result<()> {
        match self.backend.open(CTL_FILE) {
            Ok(f) => {
                if !(create && unfinished_creation(&*f)?) {
                    let mut b = [0u8; IDENTITY_SIZE];
                    return match f.read_at(IDENTITY_OFFSET, &mut b) {
                        Ok(()) => Identity::decode(&b)
                            .map(|_| ())
                            .map_err(|d| StorageError::corrupt(CTL_FILE, d)),
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(
                            StorageError::corrupt(CTL_FILE, "archivo de control truncado"),
                        ),
                        Err(e) => Err(StorageError::io(CTL_FILE, "leer", e)),
                    };
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StorageError::Missing {
                    file: CTL_FILE.into(),
                });
            }
            Err(e) => return Err(StorageError::io(CTL_FILE, "abrir", e)),
        }
        let (started, deadline) = self.deadline();
        let _guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
        let _lease = lease::acquire(&self.dir, &self.me, self.config.lease, deadline)?;
        let f = self
            .backend
            .open_or_create(CTL_FILE)
            .map_err(|e| StorageError::io(CTL_FILE, "crear", e))?;
        // Another terminal may have created it while we waited for the lock.
        if !unfinished_creation(&*f)? {
            let mut b = [0u8; IDENTITY_SIZE];
            f.read_at(IDENTITY_OFFSET, &mut b)
                .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
            return Identity::decode(&b)
                .map(|_| ())
                .map_err(|d| StorageError::corrupt(CTL_FILE, d));
        }
        let io = |e| StorageError::io(CTL_FILE, "crear", e);
        let id = Identity {
            share_id: random_u64(),
            created_ms: now_ms(),
        };
        f.write_at(CATALOG_OFFSET, &Catalog::default().encode())
            .map_err(io)?;
        f.write_at(STATE_OFFSET, &CommitState::idle(1, 0).encode())
            .map_err(io)?;
        f.sync().map_err(io)?;
        // The identity goes last: a control file without one is not a share yet.
        f.write_at(IDENTITY_OFFSET, &id.encode()).map_err(io)?;
        f.sync().map_err(io)
    }

    /// Opens the control file afresh (close-to-open consistency on NFS) and reads the state.
    fn read_state(&self) -> Result<(Arc<dyn BackendFile>, Option<CommitState>)> {
        let ctl = self
            .backend
            .open(CTL_FILE)
            .map_err(|e| self.unreachable_or(e, "abrir"))?;
        let mut b = [0u8; STATE_SIZE];
        ctl.read_at(STATE_OFFSET, &mut b).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                StorageError::corrupt(CTL_FILE, "archivo de control truncado")
            } else {
                StorageError::io(CTL_FILE, "leer", e)
            }
        })?;
        Ok((ctl, CommitState::decode(&b)))
    }

    fn unreachable_or(&self, e: io::Error, op: &'static str) -> StorageError {
        if !self.dir.is_dir() {
            StorageError::Unreachable {
                dir: self.dir.display().to_string(),
                source: e,
            }
        } else if e.kind() == io::ErrorKind::NotFound {
            // It was there when the share was opened: the share vanished (an unmount leaves an
            // empty mount point).
            StorageError::Unreachable {
                dir: self.dir.display().to_string(),
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    "VENTALIBRE.CTL ya no está: la carpeta compartida dejó de estar disponible",
                ),
            }
        } else {
            StorageError::io(CTL_FILE, op, e)
        }
    }

    /// Runs `f` as a read transaction. `f` may run more than once (it is retried if a commit of
    /// another terminal overlapped it on a share whose locks do not cross terminals).
    pub fn read<T, E>(&self, mut f: impl FnMut(&mut ReadTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let mut inner = self.inner();
        let before = self.counters.snapshot();
        let (started, deadline) = self.deadline();
        let result = loop {
            let guard = self.lock.acquire(LockMode::Shared, started, deadline)?;
            let (ctl, state) = self.read_state()?;
            let state = match state {
                Some(s) if s.phase == Phase::Idle => s,
                _ => {
                    drop(guard);
                    self.recover_as_reader(&mut inner, started, deadline)?;
                    continue;
                }
            };
            revalidate(&mut inner, state);
            let mut tx = ReadTx {
                view: View::new(self, &mut inner, ctl.clone(), state),
            };
            let out = f(&mut tx);
            let went_to_disk = tx.view.went_to_disk;
            if went_to_disk {
                let (_, after) = self.read_state()?;
                if after != Some(state) {
                    // A commit overlapped this read (locks not crossing): forget and retry.
                    inner.cache.clear();
                    inner.handles.clear();
                    drop(guard);
                    if Instant::now() >= deadline {
                        return Err(StorageError::Busy {
                            waited_ms: started.elapsed().as_millis() as u64,
                        }
                        .into());
                    }
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            }
            drop(guard);
            break out;
        };
        inner.last_stats = self.counters.snapshot().since(&before);
        result
    }

    /// Runs `f` as a write transaction: all its changes commit together or not at all. If `f`
    /// returns an error nothing is written.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let mut inner = self.inner();
        let before = self.counters.snapshot();
        let result = self.write_locked(&mut inner, f);
        inner.last_stats = self.counters.snapshot().since(&before);
        result
    }

    fn write_locked<T, E>(
        &self,
        inner: &mut Inner,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let (started, deadline) = self.deadline();
        let _guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
        let lease = lease::acquire(&self.dir, &self.me, self.config.lease, deadline)?;
        let (ctl, state) = self.read_state()?;
        let state = match state {
            Some(s) if s.phase == Phase::Idle => s,
            _ => {
                lease.confirm()?;
                self.recover(inner, &ctl, state)?;
                self.read_state()?.1.ok_or_else(|| {
                    StorageError::corrupt(CTL_FILE, "estado ilegible tras la recuperación")
                })?
            }
        };
        revalidate(inner, state);
        let tx_lamport = inner.lamport.max(state.lamport) + 1;
        let mut tx = WriteTx {
            view: View::new(self, inner, ctl.clone(), state),
            dirty: BTreeMap::new(),
            catalog: None,
            lamport: tx_lamport,
            events: 0,
        };
        let out = f(&mut tx)?;
        let WriteTx {
            dirty,
            catalog,
            lamport,
            events,
            ..
        } = tx;
        if dirty.is_empty() && catalog.is_none() {
            return Ok(out);
        }
        let final_lamport = lamport + events.saturating_sub(1);
        // Nothing is written unless the lease is still ours (see `Lease::confirm`).
        lease.confirm()?;
        if let Err(e) = self.commit(inner, &ctl, state, dirty, catalog, final_lamport) {
            inner.cache.clear();
            inner.handles.clear();
            return Err(e.into());
        }
        Ok(out)
    }

    /// Takes the exclusive lock and the lease and rolls back a hot journal.
    fn recover_as_reader(
        &self,
        inner: &mut Inner,
        started: Instant,
        deadline: Instant,
    ) -> Result<()> {
        loop {
            let guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
            match lease::acquire(&self.dir, &self.me, self.config.lease, deadline) {
                Ok(lease) => {
                    let (ctl, state) = self.read_state()?;
                    if state.is_none_or(|s| s.phase == Phase::Hot) {
                        lease.confirm()?;
                        self.recover(inner, &ctl, state)?;
                    }
                    return Ok(());
                }
                // A writer of another terminal is committing (locks not crossing): wait for it.
                Err(StorageError::LocksNotShared { .. }) if Instant::now() < deadline => {
                    drop(guard);
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(StorageError::LocksNotShared { .. }) => {
                    return Err(StorageError::Busy {
                        waited_ms: started.elapsed().as_millis() as u64,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Rolls back the hot journal. The caller holds the exclusive lock and the lease.
    fn recover(
        &self,
        inner: &mut Inner,
        ctl: &Arc<dyn BackendFile>,
        state: Option<CommitState>,
    ) -> Result<()> {
        inner.cache.clear();
        inner.handles.clear();
        let (counter, lamport) = match state {
            Some(s) => match self.read_journal(state)? {
                Some(j) => {
                    self.apply_rollback(&j)?;
                    (j.counter_before + 2, j.lamport_before.max(s.lamport))
                }
                None => (s.counter + 2, s.lamport),
            },
            // A torn or damaged commit state. Every write of the state comes either before any
            // data write of its commit (step 2) or after all of them are durable (step 4, and
            // recovery's own last write), so the files are whole as they are and nothing is
            // rolled back: the journal on disk may be the one of the last *finished* commit, and
            // applying it would undo a transaction whose caller was told it had committed.
            None => self.rebuilt_clock(inner, ctl),
        };
        let idle = CommitState::idle(counter, lamport);
        ctl.write_at(STATE_OFFSET, &idle.encode())
            .map_err(|e| StorageError::io(CTL_FILE, "recuperar", e))?;
        ctl.sync()
            .map_err(|e| StorageError::io(CTL_FILE, "recuperar", e))?;
        Ok(())
    }

    /// The change counter and Lamport clock to restart from when the commit state is lost. The
    /// counter restarts above every value it can have had (the newest the headers and the
    /// journal record, and the wall clock in milliseconds, far above a counter that grows by one
    /// per commit), so every terminal's cache is invalidated; the Lamport clock resumes from the
    /// newest time recorded in the file headers (each commit stamps the headers it changes).
    fn rebuilt_clock(&self, inner: &Inner, ctl: &Arc<dyn BackendFile>) -> (u64, u64) {
        let mut counter = now_ms().max(0) as u64;
        let mut lamport = inner.lamport;
        let mut cat = vec![0u8; CATALOG_SIZE];
        if ctl.read_at(CATALOG_OFFSET, &mut cat).is_ok()
            && let Ok(catalog) = Catalog::decode(&cat)
        {
            for entry in &catalog.entries {
                let mut raw = [0u8; HEADER_SIZE];
                if let Ok(f) = self.backend.open(&entry.name)
                    && f.read_at(0, &mut raw).is_ok()
                    && let Ok(h) = Header::decode(&raw)
                {
                    counter = counter.max(h.change_counter.saturating_add(2));
                    lamport = lamport.max(h.lamport);
                }
            }
        }
        let mut hb = [0u8; JOURNAL_HEADER_SIZE];
        if let Ok(jf) = self.backend.open(JOURNAL_FILE)
            && jf.read_at(0, &mut hb).is_ok()
            && let Ok(h) = Journal::decode_header(&hb)
        {
            counter = counter.max(h.counter_before.saturating_add(3));
            lamport = lamport.max(h.lamport_before);
        }
        (counter, lamport)
    }

    /// The journal to roll back, if any: with a valid hot state the journal must match it.
    /// (Without a readable state nothing is rolled back; see [`Share::recover`].)
    fn read_journal(&self, state: Option<CommitState>) -> Result<Option<Journal>> {
        let damaged = |d: String| StorageError::corrupt(JOURNAL_FILE, d);
        let jf = match self.backend.open(JOURNAL_FILE) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return match state {
                    Some(_) => Err(damaged(
                        "el estado indica un diario pendiente pero el diario no existe".into(),
                    )),
                    None => Ok(None),
                };
            }
            Err(e) => return Err(StorageError::io(JOURNAL_FILE, "abrir", e)),
        };
        let mut hb = [0u8; JOURNAL_HEADER_SIZE];
        let parsed = match jf.read_at(0, &mut hb) {
            Ok(()) => Journal::decode_header(&hb),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err("el diario está truncado".into())
            }
            Err(e) => return Err(StorageError::io(JOURNAL_FILE, "leer", e)),
        };
        let mut io_failure = None;
        let journal = parsed.and_then(|h| {
            if let Some(s) = state
                && (h.nonce != s.nonce
                    || h.body_len + JOURNAL_HEADER_SIZE as u64 != s.journal_len
                    || h.body_crc != s.journal_crc)
            {
                return Err("el diario no corresponde a la confirmación pendiente".into());
            }
            let mut body = vec![0u8; h.body_len as usize];
            match jf.read_at(JOURNAL_HEADER_SIZE as u64, &mut body) {
                Ok(()) => Journal::decode(&h, &body),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    Err("el diario está truncado".into())
                }
                Err(e) => {
                    io_failure = Some(e);
                    Err(String::new())
                }
            }
        });
        // The share went away while we read: that is not damage.
        if let Some(e) = io_failure {
            return Err(StorageError::io(JOURNAL_FILE, "leer", e));
        }
        match (journal, state) {
            (Ok(j), _) => Ok(Some(j)),
            (Err(d), Some(_)) => Err(damaged(format!(
                "{d}; no se puede deshacer la escritura interrumpida"
            ))),
            (Err(_), None) => Ok(None),
        }
    }

    fn apply_rollback(&self, j: &Journal) -> Result<()> {
        for f in &j.files {
            let h = self
                .backend
                .open_or_create(&f.name)
                .map_err(|e| StorageError::io(&f.name, "deshacer", e))?;
            let io = |e| StorageError::io(&f.name, "deshacer", e);
            for (off, bytes) in &f.regions {
                h.write_at(*off, bytes).map_err(io)?;
            }
            h.set_len(f.original_len).map_err(io)?;
            h.sync().map_err(io)?;
        }
        Ok(())
    }

    fn commit(
        &self,
        inner: &mut Inner,
        ctl: &Arc<dyn BackendFile>,
        state: CommitState,
        mut dirty: BTreeMap<String, DirtyFile>,
        catalog: Option<Catalog>,
        lamport: u64,
    ) -> Result<()> {
        let new_counter = state.counter + 1;
        for d in dirty.values_mut() {
            d.header.change_counter = new_counter;
            d.header.lamport = lamport;
        }
        // 1. The journal: original bytes of every region about to be overwritten.
        let mut files = Vec::with_capacity(dirty.len() + 1);
        if catalog.is_some() {
            let mut old = vec![0u8; CATALOG_SIZE];
            ctl.read_at(CATALOG_OFFSET, &mut old)
                .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
            files.push(JournalFile {
                name: CTL_FILE.into(),
                original_len: STATE_OFFSET + STATE_SIZE as u64,
                regions: vec![(CATALOG_OFFSET, old)],
            });
        }
        for (name, d) in &dirty {
            let Some(orig) = &d.orig else {
                files.push(JournalFile {
                    name: name.clone(),
                    original_len: 0,
                    regions: vec![],
                });
                continue;
            };
            let mut regions = vec![(0u64, orig.encode().to_vec())];
            for &pos in d.slots.keys().filter(|&&p| p < orig.slot_count) {
                regions.push((
                    orig.slot_offset(pos),
                    self.original_slot(inner, name, orig, pos)?,
                ));
            }
            files.push(JournalFile {
                name: name.clone(),
                original_len: orig.file_len(),
                regions,
            });
        }
        let journal = Journal {
            nonce: random_u64(),
            counter_before: state.counter,
            lamport_before: state.lamport,
            files,
        };
        let bytes = journal.encode();
        let jio = |e| StorageError::io(JOURNAL_FILE, "escribir el diario", e);
        let jf = self.backend.open_or_create(JOURNAL_FILE).map_err(jio)?;
        jf.write_at(0, &bytes).map_err(jio)?;
        jf.sync().map_err(jio)?;

        // 2. Hot state: from now on a crash leaves a journal to roll back.
        let hot = CommitState {
            phase: Phase::Hot,
            counter: state.counter,
            lamport: state.lamport,
            nonce: journal.nonce,
            journal_len: bytes.len() as u64,
            journal_crc: super::crc::crc32c(&bytes[JOURNAL_HEADER_SIZE..]),
        };
        let cio = |e| StorageError::io(CTL_FILE, "confirmar", e);
        ctl.write_at(STATE_OFFSET, &hot.encode()).map_err(cio)?;
        ctl.sync().map_err(cio)?;

        // 3. The data.
        let written = self.write_data(inner, ctl, &dirty, catalog.as_ref());
        // 4. The commit point.
        let committed = written.and_then(|()| {
            ctl.write_at(
                STATE_OFFSET,
                &CommitState::idle(new_counter, lamport).encode(),
            )
            .map_err(cio)?;
            ctl.sync().map_err(cio)
        });
        if let Err(e) = committed {
            // Best effort: undo now. If the share is gone, the next opener rolls back.
            if self.apply_rollback(&journal).is_ok() {
                let _ = ctl.write_at(
                    STATE_OFFSET,
                    &CommitState::idle(state.counter + 2, state.lamport).encode(),
                );
                let _ = ctl.sync();
            }
            return Err(e);
        }

        // The cache now describes the new state.
        inner.lamport = lamport;
        inner.cache.counter = Some(new_counter);
        if let Some(c) = catalog {
            inner.cache.catalog = Some(c);
        }
        for (name, d) in dirty {
            let fc = inner.cache.files.entry(name).or_insert_with(|| FileCache {
                header: d.header.clone(),
                verified_at: new_counter,
                slots: HashMap::new(),
            });
            fc.header = d.header;
            fc.verified_at = new_counter;
            fc.slots.extend(d.slots);
        }
        Ok(())
    }

    fn original_slot(
        &self,
        inner: &mut Inner,
        name: &str,
        orig: &Header,
        pos: u64,
    ) -> Result<Vec<u8>> {
        if let Some(s) = inner
            .cache
            .files
            .get(name)
            .and_then(|fc| fc.slots.get(&pos))
        {
            return Ok(encode_slot(pos, orig.slot_size, s));
        }
        let h = handle(self, inner, name)?;
        let mut raw = vec![0u8; orig.stride() as usize];
        h.read_at(orig.slot_offset(pos), &mut raw)
            .map_err(|e| read_err(name, e))?;
        Ok(raw)
    }

    fn write_data(
        &self,
        inner: &mut Inner,
        ctl: &Arc<dyn BackendFile>,
        dirty: &BTreeMap<String, DirtyFile>,
        catalog: Option<&Catalog>,
    ) -> Result<()> {
        if let Some(c) = catalog {
            let io = |e| StorageError::io(CTL_FILE, "escribir", e);
            ctl.write_at(CATALOG_OFFSET, &c.encode()).map_err(io)?;
            ctl.sync().map_err(io)?;
        }
        for (name, d) in dirty {
            let io = |e| StorageError::io(name.as_str(), "escribir", e);
            let h = match d.orig {
                Some(_) => handle(self, inner, name)?,
                None => {
                    let h = self.backend.open_or_create(name).map_err(io)?;
                    inner.handles.insert(name.clone(), h.clone());
                    h
                }
            };
            if d.orig.is_none() {
                h.set_len(0).map_err(io)?;
            }
            h.write_at(0, &d.header.encode()).map_err(io)?;
            // Adjacent slots go out in one write.
            let stride = d.header.stride();
            let mut run: Vec<u8> = Vec::new();
            let mut run_start = 0u64;
            let mut run_next = u64::MAX;
            for (&pos, slot) in &d.slots {
                if pos != run_next && !run.is_empty() {
                    h.write_at(d.header.slot_offset(run_start), &run)
                        .map_err(io)?;
                    run.clear();
                }
                if run.is_empty() {
                    run_start = pos;
                }
                run.extend_from_slice(&encode_slot(pos, d.header.slot_size, slot));
                run_next = pos + 1;
                debug_assert_eq!(run.len() as u64, (run_next - run_start) * stride);
            }
            if !run.is_empty() {
                h.write_at(d.header.slot_offset(run_start), &run)
                    .map_err(io)?;
            }
            if let Some(orig) = &d.orig
                && orig.slot_count > d.header.slot_count
            {
                h.set_len(d.header.file_len()).map_err(io)?;
            }
            h.sync().map_err(io)?;
        }
        Ok(())
    }
}

/// Whether the control file holds only what an unfinished creation leaves: nothing where the
/// identity goes (it is written last). A short file with other bytes there is damage, not a
/// share to create afresh over its catalog.
fn unfinished_creation(f: &dyn BackendFile) -> Result<bool> {
    let len = f
        .len()
        .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?
        .min(IDENTITY_SIZE as u64);
    let mut b = vec![0u8; len as usize];
    f.read_at(IDENTITY_OFFSET, &mut b)
        .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
    Ok(b.iter().all(|&x| x == 0))
}

fn read_err(file: &str, e: io::Error) -> StorageError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        StorageError::corrupt(
            file,
            "el archivo está truncado: termina antes de lo que indica su cabecera",
        )
    } else {
        StorageError::io(file, "leer", e)
    }
}

/// The open handle of `name`, opened on first use after each change of the share.
fn handle(share: &Share, inner: &mut Inner, name: &str) -> Result<Arc<dyn BackendFile>> {
    if let Some(h) = inner.handles.get(name) {
        return Ok(h.clone());
    }
    let h = share.backend.open(name).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            StorageError::corrupt(
                name,
                "figura en el catálogo de la carpeta pero el archivo no está",
            )
        } else {
            StorageError::io(name, "abrir", e)
        }
    })?;
    inner.handles.insert(name.to_string(), h.clone());
    Ok(h)
}

/// Brings the cache in line with the commit state read under the lock.
fn revalidate(inner: &mut Inner, state: CommitState) {
    inner.lamport = inner.lamport.max(state.lamport);
    if inner.cache.counter != Some(state.counter) {
        inner.cache.counter = Some(state.counter);
        inner.cache.catalog = None;
        // Reopen files after a change: NFS revalidates cached pages on open.
        inner.handles.clear();
    }
}

/// Reading, shared by read and write transactions.
struct View<'a> {
    share: &'a Share,
    inner: &'a mut Inner,
    ctl: Arc<dyn BackendFile>,
    state: CommitState,
    went_to_disk: bool,
}

impl<'a> View<'a> {
    fn new(
        share: &'a Share,
        inner: &'a mut Inner,
        ctl: Arc<dyn BackendFile>,
        state: CommitState,
    ) -> Self {
        View {
            share,
            inner,
            ctl,
            state,
            went_to_disk: false,
        }
    }

    fn catalog(&mut self) -> Result<&Catalog> {
        if self.inner.cache.catalog.is_none() {
            self.went_to_disk = true;
            let mut b = vec![0u8; CATALOG_SIZE];
            self.ctl
                .read_at(CATALOG_OFFSET, &mut b)
                .map_err(|e| read_err(CTL_FILE, e))?;
            let c = Catalog::decode(&b).map_err(|d| StorageError::corrupt(CTL_FILE, d))?;
            self.inner.cache.catalog = Some(c);
        }
        Ok(self.inner.cache.catalog.as_ref().expect("just loaded"))
    }

    fn file(&mut self, name: &str) -> Result<&mut FileCache> {
        let counter = self.state.counter;
        let fresh = self
            .inner
            .cache
            .files
            .get(name)
            .is_some_and(|fc| fc.verified_at == counter);
        if !fresh {
            let Some(entry) = self.catalog()?.get(name).cloned() else {
                return Err(StorageError::Missing { file: name.into() });
            };
            self.went_to_disk = true;
            let h = handle(self.share, self.inner, name)?;
            let mut raw = [0u8; HEADER_SIZE];
            h.read_at(0, &mut raw).map_err(|e| read_err(name, e))?;
            let header = Header::decode(&raw).map_err(|d| StorageError::corrupt(name, d))?;
            if header.tag != name {
                return Err(StorageError::corrupt(
                    name,
                    format!("la cabecera dice ser {}", header.tag),
                ));
            }
            if header.slot_size != entry.slot_size {
                return Err(StorageError::corrupt(
                    name,
                    format!(
                        "registros de {} bytes, el catálogo dice {}",
                        header.slot_size, entry.slot_size
                    ),
                ));
            }
            match self.inner.cache.files.get_mut(name) {
                Some(fc) if fc.header.change_counter == header.change_counter => {
                    fc.header = header;
                    fc.verified_at = counter;
                }
                _ => {
                    self.inner.cache.files.insert(
                        name.to_string(),
                        FileCache {
                            header,
                            verified_at: counter,
                            slots: HashMap::new(),
                        },
                    );
                }
            }
        }
        Ok(self.inner.cache.files.get_mut(name).expect("present"))
    }

    fn header(&mut self, name: &str) -> Result<Header> {
        Ok(self.file(name)?.header.clone())
    }

    fn slot(&mut self, name: &str, pos: u64) -> Result<Slot> {
        let fc = self.file(name)?;
        if pos >= fc.header.slot_count {
            return Err(StorageError::BadSlot {
                file: name.into(),
                pos,
                why: "fuera del archivo",
            });
        }
        if let Some(s) = fc.slots.get(&pos) {
            return Ok(s.clone());
        }
        let (offset, stride) = (fc.header.slot_offset(pos), fc.header.stride() as usize);
        self.went_to_disk = true;
        let h = handle(self.share, self.inner, name)?;
        let mut raw = vec![0u8; stride];
        h.read_at(offset, &mut raw).map_err(|e| read_err(name, e))?;
        let slot = decode_slot(pos, &raw).map_err(|d| StorageError::corrupt(name, d))?;
        self.inner
            .cache
            .files
            .get_mut(name)
            .expect("present")
            .slots
            .insert(pos, slot.clone());
        Ok(slot)
    }

    /// Reads every slot of `name` not yet cached, in large sequential reads.
    fn prefetch(&mut self, name: &str) -> Result<()> {
        let fc = self.file(name)?;
        let (count, stride) = (fc.header.slot_count, fc.header.stride());
        if fc.slots.len() as u64 == count {
            return Ok(());
        }
        self.went_to_disk = true;
        let h = handle(self.share, self.inner, name)?;
        const CHUNK_BYTES: u64 = 4 << 20;
        let per_chunk = (CHUNK_BYTES / stride).max(1);
        let mut pos = 0;
        while pos < count {
            let n = per_chunk.min(count - pos);
            let mut raw = vec![0u8; (n * stride) as usize];
            h.read_at(HEADER_SIZE as u64 + pos * stride, &mut raw)
                .map_err(|e| read_err(name, e))?;
            let fc = self.inner.cache.files.get_mut(name).expect("present");
            for i in 0..n {
                let p = pos + i;
                if fc.slots.contains_key(&p) {
                    continue;
                }
                let chunk = &raw[(i * stride) as usize..((i + 1) * stride) as usize];
                let slot = decode_slot(p, chunk).map_err(|d| StorageError::corrupt(name, d))?;
                fc.slots.insert(p, slot);
            }
            pos += n;
        }
        Ok(())
    }
}

/// Read access, common to read and write transactions. Positions are 0-based slot numbers.
pub trait Tx {
    /// The header of a record file.
    fn header(&mut self, file: &str) -> Result<Header>;
    /// What slot `pos` holds.
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot>;
    /// Whether the file exists on this share.
    fn exists(&mut self, file: &str) -> Result<bool>;
    /// The files of the share.
    fn files(&mut self) -> Result<Vec<CatalogEntry>>;
    /// Loads all slots of a file into the cache with few large reads (before a full scan).
    fn prefetch(&mut self, file: &str) -> Result<()>;
    /// The share's change counter as of this transaction.
    fn counter(&self) -> u64;
    /// The Lamport time of this transaction (for a write, the time its first event gets).
    fn lamport(&self) -> u64;

    /// The payload of the live slot `pos`.
    fn read(&mut self, file: &str, pos: u64) -> Result<Arc<[u8]>> {
        match self.slot(file, pos)? {
            Slot::Live(p) => Ok(p),
            Slot::Free { .. } => Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "posición libre",
            }),
        }
    }
    /// (head, length) of the file's free list, wherever it lives.
    fn free_list(&mut self, file: &str) -> Result<(u64, u64)> {
        let h = self.header(file)?;
        match h.free_home {
            FreeHome::Own => Ok((h.free_head, h.free_count)),
            FreeHome::Control { file: home, field } => {
                let c = self.header(&home)?.control;
                Ok((c[field as usize], c[field as usize + 1]))
            }
        }
    }
    /// Field `idx` of the file's control area.
    fn control(&mut self, file: &str, idx: usize) -> Result<u64> {
        Ok(self.header(file)?.control[idx])
    }
}

/// A read transaction (shared lock held).
pub struct ReadTx<'a> {
    view: View<'a>,
}

impl Tx for ReadTx<'_> {
    fn header(&mut self, file: &str) -> Result<Header> {
        self.view.header(file)
    }
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot> {
        self.view.slot(file, pos)
    }
    fn exists(&mut self, file: &str) -> Result<bool> {
        Ok(self.view.catalog()?.get(file).is_some())
    }
    fn files(&mut self) -> Result<Vec<CatalogEntry>> {
        Ok(self.view.catalog()?.entries.clone())
    }
    fn prefetch(&mut self, file: &str) -> Result<()> {
        self.view.prefetch(file)
    }
    fn counter(&self) -> u64 {
        self.view.state.counter
    }
    fn lamport(&self) -> u64 {
        self.view.state.lamport
    }
}

struct DirtyFile {
    /// The header before this transaction; `None` for a file this transaction creates.
    orig: Option<Header>,
    header: Header,
    slots: BTreeMap<u64, Slot>,
}

/// A write transaction (exclusive lock and write lease held). Changes are buffered in memory
/// and reach the files only at commit.
pub struct WriteTx<'a> {
    view: View<'a>,
    dirty: BTreeMap<String, DirtyFile>,
    /// The catalog as this transaction changed it.
    catalog: Option<Catalog>,
    lamport: u64,
    events: u64,
}

impl Tx for WriteTx<'_> {
    fn header(&mut self, file: &str) -> Result<Header> {
        match self.dirty.get(file) {
            Some(d) => Ok(d.header.clone()),
            None => self.view.header(file),
        }
    }
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot> {
        if let Some(d) = self.dirty.get(file) {
            if let Some(s) = d.slots.get(&pos) {
                return Ok(s.clone());
            }
            if pos >= d.header.slot_count {
                return Err(StorageError::BadSlot {
                    file: file.into(),
                    pos,
                    why: "fuera del archivo",
                });
            }
            if d.orig.is_none() {
                return Err(StorageError::Misuse(format!(
                    "{file}: posición {pos} sin escribir"
                )));
            }
        }
        self.view.slot(file, pos)
    }
    fn exists(&mut self, file: &str) -> Result<bool> {
        Ok(self.catalog()?.get(file).is_some())
    }
    fn files(&mut self) -> Result<Vec<CatalogEntry>> {
        Ok(self.catalog()?.entries.clone())
    }
    fn prefetch(&mut self, file: &str) -> Result<()> {
        if self.dirty.get(file).is_some_and(|d| d.orig.is_none()) {
            return Ok(());
        }
        self.view.prefetch(file)
    }
    fn counter(&self) -> u64 {
        self.view.state.counter
    }
    fn lamport(&self) -> u64 {
        self.lamport
    }
}

impl WriteTx<'_> {
    fn catalog(&mut self) -> Result<&Catalog> {
        if self.catalog.is_some() {
            return Ok(self.catalog.as_ref().expect("checked"));
        }
        self.view.catalog()
    }

    /// Creates a record file with slots of `slot_size` bytes. Creating a file that exists with
    /// the same slot size does nothing.
    pub fn create_file(&mut self, name: &str, slot_size: u32, free_home: FreeHome) -> Result<()> {
        if name.is_empty() || name.len() > TAG_LEN || !name.is_ascii() {
            return Err(StorageError::Misuse(format!(
                "nombre de archivo inválido: {name}"
            )));
        }
        if slot_size < 8 {
            return Err(StorageError::Misuse(format!(
                "{name}: los registros deben tener al menos 8 bytes"
            )));
        }
        if let FreeHome::Control { file: home, field } = &free_home {
            if *field as usize + 1 >= CONTROL_FIELDS {
                return Err(StorageError::Misuse(format!(
                    "{name}: campo de control {field} fuera de rango"
                )));
            }
            if home != name && self.catalog()?.get(home).is_none() {
                return Err(StorageError::Misuse(format!(
                    "{name}: su lista de libres vive en {home}, que no existe"
                )));
            }
        }
        if let Some(e) = self.catalog()?.get(name) {
            if e.slot_size == slot_size {
                return Ok(());
            }
            return Err(StorageError::Misuse(format!(
                "{name} ya existe con registros de {} bytes",
                e.slot_size
            )));
        }
        let mut cat = self.catalog()?.clone();
        if cat.entries.len() >= CATALOG_MAX {
            return Err(StorageError::Misuse(
                "el catálogo de archivos está lleno".into(),
            ));
        }
        cat.entries.push(CatalogEntry {
            name: name.into(),
            slot_size,
        });
        self.catalog = Some(cat);
        let header = Header::new(name, slot_size, free_home.clone(), now_ms());
        self.dirty.insert(
            name.into(),
            DirtyFile {
                orig: None,
                header,
                slots: BTreeMap::new(),
            },
        );
        // The new file's free list is empty: its anchor in the home's control area says so
        // (a zeroed anchor would point at slot 0).
        if let FreeHome::Control { file: home, field } = free_home {
            self.set_control(&home, field as usize, NIL)?;
            self.set_control(&home, field as usize + 1, 0)?;
        }
        Ok(())
    }

    fn dirty(&mut self, file: &str) -> Result<&mut DirtyFile> {
        if !self.dirty.contains_key(file) {
            let h = self.view.header(file)?;
            self.dirty.insert(
                file.into(),
                DirtyFile {
                    orig: Some(h.clone()),
                    header: h,
                    slots: BTreeMap::new(),
                },
            );
        }
        Ok(self.dirty.get_mut(file).expect("inserted"))
    }

    fn payload(&mut self, file: &str, data: &[u8]) -> Result<Arc<[u8]>> {
        let size = self.header(file)?.slot_size as usize;
        if data.len() > size {
            return Err(StorageError::Misuse(format!(
                "{file}: registro de {} bytes, máximo {size}",
                data.len()
            )));
        }
        let mut p = vec![0u8; size];
        p[..data.len()].copy_from_slice(data);
        Ok(p.into())
    }

    /// Overwrites the live slot `pos`.
    pub fn write(&mut self, file: &str, pos: u64, data: &[u8]) -> Result<()> {
        let p = self.payload(file, data)?;
        if let Slot::Free { .. } = self.slot(file, pos)? {
            return Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "posición libre",
            });
        }
        self.dirty(file)?.slots.insert(pos, Slot::Live(p));
        Ok(())
    }

    /// Stores `data` in a free slot (the head of the free list) or a new one; returns its position.
    pub fn alloc(&mut self, file: &str, data: &[u8]) -> Result<u64> {
        let p = self.payload(file, data)?;
        let (head, count) = self.free_list(file)?;
        let pos = if head != NIL {
            let Slot::Free { next } = self.slot(file, head)? else {
                return Err(StorageError::corrupt(
                    file,
                    format!("la lista de libres apunta al registro ocupado {head}"),
                ));
            };
            self.set_free_list(file, next, count.saturating_sub(1))?;
            head
        } else {
            let d = self.dirty(file)?;
            d.header.slot_count += 1;
            d.header.slot_count - 1
        };
        let d = self.dirty(file)?;
        d.header.live_count += 1;
        d.slots.insert(pos, Slot::Live(p));
        Ok(pos)
    }

    /// Frees the live slot `pos` and puts it at the head of the free list.
    pub fn release(&mut self, file: &str, pos: u64) -> Result<()> {
        if let Slot::Free { .. } = self.slot(file, pos)? {
            return Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "ya estaba libre",
            });
        }
        let (head, count) = self.free_list(file)?;
        self.set_free_list(file, pos, count + 1)?;
        let d = self.dirty(file)?;
        let Some(live) = d.header.live_count.checked_sub(1) else {
            return Err(StorageError::corrupt(
                file,
                "la cabecera cuenta 0 registros ocupados",
            ));
        };
        d.header.live_count = live;
        d.slots.insert(pos, Slot::Free { next: head });
        Ok(())
    }

    fn set_free_list(&mut self, file: &str, head: u64, count: u64) -> Result<()> {
        match self.header(file)?.free_home {
            FreeHome::Own => {
                let d = self.dirty(file)?;
                d.header.free_head = head;
                d.header.free_count = count;
            }
            FreeHome::Control { file: home, field } => {
                let d = self.dirty(&home)?;
                d.header.control[field as usize] = head;
                d.header.control[field as usize + 1] = count;
            }
        }
        Ok(())
    }

    /// Sets field `idx` of the file's control area.
    pub fn set_control(&mut self, file: &str, idx: usize, value: u64) -> Result<()> {
        if idx >= CONTROL_FIELDS {
            return Err(StorageError::Misuse(format!(
                "campo de control {idx} fuera de rango"
            )));
        }
        self.dirty(file)?.header.control[idx] = value;
        Ok(())
    }

    /// Hands out the next Lamport time of this transaction (one per logged event).
    pub(crate) fn next_event_time(&mut self) -> u64 {
        self.events += 1;
        self.lamport + self.events - 1
    }

    /// This terminal's name, as events record it.
    pub fn terminal(&self) -> &str {
        &self.view.share.me.terminal
    }
}

/// What [`WriteTx::reset_slots`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotsReset {
    pub live: u64,
    pub freed: u64,
    /// Unreadable slots left as they are (the caller kept them).
    pub damaged: Vec<u64>,
}

/// Repair: operations that `repair` needs and nothing else uses. All of them are ordinary
/// changes of the write transaction (journaled, atomic, undone by a crash).
impl WriteTx<'_> {
    /// Frees every slot of `file` that `keep(pos, slot)` does not keep (`slot` is `None` for
    /// one that cannot be read), relinks every free slot into a new free list in position
    /// order and recounts the live slots: a broken free list, lost free slots or a wrong live
    /// count are rebuilt, and a derived file (an index) can be emptied to be built again.
    pub fn reset_slots(
        &mut self,
        file: &str,
        mut keep: impl FnMut(u64, Option<&Slot>) -> bool,
    ) -> Result<SlotsReset> {
        let n = self.header(file)?.slot_count;
        let mut r = SlotsReset::default();
        let mut free = Vec::new();
        for pos in 0..n {
            let s = match self.slot(file, pos) {
                Ok(s) => Some(s),
                Err(e) if e.is_damaged() => None,
                Err(e) => return Err(e),
            };
            match (&s, keep(pos, s.as_ref())) {
                (Some(Slot::Live(_)), true) => r.live += 1,
                (None, true) => r.damaged.push(pos),
                (Some(Slot::Live(_)), false) | (None, false) => {
                    r.freed += 1;
                    free.push(pos);
                }
                (Some(Slot::Free { .. }), _) => free.push(pos),
            }
        }
        let d = self.dirty(file)?;
        for (i, &pos) in free.iter().enumerate() {
            let next = free.get(i + 1).copied().unwrap_or(NIL);
            d.slots.insert(pos, Slot::Free { next });
        }
        d.header.live_count = r.live + r.damaged.len() as u64;
        let head = free.first().copied().unwrap_or(NIL);
        self.set_free_list(file, head, free.len() as u64)?;
        Ok(r)
    }

    /// The length of `file` as the file system reports it (repair rebuilds a damaged header's
    /// slot count from it; nothing else trusts a size).
    pub fn file_len(&mut self, file: &str) -> Result<u64> {
        let h = handle(self.view.share, self.view.inner, file)?;
        h.len().map_err(|e| StorageError::io(file, "leer", e))
    }

    /// The header of `file` as it is on disk, or why it cannot be used.
    pub fn raw_header(&mut self, file: &str) -> Result<std::result::Result<Header, String>> {
        let h = handle(self.view.share, self.view.inner, file)?;
        let mut raw = [0u8; HEADER_SIZE];
        match h.read_at(0, &mut raw) {
            Ok(()) => Ok(Header::decode(&raw)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Ok(Err("cabecera truncada".into()))
            }
            Err(e) => Err(StorageError::io(file, "leer", e)),
        }
    }

    /// Takes `header` as the header of `file`, whose own on disk is damaged. The journal keeps
    /// `header` as the original too, so a rollback leaves the rebuilt header in place.
    pub fn replace_header(&mut self, file: &str, header: Header) -> Result<()> {
        if self
            .catalog()?
            .get(file)
            .is_none_or(|e| e.slot_size != header.slot_size)
        {
            return Err(StorageError::Misuse(format!(
                "{file}: la cabecera nueva no coincide con el catálogo"
            )));
        }
        let counter = self.view.state.counter;
        self.view.inner.cache.files.insert(
            file.to_string(),
            FileCache {
                header: header.clone(),
                verified_at: counter,
                slots: HashMap::new(),
            },
        );
        self.dirty.insert(
            file.into(),
            DirtyFile {
                orig: Some(header.clone()),
                header,
                slots: BTreeMap::new(),
            },
        );
        Ok(())
    }
}
