//! The share lock: one dedicated file, `VENTALIBRE.LCK`, locked with std's `File::lock_shared`
//! (readers) or `File::lock` (writers) — flock on Unix, LockFileEx on Windows.
//!
//! Only this file is ever locked; on an SMB share a locked file becomes unreadable to others, so
//! no data file is locked. Waiting is bounded: the lock is polled with `try_lock` and a growing
//! pause until a deadline, after which the caller gets [`StorageError::Busy`]. A process that
//! dies holding the lock releases it (the OS closes its descriptor).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use super::error::{Result, StorageError};

pub const LOCK_FILE: &str = "VENTALIBRE.LCK";

pub struct ShareLock {
    file: File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// Holds the lock until dropped.
pub struct LockGuard<'a> {
    lock: &'a ShareLock,
    pub mode: LockMode,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // Unlock errors cannot be handled here; closing the descriptor releases the lock anyway.
        let _ = self.lock.file.unlock();
    }
}

impl ShareLock {
    pub fn open(dir: &Path) -> Result<ShareLock> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StorageError::io(LOCK_FILE, "abrir", e))?;
        Ok(ShareLock { file })
    }

    /// Takes the lock in `mode`, waiting at most until `deadline`.
    pub fn acquire(
        &self,
        mode: LockMode,
        started: Instant,
        deadline: Instant,
    ) -> Result<LockGuard<'_>> {
        let mut pause = Duration::from_millis(1);
        loop {
            let r = match mode {
                LockMode::Shared => self.file.try_lock_shared(),
                LockMode::Exclusive => self.file.try_lock(),
            };
            match r {
                Ok(()) => return Ok(LockGuard { lock: self, mode }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(StorageError::io(LOCK_FILE, "bloquear", e));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StorageError::Busy {
                    waited_ms: (now - started).as_millis() as u64,
                });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}
