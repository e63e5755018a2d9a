//! The share lock: `VENTALIBRE.LCK`, locked with std's `File::lock_shared` (readers) or
//! `File::lock` (writers) — flock on Unix (the Linux NFS client sends it to the server as a
//! whole-file POSIX lock, cifs as a mandatory SMB byte-range lock), LockFileEx on Windows — and
//! in front of it a turnstile, `VENTALIBRE.TRN`, that keeps waiters from starving.
//!
//! Only these two files are ever locked, and neither is ever read or written: on an SMB share a
//! locked file becomes unreadable to others, so no data file is locked.
//!
//! **Waiting.** A lock is polled with `try_lock` until a deadline, after which the caller gets
//! [`StorageError::Busy`]. A blocking lock could not be bounded: on cifs a blocked flock is not
//! interrupted in time. Every "held by someone else" answer counts as busy, whatever errno the
//! file system picks for it: `EWOULDBLOCK` (local, NFS), `EACCES` (cifs, NFSv3 via lockd),
//! `EAGAIN`, `EBUSY`.
//!
//! **Fairness.** Polling alone lets the terminal that just released the lock take it again
//! before any waiter wakes up, transaction after transaction. So every transaction first passes
//! the turnstile: it takes `VENTALIBRE.TRN` (exclusively to write, shared to read), then
//! `VENTALIBRE.LCK`, then releases the turnstile. A waiting writer holds the turnstile while it
//! waits for the share lock, so the lock always passes to it next, and the writer that just
//! finished must queue at the turnstile behind the others; new readers also wait there, so a
//! stream of readers cannot starve a writer. Waiters at the turnstile poll more often the longer
//! they have waited, so the oldest tends to go first.
//!
//! A process that dies holding either lock releases it (the OS closes its descriptors).

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use super::error::{Result, StorageError};

pub const LOCK_FILE: &str = "VENTALIBRE.LCK";
pub const TURN_FILE: &str = "VENTALIBRE.TRN";

pub struct ShareLock {
    lock: File,
    /// `None` on a read-only terminal of a share made before the turnstile existed.
    turn: Option<File>,
    /// Whether the lock files could be opened for writing (a writer needs that: NFS turns an
    /// exclusive flock into a write lock, which needs a descriptor open for writing).
    writable: bool,
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
        let _ = self.lock.lock.unlock();
    }
}

/// Whether an error of `try_lock` means "another process holds it".
pub fn held_elsewhere(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::WouldBlock {
        return true;
    }
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        return code == libc::EACCES || code == libc::EAGAIN || code == libc::EBUSY;
    }
    #[cfg(windows)]
    if let Some(code) = e.raw_os_error() {
        // ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION
        return code == 33 || code == 32;
    }
    false
}

fn open_lock_file(path: &Path, name: &str) -> Result<(File, bool)> {
    let rw = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    match rw {
        Ok(f) => Ok((f, true)),
        Err(e)
            if e.kind() == io::ErrorKind::PermissionDenied
                || e.kind() == io::ErrorKind::ReadOnlyFilesystem =>
        {
            // A read-only terminal: it can still take the shared lock to read.
            File::open(path)
                .map(|f| (f, false))
                .map_err(|_| StorageError::io(name, "abrir", e))
        }
        Err(e) => Err(StorageError::io(name, "abrir", e)),
    }
}

impl ShareLock {
    pub fn open(dir: &Path) -> Result<ShareLock> {
        let (lock, lock_rw) = open_lock_file(&dir.join(LOCK_FILE), LOCK_FILE)?;
        let (turn, turn_rw) = match open_lock_file(&dir.join(TURN_FILE), TURN_FILE) {
            Ok((f, rw)) => (Some(f), rw),
            Err(_) if !lock_rw => (None, false),
            Err(e) => return Err(e),
        };
        Ok(ShareLock {
            lock,
            turn,
            writable: lock_rw && turn_rw,
        })
    }

    /// Whether this terminal may take the exclusive lock (its lock files opened for writing).
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Takes the lock in `mode`, waiting at most until `deadline`.
    pub fn acquire(
        &self,
        mode: LockMode,
        started: Instant,
        deadline: Instant,
    ) -> Result<LockGuard<'_>> {
        let busy = || StorageError::Busy {
            waited_ms: started.elapsed().as_millis() as u64,
        };
        // The turnstile: a waiting writer holds it while it waits for the share lock.
        if let Some(turn) = &self.turn {
            poll(turn, mode, TURN_FILE, deadline, turnstile_pause(started))
                .map_err(|e| e.unwrap_or_else(busy))?;
        }
        let got = poll(&self.lock, mode, LOCK_FILE, deadline, |tries| {
            Duration::from_millis(1 << tries.min(2))
        });
        if let Some(turn) = &self.turn {
            let _ = turn.unlock();
        }
        got.map_err(|e| e.unwrap_or_else(busy))?;
        Ok(LockGuard { lock: self, mode })
    }
}

/// The pause between two tries at the turnstile: longer for newcomers than for old waiters, so
/// the one that has waited longest tends to win when the turnstile frees.
fn turnstile_pause(started: Instant) -> impl Fn(u32) -> Duration {
    move |_| {
        let waited = started.elapsed();
        let base_ms: u64 = match waited.as_millis() {
            0..=99 => 16,
            100..=499 => 8,
            500..=1999 => 4,
            _ => 2,
        };
        // ±25 % jitter so waiters of the same age do not poll in step.
        let jitter = super::ident::random_u64() % (base_ms * 500 + 1);
        Duration::from_micros(base_ms * 750 + jitter)
    }
}

/// Polls `try_lock` on `f` until it is granted (`Ok`), the deadline passes (`Err(None)`), or a
/// real error happens (`Err(Some)`).
fn poll(
    f: &File,
    mode: LockMode,
    name: &str,
    deadline: Instant,
    pause: impl Fn(u32) -> Duration,
) -> std::result::Result<(), Option<StorageError>> {
    let mut tries = 0u32;
    loop {
        let r = match mode {
            LockMode::Shared => f.try_lock_shared(),
            LockMode::Exclusive => f.try_lock(),
        };
        match r {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) if held_elsewhere(&e) => {}
            Err(TryLockError::Error(e)) => return Err(Some(StorageError::io(name, "bloquear", e))),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(None);
        }
        std::thread::sleep(pause(tries).min(deadline - now));
        tries = tries.saturating_add(1);
    }
}
