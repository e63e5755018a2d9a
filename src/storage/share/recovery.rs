//! Recovery: rolling back the hot journal a crashed or cut-off commit left, before anything is
//! read. Side by side with [`super::commit`], whose steps it undoes.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::super::backend::BackendFile;
use super::super::ctl::{
    CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, CommitState, Phase, STATE_OFFSET,
};
use super::super::error::{Result, StorageError};
use super::super::ident::now_ms;
use super::super::journal::{JOURNAL_FILE, JOURNAL_HEADER_SIZE, Journal};
use super::super::lock::LockMode;
use super::super::record::{HEADER_SIZE, Header};
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
            return self.wait_for_recovery(started, deadline);
        }
        loop {
            let guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
            match self.lease(deadline) {
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

    /// A terminal that cannot write cannot roll back: it waits (polling under the shared lock) for
    /// a terminal that can, and says so if none does before the deadline.
    pub(super) fn wait_for_recovery(&self, started: Instant, deadline: Instant) -> Result<()> {
        loop {
            let guard = self.lock.acquire(LockMode::Shared, started, deadline)?;
            if let (_, Some(s)) = self.read_state()?
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
        let rio = |e| StorageError::io(CTL_FILE, "recuperar", e);
        let ctl_rw = self.backend.open_rw(CTL_FILE).map_err(rio)?;
        ctl_rw.write_at(STATE_OFFSET, &idle.encode()).map_err(rio)?;
        ctl_rw.sync().map_err(rio)?;
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
