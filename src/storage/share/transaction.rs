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
        if let Some(reason) = &self.read_only {
            return Err(StorageError::ReadOnly {
                reason: reason.clone(),
            }
            .into());
        }
        let (started, deadline) = self.deadline();
        let _guard = self.lock.acquire(LockMode::Exclusive, started, deadline)?;
        let lease = self.lease(deadline)?;
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
        if let Err(e) = self.commit(inner, state, dirty, catalog, final_lamport) {
            inner.cache.clear();
            inner.handles.clear();
            return Err(e.into());
        }
        Ok(out)
    }
}
