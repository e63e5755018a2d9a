//! The transaction API: a read runs under the shared lock (and retries if a commit of a terminal
//! whose locks do not cross overlapped it); a write runs under the exclusive lock and the write
//! lease, recovers a hot journal first, and commits at the end.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::super::ctl::{CTL_FILE, Phase};
use super::super::error::{Result, StorageError};
use super::super::lock::LockMode;
use super::cache::{View, revalidate};
use super::tx::{ReadTx, WriteTx};
use super::{Inner, Share};

impl Share {
    /// Runs `f` as a read transaction. `f` may run more than once (it is retried if a commit of
    /// another terminal overlapped it on a share whose locks do not cross terminals).
    pub fn read<T, E>(&self, mut f: impl FnMut(&mut ReadTx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        let mut inner = self.inner();
        let before = self.counters.snapshot();
        let (started, deadline) = self.deadline();
        let mut trace = Trace::start("lectura");
        let result = loop {
            let guard = self.lock.acquire(LockMode::Shared, started, deadline)?;
            trace.mark("bloqueo");
            let (ctl, state) = self.read_state(&mut inner)?;
            let state = match state {
                Some(s) if s.phase == Phase::Idle => s,
                _ => {
                    drop(guard);
                    self.recover_as_reader(&mut inner, started, deadline)?;
                    continue;
                }
            };
            let read_log = match revalidate(self, &mut inner, &ctl, state) {
                Ok(r) => r,
                Err(e) => {
                    inner.forget_all();
                    return Err(e.into());
                }
            };
            let mut tx = ReadTx {
                view: View::new(self, &mut inner, ctl.clone(), state),
            };
            tx.view.went_to_disk = read_log;
            let out = f(&mut tx);
            let went_to_disk = tx.view.went_to_disk;
            if went_to_disk {
                let (_, after) = self.read_state(&mut inner)?;
                if after != Some(state) {
                    // A commit overlapped this read (locks not crossing): forget and retry.
                    inner.forget_all();
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
            trace.mark("lectura");
            trace.finish(self);
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
        if let Some(reason) = &self.read_only {
            return Err(StorageError::ReadOnly {
                reason: reason.clone(),
            }
            .into());
        }
        let (started, deadline) = self.deadline();
        let mut trace = Trace::start("escritura");
        let (_guard, lease) = self.lock_for_writing(started, deadline)?;
        trace.mark("bloqueo");
        let (ctl, state) = self.read_state(inner)?;
        let state = match state {
            Some(s) if s.phase == Phase::Idle => s,
            _ => {
                lease.confirm()?;
                self.recover(inner, &ctl, state)?;
                self.read_state(inner)?.1.ok_or_else(|| {
                    StorageError::corrupt(CTL_FILE, "estado ilegible tras la recuperación")
                })?
            }
        };
        if let Err(e) = revalidate(self, inner, &ctl, state) {
            inner.forget_all();
            return Err(e.into());
        }
        let tx_lamport = inner.lamport.max(state.lamport) + 1;
        let mut tx = WriteTx {
            view: View::new(self, inner, ctl.clone(), state),
            dirty: BTreeMap::new(),
            catalog: None,
            lamport: tx_lamport,
            events: 0,
        };
        let out = f(&mut tx)?;
        trace.mark("lectura");
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
        // Nothing is written unless the lease is still ours (see `Lease::confirm`). If the share
        // went away meanwhile, no handle kept from it is to be trusted again.
        if let Err(e) = lease.confirm() {
            inner.forget_all();
            return Err(e.into());
        }
        trace.mark("confirmación");
        if let Err(e) = self.commit(inner, state, dirty, catalog, final_lamport) {
            inner.forget_all();
            return Err(e.into());
        }
        trace.mark("escritura");
        trace.finish(self);
        Ok(out)
    }
}

impl Share {
    /// Folds the redo log into the record files now (see [`crate::storage::wal`]): every file
    /// then holds its newest bytes and the log is empty. Transactions never need it (they read
    /// the log); it is for tools that read the record files themselves, and a terminal closing
    /// the share does it when the lock is free at once.
    pub fn checkpoint(&self) -> Result<()> {
        self.checkpoint_within(self.config.busy_timeout)
    }

    fn checkpoint_within(&self, wait: Duration) -> Result<()> {
        if let Some(reason) = &self.read_only {
            return Err(StorageError::ReadOnly {
                reason: reason.clone(),
            });
        }
        let mut inner = self.inner();
        let started = Instant::now();
        let deadline = started + wait;
        let mut trace = Trace::start("consolidación");
        let (_guard, lease) = self.lock_for_writing(started, deadline)?;
        trace.mark("bloqueo");
        let (ctl, state) = self.read_state(&mut inner)?;
        let state = match state {
            Some(s) if s.phase == Phase::Idle => s,
            _ => {
                lease.confirm()?;
                return self.recover(&mut inner, &ctl, state);
            }
        };
        if state.nonce == 0 {
            return Ok(());
        }
        if let Err(e) = revalidate(self, &mut inner, &ctl, state) {
            inner.forget_all();
            return Err(e);
        }
        lease.confirm()?;
        let mut rw = std::mem::take(&mut inner.rw_handles);
        if rw.contains_key(CTL_FILE) {
            // As in a commit: kept handles are trusted only while the share is where it was.
            self.backend
                .open(CTL_FILE)
                .map_err(|e| self.unreachable_or(e, "abrir"))?;
        }
        let result = self.checkpoint_locked(&mut inner, &mut rw, state);
        trace.mark("escritura");
        trace.finish(self);
        match &result {
            Ok(()) if self.keep_handles() => inner.rw_handles = rw,
            Ok(()) => {}
            Err(_) => inner.forget_all(),
        }
        result
    }
}

impl Drop for Share {
    /// A terminal that wrote folds the log into the files as it closes the share, if the lock
    /// is free at once (as SQLite's last connection checkpoints its WAL). Nothing depends on it:
    /// a log left behind is read by every terminal and folded by the next checkpoint.
    fn drop(&mut self) {
        let pending = self
            .inner
            .get_mut()
            .map(|i| i.wrote && !i.log.is_empty())
            .unwrap_or(false);
        if pending && self.read_only.is_none() {
            let _ = self.checkpoint_within(Duration::from_millis(200));
        }
    }
}

/// `VENTALIBRE_TRACE=1`: one line on stderr per transaction with the time of each phase and its
/// I/O, to see where a slow share spends it.
struct Trace {
    on: bool,
    kind: &'static str,
    last: Instant,
    started: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Trace {
    fn start(kind: &'static str) -> Trace {
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let on = *ON.get_or_init(|| std::env::var_os("VENTALIBRE_TRACE").is_some());
        let now = Instant::now();
        Trace {
            on,
            kind,
            last: now,
            started: now,
            phases: Vec::new(),
        }
    }
    fn mark(&mut self, phase: &'static str) {
        if self.on {
            let now = Instant::now();
            self.phases.push((phase, now - self.last));
            self.last = now;
        }
    }
    fn finish(&self, share: &Share) {
        if !self.on {
            return;
        }
        let mut line = format!(
            "vl-trace {} pid={} end={} total={:.1}ms",
            self.kind,
            std::process::id(),
            super::super::ident::now_ms(),
            self.started.elapsed().as_secs_f64() * 1e3
        );
        for (p, d) in &self.phases {
            line.push_str(&format!(" {p}={:.1}ms", d.as_secs_f64() * 1e3));
        }
        let io = share.counters.snapshot();
        line.push_str(&format!(
            " (acumulado: {} lecturas, {} escrituras, {} fsync)",
            io.reads, io.writes, io.syncs
        ));
        eprintln!("{line}");
    }
}
