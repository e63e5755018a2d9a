//! Recovery, before anything is read: a torn commit state (the redo log's whole frames are
//! folded into the files), or the hot rollback journal a format-1 program's cut-off commit left
//! (rolled back). Side by side with [`super::commit`].

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::super::backend::{Backend, BackendFile};
use super::super::ctl::{
    CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, CommitState, Phase, STATE_OFFSET,
};
use super::super::error::{Result, StorageError};
use super::super::ident::now_ms;
use super::super::journal::{JOURNAL_FILE, JOURNAL_HEADER_SIZE, Journal};
use super::super::lock::LockMode;
use super::super::record::{HEADER_SIZE, Header};
use super::super::wal::{self, LOG_FILE};
use super::commit::fold_into_files;
use super::{Inner, Share};

impl Share {
    /// Takes the exclusive lock and the lease and rolls back a hot journal.
    pub(super) fn recover_as_reader(
        &self,
        inner: &mut Inner,
        started: Instant,
        deadline: Instant,
    ) -> Result<()> {
        if self.read_only.is_some() {
            return self.wait_for_recovery(inner, started, deadline);
        }
        loop {
            let guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
            match self.lease(deadline) {
                Ok(lease) => {
                    let (ctl, state) = self.read_state(inner)?;
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

    /// A terminal that cannot write cannot roll back: it waits (polling under the shared lock) for
    /// a terminal that can, and says so if none does before the deadline.
    pub(super) fn wait_for_recovery(
        &self,
        inner: &mut Inner,
        started: Instant,
        deadline: Instant,
    ) -> Result<()> {
        loop {
            let guard = self.lock.acquire(LockMode::Shared, started, deadline)?;
            if let (_, Some(s)) = self.read_state(inner)?
                && s.phase == Phase::Idle
            {
                return Ok(());
            }
            drop(guard);
            if Instant::now() >= deadline {
                return Err(StorageError::ReadOnly {
                    reason: "la carpeta compartida tiene una escritura interrumpida que sólo una \
                             terminal con permiso de escritura puede deshacer: abra VentaLibre \
                             en una de ellas"
                        .into(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Rolls back the hot journal. The caller holds the exclusive lock and the lease.
    pub(super) fn recover(
        &self,
        inner: &mut Inner,
        ctl: &Arc<dyn BackendFile>,
        state: Option<CommitState>,
    ) -> Result<()> {
        inner.forget_all();
        let (counter, lamport) = match state {
            Some(s) => match self.read_journal(state)? {
                Some(j) => {
                    self.apply_rollback(&j)?;
                    (j.counter_before + 2, j.lamport_before.max(s.lamport))
                }
                None => (s.counter + 2, s.lamport),
            },
            // A torn or damaged commit state: the end of the redo log is not known. The log's
            // chain of whole frames from its start is folded into the files (a commit whose
            // state write was cut off may be among them: its caller was not told it committed,
            // and either outcome is allowed). A format-1 rollback journal is never applied
            // here: the one on disk may be the one of the last *finished* commit.
            None => {
                let (c, l) = self.rebuilt_clock(inner, ctl);
                match fold_log_chain(&*self.backend)? {
                    Some((fc, fl)) => (c.max(fc + 2), l.max(fl)),
                    None => (c, l),
                }
            }
        };
        let idle = CommitState::idle(counter, lamport);
        let rio = |e| StorageError::io(CTL_FILE, "recuperar", e);
        let ctl_rw = self.backend.open_rw(CTL_FILE).map_err(rio)?;
        ctl_rw.write_at(STATE_OFFSET, &idle.encode()).map_err(rio)?;
        ctl_rw.sync().map_err(rio)?;
        if let Ok(log) = self.backend.open_rw(LOG_FILE) {
            let _ = log.set_len(0).and_then(|()| log.sync());
        }
        Ok(())
    }

    /// The change counter and Lamport clock to restart from when the commit state is lost. The
    /// counter restarts above every value it can have had (the newest the headers and the
    /// journal record, and the wall clock in milliseconds, far above a counter that grows by one
    /// per commit), so every terminal's cache is invalidated; the Lamport clock resumes from the
    /// newest time recorded in the file headers (each commit stamps the headers it changes).
    pub(super) fn rebuilt_clock(&self, inner: &Inner, ctl: &Arc<dyn BackendFile>) -> (u64, u64) {
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
    pub(super) fn read_journal(&self, state: Option<CommitState>) -> Result<Option<Journal>> {
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

    pub(super) fn apply_rollback(&self, j: &Journal) -> Result<()> {
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
}

/// Folds into the record files the chain of whole frames at the start of the redo log (see
/// [`wal::chain_from_start`]), used when the commit state that says where the log ends is
/// lost (recovery, and the rebuild of a damaged control file). Returns the counter and Lamport
/// time of the last frame folded, `None` when there was none.
pub(crate) fn fold_log_chain(backend: &dyn Backend) -> Result<Option<(u64, u64)>> {
    let lio = |e| StorageError::io(LOG_FILE, "leer", e);
    let f = match backend.open(LOG_FILE) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(lio(e)),
    };
    let len = f.len().map_err(lio)?.min(wal::MAX_LOG_BYTES);
    let mut raw = vec![0u8; len as usize];
    f.read_at(0, &mut raw).map_err(lio)?;
    let chain = wal::chain_from_start(&raw);
    let Some(last) = chain.last().map(|f| (f.counter, f.lamport)) else {
        return Ok(None);
    };
    let mut overlay = wal::LogOverlay::default();
    for frame in chain {
        overlay.apply(frame, 0);
    }
    fold_into_files(
        &overlay,
        |name, create| {
            if create {
                backend.open_or_create(name)
            } else {
                backend.open_rw(name)
            }
            .map_err(|e| StorageError::io(name, "recuperar", e))
        },
        "recuperar",
    )?;
    Ok(Some(last))
}
