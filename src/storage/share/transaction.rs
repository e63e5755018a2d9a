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
            revalidate(self, &mut inner, &ctl, state);
            let mut tx = ReadTx {
                view: View::new(self, &mut inner, ctl.clone(), state),
            };
            let out = f(&mut tx);
            let went_to_disk = tx.view.went_to_disk;
            if went_to_disk {
                let (_, after) = self.read_state(&mut inner)?;
                if after != Some(state) {
                    // A commit overlapped this read (locks not crossing): forget and retry.
                    inner.cache.clear();
                    inner.forget_handles();
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
        let _guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
        trace.mark("bloqueo");
        let lease = self.lease(deadline)?;
        trace.mark("arrendamiento");
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
        revalidate(self, inner, &ctl, state);
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
            inner.cache.clear();
            inner.forget_handles();
            return Err(e.into());
        }
        trace.mark("confirmación");
        if let Err(e) = self.commit(inner, state, dirty, catalog, final_lamport) {
            inner.cache.clear();
            inner.forget_handles();
            return Err(e.into());
        }
        trace.mark("escritura");
        trace.finish(self);
        Ok(out)
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
            "vl-trace {} pid={} total={:.1}ms",
            self.kind,
            std::process::id(),
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
